// Leapfrog (velocity Verlet) integrator, the symplectic, time-reversible map HMC is built on
// (Neal 2011, "MCMC using Hamiltonian dynamics", eq. 5.18–5.20):
//   p ← p + ε/2 ∇log π(q);  q ← q + ε M⁻¹ p;  p ← p + ε/2 ∇log π(q).
// Works in place on a PhasePoint so the trajectory loops allocate nothing.
import { kineticEnergy } from './metric';
import type { LogDensityAndGrad, PhasePoint } from './types';

/** One leapfrog step of size eps (negative eps integrates backwards in time). */
export function leapfrogStep(
  z: PhasePoint,
  eps: number,
  invMass: Float64Array,
  logDensityAndGrad: LogDensityAndGrad,
): void {
  const { q, p, grad } = z;
  const n = q.length;
  const half = 0.5 * eps;
  for (let i = 0; i < n; i++) p[i] = p[i]! + half * grad[i]!;
  for (let i = 0; i < n; i++) q[i] = q[i]! + eps * invMass[i]! * p[i]!;
  z.logDensity = logDensityAndGrad(q, grad);
  for (let i = 0; i < n; i++) p[i] = p[i]! + half * grad[i]!;
}

/** L leapfrog steps in place. */
export function leapfrog(
  z: PhasePoint,
  eps: number,
  nSteps: number,
  invMass: Float64Array,
  logDensityAndGrad: LogDensityAndGrad,
): void {
  for (let s = 0; s < nSteps; s++) leapfrogStep(z, eps, invMass, logDensityAndGrad);
}

/** Hamiltonian H(q, p) = −log π(q) + ½ pᵀM⁻¹p; +Infinity where the density is zero or NaN. */
export function hamiltonian(z: PhasePoint, invMass: Float64Array): number {
  const h = -z.logDensity + kineticEnergy(z.p, invMass);
  return Number.isNaN(h) ? Number.POSITIVE_INFINITY : h;
}
