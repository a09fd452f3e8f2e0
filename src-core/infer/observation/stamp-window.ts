// Where a lens-fit stamp lies in a larger image (0-based pixel indices; pixel i covers [i − 0.5, i + 0.5), the FITS
// convention shifted by one, as src-core/wcs's pixel0 functions use). The fit puts the lens on the centre of the
// stamp's central pixel, so stamps have odd sides and the target position falls in that pixel, as makeCutout
// (src-core/image/cutout.ts) places it: x0 = round(x) − ⌊side/2⌋.
import { InputError } from '../../errors';

export interface StampWindow {
  /** 0-based image pixel of the stamp's pixel (0, 0). */
  x0: number;
  y0: number;
  /** Odd side in pixels. */
  side: number;
  /** Whether part of the stamp lies off the image (those pixels are NaN and carry no weight). */
  partial: boolean;
}

/** Odd side (pixels) nearest to `sizeArcsec` at `pixelScale` (arcsec/pixel), at least 5. */
export function oddSide(sizeArcsec: number, pixelScale: number): number {
  if (!(sizeArcsec > 0) || !(pixelScale > 0)) throw new InputError('INPUT_INVALID', `stamp size ${sizeArcsec}″ at ${pixelScale}″/pixel is not positive`, { option: 'size' });
  const n = sizeArcsec / pixelScale;
  return Math.max(5, 2 * Math.round((n - 1) / 2) + 1);
}

/** Stamp of `side` pixels around 0-based pixel (x, y) of a width × height image; throws when (x, y) is off the image. */
export function stampWindow(width: number, height: number, x: number, y: number, side: number, what = 'the position'): StampWindow {
  if (!Number.isFinite(x) || !Number.isFinite(y) || x < -0.5 || y < -0.5 || x >= width - 0.5 || y >= height - 0.5)
    throw new InputError('FIT_OUTSIDE', `${what} falls at pixel (${x.toFixed(1)}, ${y.toFixed(1)}), outside the ${width} × ${height} image`, { x, y, width, height });
  if (side % 2 !== 1 || side < 1) throw new InputError('INPUT_INVALID', `stamp side ${side} must be odd`, { side });
  const h = (side - 1) / 2;
  const x0 = Math.floor(x + 0.5) - h;
  const y0 = Math.floor(y + 0.5) - h;
  return { x0, y0, side, partial: x0 < 0 || y0 < 0 || x0 + side > width || y0 + side > height };
}

/** The largest odd square centred on a width × height image (a whole image that is even or not square). */
export function centralWindow(width: number, height: number): StampWindow {
  const m = Math.min(width, height);
  const side = m % 2 ? m : m - 1;
  return { x0: Math.floor((width - side) / 2), y0: Math.floor((height - side) / 2), side, partial: false };
}

/** Copies the window out of a width × height plane (row-major); pixels off the image are `fill`. */
export function cutPlane(plane: ArrayLike<number>, width: number, height: number, w: StampWindow, fill = NaN): Float64Array {
  const out = new Float64Array(w.side * w.side).fill(fill);
  for (let j = 0; j < w.side; j++) {
    const y = w.y0 + j;
    if (y < 0 || y >= height) continue;
    for (let i = 0; i < w.side; i++) {
      const x = w.x0 + i;
      if (x >= 0 && x < width) out[j * w.side + i] = Number(plane[y * width + x]);
    }
  }
  return out;
}
