// PSF kernels and 'valid'-mode convolution of a padded frame down to the stamp.
// Gaussian (FWHM = 2√(2 ln 2) σ) is separable: two 1-D passes, (2h+1)·2 taps per pixel.
// Moffat (Moffat 1969, A&A 3, 455): I ∝ [1 + (r/α)²]^{−β}, FWHM = 2α √(2^{1/β} − 1); truncated
// at the radius holding 99.5 % of the flux and renormalised. Pixelised PSFs (e.g. from a FITS file)
// are used as given (odd, centred) after normalising. Kernels are point-sampled at pixel centres:
// the model is already pixel-averaged by the sub-pixel grid, so a box-integrated kernel would
// count the pixel twice. Non-separable kernels wider than 11 pixels go through an FFT.
import { InputError } from '../errors';
import { fft2, nextPow2 } from '../math/fft';

export type PsfSpec =
  | { type: 'gaussian'; fwhm: number }
  | { type: 'moffat'; fwhm: number; beta: number }
  | { type: 'pixel'; kernel: Float64Array | number[]; width: number; origin?: PsfOrigin };

/** Where a pixelised PSF came from (recorded in manifests and FITS headers so a set can be re-made). */
export interface PsfOrigin {
  /** File name as given (no directory). */
  file: string;
  /** SHA-256 of the file's bytes (hex). */
  sha256: string;
  /** Plane of a cube (0-based); absent for a 2-D image. */
  plane?: number;
}

/**
 * Checks a pixelised PSF before use; throws InputError naming `label` (file and band) for an even
 * or non-square size, non-finite pixels, a sum ≤ 0, or a peak more than one pixel from the centre
 * (refused: the simulator puts the lens on the kernel centre, so an off-centre PSF would shift every
 * image and the truth positions). Returns warnings, e.g. a flux-weighted centroid more than 0.5 px
 * from the centre (asymmetric PSFs are accepted).
 */
export function checkPixelPsf(kernel: ArrayLike<number>, width: number, label: string): string[] {
  if (width % 2 !== 1 || kernel.length !== width * width) {
    throw new InputError('PSF_SHAPE', `${label}: PSF must be square with odd sides, got ${width} wide, ${kernel.length} pixels`, { psf: label, width });
  }
  let sum = 0, best = -Infinity, bi = 0, sx = 0, sy = 0;
  for (let k = 0; k < kernel.length; k++) {
    const v = kernel[k];
    if (!Number.isFinite(v)) throw new InputError('PSF_NOT_FINITE', `${label}: PSF pixel ${k % width}, ${Math.floor(k / width)} is ${v}`, { psf: label, x: k % width, y: Math.floor(k / width) });
    sum += v; sx += v * (k % width); sy += v * Math.floor(k / width);
    if (v > best) { best = v; bi = k; }
  }
  if (!(sum > 0)) throw new InputError('PSF_SUM', `${label}: PSF pixels sum to ${sum} (must be > 0)`, { psf: label, sum });
  const c = (width - 1) / 2;
  const px = bi % width, py = Math.floor(bi / width);
  if (Math.abs(px - c) > 1 || Math.abs(py - c) > 1) {
    throw new InputError('PSF_OFF_CENTRE', `${label}: PSF peak at pixel (${px}, ${py}), more than 1 pixel from the centre (${c}, ${c}); re-centre it`, { psf: label, x: px, y: py });
  }
  const warnings: string[] = [];
  const dx = sx / sum - c, dy = sy / sum - c;
  if (Math.hypot(dx, dy) > 0.5) warnings.push(`${label}: PSF centroid ${dx.toFixed(2)}, ${dy.toFixed(2)} px from the centre (used as given)`);
  return warnings;
}

export interface PsfKernel {
  /** Half-width in pixels: the kernel is (2h+1)². */
  h: number;
  /** Separable 1-D kernel (Gaussian), sums to 1. */
  sep: Float64Array | null;
  /** Full 2-D kernel, row-major, flipped for correlation, sums to 1. */
  k2: Float64Array;
  /** Cached FFT of the kernel per transform size. */
  fftCache: Map<number, { re: Float64Array; im: Float64Array }>;
}

const SIGMA_PER_FWHM = 1 / (2 * Math.sqrt(2 * Math.LN2));
const FFT_ABOVE = 11; // kernel width above which non-separable kernels use the FFT

export function makeKernel(spec: PsfSpec, pixelScale: number): PsfKernel {
  let h: number;
  let sep: Float64Array | null = null;
  let k2: Float64Array;
  if (spec.type === 'gaussian') {
    const sigma = (spec.fwhm * SIGMA_PER_FWHM) / pixelScale;
    h = Math.max(1, Math.ceil(4 * sigma));
    sep = new Float64Array(2 * h + 1);
    let s = 0;
    for (let i = -h; i <= h; i++) s += sep[i + h] = Math.exp((-0.5 * i * i) / (sigma * sigma));
    for (let i = 0; i < sep.length; i++) sep[i] /= s;
    k2 = new Float64Array(sep.length * sep.length);
    for (let j = 0; j < sep.length; j++) for (let i = 0; i < sep.length; i++) k2[j * sep.length + i] = sep[i] * sep[j];
  } else if (spec.type === 'moffat') {
    if (!(spec.beta > 1)) throw new InputError('SIM_PSF', 'Moffat β must exceed 1', { beta: spec.beta });
    const alpha = spec.fwhm / (2 * Math.sqrt(2 ** (1 / spec.beta) - 1)) / pixelScale;
    const r995 = alpha * Math.sqrt(0.005 ** (-1 / (spec.beta - 1)) - 1);
    h = Math.max(1, Math.ceil(r995));
    const w = 2 * h + 1;
    k2 = new Float64Array(w * w);
    let s = 0;
    for (let j = -h; j <= h; j++) for (let i = -h; i <= h; i++) {
      const r2 = (i * i + j * j) / (alpha * alpha);
      s += k2[(j + h) * w + i + h] = i * i + j * j <= r995 * r995 ? (1 + r2) ** -spec.beta : 0;
    }
    for (let i = 0; i < k2.length; i++) k2[i] /= s;
  } else {
    const w = spec.width;
    if (w % 2 !== 1 || spec.kernel.length !== w * w) {
      throw new InputError('SIM_PSF', 'pixelised PSF must be an odd square array', { width: w, length: spec.kernel.length });
    }
    h = (w - 1) / 2;
    k2 = new Float64Array(w * w);
    let s = 0;
    // Flip so that the correlation loops below compute a true convolution.
    for (let i = 0; i < w * w; i++) s += k2[w * w - 1 - i] = spec.kernel[i];
    if (!(s > 0)) throw new InputError('SIM_PSF', 'pixelised PSF has no positive flux', { sum: s });
    for (let i = 0; i < k2.length; i++) k2[i] /= s;
  }
  return { h, sep, k2, fftCache: new Map() };
}

/**
 * out (size × size) = input (side × side, side = size + 2·margin) ⊛ kernel, 'valid' part.
 * Needs kernel.h ≤ margin. `tmp` is scratch of at least side·size values.
 */
export function convolveValid(
  input: Float64Array, side: number, margin: number, k: PsfKernel, out: Float64Array, tmp: Float64Array,
): void {
  const size = side - 2 * margin;
  const h = k.h;
  if (h > margin) throw new InputError('SIM_PSF', 'PSF wider than the render margin', { h, margin });
  const o = margin - h;
  const w = 2 * h + 1;
  if (k.sep) {
    // Symmetric kernel: acc = k_h x_0 + Σ_t k_{h−t} (x_{−t} + x_{+t}) halves the multiplies.
    const s = k.sep;
    const rows = size + 2 * h;
    for (let r = 0; r < rows; r++) {
      const inRow = (o + r) * side + o + h;
      const tRow = r * size;
      for (let j = 0; j < size; j++) {
        const c = inRow + j;
        let acc = s[h] * input[c];
        for (let t = 1; t <= h; t++) acc += s[h - t] * (input[c - t] + input[c + t]);
        tmp[tRow + j] = acc;
      }
    }
    for (let i = 0; i < size; i++) {
      const oRow = i * size;
      const cRow = (i + h) * size;
      const sc = s[h];
      for (let j = 0; j < size; j++) out[oRow + j] = sc * tmp[cRow + j];
      for (let t = 1; t <= h; t++) {
        const st = s[h - t];
        const up = cRow - t * size;
        const dn = cRow + t * size;
        for (let j = 0; j < size; j++) out[oRow + j] += st * (tmp[up + j] + tmp[dn + j]);
      }
    }
    return;
  }
  if (w <= FFT_ABOVE) {
    const k2 = k.k2;
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        let acc = 0;
        for (let a = 0; a < w; a++) {
          const base = (o + i + a) * side + o + j;
          const kr = a * w;
          for (let b = 0; b < w; b++) acc += k2[kr + b] * input[base + b];
        }
        out[i * size + j] = acc;
      }
    }
    return;
  }
  convolveFft(input, side, o, size, k, out);
}

function convolveFft(input: Float64Array, side: number, o: number, size: number, k: PsfKernel, out: Float64Array): void {
  // Circular correlation of length N ≥ side does not wrap inside the valid region (h ≤ margin).
  const n = nextPow2(side);
  const w = 2 * k.h + 1;
  let kf = k.fftCache.get(n);
  if (!kf) {
    const re = new Float64Array(n * n), im = new Float64Array(n * n);
    for (let a = 0; a < w; a++) for (let b = 0; b < w; b++) re[a * n + b] = k.k2[a * w + b];
    fft2(re, im, n, n, false);
    kf = { re, im };
    k.fftCache.set(n, kf);
  }
  const re = new Float64Array(n * n), im = new Float64Array(n * n);
  for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) re[r * n + c] = input[r * side + c];
  fft2(re, im, n, n, false);
  for (let i = 0; i < n * n; i++) {
    // X · conj(K): correlation with the (already flipped) kernel.
    const xr = re[i], xi = im[i], kr = kf.re[i], ki = kf.im[i];
    re[i] = xr * kr + xi * ki;
    im[i] = xi * kr - xr * ki;
  }
  fft2(re, im, n, n, true);
  const norm = 1 / (n * n);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) out[i * size + j] = re[(o + i) * n + o + j] * norm;
}
