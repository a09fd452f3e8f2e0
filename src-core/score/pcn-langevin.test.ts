// pCN Langevin (pcn-langevin.ts) on targets known in closed form: N(0, I) reference times exp Φ with a
// quadratic Φ = −½λ‖x − μ‖², so the target is N(μλ/(1 + λ), 1/(1 + λ)) per coordinate. The Metropolis test
// makes it exact at any δ (at a lower acceptance where Φ is stiff); without it the stationary variance is biased (the reason the test is there).
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { annealedPcnLangevin, type GaussianReference } from './pcn-langevin';

const D = 400;
const identity = (): GaussianReference => ({
  mean: new Float64Array(D),
  applyC: (x, out) => out.set(x),
  sample: (rng, out) => { for (let i = 0; i < D; i++) out[i] = rng.normal(); },
});

async function moments(lambda: number, mu: number, metropolis: boolean, delta: number) {
  const res = await annealedPcnLangevin({
    size: D, chains: 4, sigmas: Float64Array.of(1, 0.5), reference: identity, delta, metropolis, rng: new Rng(1, 9),
    drift: async (x, _s, chains) => Float32Array.from({ length: chains * D }, (_, i) => -lambda * (x[i]! - mu)),
    stepsPerLevel: [5, 200], samplesPerChain: 25, thin: 10,
  });
  let m = 0, v = 0, cnt = 0;
  for (const s of res.samples) for (let i = 0; i < D; i++) { m += s[i]!; cnt++; }
  m /= cnt;
  for (const s of res.samples) for (let i = 0; i < D; i++) v += (s[i]! - m) ** 2 / cnt;
  return { m, v, acceptance: res.acceptance };
}

describe('annealed pCN Langevin', () => {
  it('with the Metropolis test, a quadratic factor (λ = 0.5) gives the exact product Gaussian', async () => {
    const { m, v, acceptance } = await moments(0.5, 0.8, true, 0.5);
    expect(Math.abs(v * 1.5 - 1)).toBeLessThan(0.05);
    expect(Math.abs(m / (0.4 / 1.5) - 1)).toBeLessThan(0.05);
    expect(acceptance[1]!).toBeGreaterThan(0.05);
    expect(acceptance[1]!).toBeLessThan(1);
  });

  it('without it the drift is biased (variance too large for δ = 0.5, λ = 0.5)', async () => {
    const { v, acceptance } = await moments(0.5, 0.8, false, 0.5);
    expect(acceptance[1]).toBe(1);
    expect(v * 1.5 - 1).toBeGreaterThan(0.08);
  });

  it('with no drift every proposal is kept and the reference is sampled', async () => {
    const res = await annealedPcnLangevin({ size: D, chains: 20, sigmas: Float64Array.of(1, 0.5), reference: identity, drift: null, rng: new Rng(2, 9) });
    let v = 0;
    for (const s of res.samples) for (let i = 0; i < D; i++) v += s[i]! ** 2 / (20 * D);
    expect(Math.abs(v - 1)).toBeLessThan(0.03);
    expect(Array.from(res.acceptance)).toEqual([1, 1]);
  });
});
