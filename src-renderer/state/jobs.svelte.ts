// Jobs: the list with live progress from job.update events.
import type { JobInfo, JobKind } from '../../src-core/api/contract';
import { api } from '../lib/api';

class Jobs {
  list = $state<JobInfo[]>([]);
  private listeners = new Set<(j: JobInfo) => void>();

  constructor() {
    api.on('job.update', (j) => {
      const i = this.list.findIndex((x) => x.id === j.id);
      if (i >= 0) this.list[i] = j;
      else this.list = [j, ...this.list];
      for (const l of this.listeners) l(j);
    });
  }

  async refresh(): Promise<void> {
    this.list = await api.call('jobs.list', { limit: 20 });
  }
  onUpdate(cb: (j: JobInfo) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
  start(kind: JobKind, params: Record<string, unknown> = {}) {
    return api.call('jobs.start', { kind, params });
  }
  cancel(jobId: number) {
    return api.call('jobs.cancel', { jobId });
  }
  resume(jobId: number) {
    return api.call('jobs.resume', { jobId });
  }
  get active(): JobInfo[] {
    return this.list.filter((j) => j.state === 'running' || j.state === 'queued');
  }
}

export const jobs = new Jobs();
