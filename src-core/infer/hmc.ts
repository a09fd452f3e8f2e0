// Static-trajectory HMC (Neal 2011, §5.3.2): draw p ~ N(0, M), take L leapfrog steps of size ε,
// accept the end point with probability min(1, exp(H0 − H1)). A trajectory whose energy error
// passes MAX_DELTA_H is stopped and reported as divergent (rejected), never thrown.
import type { Rng } from '../rng';
import { hamiltonian, leapfrogStep } from './leapfrog';
import { sampleMomentum } from './metric';
import {
  MAX_DELTA_H,
  initState,
  makePoint,
  type HmcState,
  type Kernel,
  type LogDensityAndGrad,
  type TransitionInfo,
} from './types';

export interface HmcParams {
  logDensityAndGrad: LogDensityAndGrad;
  stepSize: number;
  /** Diagonal of M⁻¹ (posterior variance estimate); unit metric when omitted. */
  inverseMassDiag?: Float64Array;
  /** Leapfrog steps per transition. */
  nSteps: number;
}

export function hmc(params: HmcParams, dim: number): Kernel {
  const { logDensityAndGrad, nSteps } = params;
  let stepSize = params.stepSize;
  let invMass = params.inverseMassDiag ?? new Float64Array(dim).fill(1);
  const z = makePoint(dim); // preallocated, reused by every step

  return {
    init: (position) => initState(position, logDensityAndGrad),
    tune(eps: number, inverseMassDiag?: Float64Array) {
      stepSize = eps;
      if (inverseMassDiag) invMass = inverseMassDiag;
    },
    step(rng: Rng, state: HmcState): { state: HmcState; info: TransitionInfo } {
      z.q.set(state.position);
      z.grad.set(state.grad);
      z.logDensity = state.logDensity;
      sampleMomentum(rng, invMass, z.p);
      const h0 = hamiltonian(z, invMass);
      let divergent = false;
      let taken = 0;
      for (; taken < nSteps; ) {
        leapfrogStep(z, stepSize, invMass, logDensityAndGrad);
        taken++;
        if (hamiltonian(z, invMass) - h0 > MAX_DELTA_H) {
          divergent = true;
          break;
        }
      }
      const h1 = hamiltonian(z, invMass);
      const acceptProb = divergent ? 0 : Math.min(1, Math.exp(h0 - h1));
      const accept = !divergent && rng.uniform() < acceptProb;
      const next: HmcState = accept
        ? { position: Float64Array.from(z.q), logDensity: z.logDensity, grad: Float64Array.from(z.grad) }
        : state;
      return {
        state: next,
        info: {
          acceptProb: Number.isFinite(acceptProb) ? acceptProb : 0,
          divergent,
          energy: accept ? h1 : h0,
          nSteps: taken,
          treeDepth: 0,
        },
      };
    },
  };
}
