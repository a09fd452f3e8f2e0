// Summaries behind `lensdesk fits info|stats|table`: astropy-fitsinfo-like HDU rows, streamed
// image statistics (finite values, float64 sums, like the astropy refs) and JSON-safe cells.
import { FitsError } from '../errors';
import type { FitsFile, Hdu } from './file';
import type { FitsValue } from './header';
import { imageInfo, readImage, readImageSection, type ImageData } from './image';
import { FitsTable, type CellValue } from './table';

/** astropy class names, so `fits info --json` reads like astropy's fitsinfo. */
export function astropyType(hdu: Hdu): string {
  if (hdu.type === 'primary') return 'PrimaryHDU';
  if (hdu.type === 'image') return 'ImageHDU';
  if (hdu.compressed) return 'CompImageHDU';
  if (hdu.type === 'bintable') return 'BinTableHDU';
  if (hdu.type === 'table') return 'TableHDU';
  return 'NonstandardExtHDU';
}

export interface HduSummary {
  index: number;
  name: string;
  ver: number;
  type: string;
  cards: number;
  /** FITS order (NAXIS1 first), as fitsinfo prints; image of a compressed HDU: ZNAXISn. */
  dimensions: number[];
  /** numpy order for images; [nrows] for tables. */
  shape: number[];
  /** Image: dtype of returned values; table: list of TFORMs. */
  format: string;
  header_offset: number;
  data_offset: number;
  data_span: number;
  warnings: string[];
}

export function summarizeHdu(file: FitsFile, hdu: Hdu): HduSummary {
  const base = {
    index: hdu.index,
    name: hdu.name,
    ver: hdu.ver,
    type: astropyType(hdu),
    cards: hdu.header.cards.length,
    header_offset: hdu.headerOffset,
    data_offset: hdu.dataOffset,
    data_span: hdu.dataSpan,
    warnings: [...hdu.warnings],
  };
  if (hdu.type === 'primary' || hdu.type === 'image' || hdu.compressed) {
    try {
      const info = imageInfo(file, hdu);
      return { ...base, dimensions: [...info.shape].reverse(), shape: info.shape, format: info.shape.length ? info.dtype : '' };
    } catch (e) {
      if (!hdu.compressed || !(e instanceof FitsError)) throw e;
      // No decompressor installed, or bad Z keywords: still list it from the Z keywords (as
      // astropy does), with the problem as a warning. ZNAXIS is bounded (≤ 999) before looping.
      if (e.code !== 'FITS_COMPRESSION_UNAVAILABLE') base.warnings.push(e.message);
      const zn = hdu.header.getNumber('ZNAXIS', 0);
      const n = Number.isInteger(zn) && zn >= 0 && zn <= 999 ? zn : 0;
      const dims = Array.from({ length: n }, (_, i) => hdu.header.getNumber(`ZNAXIS${i + 1}`, 0));
      return { ...base, dimensions: dims, shape: [...dims].reverse(), format: `ZBITPIX ${hdu.header.getNumber('ZBITPIX', 0)}` };
    }
  }
  if (hdu.type === 'bintable' || hdu.type === 'table') {
    const t = new FitsTable(file, hdu);
    return { ...base, dimensions: [t.nrows, t.columns.length], shape: [t.nrows], format: `[${t.columns.map((c) => c.format).join(', ')}]` };
  }
  return { ...base, dimensions: [...hdu.naxes], shape: [...hdu.naxes].reverse(), format: `BITPIX ${hdu.bitpix}` };
}

export interface PixelStats {
  shape: number[];
  dtype: string;
  nan_count: number;
  inf_count: number;
  finite_count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  sum: number;
}

/** Statistics of finite values, reading ~8 MB slabs along the slowest axis (uncompressed). */
export function imageStats(file: FitsFile, hdu: Hdu): PixelStats {
  const info = imageInfo(file, hdu);
  let nan = 0, inf = 0, fin = 0, sum = 0, min = Infinity, max = -Infinity;
  const add = (img: ImageData): void => {
    const d = img.data;
    for (let i = 0; i < d.length; i++) {
      const v = Number(d[i]!);
      if (v !== v) nan++;
      else if (v === Infinity || v === -Infinity) inf++;
      else {
        fin++;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
  };
  const shape = info.shape;
  if (shape.length > 0 && shape.every((n) => n > 0)) {
    if (hdu.compressed) add(readImage(file, hdu));
    else {
      const slab = shape.slice(1).reduce((a, b) => a * b, 1) * 8;
      const step = Math.max(1, Math.floor((8 << 20) / Math.max(1, slab)));
      for (let s = 0; s < shape[0]!; s += step) {
        const n = Math.min(step, shape[0]! - s);
        add(readImageSection(file, hdu, [s, ...shape.slice(1).map(() => 0)], [n, ...shape.slice(1)]));
      }
    }
  }
  return {
    shape,
    dtype: info.dtype,
    nan_count: nan,
    inf_count: inf,
    finite_count: fin,
    min: fin ? min : null,
    max: fin ? max : null,
    mean: fin ? sum / fin : null,
    sum,
  };
}

/** JSON-safe value: non-finite floats as "NaN"/"Infinity"/"-Infinity" (like the refs), bigint as a decimal string. */
export function jsonSafe(v: CellValue | FitsValue | undefined): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return v;
  }
  if (Array.isArray(v)) return (v as CellValue[]).map((x) => jsonSafe(x));
  return v;
}
