// The smallest noise-conditional score model that can be exact on Gaussian data: one periodic
// convolution kernel per training level, u(x̃, σ_ℓ) = k_ℓ ⊛ (c_in x̃). For a stationary Gaussian prior the
// optimal u is the linear filter û_k = −σ x̂̃_k/(c_k + σ²), a convolution, so a kernel covering the
// whole grid can reach the DSM loss floor (learned-priors.md §1, §7); a smaller support (radius r)
// gives a local, CNN-like model. Between training levels the output is interpolated linearly in log σ.
// Gradient of the loss ‖u + ε‖²/D with respect to k: (2/D)·(z ⋆ (u + ε)), a correlation, by FFT.
import { InputError } from '../errors';
import { fft2, freqIndex } from '../math/fft';
import type { ScoreModel } from './model';

export interface LinearConvOptions {
  rows: number;
  cols: number;
  /** Training levels σ_ℓ. */
  sigmas: Float64Array;
  /** Pixel std of the training data (for c_in). */
  sigmaData: number;
  /** Kernel support radius in pixels (Chebyshev); default: the whole grid. */
  radius?: number;
}

export class LinearConvScoreModel implements ScoreModel {
  readonly name = 'linear-conv';
  readonly shape: readonly [number, number];
  readonly sigmas: Float64Array;
  readonly params: Float64Array;
  readonly sigmaData: number;
  private readonly support: Uint8Array;
  private readonly n: number;
  private readonly zr: Float64Array;
  private readonly zi: Float64Array;
  private readonly kr: Float64Array;
  private readonly ki: Float64Array;
  private readonly tmp: Float64Array;

  constructor(o: LinearConvOptions) {
    if (o.sigmas.length < 1 || !o.sigmas.every((s) => s > 0)) throw new InputError('SCORE_SIGMAS', 'linear-conv score model needs σ levels > 0', {});
    this.shape = [o.rows, o.cols];
    this.sigmas = o.sigmas;
    this.sigmaData = o.sigmaData;
    this.n = o.rows * o.cols;
    this.params = new Float64Array(o.sigmas.length * this.n);
    const r = o.radius ?? Math.max(o.rows, o.cols);
    this.support = new Uint8Array(this.n);
    for (let a = 0; a < o.rows; a++) for (let b = 0; b < o.cols; b++) {
      if (Math.abs(freqIndex(a, o.rows)) <= r && Math.abs(freqIndex(b, o.cols)) <= r) this.support[a * o.cols + b] = 1;
    }
    this.zr = new Float64Array(this.n);
    this.zi = new Float64Array(this.n);
    this.kr = new Float64Array(this.n);
    this.ki = new Float64Array(this.n);
    this.tmp = new Float64Array(this.n);
  }

  private cIn(sigma: number): number {
    return 1 / Math.sqrt(this.sigmaData ** 2 + sigma * sigma);
  }

  /** out = k_ℓ ⊛ (c_in(σ_ℓ) x) at one training level (periodic). */
  private applyLevel(x: Float64Array, level: number, out: Float64Array): void {
    const [rows, cols] = this.shape;
    const c = this.cIn(this.sigmas[level]!), n = this.n;
    for (let i = 0; i < n; i++) { this.zr[i] = c * x[i]!; this.zi[i] = 0; }
    fft2(this.zr, this.zi, rows, cols);
    this.kr.set(this.params.subarray(level * n, (level + 1) * n));
    this.ki.fill(0);
    fft2(this.kr, this.ki, rows, cols);
    for (let k = 0; k < n; k++) {
      const a = this.zr[k]!, b = this.zi[k]!;
      this.zr[k] = a * this.kr[k]! - b * this.ki[k]!;
      this.zi[k] = a * this.ki[k]! + b * this.kr[k]!;
    }
    fft2(this.zr, this.zi, rows, cols, true);
    for (let i = 0; i < n; i++) out[i] = this.zr[i]! / n;
  }

  predict(xNoisy: Float64Array, sigma: number, out: Float64Array): void {
    const s = this.sigmas, L = s.length;
    // Bracketing levels in log σ (the ladder may be in either order); clamp outside.
    let lo = 0, hi = 0, w = 0;
    let best = Infinity;
    for (let l = 0; l < L; l++) if (Math.abs(Math.log(s[l]! / sigma)) < best) { best = Math.abs(Math.log(s[l]! / sigma)); lo = l; }
    hi = lo;
    for (let l = 0; l < L; l++) {
      if (l === lo) continue;
      const between = (s[l]! - sigma) * (s[lo]! - sigma) < 0;
      if (between && (hi === lo || Math.abs(Math.log(s[l]! / sigma)) < Math.abs(Math.log(s[hi]! / sigma)))) hi = l;
    }
    this.applyLevel(xNoisy, lo, out);
    if (hi === lo) return;
    w = Math.log(sigma / s[lo]!) / Math.log(s[hi]! / s[lo]!);
    this.applyLevel(xNoisy, hi, this.tmp);
    for (let i = 0; i < this.n; i++) out[i] = (1 - w) * out[i]! + w * this.tmp[i]!;
  }

  lossAndGradient(x: Float64Array, level: number, eps: Float64Array, grad: Float64Array): number {
    const [rows, cols] = this.shape;
    const n = this.n, sigma = this.sigmas[level]!, c = this.cIn(sigma);
    const xn = this.tmp;
    for (let i = 0; i < n; i++) xn[i] = x[i]! + sigma * eps[i]!;
    const u = new Float64Array(n);
    this.applyLevel(xn, level, u);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      u[i] = u[i]! + eps[i]!; // residual r = u + ε
      loss += u[i]! ** 2;
    }
    // ∂/∂k_j (1/D)Σ_i r_i² = (2/D) Σ_i r_i z_{i−j}: F⁻¹[conj(Ẑ) R̂]·(2/D).
    const zr = this.zr, zi = this.zi, rr = this.kr, ri = this.ki;
    for (let i = 0; i < n; i++) { zr[i] = c * xn[i]!; zi[i] = 0; rr[i] = u[i]!; ri[i] = 0; }
    fft2(zr, zi, rows, cols);
    fft2(rr, ri, rows, cols);
    for (let k = 0; k < n; k++) {
      const a = zr[k]!, b = -zi[k]!, p = rr[k]!, q = ri[k]!;
      rr[k] = a * p - b * q;
      ri[k] = a * q + b * p;
    }
    fft2(rr, ri, rows, cols, true);
    const g = grad.subarray(level * n, (level + 1) * n);
    for (let j = 0; j < n; j++) if (this.support[j]) g[j] = g[j]! + (2 / n) * (rr[j]! / n);
    return loss / n;
  }
}
