// Runs jobs in worker threads (never on the event loop that serves the UI), persists their state
// and progress in the jobs table, emits updates, cancels on request, and resumes interrupted jobs.
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { JobInfo } from '../../src-core/api/contract';
import { InputError, NotFoundError } from '../../src-core/errors';
import type { Repo } from '../store/repo';
import { workerFile } from '../workers/worker-file';
import { jobKinds } from './registry';
import type { WorkerMessage } from './types';

const workerSpec = () => ({ file: workerFile('job-worker', './worker-entry.ts', import.meta.url) });

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class JobManager extends EventEmitter {
  private running = new Map<number, Worker>();
  private queue: number[] = [];
  constructor(
    private repo: Repo,
    private workspaceDir: string,
    /** Jobs at once; 2 cores here, and each job may use a core. */
    private concurrency = 1,
  ) {
    super();
  }

  /** Marks jobs orphaned by a crashed process as interrupted; returns them. */
  recover(): JobInfo[] {
    return this.repo.markOrphanedJobs(pidAlive);
  }

  start(kind: string, params: Record<string, unknown>): JobInfo {
    const def = jobKinds[kind];
    if (!def) throw new InputError('UNKNOWN_JOB_KIND', `unknown job kind '${kind}'`, { field: 'kind' });
    const prepared = def.prepare(params, this.workspaceDir) as Record<string, unknown>;
    const job = this.repo.createJob(kind, prepared);
    this.enqueue(job.id);
    return this.repo.getJob(job.id);
  }

  /** Re-runs an interrupted, failed or cancelled job with the same params (kinds skip finished work). */
  resume(jobId: number): JobInfo {
    const job = this.repo.getJob(jobId);
    if (job.state === 'running' || job.state === 'queued') return job;
    if (job.state === 'done') throw new InputError('JOB_DONE', `job ${jobId} already finished`, { jobId });
    this.repo.updateJob(jobId, { state: 'queued', error: null, message: 'resuming' });
    this.enqueue(jobId);
    return this.repo.getJob(jobId);
  }

  cancel(jobId: number): JobInfo {
    const w = this.running.get(jobId);
    const job = this.repo.getJob(jobId);
    if (w) {
      w.postMessage({ type: 'cancel' });
      // A kind that does not check in time is stopped hard; its writes are transactional.
      setTimeout(() => {
        if (this.running.get(jobId) === w) void w.terminate();
      }, 5000).unref();
      return this.emitUpdate(this.repo.updateJob(jobId, { message: 'cancelling…' }));
    }
    if (job.state === 'queued') {
      this.queue = this.queue.filter((id) => id !== jobId);
      return this.emitUpdate(this.repo.updateJob(jobId, { state: 'cancelled', message: 'cancelled before start' }));
    }
    return job;
  }

  /** Resolves when the job reaches a final state. */
  wait(jobId: number): Promise<JobInfo> {
    return new Promise((resolve) => {
      const check = (j: JobInfo) => {
        if (j.id === jobId && !['queued', 'running'].includes(j.state)) {
          this.off('update', check);
          resolve(j);
        }
      };
      this.on('update', check);
      check(this.repo.getJob(jobId));
    });
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.running.values()].map((w) => w.terminate()));
    this.running.clear();
  }

  /**
   * A job may name a follow-up in its result (`next: {kind, params}`), e.g. a simulated set asks for
   * its scoring: started as a job of its own, so each keeps its own progress, cancel and resume.
   */
  private chain(jobId: number, result: Record<string, unknown>): void {
    const next = result.next as { kind?: unknown; params?: unknown } | undefined;
    if (!next || typeof next.kind !== 'string') return;
    try {
      this.start(next.kind, (next.params ?? {}) as Record<string, unknown>);
    } catch (e) {
      this.emitUpdate(this.repo.updateJob(jobId, { message: `done; follow-up ${next.kind} not started: ${(e as Error).message}` }));
    }
  }

  private emitUpdate(j: JobInfo): JobInfo {
    this.emit('update', j);
    return j;
  }

  private enqueue(jobId: number): void {
    this.queue.push(jobId);
    this.pump();
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.queue.length) {
      const id = this.queue.shift()!;
      this.launch(id);
    }
  }

  private launch(jobId: number): void {
    let job: JobInfo;
    try {
      job = this.repo.getJob(jobId);
    } catch (e) {
      if (e instanceof NotFoundError) return;
      throw e;
    }
    const spec = workerSpec();
    const worker = new Worker(spec.file, {
      workerData: { jobId, kind: job.kind, params: job.params, workspaceDir: this.workspaceDir },
    });
    this.running.set(jobId, worker);
    this.emitUpdate(this.repo.updateJob(jobId, { state: 'running', pid: process.pid, message: 'started' }));
    let finished = false;
    // A job is over when it says so: end its thread then, even if something in it (a worker pool,
    // a timer) would keep the thread alive and so hold the queue's slot forever.
    const release = () => setImmediate(() => void worker.terminate());
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') {
        this.emitUpdate(this.repo.updateJob(jobId, { progress: m.done, total: m.total, message: m.message }));
      } else if (m.type === 'done') {
        finished = true;
        const j = this.repo.getJob(jobId);
        this.emitUpdate(
          this.repo.updateJob(jobId, { state: 'done', result: m.result, progress: Math.max(j.progress, j.total), message: 'done' }),
        );
        release();
        this.chain(jobId, m.result);
      } else if (m.type === 'error') {
        finished = true;
        const cancelled = m.error.code === 'CANCELLED';
        this.emitUpdate(
          this.repo.updateJob(jobId, {
            state: cancelled ? 'cancelled' : 'failed',
            error: cancelled ? null : m.error,
            message: cancelled ? 'cancelled; resumable' : m.error.message,
          }),
        );
        release();
      }
    });
    let ended = false;
    const end = (err?: Error) => {
      if (ended) return; // 'error' is followed by 'exit'
      ended = true;
      this.running.delete(jobId);
      if (!finished) {
        const cancelledHard = this.repo.getJob(jobId).message.startsWith('cancelling');
        this.emitUpdate(
          this.repo.updateJob(jobId, {
            state: cancelledHard ? 'cancelled' : 'failed',
            message: cancelledHard ? 'cancelled; resumable' : `worker stopped: ${err?.message ?? 'exited'}`,
            error: cancelledHard ? null : { name: 'Error', code: 'WORKER_EXIT', message: err?.message ?? 'worker exited' },
          }),
        );
      }
      this.pump();
    };
    worker.on('error', (e) => end(e));
    worker.on('exit', () => end());
  }
}
