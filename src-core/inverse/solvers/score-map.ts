// MAP with a score prior by annealed gradient ascent (learned-priors.md §6):
// x ← x + η_i [AᵀΣ⁻¹(y − Ax) + s(x, σ_i)] over a decreasing σ ladder, η_i = 1/(L_lik + L_prior(σ_i)),
// with L_prior(σ) = min(1/σ², priorLipschitz) (a learned score is ~1/σ²-Lipschitz in noise-dominated
// directions; a known prior can give a smaller bound). The result is the MAP of the σ_min-smoothed
// prior; with a Gaussian prior it is the Wiener solution (= the posterior mean).
import type { ScoreFn } from './posterior-score';
import { checkCancelled, type RunControl } from './run-control';
import { relativeChange } from './smooth';

export interface ScoreMapOptions extends RunControl {
  /** The posterior score (posteriorScore(prior, likelihood)). */
  score: ScoreFn;
  x0: Float64Array;
  sigmas: Float64Array;
  /** L_lik = ‖AᵀΣ⁻¹A‖. */
  likelihoodLipschitz: number;
  priorLipschitz?: number;
  stepsPerLevel?: number;
  /** On the last level, stop when the relative change < tol (default 1e-7). */
  tol?: number;
  /** Iteration cap on the last level (default 10 000). */
  maxFinalIter?: number;
}

export function scoreAscentMap(o: ScoreMapOptions): { x: Float64Array; iterations: number; converged: boolean } {
  const x = Float64Array.from(o.x0), prev = new Float64Array(x.length), g = new Float64Array(x.length);
  const T = o.stepsPerLevel ?? 20, tol = o.tol ?? 1e-7, cap = o.maxFinalIter ?? 10_000;
  let it = 0;
  const L = o.sigmas.length;
  for (let l = 0; l < L; l++) {
    checkCancelled(o.signal, 'score-ascent MAP', l);
    const s = o.sigmas[l]!;
    const eta = 1 / (o.likelihoodLipschitz + Math.min(1 / (s * s), o.priorLipschitz ?? Infinity));
    const steps = l === L - 1 ? cap : T;
    for (let t = 0; t < steps; t++) {
      prev.set(x);
      o.score(x, s, g);
      for (let i = 0; i < x.length; i++) x[i] = x[i]! + eta * g[i]!;
      it++;
      if (l === L - 1 && relativeChange(x, prev) < tol) return { x, iterations: it, converged: true };
    }
    o.onProgress?.(l + 1, L);
  }
  return { x, iterations: it, converged: false };
}
