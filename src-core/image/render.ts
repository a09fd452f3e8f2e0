// Pixel arrays → 8-bit rasters for display and PNG: single band through interval → stretch
// (astropy ImageNormalize order), three bands through the Lupton composite. Rows stay in data
// order (row 0 = FITS y = 1); flip when writing (PNG flipY) or drawing (canvas) so north is up.
import { InputError } from '../errors';
import type { Interval, Limits } from './interval';
import { normalize } from './interval';
import { makeLuptonRgb, type LuptonOptions } from './lupton-rgb';
import type { RasterImage } from './png';
import type { Stretch } from './stretch';

export interface GrayRenderOptions {
  interval: Interval;
  stretch: Stretch;
  /** Byte for NaN/blank pixels (default 0, black). */
  nanByte?: number;
}

export interface GrayRender extends RasterImage {
  limits: Limits;
}

/** y = stretch(clip((v − vmin)/(vmax − vmin))); byte = trunc(255·y) like astropy's uint8 conversion. */
export function renderGray(values: ArrayLike<number>, width: number, height: number, opts: GrayRenderOptions): GrayRender {
  if (values.length !== width * height) throw new InputError('IMAGE_SHAPE', `image has ${values.length} pixels, expected ${width}×${height}`);
  const limits = opts.interval.limits(values);
  const norm = normalize(values, limits, true, new Float64Array(values.length));
  const y = opts.stretch.apply(norm, { clip: true, out: norm });
  const data = new Uint8Array(values.length);
  const nanByte = opts.nanByte ?? 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    data[i] = v !== v ? nanByte : v >= 1 ? 255 : v > 0 ? (v * 255) | 0 : 0;
  }
  return { width, height, channels: 1, data, limits };
}

export function renderLupton(
  r: ArrayLike<number>,
  g: ArrayLike<number>,
  b: ArrayLike<number>,
  width: number,
  height: number,
  opts: LuptonOptions,
): RasterImage {
  if (r.length !== width * height) throw new InputError('IMAGE_SHAPE', `image has ${r.length} pixels, expected ${width}×${height}`);
  return { width, height, channels: 3, data: makeLuptonRgb(r, g, b, opts) };
}
