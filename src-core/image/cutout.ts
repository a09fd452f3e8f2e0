// Cutouts by sky position: a w×h stamp centred on (RA, Dec) from one image, or from a set of
// per-band images resampled (nearest or bilinear) onto the FIRST band's pixel grid. Pixels off
// the image are NaN with mask 0; the cutout carries its own WCS (the first band's, CRPIX shifted).
// Only the sub-rectangles needed are read (ImageSectionReader), never whole images.
import { InputError } from '../errors';
import { type PixelXY, type SkyRaDec, pixelXY } from '../units';
import type { Wcs } from '../wcs/wcs';
import { wcsHeaderCards, type WcsCard } from '../wcs/cards';
import type { ImageSectionReader } from './section-reader';

export type Resampling = 'nearest' | 'bilinear';

export interface CutoutBand {
  /** Band label ('g', 'r', file name …). */
  readonly name: string;
  readonly image: ImageSectionReader;
  readonly wcs: Wcs;
}

export interface CutoutRequest {
  readonly centre: SkyRaDec;
  /** Size in pixels of the first band's grid. */
  readonly width: number;
  readonly height: number;
  /** For bands after the first (the first is never resampled). Default 'bilinear'. */
  readonly resampling?: Resampling;
}

export interface CutoutPlane {
  readonly name: string;
  /** width × height, row-major, row 0 = lowest y (FITS order). NaN where mask is 0. */
  readonly data: Float64Array;
  /** 1 = value from the image, 0 = off the image or an undefined (NaN/BLANK) pixel. */
  readonly mask: Uint8Array;
}

export interface Cutout {
  readonly width: number;
  readonly height: number;
  /** First band's 0-based pixel that is the cutout's pixel (0, 0). */
  readonly originPixel0: PixelXY;
  /** The target position in the cutout's 0-based pixels. */
  readonly centrePixel0: PixelXY;
  readonly bands: readonly CutoutPlane[];
  readonly wcs: Wcs;
  /** WCS keywords for writing the cutout as FITS (CRPIX shifted). */
  readonly wcsCards: WcsCard[];
}

/** Largest source area read per band, relative to the cutout (guards against a mismatched WCS). */
const MAX_AREA_RATIO = 256;

function checkSize(req: CutoutRequest): void {
  for (const [k, v] of [['width', req.width], ['height', req.height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 8192) throw new InputError('INPUT_INVALID', `cutout ${k} must be an integer 1…8192, got ${v}`, { field: k });
  }
  const { ra, dec } = req.centre;
  if (!Number.isFinite(ra) || !Number.isFinite(dec) || dec < -90 || dec > 90) {
    throw new InputError('INPUT_OUT_OF_RANGE', `cutout centre (${ra}, ${dec}) is not a valid sky position`, { field: 'centre' });
  }
}

/** Copies the part of [x0, x0+w) × [y0, y0+h) that lies on the image; the rest stays NaN / 0. */
function cutFirstBand(band: CutoutBand, x0: number, y0: number, w: number, h: number): CutoutPlane {
  const data = new Float64Array(w * h).fill(NaN);
  const mask = new Uint8Array(w * h);
  const img = band.image;
  const ix0 = Math.max(0, x0), iy0 = Math.max(0, y0);
  const ix1 = Math.min(img.width, x0 + w), iy1 = Math.min(img.height, y0 + h);
  if (ix1 > ix0 && iy1 > iy0) {
    const sw = ix1 - ix0;
    const sec = img.readSection(ix0, iy0, sw, iy1 - iy0);
    for (let j = iy0; j < iy1; j++) {
      for (let i = ix0; i < ix1; i++) {
        const v = sec[(j - iy0) * sw + (i - ix0)];
        const o = (j - y0) * w + (i - x0);
        data[o] = v;
        mask[o] = Number.isNaN(v) ? 0 : 1;
      }
    }
  }
  return { name: band.name, data, mask };
}

/**
 * Resamples `band` onto the reference grid: each output pixel's centre goes reference pixel →
 * sky → band pixel, then nearest (round half up) or bilinear interpolation. A bilinear sample
 * needs every neighbour with non-zero weight on the image and defined, else NaN / mask 0.
 */
function resampleBand(band: CutoutBand, ref: Wcs, x0: number, y0: number, w: number, h: number, how: Resampling): CutoutPlane {
  const data = new Float64Array(w * h).fill(NaN);
  const mask = new Uint8Array(w * h);
  const px = new Float64Array(w * h);
  const py = new Float64Array(w * h);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const snap = (v: number): number => (Math.abs(v - Math.round(v)) < 1e-6 ? Math.round(v) : v);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const p = band.wcs.skyToPixel0(ref.pixel0ToSky(pixelXY(x0 + i, y0 + j)));
      const k = j * w + i;
      px[k] = snap(p.x);
      py[k] = snap(p.y);
      if (Number.isFinite(p.x) && Number.isFinite(p.y)) {
        minX = Math.min(minX, px[k]); maxX = Math.max(maxX, px[k]);
        minY = Math.min(minY, py[k]); maxY = Math.max(maxY, py[k]);
      }
    }
  }
  const img = band.image;
  const bx0 = Math.max(0, Math.floor(minX) - 1), by0 = Math.max(0, Math.floor(minY) - 1);
  const bx1 = Math.min(img.width, Math.ceil(maxX) + 2), by1 = Math.min(img.height, Math.ceil(maxY) + 2);
  if (!(bx1 > bx0 && by1 > by0)) return { name: band.name, data, mask };
  const sw = bx1 - bx0, sh = by1 - by0;
  if (sw * sh > MAX_AREA_RATIO * w * h) {
    throw new InputError('INPUT_INVALID', `band ${band.name} (${img.name}): its pixel grid is too different from the first band's (would read ${sw}×${sh} pixels for a ${w}×${h} cutout)`, { field: band.name });
  }
  const sec = img.readSection(bx0, by0, sw, sh);
  const at = (x: number, y: number): number => (x < bx0 || y < by0 || x >= bx1 || y >= by1 ? NaN : sec[(y - by0) * sw + (x - bx0)]);
  for (let k = 0; k < w * h; k++) {
    const x = px[k], y = py[k];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    let v: number;
    if (how === 'nearest') {
      v = at(Math.floor(x + 0.5), Math.floor(y + 0.5));
    } else {
      const xf = Math.floor(x), yf = Math.floor(y);
      const fx = x - xf, fy = y - yf;
      v = 0;
      for (const [dx, dy, wt] of [[0, 0, (1 - fx) * (1 - fy)], [1, 0, fx * (1 - fy)], [0, 1, (1 - fx) * fy], [1, 1, fx * fy]] as const) {
        if (wt === 0) continue;
        v += wt * at(xf + dx, yf + dy);
      }
    }
    if (!Number.isNaN(v)) {
      data[k] = v;
      mask[k] = 1;
    }
  }
  return { name: band.name, data, mask };
}

/** Cuts `req` out of one image or several bands (resampled onto the first band's grid). */
export function makeCutout(bands: readonly CutoutBand[], req: CutoutRequest): Cutout {
  if (bands.length === 0) throw new InputError('INPUT_INVALID', 'a cutout needs at least one image', { field: 'bands' });
  checkSize(req);
  const ref = bands[0].wcs;
  const c = ref.skyToPixel0(req.centre);
  if (!Number.isFinite(c.x) || !Number.isFinite(c.y)) {
    throw new InputError('INPUT_OUT_OF_RANGE', `(${req.centre.ra}, ${req.centre.dec}) does not project onto ${bands[0].image.name}'s WCS`, { field: 'centre' });
  }
  // The target falls in the central pixel (index ⌊w/2⌋): x0 = round(cx) − ⌊w/2⌋.
  const x0 = Math.floor(c.x + 0.5) - Math.floor(req.width / 2);
  const y0 = Math.floor(c.y + 0.5) - Math.floor(req.height / 2);
  const how = req.resampling ?? 'bilinear';
  if (how !== 'nearest' && how !== 'bilinear') throw new InputError('INPUT_INVALID', `resampling must be 'nearest' or 'bilinear', got '${how}'`, { field: 'resampling' });
  const planes = bands.map((b, i) => (i === 0 ? cutFirstBand(b, x0, y0, req.width, req.height) : resampleBand(b, ref, x0, y0, req.width, req.height, how)));
  const wcs = ref.shiftedPixel0(x0, y0);
  return {
    width: req.width, height: req.height,
    originPixel0: pixelXY(x0, y0),
    centrePixel0: pixelXY(c.x - x0, c.y - y0),
    bands: planes,
    wcs,
    wcsCards: wcsHeaderCards(wcs),
  };
}
