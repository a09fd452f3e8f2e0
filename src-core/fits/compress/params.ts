// Compression keywords of a tile-compressed image (FITS 4.0 §10.1.1, §10.1.2, §10.2; cfitsio
// imcompress.c imcomp_get_compressed_image_par for defaults).
import type { FitsError } from '../../errors';
import type { FitsHeader } from '../header';
import { tileError, type TileContext } from './errors';
import type { QuantizeMethod } from './dither';

export type CompressionType = 'RICE_1' | 'GZIP_1' | 'GZIP_2' | 'HCOMPRESS_1' | 'PLIO_1' | 'NOCOMPRESS';

export interface CompressionParams {
  type: CompressionType;
  /** BITPIX of the uncompressed image. */
  zbitpix: 8 | 16 | 32 | 64 | -32 | -64;
  /** ZNAXISn, FITS order (axis 1 first). */
  axes: number[];
  /** ZTILEn, FITS order. */
  tile: number[];
  blockSize: number;
  bytePix: number;
  hcompScale: number;
  hcompSmooth: number;
  /** Quantisation of float images; null when floats are stored losslessly (or integer image). */
  quantize: QuantizeMethod | null;
  ditherSeed: number;
  /** ZBLANK keyword (a ZBLANK column overrides it per tile). */
  zblank?: number;
  /** ZSCALE / ZZERO keywords, used when there are no such columns. */
  zscale?: number;
  zzero?: number;
}

const ALIASES: Record<string, CompressionType> = {
  RICE_1: 'RICE_1',
  RICE_ONE: 'RICE_1',
  GZIP_1: 'GZIP_1',
  GZIP_2: 'GZIP_2',
  HCOMPRESS_1: 'HCOMPRESS_1',
  PLIO_1: 'PLIO_1',
  NOCOMPRESS: 'NOCOMPRESS',
};

/** Most axes an image may have (FITS 4.0 §4.4.1.1: NAXIS ≤ 999). */
export const MAX_ZNAXIS = 999;
/** Most columns a table may have (FITS 4.0 §7.2.1: TFIELDS ≤ 999). */
export const MAX_TFIELDS = 999;

function keywordError(keyword: string, message: string, ctx: TileContext): FitsError {
  return tileError('FITS_KEYWORD_INVALID', message, { ...ctx, keyword });
}

/**
 * ZNAXIS and ZNAXISn of a compressed image, validated before any loop runs over them (a hostile
 * ZNAXIS = 2·10^9 must fail at once, not loop): 0 ≤ ZNAXIS ≤ 999, each ZNAXISn a safe integer ≥ 0.
 */
export function compressedAxes(h: FitsHeader, ctx: TileContext): number[] {
  const naxis = h.getNumber('ZNAXIS');
  if (naxis === undefined || !Number.isInteger(naxis) || naxis < 0 || naxis > MAX_ZNAXIS) {
    throw keywordError('ZNAXIS', `ZNAXIS = ${String(h.get('ZNAXIS'))} is not valid (0..${MAX_ZNAXIS})`, ctx);
  }
  const axes: number[] = [];
  for (let i = 1; i <= naxis; i++) {
    const n = h.getNumber(`ZNAXIS${i}`);
    if (n === undefined || !Number.isSafeInteger(n) || n < 0) {
      throw keywordError(`ZNAXIS${i}`, `ZNAXIS${i} = ${String(h.get(`ZNAXIS${i}`))} is not a valid axis length`, ctx);
    }
    axes.push(n);
  }
  return axes;
}

/** TFIELDS of the table, validated (0..999) before a loop runs over the columns. */
export function tableFieldCount(h: FitsHeader, ctx: TileContext): number {
  const n = h.getNumber('TFIELDS');
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > MAX_TFIELDS) {
    throw keywordError('TFIELDS', `TFIELDS = ${String(h.get('TFIELDS'))} is not valid (0..${MAX_TFIELDS})`, ctx);
  }
  return n;
}

/** Largest number of pixels in one tile we agree to allocate (a lying ZTILEn cannot exhaust memory). */
export const MAX_TILE_PIXELS = 1 << 27;

export function compressionParams(h: FitsHeader, ctx: TileContext): CompressionParams {
  if (h.getBoolean('ZIMAGE') !== true) throw tileError('FITS_NOT_COMPRESSED', 'HDU is not a compressed image (ZIMAGE ≠ T)', ctx);
  const cmp = (h.getString('ZCMPTYPE') ?? '').trim().toUpperCase();
  const type = ALIASES[cmp];
  if (!type) throw tileError('FITS_UNSUPPORTED', `unsupported ZCMPTYPE '${cmp}'`, { ...ctx, keyword: 'ZCMPTYPE' });
  const zbitpix = h.getNumber('ZBITPIX');
  if (![8, 16, 32, 64, -32, -64].includes(zbitpix as number)) {
    throw keywordError('ZBITPIX', `ZBITPIX = ${zbitpix} is not a valid BITPIX`, ctx);
  }
  const axes = compressedAxes(h, ctx);
  const tile: number[] = [];
  for (let i = 1; i <= axes.length; i++) {
    const n = axes[i - 1]!;
    // Default tiles are whole rows (ZTILE1 = ZNAXIS1, others 1), §10.1.1.
    const t = h.getNumber(`ZTILE${i}`, i === 1 ? n : 1);
    if (!Number.isSafeInteger(t) || t < 1) throw keywordError(`ZTILE${i}`, `ZTILE${i} = ${t} is not valid`, ctx);
    tile.push(Math.min(t, Math.max(n, 1)));
  }
  const tilePix = tile.reduce((a, b) => a * b, 1);
  if (tilePix > MAX_TILE_PIXELS) {
    throw tileError('FITS_LIMIT', `a tile of ${tilePix} pixels exceeds the ${MAX_TILE_PIXELS}-pixel limit`, ctx);
  }
  // cfitsio (imcomp_get_compressed_image_par) reads RICE_1 and HCOMPRESS_1 parameters by position:
  // ZVAL1 = BLOCKSIZE / SCALE, ZVAL2 = BYTEPIX / SMOOTH; BYTEPIX defaults to 4 (also for very old
  // files whose ZNAME2 is NOISEBIT), and a swapped pair (BLOCKSIZE < 16, BYTEPIX > 8) is undone.
  const zval1 = h.getNumber('ZVAL1');
  const zval2 = (h.getString('ZNAME2') ?? '').trim().toUpperCase() === 'NOISEBIT' ? undefined : h.getNumber('ZVAL2');
  let blockSize = type === 'RICE_1' ? zval1 ?? 32 : 32;
  let bytePix = type === 'RICE_1' ? zval2 ?? 4 : 4;
  if (blockSize < 16 && bytePix > 8) [blockSize, bytePix] = [bytePix, blockSize];
  if (type === 'RICE_1' && ![1, 2, 4].includes(bytePix)) {
    throw keywordError('ZVAL2', `RICE_1 BYTEPIX = ${bytePix} (must be 1, 2 or 4)`, ctx);
  }
  if (type === 'RICE_1' && !(Number.isInteger(blockSize) && blockSize > 0 && blockSize <= 1 << 20)) {
    throw keywordError('ZVAL1', `RICE_1 BLOCKSIZE = ${blockSize} is not valid`, ctx);
  }
  const isFloat = (zbitpix as number) < 0;
  const tfields = tableFieldCount(h, ctx);
  let hasScaleCol = false;
  for (let i = 1; i <= tfields && !hasScaleCol; i++) hasScaleCol = (h.getString(`TTYPE${i}`) ?? '').trim().toUpperCase() === 'ZSCALE';
  const zq = (h.getString('ZQUANTIZ') ?? '').trim().toUpperCase();
  let quantize: QuantizeMethod | null = null;
  if (isFloat && zq !== 'NONE' && (hasScaleCol || h.has('ZSCALE'))) {
    if (zq === 'SUBTRACTIVE_DITHER_1' || zq === 'SUBTRACTIVE_DITHER_2') quantize = zq;
    else quantize = 'NO_DITHER'; // missing or NO_DITHER (astropy and cfitsio agree)
  }
  // cfitsio uses ZDITHER0 as an integer index into its random table; anything else (a float,
  // 1E300) would make the dither walk never advance.
  const ditherSeed = h.getNumber('ZDITHER0', 1);
  if (!Number.isSafeInteger(ditherSeed)) throw keywordError('ZDITHER0', `ZDITHER0 = ${ditherSeed} is not an integer seed`, ctx);
  return {
    type,
    zbitpix: zbitpix as CompressionParams['zbitpix'],
    axes,
    tile,
    blockSize,
    bytePix,
    hcompScale: type === 'HCOMPRESS_1' ? zval1 ?? 0 : 0,
    hcompSmooth: type === 'HCOMPRESS_1' ? zval2 ?? 0 : 0,
    quantize,
    ditherSeed,
    zblank: h.getNumber('ZBLANK'),
    zscale: h.getNumber('ZSCALE'),
    zzero: h.getNumber('ZZERO'),
  };
}
