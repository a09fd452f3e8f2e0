// Reads a multi-band cutout for `lensdesk deblend` and writes its result (docs/deblend.md).
// Input layout: the first image HDU with data is the image, 2-D (one band) or bands × rows × cols;
// optional extensions: VARIANCE (same shape), PSF (one plane or one per band, as hsc_cosmos.fits),
// CATALOG (a table with x, y 0-based pixel columns: the source positions). BANDS = 'g,r,…' names
// the bands. WCS cards of the two image axes are copied to every output image HDU.
import { InputError } from '../../src-core/errors';
import { FitsTable } from '../../src-core/fits/table';
import { imageInfo, isImageHdu, readImage } from '../../src-core/fits/image';
import type { CardInput } from '../../src-core/fits/card-format';
import type { FitsFile, Hdu } from '../../src-core/fits/file';
import type { PsfArray } from '../../src-core/inverse/operators/convolution';
import { openFitsFile } from '../fits/file-source';
import { headerPixelScale } from '../../src-core/wcs/pixel-scale';
import { cubeBands } from '../../src-core/stamps/band-keywords';
import { isPlaceholderBand } from '../../src-core/stamps/band-names';

export interface CutoutInput {
  bands: string[];
  rows: number;
  cols: number;
  images: Float64Array[];
  variance?: Float64Array[];
  psfs?: PsfArray[];
  positions?: Array<{ x: number; y: number }>;
  wcsCards: CardInput[];
  /** Arcsec per pixel from the image HDU's WCS (CD/CDELT) or PIXSCALE-like cards, else the primary's; null when none states one. */
  pixelScale: number | null;
  notes: string[];
}

const WCS_KEY = /^(CTYPE|CRPIX|CRVAL|CDELT|CUNIT|CROTA)[12]$|^(CD|PC)[12]_[12]$|^(RADESYS|RADECSYS|EQUINOX|LONPOLE|LATPOLE|MJD-OBS|DATE-OBS|WCSAXES)$/;

function planes(data: ArrayLike<number>, shape: number[], label: string): { rows: number; cols: number; planes: Float64Array[] } {
  if (shape.length !== 2 && shape.length !== 3) throw new InputError('DEBLEND_SHAPE', `${label}: expected a 2-D image or a bands × rows × cols cube, got shape [${shape.join(', ')}]`, { hdu: label });
  const rows = shape[shape.length - 2]!, cols = shape[shape.length - 1]!, nb = shape.length === 3 ? shape[0]! : 1, n = rows * cols;
  return { rows, cols, planes: Array.from({ length: nb }, (_, b) => Float64Array.from({ length: n }, (_, i) => Number(data[b * n + i]))) };
}

function readPlanes(f: FitsFile, hdu: Hdu, label: string) {
  const img = readImage(f, hdu);
  return planes(img.data as ArrayLike<number>, img.shape, label);
}

export function readPsfPlanes(f: FitsFile, hdu: Hdu, label: string): PsfArray[] {
  const p = readPlanes(f, hdu, label);
  if (p.rows !== p.cols || p.rows % 2 !== 1) throw new InputError('PSF_SHAPE', `${label}: PSF must be square with odd sides, got ${p.rows} × ${p.cols}`, { hdu: label });
  return p.planes.map((kernel) => ({ kernel, height: p.rows, width: p.cols }));
}

export function readCutout(path: string, psfPath?: string): CutoutInput {
  const notes: string[] = [];
  const f = openFitsFile(path);
  let out: CutoutInput;
  try {
    const hdus = f.hdus();
    const main = hdus.find((h) => isImageHdu(h) && imageInfo(f, h).shape.length > 0);
    if (!main) throw new InputError('DEBLEND_NO_IMAGE', `${path}: no image HDU with data`, { file: path });
    const img = readPlanes(f, main, `${path} HDU ${main.index}`);
    const B = img.planes.length;
    // The project's one band-name reader (BANDS, FILTERS, BAND1…, FILTER1…; a 2-D image's FILTER/BAND/EXTNAME),
    // so LensDesk's own outputs and survey files name bands here as they do at ingest; unnamed planes: b1…
    const numbered = Array.from({ length: B }, (_, b) => `b${b + 1}`);
    let bands = numbered;
    try {
      const d = cubeBands(main.header, B, { file: path, hdu: main.index });
      if (!d.bands.some(isPlaceholderBand)) bands = d.bands;
    } catch (e) {
      if ((e as { code?: string }).code !== 'BANDS_COUNT') throw e;
      notes.push(`${(e as Error).message}; numbered instead`);
    }
    const primary = hdus[0]!.header;
    const pixelScale = headerPixelScale(main.header) ?? (main.index !== 0 ? headerPixelScale(primary) : undefined) ?? null;
    out = { bands, rows: img.rows, cols: img.cols, images: img.planes, wcsCards: [], pixelScale, notes };
    for (const [k, v] of main.header.entries()) if (WCS_KEY.test(k) && v !== undefined) out.wcsCards.push({ keyword: k, value: v });
    const named = (n: string) => hdus.find((h) => h.name.toUpperCase() === n);
    const vh = named('VARIANCE');
    if (vh) {
      const v = readPlanes(f, vh, `${path} VARIANCE`);
      if (v.planes.length !== B || v.rows !== img.rows || v.cols !== img.cols) {
        throw new InputError('DEBLEND_BANDS', `${path} VARIANCE: ${v.planes.length} × ${v.rows} × ${v.cols} does not match the image ${B} × ${img.rows} × ${img.cols}`, { file: path, hdu: 'VARIANCE' });
      }
      out.variance = v.planes;
    }
    if (!psfPath) {
      const ph = named('PSF');
      if (ph) { out.psfs = readPsfPlanes(f, ph, `${path} PSF`); notes.push(`PSF from ${path} HDU PSF`); }
    }
    const ch = named('CATALOG');
    if (ch) {
      const t = new FitsTable(f, ch);
      const xs = t.readNumericColumn('x'), ys = t.readNumericColumn('y');
      out.positions = Array.from(xs, (x, k) => ({ x, y: ys[k]! }));
      notes.push(`${out.positions.length} source positions from ${path} HDU CATALOG`);
    }
  } finally {
    f.source.close?.();
  }
  const psfs = readCutoutPsf(psfPath);
  if (psfs) { out.psfs = psfs; notes.push(`PSF from ${psfPath}`); }
  return out;
}

function readCutoutPsf(psfPath?: string): PsfArray[] | undefined {
  if (!psfPath) return undefined;
  const f = openFitsFile(psfPath);
  try {
    const h = f.hdus().find((x) => isImageHdu(x) && imageInfo(f, x).shape.length > 0);
    if (!h) throw new InputError('PSF_SHAPE', `${psfPath}: no image HDU with data`, { file: psfPath });
    return readPsfPlanes(f, h, psfPath);
  } finally {
    f.source.close?.();
  }
}
