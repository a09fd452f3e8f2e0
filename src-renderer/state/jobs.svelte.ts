// Jobs: the list with live progress from job.update events.
import type { JobInfo, JobKind } from '../../src-core/api/contract';
import { api } from '../lib/api';

/** How long a finished job stays in the jobs bar after it finished in front of the reviewer. */
const SHOW_DONE_MS = 10_000;

class Jobs {
  list = $state<JobInfo[]>([]);
  /** Jobs the reviewer cleared from the bar (failed or cancelled ones stay until cleared). */
  dismissed = $state<Set<number>>(new Set());
  /** When this page saw each job finish; jobs finished before the page opened count as old. */
  private finishedSeenAt = new Map<number, number>();
  /** Ticks so that the bar re-evaluates which finished jobs are still recent. */
  now = $state(Date.now());
  private listeners = new Set<(j: JobInfo) => void>();

  constructor() {
    setInterval(() => (this.now = Date.now()), 2000);
    api.on('job.update', (j) => {
      if (j.state === 'done' && !this.finishedSeenAt.has(j.id)) this.finishedSeenAt.set(j.id, Date.now());
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
  /** Whether the jobs bar shows a job: running, queued, recently done, or failed/stopped and not cleared. */
  shown(j: JobInfo): boolean {
    if (this.dismissed.has(j.id)) return false;
    if (j.state === 'running' || j.state === 'queued') return true;
    if (j.state === 'done') return this.now - (this.finishedSeenAt.get(j.id) ?? 0) < SHOW_DONE_MS;
    return true;
  }
  dismiss(ids: number[]): void {
    this.dismissed = new Set([...this.dismissed, ...ids]);
  }
  get active(): JobInfo[] {
    return this.list.filter((j) => j.state === 'running' || j.state === 'queued');
  }
}

export const jobs = new Jobs();
