// sample()'s stopWhen (the lens fit's --max-seconds): a chain ends early with the draws it has, flagged.
import { describe, expect, it } from 'vitest';
import { sample } from './sample';
import type { LogDensityAndGrad } from './types';

const stdNormal: LogDensityAndGrad = (q, g) => {
  let lp = 0;
  for (let i = 0; i < q.length; i++) { lp -= 0.5 * q[i]! * q[i]!; g[i] = -q[i]!; }
  return lp;
};
const after = (n: number) => { let k = 0; return () => ++k >= n; };

describe('sample stopWhen', () => {
  it('ends in sampling with the draws made so far, identical to the first draws of a full run', () => {
    const o = { logDensity: stdNormal, init: new Float64Array(2), nWarmup: 20, nSamples: 50, seed: 3, chain: 0 };
    const full = sample(o);
    const cut = sample({ ...o, stopWhen: after(20 + 7) });
    expect(full.stopped).toBeUndefined();
    expect(cut.stopped).toBe('sampling');
    expect(cut.nSamples).toBe(7);
    expect(cut.draws.length).toBe(7 * 2);
    expect(cut.stats.energy.length).toBe(7);
    expect(Array.from(cut.draws)).toEqual(Array.from(full.draws.subarray(0, 14)));
  });
  it('ends in warm-up with no draws', () => {
    const cut = sample({ logDensity: stdNormal, init: new Float64Array(2), nWarmup: 20, nSamples: 50, seed: 3, chain: 0, stopWhen: after(5) });
    expect(cut.stopped).toBe('warmup');
    expect(cut.nSamples).toBe(0);
    expect(cut.draws.length).toBe(0);
  });
});
