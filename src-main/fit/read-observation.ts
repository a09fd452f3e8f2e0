// Reads what users have into a lens-fit cutout: a 2-D image or a cube (primary or a named HDU), its unit (BUNIT),
// noise HDU, mask HDU or file, and pixel scale, optionally cutting a stamp at --ra --dec --size from a large image
// through its WCS. The arithmetic is pure (src-core/infer/observation/*); this file only finds and reads HDUs.
// Keywords are looked up in the science HDU's header, then the primary's (HST keeps EXPTIME in the primary).
import { basename } from 'node:path';
import { InputError, LensDeskError } from '../../src-core/errors';
import type { FitsFile, Hdu } from '../../src-core/fits/file';
import type { FitsHeader } from '../../src-core/fits/header';
import { imageInfo, isImageHdu, readCutout } from '../../src-core/fits/image';
import { assembleObservation, type Observation } from '../../src-core/infer/observation/assemble';
import { MASK_HDU_NAMES, NOISE_HDU_NAMES, noiseKindOf } from '../../src-core/infer/observation/noise';
import { centralWindow, oddSide, stampWindow, type StampWindow } from '../../src-core/infer/observation/stamp-window';
import { pixelUnits, type PixelUnits } from '../../src-core/infer/observation/units';
import { pixelXY, skyRaDec } from '../../src-core/units';
import { fitsExtensions } from '../../src-core/wcs/fits-extensions';
import { readWcs, type Wcs } from '../../src-core/wcs/wcs';
import '../../src-core/fits/compress/index'; // installs the tile decompressor (fpack'ed survey images)
import { openFitsFile } from '../fits/file-source';
import { keywordPixelScale } from '../../src-core/wcs/pixel-scale';

/** A whole image larger than this (pixels a side) must be cut with --ra --dec --size: a fit's cost grows with the area. */
export const MAX_WHOLE_SIDE = 201;

export interface ReadObservationOptions {
  /** Science HDU: EXTNAME or 0-based index (default: the primary when it has data, else SCI, else the first image). */
  hdu?: string;
  /** Cutout index in a 4-D cube (N × bands × H × W). */
  index?: number;
  /** arcsec/pixel; used when the file gives none, and over the file's value when given (with a warning when they differ). */
  pixelScale?: number;
  ra?: number;
  dec?: number;
  /** Stamp side in arcsec (with ra/dec). */
  size?: number;
  /** A FITS file whose first image is the mask (nonzero = bad), the science image's shape (or one 2-D plane). */
  maskFile?: string;
}

export interface FitObservation extends Observation {
  name: string;
  hduName: string;
  /** Planes (bands) and the odd stamp side. */
  nBands: number;
  size: number;
  pixelScale: number;
  pixelScaleFrom: string;
  units: PixelUnits;
  window: StampWindow;
  /** The sky target in the stamp's 0-based pixels (with --ra --dec). */
  targetPixel?: { x: number; y: number };
  /** Headers for band names and the preset (science HDU, then primary). */
  headers: FitsHeader[];
  maskFrom: string | null;
  warnings: string[];
}

const hasData = (f: FitsFile, h: Hdu) => isImageHdu(h) && imageInfo(f, h).shape.length >= 2;

function scienceHdu(f: FitsFile, want: string | undefined): Hdu {
  if (want !== undefined) {
    const h = /^\d+$/.test(want) ? f.hdu(Number(want)) : f.find(want);
    if (!h) throw new InputError('FIT_INPUT', `${f.name}: no HDU named '${want}' (HDUs: ${f.hdus().map((x, i) => x.name || `#${i}`).join(', ')})`, { file: f.name, hdu: want });
    if (!hasData(f, h)) throw new InputError('FIT_INPUT', `${f.name}: HDU '${want}' is not an image with data`, { file: f.name, hdu: want });
    return h;
  }
  const prim = f.hdu(0);
  if (hasData(f, prim)) return prim;
  const sci = f.find('SCI');
  if (sci && hasData(f, sci)) return sci;
  const skip = new Set<string>([...NOISE_HDU_NAMES, ...MASK_HDU_NAMES]);
  const first = f.hdus().find((h) => hasData(f, h) && !skip.has(h.name.toUpperCase()));
  if (!first) throw new InputError('FIT_INPUT', `${f.name}: no image HDU with data`, { file: f.name });
  return first;
}

const kw = (headers: FitsHeader[], ...names: string[]): unknown => {
  for (const n of names) for (const h of headers) { const v = h.get(n); if (v !== undefined) return v; }
  return undefined;
};
const numKw = (headers: FitsHeader[], ...names: string[]) => { const v = kw(headers, ...names); return typeof v === 'number' ? v : undefined; };

/** Splits [H, W] / [B, H, W] / [N, B, H, W] into bands, height, width and the first plane of cutout `index`. */
function layout(shape: number[], index: number, what: string) {
  if (shape.length < 2 || shape.length > 4) throw new InputError('FIT_INPUT', `${what}: expected H × W, bands × H × W or N × bands × H × W, got [${shape.join(', ')}]`, { shape: shape.join() });
  const [ny, nx] = shape.slice(-2) as [number, number];
  const nb = shape.length >= 3 ? shape[shape.length - 3]! : 1;
  const n = shape.length === 4 ? shape[0]! : 1;
  if (index >= n) throw new InputError('FIT_INPUT', `${what}: --index ${index} but the file holds ${n} cutout(s)`, { index });
  return { nb, ny, nx, first: index * nb };
}

/**
 * Reads the stamp window of every band straight from the file (one byte range per row, through readCutout), so a
 * stamp of a large mosaic never loads the whole image. `h` holds bands × ny × nx at flat plane `first` (cutout
 * `index` of an N × bands cube), or one 2-D plane repeated for every band (a mask or weight for all bands).
 */
function readBands(f: FitsFile, h: Hdu, nb: number, ny: number, nx: number, first: number, w: StampWindow, what: string, fill: number): Float64Array {
  const shape = imageInfo(f, h).shape;
  const extra = shape.slice(0, -2);
  const nPlanes = extra.reduce((a, b) => a * b, 1);
  if (shape.length < 2 || shape.slice(-2).join() !== [ny, nx].join() || (shape.length > 2 && nPlanes < first + nb))
    throw new InputError('FIT_SHAPE', `${what} has shape [${shape.join(', ')}], the image is ${nb} × ${ny} × ${nx}`, { shape: shape.join() });
  const side = w.side;
  const out = new Float64Array(nb * side * side).fill(fill);
  const x0 = Math.max(0, w.x0), y0 = Math.max(0, w.y0);
  const x1 = Math.min(nx, w.x0 + side), y1 = Math.min(ny, w.y0 + side);
  if (x1 <= x0 || y1 <= y0) return out;
  for (let b = 0; b < nb; b++) {
    // flat plane number → index over NAXIS3.. in C order (readCutout's `plane`)
    const plane: number[] = new Array<number>(extra.length).fill(0);
    for (let k = extra.length - 1, r = shape.length === 2 ? 0 : first + b; k >= 0; k--) {
      plane[k] = r % extra[k]!;
      r = Math.floor(r / extra[k]!);
    }
    const data = readCutout(f, h, x0, y0, x1 - x0, y1 - y0, plane).data;
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1; x++) out[b * side * side + (y - w.y0) * side + (x - w.x0)] = Number(data[(y - y0) * (x1 - x0) + (x - x0)]);
  }
  return out;
}

export function readFitObservation(path: string, o: ReadObservationOptions = {}): FitObservation {
  const f = openFitsFile(path);
  try {
    return read(f, path, o);
  } finally {
    f.source.close?.();
  }
}

function read(f: FitsFile, path: string, o: ReadObservationOptions): FitObservation {
  const warnings: string[] = [];
  const sci = scienceHdu(f, o.hdu);
  const hduName = sci.name || (sci.index === 0 ? 'PRIMARY' : `#${sci.index}`);
  const what = `${f.name} HDU ${hduName}`;
  const headers = sci.index === 0 ? [sci.header] : [sci.header, f.hdu(0).header];
  const { nb, ny, nx, first } = layout(imageInfo(f, sci).shape, o.index ?? 0, what);
  const units = pixelUnits(kw(headers, 'BUNIT') as string | undefined, { exptime: numKw(headers, 'EXPTIME', 'TEXPTIME'), gain: numKw(headers, 'GAIN', 'CCDGAIN', 'ATODGAIN') }, what);

  // Pixel scale: the WCS (CD / PC+CDELT / CDELT, with distortions), else PIXSCALE, else --pixel-scale.
  let wcs: Wcs | null = null;
  let wcsWhy = '';
  try {
    wcs = readWcs(sci.header, { extensions: fitsExtensions(f) });
  } catch (e) {
    wcsWhy = e instanceof LensDeskError ? e.message : String(e);
  }
  let window: StampWindow;
  let targetPixel: { x: number; y: number } | undefined;
  let scale: number | undefined;
  let scaleFrom = '';
  const header = () => {
    return keywordPixelScale(...headers)?.scale;
  };
  if (o.ra !== undefined || o.dec !== undefined) {
    if (o.ra === undefined || o.dec === undefined) throw new InputError('INPUT_INVALID', 'give both --ra and --dec (degrees)', { option: 'ra' });
    if (!wcs) throw new InputError('FIT_WCS', `${what}: --ra/--dec need a celestial WCS, and this HDU has none usable (${wcsWhy})`, { file: f.name, hdu: hduName });
    if (!(o.size! > 0)) throw new InputError('INPUT_INVALID', '--ra/--dec need --size ARCSEC (the stamp side)', { option: 'size' });
    const c = wcs.skyToPixel0(skyRaDec(o.ra, o.dec));
    scale = wcs.pixelScaleArcsecAt(Number.isFinite(c.x) ? c : pixelXY((nx - 1) / 2, (ny - 1) / 2));
    scaleFrom = 'WCS';
    const side = oddSide(o.size!, o.pixelScale ?? scale);
    window = stampWindow(nx, ny, c.x, c.y, side, `RA ${o.ra}, Dec ${o.dec}`);
    targetPixel = { x: c.x - window.x0, y: c.y - window.y0 };
    if (window.partial) warnings.push(`the ${side}-pixel stamp reaches past the image edge; pixels off the image carry no weight`);
  } else {
    window = nx === ny && nx % 2 === 1 ? { x0: 0, y0: 0, side: nx, partial: false } : centralWindow(nx, ny);
    if (window.side !== nx || window.side !== ny) warnings.push(`${nx} × ${ny} image: fitting its central ${window.side} × ${window.side} pixels (the fit needs an odd square stamp)`);
    if (window.side > MAX_WHOLE_SIDE)
      throw new InputError('FIT_INPUT', `${what} is ${nx} × ${ny} pixels: cut a stamp around the lens with --ra --dec --size ARCSEC`, { file: f.name, width: nx, height: ny });
    if (wcs) {
      try {
        scale = wcs.pixelScaleArcsecAt(pixelXY(window.x0 + (window.side - 1) / 2, window.y0 + (window.side - 1) / 2));
        scaleFrom = 'WCS';
      } catch {
        scale = undefined;
      }
    }
  }
  if (!(scale! > 0) || !Number.isFinite(scale)) {
    scale = header();
    scaleFrom = scale ? 'PIXSCALE' : '';
  }
  if (o.pixelScale !== undefined) {
    if (scale && Math.abs(o.pixelScale / scale - 1) > 0.01) warnings.push(`--pixel-scale ${o.pixelScale} differs from the file's ${scale.toPrecision(5)}″ (${scaleFrom}); using --pixel-scale`);
    scale = o.pixelScale;
    scaleFrom = '--pixel-scale';
  }
  if (!(scale! > 0))
    throw new InputError('FIT_INPUT', `${what}: no pixel scale (no celestial WCS${wcsWhy ? `: ${wcsWhy}` : ''}, no PIXSCALE); give --pixel-scale ARCSEC`, { file: f.name, keyword: 'PIXSCALE' });

  const image = readBands(f, sci, nb, ny, nx, first, window, what, NaN);
  // Noise HDU.
  let noise: Parameters<typeof assembleObservation>[0]['noise'];
  for (const name of NOISE_HDU_NAMES) {
    const h = f.find(name);
    if (!h || h === sci || !hasData(f, h)) continue;
    noise = { kind: noiseKindOf(name)!, extname: name, data: readBands(f, h, nb, ny, nx, first, window, `${f.name} HDU ${name}`, NaN) };
    break;
  }
  // Mask: a MASK / DQ / BPM HDU and/or --mask FILE; nonzero = bad.
  let bad: Uint8Array | undefined;
  const maskFrom: string[] = [];
  const addMask = (mf: FitsFile, h: Hdu, label: string) => {
    const m = readBands(mf, h, nb, ny, nx, first, window, label, 0);
    bad ??= new Uint8Array(m.length);
    for (let i = 0; i < m.length; i++) if (m[i] !== 0) bad[i] = 1;
    maskFrom.push(label);
  };
  for (const name of MASK_HDU_NAMES) {
    const h = f.find(name);
    if (h && h !== sci && hasData(f, h)) { addMask(f, h, `${name} HDU`); break; }
  }
  if (o.maskFile) {
    const mf = openFitsFile(o.maskFile);
    try {
      const h = mf.hdus().find((x) => hasData(mf, x));
      if (!h) throw new InputError('FIT_INPUT', `${mf.name}: --mask file has no image`, { file: mf.name });
      addMask(mf, h, basename(o.maskFile));
    } finally {
      mf.source.close?.();
    }
  }
  const bandsPlaceholder = Array.from({ length: nb }, (_, i) => `band${i + 1}`);
  const obs = assembleObservation({ bands: bandsPlaceholder, side: window.side, image, noise, bad, units });
  return {
    ...obs, name: f.name, hduName, nBands: nb, size: window.side, pixelScale: scale!, pixelScaleFrom: scaleFrom, units, window,
    ...(targetPixel ? { targetPixel } : {}), headers, maskFrom: maskFrom.length ? maskFrom.join(' + ') : null, warnings,
  };
}
