// prox of an analysis prior, prox_{tφ}(v) = argmin_x ½‖x − v‖² + t Σ_g w_g‖(Kx)_g‖, on the dual
// (Chambolle 2004; Beck & Teboulle 2009, "FGP"): x = v − Kᵀu with u in the ball {‖u_g‖ ≤ t w_g},
// u minimising ½‖v − Kᵀu‖². Projected gradient u ← Π(u + τ K(v − Kᵀu)), τ = 1/‖K‖² (≤ 1/8 for ∇,
// 1 for the starlet), with Nesterov momentum (FGP). Stops on the relative change of x < tol or maxIter.
import { norm2 } from '../operators/norm';
import type { AnalysisPrior } from './prior';

export interface DualProxOptions {
  /** Step τ ≤ 1/‖K‖². */
  tau: number;
  maxIter?: number;
  tol?: number;
}

export function dualProx(prior: AnalysisPrior, v: Float64Array, t: number, o: DualProxOptions, out?: Float64Array): Float64Array {
  const K = prior.analysis;
  const x = out ?? new Float64Array(v.length);
  const maxIter = o.maxIter ?? 200, tol = o.tol ?? 1e-7;
  const m = K.apply(v).length;
  const u = new Float64Array(m), uPrev = new Float64Array(m), z = new Float64Array(m), g = new Float64Array(m);
  const ktz = new Float64Array(v.length), xPrev = new Float64Array(v.length);
  let tk = 1;
  x.set(v);
  for (let it = 0; it < maxIter; it++) {
    // x(z) = v − Kᵀz; gradient step on the dual at the extrapolated point z.
    K.adjoint(z, ktz);
    for (let i = 0; i < v.length; i++) ktz[i] = v[i]! - ktz[i]!;
    K.apply(ktz, g);
    uPrev.set(u);
    for (let i = 0; i < m; i++) u[i] = z[i]! + o.tau * g[i]!;
    prior.projectDual(u, t);
    const tNext = (1 + Math.sqrt(1 + 4 * tk * tk)) / 2;
    const beta = (tk - 1) / tNext;
    for (let i = 0; i < m; i++) z[i] = u[i]! + beta * (u[i]! - uPrev[i]!);
    tk = tNext;
    xPrev.set(x);
    K.adjoint(u, x);
    for (let i = 0; i < v.length; i++) x[i] = v[i]! - x[i]!;
    let d = 0;
    for (let i = 0; i < v.length; i++) d += (x[i]! - xPrev[i]!) ** 2;
    if (it > 0 && Math.sqrt(d) <= tol * Math.max(norm2(x), 1e-300)) break;
  }
  return x;
}
