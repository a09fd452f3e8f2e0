// The Flow-VAE's observation operator in plain code (deblending-and-generative.md §B1):
// m = P(Π ∗ g) with g on the decoder grid (half the stamp's pixel), Π the PSF sampled on that grid
// (odd side, unit sum), P the 2×2 average onto the stamp grid. The training graph does the same in
// ONNX (perImageConv + AveragePool); this copy renders samples and checks the graph.

/** 'same' convolution (zero padding) of a side×side image with a k×k kernel (k odd): y = k ∗ x. */
export function convolveSame(x: ArrayLike<number>, side: number, kernel: ArrayLike<number>, k: number): Float64Array {
  const h = (k - 1) / 2, y = new Float64Array(side * side);
  for (let r = 0; r < side; r++)
    for (let c = 0; c < side; c++) {
      let s = 0;
      for (let a = -h; a <= h; a++) {
        const rr = r - a;
        if (rr < 0 || rr >= side) continue;
        for (let b = -h; b <= h; b++) {
          const cc = c - b;
          if (cc < 0 || cc >= side) continue;
          s += kernel[(a + h) * k + b + h]! * x[rr * side + cc]!;
        }
      }
      y[r * side + c] = s;
    }
  return y;
}

/** 2×2 average (pixelisation onto a grid of twice the pixel): side → side/2. */
export function average2x2(x: ArrayLike<number>, side: number): Float64Array {
  const s = side / 2, y = new Float64Array(s * s);
  for (let r = 0; r < s; r++)
    for (let c = 0; c < s; c++) y[r * s + c] = (x[2 * r * side + 2 * c]! + x[2 * r * side + 2 * c + 1]! + x[(2 * r + 1) * side + 2 * c]! + x[(2 * r + 1) * side + 2 * c + 1]!) / 4;
  return y;
}

/** m = P(Π ∗ g): decoder image (D×D) → stamp (D/2 × D/2). */
export function observe(g: ArrayLike<number>, side: number, psf: ArrayLike<number>, k: number): Float64Array {
  return average2x2(convolveSame(g, side, psf, k), side);
}

/** 1-D unit-sum Gaussian profile (k taps): gaussianPsf(f, k) is its outer product with itself. */
export function gaussianPsf1d(fwhmPixels: number, k: number): Float64Array {
  const s = fwhmPixels / (2 * Math.sqrt(2 * Math.log(2))), h = (k - 1) / 2, out = new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += out[i] = Math.exp(-((i - h) ** 2) / (2 * s * s));
  for (let i = 0; i < k; i++) out[i] = out[i]! / sum;
  return out;
}

/** 'same' convolution with the separable kernel p ⊗ p (p of odd length), zero padding. */
export function convolveSeparable(x: ArrayLike<number>, side: number, p: ArrayLike<number>): Float64Array {
  const k = p.length, h = (k - 1) / 2, t = new Float64Array(side * side), y = new Float64Array(side * side);
  for (let r = 0; r < side; r++)
    for (let c = 0; c < side; c++) {
      let s = 0;
      for (let b = -h; b <= h; b++) if (c - b >= 0 && c - b < side) s += p[b + h]! * x[r * side + c - b]!;
      t[r * side + c] = s;
    }
  for (let r = 0; r < side; r++)
    for (let c = 0; c < side; c++) {
      let s = 0;
      for (let a = -h; a <= h; a++) if (r - a >= 0 && r - a < side) s += p[a + h]! * t[(r - a) * side + c]!;
      y[r * side + c] = s;
    }
  return y;
}

/** A unit-sum circular Gaussian PSF of the given FWHM (in pixels of the grid), k×k, sampled at pixel centres. */
export function gaussianPsf(fwhmPixels: number, k: number): Float64Array {
  const s = fwhmPixels / (2 * Math.sqrt(2 * Math.log(2))), h = (k - 1) / 2, out = new Float64Array(k * k);
  let sum = 0;
  for (let r = 0; r < k; r++)
    for (let c = 0; c < k; c++) sum += out[r * k + c] = Math.exp(-((r - h) ** 2 + (c - h) ** 2) / (2 * s * s));
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / sum;
  return out;
}

/**
 * A PSF image given at the stamp's pixel (w×w, odd) resampled onto the decoder grid (half the pixel,
 * k×k, odd) by bilinear interpolation about the common centre, then renormalised to unit sum. An
 * approximation: a stamp-pixel PSF already holds the pixel response, which P applies again
 * (a box of one stamp pixel); for PSFs a few pixels wide the extra width is small (documented).
 */
export function psfToDecoderGrid(psf: ArrayLike<number>, w: number, k: number): Float64Array {
  const hw = (w - 1) / 2, hk = (k - 1) / 2, out = new Float64Array(k * k);
  const at = (r: number, c: number) => (r < 0 || c < 0 || r >= w || c >= w ? 0 : psf[r * w + c]!);
  let sum = 0;
  for (let r = 0; r < k; r++)
    for (let c = 0; c < k; c++) {
      const y = hw + (r - hk) / 2, x = hw + (c - hk) / 2;
      const y0 = Math.floor(y), x0 = Math.floor(x), fy = y - y0, fx = x - x0;
      const v = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
      sum += out[r * k + c] = Math.max(0, v);
    }
  if (!(sum > 0)) throw new Error('PSF has no positive flux on the decoder grid');
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / sum;
  return out;
}
