// One-chain driver: Stan-style windowed warm-up (step size by dual averaging, diagonal metric from
// slow windows), then nSamples NUTS (or static HMC) transitions at the adapted step size and metric.
// Pure and synchronous; callers run one chain per worker. Random numbers: new Rng(seed, chain), so
// chains are independent streams and each chain is reproducible on its own.
import { Rng } from '../rng';
import { CancelledError, InputError } from '../errors';
import { hmc } from './hmc';
import { nuts } from './nuts';
import {
  DUAL_AVERAGING_DEFAULTS,
  dualAveragingFinal,
  dualAveragingInit,
  dualAveragingUpdate,
  findReasonableStepSize,
  type DualAveragingOptions,
} from './step-size';
import type { HmcState, Kernel, LogDensityAndGrad } from './types';
import { WARMUP_DEFAULTS, WelfordVariance, regularisedVariance, slowWindows, type WarmupOptions } from './warmup';

export interface SampleOptions {
  logDensity: LogDensityAndGrad;
  /** Starting position (unconstrained coordinates). */
  init: Float64Array;
  nWarmup: number;
  nSamples: number;
  seed: number;
  /** Chain index: selects an independent random stream. */
  chain: number;
  /** Random stream when it must differ from the chain index (a continuation round of the same chain
   * needs fresh numbers that are still reproducible); default `chain`. */
  stream?: number;
  algorithm?: 'nuts' | 'hmc';
  /** NUTS maximum tree depth (default 10). */
  maxDepth?: number;
  /** HMC leapfrog steps per transition (default 16). */
  hmcSteps?: number;
  /** Dual averaging settings; targetAccept δ defaults to 0.8. */
  dualAveraging?: Partial<DualAveragingOptions>;
  warmup?: Partial<WarmupOptions>;
  /** Initial inverse metric (default: identity). */
  inverseMassDiag?: Float64Array;
  /** Skip adaptation (use stepSize and inverseMassDiag as given). */
  stepSize?: number;
  adapt?: boolean;
  /** Called every `progressEvery` iterations (warm-up and sampling together). */
  onProgress?: (done: number, total: number) => void;
  progressEvery?: number;
  signal?: { aborted: boolean };
  /** Checked after every transition and, by NUTS, before every leapfrog step: when it returns true the chain ends
   * early and returns the draws made so far (none when it stops in warm-up; a transition cut short is discarded),
   * with `stopped` set — a time budget (lens fit --max-seconds) ends a fit with partial, flagged results instead
   * of nothing, and within one gradient evaluation of the deadline. */
  stopWhen?: () => boolean;
}

/** Per-draw sampler statistics (length nSamples each). */
export interface SamplerStats {
  acceptProb: Float64Array;
  divergent: Uint8Array;
  energy: Float64Array;
  nSteps: Int32Array;
  treeDepth: Int32Array;
  logDensity: Float64Array;
}

export interface ChainResult {
  chain: number;
  dim: number;
  nSamples: number;
  /** Draws, row-major nSamples × dim. */
  draws: Float64Array;
  stats: SamplerStats;
  stepSize: number;
  inverseMassDiag: Float64Array;
  /** Divergent transitions during warm-up (not counted in stats). */
  warmupDivergences: number;
  /** Gradient evaluations in warm-up and sampling. */
  gradientEvals: { warmup: number; sampling: number };
  maxDepth: number;
  /** Set when stopWhen ended the chain early: in warm-up (no draws) or while sampling (fewer draws than asked). */
  stopped?: 'warmup' | 'sampling';
}

function makeKernel(o: SampleOptions, dim: number, stepSize: number, invMass: Float64Array): Kernel {
  return o.algorithm === 'hmc'
    ? hmc({ logDensityAndGrad: o.logDensity, stepSize, inverseMassDiag: invMass, nSteps: o.hmcSteps ?? 16 }, dim)
    : nuts({ logDensityAndGrad: o.logDensity, stepSize, inverseMassDiag: invMass, maxDepth: o.maxDepth ?? 10, stopWhen: o.stopWhen }, dim);
}

export function sample(o: SampleOptions): ChainResult {
  const dim = o.init.length;
  if (dim === 0) throw new InputError('INFER_DIM', 'sample: init has no parameters');
  const rng = new Rng(o.seed, o.stream ?? o.chain);
  const da = { ...DUAL_AVERAGING_DEFAULTS, ...o.dualAveraging };
  let invMass: Float64Array = o.inverseMassDiag ? Float64Array.from(o.inverseMassDiag) : new Float64Array(dim).fill(1);
  const probe = makeKernel(o, dim, 1, invMass);
  let state: HmcState = probe.init(o.init);
  if (!Number.isFinite(state.logDensity))
    throw new InputError('INFER_INIT', `log density at the initial point is ${state.logDensity}`, { chain: o.chain });
  const adapt = o.adapt ?? true;
  let stepSize = o.stepSize ?? findReasonableStepSize(rng, state, o.logDensity, invMass);
  const total = o.nWarmup + o.nSamples;
  const every = o.progressEvery ?? 100;
  let done = 0;
  const tick = () => {
    done++;
    if (o.signal?.aborted) throw new CancelledError(`sampling cancelled at iteration ${done}`);
    if (o.onProgress && (done % every === 0 || done === total)) o.onProgress(done, total);
  };

  // Warm-up.
  let warmupDivergences = 0;
  let warmupEvals = 0;
  let stopped: ChainResult['stopped'];
  if (adapt && o.nWarmup > 0) {
    const windows = slowWindows(o.nWarmup, { ...WARMUP_DEFAULTS, ...o.warmup });
    const welford = new WelfordVariance(dim);
    let daState = dualAveragingInit(stepSize);
    const kernel = makeKernel(o, dim, stepSize, invMass);
    for (let it = 0; it < o.nWarmup; it++) {
      const { state: next, info } = kernel.step(rng, state);
      if (info.interrupted) {
        stopped = 'warmup';
        break;
      }
      state = next;
      warmupEvals += info.nSteps;
      if (info.divergent) warmupDivergences++;
      daState = dualAveragingUpdate(daState, info.acceptProb, da);
      stepSize = Math.exp(daState.logStepSize);
      const w = windows.find(([a, b]) => it >= a && it < b);
      if (w) welford.add(state.position);
      if (w && it === w[1] - 1) {
        // End of a slow window: new metric, fresh ε₀ and restarted dual averaging (Stan).
        invMass = regularisedVariance(welford.variance(), welford.count);
        welford.reset();
        stepSize = findReasonableStepSize(rng, state, o.logDensity, invMass, stepSize);
        daState = dualAveragingInit(stepSize);
      }
      kernel.tune(stepSize, invMass);
      tick();
      if (o.stopWhen?.()) {
        stopped = 'warmup';
        break;
      }
    }
    stepSize = dualAveragingFinal(daState);
  }

  // Sampling.
  const kernel = makeKernel(o, dim, stepSize, invMass);
  const n = stopped ? 0 : o.nSamples;
  const draws = new Float64Array(n * dim);
  const stats: SamplerStats = {
    acceptProb: new Float64Array(n),
    divergent: new Uint8Array(n),
    energy: new Float64Array(n),
    nSteps: new Int32Array(n),
    treeDepth: new Int32Array(n),
    logDensity: new Float64Array(n),
  };
  let samplingEvals = 0;
  for (let i = 0; i < n; i++) {
    const { state: next, info } = kernel.step(rng, state);
    if (info.interrupted) {
      // The budget ran out inside this trajectory: keep the i complete draws.
      return truncated({ chain: o.chain, dim, nSamples: i, draws, stats, stepSize, inverseMassDiag: invMass, warmupDivergences,
        gradientEvals: { warmup: warmupEvals, sampling: samplingEvals + info.nSteps }, maxDepth: o.algorithm === 'hmc' ? 0 : (o.maxDepth ?? 10), stopped: 'sampling' });
    }
    state = next;
    draws.set(state.position, i * dim);
    stats.acceptProb[i] = info.acceptProb;
    stats.divergent[i] = info.divergent ? 1 : 0;
    stats.energy[i] = info.energy;
    stats.nSteps[i] = info.nSteps;
    stats.treeDepth[i] = info.treeDepth;
    stats.logDensity[i] = state.logDensity;
    samplingEvals += info.nSteps;
    tick();
    if (i + 1 < n && o.stopWhen?.()) {
      stopped = 'sampling';
      return truncated({ chain: o.chain, dim, nSamples: i + 1, draws, stats, stepSize, inverseMassDiag: invMass, warmupDivergences,
        gradientEvals: { warmup: warmupEvals, sampling: samplingEvals }, maxDepth: o.algorithm === 'hmc' ? 0 : (o.maxDepth ?? 10), stopped });
    }
  }
  return {
    ...(stopped ? { stopped } : {}),
    chain: o.chain,
    dim,
    nSamples: n,
    draws,
    stats,
    stepSize,
    inverseMassDiag: invMass,
    warmupDivergences,
    gradientEvals: { warmup: warmupEvals, sampling: samplingEvals },
    maxDepth: o.algorithm === 'hmc' ? 0 : (o.maxDepth ?? 10),
  };
}

/** A chain cut to its first `r.nSamples` draws (the arrays may be longer). */
export function truncated(r: ChainResult): ChainResult {
  const n = r.nSamples;
  return {
    ...r,
    draws: r.draws.slice(0, n * r.dim),
    stats: {
      acceptProb: r.stats.acceptProb.slice(0, n), divergent: r.stats.divergent.slice(0, n), energy: r.stats.energy.slice(0, n),
      nSteps: r.stats.nSteps.slice(0, n), treeDepth: r.stats.treeDepth.slice(0, n), logDensity: r.stats.logDensity.slice(0, n),
    },
  };
}
