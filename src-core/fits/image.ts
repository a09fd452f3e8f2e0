// Image HDUs: whole arrays and sub-rectangles (cutouts) read row by row, so a 64×64 cutout of a
// 1 GB image reads 64 short byte ranges and nothing else. Shapes and indices are numpy order
// (slowest axis first: [NAXIS2, NAXIS1]) and 0-based; FITS pixel (1, 1) is index [0, 0].
import { FitsError } from '../errors';
import type { FitsFile, Hdu } from './file';
import { allocPixels, decodeInto, pixelScaling, type ImageDtype, type PixelArray, type PixelScaling } from './pixels';

export interface ImageInfo {
  /** Stored BITPIX (for a compressed image: ZBITPIX). */
  bitpix: number;
  /** numpy order, e.g. [NAXIS2, NAXIS1]; [] for NAXIS = 0. */
  shape: number[];
  /** dtype of the values returned (astropy's rules). */
  dtype: ImageDtype;
  scaling: PixelScaling;
  compressed: boolean;
}

export interface ImageData {
  /** numpy order. */
  shape: number[];
  dtype: ImageDtype;
  /** C order (last axis = NAXIS1 fastest). */
  data: PixelArray;
}

/** A tile-compressed image reader (src-core/fits/compress); set by setTileDecompressor. */
export interface TileDecompressor {
  imageInfo(file: FitsFile, hdu: Hdu): ImageInfo;
  readImage(file: FitsFile, hdu: Hdu): ImageData;
  /** Optional: decompress only the tiles a section needs. */
  readSection?(file: FitsFile, hdu: Hdu, start: number[], size: number[]): ImageData;
}

let tileDecompressor: TileDecompressor | undefined;
/** Installed by src-core/fits/compress (keeps this file free of a hard dependency on it). */
export function setTileDecompressor(d: TileDecompressor | undefined): void {
  tileDecompressor = d;
}

function needDecompressor(file: FitsFile, hdu: Hdu): TileDecompressor {
  if (!tileDecompressor) {
    throw new FitsError(
      'FITS_COMPRESSION_UNAVAILABLE',
      `${file.name}: HDU ${hdu.index} is a tile-compressed image (ZCMPTYPE ${hdu.header.getString('ZCMPTYPE') ?? '?'}) and no decompressor is installed`,
      { file: file.name, hdu: hdu.index, keyword: 'ZCMPTYPE' },
    );
  }
  return tileDecompressor;
}

export function isImageHdu(hdu: Hdu): boolean {
  return hdu.type === 'primary' || hdu.type === 'image' || hdu.compressed;
}

export function imageInfo(file: FitsFile, hdu: Hdu): ImageInfo {
  if (hdu.compressed) return needDecompressor(file, hdu).imageInfo(file, hdu);
  if (hdu.type !== 'primary' && hdu.type !== 'image') {
    throw new FitsError('FITS_NOT_IMAGE', `${file.name}: HDU ${hdu.index} is a ${hdu.type}, not an image`, {
      file: file.name,
      hdu: hdu.index,
    });
  }
  const shape = hdu.naxes.length === 0 || (hdu.header.get('GROUPS') === true && hdu.naxes[0] === 0) ? [] : [...hdu.naxes].reverse();
  const scaling = pixelScaling(hdu.header, hdu.bitpix);
  return { bitpix: hdu.bitpix, shape, dtype: scaling.dtype, scaling, compressed: false };
}

/** Whole image (dispatching to the tile decompressor for ZIMAGE = T). */
export function readImage(file: FitsFile, hdu: Hdu): ImageData {
  if (hdu.compressed) return needDecompressor(file, hdu).readImage(file, hdu);
  const info = imageInfo(file, hdu);
  return readImageSection(file, hdu, info.shape.map(() => 0), info.shape);
}

/**
 * A hyper-rectangle `start`..`start+size` (numpy order, 0-based). Reads one contiguous byte
 * range per run along NAXIS1; a request beyond the image throws InputError-like FitsError.
 */
export function readImageSection(file: FitsFile, hdu: Hdu, start: number[], size: number[]): ImageData {
  if (hdu.compressed) {
    const d = needDecompressor(file, hdu);
    if (d.readSection) return d.readSection(file, hdu, start, size);
    return sliceImage(d.readImage(file, hdu), start, size);
  }
  const info = imageInfo(file, hdu);
  const shape = info.shape;
  checkSection(file, hdu, shape, start, size);
  const total = size.reduce((a, b) => a * b, 1);
  checkBudget(file, hdu, info, start, size, total);
  const out = allocPixels(info.dtype, shape.length === 0 ? 0 : total);
  if (shape.length === 0 || total === 0) return { shape: [...size], dtype: info.dtype, data: out };
  const bpp = Math.abs(info.bitpix) / 8;
  const nd = shape.length;
  const rowLen = size[nd - 1]!;
  // Strides in elements, numpy order.
  const strides = new Array<number>(nd);
  strides[nd - 1] = 1;
  for (let i = nd - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  // Whole contiguous block: one read.
  const full = start.every((s, i) => i === 0 || (s === 0 && size[i] === shape[i]));
  if (full) {
    const first = start[0]! * strides[0]!;
    decodeInto(file.readData(hdu, first * bpp, total * bpp), info.scaling, out, 0);
    return { shape: [...size], dtype: info.dtype, data: out };
  }
  // File offsets of every run along NAXIS1 (odometer over the outer axes).
  const runBytes = rowLen * bpp;
  const idx = start.slice(0, nd - 1);
  const nRuns = total / rowLen;
  const offsets = new Array<number>(nRuns);
  for (let r = 0; r < nRuns; r++) {
    let elem = start[nd - 1]!;
    for (let i = 0; i < nd - 1; i++) elem += idx[i]! * strides[i]!;
    offsets[r] = hdu.dataOffset + elem * bpp;
    for (let i = nd - 2; i >= 0; i--) {
      idx[i]!++;
      if (idx[i]! < start[i]! + size[i]!) break;
      idx[i] = start[i]!;
    }
  }
  const bytes = new Uint8Array(total * bpp);
  readRuns(file, offsets, runBytes, bytes);
  decodeInto(bytes, info.scaling, out, 0);
  return { shape: [...size], dtype: info.dtype, data: out };
}

/**
 * Coalescing: a positional read costs a system call (~2–5 µs), about as much as copying
 * ~32 KB, so runs whose gaps are below MAX_GAP are fetched with one read of at most MAX_SPAN
 * bytes into a reused scratch buffer; isolated runs are read straight into place.
 */
const MAX_GAP = 32 * 1024;
const MAX_SPAN = 2 * 1024 * 1024;
let scratch = new Uint8Array(0);

function readRuns(file: FitsFile, offsets: number[], runBytes: number, out: Uint8Array): void {
  const src = file.source;
  const n = offsets.length;
  for (let r = 0; r < n; ) {
    // Extend the group while the next run is close and ascending and the span stays bounded.
    let e = r;
    while (
      e + 1 < n &&
      offsets[e + 1]! >= offsets[e]! + runBytes &&
      offsets[e + 1]! - (offsets[e]! + runBytes) <= MAX_GAP &&
      offsets[e + 1]! + runBytes - offsets[r]! <= MAX_SPAN
    ) e++;
    if (e === r) {
      if (src.readInto) src.readInto(offsets[r]!, runBytes, out, r * runBytes);
      else out.set(src.read(offsets[r]!, runBytes), r * runBytes);
    } else {
      const base = offsets[r]!;
      const span = offsets[e]! + runBytes - base;
      let buf: Uint8Array;
      if (src.readInto) {
        if (scratch.length < span) scratch = new Uint8Array(Math.max(span, 64 * 1024));
        src.readInto(base, span, scratch, 0);
        buf = scratch;
      } else buf = src.read(base, span);
      for (let k = r; k <= e; k++) {
        const o = offsets[k]! - base;
        out.set(buf.subarray(o, o + runBytes), k * runBytes);
      }
    }
    r = e + 1;
  }
}

/** Largest pixel array handed out in one call (bytes); bigger requests must use sections. */
export const MAX_IMAGE_BYTES = 2 ** 31;

const DTYPE_BYTES: Record<string, number> = { uint8: 1, int8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, float32: 4, float64: 8 };

/** Refuses before allocating: a section past the end of a truncated file, or an absurd size. */
function checkBudget(file: FitsFile, hdu: Hdu, info: ImageInfo, start: number[], size: number[], total: number): void {
  if (total === 0 || info.shape.length === 0) return;
  if (total * DTYPE_BYTES[info.dtype]! > MAX_IMAGE_BYTES) {
    throw new FitsError('FITS_TOO_LARGE', `${file.name}: HDU ${hdu.index}: ${total} pixels exceed the ${MAX_IMAGE_BYTES}-byte limit of one read; read sections`, {
      file: file.name,
      hdu: hdu.index,
    });
  }
  // Byte just past the section's last element.
  let last = 0;
  for (let i = 0; i < info.shape.length; i++) last = last * info.shape[i]! + (start[i]! + size[i]! - 1);
  const end = hdu.dataOffset + (last + 1) * (Math.abs(info.bitpix) / 8);
  if (end > file.source.size) {
    throw new FitsError('FITS_TRUNCATED', `${file.name}: HDU ${hdu.index}: image data ends at byte ${end} but the file has ${file.source.size} bytes`, {
      file: file.name,
      hdu: hdu.index,
      offset: end,
    });
  }
}

function checkSection(file: FitsFile, hdu: Hdu, shape: number[], start: number[], size: number[]): void {
  const bad =
    start.length !== shape.length ||
    size.length !== shape.length ||
    start.some((s, i) => !Number.isInteger(s) || s < 0 || !Number.isInteger(size[i]) || size[i]! < 0 || s + size[i]! > shape[i]!);
  if (bad) {
    throw new FitsError(
      'FITS_BAD_SECTION',
      `${file.name}: HDU ${hdu.index}: section start [${start}] size [${size}] is outside image shape [${shape}]`,
      { file: file.name, hdu: hdu.index },
    );
  }
}

/** Cuts a section out of an in-memory image (used when a decompressor has no section reader). */
export function sliceImage(img: ImageData, start: number[], size: number[]): ImageData {
  const nd = img.shape.length;
  if (start.length !== nd || size.length !== nd || start.some((s, i) => s < 0 || s + size[i]! > img.shape[i]!)) {
    throw new FitsError('FITS_BAD_SECTION', `section [${start}]+[${size}] outside shape [${img.shape}]`, {});
  }
  const total = size.reduce((a, b) => a * b, 1);
  const out = allocPixels(img.dtype, total);
  if (total === 0) return { shape: [...size], dtype: img.dtype, data: out };
  const strides = new Array<number>(nd);
  strides[nd - 1] = 1;
  for (let i = nd - 2; i >= 0; i--) strides[i] = strides[i + 1]! * img.shape[i + 1]!;
  const rowLen = size[nd - 1]!;
  const idx = start.slice(0, nd - 1);
  for (let r = 0; r < total / rowLen; r++) {
    let e = start[nd - 1]!;
    for (let i = 0; i < nd - 1; i++) e += idx[i]! * strides[i]!;
    (out as Float64Array).set((img.data as Float64Array).subarray(e, e + rowLen), r * rowLen);
    for (let i = nd - 2; i >= 0; i--) {
      idx[i]!++;
      if (idx[i]! < start[i]! + size[i]!) break;
      idx[i] = start[i]!;
    }
  }
  return { shape: [...size], dtype: img.dtype, data: out };
}

/**
 * A 2-D cutout: columns x0..x0+width-1, rows y0..y0+height-1 (0-based pixel indices; FITS pixel
 * (x0+1, y0+1) is the first one) of image plane `plane` (index over NAXIS3.., C order).
 */
export function readCutout(
  file: FitsFile,
  hdu: Hdu,
  x0: number,
  y0: number,
  width: number,
  height: number,
  plane: number[] = [],
): ImageData {
  const info = hdu.compressed ? needDecompressor(file, hdu).imageInfo(file, hdu) : imageInfo(file, hdu);
  const extra = info.shape.length - 2;
  if (extra < 0) {
    throw new FitsError('FITS_BAD_SECTION', `${file.name}: HDU ${hdu.index} has ${info.shape.length} axes; a cutout needs 2`, {
      file: file.name,
      hdu: hdu.index,
    });
  }
  const p = plane.length === extra ? plane : new Array<number>(extra).fill(0);
  const img = readImageSection(file, hdu, [...p, y0, x0], [...p.map(() => 1), height, width]);
  return { shape: [height, width], dtype: img.dtype, data: img.data };
}

/** Pixel value at a numpy-order index as a JS number (bigint pixels converted; may round beyond 2^53). */
export function pixelAt(img: ImageData, index: number[]): number {
  let e = 0;
  for (let i = 0; i < index.length; i++) e = e * img.shape[i]! + index[i]!;
  return Number(img.data[e]!);
}
