// The analytic half of the hybrid prior of Remy, Lanusse et al. (2020, arXiv:2011.08271; A&A 2023,
// arXiv:2201.05561; shared/reference/mass-mapping.md §7): the score of the Gaussian prior N(0, S) on κ
// smoothed by N(0, σ²I), s_G(κ, σ) = −F⁻¹[κ̂_k/(P_k + σ²)], with P_k = C_ℓ/Δ² the per-mode variance of the
// unitary DFT (spectrum.ts modeVariance). The ℓ = 0 mode is left free (mass-sheet degeneracy: Remy et al.
// put a very large value there; we use an infinite one, i.e. zero score on the mean).
// Also the white-noise Gaussian-prior posterior used to check the sampler (learned-priors.md §7).
import { fft2 } from '../math/fft';

export class GaussianKappaScore {
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  /** P: per-mode variance on the rows × cols grid (numpy FFT order); P[0] is ignored (mean free). */
  constructor(readonly rows: number, readonly cols: number, readonly P: Float64Array) {
    if (P.length !== rows * cols) throw new Error(`Gaussian κ score: ${P.length} mode variances for a ${rows} × ${cols} grid`);
    this.re = new Float64Array(rows * cols);
    this.im = new Float64Array(rows * cols);
  }

  /** s_G(x, σ) into out (σ ≥ 0; at σ = 0 the prior's own score). */
  score(x: ArrayLike<number>, sigma: number, out: Float64Array | Float32Array, scale = 1): void {
    const n = this.rows * this.cols, { re, im, P } = this;
    for (let i = 0; i < n; i++) {
      re[i] = x[i]!;
      im[i] = 0;
    }
    fft2(re, im, this.rows, this.cols, false);
    const s2 = sigma * sigma;
    re[0] = im[0] = 0;
    for (let i = 1; i < n; i++) {
      const f = -1 / (P[i]! + s2);
      re[i] = re[i]! * f;
      im[i] = im[i]! * f;
    }
    fft2(re, im, this.rows, this.cols, true);
    const c = scale / n;
    for (let i = 0; i < n; i++) out[i] = re[i]! * c;
  }
}
