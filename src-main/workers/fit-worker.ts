// Worker thread for the lens fit: runs one NUTS chain (src-core/infer/lens-fit runLensChain) and
// sends back its draws and sampler statistics (transferred, not copied). Progress every 10 iterations.
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../../src-core/errors';
import { lensModelFromInput, runLensChain } from '../../src-core/infer/lens-fit';
import type { FitChainJob, FitWorkerReply } from './fit-pool';

parentPort!.on('message', (job: FitChainJob) => {
  try {
    const model = lensModelFromInput(job.input);
    const t0 = performance.now();
    const r = runLensChain(model, job.plan, {
      chain: job.chain, seed: job.seed, nWarmup: job.nWarmup, nSamples: job.nSamples, maxDepth: job.maxDepth, continueFrom: job.continueFrom, deadline: job.deadline,
      onProgress: (done, total) => parentPort!.postMessage({ type: 'progress', chain: job.chain, done, total } satisfies FitWorkerReply),
    });
    const reply: FitWorkerReply = { type: 'done', chain: job.chain, result: r, ms: performance.now() - t0 };
    parentPort!.postMessage(reply, [r.draws.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ type: 'error', chain: job.chain, error: serializeError(e) } satisfies FitWorkerReply);
  }
});
