// Diagonal Euclidean metric: momentum p ~ N(0, M) with M = diag(1 / inverseMassDiag).
// inverseMassDiag is the estimated posterior variance per coordinate (Stan's inv_metric), so a
// well-adapted metric makes the scaled problem roughly isotropic (Betancourt 2017, §4.2).
import type { Rng } from '../rng';

/** Kinetic energy ½ pᵀ M⁻¹ p. */
export function kineticEnergy(p: Float64Array, invMass: Float64Array): number {
  let k = 0;
  for (let i = 0; i < p.length; i++) k += p[i]! * p[i]! * invMass[i]!;
  return 0.5 * k;
}

/** out ← M⁻¹ p (the velocity dq/dt, Stan's dtau_dp or "p sharp"). */
export function velocity(p: Float64Array, invMass: Float64Array, out: Float64Array): void {
  for (let i = 0; i < p.length; i++) out[i] = invMass[i]! * p[i]!;
}

/** Draws p ~ N(0, M) in place. */
export function sampleMomentum(rng: Rng, invMass: Float64Array, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.normal() / Math.sqrt(invMass[i]!);
}

/** Unit metric of a given dimension. */
export function unitMetric(dim: number): Float64Array {
  return new Float64Array(dim).fill(1);
}
