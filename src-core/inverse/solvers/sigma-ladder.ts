// Noise-level ladders for annealed samplers (Song & Ermon 2019, 2020; learned-priors.md §3).
import { InputError } from '../../errors';

/** σ_1 > … > σ_L, geometric (constant ratio γ = σ_{i−1}/σ_i). */
export function geometricLadder(sigmaMax: number, sigmaMin: number, levels: number): Float64Array {
  if (!(sigmaMax > sigmaMin && sigmaMin > 0) || !(levels >= 2)) {
    throw new InputError('SIGMA_LADDER', `σ ladder needs σ_max > σ_min > 0 and ≥ 2 levels (got ${sigmaMax}, ${sigmaMin}, ${levels})`, { sigmaMax, sigmaMin, levels });
  }
  const r = Math.log(sigmaMin / sigmaMax) / (levels - 1);
  return Float64Array.from({ length: levels }, (_, i) => (i === levels - 1 ? sigmaMin : sigmaMax * Math.exp(r * i)));
}

/** Song & Ermon (2020) technique 1: σ_1 ≈ the largest distance between two images, ≈ √(2D)·rms for D pixels. */
export function sigmaMaxFor(pixels: number, pixelRms: number): number {
  return Math.sqrt(2 * pixels) * pixelRms;
}
