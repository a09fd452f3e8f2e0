// Random-walk Metropolis on exactly the log density NUTS samples in a lens fit (lens-fit runLensChain):
// z ↦ u = centre + L z (the plan's Laplace preconditioning) ↦ θ = toPhysical(u); log π = −χ²(θ)/2 + log|J(u)|
// (+ a constant). Value only: RWM needs no gradient, so each step costs one likelihood evaluation
// (LensModel.solve) instead of the ≈ 1.8 evaluations of the analytic gradient.
import type { LensModel } from '../../src-core/infer/lens-model';
import { N_LENS_PARAMS } from '../../src-core/infer/lens-model';
import type { LensFitPlan } from '../../src-core/infer/lens-fit';
import { preconditioned, toPhysical } from '../../src-core/infer/lens-posterior';
import { sampleRwm, type LogDensityFn, type RwmChainResult } from './rwm';
import type { ChainResult } from '../../src-core/infer/sample';

/** log π(z) of the lens fit in the plan's preconditioned coordinates, without gradient. */
export function lensLogDensityZ(model: LensModel, plan: LensFitPlan): LogDensityFn {
  const t = new Float64Array(N_LENS_PARAMS);
  const logU = (u: Float64Array): number => {
    const logJ = toPhysical(u, t);
    const chi2 = model.solve(t).chi2;
    const lp = -0.5 * chi2 + logJ;
    return Number.isFinite(lp) ? lp : -Infinity;
  };
  const pre = preconditioned(() => 0, plan.centre, plan.scaleTril);
  const u = new Float64Array(N_LENS_PARAMS);
  return (z) => {
    pre.toU(z, u);
    return logU(u);
  };
}

/** One RWM chain from the plan's start for `chain`, proposal initialised at s_d·I (z ≈ N(0, I) near the MAP). */
export function runLensRwmChain(
  model: LensModel,
  plan: LensFitPlan,
  o: { chain: number; seed: number; nBurnin: number; nSamples: number; thin?: number; signal?: { aborted: boolean } },
): RwmChainResult {
  return sampleRwm({
    logDensity: lensLogDensityZ(model, plan),
    init: Float64Array.from(plan.inits[o.chain % plan.inits.length]!),
    nBurnin: o.nBurnin,
    nSamples: o.nSamples,
    thin: o.thin,
    seed: o.seed,
    chain: o.chain,
    signal: o.signal,
  });
}

/** An RWM chain in the ChainResult shape (zero sampler statistics), so toPhysicalChains / summarise apply. */
export function rwmAsChainResult(r: RwmChainResult): ChainResult {
  const n = r.nSamples;
  return {
    chain: r.chain, dim: r.dim, nSamples: n, draws: r.draws,
    stats: {
      acceptProb: new Float64Array(n).fill(r.acceptRate), divergent: new Uint8Array(n), energy: new Float64Array(n),
      nSteps: new Int32Array(n).fill(1), treeDepth: new Int32Array(n), logDensity: r.logDensity,
    },
    stepSize: NaN, inverseMassDiag: new Float64Array(r.dim), warmupDivergences: 0,
    gradientEvals: { warmup: 0, sampling: 0 }, maxDepth: 0,
  };
}
