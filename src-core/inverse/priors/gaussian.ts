// Stationary Gaussian prior N(μ, C), C = Fᴴ diag(c_k) F per image plane (learned-priors.md §0, §2, §9).
// c_k = E|x̂_k|² is the per-mode variance of the UNITARY DFT, on the full rows × cols grid in numpy's
// bin order; the pixel variance is (1/N) Σ_k c_k. The exact score of the σ-smoothed prior is
// ∇log p_σ(x) = −Fᴴ[(x̂ − μ̂)/(c_k + σ²)], which is what the "exact Gaussian tests" of §7 plug into the
// samplers in place of a network. MAP with it is the Wiener filter.
import { InputError } from '../../errors';
import { fft2, freqIndex } from '../../math/fft';
import type { Rng } from '../../rng';
import { FourierMultiplier } from '../operators/fourier-multiplier';
import type { Shape } from '../operators/linear-operator';
import type { Prior } from './prior';

export interface GaussianPriorOptions {
  /** [rows, cols] or [bands, rows, cols]; every band uses the same spectrum. */
  shape: Shape;
  /** c_k > 0, rows × cols, numpy FFT order (unitary-DFT convention). */
  spectrum: Float64Array;
  /** Mean (a constant; default 0). */
  mean?: number;
}

export class GaussianPrior implements Prior {
  readonly name = 'gaussian';
  readonly shape: Shape;
  readonly rows: number;
  readonly cols: number;
  readonly bands: number;
  readonly spectrum: Float64Array;
  readonly mean: number;
  private readonly fm: FourierMultiplier;
  private readonly mul: Float64Array;
  private readonly plane: Float64Array;
  private mulSigma = Number.NaN;

  constructor(o: GaussianPriorOptions) {
    this.shape = o.shape;
    [this.bands, this.rows, this.cols] = o.shape.length === 3 ? [o.shape[0]!, o.shape[1]!, o.shape[2]!] : [1, o.shape[0]!, o.shape[1]!];
    if (o.spectrum.length !== this.rows * this.cols) {
      throw new InputError('PRIOR_SPECTRUM', `Gaussian prior: spectrum has ${o.spectrum.length} modes, the ${this.rows} × ${this.cols} grid needs ${this.rows * this.cols}`, { got: o.spectrum.length });
    }
    for (let k = 0; k < o.spectrum.length; k++) {
      if (!(o.spectrum[k]! > 0)) throw new InputError('PRIOR_SPECTRUM', `Gaussian prior: c_k must be > 0; mode ${k} is ${o.spectrum[k]}`, { mode: k });
    }
    this.spectrum = o.spectrum;
    this.mean = o.mean ?? 0;
    this.fm = new FourierMultiplier(this.rows, this.cols);
    this.mul = new Float64Array(this.rows * this.cols);
    this.plane = new Float64Array(this.rows * this.cols);
  }

  /** Pixel variance (1/N) Σ_k c_k. */
  pixelVariance(): number {
    return this.spectrum.reduce((s, v) => s + v, 0) / this.spectrum.length;
  }

  logDensity(x: Float64Array): number {
    const n = this.rows * this.cols;
    const re = new Float64Array(n), im = new Float64Array(n);
    let s = 0;
    for (let b = 0; b < this.bands; b++) {
      for (let i = 0; i < n; i++) re[i] = x[b * n + i]! - this.mean;
      im.fill(0);
      fft2(re, im, this.rows, this.cols, false);
      // Unitary: |x̂_k|² = |X_k|²/N.
      for (let k = 0; k < n; k++) s += (re[k]! ** 2 + im[k]! ** 2) / n / this.spectrum[k]!;
    }
    return -0.5 * s;
  }

  /** −Fᴴ[(x̂ − μ̂)/(c_k + σ²)] per band. */
  score(x: Float64Array, sigma: number, out?: Float64Array): Float64Array {
    const o = out ?? new Float64Array(x.length);
    if (this.mulSigma !== sigma) {
      for (let k = 0; k < this.mul.length; k++) this.mul[k] = -1 / (this.spectrum[k]! + sigma * sigma);
      this.mulSigma = sigma;
    }
    this.filter(x, this.mul, o, true);
    return o;
  }

  /** argmin ½‖x − v‖² + (t/2)(x − μ)ᵀC⁻¹(x − μ): per mode x̂ = (c v̂ + t μ̂)/(c + t). */
  prox(v: Float64Array, t: number, out?: Float64Array): Float64Array {
    const o = out ?? new Float64Array(v.length);
    const m = this.spectrum.map((c) => c / (c + t));
    this.filter(v, m, o, true);
    for (let i = 0; i < o.length; i++) o[i] = o[i]! + this.mean;
    return o;
  }

  /** A draw x = μ + Fᴴ(√c ⊙ F w), w ~ N(0, I) (a Gaussian random field). */
  sample(rng: Rng, out?: Float64Array): Float64Array {
    const n = this.rows * this.cols;
    const o = out ?? new Float64Array(this.bands * n);
    const sq = this.spectrum.map(Math.sqrt);
    for (let b = 0; b < this.bands; b++) {
      for (let i = 0; i < n; i++) this.plane[i] = rng.normal();
      const ob = o.subarray(b * n, (b + 1) * n);
      this.fm.apply(this.plane, sq, null, ob);
      for (let i = 0; i < n; i++) ob[i] = ob[i]! + this.mean;
    }
    return o;
  }

  /** Applies the real multiplier m to (x − μ) (centre) or x, band by band. */
  private filter(x: Float64Array, m: Float64Array, out: Float64Array, centre: boolean): void {
    const n = this.rows * this.cols;
    if (x.length !== this.bands * n) {
      throw new InputError('OPERATOR_SHAPE', `Gaussian prior: image has ${x.length} values, expected ${this.bands * n}`, { got: x.length, expected: this.bands * n });
    }
    for (let b = 0; b < this.bands; b++) {
      const xb = x.subarray(b * n, (b + 1) * n);
      if (centre && this.mean !== 0) {
        for (let i = 0; i < n; i++) this.plane[i] = xb[i]! - this.mean;
        this.fm.apply(this.plane, m, null, out.subarray(b * n, (b + 1) * n));
      } else {
        this.fm.apply(xb, m, null, out.subarray(b * n, (b + 1) * n));
      }
    }
  }
}

/**
 * c_k ∝ (|k|² + k0²)^(−slope/2), |k| in cycles per pixel (numpy fftfreq), scaled so that the pixel
 * variance (1/N) Σ c_k is pixelStd² (the peer's Gaussian test: slope 2, k0 = 2/n, pixelStd 1).
 */
export function powerLawSpectrum(rows: number, cols: number, o: { slope: number; k0: number; pixelStd: number }): Float64Array {
  const c = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const ky = freqIndex(r, rows) / rows, kx = freqIndex(q, cols) / cols;
      c[r * cols + q] = (kx * kx + ky * ky + o.k0 * o.k0) ** (-o.slope / 2);
    }
  }
  const mean = c.reduce((s, v) => s + v, 0) / c.length;
  for (let k = 0; k < c.length; k++) c[k] = (c[k]! * o.pixelStd * o.pixelStd) / mean;
  return c;
}

/**
 * c_k estimated from training images (each rows × cols): the mean of |x̂_k − μ̂_k|² (unitary DFT),
 * averaged over rings of equal |k| (radial, for an isotropic prior; learned-priors.md §9), with a floor
 * so every c_k > 0. Returns the spectrum and the pixel mean μ.
 */
export function estimateSpectrum(images: readonly Float64Array[], rows: number, cols: number, floor = 1e-12): { spectrum: Float64Array; mean: number } {
  const n = rows * cols;
  if (images.length === 0) throw new InputError('PRIOR_SPECTRUM', 'no training images to estimate a spectrum from', {});
  let mean = 0;
  for (const im of images) for (let i = 0; i < n; i++) mean += im[i]!;
  mean /= images.length * n;
  const p = new Float64Array(n), re = new Float64Array(n), im2 = new Float64Array(n);
  for (const img of images) {
    for (let i = 0; i < n; i++) re[i] = img[i]! - mean;
    im2.fill(0);
    fft2(re, im2, rows, cols, false);
    for (let k = 0; k < n; k++) p[k] = p[k]! + (re[k]! ** 2 + im2[k]! ** 2) / n / images.length;
  }
  const ring = (k: number) => {
    const ky = freqIndex(Math.floor(k / cols), rows) / rows, kx = freqIndex(k % cols, cols) / cols;
    return Math.round(Math.hypot(kx, ky) * Math.max(rows, cols));
  };
  const sum = new Map<number, [number, number]>();
  for (let k = 0; k < n; k++) {
    const r = ring(k), e = sum.get(r) ?? [0, 0];
    e[0] += p[k]!;
    e[1]++;
    sum.set(r, e);
  }
  const spectrum = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const [s, c] = sum.get(ring(k))!;
    spectrum[k] = Math.max(s / c, floor);
  }
  return { spectrum, mean };
}

