// The lens fit as pure steps, so that src-main can run the chains in worker threads:
//   planLensFit   MAP (multi-start LM) + Laplace scales → dispersed starts and an initial metric
//   runLensChain  warm-up + NUTS for one chain (u-space draws)
//   reportLensFit draws mapped to physical parameters, summaries, R̂/ESS, sampler checks.
import { Rng } from '../rng';
import { LENS_PARAM_NAMES, N_LENS_PARAMS, type LensModel } from './lens-model';
import { LensPosterior, toPhysical } from './lens-posterior';
import { sample, type ChainResult } from './sample';
import { samplerReport, summarise, type ParameterSummary, type SamplerReport } from './summary';

export interface LensFitPlan {
  /** MAP in physical parameters and its χ² (amplitudes profiled). */
  mapTheta: number[];
  mapChi2: number;
  startChi2: number[];
  mapEvaluations: number;
  /** Laplace standard deviations at the MAP (physical units). */
  laplaceSd: number[];
  /** One start per chain (unconstrained coordinates) and the shared initial inverse metric. */
  inits: number[][];
  inverseMassDiag: number[];
}

export function planLensFit(
  model: LensModel,
  o: { seed: number; chains: number; nDraws?: number; nStarts?: number; maxEvals?: number },
): LensFitPlan {
  const post = new LensPosterior(model);
  const rng = new Rng(o.seed, 0x3a9);
  const map = post.findMap(rng, o);
  const lap = post.laplace(map.theta);
  // Dispersed starts: MAP + 1 Laplace sd in unconstrained coordinates per chain (at most 0.3: where the
  // data barely constrain a parameter the Laplace sd is huge and would throw chains onto the prior edges).
  const inits = Array.from({ length: o.chains }, () =>
    Array.from(lap.u, (v, i) => v + Math.min(Math.sqrt(lap.inverseMassDiag[i]!), 0.3) * rng.normal()),
  );
  return {
    mapTheta: Array.from(map.theta),
    mapChi2: map.chi2,
    startChi2: map.startChi2,
    mapEvaluations: map.evaluations,
    laplaceSd: Array.from(lap.sdTheta),
    inits,
    inverseMassDiag: Array.from(lap.inverseMassDiag),
  };
}

export function runLensChain(
  model: LensModel,
  plan: LensFitPlan,
  o: { chain: number; seed: number; nWarmup: number; nSamples: number; maxDepth?: number; onProgress?: (done: number, total: number) => void; signal?: { aborted: boolean } },
): ChainResult {
  const post = new LensPosterior(model);
  return sample({
    logDensity: post.logDensityAndGrad,
    init: Float64Array.from(plan.inits[o.chain]!),
    inverseMassDiag: Float64Array.from(plan.inverseMassDiag),
    nWarmup: o.nWarmup,
    nSamples: o.nSamples,
    seed: o.seed,
    chain: o.chain,
    maxDepth: o.maxDepth,
    onProgress: o.onProgress,
    progressEvery: 10,
    signal: o.signal,
  });
}

/** Copies of the chains with draws mapped from unconstrained to physical parameters. */
export function toPhysicalChains(results: ChainResult[]): ChainResult[] {
  const t = new Float64Array(N_LENS_PARAMS);
  return results.map((r) => {
    const draws = new Float64Array(r.draws.length);
    for (let i = 0; i < r.nSamples; i++) {
      toPhysical(r.draws.subarray(i * r.dim, (i + 1) * r.dim), t);
      draws.set(t, i * r.dim);
    }
    return { ...r, draws };
  });
}

export interface LensFitReport {
  params: ParameterSummary[];
  /** Largest R̂ over parameters and smallest bulk / tail ESS. */
  rhatMax: number;
  essBulkMin: number;
  essTailMin: number;
  sampler: SamplerReport;
}

export function reportLensFit(results: ChainResult[]): LensFitReport {
  const phys = toPhysicalChains(results);
  const params = summarise(phys, [...LENS_PARAM_NAMES]);
  return {
    params,
    rhatMax: Math.max(...params.map((p) => p.rhat)),
    essBulkMin: Math.min(...params.map((p) => p.essBulk)),
    essTailMin: Math.min(...params.map((p) => p.essTail)),
    sampler: samplerReport(results),
  };
}
