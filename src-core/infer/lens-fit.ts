// The lens fit as pure steps, so that src-main can run the chains in worker threads:
//   planLensFit   MAP (multi-start LM) + Laplace scales → dispersed starts and an initial metric
//   runLensChain  warm-up + NUTS for one chain (u-space draws)
//   reportLensFit draws mapped to physical parameters, summaries, R̂/ESS, sampler checks.
import { Rng } from '../rng';
import { makeKernel, type PsfSpec } from '../lens/psf';
import { LENS12_SPEC, LensModel } from './lens-model';
import { ExtLensModel } from './lens-model-ext';
import type { FitModel, ParamSpec } from './param-spec';
import { LensPosterior, preconditioned, toPhysical, toUnconstrained } from './lens-posterior';
import { choleskyOrNull } from './linalg';
import { hessianMetric } from './hessian-metric';
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
  /** One start per chain in z and the initial inverse metric in z. The starts are overdispersed: drawn from
   * the Laplace approximation inflated `overdispersion` times around the MAP or around another local optimum
   * of the search (see `modes`), so that R̂ compares chains that began apart (Vehtari et al. 2021 §4). */
  inits: number[][];
  inverseMassDiag: number[];
  /** Local optima of the MAP search within `MODE_WINDOW_CHI2` of the best and more than 3 Laplace σ from
   * every other one (the MAP first): the search's starts disagree when there is more than one. */
  modes: { theta: number[]; chi2: number }[];
  /** Whether the last of the MAP search's retries still improved χ² (the optimum is then unconfirmed). */
  mapUnsettled: boolean;
  /** Set when `stopWhen` (a time budget) cut the MAP search short: the MAP is the best start so far, unpolished. */
  mapStopped?: boolean;
  /** Where scaleTril came from: the Gauss–Newton Laplace approximation, or (option `hessianMetric`) the
   * Hessian of the log posterior by differences of its analytic gradient (hessian-metric.ts), or (after a first
   * round that did not converge) the mean and covariance of the chains' draws (`replanFromDraws`). */
  metric?: 'gauss-newton' | 'hessian' | 'draws';
}

/** A MAP found earlier (planLensFit's own search, or another model that shares the MAP). */
export interface KnownMap {
  theta: Float64Array;
  chi2: number;
  evaluations: number;
  startChi2: number[];
  /** Other local optima to start chains from (physical θ, χ² in the same model's units). */
  runs?: { theta: Float64Array; chi2: number }[];
  mapUnsettled?: boolean;
}

/** Δχ² above the best within which another local optimum is a plausible part of the posterior: the 0.999
 * quantile of χ²₁₂ (32.9), i.e. the region the chains would visit if the optima were one basin. */
export const MODE_WINDOW_CHI2 = 32.9;
/** Chain starts: z ~ N(base, OVERDISPERSION² I) in Laplace units (a 2× inflated Laplace approximation). */
export const OVERDISPERSION = 2;

export function planLensFit(
  model: FitModel,
  o: {
    seed: number; chains: number; nDraws?: number; nStarts?: number; maxEvals?: number; refineBest?: number; refineEvals?: number;
    retries?: number; retryAboveZ?: number;
    /** Skip the MAP search and plan around this one (the variance-inflated refit of a misspecified cutout,
     * or a re-optimisation from a posterior draw below the MAP). */
    knownMap?: KnownMap;
    overdispersion?: number;
    /** Checked during the MAP search (a time budget): when true the search returns its best start so far. */
    stopWhen?: () => boolean;
    /** Extra MAP starts (physical θ), e.g. from the quasar images' positions (image-positions.ts). */
    starts?: ArrayLike<number>[];
    polish?: { rounds?: number; maxEvals?: number };
    /** Refine the preconditioning with the Hessian from the model's analytic gradient (hessian-metric.ts): for
     * posteriors whose Gauss–Newton scale is wrong (bright point sources); 2n extra gradients. */
    hessianMetric?: boolean;
  },
): LensFitPlan {
  const post = new LensPosterior(model);
  const rng = new Rng(o.seed, 0x3a9);
  const found = o.knownMap ? null : post.findMap(rng, { maxEvals: 400, ...o });
  let map: KnownMap = o.knownMap ?? found!;
  const mapStopped = !!found?.stopped;
  // A MAP far above its expectation (χ² ≈ N − p ± √(2N) for a well-specified model) means either that every
  // start stalled in a wrong basin or that the model cannot describe the cutout. Retry with fresh draws
  // (up to `retries` rounds). A retry that lands within 1 % of the same χ² found the same optimum again: the
  // cutout itself is not described by the model (knots, a lens light of another shape, a neighbour), and
  // further rounds would only cost time. A last retry that still improved leaves the optimum unconfirmed.
  let mapUnsettled = map.mapUnsettled ?? false;
  for (let k = 0; !o.knownMap && !mapStopped && k < (o.retries ?? 2) && !o.stopWhen?.() && chi2ExcessZ(map.chi2, model) > (o.retryAboveZ ?? 5); k++) {
    const again = post.findMap(rng, { maxEvals: 400, ...o });
    const evaluations = map.evaluations + again.evaluations;
    const startChi2 = [...map.startChi2, ...again.startChi2];
    const runs = [...(map.runs ?? []), ...(again.runs ?? [])].sort((p, q) => p.chi2 - q.chi2);
    const same = Math.abs(again.chi2 - map.chi2) < 0.01 * map.chi2;
    mapUnsettled = again.chi2 < map.chi2 - 1 && !same;
    map = again.chi2 < map.chi2 ? { ...again, evaluations, startChi2, runs } : { ...map, evaluations, startChi2, runs };
    if (same) break;
  }
  const lap = post.laplace(map.theta);
  const spec = model.spec;
  const n = spec.names.length;
  let L = lap.covU ? choleskyOrNull(lap.covU, n) : null;
  if (!L) {
    L = new Float64Array(n * n);
    for (let i = 0; i < n; i++) L[i * n + i] = Math.min(Math.sqrt(lap.inverseMassDiag[i]!), 0.3);
  }
  let metric: LensFitPlan['metric'] = 'gauss-newton';
  if (o.hessianMetric && model.chi2AndGradient) {
    const hm = hessianMetric(post.logDensityAndGrad, lap.u, L);
    if (hm) {
      L = hm.scaleTril;
      metric = 'hessian';
    }
  }
  // Other local optima in z (Laplace units about the MAP); keep those within the χ² window that lie more
  // than 3 σ from every one kept so far: they are the search's disagreeing starts.
  const modes: { theta: number[]; chi2: number; z: Float64Array }[] = [{ theta: Array.from(map.theta), chi2: map.chi2, z: new Float64Array(n) }];
  const u = new Float64Array(n);
  for (const r of map.runs ?? []) {
    if (!(r.chi2 <= map.chi2 + MODE_WINDOW_CHI2) || !Number.isFinite(r.chi2)) continue;
    toUnconstrained(r.theta, u, spec);
    const zr = solveLower(L, n, u.map((v, i) => v - lap.u[i]!));
    if (!zr.every(Number.isFinite)) continue;
    if (modes.every((m) => Math.hypot(...zr.map((v, i) => v - m.z[i]!)) > 3)) modes.push({ theta: Array.from(r.theta), chi2: r.chi2, z: zr });
  }
  // Overdispersed starts (Vehtari et al. 2021; Stan draws inits uniformly on (−2, 2) in unconstrained space):
  // chain c starts from mode c mod M plus a draw of the 2×-inflated Laplace approximation.
  const s = o.overdispersion ?? OVERDISPERSION;
  const inits = Array.from({ length: o.chains }, (_, c) => {
    const base = modes[c % modes.length]!.z;
    return Array.from({ length: n }, (_, i) => base[i]! + s * rng.normal());
  });
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
    modes: modes.map((m) => ({ theta: m.theta, chi2: m.chi2 })),
    mapUnsettled,
    ...(mapStopped ? { mapStopped } : {}),
    metric,
  };
}

/** Number of data points and free parameters of a fit: 12 non-linear + 2 amplitudes per band. */
export function chi2Expectation(model: FitModel): { n: number; p: number; mean: number; sd: number } {
  // Pixels with no weight (masked, NaN, no noise information) are not data.
  let nData = 0;
  for (const w of model.weights) if (w > 0) nData++;
  const p = model.spec.names.length + model.nLinear;
  return { n: nData, p, mean: nData - p, sd: Math.sqrt(2 * (nData - p)) };
}

/** (χ² − (N − p)) / √(2(N − p)): how far a best fit's χ² lies above what a well-specified model gives. */
export function chi2ExcessZ(chi2: number, model: FitModel): number {
  const e = chi2Expectation(model);
  return (chi2 - e.mean) / e.sd;
}

/** Solves L x = b for lower-triangular L (row-major). */
function solveLower(L: ArrayLike<number>, n: number, b: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}

/** Where a chain stopped: a continuation round starts here with warm-up's step size and metric frozen. */
export interface ChainContinuation {
  /** Last draw (z coordinates). */
  position: number[];
  stepSize: number;
  inverseMassDiag: number[];
  /** Round number ≥ 1: selects the random stream (seed, chain + round · CONTINUATION_STREAM_STRIDE). */
  round: number;
  /** Start a fresh warm-up (step size and diagonal metric adapted again) from `position` instead of continuing
   * with them frozen: for a round under a new preconditioning (`replanFromDraws`), whose draws start a new chain. */
  readapt?: boolean;
}
const CONTINUATION_STREAM_STRIDE = 4096;

export function runLensChain(
  model: FitModel,
  plan: LensFitPlan,
  o: {
    chain: number; seed: number; nWarmup: number; nSamples: number; maxDepth?: number; continueFrom?: ChainContinuation;
    onProgress?: (done: number, total: number) => void; signal?: { aborted: boolean };
    /** Wall-clock time (ms since the epoch, Date.now) at which the chain stops and returns what it has. */
    deadline?: number;
  },
): ChainResult {
  const post = new LensPosterior(model);
  const pre = preconditioned(post.logDensityAndGrad, plan.centre, plan.scaleTril);
  const c = o.continueFrom;
  return sample({
    logDensity: pre.logDensityAndGrad,
    init: Float64Array.from(c ? c.position : plan.inits[o.chain]!),
    inverseMassDiag: Float64Array.from(c ? c.inverseMassDiag : plan.inverseMassDiag),
    ...(c ? { stream: o.chain + c.round * CONTINUATION_STREAM_STRIDE } : {}),
    ...(c && !c.readapt ? { adapt: false, stepSize: c.stepSize } : {}),
    nWarmup: c && !c.readapt ? 0 : o.nWarmup,
    nSamples: o.nSamples,
    seed: o.seed,
    chain: o.chain,
    maxDepth: o.maxDepth,
    onProgress: o.onProgress,
    progressEvery: 10,
    signal: o.signal,
    ...(o.deadline !== undefined ? { stopWhen: () => Date.now() >= o.deadline! } : {}),
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

/** Draws needed per parameter before their covariance replaces the MAP's Laplace/Hessian scale. */
export const REPLAN_MIN_DRAWS_PER_PARAM = 20;

/**
 * A plan whose preconditioning is the chains' own posterior mean and covariance, and each chain's last draw in
 * its coordinates (the starts of a re-adapted round). This is Stan's dense-metric adaptation from a warm-up
 * window, done once after the first round of draws when that round did not converge: the Laplace or Hessian
 * scale at the MAP describes the curvature at the mode, and for skewed, strongly correlated nuisance pairs (a
 * Sérsic r_e with its n) the posterior is far wider along some directions than that curvature says. Those
 * directions then need long trajectories and mix at ~0.1 effective draws per draw (HE0435-1223's source and
 * lens-light r_e and n: docs/real-skies.md). In the new coordinates the pooled draws have unit covariance.
 * The covariance is taken in z (where it is ≈ I when the old scale was right) and shrunk towards 10⁻³ I with
 * Stan's weights n/(n + 5) and 5/(n + 5). The draws that estimated it are warm-up: a chain under a metric chosen
 * from its own past is not a Markov chain across the change, so the caller discards them. Null when there are
 * fewer than REPLAN_MIN_DRAWS_PER_PARAM draws per parameter, or the covariance is not positive definite.
 */
export function replanFromDraws(plan: LensFitPlan, results: ChainResult[]): { plan: LensFitPlan; starts: number[][]; draws: number } | null {
  const n = plan.centre.length;
  let count = 0;
  const mean = new Float64Array(n);
  for (const r of results) for (let i = 0; i < r.nSamples * n; i++) mean[i % n]! += r.draws[i]!;
  for (const r of results) count += r.nSamples;
  if (count < REPLAN_MIN_DRAWS_PER_PARAM * n) return null;
  for (let j = 0; j < n; j++) mean[j]! /= count;
  const cov = new Float64Array(n * n);
  const d = new Float64Array(n);
  for (const r of results) {
    for (let t = 0; t < r.nSamples; t++) {
      for (let j = 0; j < n; j++) d[j] = r.draws[t * n + j]! - mean[j]!;
      for (let a = 0; a < n; a++) for (let b = 0; b <= a; b++) cov[a * n + b]! += d[a]! * d[b]!;
    }
  }
  const w = count / (count + 5), shrink = (1e-3 * 5) / (count + 5);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b <= a; b++) {
      const v = (w * cov[a * n + b]!) / (count - 1) + (a === b ? shrink : 0);
      cov[a * n + b] = v;
      cov[b * n + a] = v;
    }
  }
  const M = choleskyOrNull(cov, n);
  if (!M || !M.every(Number.isFinite)) return null;
  // u = centre + L z and z = mean + M z': centre' = centre + L mean, L' = L M (lower × lower stays lower).
  const L = plan.scaleTril;
  const centre = plan.centre.map((c, i) => {
    let s = c;
    for (let k = 0; k <= i; k++) s += L[i * n + k]! * mean[k]!;
    return s;
  });
  const scaleTril = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = j; k <= i; k++) s += L[i * n + k]! * M[k * n + j]!;
      scaleTril[i * n + j] = s;
    }
  }
  const starts = results.map((r) => {
    const last = r.draws.subarray((r.nSamples - 1) * n, r.nSamples * n);
    return Array.from(solveLower(M, n, Array.from(last, (v, j) => v - mean[j]!)));
  });
  return { plan: { ...plan, centre, scaleTril, inverseMassDiag: new Array(n).fill(1), metric: 'draws' }, starts, draws: count };
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

/** A report of a fit that has no draws (a time budget spent before sampling): the MAP as every summary value, no
 * widths (NaN), no convergence statistics. */
export function mapOnlyReport(plan: LensFitPlan, chains: number, spec: ParamSpec = LENS12_SPEC): LensFitReport {
  const params = spec.names.map((name, i) => {
    const v = plan.mapTheta[i]!;
    return { name, mean: v, sd: NaN, mcseMean: NaN, q2_5: NaN, q16: NaN, q50: v, q84: NaN, q97_5: NaN, rhat: NaN, rhatBulk: NaN, rhatTail: NaN, essBulk: 0, essTail: 0 };
  });
  return {
    params, rhatMax: NaN, essBulkMin: 0, essTailMin: 0,
    sampler: { chains, drawsPerChain: 0, divergences: 0, warmupDivergences: 0, treeDepthSaturated: 0, ebfmi: [], stepSize: [], meanAcceptProb: NaN, gradientEvals: 0 },
  };
}

/** Copies of the chains with draws mapped from z (u = centre + L z) to physical parameters. */
export function toPhysicalChains(results: ChainResult[], plan: LensFitPlan, spec: ParamSpec = LENS12_SPEC): ChainResult[] {
  const t = new Float64Array(spec.names.length);
  const u = new Float64Array(spec.names.length);
  const pre = preconditioned(() => 0, plan.centre, plan.scaleTril);
  return results.map((r) => {
    const draws = new Float64Array(r.draws.length);
    for (let i = 0; i < r.nSamples; i++) {
      pre.toU(r.draws.subarray(i * r.dim, (i + 1) * r.dim), u);
      toPhysical(u, t, undefined, spec);
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

export function reportLensFit(results: ChainResult[], plan: LensFitPlan, spec: ParamSpec = LENS12_SPEC): LensFitReport {
  const phys = toPhysicalChains(results, plan, spec);
  const params = summarise(phys, [...spec.names]);
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
  /** `variance` is the background only (estimated, image in e⁻): the fit adds the Poisson variance of the MAP
   * model, max(model, 0) e⁻², before sampling (src-main/fit/fit-lens.ts). */
  poissonFromModel?: boolean;
  /** 'sie' (default): the 12-parameter model (lens-model.ts). 'ext': free centre, Sérsic lens light with its own
   * n, q, φ (lens-model-ext.ts); 'sie+ps': 'ext' plus the quasar's images as point sources. */
  model?: LensModelKind;
  /** 'ext' and 'sie+ps' only: add Cartesian shapelets of orders n1 + n2 ≤ this to the Sérsic source (signed linear
   * amplitudes per band, β = source r_e; shapelets.ts). Absent: the Sérsic source alone. */
  shapelets?: number;
}

export type LensModelKind = 'sie' | 'ext' | 'sie+ps';

export function lensModelFromInput(input: LensFitInput): FitModel {
  const psf = input.psf.map((s) => makeKernel(s, input.pixelScale));
  const cutout = { bands: input.bands.length, size: input.size, pixelScale: input.pixelScale, image: input.image, variance: input.variance, psf };
  const opts = { supersample: input.supersample, grid: input.grid };
  if (input.model === 'ext' || input.model === 'sie+ps') return new ExtLensModel(cutout, { ...opts, pointSources: input.model === 'sie+ps', shapelets: input.shapelets });
  if (input.shapelets !== undefined) ExtLensModel.shapeletsNeedExtended(input.model ?? 'sie');
  return new LensModel(cutout, opts);
}

/** The 12-parameter model of an input (the peer comparisons and benches use its analytic-gradient internals). */
export function lens12FromInput(input: LensFitInput): LensModel {
  const m = lensModelFromInput({ ...input, model: 'sie' });
  return m as LensModel;
}
