// Operator norm ‖A‖₂ = √λ_max(AᵀA) by power iteration (von Mises). FISTA and Condat–Vũ need it for
// their step sizes (learned-priors.md §10: 20–50 iterations, then a 1 % margin).
import { Rng } from '../../rng';
import { sizeOf, type LinearOperator } from './linear-operator';

export interface NormOptions {
  /** Maximum iterations (default 100). */
  maxIter?: number;
  /** Stop when the eigenvalue estimate changes by less than this, relatively (default 1e-7). */
  tol?: number;
  seed?: number;
}

/** Returns ‖A‖₂ (the largest singular value) and the iterations used. */
export function operatorNorm(a: LinearOperator, o: NormOptions = {}): { norm: number; iterations: number } {
  const n = sizeOf(a.inShape);
  const rng = new Rng(o.seed ?? 12345, 7);
  let x = Float64Array.from({ length: n }, () => rng.normal());
  const y = new Float64Array(sizeOf(a.outShape));
  let z = new Float64Array(n);
  let lambda = 0;
  const maxIter = o.maxIter ?? 100, tol = o.tol ?? 1e-7;
  let nx = norm2(x);
  for (let i = 0; i < n; i++) x[i] = x[i]! / nx;
  for (let it = 1; it <= maxIter; it++) {
    a.apply(x, y);
    a.adjoint(y, z);
    // Rayleigh quotient xᵀAᵀAx with ‖x‖ = 1.
    let next = 0;
    for (let i = 0; i < n; i++) next += x[i]! * z[i]!;
    nx = norm2(z);
    if (nx === 0) return { norm: 0, iterations: it };
    for (let i = 0; i < n; i++) z[i] = z[i]! / nx;
    [x, z] = [z, x];
    if (Math.abs(next - lambda) <= tol * Math.abs(next)) return { norm: Math.sqrt(next), iterations: it };
    lambda = next;
  }
  return { norm: Math.sqrt(lambda), iterations: maxIter };
}

export function norm2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}
