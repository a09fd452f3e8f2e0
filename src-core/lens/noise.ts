// Noise model of the reference page ("Instrument"): in electrons over the co-add,
// image = Poisson(object + sky) − sky + N(0, N_exp · rn²), variance = object + sky + N_exp · rn²
// (the noiseless model's variance, as survey weight maps give). Sky-subtracted, like co-adds.
import type { Rng } from '../rng';
import { zigguratNormal } from './ziggurat';

export interface NoiseOptions {
  /** Per-pixel sky e⁻ over the co-add. */
  sky: number;
  /** N_exp · read_noise² (e⁻²). */
  readVar: number;
  /**
   * Means at or above this use the normal approximation N(λ, λ) of the Poisson law (skewness
   * λ^{−1/2} ≤ 0.01 at the default 1e4: far below what one cutout can show). Infinity = exact
   * everywhere (PTRS, Hörmann 1993, in src-core/rng.ts).
   */
  gaussianAbove: number;
}

/** Writes the noisy image and the variance map (float32) for one band of one cutout. */
export function addNoise(
  model: Float64Array, n: number, o: NoiseOptions, rng: Rng, image: Float32Array, variance: Float32Array,
): void {
  const readSigma = Math.sqrt(o.readVar);
  for (let i = 0; i < n; i++) {
    const m = model[i] > 0 ? model[i] : 0;
    const lam = m + o.sky;
    let v: number;
    if (lam >= o.gaussianAbove) {
      // Poisson ≈ N(λ, λ), and the sum with the independent read noise is N(λ, λ + rn²): one draw.
      v = m + Math.sqrt(lam + o.readVar) * zigguratNormal(rng);
    } else {
      v = rng.poisson(lam) - o.sky + readSigma * zigguratNormal(rng);
    }
    image[i] = v;
    variance[i] = lam + o.readVar;
  }
}
