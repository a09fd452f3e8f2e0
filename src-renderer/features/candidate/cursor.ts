// Pixel under the mouse on a stamp canvas drawn with FITS row 1 at the bottom, its value in every
// band, and its sky position through the stamp's WCS (src-core/wcs: FITS WCS Paper II projections).
import { readWcs, type Wcs } from '../../../src-core/wcs/index';
import { pixelXY } from '../../../src-core/units';
import type { StampData } from '../../lib/stamps';

export interface CursorInfo {
  /** 1-based FITS pixel (as DS9 shows it). */
  x: number;
  y: number;
  values: { band: string; value: number }[];
  ra: number | null;
  dec: number | null;
}

const wcsCache = new WeakMap<StampData, Wcs | null>();
function wcsOf(s: StampData): Wcs | null {
  if (!wcsCache.has(s)) {
    let w: Wcs | null = null;
    try {
      w = readWcs(s.header);
    } catch {
      w = null; // no celestial WCS: pixel values only
    }
    wcsCache.set(s, w);
  }
  return wcsCache.get(s)!;
}

/** `fx`, `fy` are the mouse position as fractions (0–1) of the displayed canvas, y downwards. */
export function cursorInfo(s: StampData, fx: number, fy: number): CursorInfo | null {
  if (!(fx >= 0 && fx < 1 && fy >= 0 && fy < 1)) return null;
  const x0 = Math.floor(fx * s.width);
  const y0 = s.height - 1 - Math.floor(fy * s.height); // canvas row 0 = top = last FITS row
  const values = s.planes.map((p, i) => ({ band: s.bands[i] ?? `band${i + 1}`, value: p[y0 * s.width + x0]! }));
  const w = wcsOf(s);
  let ra: number | null = null;
  let dec: number | null = null;
  if (w) {
    try {
      const c = w.pixel0ToSky(pixelXY(x0, y0));
      ra = c.ra;
      dec = c.dec;
    } catch {
      /* outside the projection's domain */
    }
  }
  return { x: x0 + 1, y: y0 + 1, values, ra, dec };
}
