// Missed-mode check of a lens fit (issue 21). R̂ only compares chains with each other: chains that all start
// in the basin of a wrong optimum agree and report convergence for a posterior that excludes the truth. Two
// facts do not depend on where the chains started:
//  1. For draws from the posterior around a mode, χ² − χ²(mode) ~ χ²₁₂ (Wilks 1938; the 2 × bands amplitudes
//     are profiled), so among a few hundred draws the best lies a few units above χ²(MAP) and never below
//     it. A draw clearly below the MAP means the MAP is not the optimum of the basin the chains sample
//     (the search stopped on a slope or a bound) or the chains found a better basin: re-optimise from that
//     draw and sample again around the new optimum.
//  2. Chains that ended in different basins have different typical χ²: each chain's best χ² names its basin.
// Pure: used by src-main/fit/fit-lens.ts between sampling rounds.
import type { LensFitPlan } from './lens-fit';
import type { FitModel } from './param-spec';
import { preconditioned, toPhysical } from './lens-posterior';
import type { ChainResult } from './sample';

/** A posterior draw must beat χ²(MAP) by more than this to count as a better point (χ² units). LM stops within
 * ~1e-8 relative (≈ 1e-4 on 10⁴ pixels), so 1 is far above the optimiser's tolerance and far below the
 * ≈ 12 by which typical draws exceed the MAP. */
export const BETTER_THAN_MAP_CHI2 = 1;

export interface ModeCheck {
  /** χ² at the plan's MAP, in the sampled model's units (variances as sampled). */
  mapChi2: number;
  /** Lowest χ² among the examined draws, and the draw (physical θ). */
  bestDrawChi2: number;
  bestDrawTheta: number[];
  /** Lowest χ² found by each chain (same examination). */
  chainBestChi2: number[];
  /** A draw lies below the MAP by more than BETTER_THAN_MAP_CHI2. */
  betterThanMap: boolean;
  /** Chains whose best χ² lies more than `window` above the best chain's: they sample another basin. */
  strandedChains: number[];
}

/**
 * Examines the `perChain` draws of highest log density of each chain (z-space chains as sampled, with
 * stats.logDensity = −χ²/2 + log|J| + const) and evaluates their χ² exactly.
 */
export function checkModes(model: FitModel, plan: LensFitPlan, results: ChainResult[], o: { perChain?: number; window?: number } = {}): ModeCheck {
  const pre = preconditioned(() => 0, plan.centre, plan.scaleTril);
  const u = new Float64Array(model.spec.names.length), t = new Float64Array(model.spec.names.length);
  const mapChi2 = model.solve(plan.mapTheta).chi2;
  let bestDrawChi2 = Infinity;
  let bestDrawTheta: number[] = plan.mapTheta.slice();
  const chainBestChi2 = results.map((r) => {
    const order = Array.from({ length: r.nSamples }, (_, i) => i).sort((a, b) => r.stats.logDensity[b]! - r.stats.logDensity[a]!);
    let best = Infinity;
    for (const i of order.slice(0, o.perChain ?? 3)) {
      pre.toU(r.draws.subarray(i * r.dim, (i + 1) * r.dim), u);
      toPhysical(u, t, undefined, model.spec);
      const c = model.solve(t).chi2;
      if (c < best) best = c;
      if (c < bestDrawChi2) {
        bestDrawChi2 = c;
        bestDrawTheta = Array.from(t);
      }
    }
    return best;
  });
  const lowest = Math.min(...chainBestChi2);
  const window = o.window ?? 32.9;
  return {
    mapChi2, bestDrawChi2, bestDrawTheta, chainBestChi2,
    betterThanMap: bestDrawChi2 < mapChi2 - BETTER_THAN_MAP_CHI2,
    strandedChains: chainBestChi2.flatMap((c, k) => (c > lowest + window ? [k] : [])),
  };
}
