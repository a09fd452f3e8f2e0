// One job interface for all long work (ingest, score, export, demo, and later simulate, train,
// fit): a kind is a function of (params, context) run in a worker thread, reporting progress,
// checking cancellation, and written so that re-running it after a crash skips what is done.
import type { Repo } from '../store/repo';

export interface JobContext<P = Record<string, unknown>> {
  jobId: number;
  params: P;
  repo: Repo;
  workspaceDir: string;
  /** Throttled progress report (done of total, with a short message). */
  progress(done: number, total: number, message?: string): void;
  /** True once cancellation was requested; kinds check it between batches. */
  cancelled(): boolean;
  /** Throws CancelledError when cancellation was requested. */
  checkCancelled(): void;
}

export interface JobKind<P = Record<string, unknown>> {
  kind: string;
  /** Validates and normalises params before the job is queued (throw InputError naming the field). */
  prepare(params: Record<string, unknown>, workspaceDir: string): P;
  /** Does the work; returns a small JSON result. Must be idempotent on resume. */
  run(ctx: JobContext<P>): Promise<Record<string, unknown>>;
}

/** Messages from a job worker to its manager. */
export type WorkerMessage =
  | { type: 'progress'; done: number; total: number; message: string }
  | { type: 'done'; result: Record<string, unknown> }
  | { type: 'error'; error: { name: string; code: string; message: string; details?: Record<string, unknown> } };
