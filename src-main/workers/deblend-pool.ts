// Worker threads for catalog-wide deblending without a learned prior (the batch lens-light
// subtraction of issue 14): each candidate is an independent problem, so N threads give ≈ N× the
// stamps per second. The solver is pure (src-core/deblend); the worker only runs it. Arrays travel by
// structured clone (copied, not transferred: a transfer detaches the buffer and slows every later
// typed-array access in the isolate; see simulate-worker.ts). Cancel = close() terminates the workers;
// nothing is written by a worker, so a dropped candidate leaves no file behind.
import { Worker } from 'node:worker_threads';
import { deserializeError, type SerializedError } from '../../src-core/errors';
import type { DeblendResult } from '../../src-core/deblend/solver';
import type { PsfArray } from '../../src-core/inverse/operators/convolution';
import type { ConstraintName } from '../../src-core/deblend/constraints';
import { workerFile as workerFileOf } from './worker-file';

/** A DeblendInput that can cross a thread boundary (no callbacks, no prior). */
export interface DeblendTask {
  images: Float32Array[] | Float64Array[];
  variance?: Float32Array[] | Float64Array[];
  rows: number;
  cols: number;
  psfs?: PsfArray[];
  positions?: Array<{ x: number; y: number }>;
  /** Without `positions`: find them in the worker with src-core/deblend's candidatePositions (the lens-candidate
   * rule: a source at the centre plus the detected peaks), so that this serial step is not done on the job thread. */
  candidatePositions?: boolean;
  constraints: ConstraintName[];
  maxIter: number;
  eRel?: number;
}

export type DeblendWorkerReply =
  | { type: 'done'; id: number; result: DeblendResult }
  | { type: 'error'; id: number; error: SerializedError };

const workerFile = () => workerFileOf('deblend-worker', './deblend-worker.ts', import.meta.url);

export class DeblendPool {
  private idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private queue: Array<{ task: DeblendTask; resolve: (r: DeblendResult) => void; reject: (e: Error) => void }> = [];
  private pending = new Map<Worker, { id: number; resolve: (r: DeblendResult) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private closed = false;

  constructor(readonly size: number) {
    const file = workerFile();
    for (let k = 0; k < Math.max(1, size); k++) {
      const w = new Worker(file);
      w.on('message', (m: DeblendWorkerReply) => {
        const p = this.pending.get(w);
        if (!p || p.id !== m.id) return;
        this.pending.delete(w);
        if (m.type === 'done') p.resolve(m.result);
        else p.reject(deserializeError(m.error));
        this.idle.push(w);
        this.pump();
      });
      w.on('error', (e) => this.failWorker(w, e));
      w.on('exit', (code) => { if (!this.closed) this.failWorker(w, new Error(`deblend worker exited with code ${code}`)); });
      this.all.push(w);
      this.idle.push(w);
    }
  }

  /** Deblends one stamp on the next free worker. Rejects if the pool is closed before it is done. */
  deblend(task: DeblendTask): Promise<DeblendResult> {
    if (this.closed) return Promise.reject(new Error('deblend pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (!this.closed && this.idle.length && this.queue.length) {
      const w = this.idle.pop()!, q = this.queue.shift()!, id = this.nextId++;
      this.pending.set(w, { id, resolve: q.resolve, reject: q.reject });
      w.postMessage({ id, task: q.task });
    }
  }

  private failWorker(w: Worker, e: Error): void {
    const p = this.pending.get(w);
    this.pending.delete(w);
    p?.reject(e);
    // A crashed worker is not reused; the rest go on.
    this.idle = this.idle.filter((x) => x !== w);
    if (this.idle.length === 0 && this.pending.size === 0) for (const q of this.queue.splice(0)) q.reject(e);
  }

  /** Terminates the workers; work in flight or queued is rejected with `reason`. */
  close(reason: Error = new Error('deblend pool closed')): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(reason);
    for (const q of this.queue.splice(0)) q.reject(reason);
    this.pending.clear();
    for (const w of this.all) void w.terminate();
  }
}
