// Worker thread for the lens simulator: runs simulateRange chunks; either writes each chunk as a
// FITS file atomically (temp file + rename, so an interrupted run never leaves a truncated chunk)
// or returns the arrays, copied into SharedArrayBuffers rather than transferred: transferring detaches
// an ArrayBuffer, and the first detach in an isolate invalidates V8's "array buffer detaching"
// protector, after which every optimised typed-array access carries a detached check — measured
// 16 % more CPU per cutout in this worker for the rest of its life (docs/simulate.md, "Speed").
// The copy costs ~15 µs per LSST cutout.
import { renameSync, writeFileSync } from 'node:fs';
import { parentPort, threadId } from 'node:worker_threads';
import { serializeError } from '../../src-core/errors';
import { encodeSimulationFits } from '../../src-core/lens/fits-cube';
import { simulateRange } from '../../src-core/lens/simulate';
import type { SimChunkJob, SimWorkerReply } from './simulate-pool';

parentPort!.on('message', (job: SimChunkJob) => {
  const t0 = performance.now();
  try {
    const batch = simulateRange(job.config, job.seed, job.start, job.count);
    if (job.outFile) {
      const tmp = `${job.outFile}.${process.pid}-${threadId}.tmp`;
      writeFileSync(tmp, encodeSimulationFits(batch, { ra: job.ra, dec: job.dec }));
      renameSync(tmp, job.outFile);
      const reply: SimWorkerReply = { type: 'done', id: job.id, start: job.start, count: batch.count, file: job.outFile, ms: performance.now() - t0 };
      parentPort!.postMessage(reply);
    } else {
      const reply: SimWorkerReply = { type: 'done', id: job.id, start: job.start, count: batch.count, ms: performance.now() - t0,
        bands: batch.bands, size: batch.size, images: shared(batch.images), variance: shared(batch.variance), truths: batch.truths };
      parentPort!.postMessage(reply);
    }
  } catch (e) {
    parentPort!.postMessage({ type: 'error', id: job.id, error: serializeError(e) } satisfies SimWorkerReply);
  }
});

/** A copy in shared memory: posted without a transfer list, so nothing in this isolate is detached. */
function shared(a: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}
