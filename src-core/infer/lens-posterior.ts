// Log posterior of the 12 lens parameters in unconstrained coordinates, for NUTS; MAP by multi-start
// Levenberg–Marquardt (the peer's recipe) and a Laplace (Gauss–Newton) scale for the initial metric.
// Prior: uniform on the peer's box, each ellipticity pair uniform on the disc |e| < E_MAX.
// Transforms (Stan Reference Manual, "Constraint transforms"): box parameters by the scaled logistic,
// θ = lo + (hi − lo) σ(u), log J = log(hi − lo) + log σ(u) + log σ(−u); ellipticity pairs by the radial
// map e = E_MAX tanh(ρ) u/ρ (ρ = |u|), log J = log(E_MAX² tanh ρ sech²ρ / ρ).
// Gradient: analytic (lens-gradient.ts, ≈ 2.3 likelihood evaluations) by default, or forward finite
// differences of χ² in the physical parameters (13 evaluations), chained through the transform. NUTS
// stays exact even with an approximate gradient: the leapfrog map with any deterministic force field is
// still volume-preserving and reversible, and the multinomial weights use the exact log density; a worse
// gradient only costs acceptance.
import type { Rng } from '../rng';
import { levenbergMarquardt, type LeastSquaresResult } from './optimize/levenberg-marquardt';
import { multiStart } from './optimize/multistart';
import { inverseSpd, choleskyOrNull } from './linalg';
import { LensGradient } from './lens-gradient';
import { LENS12_SPEC, LensModel } from './lens-model';
import type { FitModel, ParamSpec } from './param-spec';

const sigmoid = (u: number) => (u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u)));
const logSigmoid = (u: number) => (u >= 0 ? -Math.log1p(Math.exp(-u)) : u - Math.log1p(Math.exp(u)));

/** Start box for the MAP search of the 12-parameter model (the peer's START): galaxy-scale lens, source near the axis. */
export const LENS_START_LOWER = LENS12_SPEC.startLower;
export const LENS_START_UPPER = LENS12_SPEC.startUpper;

/** For each parameter, the index of its ellipticity partner, or −1 (cached per spec). */
const pairCache = new WeakMap<ParamSpec, Int8Array>();
function pairsOf(spec: ParamSpec): Int8Array {
  let p = pairCache.get(spec);
  if (!p) {
    p = new Int8Array(spec.names.length).fill(-1);
    for (const [a, b] of spec.pairs) {
      p[a] = b;
      p[b] = a;
    }
    pairCache.set(spec, p);
  }
  return p;
}

/** Physical parameters from unconstrained u. Returns log|J| and, if given, ∂log|J|/∂u. */
export function toPhysical(u: ArrayLike<number>, out: Float64Array, dLogJ?: Float64Array, spec: ParamSpec = LENS12_SPEC): number {
  const N = spec.names.length, isPair = pairsOf(spec), E_MAX = spec.eMax;
  let logJ = 0;
  for (let i = 0; i < N; i++) {
    if (isPair[i]! >= 0) continue;
    const lo = spec.lower[i]!, w = spec.upper[i]! - lo;
    const s = sigmoid(u[i]!);
    out[i] = lo + w * s;
    logJ += Math.log(w) + logSigmoid(u[i]!) + logSigmoid(-u[i]!);
    if (dLogJ) dLogJ[i] = 1 - 2 * s;
  }
  for (const [a, b] of spec.pairs) {
    const ua = u[a]!, ub = u[b]!;
    const rho = Math.hypot(ua, ub);
    const th = Math.tanh(rho);
    const f = rho > 1e-8 ? th / rho : 1 - (rho * rho) / 3; // tanh(ρ)/ρ
    out[a] = E_MAX * f * ua;
    out[b] = E_MAX * f * ub;
    const sech2 = 1 - th * th;
    // log sech²ρ = 2 (log 2 − ρ − log(1 + e^{−2ρ})), finite for large ρ where 1 − tanh² underflows.
    logJ += 2 * Math.log(E_MAX) + Math.log(f) + 2 * (Math.LN2 - rho - Math.log1p(Math.exp(-2 * rho)));
    if (dLogJ) {
      // d/dρ [log f + log sech²ρ] = sech²/tanh − 1/ρ − 2 tanh ρ (→ −2ρ/3 − 2ρ as ρ → 0).
      const d = rho > 1e-8 ? sech2 / th - 1 / rho - 2 * th : -(2 / 3 + 2) * rho;
      dLogJ[a] = rho > 1e-8 ? (d * ua) / rho : -(8 / 3) * ua;
      dLogJ[b] = rho > 1e-8 ? (d * ub) / rho : -(8 / 3) * ub;
    }
  }
  return logJ;
}

/** Inverse of toPhysical (θ must lie strictly inside the prior). */
export function toUnconstrained(t: ArrayLike<number>, out: Float64Array, spec: ParamSpec = LENS12_SPEC): void {
  const N = spec.names.length, isPair = pairsOf(spec), E_MAX = spec.eMax;
  for (let i = 0; i < N; i++) {
    if (isPair[i]! >= 0) continue;
    const s = (t[i]! - spec.lower[i]!) / (spec.upper[i]! - spec.lower[i]!);
    out[i] = Math.log(s / (1 - s));
  }
  for (const [a, b] of spec.pairs) {
    const r = Math.hypot(t[a]!, t[b]!) / E_MAX;
    const rho = Math.atanh(Math.min(r, 1 - 1e-15));
    const k = r > 1e-12 ? rho / r / E_MAX : 1 / E_MAX;
    out[a] = t[a]! * k;
    out[b] = t[b]! * k;
  }
}

/** Derivatives ∂θ_i/∂u_j of the transform (diagonal blocks), row-major N × N. */
function transformJacobian(u: ArrayLike<number>, spec: ParamSpec): Float64Array {
  const N = spec.names.length;
  const J = new Float64Array(N * N);
  const t0 = new Float64Array(N), t1 = new Float64Array(N), up = Float64Array.from(u as ArrayLike<number>);
  toPhysical(u, t0, undefined, spec);
  for (let j = 0; j < N; j++) {
    const h = 1e-7 * Math.max(1, Math.abs(u[j]!));
    up[j] = u[j]! + h;
    toPhysical(up, t1, undefined, spec);
    up[j] = u[j]!;
    for (let i = 0; i < N; i++) J[i * N + j] = (t1[i]! - t0[i]!) / h;
  }
  return J;
}

/** A MAP search's result: the best point, its χ², and every start's local optimum (best first). */
export interface FoundMap {
  theta: Float64Array;
  chi2: number;
  /** χ² of each start's local optimum, best first (the first is the polished MAP). */
  startChi2: number[];
  runs: { theta: Float64Array; chi2: number }[];
  evaluations: number;
  /** Set when `stopWhen` cut the search short (fewer starts, no refinement or polish). */
  stopped?: boolean;
}

/** Half-width of the search box of the ellipticity-pair coordinates v (tanh(3√2) ≈ 0.9996 of the disc). */
const V_PAIR = 3;

/**
 * Coordinates of the MAP search, all in [0, 1]: box parameters linearly in their prior box; each ellipticity
 * pair as v = (2x − 1)·V_PAIR mapped onto the disc by e = E_MAX tanh(|v|) v/|v| (the sampler's radial map).
 * The first implementation kept |e_k| < 0.35, the square inscribed in the disc |e| < 0.5: a source with
 * q ≈ 0.46 at φ ≈ 45° then had its MAP pinned at e2 = −0.35 (issue 21, seed 4: χ² 8126.9 on the bound vs
 * 8083.6 at the optimum, e2 = −0.363), and the chains started from that point.
 */
export function mapSearchCoordinates(spec: ParamSpec = LENS12_SPEC): { toT: (x: ArrayLike<number>) => Float64Array; fromT: (t: ArrayLike<number>) => Float64Array } {
  const N = spec.names.length, E_MAX = spec.eMax, ELLIPTICITY_PAIRS = spec.pairs;
  const lo = spec.lower, w = spec.upper.map((h, i) => h - lo[i]!);
  const toT = (x: ArrayLike<number>) => {
    const t = Float64Array.from({ length: N }, (_, i) => lo[i]! + x[i]! * w[i]!);
    for (const [a, b] of ELLIPTICITY_PAIRS) {
      const va = (2 * x[a]! - 1) * V_PAIR, vb = (2 * x[b]! - 1) * V_PAIR;
      const rho = Math.hypot(va, vb);
      const f = rho > 1e-12 ? Math.tanh(rho) / rho : 1;
      t[a] = E_MAX * f * va;
      t[b] = E_MAX * f * vb;
    }
    return t;
  };
  const fromT = (t: ArrayLike<number>) => {
    const clip = (v: number) => Math.min(1 - 1e-6, Math.max(1e-6, v));
    const x = Float64Array.from({ length: N }, (_, i) => clip((t[i]! - lo[i]!) / w[i]!));
    for (const [a, b] of ELLIPTICITY_PAIRS) {
      const r = Math.hypot(t[a]!, t[b]!) / E_MAX;
      const k = r > 1e-12 ? Math.atanh(Math.min(r, 1 - 1e-12)) / (r * E_MAX) : 1 / E_MAX;
      x[a] = clip((t[a]! * k) / V_PAIR / 2 + 0.5);
      x[b] = clip((t[b]! * k) / V_PAIR / 2 + 0.5);
    }
    return x;
  };
  return { toT, fromT };
}

export interface LensPosteriorOptions {
  /** 'analytic' (default) or 'fd' (forward differences, the first implementation; kept for checks). */
  gradient?: 'analytic' | 'fd';
  /** Relative forward-difference step, × the prior width of each parameter. */
  fdStep?: number;
}

export class LensPosterior {
  readonly dim: number;
  readonly spec: ParamSpec;
  private readonly N: number;
  private readonly isPair: Int8Array;
  private readonly t: Float64Array;
  private readonly tStep: Float64Array;
  private readonly dLogJ: Float64Array;
  private readonly gradT: Float64Array;
  private readonly fdStep: number;
  private readonly analytic: LensGradient | null;
  /** Gradient evaluations (each = 1 + 12 template renders). */
  gradientEvaluations = 0;

  constructor(readonly model: FitModel, options: LensPosteriorOptions = {}) {
    this.spec = model.spec;
    this.N = this.dim = this.spec.names.length;
    this.isPair = pairsOf(this.spec);
    this.t = new Float64Array(this.N);
    this.tStep = new Float64Array(this.N);
    this.dLogJ = new Float64Array(this.N);
    this.gradT = new Float64Array(this.N);
    this.fdStep = options.fdStep ?? 1e-7;
    // The analytic gradient exists for the 12-parameter model; a model with its own chi2AndGradient uses that.
    this.analytic = (options.gradient ?? 'analytic') === 'analytic' && model instanceof LensModel ? new LensGradient(model) : null;
    this.own = (options.gradient ?? 'analytic') === 'analytic' && !this.analytic && model.chi2AndGradient ? model : null;
  }

  private readonly own: FitModel | null;

  /** log posterior (up to a constant) in unconstrained coordinates: −χ²/2 + log|J|; gradient into g. */
  logDensityAndGrad = (u: Float64Array, g: Float64Array): number => {
    const { N, spec, isPair } = this;
    const E_MAX = spec.eMax;
    const t = this.t;
    const logJ = toPhysical(u, t, this.dLogJ, spec);
    const withGrad = this.analytic ?? this.own;
    const c0 = this.analytic ? this.analytic.chi2AndGradient(t, this.gradT)
      : this.own ? this.own.chi2AndGradient!(t, this.gradT) : this.model.solve(t).chi2;
    if (!Number.isFinite(c0) || !Number.isFinite(logJ)) {
      g.fill(0);
      return -Infinity;
    }
    this.gradientEvaluations++;
    if (withGrad) for (let i = 0; i < N; i++) this.gradT[i] = -0.5 * this.gradT[i]!;
    // Else ∂(−χ²/2)/∂θ_i by forward differences (step inside the prior box, away from the nearer edge).
    this.tStep.set(t);
    for (let i = 0; i < N && !withGrad; i++) {
      const w = spec.upper[i]! - spec.lower[i]!;
      let h = this.fdStep * w;
      if (t[i]! + h >= spec.upper[i]!) h = -h;
      this.tStep[i] = t[i]! + h;
      this.gradT[i] = (-0.5 * (this.model.solve(this.tStep).chi2 - c0)) / h;
      this.tStep[i] = t[i]!;
    }
    // Chain rule through the transform: box parameters are diagonal, ellipticity pairs 2 × 2 blocks.
    for (let i = 0; i < N; i++) {
      if (isPair[i]! >= 0) continue;
      const s = sigmoid(u[i]!);
      g[i] = this.gradT[i]! * (spec.upper[i]! - spec.lower[i]!) * s * (1 - s) + this.dLogJ[i]!;
    }
    for (const [a, b] of spec.pairs) {
      const ua = u[a]!, ub = u[b]!;
      const rho = Math.hypot(ua, ub);
      const th = Math.tanh(rho);
      const f = rho > 1e-8 ? th / rho : 1 - (rho * rho) / 3;
      // e = E f(ρ) u: ∂e_k/∂u_l = E [f δ_kl + f'(ρ) u_k u_l / ρ], f' = (sech²ρ − f)/ρ.
      const fp = rho > 1e-8 ? (1 - th * th - f) / rho : (-2 * rho) / 3;
      const c = rho > 1e-8 ? fp / rho : -2 / 3;
      const ga = this.gradT[a]!, gb = this.gradT[b]!;
      g[a] = E_MAX * (ga * (f + c * ua * ua) + gb * c * ua * ub) + this.dLogJ[a]!;
      g[b] = E_MAX * (gb * (f + c * ub * ub) + ga * c * ua * ub) + this.dLogJ[b]!;
    }
    return -0.5 * c0 + logJ;
  };

  /**
   * MAP by multi-start Levenberg–Marquardt on the σ-residuals (the peer's recipe: nDraws screening draws from
   * the start box, the best nStarts refined, ≤ maxEvals residual evaluations each; the best `refineBest` that hit
   * the cap continued for ≤ refineEvals), then the best polished by LM restarts until it stops improving.
   * The prior is flat, so the MAP is the χ² minimum. Search coordinates: see mapSearchCoordinates (the whole
   * ellipticity disc is reachable). `runs` are the local optima of every start, best first: where they
   * disagree at a similar χ² the posterior may have several modes, and the chains start from them.
   */
  findMap(rng: Rng, o: {
    nDraws?: number; nStarts?: number; maxEvals?: number; refineBest?: number; refineEvals?: number; stopWhen?: () => boolean;
    /** Starts (physical θ) screened together with the random draws, e.g. from the quasar images' positions. */
    starts?: ArrayLike<number>[];
    /** Limits of the final polish (default 4 rounds of ≤ 300 evaluations). */
    polish?: { rounds?: number; maxEvals?: number };
  } = {}): FoundMap {
    const spec = this.spec, N = this.N;
    const { toT, fromT } = mapSearchCoordinates(spec);
    const seeded = (o.starts ?? []).map((t) => fromT(t));
    let k = 0;
    const before = this.model.evaluations;
    const res = multiStart<LeastSquaresResult>({
      rng,
      nDraws: (o.nDraws ?? 300) + seeded.length,
      nStarts: o.nStarts ?? 8,
      draw: (g) => (k < seeded.length ? seeded[k++]! : fromT(Float64Array.from({ length: N }, (_, i) => spec.startLower[i]! + g.uniform() * (spec.startUpper[i]! - spec.startLower[i]!)))),
      cost: (x) => 0.5 * this.model.solve(toT(x)).chi2,
      local: (x0) => this.lmSearch(x0, o.maxEvals ?? 100, o.stopWhen),
      stopWhen: o.stopWhen,
    });
    // A time budget spent (fit --max-seconds): the best start as it is, not refined or polished.
    if (o.stopWhen?.()) {
      const found = res.runs.map((r) => ({ theta: toT(r.x), chi2: 2 * r.cost }));
      return { theta: found[0]!.theta, chi2: found[0]!.chi2, startChi2: found.map((r) => r.chi2), runs: found, evaluations: this.model.evaluations - before, stopped: true };
    }
    // Staged refinement: many short LM runs find the basins, the best few are continued. On bright lenses
    // (source S/N of thousands) most starts stall in local minima; measured on a simulated cutout, 8 starts ×
    // 400 evaluations found the mode (2 of 8) where 4 × 200 did not (χ² 3.2e5 vs 7941).
    const runs = res.runs.slice();
    for (let k = 0; k < Math.min(o.refineBest ?? 0, runs.length); k++)
      if (runs[k]!.reason === 'maxEvals') {
        const r = this.lmSearch(runs[k]!.x, o.refineEvals ?? 300, o.stopWhen);
        if (r.cost < runs[k]!.cost) runs[k] = r;
      }
    runs.sort((p, q) => p.cost - q.cost);
    const polished = this.polish(toT(runs[0]!.x), 2 * runs[0]!.cost, { ...o.polish, ...(o.stopWhen ? { stopWhen: o.stopWhen } : {}) });
    const found = runs.map((r) => ({ theta: toT(r.x), chi2: 2 * r.cost }));
    found[0] = polished;
    return {
      theta: polished.theta,
      chi2: polished.chi2,
      startChi2: found.map((r) => r.chi2),
      runs: found,
      evaluations: this.model.evaluations - before,
    };
  }

  /** LM in the search coordinates from x0 (mapSearchCoordinates), ≤ maxEvals residual evaluations. */
  private lmSearch(x0: Float64Array, maxEvals: number, stopWhen?: () => boolean): LeastSquaresResult {
    const N = this.N;
    const { toT } = mapSearchCoordinates(this.spec);
    return levenbergMarquardt({
      residuals: (x, out) => this.model.residuals(toT(x), out),
      nResiduals: this.model.data.bands * this.model.npix,
      x0,
      lower: new Float64Array(N).fill(1e-6),
      upper: new Float64Array(N).fill(1 - 1e-6),
      maxEvals,
      fdStep: 1e-6,
      ftol: 1e-8,
      ...(stopWhen ? { stopWhen } : {}),
    });
  }

  /**
   * LM restarted from θ (fresh damping) until a restart improves χ² by less than 0.01, at most `rounds`
   * restarts of ≤ maxEvals each: an LM run that stopped on a small relative decrease may still be on a slope
   * (issue 21), and a restart at a true minimum costs one Jacobian. Also used to re-optimise from the best
   * posterior draw when the chains find points below the MAP.
   */
  polish(theta: ArrayLike<number>, chi2: number, o: { maxEvals?: number; rounds?: number; stopWhen?: () => boolean } = {}): { theta: Float64Array; chi2: number } {
    const { toT, fromT } = mapSearchCoordinates(this.spec);
    let x = fromT(theta);
    let best = { theta: toT(x), chi2: Number.isFinite(chi2) ? chi2 : this.model.solve(toT(x)).chi2 };
    for (let k = 0; k < (o.rounds ?? 4); k++) {
      if (o.stopWhen?.()) break;
      const r = this.lmSearch(x, o.maxEvals ?? 300, o.stopWhen);
      const c = 2 * r.cost;
      if (!(c < best.chi2)) break;
      const gain = best.chi2 - c;
      x = r.x;
      best = { theta: toT(x), chi2: c };
      if (gain < 0.01) break;
    }
    return best;
  }

  /**
   * Laplace approximation at θ: Gauss–Newton Hessian JᵀJ of the σ-residuals in θ, mapped to unconstrained
   * coordinates; returns the diagonal of the covariance in u (an initial inverse metric) and the sd in θ.
   */
  laplace(theta: Float64Array): { inverseMassDiag: Float64Array; sdTheta: Float64Array; u: Float64Array; covU: Float64Array | null } {
    const { N, spec } = this;
    const m = this.model.data.bands * this.model.npix;
    const r0 = new Float64Array(m), r1 = new Float64Array(m);
    const J = new Float64Array(m * N);
    this.model.residuals(theta, r0);
    const tt = Float64Array.from(theta);
    for (let j = 0; j < N; j++) {
      const w = spec.upper[j]! - spec.lower[j]!;
      let h = 1e-6 * w;
      if (theta[j]! + h >= spec.upper[j]!) h = -h;
      tt[j] = theta[j]! + h;
      this.model.residuals(tt, r1);
      tt[j] = theta[j]!;
      for (let i = 0; i < m; i++) J[i * N + j] = (r1[i]! - r0[i]!) / h;
    }
    const u = new Float64Array(N);
    toUnconstrained(theta, u, spec);
    const T = transformJacobian(u, spec); // ∂θ/∂u
    // Hessian in u: Tᵀ (JᵀJ) T (the prior's log-Jacobian curvature is negligible next to the data).
    const H = new Float64Array(N * N);
    const JT = new Float64Array(m * N);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < N; k++) s += J[i * N + k]! * T[k * N + j]!;
        JT[i * N + j] = s;
      }
    for (let a = 0; a < N; a++)
      for (let b = 0; b <= a; b++) {
        let s = 0;
        for (let i = 0; i < m; i++) s += JT[i * N + a]! * JT[i * N + b]!;
        H[a * N + b] = H[b * N + a] = s;
      }
    const HT = new Float64Array(N * N);
    for (let a = 0; a < N; a++)
      for (let b = 0; b <= a; b++) {
        let s = 0;
        for (let i = 0; i < m; i++) s += J[i * N + a]! * J[i * N + b]!;
        HT[a * N + b] = HT[b * N + a] = s;
      }
    for (let a = 0; a < N; a++) H[a * N + a] = H[a * N + a]! + 1e-9;
    const cov = choleskyOrNull(H, N) ? inverseSpd(H, N) : null;
    const covT = choleskyOrNull(HT, N) ? inverseSpd(HT, N) : null;
    return {
      inverseMassDiag: Float64Array.from({ length: N }, (_, i) => (cov ? Math.max(cov[i * N + i]!, 1e-12) : 1e-4)),
      sdTheta: Float64Array.from({ length: N }, (_, i) => (covT ? Math.sqrt(Math.max(covT[i * N + i]!, 0)) : NaN)),
      u,
      covU: cov,
    };
  }
}

/**
 * Linear preconditioning u = centre + L z (L lower-triangular, row-major): the log density of z and its
 * gradient Lᵀ∇_u. With L = chol(Laplace covariance) the posterior of z is close to N(0, I), so NUTS with a
 * diagonal metric needs short trajectories even where the lens parameters are strongly correlated
 * (θE–e–γ and source R_e–n correlations of 0.85–0.9 are typical). Exact: a linear map has constant Jacobian.
 */
export function preconditioned(
  logDensityAndGrad: (u: Float64Array, g: Float64Array) => number,
  centre: ArrayLike<number>,
  L: ArrayLike<number>,
): { logDensityAndGrad: (z: Float64Array, g: Float64Array) => number; toU: (z: ArrayLike<number>, out: Float64Array) => void } {
  const n = centre.length;
  const u = new Float64Array(n);
  const gu = new Float64Array(n);
  const toU = (z: ArrayLike<number>, out: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let s = centre[i]!;
      for (let k = 0; k <= i; k++) s += L[i * n + k]! * z[k]!;
      out[i] = s;
    }
  };
  return {
    toU,
    logDensityAndGrad: (z, g) => {
      toU(z, u);
      const lp = logDensityAndGrad(u, gu);
      for (let k = 0; k < n; k++) {
        let s = 0;
        for (let i = k; i < n; i++) s += L[i * n + k]! * gu[i]!;
        g[k] = s;
      }
      return lp;
    },
  };
}
