// Step-size adaptation. Dual averaging (Nesterov 2009, as adapted by Hoffman & Gelman 2014, §3.2,
// Algorithm 5) drives the mean acceptance statistic to δ; the starting ε₀ comes from Stan's
// doubling/halving heuristic (base_hamiltonian::init_stepsize), and μ = log(10 ε₀).
import type { Rng } from '../rng';
import { hamiltonian, leapfrogStep } from './leapfrog';
import { sampleMomentum } from './metric';
import { makePoint, type HmcState, type LogDensityAndGrad } from './types';
import { InputError } from '../errors';

export interface DualAveragingOptions {
  /** Target mean acceptance statistic δ. */
  targetAccept: number;
  gamma: number;
  t0: number;
  kappa: number;
}

export const DUAL_AVERAGING_DEFAULTS: DualAveragingOptions = { targetAccept: 0.8, gamma: 0.05, t0: 10, kappa: 0.75 };

export interface DualAveragingState {
  /** Iterations since the last restart. */
  counter: number;
  /** Running average of (δ − acceptance), H̄ in Hoffman & Gelman. */
  sBar: number;
  /** Averaged log step size, log ε̄. */
  xBar: number;
  /** log ε used for the next transition. */
  logStepSize: number;
  mu: number;
}

export function dualAveragingInit(stepSize0: number): DualAveragingState {
  return { counter: 0, sBar: 0, xBar: 0, logStepSize: Math.log(stepSize0), mu: Math.log(10 * stepSize0) };
}

/** One update with the acceptance statistic of the last transition; returns a new state. */
export function dualAveragingUpdate(
  s: DualAveragingState,
  acceptStat: number,
  o: DualAveragingOptions = DUAL_AVERAGING_DEFAULTS,
): DualAveragingState {
  const a = Number.isFinite(acceptStat) ? Math.min(1, acceptStat) : 0;
  const counter = s.counter + 1;
  const eta = 1 / (counter + o.t0);
  const sBar = (1 - eta) * s.sBar + eta * (o.targetAccept - a);
  const x = s.mu - (sBar * Math.sqrt(counter)) / o.gamma;
  const xEta = Math.pow(counter, -o.kappa);
  const xBar = (1 - xEta) * s.xBar + xEta * x;
  return { counter, sBar, xBar, logStepSize: x, mu: s.mu };
}

/** The step size to keep after adaptation: exp(x̄). */
export function dualAveragingFinal(s: DualAveragingState): number {
  return Math.exp(s.xBar);
}

/**
 * Stan's heuristic: from ε, take one leapfrog step with fresh momentum; keep doubling ε while the
 * acceptance exp(H0 − H) stays above 0.8, or halving while it stays below, and return the first ε that
 * crosses. Throws InputError if ε runs off to 0 or 1e7 (a density with no usable curvature).
 */
export function findReasonableStepSize(
  rng: Rng,
  state: HmcState,
  logDensityAndGrad: LogDensityAndGrad,
  invMass: Float64Array,
  stepSize = 1,
): number {
  const z = makePoint(state.position.length);
  const logTarget = Math.log(0.8);
  const trial = (eps: number): number => {
    z.q.set(state.position);
    z.grad.set(state.grad);
    z.logDensity = state.logDensity;
    sampleMomentum(rng, invMass, z.p);
    const h0 = hamiltonian(z, invMass);
    leapfrogStep(z, eps, invMass, logDensityAndGrad);
    return h0 - hamiltonian(z, invMass); // NaN-safe: hamiltonian() maps NaN to +∞
  };
  let eps = stepSize;
  const direction = trial(eps) > logTarget ? 1 : -1;
  for (;;) {
    const dH = trial(eps);
    if (direction === 1 && !(dH > logTarget)) break;
    if (direction === -1 && !(dH < logTarget)) break;
    eps = direction === 1 ? 2 * eps : 0.5 * eps;
    if (eps > 1e7)
      throw new InputError('INFER_STEPSIZE', 'step size search diverged to > 1e7: is the posterior improper (flat)?');
    if (eps < 1e-300 || eps === 0)
      throw new InputError('INFER_STEPSIZE', 'step size search collapsed to 0: the log density or its gradient is not finite at the start');
  }
  return eps;
}
