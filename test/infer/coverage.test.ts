// The calibration machinery itself (bench/lens-calibration.ts uses it): exact binomial p-values against
// values computed by hand / scipy.stats.binomtest, and coverage of exact conjugate-normal posteriors
// (truth μ ~ N(0, 1), y ~ N(μ, 1), posterior N(y/2, 1/2)) is consistent with 68 % / 95 %, while a posterior
// that is too narrow by 2× is rejected: the same test the lens calibration applies.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src-core/rng';
import { quantileSorted as percentileSorted } from '../../src-core/math/quantile';
import { binomialTwoSidedP, coverage, intervalOf, P68 } from './coverage';

describe('coverage machinery', () => {
  it('binomial two-sided p-values', () => {
    expect(binomialTwoSidedP(0, 10, 0.5)).toBeCloseTo(2 / 1024, 12); // both tails of the symmetric case
    expect(binomialTwoSidedP(3, 10, 0.5)).toBeCloseTo(352 / 1024, 12); // scipy binomtest(3, 10): 0.34375
    expect(binomialTwoSidedP(5, 10, 0.5)).toBeCloseTo(1, 12);
    // Asymmetric: binomtest(90, 100, 0.95) = 0.03665 (P(X ≤ 90) + P(X ≥ k) for all k with P ≤ P(90)).
    let direct = 0;
    const pmf = (k: number) => Math.exp(lgammaSum(100, k) + k * Math.log(0.95) + (100 - k) * Math.log(0.05));
    const p90 = pmf(90);
    for (let k = 0; k <= 100; k++) if (pmf(k) <= p90 * (1 + 1e-7)) direct += pmf(k);
    expect(binomialTwoSidedP(90, 100, 0.95)).toBeCloseTo(direct, 10);
    expect(direct).toBeGreaterThan(0.03);
    expect(direct).toBeLessThan(0.045);
  });

  it('percentiles interpolate as numpy (type 7)', () => {
    const s = [1, 2, 3, 4];
    expect(percentileSorted(s, 0.5)).toBe(2.5);
    expect(percentileSorted(s, 0.16)).toBeCloseTo(1.48, 12);
  });

  const run = (widthFactor: number, n = 400, draws = 400) => {
    const rng = new Rng(11, 3);
    const recs = [];
    for (let r = 0; r < n; r++) {
      const mu = rng.normal();
      const y = mu + rng.normal();
      const sd = Math.sqrt(0.5) * widthFactor;
      recs.push(intervalOf(Array.from({ length: draws }, () => y / 2 + sd * rng.normal()), mu));
    }
    return coverage(recs);
  };

  it('exact posteriors cover at the nominal rates; a 2× too narrow one is rejected', () => {
    const ok = run(1);
    expect(ok.p68).toBeGreaterThan(0.001);
    expect(ok.p95).toBeGreaterThan(0.001);
    expect(Math.abs(ok.rate68 - P68)).toBeLessThan(0.08);
    expect(ok.zSd).toBeGreaterThan(0.85);
    expect(ok.zSd).toBeLessThan(1.15);
    expect(Math.abs(ok.bias)).toBeLessThan(0.15); // sd of (mean − truth) is √0.5 / √400 ≈ 0.035 in the mean
    expect(ok.scatter).toBeCloseTo(Math.sqrt(0.5), 1);
    const narrow = run(0.5);
    expect(narrow.p68).toBeLessThan(1e-6);
    expect(narrow.p95).toBeLessThan(1e-6);
    expect(narrow.zSd).toBeGreaterThan(1.7);
  });
});

function lgammaSum(n: number, k: number): number {
  // log C(n, k) by direct sums (independent of rng.ts lgamma).
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}
