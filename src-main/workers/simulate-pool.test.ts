// The pool returns what simulateRange makes in this thread, byte for byte, in shared memory: the
// worker must not transfer (detach) buffers, since one detached ArrayBuffer slows every typed-array
// loop of that worker's isolate by ~16 % for the rest of its life (docs/simulate.md, "Speed").
import { describe, expect, it } from 'vitest';
import { simulateRange } from '../../src-core/lens/simulate';
import { runSimulationChunks } from './simulate-pool';

describe('simulation pool', () => {
  it('returns the in-thread cutouts, byte-identical, in SharedArrayBuffers (nothing transferred)', async () => {
    const config = { preset: 'lsst' };
    const [r] = await runSimulationChunks([{ config, seed: 3, start: 5, count: 2 }], { workers: 1 });
    const here = simulateRange(config, 3, 5, 2);
    expect(r.images!.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(r.variance!.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(r.images!.buffer).equals(Buffer.from(here.images.buffer))).toBe(true);
    expect(Buffer.from(r.variance!.buffer).equals(Buffer.from(here.variance.buffer))).toBe(true);
    expect(JSON.stringify(r.truths)).toBe(JSON.stringify(here.truths));
  }, 30_000);
});
