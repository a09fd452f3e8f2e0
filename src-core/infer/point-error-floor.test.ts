import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { floorDeviance, fitPointErrorFloor, withPointErrorFloor } from './point-error-floor';

/** A 41 × 41 stamp with four Gaussian "quasar images" of peak 1e5 e⁻ (σ = 1.5 pixels) and background variance 400 e⁻². */
function stamp(): { P: Float64Array; v: Float64Array } {
  const n = 41, P = new Float64Array(n * n), v = new Float64Array(n * n).fill(400);
  for (const [cx, cy] of [[10, 12], [30, 8], [28, 31], [9, 29]] as const)
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) P[y * n + x] += 1e5 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 1.5 ** 2));
  return { P, v };
}

describe('point-source error floor', () => {
  it('adds (f·P)² to every pixel with noise information and leaves masked pixels alone', () => {
    const out = withPointErrorFloor([4, 0, Infinity, 9], [100, 100, 100, -50], 0.1);
    expect(Array.from(out)).toEqual([4 + 100, 0, Infinity, 9 + 25]);
  });

  it('deviance is Σ r²/(v + f²P²) + log(v + f²P²)', () => {
    const r = [1, -2], v = [1, 4], P = [10, 0];
    const f = 0.2;
    const expected = 1 / (1 + 4) + Math.log(5) + 4 / 4 + Math.log(4);
    expect(floorDeviance(r, v, P, f)).toBeCloseTo(expected, 12);
  });

  for (const fTrue of [0.005, 0.03, 0.1]) {
    it(`recovers a fractional PSF error f = ${fTrue} from residuals drawn with it (maximum likelihood)`, () => {
      const { P, v } = stamp();
      const rng = new Rng(7, Math.round(fTrue * 1e4));
      const r = Float64Array.from(P, (p, i) => rng.normal() * Math.sqrt(v[i]! + (fTrue * p) ** 2));
      const fit = fitPointErrorFloor(r, v, P);
      // ~100 pixels where f·P dominates σ: the ML estimate's relative error is ~1/√(2·100) ≈ 7 %.
      expect(Math.abs(fit.f / fTrue - 1)).toBeLessThan(0.25);
      expect(fit.atBound).toBe(false);
      expect(fit.deviance).toBeLessThan(fit.devianceNoFloor);
      // It is a minimum: nearby f do worse.
      expect(floorDeviance(r, v, P, fit.f * 1.1)).toBeGreaterThan(fit.deviance);
      expect(floorDeviance(r, v, P, fit.f / 1.1)).toBeGreaterThan(fit.deviance);
    });
  }

  it('asks for no floor (f at the lower bound) when the residuals are pure pixel noise', () => {
    const { P, v } = stamp();
    const rng = new Rng(11, 0);
    const r = Float64Array.from(v, (x) => rng.normal() * Math.sqrt(x));
    const fit = fitPointErrorFloor(r, v, P);
    // f·P_max = 1e5 f must stay well below σ = 20 e⁻ for the likelihood to prefer it.
    expect(fit.f * 1e5).toBeLessThan(20);
  });
});
