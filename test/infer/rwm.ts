// Random-walk Metropolis (Metropolis et al. 1953) with a Gaussian proposal q' = q + L ξ, ξ ~ N(0, I),
// L L' = the proposal covariance: the independent, gradient-free sampler against which NUTS is checked
// (issue 8: "compare against an independent sampler on the same log-density").
// Kernel in the BlackJAX pattern of hmc.ts / nuts.ts: rwm(params, dim) → {init, step, tune}; pure, the
// random numbers come from the caller's Rng; a −∞/NaN log density is a rejection, never an exception.
// Driver sampleRwm: adaptive Metropolis (Haario, Saksman & Tamminen 2001, Bernoulli 7, 223, eq. 2–3)
// during burn-in only — proposal covariance C_t = s_d (Cov(X_0…X_{t−1}) + ε I_d) after t_0 iterations,
// s_d = 2.38²/d (Gelman, Roberts & Gilks 1996; Roberts & Rosenthal 2001: optimal for Gaussian targets,
// acceptance ≈ 0.234 for large d) — then frozen: the sampling phase is a plain Metropolis chain with a
// fixed symmetric proposal, so its draws are a valid Markov chain for π whatever the adaptation did.
import { CancelledError, InputError } from '../../src-core/errors';
import { Rng } from '../../src-core/rng';
import { choleskyOrNull } from '../../src-core/infer/linalg';

/** log π(q) up to a constant (no gradient needed). −∞ or NaN outside the support. */
export type LogDensityFn = (q: Float64Array) => number;

export interface RwmState {
  position: Float64Array;
  logDensity: number;
}

export interface RwmInfo {
  /** min(1, π(q')/π(q)); 0 for a proposal outside the support. */
  acceptProb: number;
  accepted: boolean;
}

export interface RwmParams {
  logDensity: LogDensityFn;
  /** Lower Cholesky factor (row-major d × d) of the proposal covariance. */
  proposalCholesky: Float64Array;
}

export interface RwmKernel {
  init(position: Float64Array): RwmState;
  step(rng: Rng, state: RwmState): { state: RwmState; info: RwmInfo };
  /** Replaces the proposal's Cholesky factor (the adaptive burn-in uses it; sampling never does). */
  tune(proposalCholesky: Float64Array): void;
}

export function rwm(params: RwmParams, dim: number): RwmKernel {
  const { logDensity } = params;
  let L = params.proposalCholesky;
  if (L.length !== dim * dim) throw new InputError('INFER_DIM', `rwm: proposal factor has ${L.length} entries for dimension ${dim}`);
  const xi = new Float64Array(dim);
  return {
    init(position) {
      const q = Float64Array.from(position);
      return { position: q, logDensity: logDensity(q) };
    },
    tune(proposalCholesky) {
      if (proposalCholesky.length !== dim * dim) throw new InputError('INFER_DIM', 'rwm.tune: wrong proposal size');
      L = proposalCholesky;
    },
    step(rng, state) {
      for (let i = 0; i < dim; i++) xi[i] = rng.normal();
      const q = new Float64Array(dim);
      for (let i = 0; i < dim; i++) {
        let s = state.position[i]!;
        for (let k = 0; k <= i; k++) s += L[i * dim + k]! * xi[k]!;
        q[i] = s;
      }
      const lp = logDensity(q);
      const logRatio = lp - state.logDensity;
      const acceptProb = Number.isNaN(logRatio) || lp === -Infinity ? 0 : logRatio >= 0 ? 1 : Math.exp(logRatio);
      // u < α with u ∈ [0, 1): α = 1 always accepts, α = 0 never does.
      const accepted = rng.uniform() < acceptProb;
      return { state: accepted ? { position: q, logDensity: lp } : state, info: { acceptProb, accepted } };
    },
  };
}

/** Running mean and covariance (Welford's update, full matrix), for the adaptive proposal. */
export class WelfordCovariance {
  count = 0;
  readonly mean: Float64Array;
  private readonly m2: Float64Array;
  private readonly delta: Float64Array;
  constructor(readonly dim: number) {
    this.mean = new Float64Array(dim);
    this.m2 = new Float64Array(dim * dim);
    this.delta = new Float64Array(dim);
  }
  add(x: ArrayLike<number>): void {
    const d = this.dim;
    this.count++;
    for (let i = 0; i < d; i++) {
      this.delta[i] = x[i]! - this.mean[i]!;
      this.mean[i] = this.mean[i]! + this.delta[i]! / this.count;
    }
    for (let i = 0; i < d; i++) {
      const di = x[i]! - this.mean[i]!; // new mean: Σ (x − old mean)(x − new mean)ᵀ
      for (let j = 0; j < d; j++) this.m2[i * d + j] = this.m2[i * d + j]! + this.delta[j]! * di;
    }
  }
  /** Sample covariance (n − 1), symmetrised. */
  covariance(): Float64Array {
    const d = this.dim;
    const c = new Float64Array(d * d);
    const n = Math.max(1, this.count - 1);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[i * d + j] = (this.m2[i * d + j]! + this.m2[j * d + i]!) / (2 * n);
    return c;
  }
}

export interface RwmOptions {
  logDensity: LogDensityFn;
  init: Float64Array;
  /** Adaptive burn-in iterations (discarded). */
  nBurnin: number;
  /** Iterations kept after burn-in, before thinning. */
  nSamples: number;
  seed: number;
  /** Chain index: Rng(seed, chain, 0x52574d) — a stream separate from NUTS's Rng(seed, chain). */
  chain: number;
  /** Guess of the target covariance (row-major d × d; default I): the proposal until adaptation starts is s_d · this. */
  initialCov?: Float64Array;
  /** Haario's t_0: burn-in iterations before the empirical covariance is used (default max(100, 10 d)). */
  adaptStart?: number;
  /** Haario's ε (default 1e-10 × mean of the initial covariance's diagonal): keeps C_t positive definite. */
  epsilon?: number;
  /** Proposal scale s_d (default 2.38²/d). */
  scale?: number;
  /** Refactor the proposal every this many burn-in iterations (default 10). */
  updateEvery?: number;
  /** Keep every `thin`-th draw (default 1). */
  thin?: number;
  adapt?: boolean;
  signal?: { aborted: boolean };
}

export interface RwmChainResult {
  chain: number;
  dim: number;
  /** Kept draws (floor(nSamples / thin)). */
  nSamples: number;
  /** Row-major nSamples × dim. */
  draws: Float64Array;
  logDensity: Float64Array;
  /** Acceptance rate in the sampling phase and in burn-in. */
  acceptRate: number;
  burninAcceptRate: number;
  /** Log-density evaluations (one per iteration, plus the initial point). */
  evals: { burnin: number; sampling: number };
  /** The frozen proposal covariance used in the sampling phase. */
  proposalCov: Float64Array;
}

export function sampleRwm(o: RwmOptions): RwmChainResult {
  const d = o.init.length;
  if (d === 0) throw new InputError('INFER_DIM', 'sampleRwm: init has no parameters');
  const rng = new Rng(o.seed, o.chain, 0x52574d);
  const sd = o.scale ?? (2.38 * 2.38) / d;
  const c0 = o.initialCov ?? identity(d);
  const eps = o.epsilon ?? (1e-10 * Array.from({ length: d }, (_, i) => c0[i * d + i]!).reduce((a, b) => a + b, 0)) / d;
  let cov = scaled(c0, sd, 0, d);
  const L0 = choleskyOrNull(cov, d);
  if (!L0) throw new InputError('INFER_COV', 'sampleRwm: initial covariance is not positive definite');
  const kernel = rwm({ logDensity: o.logDensity, proposalCholesky: L0 }, d);
  let state = kernel.init(o.init);
  if (!Number.isFinite(state.logDensity))
    throw new InputError('INFER_INIT', `log density at the initial point is ${state.logDensity}`, { chain: o.chain });
  const check = (it: number) => {
    if (o.signal?.aborted) throw new CancelledError(`RWM cancelled at iteration ${it}`);
  };

  const t0 = o.adaptStart ?? Math.max(100, 10 * d);
  const every = Math.max(1, o.updateEvery ?? 10);
  const welford = new WelfordCovariance(d);
  let burnAcc = 0;
  for (let t = 0; t < o.nBurnin; t++) {
    const r = kernel.step(rng, state);
    state = r.state;
    if (r.info.accepted) burnAcc++;
    welford.add(state.position);
    if ((o.adapt ?? true) && t + 1 >= t0 && (t + 1 - t0) % every === 0) {
      const next = scaled(welford.covariance(), sd, sd * eps, d);
      const L = choleskyOrNull(next, d);
      if (L) {
        cov = next;
        kernel.tune(L);
      }
    }
    if ((t & 1023) === 0) check(t);
  }
  const thin = Math.max(1, o.thin ?? 1);
  const nKeep = Math.floor(o.nSamples / thin);
  const draws = new Float64Array(nKeep * d);
  const lps = new Float64Array(nKeep);
  let acc = 0;
  for (let t = 0, k = 0; t < nKeep * thin; t++) {
    const r = kernel.step(rng, state);
    state = r.state;
    if (r.info.accepted) acc++;
    if ((t + 1) % thin === 0) {
      draws.set(state.position, k * d);
      lps[k++] = state.logDensity;
    }
    if ((t & 1023) === 0) check(o.nBurnin + t);
  }
  return {
    chain: o.chain, dim: d, nSamples: nKeep, draws, logDensity: lps,
    acceptRate: nKeep * thin > 0 ? acc / (nKeep * thin) : NaN,
    burninAcceptRate: o.nBurnin > 0 ? burnAcc / o.nBurnin : NaN,
    evals: { burnin: o.nBurnin, sampling: nKeep * thin },
    proposalCov: cov,
  };
}

function identity(d: number): Float64Array {
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) m[i * d + i] = 1;
  return m;
}

/** s · C + e · I. */
function scaled(c: Float64Array, s: number, e: number, d: number): Float64Array {
  const m = new Float64Array(d * d);
  for (let i = 0; i < d * d; i++) m[i] = s * c[i]!;
  for (let i = 0; i < d; i++) m[i * d + i] = m[i * d + i]! + e;
  return m;
}
