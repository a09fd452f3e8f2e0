// sample()'s stopWhen (the lens fit's --max-seconds): a chain ends early with the draws it has, flagged, and NUTS
// honours it inside a trajectory (before every leapfrog step), so a fit overshoots its budget by at most one
// gradient evaluation instead of a whole tree (up to 2^maxDepth − 1 gradients).
import { describe, expect, it } from 'vitest';
import { sample } from './sample';
import type { LogDensityAndGrad } from './types';

/** A standard normal whose evaluations are counted (the stop rules below are in evaluations, not seconds). */
function counted() {
  const c = { evals: 0 };
  const f: LogDensityAndGrad = (q, g) => {
    c.evals++;
    let lp = 0;
    for (let i = 0; i < q.length; i++) { lp -= 0.5 * q[i]! * q[i]!; g[i] = -q[i]!; }
    return lp;
  };
  return { c, f };
}

const base = { init: new Float64Array(2), nWarmup: 20, nSamples: 50, seed: 3, chain: 0 };

/** Evaluations used when iteration k (1-based, warm-up and sampling together) has completed, in a full run. */
function evalsAfterIterations(): { full: ReturnType<typeof sample>; at: number[] } {
  const { c, f } = counted();
  const at: number[] = [0];
  const full = sample({ ...base, logDensity: f, progressEvery: 1, onProgress: (done) => { at[done] = c.evals; } });
  return { full, at };
}

describe('sample stopWhen', () => {
  const { full, at } = evalsAfterIterations();

  it('ends in sampling with the draws made so far, identical to the first draws of a full run', () => {
    const { c, f } = counted();
    const cut = sample({ ...base, logDensity: f, stopWhen: () => c.evals >= at[20 + 7]! });
    expect(full.stopped).toBeUndefined();
    expect(cut.stopped).toBe('sampling');
    expect(cut.nSamples).toBe(7);
    expect(cut.draws.length).toBe(7 * 2);
    expect(cut.stats.energy.length).toBe(7);
    expect(Array.from(cut.draws)).toEqual(Array.from(full.draws.subarray(0, 14)));
  });

  it('stops inside a NUTS trajectory: the unfinished transition is discarded and no further gradient is spent', () => {
    // The first draw after the 5th whose trajectory takes more than one leapfrog step.
    const k = Array.from(full.stats.nSteps).findIndex((v, i) => i >= 5 && v > 1);
    expect(k).toBeGreaterThanOrEqual(5);
    const { c, f } = counted();
    const limit = at[20 + k]! + 1; // one step into draw k + 1's trajectory
    const cut = sample({ ...base, logDensity: f, stopWhen: () => c.evals >= limit });
    expect(cut.stopped).toBe('sampling');
    expect(cut.nSamples).toBe(k);
    expect(Array.from(cut.draws)).toEqual(Array.from(full.draws.subarray(0, 2 * k)));
    expect(c.evals).toBe(limit);
  });

  it('ends in warm-up with no draws, also from inside a trajectory', () => {
    for (const limit of [at[5]!, at[5]! + 1]) {
      const { c, f } = counted();
      const cut = sample({ ...base, logDensity: f, stopWhen: () => c.evals >= limit });
      expect(cut.stopped).toBe('warmup');
      expect(cut.nSamples).toBe(0);
      expect(cut.draws.length).toBe(0);
      expect(c.evals).toBe(limit);
    }
  });
});
