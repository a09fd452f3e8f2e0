// Synthetic galaxy stamps for training score priors (learned-priors.md; the same model as the PyTorch
// peer's built-in set): a Sérsic profile (n ∈ [0.5, 4], r_e log-uniform in [2, 10] px, axis ratio
// [0.3, 1], any position angle, centre within ±2 px), averaged over 2×2 sub-pixels, plus 0–4 Gaussian
// star-forming clumps; peak-normalised to 1. b_n from Ciotti & Bertin (1999).
import { zigguratNormal } from '../lens/ziggurat';
import type { Rng } from '../rng';

export const sersicBn = (n: number) => 2 * n - 1 / 3 + 4 / (405 * n) + 46 / (25515 * n * n);

/** One galaxy into out (size×size, row-major). */
export function drawGalaxy(rng: Rng, size: number, out: Float32Array | Float64Array): void {
  const sub = 2;
  const n = rng.range(0.5, 4), re = Math.exp(rng.range(Math.log(2), Math.log(10))), q = rng.range(0.3, 1), phi = rng.range(0, Math.PI);
  const x0 = rng.range(-2, 2), y0 = rng.range(-2, 2);
  const bn = sersicBn(n), cp = Math.cos(phi), sp = Math.sin(phi);
  let peak = 0;
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      let s = 0;
      for (let a = 0; a < sub; a++)
        for (let b = 0; b < sub; b++) {
          const dy = r + (a + 0.5) / sub - size / 2 - y0, dx = c + (b + 0.5) / sub - size / 2 - x0;
          const xr = dx * cp + dy * sp, yr = -dx * sp + dy * cp;
          const rad = Math.sqrt(q * xr * xr + (yr * yr) / q);
          s += Math.exp(-bn * ((rad / re) ** (1 / n) - 1));
        }
      out[r * size + c] = s / (sub * sub);
      peak = Math.max(peak, out[r * size + c]!);
    }
  for (let i = 0; i < size * size; i++) out[i] = out[i]! / peak;
  const clumps = rng.int(5);
  for (let k = 0; k < clumps; k++) {
    const cx = x0 + 0.7 * re * zigguratNormal(rng), cy = y0 + 0.7 * re * zigguratNormal(rng);
    const w = rng.range(0.7, 2), amp = rng.range(0.05, 0.5);
    for (let r = 0; r < size; r++)
      for (let c = 0; c < size; c++) {
        const dx = c + 0.5 - size / 2 - cx, dy = r + 0.5 - size / 2 - cy;
        out[r * size + c] = out[r * size + c]! + amp * Math.exp(-(dx * dx + dy * dy) / (2 * w * w));
      }
  }
  let m = 0;
  for (let i = 0; i < size * size; i++) m = Math.max(m, out[i]!);
  for (let i = 0; i < size * size; i++) out[i] = out[i]! / m;
}

/** count galaxies, count×size×size float32. */
export function makeGalaxies(count: number, size: number, rng: Rng): Float32Array {
  const out = new Float32Array(count * size * size);
  for (let i = 0; i < count; i++) drawGalaxy(rng, size, out.subarray(i * size * size, (i + 1) * size * size));
  return out;
}
