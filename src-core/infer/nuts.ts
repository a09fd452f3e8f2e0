// No-U-Turn Sampler with multinomial sampling along the trajectory and the generalised U-turn
// criterion on "sharp" momenta (Hoffman & Gelman 2014, JMLR 15, 1593; Betancourt 2017,
// arXiv:1701.02434, App. A), transcribed from Stan's base_nuts.hpp (v2.26+, including the extra
// checks across merged subtrees). Biased progressive sampling between the old trajectory and a new
// subtree, uniform progressive sampling inside subtrees. A subtree whose energy error exceeds
// MAX_DELTA_H stops the trajectory and marks the transition divergent (data in `info`).
// All per-level buffers are preallocated: building a tree allocates nothing.
import type { Rng } from '../rng';
import { hamiltonian, leapfrogStep } from './leapfrog';
import { sampleMomentum, velocity } from './metric';
import {
  MAX_DELTA_H,
  copyPoint,
  initState,
  makePoint,
  type HmcState,
  type Kernel,
  type LogDensityAndGrad,
  type PhasePoint,
  type TransitionInfo,
} from './types';

export interface NutsParams {
  logDensityAndGrad: LogDensityAndGrad;
  stepSize: number;
  /** Diagonal of M⁻¹; unit metric when omitted. */
  inverseMassDiag?: Float64Array;
  /** Maximum tree depth (2^depth leapfrog steps at most); Stan's default 10. */
  maxDepth?: number;
  /** Checked before every leapfrog step: when true the trajectory ends there and the transition is flagged
   * `interrupted` (a wall-clock budget, lens fit --max-seconds: one deep trajectory of an early warm-up draw
   * can cost 1023 gradients, so checking only between transitions overshoots the budget by minutes). */
  stopWhen?: () => boolean;
}

function logSumExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** Generalised U-turn check: the trajectory keeps going while both end velocities point along ρ. */
function noUTurn(pSharpMinus: Float64Array, pSharpPlus: Float64Array, rho: Float64Array): boolean {
  let a = 0;
  let b = 0;
  for (let i = 0; i < rho.length; i++) {
    a += pSharpPlus[i]! * rho[i]!;
    b += pSharpMinus[i]! * rho[i]!;
  }
  return a > 0 && b > 0;
}

function addInto(out: Float64Array, a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i]! + b[i]!;
}

interface Level {
  pInitEnd: Float64Array;
  pSharpInitEnd: Float64Array;
  rhoInit: Float64Array;
  zProposeFinal: PhasePoint;
  pFinalBeg: Float64Array;
  pSharpFinalBeg: Float64Array;
  rhoFinal: Float64Array;
  rhoExtended: Float64Array;
  lswInit: { logSumWeight: number };
  lswFinal: { logSumWeight: number };
}

export function nuts(params: NutsParams, dim: number): Kernel {
  const { logDensityAndGrad } = params;
  let stepSize = params.stepSize;
  const maxDepth = params.maxDepth ?? 10;
  let invMass = params.inverseMassDiag ?? new Float64Array(dim).fill(1);
  const vec = () => new Float64Array(dim);
  const levels: Level[] = Array.from({ length: maxDepth + 1 }, () => ({
    pInitEnd: vec(),
    pSharpInitEnd: vec(),
    rhoInit: vec(),
    zProposeFinal: makePoint(dim),
    pFinalBeg: vec(),
    pSharpFinalBeg: vec(),
    rhoFinal: vec(),
    rhoExtended: vec(),
    lswInit: { logSumWeight: -Infinity },
    lswFinal: { logSumWeight: -Infinity },
  }));
  const z = makePoint(dim);
  const zFwd = makePoint(dim);
  const zBck = makePoint(dim);
  const zSample = makePoint(dim);
  const zPropose = makePoint(dim);
  const [rho, rhoFwd, rhoBck, rhoExt] = [vec(), vec(), vec(), vec()];
  const [pFwdFwd, pFwdBck, pBckFwd, pBckBck] = [vec(), vec(), vec(), vec()];
  const [psFwdFwd, psFwdBck, psBckFwd, psBckBck] = [vec(), vec(), vec(), vec()];

  // Per-transition counters shared by the recursion (reset in step()).
  let nLeapfrog = 0;
  let sumMetroProb = 0;
  let divergent = false;
  let interrupted = false;
  const stopWhen = params.stopWhen;
  let h0 = 0;
  let rngRef: Rng;
  const out = { logSumWeight: -Infinity };

  /** Stan's build_tree: extends z by 2^depth steps in direction sign; returns false on a U-turn or divergence. */
  function buildTree(
    depth: number,
    zProp: PhasePoint,
    pSharpBeg: Float64Array,
    pSharpEnd: Float64Array,
    rhoAcc: Float64Array,
    pBeg: Float64Array,
    pEnd: Float64Array,
    sign: number,
    lsw: { logSumWeight: number },
  ): boolean {
    if (depth === 0) {
      if (stopWhen?.()) {
        interrupted = true;
        return false;
      }
      leapfrogStep(z, sign * stepSize, invMass, logDensityAndGrad);
      nLeapfrog++;
      const h = hamiltonian(z, invMass);
      if (h - h0 > MAX_DELTA_H) divergent = true;
      lsw.logSumWeight = logSumExp(lsw.logSumWeight, h0 - h);
      sumMetroProb += h0 - h > 0 ? 1 : Math.exp(h0 - h);
      copyPoint(zProp, z);
      velocity(z.p, invMass, pSharpBeg);
      pSharpEnd.set(pSharpBeg);
      for (let i = 0; i < dim; i++) rhoAcc[i] = rhoAcc[i]! + z.p[i]!;
      pBeg.set(z.p);
      pEnd.set(z.p);
      return !divergent;
    }
    const L = levels[depth]!;
    const lswInit = L.lswInit;
    lswInit.logSumWeight = -Infinity;
    L.rhoInit.fill(0);
    if (!buildTree(depth - 1, zProp, pSharpBeg, L.pSharpInitEnd, L.rhoInit, pBeg, L.pInitEnd, sign, lswInit))
      return false;
    const lswFinal = L.lswFinal;
    lswFinal.logSumWeight = -Infinity;
    copyPoint(L.zProposeFinal, z);
    L.rhoFinal.fill(0);
    if (
      !buildTree(depth - 1, L.zProposeFinal, L.pSharpFinalBeg, pSharpEnd, L.rhoFinal, L.pFinalBeg, pEnd, sign, lswFinal)
    )
      return false;
    // Multinomial (uniform progressive) choice between the two halves.
    const lswSubtree = logSumExp(lswInit.logSumWeight, lswFinal.logSumWeight);
    lsw.logSumWeight = logSumExp(lsw.logSumWeight, lswSubtree);
    if (lswFinal.logSumWeight > lswSubtree) copyPoint(zProp, L.zProposeFinal);
    else if (rngRef.uniform() < Math.exp(lswFinal.logSumWeight - lswSubtree)) copyPoint(zProp, L.zProposeFinal);
    // ρ of this subtree = ρ_init + ρ_final; U-turn checks across the merged subtree and its halves.
    const rhoSub = L.rhoExtended;
    addInto(rhoSub, L.rhoInit, L.rhoFinal);
    for (let i = 0; i < dim; i++) rhoAcc[i] = rhoAcc[i]! + rhoSub[i]!;
    let persist = noUTurn(pSharpBeg, pSharpEnd, rhoSub);
    addInto(rhoSub, L.rhoInit, L.pFinalBeg);
    persist = persist && noUTurn(pSharpBeg, L.pSharpFinalBeg, rhoSub);
    addInto(rhoSub, L.rhoFinal, L.pInitEnd);
    persist = persist && noUTurn(L.pSharpInitEnd, pSharpEnd, rhoSub);
    return persist;
  }

  return {
    init: (position) => initState(position, logDensityAndGrad),
    tune(eps: number, inverseMassDiag?: Float64Array) {
      stepSize = eps;
      if (inverseMassDiag) invMass = inverseMassDiag;
    },
    step(rng: Rng, state: HmcState): { state: HmcState; info: TransitionInfo } {
      rngRef = rng;
      nLeapfrog = 0;
      sumMetroProb = 0;
      divergent = false;
      interrupted = false;
      z.q.set(state.position);
      z.grad.set(state.grad);
      z.logDensity = state.logDensity;
      sampleMomentum(rng, invMass, z.p);
      copyPoint(zFwd, z);
      copyPoint(zBck, z);
      copyPoint(zSample, z);
      copyPoint(zPropose, z);
      velocity(z.p, invMass, psFwdFwd);
      psFwdBck.set(psFwdFwd);
      psBckFwd.set(psFwdFwd);
      psBckBck.set(psFwdFwd);
      pFwdFwd.set(z.p);
      pFwdBck.set(z.p);
      pBckFwd.set(z.p);
      pBckBck.set(z.p);
      rho.set(z.p);
      let logSumWeight = 0; // the initial point has weight exp(H0 − H0) = 1
      h0 = hamiltonian(z, invMass);
      let depth = 0;
      while (depth < maxDepth) {
        rhoFwd.fill(0);
        rhoBck.fill(0);
        out.logSumWeight = -Infinity;
        let valid: boolean;
        if (rng.uniform() > 0.5) {
          // Extend forward: the old trajectory becomes the backward part.
          copyPoint(z, zFwd);
          rhoBck.set(rho);
          pBckFwd.set(pFwdFwd);
          psBckFwd.set(psFwdFwd);
          valid = buildTree(depth, zPropose, psFwdBck, psFwdFwd, rhoFwd, pFwdBck, pFwdFwd, 1, out);
          copyPoint(zFwd, z);
        } else {
          copyPoint(z, zBck);
          rhoFwd.set(rho);
          pFwdBck.set(pBckBck);
          psFwdBck.set(psBckBck);
          valid = buildTree(depth, zPropose, psBckFwd, psBckBck, rhoBck, pBckFwd, pBckBck, -1, out);
          copyPoint(zBck, z);
        }
        if (!valid) break;
        depth++;
        // Biased progressive sampling: favour the new subtree (Betancourt 2017, App. A.3.2).
        if (out.logSumWeight > logSumWeight) copyPoint(zSample, zPropose);
        else if (rng.uniform() < Math.exp(out.logSumWeight - logSumWeight)) copyPoint(zSample, zPropose);
        logSumWeight = logSumExp(logSumWeight, out.logSumWeight);
        addInto(rho, rhoBck, rhoFwd);
        let persist = noUTurn(psBckBck, psFwdFwd, rho);
        addInto(rhoExt, rhoBck, pFwdBck);
        persist = persist && noUTurn(psBckBck, psFwdBck, rhoExt);
        addInto(rhoExt, rhoFwd, pBckFwd);
        persist = persist && noUTurn(psBckFwd, psFwdFwd, rhoExt);
        if (!persist) break;
      }
      const next: HmcState = {
        position: Float64Array.from(zSample.q),
        logDensity: zSample.logDensity,
        grad: Float64Array.from(zSample.grad),
      };
      return {
        state: next,
        info: {
          acceptProb: nLeapfrog > 0 ? sumMetroProb / nLeapfrog : 0,
          divergent,
          energy: hamiltonian(zSample, invMass),
          nSteps: nLeapfrog,
          treeDepth: depth,
          ...(interrupted ? { interrupted } : {}),
        },
      };
    },
  };
}
