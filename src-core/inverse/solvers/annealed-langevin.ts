// Annealed Langevin dynamics (Song & Ermon 2019, Algorithm 1; learned-priors.md §3), for the posterior
// given its score at each level σ_i of a decreasing ladder:
//   α_i = r σ_i²  (r = ε/σ_L², the peer's --step-ratio; the 2019 convention),
//   repeat T times: x ← x + (α_i/2) s(x, σ_i) + √α_i z,  z ~ N(0, I).
// Chains start at x_0 = σ_1 z (plus an optional start image). Optionally a final Tweedie step
// x ← x + σ_L² s(x, σ_L) removes the σ_L smoothing (it shrinks fluctuations by c/(c + σ_L²), negligible
// for σ_L ≲ 0.1 σ_n; §3 "Ending" (a)).
import type { Rng } from '../../rng';
import { zigguratNormal } from '../../lens/ziggurat';
import type { ScoreFn } from './posterior-score';
import { checkCancelled, type RunControl } from './run-control';
import { summarizeSamples, type PosteriorSummary } from './summary';

export interface AnnealedLangevinOptions extends RunControl {
  score: ScoreFn;
  /** Pixels per sample. */
  size: number;
  chains: number;
  /** Decreasing σ ladder (sigma-ladder.ts). */
  sigmas: Float64Array;
  /** T, Langevin steps per level (default 10). */
  stepsPerLevel?: number;
  /** r = ε/σ_L² (default 1: accurate for posterior sampling, §3 table). Stable while r < 4. */
  stepRatio?: number;
  /** Final Tweedie denoising step (default true). */
  tweedie?: boolean;
  /** Added to σ_1 z at the start (e.g. Aᵀy or a MAP), default 0. */
  start?: Float64Array;
  rng: Rng;
  /** Nominal interval levels for the summary (default 68 %, 95 %). */
  intervalLevels?: number[];
}

export interface SamplerResult extends PosteriorSummary {
  samples: Float64Array[];
  /** Score evaluations made (all chains). */
  scoreEvaluations: number;
}

export function annealedLangevin(o: AnnealedLangevinOptions): SamplerResult {
  const T = o.stepsPerLevel ?? 10, r = o.stepRatio ?? 1;
  const xs = Array.from({ length: o.chains }, () => {
    const x = new Float64Array(o.size);
    for (let i = 0; i < o.size; i++) x[i] = (o.start ? o.start[i]! : 0) + o.sigmas[0]! * zigguratNormal(o.rng);
    return x;
  });
  const g = new Float64Array(o.size);
  let evals = 0;
  for (let l = 0; l < o.sigmas.length; l++) {
    checkCancelled(o.signal, 'annealed Langevin', l);
    const sigma = o.sigmas[l]!, alpha = r * sigma * sigma, half = alpha / 2, noise = Math.sqrt(alpha);
    for (const x of xs) {
      for (let t = 0; t < T; t++) {
        o.score(x, sigma, g);
        for (let i = 0; i < o.size; i++) x[i] = x[i]! + half * g[i]! + noise * zigguratNormal(o.rng);
      }
    }
    evals += T * o.chains;
    o.onProgress?.(l + 1, o.sigmas.length);
  }
  if (o.tweedie ?? true) {
    const sL = o.sigmas[o.sigmas.length - 1]!;
    for (const x of xs) {
      o.score(x, sL, g);
      for (let i = 0; i < o.size; i++) x[i] = x[i]! + sL * sL * g[i]!;
    }
    evals += o.chains;
  }
  return { samples: xs, scoreEvaluations: evals, ...summarizeSamples(xs, o.intervalLevels) };
}
