// Training images for score priors: stamps fitted to the model's square grid, the 8 symmetries of the
// square as augmentation (learned-priors.md §1: flips and 90° rotations for galaxies), and the
// per-mode variances c_k of the set, which give the Gaussian DSM floor Σ_k c_k/(c_k + σ²)/D (§1).
import { fft2 } from '../math/fft';

/** Centre crop or zero-pad a rows×cols image to size×size, then divide by its peak (peak 1, as the
 * simulated galaxies). Returns null when the image has no positive pixel. */
export function fitStamp(data: ArrayLike<number>, rows: number, cols: number, size: number): Float32Array | null {
  const out = new Float32Array(size * size);
  const r0 = Math.floor((rows - size) / 2), c0 = Math.floor((cols - size) / 2);
  let peak = 0;
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      const rr = r + r0, cc = c + c0;
      if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
      const v = data[rr * cols + cc]!;
      out[r * size + c] = Number.isFinite(v) ? v : 0;
      peak = Math.max(peak, out[r * size + c]!);
    }
  if (!(peak > 0)) return null;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / peak;
  return out;
}

/** dst = symmetry k ∈ [0, 8) of src (size×size): k & 3 quarter turns, k & 4 a transpose first. */
export function dihedral(src: ArrayLike<number>, dst: Float32Array, size: number, k: number): void {
  const n = size - 1;
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      let y = r, x = c;
      if (k & 4) [y, x] = [x, y];
      for (let t = 0; t < (k & 3); t++) [y, x] = [x, n - y];
      dst[y * size + x] = src[r * size + c]!;
    }
}

/** Per-mode variance c_k of the unitary DFT of (x − mean image), averaged over the set. */
export function setSpectrum(images: Float32Array, count: number, size: number): Float64Array {
  const d = size * size;
  const mean = new Float64Array(d);
  for (let i = 0; i < count; i++) for (let p = 0; p < d; p++) mean[p] += images[i * d + p]! / count;
  const c = new Float64Array(d), re = new Float64Array(d), im = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < d; p++) {
      re[p] = images[i * d + p]! - mean[p]!;
      im[p] = 0;
    }
    fft2(re, im, size, size);
    for (let p = 0; p < d; p++) c[p] += (re[p]! * re[p]! + im[p]! * im[p]!) / d / Math.max(1, count - 1);
  }
  return c;
}
