// simulateShearOnMap: the truth's mean is removed, the noise-free part is the forward operator's shear,
// white noise has variance σ_e²/N̄ per component, and Poisson counts leave a fraction ≈ e^{−N̄} of pixels
// empty (masked, variance ∞, shear 0).
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { ARCMIN_RAD, ksKernel, shearFromKappa } from './ks93';
import { simulateShearOnMap } from './simulate-shear';

describe('simulateShearOnMap', () => {
  const n = 64, rng = new Rng(3, 0), truth = Float64Array.from({ length: n * n }, () => 0.05 + 0.02 * rng.normal());

  it('white noise: mean removed, residual = shape noise σ_e/√N̄', () => {
    const s = simulateShearOnMap(truth, n, n, { pixArcmin: 1, ngal: 30, sigmaE: 0.26, poisson: false, seed: 1 });
    expect(Math.abs(s.truth.reduce((a, b) => a + b, 0) / (n * n))).toBeLessThan(1e-15);
    expect(s.truth[5]).toBeCloseTo(truth[5]! - truth.reduce((a, b) => a + b, 0) / (n * n), 14);
    const clean = shearFromKappa(ksKernel(n, n, ARCMIN_RAD), s.truth);
    let v = 0;
    for (let i = 0; i < n * n; i++) v += ((s.shear.g1[i]! - clean.g1[i]!) ** 2 + (s.shear.g2[i]! - clean.g2[i]!) ** 2) / (2 * n * n);
    const sp = 0.26 / Math.sqrt(30);
    expect(s.noisePerPixel).toBeCloseTo(sp, 14);
    expect(Math.abs(Math.sqrt(v) / sp - 1)).toBeLessThan(0.03); // 8192 draws: ±0.8 % (1σ)
    expect(s.shear.variance[0]).toBeCloseTo(sp * sp, 14);
    expect(s.maskedFraction).toBe(0);
    // same seed, same data (evaluate.ts and coverage.ts share it)
    expect(simulateShearOnMap(truth, n, n, { pixArcmin: 1, ngal: 30, sigmaE: 0.26, poisson: false, seed: 1 }).shear.g1).toEqual(s.shear.g1);
  });

  it('Poisson counts: empty pixels masked with weight 0, about e^{−N̄} of them', () => {
    const s = simulateShearOnMap(truth, n, n, { pixArcmin: 1, ngal: 1.5, sigmaE: 0.26, poisson: true, seed: 2 });
    expect(Math.abs(s.maskedFraction - Math.exp(-1.5))).toBeLessThan(0.03);
    for (let i = 0; i < n * n; i++) {
      if (s.shear.mask[i]) expect(s.shear.variance[i]).toBeCloseTo(0.26 ** 2 / s.shear.count[i]!, 14);
      else expect([s.shear.variance[i], s.shear.g1[i], s.shear.g2[i]]).toEqual([Infinity, 0, 0]);
    }
  });
});
