// Per-band PSFs matched to a narrower common model PSF (Melchior et al. 2018 §2.2; reference
// deblending-and-generative.md §A1): P_b,obs = D_b ∗ P_model. The morphologies live in the model frame
// (model PSF, a Gaussian of σ ≈ 0.8 px), each band reaches its observed PSF through its difference
// kernel D_b, so the deconvolution stays well posed.
// D_b is computed by Wiener-regularised deconvolution in Fourier space on the PSF's own (odd) grid:
//   D̂_b = P̂_b · conj(M̂) / (|M̂|² + ε · max|M̂|²),
// with ε = 1e-3: where the model PSF has no power (|M̂| → 0) the ratio is damped instead of blowing
// up. Both PSFs are centred on the middle pixel, so their phases cancel and D_b comes out centred at
// index 0; it is rolled back to the middle, cropped and normalised to unit sum (flux conserving).
import { InputError } from '../errors';
import { fft, fft2 } from '../math/fft';
import type { PsfArray } from '../inverse/operators/convolution';
import { separableFactors, type SeparableKernel } from '../inverse/operators/separable';

export const MODEL_PSF_SIGMA = 0.8;
const WIENER_EPS = 1e-3;

/** A unit-sum circular Gaussian of σ pixels on an odd size × size grid, centred. */
export function gaussianKernel(sigma: number, size: number): PsfArray {
  const h = (size - 1) / 2;
  const kernel = new Float64Array(size * size);
  let s = 0;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const v = Math.exp(-((x - h) ** 2 + (y - h) ** 2) / (2 * sigma * sigma));
    kernel[y * size + x] = v;
    s += v;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] = kernel[i]! / s;
  return { kernel, height: size, width: size };
}

/** Second-moment σ (pixels) of a PSF image, for reports and for checking the model PSF is narrower. */
export function psfSigma(p: PsfArray): number {
  let s = 0, sx = 0, sy = 0;
  for (let y = 0; y < p.height; y++) for (let x = 0; x < p.width; x++) {
    const v = Math.max(0, p.kernel[y * p.width + x]!);
    s += v; sx += v * x; sy += v * y;
  }
  const cx = sx / s, cy = sy / s;
  let m = 0;
  for (let y = 0; y < p.height; y++) for (let x = 0; x < p.width; x++) {
    m += Math.max(0, p.kernel[y * p.width + x]!) * ((x - cx) ** 2 + (y - cy) ** 2);
  }
  return Math.sqrt(m / s / 2);
}

/** The PSF's pixels normalised to unit sum, after checking it is square, odd-sided, finite and of positive sum. */
function checkedPsf(psf: PsfArray, band: number): Float64Array {
  const { height: n, width: w } = psf;
  if (n !== w || n % 2 !== 1 || psf.kernel.length !== n * n) {
    throw new InputError('PSF_SHAPE', `band ${band}: PSF must be square with odd sides, got ${n} × ${w} (${psf.kernel.length} values)`, { band, height: n, width: w });
  }
  let sum = 0;
  for (let i = 0; i < psf.kernel.length; i++) {
    const v = psf.kernel[i]!;
    if (!Number.isFinite(v)) throw new InputError('PSF_NOT_FINITE', `band ${band}: PSF pixel ${i % n}, ${Math.floor(i / n)} is ${v}`, { band });
    sum += v;
  }
  if (!(sum > 0)) throw new InputError('PSF_SUM', `band ${band}: PSF pixels sum to ${sum} (must be > 0)`, { band, sum });
  return Float64Array.from(psf.kernel, (v) => v / sum);
}

/**
 * Difference kernel D_b with P_b ≈ D_b ∗ Gaussian(modelSigma), cropped to half-width `maxHalf`
 * (the kernel is compact when the model PSF is narrow) and normalised to unit sum.
 */
export function differenceKernel(psf: PsfArray, band: number, modelSigma = MODEL_PSF_SIGMA, maxHalf = 12): PsfArray {
  const n = psf.height;
  const pr = checkedPsf(psf, band), pi = new Float64Array(n * n);
  const m = gaussianKernel(modelSigma, n);
  const mr = Float64Array.from(m.kernel), mi = new Float64Array(n * n);
  fft2(pr, pi, n, n);
  fft2(mr, mi, n, n);
  let maxM = 0;
  for (let k = 0; k < n * n; k++) maxM = Math.max(maxM, mr[k]! ** 2 + mi[k]! ** 2);
  const eps = WIENER_EPS * maxM;
  for (let k = 0; k < n * n; k++) {
    const a = pr[k]!, b = pi[k]!, c = mr[k]!, d = mi[k]!, den = c * c + d * d + eps;
    // (a + ib)(c − id)/den
    pr[k] = (a * c + b * d) / den;
    pi[k] = (b * c - a * d) / den;
  }
  fft2(pr, pi, n, n, true);
  const h = (n - 1) / 2, hc = Math.min(h, maxHalf), wc = 2 * hc + 1;
  const kernel = new Float64Array(wc * wc);
  let s = 0;
  for (let y = -hc; y <= hc; y++) for (let x = -hc; x <= hc; x++) {
    const v = pr[((y + n) % n) * n + ((x + n) % n)]! / (n * n);
    kernel[(y + hc) * wc + (x + hc)] = v;
    s += v;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] = kernel[i]! / s;
  return { kernel, height: wc, width: wc };
}

/** The identity kernel (1 × 1): used when no PSF is given, so the model frame is the observed frame. */
export const DELTA_KERNEL: PsfArray = { kernel: new Float64Array([1]), height: 1, width: 1 };

/**
 * The difference kernel of a separable PSF (a Gaussian preset, any axis-aligned product) as two 1-D kernels,
 * or null when the PSF is not separable. The model PSF is a circular Gaussian, itself separable, so
 * D = D_col ⊗ D_row with each factor the 1-D Wiener-regularised deconvolution of the PSF's marginal by the
 * 1-D model Gaussian (same ε as the 2-D kernel above). Taps below 1e-7 of the peak are trimmed (the
 * kernel's ringing tail): the deblender then convolves directly in pixel space (separable.ts).
 */
export function separableDifferenceKernel(psf: PsfArray, band: number, modelSigma = MODEL_PSF_SIGMA, maxHalf = 12): SeparableKernel | null {
  const f = separableFactors({ kernel: checkedPsf(psf, band), height: psf.height, width: psf.width });
  return f && { col: differenceKernel1d(f.col, modelSigma, maxHalf), row: differenceKernel1d(f.row, modelSigma, maxHalf) };
}

function differenceKernel1d(profile: Float64Array, modelSigma: number, maxHalf: number): Float64Array {
  const n = profile.length, h = (n - 1) / 2;
  const pr = Float64Array.from(profile), pi = new Float64Array(n);
  const mr = Float64Array.from({ length: n }, (_, x) => Math.exp(-((x - h) ** 2) / (2 * modelSigma * modelSigma))), mi = new Float64Array(n);
  const ms = mr.reduce((a, b) => a + b, 0);
  for (let x = 0; x < n; x++) mr[x] = mr[x]! / ms;
  fft(pr, pi);
  fft(mr, mi);
  let maxM = 0;
  for (let k = 0; k < n; k++) maxM = Math.max(maxM, mr[k]! ** 2 + mi[k]! ** 2);
  // ε relative to the peak power, per axis, as the 2-D kernel does over both axes at once.
  const eps = WIENER_EPS * maxM;
  for (let k = 0; k < n; k++) {
    const a = pr[k]!, b = pi[k]!, c = mr[k]!, d = mi[k]!, den = c * c + d * d + eps;
    pr[k] = (a * c + b * d) / den;
    pi[k] = (b * c - a * d) / den;
  }
  fft(pr, pi, true);
  const full = Float64Array.from({ length: 2 * Math.min(h, maxHalf) + 1 }, (_, j) => pr[(j - Math.min(h, maxHalf) + n) % n]! / n);
  const peak = full.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let half = (full.length - 1) / 2;
  const mid = half;
  while (half > 0 && Math.abs(full[mid - half]!) < 1e-5 * peak && Math.abs(full[mid + half]!) < 1e-5 * peak) half--;
  const k = full.slice(mid - half, mid + half + 1);
  // A symmetric PSF has a symmetric kernel: remove the FFT's rounding asymmetry (~1e-16) so the
  // convolution can pair the taps (separable.ts).
  if (k.every((v, j) => Math.abs(v - k[k.length - 1 - j]!) <= 1e-12 * peak)) {
    for (let j = 0; j < half; j++) k[j] = k[k.length - 1 - j] = (k[j]! + k[k.length - 1 - j]!) / 2;
  }
  const s = k.reduce((a, b) => a + b, 0);
  for (let j = 0; j < k.length; j++) k[j] = k[j]! / s;
  return k;
}
