// Conjugate gradients (Hestenes & Stiefel 1952) for a symmetric positive-definite system P x = b,
// given P as a function. Used for the exact Gaussian posterior when no basis diagonalises it
// (inpainting, lensing; learned-priors.md §7): P = C⁻¹ + AᵀΣ⁻¹A, b = C⁻¹μ + AᵀΣ⁻¹y.
// Stopping rule: ‖r‖ ≤ tol·‖b‖ or maxIter.
import { InputError } from '../../errors';
import type { GaussianPrior } from '../priors/gaussian';
import type { Likelihood } from './likelihood';

export function conjugateGradient(
  apply: (x: Float64Array, out: Float64Array) => void, b: Float64Array,
  o: { x0?: Float64Array; tol?: number; maxIter?: number } = {},
): { x: Float64Array; iterations: number; converged: boolean } {
  const n = b.length, tol = o.tol ?? 1e-10, maxIter = o.maxIter ?? 10 * n;
  const x = o.x0 ? Float64Array.from(o.x0) : new Float64Array(n);
  const r = new Float64Array(n), p = new Float64Array(n), ap = new Float64Array(n);
  apply(x, ap);
  let rr = 0, bb = 0;
  for (let i = 0; i < n; i++) { r[i] = b[i]! - ap[i]!; p[i] = r[i]!; rr += r[i]! ** 2; bb += b[i]! ** 2; }
  const stop = tol * tol * bb;
  for (let it = 0; it < maxIter; it++) {
    if (rr <= stop) return { x, iterations: it, converged: true };
    apply(p, ap);
    let pap = 0;
    for (let i = 0; i < n; i++) pap += p[i]! * ap[i]!;
    if (!(pap > 0)) throw new InputError('CG_NOT_SPD', `conjugate gradients: pᵀPp = ${pap} at iteration ${it}; the system is not positive definite`, { iteration: it });
    const alpha = rr / pap;
    let rrNew = 0;
    for (let i = 0; i < n; i++) {
      x[i] = x[i]! + alpha * p[i]!;
      r[i] = r[i]! - alpha * ap[i]!;
      rrNew += r[i]! ** 2;
    }
    const beta = rrNew / rr;
    for (let i = 0; i < n; i++) p[i] = r[i]! + beta * p[i]!;
    rr = rrNew;
  }
  return { x, iterations: maxIter, converged: rr <= stop };
}

/**
 * Exact Gaussian posterior for any likelihood (σ = 0 score) and a stationary Gaussian prior, by CG:
 * the mean, and optionally the per-pixel posterior variance diag(P⁻¹) by one solve per pixel
 * (small images only: n solves).
 */
export function gaussianPosteriorCg(prior: GaussianPrior, lik: Likelihood, o: { variances?: boolean; tol?: number } = {}): { mean: Float64Array; variance?: Float64Array } {
  const n = prior.bands * prior.rows * prior.cols;
  const zero = new Float64Array(n), tmp = new Float64Array(n), sp = new Float64Array(n);
  // Likelihood score is b − Hx (b = AᵀΣ⁻¹y), so Hx = score(0) − score(x); prior score is −C⁻¹(x − μ).
  const b = lik.score(zero, 0);
  const mu = new Float64Array(n).fill(prior.mean);
  const cInvMu = prior.score(zero, 0); // score(0) = −C⁻¹(0 − μ) = C⁻¹μ
  const apply = (x: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) tmp[i] = x[i]! + mu[i]!;
    prior.score(tmp, 0, sp); // −C⁻¹x
    lik.score(x, 0, out);
    for (let i = 0; i < n; i++) out[i] = -sp[i]! + (b[i]! - out[i]!);
  };
  const rhs = b.map((v, i) => v + cInvMu[i]!);
  const mean = conjugateGradient(apply, rhs, { tol: o.tol ?? 1e-10 }).x;
  if (!o.variances) return { mean };
  const variance = new Float64Array(n), e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    variance[j] = conjugateGradient(apply, e, { tol: o.tol ?? 1e-10 }).x[j]!;
  }
  return { mean, variance };
}
