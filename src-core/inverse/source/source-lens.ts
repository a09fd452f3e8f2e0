// The pieces of a source reconstruction behind a modelled lens (learned-priors.md §8) that sit between the
// lens fit and the solvers: the source-plane grid, the lensing operator of one lens-model draw (the
// existing ray-shooting operator, src-core/inverse/operators/lensing.ts, with the fit's SIE + shear via
// deflectorsFromLensFit, then the PSF as the FFT convolution operator with a zero boundary), the
// default stationary source prior spectrum, and the mixture over lens draws.
// Interpolation: bilinear on the source grid (4 source pixels per ray), s × s rays per image pixel averaged.
// Units: arcsec; source pixel values are surface brightness in the image's units per image pixel
// (lensing conserves surface brightness, so no Jacobian factor).
import { InputError } from '../../errors';
import type { PsfKernel } from '../../lens/psf';
import type { PsfArray } from '../operators/convolution';
import { deflectorsFromLensFit, lensingOperator, type LensingOperator } from '../operators/lensing';
import { powerLawSpectrum } from '../priors/gaussian';

export interface SourceGrid {
  rows: number;
  cols: number;
  /** Source pixel side, arcsec. */
  pixelScale: number;
  /** Grid centre in the source plane, arcsec (x, y). */
  centre: readonly [number, number];
}

/** An image plane: size × size pixels of pixelScale arcsec, the lens on the centre of the central pixel. */
export interface ImagePlane {
  size: number;
  pixelScale: number;
}

/** The PSF image of a src-core/lens/psf kernel (its k2 is stored flipped for correlation: unflip it). */
export function psfArrayFromKernel(k: PsfKernel): PsfArray {
  const w = 2 * k.h + 1;
  return { kernel: Float64Array.from(k.k2).reverse(), height: w, width: w };
}

/**
 * A = B·S·L for one lens-model draw θ (LENS_PARAM_NAMES order; only θE, e1, e2, γ1, γ2 are used): rays from
 * supersample² points per image pixel through the SIE + shear, bilinear weights on the source grid,
 * averaged per pixel, then the PSF.
 */
export function sourceOperator(theta: ArrayLike<number>, grid: SourceGrid, image: ImagePlane, psf: PsfArray | undefined, supersample = 3): LensingOperator {
  if (!(grid.rows >= 2 && grid.cols >= 2)) throw new InputError('SOURCE_GRID', `source grid must be at least 2 × 2, got ${grid.rows} × ${grid.cols}`, { rows: grid.rows, cols: grid.cols });
  for (let i = 0; i < 5; i++) if (!Number.isFinite(theta[i]!)) throw new InputError('SOURCE_LENS', `lens parameter ${i} is ${theta[i]}`, { index: i });
  return lensingOperator({
    imageRows: image.size, imageCols: image.size, pixelScale: image.pixelScale,
    sourceRows: grid.rows, sourceCols: grid.cols, sourcePixelScale: grid.pixelScale, sourceCentre: grid.centre,
    deflectors: deflectorsFromLensFit(theta), supersample, psf,
  });
}

/**
 * Default stationary source prior shape C₀: c_k ∝ (|k|² + k0²)^(−slope/2) with unit pixel variance
 * (its amplitude is fitted by the evidence, gaussian-source.ts). slope 3 and k0 = 4/n: smoother than the
 * slope-2 field of the §7 test, as galaxy light is (an exponential disc has P(k) ∝ k⁻⁶ far out), with
 * a correlation length of ~n/(8π) pixels. Periodic on the grid (the prior wraps around its edges).
 */
export function defaultSourceSpectrum(rows: number, cols: number, o: { slope?: number; k0?: number } = {}): Float64Array {
  return powerLawSpectrum(rows, cols, { slope: o.slope ?? 3, k0: o.k0 ?? 4 / Math.max(rows, cols), pixelStd: 1 });
}

export interface DrawResult {
  mean: Float64Array;
  variance: Float64Array;
}

/**
 * Posterior over lens draws d = 1…N (equal weights: draws from the lens posterior): the law of total
 * variance, mean = ⟨m_d⟩, var = ⟨v_d⟩ + Var_d(m_d) (population variance of the N conditional means).
 */
export function mixLensDraws(draws: readonly DrawResult[]): DrawResult {
  const N = draws.length, n = draws[0]!.mean.length;
  const mean = new Float64Array(n), variance = new Float64Array(n);
  for (const d of draws) for (let i = 0; i < n; i++) { mean[i] = mean[i]! + d.mean[i]! / N; variance[i] = variance[i]! + d.variance[i]! / N; }
  for (const d of draws) for (let i = 0; i < n; i++) variance[i] = variance[i]! + (d.mean[i]! - mean[i]!) ** 2 / N;
  return { mean, variance };
}
