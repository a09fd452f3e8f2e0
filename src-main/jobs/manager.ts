// Runs jobs in worker threads (never on the event loop that serves the UI), persists their state
// and progress in the jobs table, emits updates, cancels on request, and resumes interrupted jobs.
// Nothing thrown in a worker's message/exit handler may escape: an exception there is uncaught and
// ends the whole process (the CLI, the browser-mode server). A full disk (SQLITE_FULL while
// recording progress) fails that one job with a typed DISK_FULL error instead.
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { JobInfo } from '../../src-core/api/contract';
import { InputError, NotFoundError, serializeError } from '../../src-core/errors';
import { toDiskError } from '../store/disk-error';
import type { Repo } from '../store/repo';
import { workerFile } from '../workers/worker-file';
import { jobKinds } from './registry';
import type { WorkerMessage } from './types';
import { validateJobParams } from '../../src-core/api/validate';

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
  /** Last state of each job this manager ran, as emitted (the database may not have taken it). */
  private last = new Map<number, JobInfo>();
  private cancelling = new Set<number>();
  /** Jobs whose final state is already recorded (or failed by the manager); later messages are ignored. */
  private finished = new Set<number>();
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
    return this.db(() => this.repo.markOrphanedJobs(pidAlive));
  }

  /** Runs a database call for a caller that can take an exception, typed DISK_FULL on a full disk. */
  private db<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw toDiskError(e, this.repo.db.name, { what: 'the workspace database' }) ?? e;
    }
  }

  start(kind: string, params: Record<string, unknown>): JobInfo {
    const def = jobKinds[kind];
    if (!def) throw new InputError('UNKNOWN_JOB_KIND', `unknown job kind '${kind}'`, { field: 'kind' });
    // The contract's schema for this kind first (types, ranges, unknown fields), then the kind's own
    // prepare (paths resolved, defaults, checks that need the disk).
    const prepared = def.prepare(validateJobParams(kind, params), this.workspaceDir) as Record<string, unknown>;
    const job = this.db(() => this.repo.createJob(kind, prepared));
    this.enqueue(job.id);
    return this.last.get(job.id) ?? this.repo.getJob(job.id);
  }

  /** Re-runs an interrupted, failed or cancelled job with the same params (kinds skip finished work). */
  resume(jobId: number): JobInfo {
    const job = this.repo.getJob(jobId);
    // A job this manager ended while the disk refused to record that still reads 'running'.
    const endedHere =
      !this.queue.includes(jobId) && (!this.running.has(jobId) || this.finished.has(jobId)) &&
      ['failed', 'cancelled'].includes(this.last.get(jobId)?.state ?? '');
    if ((job.state === 'running' || job.state === 'queued') && !endedHere) return job;
    if (job.state === 'done') throw new InputError('JOB_DONE', `job ${jobId} already finished`, { jobId });
    this.last.set(jobId, this.db(() => this.repo.updateJob(jobId, { state: 'queued', error: null, message: 'resuming' })));
    this.enqueue(jobId);
    return this.last.get(jobId) ?? this.repo.getJob(jobId);
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
      this.cancelling.add(jobId);
      return this.record(jobId, { message: 'cancelling…' });
    }
    if (job.state === 'queued') {
      this.queue = this.queue.filter((id) => id !== jobId);
      return this.record(jobId, { state: 'cancelled', message: 'cancelled before start' });
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
      check(this.last.get(jobId) ?? this.repo.getJob(jobId));
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
    this.last.set(j.id, j);
    // A listener that throws (e.g. one that writes to a full disk) must not stop the job system.
    for (const l of this.rawListeners('update')) { // raw: a once() wrapper removes itself
      try {
        (l as (j: JobInfo) => void)(j);
      } catch (e) {
        console.error(`lensdesk: job #${j.id} update listener failed: ${(e as Error)?.message ?? e}`);
      }
    }
    return j;
  }

  /**
   * Records a job change and emits it; never throws. When the database refuses the write (a full
   * disk) the change is still emitted, and a job whose progress cannot be recorded is failed with
   * the typed disk error: its worker is stopped so that it does not write on into a full disk.
   */
  private record(jobId: number, u: Parameters<Repo['updateJob']>[1]): JobInfo {
    try {
      return this.emitUpdate(this.repo.updateJob(jobId, u));
    } catch (e) {
      const disk = toDiskError(e, this.repo.db.name, { what: 'the workspace database' });
      console.error(`lensdesk: job #${jobId}: cannot record its state: ${(disk ?? (e as Error))?.message ?? e}`);
      const prev = this.last.get(jobId) ?? this.tryGet(jobId);
      const final = u.state !== undefined && !['queued', 'running'].includes(u.state);
      if (disk && !final) {
        this.failHard(jobId, disk.toJSON());
        return this.last.get(jobId) ?? prev;
      }
      // A final state that could not be written is still the final state for this process; a
      // "done" whose result the disk refused is a failure (resuming it skips the work done).
      const asFailure = disk && u.state !== 'cancelled' ? { state: 'failed' as const, error: disk.toJSON(), message: disk.message } : {};
      return this.emitUpdate({ ...prev, ...(u as Partial<JobInfo>), ...asFailure });
    }
  }

  private tryGet(jobId: number): JobInfo {
    try {
      return this.repo.getJob(jobId);
    } catch {
      const now = new Date().toISOString();
      return { id: jobId, kind: '?', params: {}, state: 'failed', progress: 0, total: 0, message: '', error: null, result: null, createdAt: now, updatedAt: now };
    }
  }

  /** Ends a running job as failed with `error` (stops its worker), and tries to record that. */
  private failHard(jobId: number, error: JobInfo['error']): void {
    const w = this.running.get(jobId);
    if (w) {
      this.finished.add(jobId);
      setImmediate(() => void w.terminate());
    }
    const failed = { state: 'failed' as const, error, message: error?.message ?? 'failed' };
    try {
      this.emitUpdate(this.repo.updateJob(jobId, failed));
    } catch {
      // The database is full: say so all the same; a later start marks the job interrupted.
      this.emitUpdate({ ...(this.last.get(jobId) ?? this.tryGet(jobId)), ...failed });
    }
  }

  private enqueue(jobId: number): void {
    this.queue.push(jobId);
    this.pump();
  }

  private pump(): void {
    while (this.running.size < this.concurrency) {
      // A job resumed while its previous worker is still stopping waits for that worker to exit.
      const i = this.queue.findIndex((id) => !this.running.has(id));
      if (i < 0) break;
      this.launch(this.queue.splice(i, 1)[0]!);
    }
  }

  private launch(jobId: number): void {
    let job: JobInfo;
    try {
      job = this.repo.getJob(jobId);
    } catch (e) {
      if (!(e instanceof NotFoundError)) console.error(`lensdesk: cannot start job #${jobId}: ${(e as Error)?.message ?? e}`);
      return;
    }
    this.last.set(jobId, job);
    const spec = workerSpec();
    const worker = new Worker(spec.file, {
      workerData: { jobId, kind: job.kind, params: job.params, workspaceDir: this.workspaceDir },
    });
    this.running.set(jobId, worker);
    this.finished.delete(jobId);
    this.cancelling.delete(jobId);
    this.record(jobId, { state: 'running', pid: process.pid, message: 'started' });
    // A job is over when it says so: end its thread then, even if something in it (a worker pool,
    // a timer) would keep the thread alive and so hold the queue's slot forever.
    const release = () => setImmediate(() => void worker.terminate());
    worker.on('message', (m: WorkerMessage) => {
      if (this.finished.has(jobId)) return; // failed by the manager (disk full); ignore the rest
      if (m.type === 'progress') {
        this.record(jobId, { progress: m.done, total: m.total, message: m.message });
      } else if (m.type === 'done') {
        this.finished.add(jobId);
        const j = this.last.get(jobId) ?? job;
        this.record(jobId, { state: 'done', result: m.result, progress: Math.max(j.progress, j.total), message: 'done' });
        release();
        this.chain(jobId, m.result);
      } else if (m.type === 'error') {
        this.finished.add(jobId);
        const cancelled = m.error.code === 'CANCELLED';
        this.record(jobId, {
          state: cancelled ? 'cancelled' : 'failed',
          error: cancelled ? null : m.error,
          message: cancelled ? 'cancelled; resumable' : m.error.message,
        });
        release();
      }
    });
    let ended = false;
    const end = (err?: Error) => {
      if (ended) return; // 'error' is followed by 'exit'
      ended = true;
      if (this.running.get(jobId) !== worker) return this.pump();
      this.running.delete(jobId);
      if (!this.finished.has(jobId)) {
        const cancelledHard = this.cancelling.has(jobId);
        this.record(jobId, {
          state: cancelledHard ? 'cancelled' : 'failed',
          message: cancelledHard ? 'cancelled; resumable' : `worker stopped: ${err?.message ?? 'exited'}`,
          error: cancelledHard ? null : { name: 'Error', code: 'WORKER_EXIT', message: err?.message ?? 'worker exited' },
        });
      }
      this.finished.delete(jobId);
      this.cancelling.delete(jobId);
      this.pump();
    };
    worker.on('error', (e) => end(e));
    worker.on('exit', () => end());
  }
}
