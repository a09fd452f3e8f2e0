// Annealed Langevin (the same update as inverse/solvers/annealed-langevin.ts; Song & Ermon 2019,
// learned-priors.md §3) for a prior score that is only available as an *asynchronous batch* function,
// e.g. the score U-Net on onnxruntime (src-main/score/unet-engine.ts): all chains go through the
// network in one call per Langevin step, and the likelihood's tempered score is added per chain.
// src-core stays pure: the batch function is injected.
import { zigguratNormal } from '../lens/ziggurat';
import type { Rng } from '../rng';
import type { AnnealedLangevinOptions, SamplerResult } from '../inverse/solvers/annealed-langevin';
import { checkCancelled } from '../inverse/solvers/run-control';
import { summarizeSamples } from '../inverse/solvers/summary';

/** Prior score s(x_c, σ) for `chains` images packed chains×D (float32), same layout out. */
export type BatchScoreFn = (x: Float32Array, sigma: number, chains: number) => Promise<Float32Array>;

/** The one-image sampler's options (annealed-langevin.ts: ladder, step ratio, Tweedie, start, levels), with the
 * prior score batched over chains (one network call per step) and the likelihood score kept separate. */
export interface BatchedLangevinOptions extends Omit<AnnealedLangevinOptions, 'score'> {
  priorScore: BatchScoreFn;
  /** Tempered likelihood score at level σ (Likelihood.score), or none (prior sampling). */
  likelihood?: { score(x: Float64Array, sigma: number, out?: Float64Array): Float64Array };
  /** One start image per chain (e.g. exact Wiener posterior draws), instead of the shared `start`;
   * σ_1 z is added to each, as to `start`. */
  starts?: readonly Float64Array[];
  /** One likelihood per chain (chain c uses chainLikelihoods[c % length]) instead of `likelihood`: e.g. a
   * lensing operator per lens-model posterior draw, so the spread of the chains includes the lens uncertainty. */
  chainLikelihoods?: ReadonlyArray<{ score(x: Float64Array, sigma: number, out?: Float64Array): Float64Array }>;
}

export async function annealedLangevinBatched(o: BatchedLangevinOptions): Promise<SamplerResult> {
  const T = o.stepsPerLevel ?? 10, r = o.stepRatio ?? 1, D = o.size, B = o.chains;
  if (o.starts && o.starts.length !== B) throw new Error(`annealedLangevinBatched: ${o.starts.length} start images for ${B} chains`);
  const xs = Array.from({ length: B }, (_, c) => {
    const x = new Float64Array(D), s0 = o.starts ? o.starts[c]! : o.start;
    for (let i = 0; i < D; i++) x[i] = (s0 ? s0[i]! : 0) + o.sigmas[0]! * zigguratNormal(o.rng);
    return x;
  });
  const packed = new Float32Array(B * D), lik = new Float64Array(D);
  let evals = 0;
  const posterior = async (sigma: number, update: (x: Float64Array, g: (i: number) => number) => void) => {
    for (let c = 0; c < B; c++) packed.set(xs[c]!, c * D);
    const prior = await o.priorScore(packed, sigma, B);
    for (let c = 0; c < B; c++) {
      const x = xs[c]!, off = c * D;
      const l = o.chainLikelihoods?.length ? o.chainLikelihoods[c % o.chainLikelihoods.length] : o.likelihood;
      if (l) l.score(x, sigma, lik);
      update(x, l ? (i) => prior[off + i]! + lik[i]! : (i) => prior[off + i]!);
    }
    evals += B;
  };
  for (let l = 0; l < o.sigmas.length; l++) {
    checkCancelled(o.signal, 'annealed Langevin', l);
    const sigma = o.sigmas[l]!, alpha = r * sigma * sigma, half = alpha / 2, noise = Math.sqrt(alpha);
    for (let t = 0; t < T; t++)
      await posterior(sigma, (x, g) => {
        for (let i = 0; i < D; i++) x[i] = x[i]! + half * g(i) + noise * zigguratNormal(o.rng);
      });
    o.onProgress?.(l + 1, o.sigmas.length);
  }
  if (o.tweedie ?? true) {
    const sL = o.sigmas[o.sigmas.length - 1]!;
    await posterior(sL, (x, g) => {
      for (let i = 0; i < D; i++) x[i] = x[i]! + sL * sL * g(i);
    });
  }
  return { samples: xs, scoreEvaluations: evals, ...summarizeSamples(xs, o.intervalLevels) };
}
