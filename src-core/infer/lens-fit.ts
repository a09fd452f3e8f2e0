// The lens fit as pure steps, so that src-main can run the chains in worker threads:
//   planLensFit   MAP (multi-start LM) + Laplace scales → dispersed starts and an initial metric
//   runLensChain  warm-up + NUTS for one chain (u-space draws)
//   reportLensFit draws mapped to physical parameters, summaries, R̂/ESS, sampler checks.
import { Rng } from '../rng';
import { makeKernel, type PsfSpec } from '../lens/psf';
import { LENS_PARAM_NAMES, LensModel, N_LENS_PARAMS } from './lens-model';
import { LensPosterior, preconditioned, toPhysical } from './lens-posterior';
import { choleskyOrNull } from './linalg';
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
  /** Preconditioning u = centre + L z (MAP in unconstrained coordinates, Cholesky factor of the Laplace
   * covariance there, row-major); chains sample z. Identity L when the Laplace Hessian is not usable. */
  centre: number[];
  scaleTril: number[];
  /** One start per chain in z (≈ 1 Laplace sd around the MAP) and the initial inverse metric in z. */
  inits: number[][];
  inverseMassDiag: number[];
}

/** A MAP found earlier (planLensFit's own search, or another model that shares the MAP). */
export interface KnownMap {
  theta: Float64Array;
  chi2: number;
  evaluations: number;
  startChi2: number[];
}

export function planLensFit(
  model: LensModel,
  o: {
    seed: number; chains: number; nDraws?: number; nStarts?: number; maxEvals?: number; refineBest?: number; refineEvals?: number;
    retries?: number; retryAboveChi2PerPixel?: number;
    /** Skip the MAP search and plan around this one (the variance-inflated refit of a misspecified cutout). */
    knownMap?: KnownMap;
  },
): LensFitPlan {
  const post = new LensPosterior(model);
  const rng = new Rng(o.seed, 0x3a9);
  let map: KnownMap = o.knownMap ?? post.findMap(rng, { maxEvals: 400, ...o });
  // A MAP far above χ²/pixel ≈ 1 means every start stalled in a wrong basin (seen on ~1 in 20 simulated bright
  // lenses); the chains would then start in it and R̂ explodes. Retry with fresh draws (up to `retries` rounds).
  // A retry that lands within 1 % of the same χ² found the same optimum again: the cutout itself is not
  // described by the model (knots, a lens light of another shape, a neighbour), and further rounds would only
  // cost time (minutes on bright survey stamps).
  const npix = model.data.bands * model.npix;
  for (let k = 0; !o.knownMap && k < (o.retries ?? 2) && map.chi2 > (o.retryAboveChi2PerPixel ?? 2) * npix; k++) {
    const again = post.findMap(rng, { maxEvals: 400, ...o });
    const evaluations = map.evaluations + again.evaluations;
    const startChi2 = [...map.startChi2, ...again.startChi2];
    const same = Math.abs(again.chi2 - map.chi2) < 0.01 * map.chi2;
    map = again.chi2 < map.chi2 ? { ...again, evaluations, startChi2 } : { ...map, evaluations, startChi2 };
    if (same) break;
  }
  const lap = post.laplace(map.theta);
  const n = N_LENS_PARAMS;
  let L = lap.covU ? choleskyOrNull(lap.covU, n) : null;
  if (!L) {
    L = new Float64Array(n * n);
    for (let i = 0; i < n; i++) L[i * n + i] = Math.min(Math.sqrt(lap.inverseMassDiag[i]!), 0.3);
  }
  // Dispersed starts: about one Laplace sd around the MAP, per chain.
  const inits = Array.from({ length: o.chains }, () => Array.from({ length: n }, () => rng.normal()));
  return {
    mapTheta: Array.from(map.theta),
    mapChi2: map.chi2,
    startChi2: map.startChi2,
    mapEvaluations: map.evaluations,
    laplaceSd: Array.from(lap.sdTheta),
    centre: Array.from(lap.u),
    scaleTril: Array.from(L),
    inits,
    inverseMassDiag: new Array(n).fill(1),
  };
}

/** Where a chain stopped: a continuation round starts here with warm-up's step size and metric frozen. */
export interface ChainContinuation {
  /** Last draw (z coordinates). */
  position: number[];
  stepSize: number;
  inverseMassDiag: number[];
  /** Round number ≥ 1: selects the random stream (seed, chain + round · CONTINUATION_STREAM_STRIDE). */
  round: number;
}
const CONTINUATION_STREAM_STRIDE = 4096;

export function runLensChain(
  model: LensModel,
  plan: LensFitPlan,
  o: {
    chain: number; seed: number; nWarmup: number; nSamples: number; maxDepth?: number; continueFrom?: ChainContinuation;
    onProgress?: (done: number, total: number) => void; signal?: { aborted: boolean };
  },
): ChainResult {
  const post = new LensPosterior(model);
  const pre = preconditioned(post.logDensityAndGrad, plan.centre, plan.scaleTril);
  const c = o.continueFrom;
  return sample({
    logDensity: pre.logDensityAndGrad,
    init: Float64Array.from(c ? c.position : plan.inits[o.chain]!),
    inverseMassDiag: Float64Array.from(c ? c.inverseMassDiag : plan.inverseMassDiag),
    ...(c ? { adapt: false, stepSize: c.stepSize, stream: o.chain + c.round * CONTINUATION_STREAM_STRIDE } : {}),
    nWarmup: c ? 0 : o.nWarmup,
    nSamples: o.nSamples,
    seed: o.seed,
    chain: o.chain,
    maxDepth: o.maxDepth,
    onProgress: o.onProgress,
    progressEvery: 10,
    signal: o.signal,
  });
}

/** The state to continue a chain from (its last draw, adapted step size and metric). */
export function continuationOf(r: ChainResult, round: number): ChainContinuation {
  return {
    position: Array.from(r.draws.subarray((r.nSamples - 1) * r.dim, r.nSamples * r.dim)),
    stepSize: r.stepSize,
    inverseMassDiag: Array.from(r.inverseMassDiag),
    round,
  };
}

/** One chain's draws and statistics followed by those of its continuation. */
export function appendChain(a: ChainResult, b: ChainResult): ChainResult {
  const cat = <T extends Float64Array | Int32Array | Uint8Array>(x: T, y: T): T => {
    const out = new (x.constructor as new (n: number) => T)(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    ...a,
    nSamples: a.nSamples + b.nSamples,
    draws: cat(a.draws, b.draws),
    stats: {
      acceptProb: cat(a.stats.acceptProb, b.stats.acceptProb),
      divergent: cat(a.stats.divergent, b.stats.divergent),
      energy: cat(a.stats.energy, b.stats.energy),
      nSteps: cat(a.stats.nSteps, b.stats.nSteps),
      treeDepth: cat(a.stats.treeDepth, b.stats.treeDepth),
      logDensity: cat(a.stats.logDensity, b.stats.logDensity),
    },
    gradientEvals: { warmup: a.gradientEvals.warmup, sampling: a.gradientEvals.sampling + b.gradientEvals.sampling },
  };
}

/** Copies of the chains with draws mapped from z (u = centre + L z) to physical parameters. */
export function toPhysicalChains(results: ChainResult[], plan: LensFitPlan): ChainResult[] {
  const t = new Float64Array(N_LENS_PARAMS);
  const u = new Float64Array(N_LENS_PARAMS);
  const pre = preconditioned(() => 0, plan.centre, plan.scaleTril);
  return results.map((r) => {
    const draws = new Float64Array(r.draws.length);
    for (let i = 0; i < r.nSamples; i++) {
      pre.toU(r.draws.subarray(i * r.dim, (i + 1) * r.dim), u);
      toPhysical(u, t);
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

export function reportLensFit(results: ChainResult[], plan: LensFitPlan): LensFitReport {
  const phys = toPhysicalChains(results, plan);
  const params = summarise(phys, [...LENS_PARAM_NAMES]);
  return {
    params,
    rhatMax: Math.max(...params.map((p) => p.rhat)),
    essBulkMin: Math.min(...params.map((p) => p.essBulk)),
    essTailMin: Math.min(...params.map((p) => p.essTail)),
    sampler: samplerReport(results),
  };
}

/** Plain-data description of a cutout to fit (crosses worker boundaries by structured clone). */
export interface LensFitInput {
  bands: string[];
  size: number;
  pixelScale: number;
  /** bands × size × size, e⁻ and e⁻². */
  image: Float64Array;
  variance: Float64Array;
  psf: PsfSpec[];
  supersample?: number;
  /** Pixel integration: the simulator's grid (default) or the peer's uniform grid (see LensModelOptions). */
  grid?: 'simulator' | 'uniform';
}

export function lensModelFromInput(input: LensFitInput): LensModel {
  const psf = input.psf.map((s) => makeKernel(s, input.pixelScale));
  return new LensModel(
    { bands: input.bands.length, size: input.size, pixelScale: input.pixelScale, image: input.image, variance: input.variance, psf },
    { supersample: input.supersample, grid: input.grid },
  );
}
