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

/**
 * The white-noise σ of a size × size image (in its own units) from the robust scatter (1.4826 × MAD) of
 * second differences along rows, (x_{i−1} − 2x_i + x_{i+1})/√6: a smooth galaxy's gradient cancels and
 * its curvature is large only in its core, the noise does not cancel. ≈ 0 for a noiseless simulated stamp.
 */
export function imageNoiseSigma(img: ArrayLike<number>, size: number): number {
  const d = new Float64Array(size * (size - 2));
  let n = 0;
  for (let r = 0; r < size; r++) for (let c = 1; c + 1 < size; c++) d[n++] = (img[r * size + c - 1]! - 2 * img[r * size + c]! + img[r * size + c + 1]!) / Math.sqrt(6);
  const v = d.subarray(0, n).sort();
  const med = v[n >> 1]!;
  const dev = Float64Array.from(v, (x) => Math.abs(x - med)).sort();
  return 1.4826 * dev[n >> 1]!;
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
