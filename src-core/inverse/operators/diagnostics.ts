// Checks and estimates that work on any LinearOperator.
import { Rng } from '../../rng';
import { dot, sizeOf, type LinearOperator } from './linear-operator';

/**
 * Dot-product (adjoint) test: |⟨Au, v⟩ − ⟨u, Aᵀv⟩| / (‖Au‖‖v‖ + ‖u‖‖Aᵀv‖) for random normal u, v
 * (learned-priors.md §0). ~1e-16 for a correct adjoint in float64; O(1) for a wrong one.
 */
export function adjointMismatch(a: LinearOperator, seed = 1): number {
  const rng = new Rng(seed, 11);
  const u = Float64Array.from({ length: sizeOf(a.inShape) }, () => rng.normal());
  const v = Float64Array.from({ length: sizeOf(a.outShape) }, () => rng.normal());
  const au = a.apply(u), atv = a.adjoint(v);
  const lhs = dot(au, v), rhs = dot(u, atv);
  const scale = Math.sqrt(dot(au, au) * dot(v, v)) + Math.sqrt(dot(u, u) * dot(atv, atv));
  return Math.abs(lhs - rhs) / scale;
}

/**
 * Hutchinson-type estimate of diag(AAᵀ)_j = Σ_i A_ji² from E[(Az)_j²] with Rademacher z: the
 * per-pixel σ² AAᵀ term of the tempered likelihood for operators that are not diagonal in Fourier
 * (learned-priors.md §4: "for the lensing operator, use its diagonal"). Relative error ~ √(2/probes).
 */
export function estimateRowNormsSquared(a: LinearOperator, probes = 64, seed = 3): Float64Array {
  const rng = new Rng(seed, 13);
  const z = new Float64Array(sizeOf(a.inShape)), az = new Float64Array(sizeOf(a.outShape));
  const acc = new Float64Array(az.length);
  for (let t = 0; t < probes; t++) {
    for (let i = 0; i < z.length; i++) z[i] = rng.uniform() < 0.5 ? -1 : 1;
    a.apply(z, az);
    for (let j = 0; j < az.length; j++) acc[j] = acc[j]! + az[j]! * az[j]!;
  }
  for (let j = 0; j < acc.length; j++) acc[j] = acc[j]! / probes;
  return acc;
}
