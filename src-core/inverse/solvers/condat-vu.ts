// Condat–Vũ primal–dual splitting (Condat 2013; Vũ 2013; learned-priors.md §10) for
// min f(x) + g(x) + h(Kx), f smooth (L_f), g and h prox-able, K linear:
//   x_{n+1} = prox_{τg}(x_n − τ(∇f(x_n) + Kᵀu_n));
//   u_{n+1} = prox_{σh*}(u_n + σK(2x_{n+1} − x_n)).
// Converges if 1/τ − σ‖K‖² > L_f/2; we take τ = 0.99/(L_f/2 + σ‖K‖²), σ = 1/‖K‖ by default.
// For an analysis prior h = φ (TV, ℓ1-starlet) prox_{σh*} is the projection onto its dual ball,
// whatever σ. Stopping rule: relative change of x < tol (default 1e-5) or maxIter (default 1000).
import type { LinearOperator } from '../operators/linear-operator';
import { operatorNorm } from '../operators/norm';
import type { AnalysisPrior } from '../priors/prior';
import type { OptimizerResult } from './fista';
import { checkCancelled, type RunControl } from './run-control';
import { relativeChange, type SmoothTerm } from './smooth';

export interface CondatVuOptions extends RunControl {
  x0: Float64Array;
  smooth: SmoothTerm;
  /** L_f. */
  lipschitz: number;
  /** h∘K given as an analysis prior (its K, and the dual-ball projection = prox_{σh*}). */
  analysis: AnalysisPrior;
  /** prox_{τg} (e.g. positivity: max(·, 0)); identity when absent. */
  proxG?: (v: Float64Array, tau: number, out: Float64Array) => void;
  /** ‖K‖ (power iteration when absent). */
  normK?: number;
  sigma?: number;
  maxIter?: number;
  tol?: number;
}

export function condatVu(o: CondatVuOptions): OptimizerResult {
  const K: LinearOperator = o.analysis.analysis;
  const nK = o.normK ?? operatorNorm(K, { maxIter: 200, tol: 1e-8 }).norm * 1.01;
  const sigma = o.sigma ?? 1 / nK;
  const tau = 0.99 / (o.lipschitz / 2 + sigma * nK * nK);
  const maxIter = o.maxIter ?? 1000, tol = o.tol ?? 1e-5;
  const n = o.x0.length;
  const x = Float64Array.from(o.x0), xPrev = new Float64Array(n), grad = new Float64Array(n), ktu = new Float64Array(n), w = new Float64Array(n);
  const u = new Float64Array(K.apply(x).length), kx = new Float64Array(u.length);
  const objective: number[] = [];
  for (let k = 1; k <= maxIter; k++) {
    checkCancelled(o.signal, 'Condat–Vũ', k);
    xPrev.set(x);
    o.smooth.gradient(x, grad);
    K.adjoint(u, ktu);
    for (let i = 0; i < n; i++) w[i] = x[i]! - tau * (grad[i]! + ktu[i]!);
    if (o.proxG) o.proxG(w, tau, x);
    else x.set(w);
    for (let i = 0; i < n; i++) w[i] = 2 * x[i]! - xPrev[i]!;
    K.apply(w, kx);
    for (let i = 0; i < u.length; i++) u[i] = u[i]! + sigma * kx[i]!;
    o.analysis.projectDual(u, 1);
    objective.push(o.smooth.value(x) + o.analysis.penalty(x));
    o.onProgress?.(k, maxIter);
    if (k > 1 && relativeChange(x, xPrev) < tol) return { x, iterations: k, converged: true, objective };
  }
  return { x, iterations: maxIter, converged: false, objective };
}

/** prox of the positivity constraint (galaxy images): max(·, 0). */
export function positivity(v: Float64Array, _tau: number, out: Float64Array): void {
  for (let i = 0; i < v.length; i++) out[i] = Math.max(0, v[i]!);
}
