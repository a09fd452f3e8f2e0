// Do two samplers agree on a posterior? Per parameter: the difference of the two posterior means and of the
// two posterior standard deviations in units of their combined Monte-Carlo standard errors (issue 8:
// "means and standard deviations agree within Monte-Carlo error").
// MCSE of a mean: sd / √ESS_mean (split chains, Vehtari et al. 2021, as summary.ts).
// MCSE of an sd (delta method): the variance estimate is the mean of s = (x − x̄)², whose MCSE is
// sd(s) / √ESS_mean(s); then se(sd) = se(var) / (2 sd). Both use the chains' own autocorrelation.
import { essBulk, essMean, type Chains } from '../../src-core/infer/diagnostics';

export interface MomentEstimate {
  mean: number;
  sd: number;
  mcseMean: number;
  mcseSd: number;
  /** ESS of the mean (split chains, no ranks) and bulk-ESS (rank-normalised). */
  essMean: number;
  essBulk: number;
}

export interface MomentComparison {
  name: string;
  a: MomentEstimate;
  b: MomentEstimate;
  /** (mean_a − mean_b) / √(mcse_a² + mcse_b²), and the same for the sds. */
  zMean: number;
  zSd: number;
}

function pooledMean(chains: Chains): number {
  let s = 0, n = 0;
  for (const c of chains) for (let i = 0; i < c.length; i++) { s += c[i]!; n++; }
  return s / n;
}

export function momentEstimate(chains: Chains): MomentEstimate {
  const m = pooledMean(chains);
  const sq = chains.map((c) => Float64Array.from(c as ArrayLike<number>, (v) => (v - m) ** 2));
  const n = sq.reduce((a, c) => a + c.length, 0);
  const v = pooledMean(sq) * (n / (n - 1));
  const sd = Math.sqrt(v);
  const mv = pooledMean(sq);
  let ss = 0;
  for (const c of sq) for (const x of c) ss += (x - mv) ** 2;
  const sdSq = Math.sqrt(ss / (n - 1));
  const eM = essMean(chains);
  const eS = essMean(sq);
  return { mean: m, sd, mcseMean: sd / Math.sqrt(eM), mcseSd: sdSq / Math.sqrt(eS) / (2 * sd), essMean: eM, essBulk: essBulk(chains) };
}

export function compareMoments(name: string, a: Chains, b: Chains): MomentComparison {
  const ea = momentEstimate(a), eb = momentEstimate(b);
  return {
    name, a: ea, b: eb,
    zMean: (ea.mean - eb.mean) / Math.hypot(ea.mcseMean, eb.mcseMean),
    zSd: (ea.sd - eb.sd) / Math.hypot(ea.mcseSd, eb.mcseSd),
  };
}
