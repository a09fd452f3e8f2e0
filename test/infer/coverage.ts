// Interval coverage of posteriors against known truths (the calibration check of the lens fit,
// shared/reference/inference.md and issue 8 "Correct means"): how often the central 68 % and 95 %
// intervals contain the true value, with an exact two-sided binomial test of the nominal rate; and the
// bias and scatter of a point estimate. Pure; used by bench/lens-calibration.ts.
import { lgamma } from '../../src-core/rng';
import { quantileSorted } from '../../src-core/math/quantile';

export interface IntervalRecord {
  truth: number;
  q2_5: number;
  q16: number;
  q84: number;
  q97_5: number;
  mean: number;
  sd: number;
}

export interface CoverageRow {
  n: number;
  in68: number;
  in95: number;
  rate68: number;
  rate95: number;
  /** Exact two-sided binomial p-values of in68 ~ Bin(n, 0.6827) and in95 ~ Bin(n, 0.9545). */
  p68: number;
  p95: number;
  /** mean(estimate − truth), sd(estimate − truth), and sd of z = (mean − truth)/sd (≈ 1 when calibrated). */
  bias: number;
  scatter: number;
  zSd: number;
}

/** Nominal contents of the [16, 84] and [2.5, 97.5] percentile intervals of a normal law. */
export const P68 = 0.6826894921370859;
export const P95 = 0.95;

function logBinom(k: number, n: number, p: number): number {
  return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/**
 * Exact two-sided binomial test (as scipy.stats.binomtest, alternative 'two-sided'): the total probability
 * of outcomes no more likely than the observed k, with a relative tolerance 1e-7 on the comparison.
 */
export function binomialTwoSidedP(k: number, n: number, p: number): number {
  if (n === 0) return 1;
  const lk = logBinom(k, n, p);
  let total = 0;
  for (let j = 0; j <= n; j++) {
    const lj = logBinom(j, n, p);
    if (lj <= lk + 1e-7) total += Math.exp(lj);
  }
  return Math.min(1, total);
}

export function coverage(records: IntervalRecord[]): CoverageRow {
  const n = records.length;
  const in68 = records.filter((r) => r.q16 <= r.truth && r.truth <= r.q84).length;
  const in95 = records.filter((r) => r.q2_5 <= r.truth && r.truth <= r.q97_5).length;
  const d = records.map((r) => r.mean - r.truth);
  const z = records.map((r) => (r.mean - r.truth) / r.sd);
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  const sd = (a: number[]) => {
    const m = mean(a);
    return Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(a.length - 1, 1));
  };
  return {
    n, in68, in95, rate68: in68 / n, rate95: in95 / n,
    p68: binomialTwoSidedP(in68, n, P68), p95: binomialTwoSidedP(in95, n, P95),
    bias: mean(d), scatter: sd(d), zSd: Math.sqrt(mean(z.map((x) => x * x))),
  };
}


/** IntervalRecord of draws of one quantity against its truth. */
export function intervalOf(draws: ArrayLike<number>, truth: number): IntervalRecord {
  const s = Float64Array.from(draws).sort();
  let m = 0;
  for (const v of s) m += v;
  m /= s.length;
  let v2 = 0;
  for (const v of s) v2 += (v - m) ** 2;
  return {
    truth, mean: m, sd: Math.sqrt(v2 / (s.length - 1)),
    q2_5: quantileSorted(s, 0.025), q16: quantileSorted(s, 0.16), q84: quantileSorted(s, 0.84), q97_5: quantileSorted(s, 0.975),
  };
}
