// Shared shapes of the samplers (BlackJAX-style pure kernels, see DESIGN.md).
// A log density is given with its gradient in one call so that models can share work between the two
// (the lens likelihood computes both from the same templates). Positions are Float64Array in the
// unconstrained (sampling) coordinates; the caller owns any transform to physical parameters.

/**
 * log π(q) up to a constant, writing ∇ log π(q) into `gradOut` (same length as q).
 * Must not keep references to q or gradOut. Return -Infinity (or NaN) outside the support: the
 * samplers treat it as infinite energy (a divergence), never as an exception.
 */
export type LogDensityAndGrad = (q: Float64Array, gradOut: Float64Array) => number;

/** A point in phase space: position q, momentum p, cached log density and its gradient at q. */
export interface PhasePoint {
  q: Float64Array;
  p: Float64Array;
  grad: Float64Array;
  logDensity: number;
}

export function makePoint(dim: number): PhasePoint {
  return {
    q: new Float64Array(dim),
    p: new Float64Array(dim),
    grad: new Float64Array(dim),
    logDensity: Number.NaN,
  };
}

/** dst ← src without allocating (the tree builders keep preallocated points and copy into them). */
export function copyPoint(dst: PhasePoint, src: PhasePoint): void {
  dst.q.set(src.q);
  dst.p.set(src.p);
  dst.grad.set(src.grad);
  dst.logDensity = src.logDensity;
}

/**
 * Sampler state between transitions: immutable from the caller's point of view (kernels never
 * write into a state they were given; they return a new one).
 */
export interface HmcState {
  position: Float64Array;
  logDensity: number;
  grad: Float64Array;
}

/** init(position, logDensityAndGrad) → state: evaluates the density once at the start. */
export function initState(position: Float64Array, logDensityAndGrad: LogDensityAndGrad): HmcState {
  const q = Float64Array.from(position);
  const grad = new Float64Array(q.length);
  const logDensity = logDensityAndGrad(q, grad);
  return { position: q, logDensity, grad };
}

/** What one transition did. All sampler problems are reported here, as data. */
export interface TransitionInfo {
  /** Mean Metropolis acceptance probability over the trajectory (drives dual averaging). */
  acceptProb: number;
  /** True when the energy error exceeded the divergence threshold (1000) somewhere on the trajectory. */
  divergent: boolean;
  /** Hamiltonian H = −log π(q) + ½ pᵀM⁻¹p of the returned point (for E-BFMI). */
  energy: number;
  /** Leapfrog steps (gradient evaluations) used by this transition. */
  nSteps: number;
  /** NUTS tree depth reached (0 for HMC). */
  treeDepth: number;
  /** Set when the kernel's stopWhen (a time budget) cut the trajectory short: the returned point is still a
   * draw from the partial trajectory, but the transition is not the sampler's and callers discard it. */
  interrupted?: boolean;
}

export interface Kernel {
  init(position: Float64Array): HmcState;
  step(rng: import('../rng').Rng, state: HmcState): { state: HmcState; info: TransitionInfo };
  /**
   * Sets the step size (and optionally the inverse metric) for later steps, keeping the preallocated
   * work buffers: the warm-up changes ε every iteration and must not rebuild the kernel each time.
   */
  tune(stepSize: number, inverseMassDiag?: Float64Array): void;
}

/** Energy error beyond which a trajectory is called divergent (Stan's max_deltaH). */
export const MAX_DELTA_H = 1000;
