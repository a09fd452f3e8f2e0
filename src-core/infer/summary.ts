// Posterior summaries over several chains: mean, sd, quantiles, R̂ and ESS per parameter, and the
// sampler checks (divergences, tree-depth saturation, E-BFMI) the reference page asks to report.
import { ebfmi, essBulk, essMean, essTail, rhat } from './diagnostics';
import { quantileSorted as quantile } from '../math/quantile';
import type { ChainResult } from './sample';

export interface ParameterSummary {
  name: string;
  mean: number;
  sd: number;
  /** Monte-Carlo standard error of the mean, sd / √ESS_mean. */
  mcseMean: number;
  q2_5: number;
  q16: number;
  q50: number;
  q84: number;
  q97_5: number;
  rhat: number;
  rhatBulk: number;
  rhatTail: number;
  essBulk: number;
  essTail: number;
}

export interface SamplerReport {
  chains: number;
  drawsPerChain: number;
  divergences: number;
  warmupDivergences: number;
  /** Transitions that hit the maximum tree depth. */
  treeDepthSaturated: number;
  ebfmi: number[];
  stepSize: number[];
  meanAcceptProb: number;
  gradientEvals: number;
}

/** Draws of parameter `index` as one array per chain. */
export function parameterChains(results: ChainResult[], index: number): Float64Array[] {
  return results.map((r) => {
    const out = new Float64Array(r.nSamples);
    for (let i = 0; i < r.nSamples; i++) out[i] = r.draws[i * r.dim + index]!;
    return out;
  });
}

export function summariseParameter(name: string, chains: Float64Array[]): ParameterSummary {
  const all = new Float64Array(chains.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chains) {
    all.set(c, o);
    o += c.length;
  }
  let m = 0;
  for (const v of all) m += v;
  m /= all.length;
  let v2 = 0;
  for (const v of all) v2 += (v - m) ** 2;
  const sd = Math.sqrt(v2 / (all.length - 1));
  const sorted = all.slice().sort();
  const r = rhat(chains);
  return {
    name,
    mean: m,
    sd,
    mcseMean: sd / Math.sqrt(essMean(chains)),
    q2_5: quantile(sorted, 0.025),
    q16: quantile(sorted, 0.16),
    q50: quantile(sorted, 0.5),
    q84: quantile(sorted, 0.84),
    q97_5: quantile(sorted, 0.975),
    rhat: r.rhat,
    rhatBulk: r.bulk,
    rhatTail: r.tail,
    essBulk: essBulk(chains),
    essTail: essTail(chains),
  };
}

export function summarise(results: ChainResult[], names?: string[]): ParameterSummary[] {
  const dim = results[0]!.dim;
  return Array.from({ length: dim }, (_, i) => summariseParameter(names?.[i] ?? `x${i}`, parameterChains(results, i)));
}

export function samplerReport(results: ChainResult[]): SamplerReport {
  let div = 0;
  let sat = 0;
  let acc = 0;
  let n = 0;
  let evals = 0;
  for (const r of results) {
    for (let i = 0; i < r.nSamples; i++) {
      div += r.stats.divergent[i]!;
      if (r.maxDepth > 0 && r.stats.treeDepth[i]! >= r.maxDepth) sat++;
      acc += r.stats.acceptProb[i]!;
      n++;
    }
    evals += r.gradientEvals.warmup + r.gradientEvals.sampling;
  }
  return {
    chains: results.length,
    drawsPerChain: results[0]?.nSamples ?? 0,
    divergences: div,
    warmupDivergences: results.reduce((a, r) => a + r.warmupDivergences, 0),
    treeDepthSaturated: sat,
    ebfmi: results.map((r) => ebfmi(r.stats.energy)),
    stepSize: results.map((r) => r.stepSize),
    meanAcceptProb: acc / n,
    gradientEvals: evals,
  };
}
