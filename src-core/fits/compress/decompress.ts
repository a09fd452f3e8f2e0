// Decompresses a tile-compressed image (FITS 4.0 §10), or only the part of it inside a region:
// tiles are visited in table order (axis 1 fastest) and only those overlapping the region are
// read and decoded, so a cutout from a large mosaic touches a handful of tiles.
import { FitsError } from '../../errors';
import { unquantizeTile } from './dither';
import { TileCodecError, tileError, type TileContext } from './errors';
import { inflateTile } from './gzip';
import { compressionParams, type CompressionParams } from './params';
import { elementSize, readDescriptor, readScalar, tableLayout, type CompressedTableSource, type Descriptor, type TableColumn, type TableLayout } from './table';
import { decodeTile, parseBigEndian, scratchFloat, type TileValues } from './tile-codecs';

/** A box of pixels, 0-based, FITS axis order (start[0] is the column, axis 1). */
export interface ImageRegion {
  start: number[];
  size: number[];
}

export type PixelArray = Uint8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

export interface DecompressedImage {
  /** BITPIX of the image (ZBITPIX). */
  bitpix: 8 | 16 | 32 | 64 | -32 | -64;
  /** Full image axis lengths (ZNAXISn), FITS order. */
  axes: number[];
  /** The region returned (the whole image when none was asked for). */
  region: ImageRegion;
  /**
   * Stored pixel values of the region, axis 1 fastest, as an uncompressed HDU of this BITPIX would
   * hold them (BSCALE/BZERO/BLANK of the image header are NOT applied; de-quantised floats are
   * physical, with NaN for ZBLANK pixels).
   */
  data: PixelArray;
  /** ZBLANK of an integer image (undefined pixels hold this value); undefined when none. */
  blank?: number;
  /** Number of tiles decoded (cost of the request). */
  tilesDecoded: number;
  params: CompressionParams;
}

/** Output larger than this many bytes is refused (a lying ZNAXISn cannot exhaust memory). */
export const MAX_OUTPUT_BYTES = 2 ** 31;
/**
 * Most decompressed bytes (whole request, or one tile) per byte of the data unit present in the
 * file, beyond EXPANSION_FLOOR_BYTES. RICE_1 cannot beat ~200× (a 4-bit block code per 32
 * pixels), GZIP ~1032× (RFC 1951); only PLIO_1/HCOMPRESS_1 of blank masks go further, and
 * those are small images. A header that claims more is lying about ZNAXISn or ZTILEn.
 */
export const MAX_EXPANSION = 4096;
/** Decompressed size always allowed whatever the data unit's size (bytes). */
export const EXPANSION_FLOOR_BYTES = 256 * 1024 * 1024;

function allocate(bitpix: number, n: number): PixelArray {
  switch (bitpix) {
    case 8:
      return new Uint8Array(n);
    case 16:
      return new Int16Array(n);
    case 32:
      return new Int32Array(n);
    case 64:
      return new BigInt64Array(n);
    case -32:
      return new Float32Array(n);
    default:
      return new Float64Array(n);
  }
}

interface Columns {
  data: TableColumn;
  gzip?: TableColumn;
  raw?: TableColumn;
  zscale?: TableColumn;
  zzero?: TableColumn;
  zblank?: TableColumn;
}

/** Decompresses the image held by `src`, or only `region` of it. */
export function decompressImage(src: CompressedTableSource, region?: ImageRegion): DecompressedImage {
  const base: TileContext = { file: src.file, hdu: src.hdu };
  const p = compressionParams(src.header, base);
  const layout = tableLayout(src.header, base);
  const cols: Columns = {
    data: layout.columns.get('COMPRESSED_DATA')!,
    gzip: layout.columns.get('GZIP_COMPRESSED_DATA'),
    raw: layout.columns.get('UNCOMPRESSED_DATA'),
    zscale: layout.columns.get('ZSCALE'),
    zzero: layout.columns.get('ZZERO'),
    zblank: layout.columns.get('ZBLANK'),
  };
  if (!cols.data) throw tileError('FITS_COLUMN_MISSING', 'compressed image table has no COMPRESSED_DATA column', base);
  checkColumns(cols, base);
  const ndim = p.axes.length;
  const ntiles = p.axes.map((n, i) => Math.ceil(n / p.tile[i]!));
  const totalTiles = ntiles.reduce((a, b) => a * b, 1);
  if (layout.nrows < totalTiles) {
    throw tileError('FITS_TABLE_SHORT', `table has ${layout.nrows} rows but the image needs ${totalTiles} tiles`, base);
  }
  const reg = checkRegion(region, p.axes, base);
  const outPix = reg.size.reduce((a, b) => a * b, 1);
  const pixBytes = Math.abs(p.zbitpix) / 8;
  const outBytes = outPix * pixBytes;
  if (outBytes > MAX_OUTPUT_BYTES) {
    throw tileError('FITS_LIMIT', `output of ${outBytes} bytes exceeds the ${MAX_OUTPUT_BYTES}-byte limit; ask for a region`, base);
  }
  // Expansion guard (checked before allocating): what a few KB of table claims must stay
  // proportional to the bytes actually present (see MAX_EXPANSION).
  const tileBytes = p.tile.reduce((a, b) => a * b, 1) * pixBytes;
  if (src.dataSize !== undefined && outPix > 0) {
    const allowed = Math.max(EXPANSION_FLOOR_BYTES, MAX_EXPANSION * src.dataSize);
    const claim = Math.max(outBytes, tileBytes);
    if (claim > allowed) {
      throw tileError(
        'FITS_LIMIT',
        `ZNAXISn/ZTILEn claim ${claim} decompressed bytes from a ${src.dataSize}-byte data unit (more than ${MAX_EXPANSION}× its size beyond ${EXPANSION_FLOOR_BYTES} bytes)`,
        { ...base, keyword: outBytes >= tileBytes ? 'ZNAXIS' : 'ZTILE1' },
      );
    }
  }
  if (outPix === 0 || ndim === 0) {
    const blank = p.zbitpix > 0 && p.zblank !== undefined ? { blank: p.zblank } : {};
    return { bitpix: p.zbitpix, axes: p.axes, region: reg, data: allocate(p.zbitpix, 0), tilesDecoded: 0, params: p, ...blank };
  }

  // Tile index ranges overlapping the region, per axis.
  const t0 = reg.start.map((s, i) => Math.floor(s / p.tile[i]!));
  const t1 = reg.start.map((s, i) => Math.floor((s + reg.size[i]! - 1) / p.tile[i]!));
  const rowOf = (tc: number[]): number => {
    let r = 0;
    for (let i = ndim - 1; i >= 0; i--) r = r * ntiles[i]! + tc[i]!;
    return r;
  };
  const firstRow = rowOf(t0);
  const lastRow = rowOf(t1);
  // The table rows are read (and their presence in the file checked) before the output exists.
  const rows = readExact(src, firstRow * layout.rowBytes, (lastRow - firstRow + 1) * layout.rowBytes, base);
  const out = allocate(p.zbitpix, outPix);
  const result: DecompressedImage = {
    bitpix: p.zbitpix,
    axes: p.axes,
    region: reg,
    data: out,
    tilesDecoded: 0,
    params: p,
    ...(p.zbitpix > 0 && p.zblank !== undefined ? { blank: p.zblank } : {}),
  };
  const tc = t0.slice();
  for (;;) {
    const row = rowOf(tc);
    const ctx: TileContext = { ...base, tile: row };
    const tileStart = tc.map((t, i) => t * p.tile[i]!);
    const tileSize = tileStart.map((s, i) => Math.min(p.tile[i]!, p.axes[i]! - s));
    const npix = tileSize.reduce((a, b) => a * b, 1);
    const rowView = new DataView(rows.buffer, rows.byteOffset + (row - firstRow) * layout.rowBytes, layout.rowBytes);
    // RICE_1 decodes sequentially: stop after the last pixel the region needs from this tile.
    let need = 0;
    for (let i = ndim - 1; i >= 0; i--) {
      const last = Math.min(tileStart[i]! + tileSize[i]!, reg.start[i]! + reg.size[i]!) - 1 - tileStart[i]!;
      need = need * tileSize[i]! + last;
    }
    need += 1;
    const values = decodeOneTile(src, layout, cols, rowView, row, npix, p, ctx, need);
    copyTile(values, tileStart, tileSize, out, reg);
    result.tilesDecoded++;
    // odometer over the overlapping tiles, axis 1 fastest
    let i = 0;
    for (; i < ndim; i++) {
      if (tc[i]! < t1[i]!) {
        tc[i]!++;
        break;
      }
      tc[i] = t0[i]!;
    }
    if (i === ndim) break;
  }
  return result;
}

/** Columns used per tile must have the shape §10.1 gives them (a 0-repeat cell lies outside the row). */
function checkColumns(cols: Columns, ctx: TileContext): void {
  for (const c of [cols.zscale, cols.zzero, cols.zblank]) {
    if (c && (c.repeat < 1 || !'BIJKED'.includes(c.type))) {
      throw tileError('FITS_KEYWORD_INVALID', `column ${c.name} must be a numeric scalar (1D, 1E, 1J …), not ${c.repeat}${c.type}`, { ...ctx, column: c.name });
    }
  }
  for (const c of [cols.data, cols.gzip, cols.raw]) {
    if (c && c.type !== 'P' && c.type !== 'Q') {
      throw tileError('FITS_KEYWORD_INVALID', `column ${c.name} must be a P or Q array, not ${c.repeat}${c.type}`, { ...ctx, column: c.name });
    }
  }
}

function checkRegion(region: ImageRegion | undefined, axes: number[], ctx: TileContext): ImageRegion {
  if (!region) return { start: axes.map(() => 0), size: axes.slice() };
  const ok =
    region.start.length === axes.length &&
    region.size.length === axes.length &&
    region.start.every((s, i) => Number.isInteger(s) && s >= 0 && Number.isInteger(region.size[i]) && region.size[i]! >= 0 && s + region.size[i]! <= axes[i]!);
  if (!ok) {
    throw new FitsError('FITS_REGION_INVALID', `${ctx.file ? ctx.file + ': ' : ''}HDU ${ctx.hdu ?? '?'}: region start ${JSON.stringify(region.start)} size ${JSON.stringify(region.size)} is not inside the ${axes.join('×')} image`, {
      file: ctx.file,
      hdu: ctx.hdu,
    });
  }
  return { start: region.start.slice(), size: region.size.slice() };
}

function readExact(src: CompressedTableSource, offset: number, length: number, ctx: TileContext): Uint8Array {
  const bytes = src.readData(offset, length);
  if (bytes.length < length) {
    const abs = (src.dataOffset ?? 0) + offset + bytes.length;
    throw tileError('FITS_TRUNCATED', `data unit ends after ${bytes.length} of ${length} bytes requested`, { ...ctx, byteOffset: abs });
  }
  return bytes;
}

/** Reads the heap bytes a descriptor points to, after checking they lie inside the heap. */
function readHeapArray(src: CompressedTableSource, layout: TableLayout, col: TableColumn, d: Descriptor, ctx: TileContext): Uint8Array {
  const len = d.count * elementSize(col.elemType ?? 'B');
  const c = { ...ctx, column: col.name, byteOffset: (src.dataOffset ?? 0) + layout.heapOffset + d.offset };
  if (d.count < 0 || d.offset < 0 || d.offset + len > layout.heapSize) {
    throw tileError('FITS_DESCRIPTOR_INVALID', `descriptor (${d.count} elements at heap offset ${d.offset}) points outside the ${layout.heapSize}-byte heap`, c);
  }
  return readExact(src, layout.heapOffset + d.offset, len, c);
}

function decodeOneTile(
  src: CompressedTableSource,
  layout: TableLayout,
  cols: Columns,
  row: DataView,
  tileIndex: number,
  npix: number,
  p: CompressionParams,
  ctx: TileContext,
  need: number,
): TileValues {
  const isFloat = p.zbitpix < 0;
  const d = readDescriptor(row, cols.data, ctx);
  if (d.count < 0 || d.offset < 0) {
    throw tileError('FITS_DESCRIPTOR_INVALID', `negative descriptor (${d.count} elements at heap offset ${d.offset})`, { ...ctx, column: cols.data.name });
  }
  let values: TileValues;
  let quantized = p.quantize !== null;
  let where: TileContext = { ...ctx, column: cols.data.name, byteOffset: (src.dataOffset ?? 0) + layout.heapOffset + d.offset };
  try {
    if (d.count > 0) {
      const bytes = readHeapArray(src, layout, cols.data, d, ctx);
      values = decodeTile(bytes, npix, p, quantized, need);
    } else if (cols.gzip && readDescriptor(row, cols.gzip, ctx).count > 0) {
      // float tile that could not be quantised: gzipped big-endian floats (cfitsio ≥ 3.28)
      const dg = readDescriptor(row, cols.gzip, ctx);
      where = { ...ctx, column: cols.gzip.name, byteOffset: (src.dataOffset ?? 0) + layout.heapOffset + dg.offset };
      const bytes = readHeapArray(src, layout, cols.gzip, dg, ctx);
      const size = Math.abs(p.zbitpix) / 8;
      const raw = inflateTile(bytes, npix * size);
      if (raw.length !== npix * size) throw new TileCodecError(`inflated ${raw.length} bytes, expected ${npix * size}`, bytes.length);
      values = parseBigEndian(raw, npix, size, isFloat);
      quantized = false;
    } else if (cols.raw && readDescriptor(row, cols.raw, ctx).count > 0) {
      // pre-2011 cfitsio: the tile's values stored as they are
      const du = readDescriptor(row, cols.raw, ctx);
      where = { ...ctx, column: cols.raw.name, byteOffset: (src.dataOffset ?? 0) + layout.heapOffset + du.offset };
      const bytes = readHeapArray(src, layout, cols.raw, du, ctx);
      const t = cols.raw.elemType ?? 'B';
      if (du.count !== npix) throw new TileCodecError(`UNCOMPRESSED_DATA holds ${du.count} values, tile has ${npix}`, 0);
      values = parseBigEndian(bytes, npix, elementSize(t), t === 'E' || t === 'D');
      quantized = false;
    } else {
      throw new TileCodecError('tile has no data in any column', 0);
    }
  } catch (e) {
    if (e instanceof TileCodecError) {
      throw tileError('FITS_TILE_CORRUPT', e.message, { ...where, byteOffset: (where.byteOffset ?? 0) + e.offset });
    }
    throw e;
  }
  if (!isFloat) return values;
  if (values.kind === 'float') return values;
  if (values.kind !== 'int' || !quantized) {
    throw tileError('FITS_TILE_CORRUPT', 'float image tile holds integers but the image is not quantised (no ZSCALE)', where);
  }
  const scale = cols.zscale ? readScalar(row, cols.zscale) : p.zscale ?? 1;
  const zero = cols.zzero ? readScalar(row, cols.zzero) : p.zzero ?? 0;
  const blank = cols.zblank ? readScalar(row, cols.zblank) : p.zblank;
  const f = scratchFloat(npix, p.zbitpix === -32);
  unquantizeTile(values.values, Math.min(need, values.values.length), f, scale, zero, p.quantize!, tileIndex, p.ditherSeed, blank);
  return { kind: 'float', values: f };
}

/** Copies the part of a tile inside the region into the region-shaped output. */
function copyTile(values: TileValues, tileStart: number[], tileSize: number[], out: PixelArray, reg: ImageRegion): void {
  const ndim = tileStart.length;
  const src = values.values as ArrayLike<number | bigint>;
  const dst = out as unknown as { [i: number]: number | bigint };
  // overlap box in image coordinates
  const lo = tileStart.map((s, i) => Math.max(s, reg.start[i]!));
  const hi = tileStart.map((s, i) => Math.min(s + tileSize[i]!, reg.start[i]! + reg.size[i]!));
  if (lo.some((l, i) => l >= hi[i]!)) return;
  const width = hi[0]! - lo[0]!;
  const bigOut = out instanceof BigInt64Array;
  const pos = lo.slice();
  for (;;) {
    let si = 0;
    let di = 0;
    for (let i = ndim - 1; i >= 0; i--) {
      si = si * tileSize[i]! + (pos[i]! - tileStart[i]!);
      di = di * reg.size[i]! + (pos[i]! - reg.start[i]!);
    }
    if (bigOut && values.kind !== 'bigint') {
      for (let k = 0; k < width; k++) dst[di + k] = BigInt(src[si + k] as number);
    } else if (!bigOut && values.kind === 'bigint') {
      for (let k = 0; k < width; k++) dst[di + k] = Number(src[si + k]!);
    } else {
      // TypedArray.set converts between numeric element types (wrapping integers as C casts do)
      (out as Int32Array).set((values.values as Int32Array).subarray(si, si + width), di);
    }
    let i = 1;
    for (; i < ndim; i++) {
      if (pos[i]! + 1 < hi[i]!) {
        pos[i]!++;
        break;
      }
      pos[i] = lo[i]!;
    }
    if (i >= ndim) break;
  }
}
