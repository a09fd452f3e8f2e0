// The learned morphology prior of the deblender (Lanusse, Melchior & Moolekamp 2019; scarlet2, Sampson
// et al. 2024; reference deblending-and-generative.md §A4): a score network s_θ(x, σ) ≈ ∇log p_σ(x)
// trained on 64 × 64 galaxies with peak 1 (src-core/score/galaxies.ts: Sérsic + clumps, centred within
// ±2 px of the stamp centre, r_e 2–10 px, no PSF). Each component's morphology S_k (unit sum, model frame)
// is brought to those units: a size × size window centred on the component's peak pixel (zeros outside
// the deblend frame), divided by its peak c_k. The prior term −λ log p(S_k / c_k) joins the loss; its
// gradient step with the solver's likelihood step 1/L_S is
//   S_k ← S_k + (λ / L_S) s_θ(S_k / c_k, σ) / c_k      (chain rule: ∂x/∂S = 1/c_k),
// capped at the full Tweedie step σ² c_k s_θ (x + σ² s = E[x₀ | x] at noise σ, Efron 2011) so a large
// 1/L_S never overshoots the denoiser; applied on the pixels of the window inside the frame.
// σ anneals geometrically from sigmaStart to sigmaEnd over `anneal` solver iterations (scarlet2 anneals
// the score's σ as the fit converges), so early steps shape the morphology and late ones only polish it.
// All components go through the network in one batch.
import { InputError } from '../errors';
import type { AsyncMorphologyPrior } from './prior';

/** s_θ(x, σ) for `count` images of size × size (row-major, stacked), all at one σ. */
export type BatchScoreFn = (x: Float32Array, sigma: number, count: number) => Promise<Float32Array>;

export interface ScoreWindowOptions {
  /** Window side in pixels = the network's input size (64 for the bundled prior). */
  size: number;
  /** σ at the first iteration and after `anneal` iterations, in peak-1 units. */
  sigmaStart?: number;
  sigmaEnd?: number;
  anneal?: number;
  /** λ, the weight of −log p against ½χ² (1 = the score as a true log-density gradient). */
  weight?: number;
  /** Keep monotonicity/symmetry alongside the prior (default: the prior replaces them, as in §A4). */
  keepConstraints?: boolean;
  /** Apply the prior every `every` solver iterations (the network is the costly part). */
  every?: number;
  name?: string;
}

export const SCORE_PRIOR_DEFAULTS = { sigmaStart: 0.1, sigmaEnd: 0.02, anneal: 100, weight: 1, every: 1 } as const;

export function windowedScorePrior(score: BatchScoreFn, o: ScoreWindowOptions): AsyncMorphologyPrior {
  const size = o.size;
  const s0 = o.sigmaStart ?? SCORE_PRIOR_DEFAULTS.sigmaStart, s1 = o.sigmaEnd ?? SCORE_PRIOR_DEFAULTS.sigmaEnd;
  const anneal = Math.max(1, o.anneal ?? SCORE_PRIOR_DEFAULTS.anneal), w = o.weight ?? SCORE_PRIOR_DEFAULTS.weight;
  if (!(s0 > 0 && s1 > 0)) throw new InputError('PRIOR_SIGMA', `score prior needs σ > 0, got ${s0} → ${s1}`, { sigmaStart: s0, sigmaEnd: s1 });
  if (!(w > 0)) throw new InputError('PRIOR_WEIGHT', `score prior weight must be > 0, got ${w}`, { weight: w });
  const every = Math.max(1, Math.round(o.every ?? SCORE_PRIOR_DEFAULTS.every));
  if (!(Number.isInteger(size) && size >= 8)) throw new InputError('PRIOR_SHAPE', `score prior window must be an integer ≥ 8, got ${size}`, { size });
  // The annealing clock restarts with each deblend (one prior serves a whole job): the solver passes the
  // same morphs array throughout one run.
  let iteration = 0, current: Float64Array[] | null = null;
  const half = size >> 1;
  return {
    name: o.name ?? 'score',
    replacesConstraints: !o.keepConstraints,
    async stepAll({ morphs, rows, cols, peaks, step }) {
      if (morphs !== current) { current = morphs; iteration = 0; }
      const K = morphs.length, d = size * size;
      const sigma = s0 * (s1 / s0) ** Math.min(1, iteration / anneal);
      if (iteration++ % every !== 0) return;
      const x = new Float32Array(K * d), scale = new Float64Array(K);
      for (let k = 0; k < K; k++) {
        const s = morphs[k]!, ox = peaks[k]!.x - half, oy = peaks[k]!.y - half;
        let c = 0;
        for (let i = 0; i < s.length; i++) c = Math.max(c, s[i]!);
        scale[k] = c;
        if (!(c > 0)) continue;
        for (let r = 0; r < size; r++) {
          const y = oy + r;
          if (y < 0 || y >= rows) continue;
          for (let q = 0; q < size; q++) {
            const xx = ox + q;
            if (xx >= 0 && xx < cols) x[k * d + r * size + q] = s[y * cols + xx]! / c;
          }
        }
      }
      const g = await score(x, sigma, K);
      for (let k = 0; k < K; k++) {
        const s = morphs[k]!, c = scale[k]!, ox = peaks[k]!.x - half, oy = peaks[k]!.y - half;
        if (!(c > 0)) continue;
        const tau = Math.min((w * every * step) / c, sigma * sigma * c);
        for (let r = 0; r < size; r++) {
          const y = oy + r;
          if (y < 0 || y >= rows) continue;
          for (let q = 0; q < size; q++) {
            const xx = ox + q;
            if (xx >= 0 && xx < cols) s[y * cols + xx] = s[y * cols + xx]! + tau * g[k * d + r * size + q]!;
          }
        }
      }
    },
  };
}
