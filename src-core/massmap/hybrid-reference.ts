// The Gaussian part of the hybrid-prior posterior at level σ, as the reference of the pCN Langevin sampler
// (src-core/score/pcn-langevin.ts): prior N(0, P_k + σ²) (the smoothed Gaussian prior of gaussian-score.ts)
// times Remy et al.'s tempered likelihood N(γ; Pκ, (τ + σ²)I) with one noise variance τ for every pixel
// (mass-mapping.md §5a, §7). P is unitary, so κ_KS = KS93 E map of γ is a sufficient statistic and the
// reference is diagonal in Fourier:
//   C_k = 1 / [1/(P_k + σ²) + 1/(τ + σ²)],   m̂_k = C_k κ̂_KS,k / (τ + σ²).
// The mean mode is left free by the prior (ℓ = 0, mass-sheet degeneracy) and unmeasured by the shear
// (D(0) = 0): the reference gives it variance 0 around 0, i.e. the chains sample the zero-mean slice (the
// drift's mean is then ignored too: C kills it). The bundled residual pushes the map mean when left free.
// For white noise without a mask (τ = σ_pix²) this is the exact Gaussian part of the tempered posterior and
// the drift of the learned factor is r_θ alone. Otherwise τ = the smallest pixel variance (as the messenger
// field takes T = min N, Elsner & Wandelt 2013), and the drift also carries the difference between the true
// tempered likelihood score (masked pixels weight 0) and the reference's:
//   ∇Φ = r_θ + Pᵀ[(γ − Pκ)/(Σ + σ²)] − F⁻¹[(κ̂_KS − κ̂)/(τ + σ²)]_{ℓ≠0}.
// With τ ≤ every Σ_i the reference is at least as confident as the data, so C·∇²Φ has eigenvalues in
// [0, 1) on the Gaussian part and the pCN step stays stable for every δ.
import { fft2 } from '../math/fft';
import type { Rng } from '../rng';
import type { GaussianReference } from '../score/pcn-langevin';
import { ks93, type KsKernel } from './ks93';
import { shearLikelihood } from './hybrid';
import { isWhite } from './wiener';

/** N(mean, F⁻¹ diag(c) F) on a real rows × cols grid (c symmetric under k → −k, as any function of |ℓ|). */
export class FourierDiagonalGaussian implements GaussianReference {
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly sqrtC: Float64Array;
  constructor(readonly rows: number, readonly cols: number, readonly c: Float64Array, readonly mean: Float64Array) {
    this.re = new Float64Array(rows * cols);
    this.im = new Float64Array(rows * cols);
    this.sqrtC = c.map(Math.sqrt);
  }

  private filter(f: Float64Array, out: Float64Array): void {
    const n = this.rows * this.cols, { re, im } = this;
    im.fill(0);
    fft2(re, im, this.rows, this.cols, false);
    for (let i = 0; i < n; i++) {
      re[i] = re[i]! * f[i]!;
      im[i] = im[i]! * f[i]!;
    }
    fft2(re, im, this.rows, this.cols, true);
    for (let i = 0; i < n; i++) out[i] = re[i]! / n;
  }

  applyC(x: Float64Array, out: Float64Array): void {
    this.re.set(x);
    this.filter(this.c, out);
  }

  /** F⁻¹[√c_k F w] with w white: covariance F⁻¹ diag(c) F exactly (unitary DFT). */
  sample(rng: Rng, out: Float64Array): void {
    for (let i = 0; i < this.re.length; i++) this.re[i] = rng.normal();
    this.filter(this.sqrtC, out);
  }
}

export interface HybridReference {
  /** The one noise variance of the reference (σ_pix² for white noise). */
  tau: number;
  /** True when the reference is the exact Gaussian part (white noise, no mask). */
  exact: boolean;
  /** The level-σ reference; `extraPrecision` E_k ≥ 0 (per mode) tightens it around the same mean:
   * C′_k = 1/(1/C_k + E_k). The drift must then add E(x − m) (pcnDrift below). */
  at(sigma: number, extraPrecision?: Float64Array): FourierDiagonalGaussian;
  /** Per-mode variance of the level-σ reference (C_k above). */
  modeVariance(sigma: number): Float64Array;
  /** ∇Φ minus r_θ for one image (zero when exact). */
  correction(x: Float64Array, sigma: number, out: Float64Array): void;
}

export function hybridReference(k: KsKernel, g1: ArrayLike<number>, g2: ArrayLike<number>, variance: ArrayLike<number>, P: Float64Array): HybridReference {
  const n = k.rows * k.cols, exact = isWhite(variance);
  let tau = Infinity;
  for (let i = 0; i < n; i++) if (Number.isFinite(variance[i]!) && variance[i]! < tau) tau = variance[i]!;
  if (!(tau > 0 && Number.isFinite(tau))) throw new Error('hybrid reference: no pixel with a finite, positive noise variance');
  const ks = ks93(k, g1, g2).kE;
  const ksRe = Float64Array.from(ks), ksIm = new Float64Array(n);
  fft2(ksRe, ksIm, k.rows, k.cols, false);
  const modeVariance = (sigma: number) => {
    const s2 = sigma * sigma, c = new Float64Array(n);
    c[0] = 0;
    for (let i = 1; i < n; i++) c[i] = 1 / (1 / (P[i]! + s2) + 1 / (tau + s2));
    return c;
  };
  const lik = shearLikelihood(k, g1, g2, variance), re = new Float64Array(n), im = new Float64Array(n), l = new Float64Array(n);
  return {
    tau, exact, modeVariance,
    at(sigma, extra) {
      const c = modeVariance(sigma), s2 = sigma * sigma;
      for (let i = 0; i < n; i++) {
        const f = i === 0 ? 0 : c[i]! / (tau + s2);
        if (extra) c[i] = 1 / (1 / c[i]! + extra[i]!);
        re[i] = ksRe[i]! * f;
        im[i] = ksIm[i]! * f;
      }
      fft2(re, im, k.rows, k.cols, true);
      return new FourierDiagonalGaussian(k.rows, k.cols, c, re.map((v) => v / n));
    },
    correction(x, sigma, out) {
      if (exact) {
        out.fill(0);
        return;
      }
      const s2 = sigma * sigma;
      lik.score(x, sigma, l);
      re.set(x);
      im.fill(0);
      fft2(re, im, k.rows, k.cols, false);
      for (let i = 0; i < n; i++) {
        const f = i === 0 ? 0 : 1 / (tau + s2);
        re[i] = (ksRe[i]! - re[i]!) * f;
        im[i] = (ksIm[i]! - im[i]!) * f;
      }
      fft2(re, im, k.rows, k.cols, true);
      for (let i = 0; i < n; i++) out[i] = l[i]! - re[i]! / n;
    },
  };
}
