// RICE_1 tile compression on write (FITS 4.0 §10; the layout cfitsio/fpack write): a BINTABLE
// with ZIMAGE = T, one row per tile, COMPRESSED_DATA as 1PB descriptors into the heap. Integer
// images are lossless. Float images are quantised per tile (§10.2): q = round((v − ZZERO)/ZSCALE
// + r − 0.5) with cfitsio's dither sequence r (SUBTRACTIVE_DITHER_1/2) or r = 0.5 (NO_DITHER);
// NaN → ZBLANK, exact zeros → ZERO_VALUE under SUBTRACTIVE_DITHER_2; a tile that cannot be
// quantised (constant, or range too wide for int32) is stored losslessly as gzipped floats in
// GZIP_COMPRESSED_DATA, as cfitsio ≥ 3.28 does.
import { gzipSync } from 'fflate';
import { InputError } from '../../errors';
import { headerBytes, type WriteCard } from './cards';
import { ditherTable, N_RANDOM, NULL_VALUE, ZERO_VALUE, type QuantizeMethod } from './dither';
import { isCompressionReserved } from './image-header';
import { riceEncode } from './rice';

export interface ImageToCompress {
  bitpix: 8 | 16 | 32 | -32 | -64;
  /** Axis lengths, FITS order (NAXIS1 first). */
  axes: number[];
  /** Stored values, axis 1 fastest (for unsigned 16-bit data: the int16 values plus BZERO in cards). */
  data: ArrayLike<number>;
  /** Other image keywords (EXTNAME, WCS, BSCALE/BZERO, BUNIT, HISTORY, …); structural ones are refused. */
  cards?: WriteCard[];
}

export interface RiceWriteOptions {
  /** Tile shape, FITS order; default whole rows [NAXIS1, 1, …]. */
  tile?: number[];
  /** Pixels per Rice block (ZVAL1); default 32. */
  blockSize?: number;
  /** Float images only: how to quantise. Default SUBTRACTIVE_DITHER_1, level 4. */
  quantize?: {
    method?: QuantizeMethod;
    /** ZSCALE = tile noise σ / level (fpack's -q). Ignored when `step` is set. */
    level?: number;
    /** Fixed quantisation step (ZSCALE) in data units. */
    step?: number;
    /** ZDITHER0, 1..10000; default 1. */
    ditherSeed?: number;
  };
}

const ROW_TILE = (axes: number[]): number[] => axes.map((n, i) => (i === 0 ? n : 1));

/** Robust per-tile noise: 1.4826·MAD of first differences / √2 (a simple stand-in for cfitsio's FnNoise). */
function noiseSigma(v: Float64Array): number {
  const d: number[] = [];
  for (let i = 1; i < v.length; i++) if (Number.isFinite(v[i]!) && Number.isFinite(v[i - 1]!)) d.push(v[i]! - v[i - 1]!);
  if (d.length === 0) return 0;
  d.sort((a, b) => a - b);
  const med = d[d.length >> 1]!;
  const ad = d.map((x) => Math.abs(x - med)).sort((a, b) => a - b);
  return (1.4826 * ad[ad.length >> 1]!) / Math.SQRT2;
}

interface QuantizedTile {
  q?: Int32Array;
  scale: number;
  zero: number;
  anyNull: boolean;
}

function quantizeTile(v: Float64Array, tileIndex: number, opts: NonNullable<RiceWriteOptions['quantize']>): QuantizedTile {
  const method = opts.method ?? 'SUBTRACTIVE_DITHER_1';
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) if (Number.isFinite(x) && !(method === 'SUBTRACTIVE_DITHER_2' && x === 0)) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const scale = opts.step ?? noiseSigma(v) / (opts.level ?? 4);
  if (!(scale > 0) || !Number.isFinite(min)) return { scale: 0, zero: 0, anyNull: false };
  if ((max - min) / scale > 2 ** 31 - 10) return { scale: 0, zero: 0, anyNull: false };
  // Centre the integers on zero to keep them well inside int32 (and Rice differences small).
  const zero = min + (max - min) / 2;
  const q = new Int32Array(v.length);
  const rand = ditherTable();
  let iseed = (tileIndex + (opts.ditherSeed ?? 1) - 1) % N_RANDOM;
  let next = Math.trunc(rand[iseed]! * 500);
  let anyNull = false;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    const r = method === 'NO_DITHER' ? 0.5 : rand[next]!;
    if (!Number.isFinite(x)) {
      q[i] = NULL_VALUE;
      anyNull = true;
    } else if (method === 'SUBTRACTIVE_DITHER_2' && x === 0) q[i] = ZERO_VALUE;
    else q[i] = Math.round((x - zero) / scale + r - 0.5);
    if (method !== 'NO_DITHER' && ++next === N_RANDOM) {
      if (++iseed === N_RANDOM) iseed = 0;
      next = Math.trunc(rand[iseed]! * 500);
    }
  }
  return { q, scale, zero, anyNull };
}

/** The BINTABLE extension (header + data, padded) holding `img` RICE_1-compressed. */
export function riceCompressHdu(img: ImageToCompress, opts: RiceWriteOptions = {}): Uint8Array {
  const { bitpix, axes } = img;
  const npixTotal = axes.reduce((a, b) => a * b, 1);
  if (axes.length === 0 || axes.some((n) => !Number.isInteger(n) || n < 1)) throw new InputError('INPUT_INVALID', `invalid image axes ${axes}`);
  if (img.data.length !== npixTotal) throw new InputError('INPUT_INVALID', `data holds ${img.data.length} values, axes need ${npixTotal}`);
  const tile = (opts.tile ?? ROW_TILE(axes)).map((t, i) => Math.min(t, axes[i]!));
  if (tile.length !== axes.length || tile.some((t) => !Number.isInteger(t) || t < 1)) throw new InputError('INPUT_INVALID', `invalid tile ${opts.tile}`);
  const blockSize = opts.blockSize ?? 32;
  const isFloat = bitpix < 0;
  const bytePix = bitpix === 8 ? 1 : bitpix === 16 ? 2 : 4;
  const q = { method: 'SUBTRACTIVE_DITHER_1' as QuantizeMethod, level: 4, ditherSeed: 1, ...opts.quantize };
  if (q.ditherSeed < 1 || q.ditherSeed > N_RANDOM) throw new InputError('INPUT_INVALID', `ZDITHER0 must be 1..10000, not ${q.ditherSeed}`);
  const ntiles = axes.map((n, i) => Math.ceil(n / tile[i]!));
  const nrows = ntiles.reduce((a, b) => a * b, 1);
  const parts: Uint8Array[] = [];
  const desc: Array<{ c: [number, number]; g: [number, number]; scale: number; zero: number }> = [];
  let heap = 0;
  let anyNull = false;
  const tc = axes.map(() => 0);
  for (let row = 0; row < nrows; row++) {
    const start = tc.map((t, i) => t * tile[i]!);
    const size = start.map((s, i) => Math.min(tile[i]!, axes[i]! - s));
    const vals = gatherTile(img.data, axes, start, size);
    const entry = { c: [0, 0] as [number, number], g: [0, 0] as [number, number], scale: 0, zero: 0 };
    if (!isFloat) {
      const bytes = riceEncode(vals, vals.length, blockSize, bytePix);
      entry.c = [bytes.length, heap];
      parts.push(bytes);
      heap += bytes.length;
    } else {
      const qt = quantizeTile(vals, row, q);
      if (qt.q) {
        const bytes = riceEncode(qt.q, qt.q.length, blockSize, 4);
        entry.c = [bytes.length, heap];
        entry.scale = qt.scale;
        entry.zero = qt.zero;
        anyNull ||= qt.anyNull;
        parts.push(bytes);
        heap += bytes.length;
      } else {
        const raw = new Uint8Array(vals.length * (bitpix === -32 ? 4 : 8));
        const dv = new DataView(raw.buffer);
        vals.forEach((x, i) => (bitpix === -32 ? dv.setFloat32(4 * i, x) : dv.setFloat64(8 * i, x)));
        const bytes = gzipSync(raw);
        entry.g = [bytes.length, heap];
        parts.push(bytes);
        heap += bytes.length;
      }
    }
    desc.push(entry);
    for (let i = 0; i < tc.length; i++) {
      if (++tc[i]! < ntiles[i]!) break;
      tc[i] = 0;
    }
  }
  const rowBytes = isFloat ? 32 : 8;
  const maxLen = Math.max(0, ...desc.map((d) => d.c[0]));
  const maxGz = Math.max(0, ...desc.map((d) => d.g[0]));
  const cards: WriteCard[] = [
    { keyword: 'XTENSION', value: 'BINTABLE', comment: 'binary table extension' },
    { keyword: 'BITPIX', value: 8, comment: '8-bit bytes' },
    { keyword: 'NAXIS', value: 2, comment: '2-dimensional binary table' },
    { keyword: 'NAXIS1', value: rowBytes, comment: 'width of table in bytes' },
    { keyword: 'NAXIS2', value: nrows, comment: 'number of rows in table' },
    { keyword: 'PCOUNT', value: heap, comment: 'size of special data area' },
    { keyword: 'GCOUNT', value: 1, comment: 'one data group (required keyword)' },
    { keyword: 'TFIELDS', value: isFloat ? 4 : 1, comment: 'number of fields in each row' },
    { keyword: 'TTYPE1', value: 'COMPRESSED_DATA', comment: 'label for field 1' },
    { keyword: 'TFORM1', value: `1PB(${maxLen})`, comment: 'data format of field: variable length array' },
  ];
  if (isFloat) {
    cards.push(
      { keyword: 'TTYPE2', value: 'GZIP_COMPRESSED_DATA', comment: 'label for field 2' },
      { keyword: 'TFORM2', value: `1PB(${maxGz})`, comment: 'data format of field: variable length array' },
      { keyword: 'TTYPE3', value: 'ZSCALE', comment: 'label for field 3' },
      { keyword: 'TFORM3', value: '1D', comment: 'data format of field: 8-byte DOUBLE' },
      { keyword: 'TTYPE4', value: 'ZZERO', comment: 'label for field 4' },
      { keyword: 'TFORM4', value: '1D', comment: 'data format of field: 8-byte DOUBLE' },
    );
  }
  cards.push(
    { keyword: 'ZIMAGE', value: true, comment: 'extension contains compressed image' },
    { keyword: 'ZTENSION', value: 'IMAGE', comment: 'Image extension' },
    { keyword: 'ZBITPIX', value: bitpix, comment: 'data type of original image' },
    { keyword: 'ZNAXIS', value: axes.length, comment: 'dimension of original image' },
    ...axes.map((n, i) => ({ keyword: `ZNAXIS${i + 1}`, value: n, comment: 'length of original image axis' })),
    { keyword: 'ZPCOUNT', value: 0, comment: 'size of special data area' },
    { keyword: 'ZGCOUNT', value: 1, comment: 'one data group (required keyword)' },
    ...tile.map((t, i) => ({ keyword: `ZTILE${i + 1}`, value: t, comment: 'size of tiles to be compressed' })),
    { keyword: 'ZCMPTYPE', value: 'RICE_1', comment: 'compression algorithm' },
    { keyword: 'ZNAME1', value: 'BLOCKSIZE', comment: 'compression block size' },
    { keyword: 'ZVAL1', value: blockSize, comment: 'pixels per block' },
    { keyword: 'ZNAME2', value: 'BYTEPIX', comment: 'bytes per pixel (1, 2, 4, or 8)' },
    { keyword: 'ZVAL2', value: bytePix, comment: 'bytes per pixel (1, 2, 4, or 8)' },
  );
  if (isFloat) {
    cards.push({ keyword: 'ZQUANTIZ', value: q.method, comment: 'Pixel Quantization Algorithm' });
    if (q.method !== 'NO_DITHER') cards.push({ keyword: 'ZDITHER0', value: q.ditherSeed, comment: 'dithering offset when quantizing floats' });
    if (anyNull) cards.push({ keyword: 'ZBLANK', value: NULL_VALUE, comment: 'null value in the compressed integer array' });
  }
  for (const c of img.cards ?? []) {
    const k = c.keyword.toUpperCase();
    if (['SIMPLE', 'XTENSION', 'BITPIX', 'NAXIS', 'PCOUNT', 'GCOUNT', 'EXTEND', 'END'].includes(k) || /^NAXIS\d+$/.test(k) || isCompressionReserved(k)) {
      throw new InputError('INPUT_INVALID', `card ${k} is structural; the compressed writer sets it`);
    }
    cards.push(c);
  }
  const head = headerBytes(cards);
  const dataLen = nrows * rowBytes + heap;
  const out = new Uint8Array(head.length + Math.ceil(dataLen / 2880) * 2880);
  out.set(head, 0);
  const dv = new DataView(out.buffer, head.length);
  desc.forEach((d, r) => {
    const o = r * rowBytes;
    dv.setInt32(o, d.c[0]);
    dv.setInt32(o + 4, d.c[1]);
    if (isFloat) {
      dv.setInt32(o + 8, d.g[0]);
      dv.setInt32(o + 12, d.g[1]);
      dv.setFloat64(o + 16, d.scale);
      dv.setFloat64(o + 24, d.zero);
    }
  });
  let pos = head.length + nrows * rowBytes;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** A complete file the way fpack writes one: an empty primary HDU, then the compressed image. */
export function riceCompressedFile(img: ImageToCompress, opts: RiceWriteOptions = {}): Uint8Array {
  const primary = headerBytes([
    { keyword: 'SIMPLE', value: true, comment: 'file does conform to FITS standard' },
    { keyword: 'BITPIX', value: 8, comment: 'number of bits per data pixel' },
    { keyword: 'NAXIS', value: 0, comment: 'number of data axes' },
    { keyword: 'EXTEND', value: true, comment: 'FITS dataset may contain extensions' },
  ]);
  const ext = riceCompressHdu(img, opts);
  const out = new Uint8Array(primary.length + ext.length);
  out.set(primary, 0);
  out.set(ext, primary.length);
  return out;
}

/** Copies one tile out of the image (axis 1 fastest) as float64 values. */
function gatherTile(data: ArrayLike<number>, axes: number[], start: number[], size: number[]): Float64Array {
  const n = size.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  const pos = start.slice();
  const nd = axes.length;
  for (let k = 0; k < n; k += size[0]!) {
    let e = 0;
    for (let i = nd - 1; i >= 0; i--) e = e * axes[i]! + pos[i]!;
    for (let x = 0; x < size[0]!; x++) out[k + x] = data[e + x]!;
    for (let i = 1; i < nd; i++) {
      if (++pos[i]! < start[i]! + size[i]!) break;
      pos[i] = start[i]!;
    }
  }
  return out;
}
