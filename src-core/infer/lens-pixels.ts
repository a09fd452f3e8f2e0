// What the 12-parameter model (lens-model.ts) and the extended model (lens-model-ext.ts) share before any
// profile is evaluated: the cutout's shape checks, the σ-weighted data (the pixel loop both models ran on
// their own before) and the sub-pixel grid. One place, so that a change of the weighting rule (which pixels
// carry no weight) reaches both models.
import { InputError } from '../errors';
import { subpixelGrid, type SubpixelGrid } from '../lens/grid';
import type { LensCutout, LensModelOptions } from './lens-model';

export interface WeightedPixels {
  /** 1/σ per pixel (bands × npix); 0 where the variance is ≤ 0 or non-finite, or the pixel is NaN. */
  w: Float64Array;
  /** data/σ (0 where w = 0). */
  yw: Float64Array;
  /** Σ (data/σ)² per band. */
  yy: Float64Array;
}

/** Checks a cutout's shape (odd square stamp, bands × size × size arrays, one PSF per band); returns npix. */
export function checkCutout(data: LensCutout): number {
  const { bands, size } = data;
  const npix = size * size;
  if (size % 2 !== 1) throw new InputError('FIT_STAMP', `stamp size ${size} must be odd (lens on a pixel centre)`, { size });
  if (data.image.length !== bands * npix || data.variance.length !== bands * npix)
    throw new InputError('FIT_SHAPE', 'image and variance must both be bands × size × size', { bands, size });
  if (data.psf.length !== bands) throw new InputError('FIT_PSF', `need one PSF per band (${bands})`, { given: data.psf.length });
  return npix;
}

/** σ-weighted data of a cutout (χ² = Σ (model·w − yw)²). */
export function weightPixels(data: LensCutout): WeightedPixels {
  const npix = data.size * data.size;
  const w = new Float64Array(data.bands * npix);
  const yw = new Float64Array(data.bands * npix);
  const yy = new Float64Array(data.bands);
  for (let i = 0; i < w.length; i++) {
    const v = data.variance[i]!;
    const ok = v > 0 && Number.isFinite(v) && Number.isFinite(data.image[i]!);
    w[i] = ok ? 1 / Math.sqrt(v) : 0;
    yw[i] = ok ? data.image[i]! * w[i]! : 0;
    yy[Math.floor(i / npix)] += yw[i]! ** 2;
  }
  return { w, yw, yy };
}

/** The sub-pixel grid of a fit: the simulator's (default) or the peer's uniform one, margin = widest PSF half-width. */
export function fitGrid(data: LensCutout, options: LensModelOptions): SubpixelGrid {
  const margin = Math.max(...data.psf.map((k) => k.h));
  const ss = options.supersample ?? 3;
  return options.grid === 'uniform'
    ? uniformGrid(data.size, margin, data.pixelScale, ss)
    : subpixelGrid({ size: data.size, margin, pixelScale: data.pixelScale, ss, marginSs: options.marginSupersample, centreSs: options.centreSupersample });
}

/** Uniform ss × ss sub-pixel grid over the padded frame (the peer's sampling), in the SubpixelGrid layout. */
export function uniformGrid(size: number, margin: number, pixelScale: number, ss: number): SubpixelGrid {
  const side = size + 2 * margin;
  const n = side * side * ss * ss;
  const g: SubpixelGrid = {
    size, margin, side, pixelScale, n,
    x: new Float64Array(n), y: new Float64Array(n), pix: new Int32Array(n), wt: new Float64Array(n),
  };
  const c0 = (side - 1) / 2;
  const area = pixelScale * pixelScale;
  let k = 0;
  for (let j = 0; j < side; j++)
    for (let i = 0; i < side; i++)
      for (let b = 0; b < ss; b++)
        for (let a = 0; a < ss; a++) {
          g.x[k] = (i - c0 + (a + 0.5) / ss - 0.5) * pixelScale;
          g.y[k] = (j - c0 + (b + 0.5) / ss - 0.5) * pixelScale;
          g.pix[k] = j * side + i;
          g.wt[k] = area / (ss * ss);
          k++;
        }
  return g;
}
