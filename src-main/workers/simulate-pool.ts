// A small pool of simulator worker threads: N workers, a queue of chunks, results in completion
// order, abort = terminate the workers (chunk files are written atomically, so nothing half-written
// stays behind). Used by `lensdesk simulate`, bench/simulate.ts and any job that needs many cutouts;
// the job system can instead call the pure `simulateRange` per chunk in its own worker.
import { workerFile as workerFileOf } from './worker-file';
import { Worker } from 'node:worker_threads';
import { CancelledError, deserializeError, type SerializedError } from '../../src-core/errors';
import type { SimulationConfig, Truth } from '../../src-core/lens/simulate';

export interface SimChunkJob {
  id: number;
  config: SimulationConfig;
  seed: number;
  start: number;
  count: number;
  /** Write the chunk as FITS here (atomically) instead of returning the arrays. */
  outFile?: string;
  ra?: number;
  dec?: number;
}

export type SimWorkerReply =
  | { type: 'done'; id: number; start: number; count: number; ms: number; file?: string;
      bands?: string[]; size?: number; images?: Float32Array; variance?: Float32Array; truths?: Truth[] }
  | { type: 'error'; id: number; error: SerializedError };

export type SimChunkResult = Extract<SimWorkerReply, { type: 'done' }>;

const workerFile = () => workerFileOf('simulate-worker', './simulate-worker.ts', import.meta.url);

export interface PoolOptions {
  workers: number;
  signal?: AbortSignal;
  /** Called as each chunk finishes (completion order). */
  onChunk?: (r: SimChunkResult) => void;
}

/**
 * Persistent worker threads (start-up under tsx costs ~1 s per worker, so reuse them).
 * `run` hands out chunks as workers free up; one `run` at a time.
 */
export class SimulationPool {
  private workers: Worker[] = [];
  private closed = false;
  constructor(readonly size: number) {
    const file = workerFile();
    for (let k = 0; k < Math.max(1, size); k++) this.workers.push(new Worker(file));
  }

  run(jobs: Omit<SimChunkJob, 'id'>[], o: Omit<PoolOptions, 'workers'> = {}): Promise<SimChunkResult[]> {
    if (this.closed) return Promise.reject(new Error('simulation pool is closed'));
    const results: SimChunkResult[] = new Array(jobs.length);
    if (jobs.length === 0) return Promise.resolve(results);
    let next = 0;
    let finished = 0;
    return new Promise<SimChunkResult[]>((resolve, reject) => {
      let settled = false;
      const cleanups: (() => void)[] = [];
      const stop = (err?: Error) => {
        if (settled) return;
        settled = true;
        for (const c of cleanups) c();
        if (err) { this.close(); reject(err); } else resolve(results);
      };
      const onAbort = () => stop(new CancelledError('simulation cancelled; re-run the same command to resume'));
      if (o.signal?.aborted) return onAbort();
      o.signal?.addEventListener('abort', onAbort);
      cleanups.push(() => o.signal?.removeEventListener('abort', onAbort));
      const feed = (w: Worker) => {
        if (next >= jobs.length) return;
        const id = next++;
        w.postMessage({ ...jobs[id], id });
      };
      for (const w of this.workers) {
        const onMessage = (m: SimWorkerReply) => {
          if (m.type === 'error') return stop(deserializeError(m.error));
          results[m.id] = m;
          finished++;
          o.onChunk?.(m);
          if (finished === jobs.length) stop();
          else feed(w);
        };
        const onError = (e: Error) => stop(e);
        const onExit = (code: number) => stop(new Error(`simulate worker exited with code ${code}`));
        w.on('message', onMessage); w.on('error', onError); w.on('exit', onExit);
        cleanups.push(() => { w.off('message', onMessage); w.off('error', onError); w.off('exit', onExit); });
        feed(w);
      }
    });
  }

  /** Terminates the workers (a chunk in flight is dropped; its file was never renamed into place). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.workers) void w.terminate();
  }
}

/** One-shot: a pool of `workers` threads for these jobs, closed afterwards. Results in job order. */
export async function runSimulationChunks(jobs: Omit<SimChunkJob, 'id'>[], o: PoolOptions): Promise<SimChunkResult[]> {
  if (jobs.length === 0) return [];
  const pool = new SimulationPool(Math.max(1, Math.min(o.workers, jobs.length)));
  try {
    return await pool.run(jobs, o);
  } finally {
    pool.close();
  }
}
