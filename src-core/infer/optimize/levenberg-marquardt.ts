// Levenberg–Marquardt for box-constrained nonlinear least squares, min ½‖r(x)‖², lo ≤ x ≤ hi.
// The lens peer found Gauss–Newton on the σ-normalised residual vector (scipy least_squares) far
// more reliable than Nelder–Mead or L-BFGS-B on χ² (shared/peers/README.md, "MAP start").
// Damping: Marquardt's diagonal scaling with Nielsen's λ update (Madsen, Nielsen & Tingleff 2004,
// "Methods for non-linear least squares problems", §3.2, eq. 3.16). Bounds: variables at a bound whose
// descent direction points outward are frozen for the step (active set); the step is then clipped.
// Jacobian analytic if given, else forward differences (one-sided away from a bound).
import { choleskyOrNull, choleskySolveInPlace } from '../linalg';

/** Writes r(x) into out (length nResiduals). */
export type ResidualFn = (x: Float64Array, out: Float64Array) => void;
/** Writes the Jacobian ∂r_i/∂x_j into jac (row-major nResiduals × n). */
export type JacobianFn = (x: Float64Array, r: Float64Array, jac: Float64Array) => void;

export interface LeastSquaresOptions {
  residuals: ResidualFn;
  nResiduals: number;
  x0: Float64Array;
  lower?: Float64Array;
  upper?: Float64Array;
  jacobian?: JacobianFn;
  /** Budget of residual evaluations (finite-difference columns included). */
  maxEvals?: number;
  /** Relative forward-difference step (× max(|x|, 1)). */
  fdStep?: number;
  /** Stop when the relative cost decrease of an accepted step is below this. */
  ftol?: number;
  /** Stop when the step is below xtol·(‖x‖ + xtol). */
  xtol?: number;
  /** Stop when the largest free gradient component is below this. */
  gtol?: number;
  /** Checked before every Jacobian: when true the search returns its current point (reason 'stopped'; a time
   * budget, lens fit --max-seconds). */
  stopWhen?: () => boolean;
}

export interface LeastSquaresResult {
  x: Float64Array;
  /** ½‖r‖² at x. */
  cost: number;
  residuals: Float64Array;
  nEvals: number;
  iterations: number;
  reason: 'ftol' | 'xtol' | 'gtol' | 'maxEvals' | 'stalled' | 'stopped';
}

export function levenbergMarquardt(o: LeastSquaresOptions): LeastSquaresResult {
  const n = o.x0.length;
  const m = o.nResiduals;
  const lo = o.lower ?? new Float64Array(n).fill(-Infinity);
  const hi = o.upper ?? new Float64Array(n).fill(Infinity);
  const maxEvals = o.maxEvals ?? 100 * (n + 1);
  const h = o.fdStep ?? 1e-6;
  const ftol = o.ftol ?? 1e-10;
  const xtol = o.xtol ?? 1e-10;
  const gtol = o.gtol ?? 1e-10;
  const x = Float64Array.from(o.x0, (v, i) => Math.min(hi[i]!, Math.max(lo[i]!, v)));
  const r = new Float64Array(m);
  const rTry = new Float64Array(m);
  const rFd = new Float64Array(m);
  const jac = new Float64Array(m * n);
  const jtj = new Float64Array(n * n);
  const a = new Float64Array(n * n);
  const g = new Float64Array(n);
  const step = new Float64Array(n);
  const xTry = new Float64Array(n);
  const free = new Uint8Array(n);
  let nEvals = 0;
  const evalR = (xx: Float64Array, out: Float64Array) => {
    o.residuals(xx, out);
    nEvals++;
    let c = 0;
    for (let i = 0; i < m; i++) c += out[i]! * out[i]!;
    return Number.isFinite(c) ? 0.5 * c : Infinity;
  };
  let cost = evalR(x, r);
  let lambda = -1;
  let nu = 2;
  let iterations = 0;
  let reason: LeastSquaresResult['reason'] = 'maxEvals';

  outer: while (nEvals < maxEvals) {
    if (o.stopWhen?.()) {
      reason = 'stopped';
      break;
    }
    iterations++;
    if (o.jacobian) o.jacobian(x, r, jac);
    else {
      for (let j = 0; j < n; j++) {
        const xj = x[j]!;
        let hj = h * Math.max(Math.abs(xj), 1);
        if (xj + hj > hi[j]!) hj = -hj;
        x[j] = xj + hj;
        evalR(x, rFd);
        x[j] = xj;
        for (let i = 0; i < m; i++) jac[i * n + j] = (rFd[i]! - r[i]!) / hj;
      }
    }
    // JᵀJ and g = Jᵀr.
    jtj.fill(0);
    g.fill(0);
    for (let i = 0; i < m; i++) {
      const row = i * n;
      const ri = r[i]!;
      for (let j = 0; j < n; j++) {
        const jij = jac[row + j]!;
        g[j] = g[j]! + jij * ri;
        for (let k = 0; k <= j; k++) jtj[j * n + k] = jtj[j * n + k]! + jij * jac[row + k]!;
      }
    }
    for (let j = 0; j < n; j++) for (let k = 0; k < j; k++) jtj[k * n + j] = jtj[j * n + k]!;
    // Active set: at a bound with −g pointing out of the box.
    let gMax = 0;
    for (let j = 0; j < n; j++) {
      const atLo = x[j]! <= lo[j]! && g[j]! > 0;
      const atHi = x[j]! >= hi[j]! && g[j]! < 0;
      free[j] = atLo || atHi ? 0 : 1;
      if (free[j]) gMax = Math.max(gMax, Math.abs(g[j]!));
    }
    if (gMax < gtol) {
      reason = 'gtol';
      break;
    }
    // Marquardt's scaling damps with λ·diag(JᵀJ), so λ is dimensionless and starts at τ = 1e-3 (Madsen et al.
    // 2004 §3.2 give τ·max diag(JᵀJ) for the additive damping λI; using that here made λ ~ 1e-3·max diag,
    // e.g. 1e5 on the lens residuals, so the first dozens of steps were tiny gradient steps and the
    // relative-decrease test below stopped the search far from the minimum: issue 21, χ² 8126.9 vs 8083.6).
    if (lambda < 0) lambda = 1e-3;
    // Inner loop: raise λ until a step lowers the cost.
    for (;;) {
      if (nEvals >= maxEvals) break outer;
      for (let j = 0; j < n; j++)
        for (let k = 0; k < n; k++) {
          const v = free[j] && free[k] ? jtj[j * n + k]! : j === k ? 1 : 0;
          a[j * n + k] = v;
        }
      for (let j = 0; j < n; j++) if (free[j]) a[j * n + j] = a[j * n + j]! + lambda * Math.max(jtj[j * n + j]!, 1e-12);
      const l = choleskyOrNull(a, n);
      if (!l) {
        lambda *= nu;
        nu *= 2;
        continue;
      }
      for (let j = 0; j < n; j++) step[j] = free[j] ? -g[j]! : 0;
      choleskySolveInPlace(l, n, step);
      let stepNorm = 0;
      let xNorm = 0;
      for (let j = 0; j < n; j++) {
        xTry[j] = Math.min(hi[j]!, Math.max(lo[j]!, x[j]! + step[j]!));
        step[j] = xTry[j]! - x[j]!;
        stepNorm += step[j]! ** 2;
        xNorm += x[j]! ** 2;
      }
      if (Math.sqrt(stepNorm) <= xtol * (Math.sqrt(xNorm) + xtol)) {
        reason = 'xtol';
        break outer;
      }
      // Predicted decrease of the Gauss–Newton model for the (clipped) step.
      let pred = 0;
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += jtj[j * n + k]! * step[k]!;
        pred -= step[j]! * (g[j]! + 0.5 * s);
      }
      const costTry = evalR(xTry, rTry);
      const rho = pred > 0 ? (cost - costTry) / pred : -1;
      if (costTry < cost && rho > 0) {
        const rel = (cost - costTry) / Math.max(cost, 1e-300);
        x.set(xTry);
        r.set(rTry);
        cost = costTry;
        lambda *= Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
        nu = 2;
        // A small relative decrease only means convergence when the step was not strongly damped: after a run
        // of rejected steps λ is large and an accepted step is a short gradient step whatever the distance to
        // the minimum (issue 21).
        if (rel < ftol && lambda < 1) {
          reason = 'ftol';
          break outer;
        }
        break;
      }
      lambda *= nu;
      nu *= 2;
      if (!Number.isFinite(lambda) || lambda > 1e30) {
        reason = 'stalled';
        break outer;
      }
    }
  }
  return { x, cost, residuals: r, nEvals, iterations, reason };
}
