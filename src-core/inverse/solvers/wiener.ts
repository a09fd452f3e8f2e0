// Closed-form posterior for a stationary Gaussian prior and a Fourier-diagonal likelihood
// (learned-priors.md §7): per mode, precision p_k = 1/c_k + h_k (h from AᵀΣ⁻¹A), posterior variance
// c_post,k = 1/p_k and mean m̂_k = c_post,k (μ̂_k/c_k + b̂_k), b = AᵀΣ⁻¹y. The pixel posterior variance
// is (1/N) Σ_k c_post,k, the same at every pixel. MAP = mean = the Wiener filter.
import { InputError } from '../../errors';
import { fft2 } from '../../math/fft';
import type { GaussianPrior } from '../priors/gaussian';
import type { FourierDiagonalLikelihood } from './likelihood';

export interface GaussianPosterior {
  mean: Float64Array;
  /** c_post,k per band ([bands, rows, cols], unitary convention). */
  modeVariance: Float64Array;
  /** Posterior std of every pixel, one value per band. */
  pixelStd: Float64Array;
}

export function wienerPosterior(prior: GaussianPrior, lik: FourierDiagonalLikelihood): GaussianPosterior {
  const { rows, cols, bands, h } = lik.normal;
  if (prior.rows !== rows || prior.cols !== cols || prior.bands !== bands) {
    throw new InputError('OPERATOR_SHAPE', `prior is ${prior.bands} × ${prior.rows} × ${prior.cols}, the likelihood ${bands} × ${rows} × ${cols}`, {});
  }
  const n = rows * cols;
  const mean = new Float64Array(bands * n), modeVariance = new Float64Array(bands * n), pixelStd = new Float64Array(bands);
  const re = new Float64Array(n), im = new Float64Array(n);
  for (let b = 0; b < bands; b++) {
    const off = b * n;
    for (let i = 0; i < n; i++) re[i] = lik.b[off + i]!;
    im.fill(0);
    fft2(re, im, rows, cols, false);
    let v = 0;
    for (let k = 0; k < n; k++) {
      const c = prior.spectrum[k]!, cp = 1 / (1 / c + h[off + k]!);
      modeVariance[off + k] = cp;
      v += cp;
      // μ is a constant: μ̂ (unnormalised) = N μ at k = 0 only.
      const mu = k === 0 ? n * prior.mean : 0;
      re[k] = cp * (mu / c + re[k]!);
      im[k] = cp * im[k]!;
    }
    fft2(re, im, rows, cols, true);
    for (let i = 0; i < n; i++) mean[off + i] = re[i]! / n;
    pixelStd[b] = Math.sqrt(v / n);
  }
  return { mean, modeVariance, pixelStd };
}
