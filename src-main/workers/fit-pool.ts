// Runs the chains of a lens fit in worker threads, one chain per worker (reference page: "several chains
// from dispersed starts, one worker each"), at most `workers` at a time. `workers: 0` runs them in this
// thread (tests, debugging). Cancel = terminate the workers.
import { workerFile as workerFileOf } from './worker-file';
import { Worker } from 'node:worker_threads';
import { CancelledError, deserializeError, type SerializedError } from '../../src-core/errors';
import { lensModelFromInput, runLensChain, type ChainContinuation, type LensFitInput, type LensFitPlan } from '../../src-core/infer/lens-fit';
import type { ChainResult } from '../../src-core/infer/sample';

export interface FitChainJob {
  input: LensFitInput;
  plan: LensFitPlan;
  chain: number;
  seed: number;
  nWarmup: number;
  nSamples: number;
  maxDepth?: number;
  /** Continue a chain (no warm-up) from where an earlier round stopped. */
  continueFrom?: ChainContinuation;
  /** Date.now() at which the chain stops and returns the draws it has (fit --max-seconds). */
  deadline?: number;
}

export type FitWorkerReply =
  | { type: 'progress'; chain: number; done: number; total: number }
  | { type: 'done'; chain: number; result: ChainResult; ms: number }
  | { type: 'error'; chain: number; error: SerializedError };

const workerFile = () => workerFileOf('fit-worker', './fit-worker.ts', import.meta.url);

export async function runFitChains(
  jobs: FitChainJob[],
  o: { workers: number; signal?: AbortSignal; onProgress?: (chain: number, done: number, total: number) => void },
): Promise<ChainResult[]> {
  if (o.workers <= 0) {
    return jobs.map((j) =>
      runLensChain(lensModelFromInput(j.input), j.plan, {
        chain: j.chain, seed: j.seed, nWarmup: j.nWarmup, nSamples: j.nSamples, maxDepth: j.maxDepth, continueFrom: j.continueFrom, deadline: j.deadline,
        onProgress: (d, t) => o.onProgress?.(j.chain, d, t), signal: o.signal,
      }),
    );
  }
  const results: ChainResult[] = new Array(jobs.length);
  const file = workerFile();
  const live = new Set<Worker>();
  let next = 0;
  let finished = 0;
  return new Promise<ChainResult[]>((resolve, reject) => {
    let settled = false;
    const stop = (err?: Error) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      for (const w of live) void w.terminate();
      if (err) reject(err);
      else resolve(results);
    };
    const onAbort = () => stop(new CancelledError('fit cancelled'));
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort);
    const launch = () => {
      if (next >= jobs.length || settled) return;
      const job = jobs[next++]!;
      const w = new Worker(file);
      live.add(w);
      w.on('message', (m: FitWorkerReply) => {
        if (m.type === 'progress') return o.onProgress?.(m.chain, m.done, m.total);
        if (m.type === 'error') return stop(deserializeError(m.error));
        results[m.chain] = m.result;
        finished++;
        live.delete(w);
        void w.terminate();
        if (finished === jobs.length) stop();
        else launch();
      });
      w.on('error', (e) => stop(e));
      w.on('exit', (code) => {
        if (live.has(w) && !settled) stop(new Error(`fit worker for chain ${job.chain} exited with code ${code}`));
      });
      w.postMessage(job);
    };
    for (let k = 0; k < Math.min(o.workers, jobs.length); k++) launch();
  });
}
