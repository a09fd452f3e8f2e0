// Turns one tile's bytes into pixel values, per ZCMPTYPE (FITS 4.0 §10.4). Integer codecs yield
// Int32Array (cfitsio decodes every integer tile to int); GZIP and NOCOMPRESS can also carry raw
// float or 64-bit values, which come back as Float32/Float64/BigInt64 arrays.
import { hcompressDecode } from './hcompress';
import { inflateTile, unshuffleBytes } from './gzip';
import { plioDecode } from './plio';
import { riceDecode } from './rice';
import { TileCodecError } from './errors';
import type { CompressionParams } from './params';

export type TileValues =
  | { kind: 'int'; values: Int32Array }
  | { kind: 'float'; values: Float32Array | Float64Array }
  | { kind: 'bigint'; values: BigInt64Array };

// Tiles are decoded and copied out one at a time (synchronously), so one scratch buffer per type
// serves every tile: no allocation per tile on the hot path.
let intScratch = new Int32Array(0);
/** A reusable Int32Array view of `n` elements; valid until the next call. */
export function scratchInt(n: number): Int32Array {
  if (intScratch.length < n) intScratch = new Int32Array(n);
  return intScratch.subarray(0, n);
}
let f32Scratch = new Float32Array(0);
let f64Scratch = new Float64Array(0);
/** A reusable float view for de-quantised tiles; valid until the next call. */
export function scratchFloat(n: number, single: boolean): Float32Array | Float64Array {
  if (single) {
    if (f32Scratch.length < n) f32Scratch = new Float32Array(n);
    return f32Scratch.subarray(0, n);
  }
  if (f64Scratch.length < n) f64Scratch = new Float64Array(n);
  return f64Scratch.subarray(0, n);
}

/** Most bytes one byte of deflate data can inflate to (a 258-byte match in ≥ 2 bits, RFC 1951). */
const MAX_DEFLATE_RATIO = 1032;

/** Big-endian element bytes → values; `size` is the element width, `float` selects IEEE types. */
export function parseBigEndian(bytes: Uint8Array, npix: number, size: number, float: boolean): TileValues {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (float && size === 4) {
    const v = new Float32Array(npix);
    for (let i = 0; i < npix; i++) v[i] = dv.getFloat32(4 * i);
    return { kind: 'float', values: v };
  }
  if (float && size === 8) {
    const v = new Float64Array(npix);
    for (let i = 0; i < npix; i++) v[i] = dv.getFloat64(8 * i);
    return { kind: 'float', values: v };
  }
  if (size === 8) {
    const v = new BigInt64Array(npix);
    for (let i = 0; i < npix; i++) v[i] = dv.getBigInt64(8 * i);
    return { kind: 'bigint', values: v };
  }
  const v = new Int32Array(npix);
  if (size === 1) for (let i = 0; i < npix; i++) v[i] = bytes[i]!;
  else if (size === 2) for (let i = 0; i < npix; i++) v[i] = dv.getInt16(2 * i);
  else if (size === 4) for (let i = 0; i < npix; i++) v[i] = dv.getInt32(4 * i);
  else throw new TileCodecError(`unsupported element size ${size}`, 0);
  return { kind: 'int', values: v };
}

/**
 * Decodes the COMPRESSED_DATA bytes of one tile of `npix` pixels whose row length (ZTILE1 of
 * this tile) is `rowLen`. `quantized` says whether a float image's tile holds quantised integers.
 * `need` (≤ npix) is how many leading pixels the caller will read (RICE_1 stops there).
 */
export function decodeTile(bytes: Uint8Array, npix: number, p: CompressionParams, quantized: boolean, need = npix): TileValues {
  const isFloat = p.zbitpix < 0;
  const rawSize = Math.abs(p.zbitpix) / 8;
  switch (p.type) {
    case 'RICE_1': {
      // Only the first `need` pixels are decoded (a cutout needs a prefix of the tile); the
      // rest of the returned view is stale and never read.
      const v = scratchInt(npix);
      riceDecode(bytes, v, Math.min(need, npix), p.blockSize, p.bytePix);
      return { kind: 'int', values: v };
    }
    case 'PLIO_1': {
      // 1PI column: 16-bit big-endian words
      const n = bytes.length >> 1;
      const words = new Int16Array(n);
      for (let i = 0; i < n; i++) words[i] = (bytes[2 * i]! << 8) | bytes[2 * i + 1]!;
      const v = new Int32Array(npix);
      plioDecode(words, v, npix);
      return { kind: 'int', values: v };
    }
    case 'HCOMPRESS_1': {
      const r = hcompressDecode(bytes, npix, p.hcompSmooth);
      const v = new Int32Array(npix);
      for (let i = 0; i < npix; i++) v[i] = r.pixels[i]!;
      return { kind: 'int', values: v };
    }
    case 'GZIP_1':
    case 'GZIP_2': {
      // cfitsio infers the stored width from the inflated length (astropy once wrote int16
      // images as 4-byte ints): 1, 2, 4 or 8 bytes per pixel; at most 8·npix is inflated, and
      // never more than deflate can produce from these bytes (RFC 1951: ≤ ~1032× per member),
      // so a lying ZTILEn over a few bytes cannot make us allocate its 8·npix.
      const raw = inflateTile(bytes, Math.min(npix * 8, bytes.length * MAX_DEFLATE_RATIO + 1024));
      if (npix === 0) return { kind: 'int', values: new Int32Array(0) };
      const size = raw.length / npix;
      if (![1, 2, 4, 8].includes(size)) {
        throw new TileCodecError(`inflated tile of ${raw.length} bytes does not hold ${npix} pixels`, bytes.length);
      }
      const un = p.type === 'GZIP_2' ? unshuffleBytes(raw, size) : raw;
      return parseBigEndian(un, npix, size, isFloat && !quantized);
    }
    case 'NOCOMPRESS': {
      const size = isFloat && quantized ? 4 : rawSize;
      if (bytes.length < npix * size) {
        throw new TileCodecError(`NOCOMPRESS tile of ${bytes.length} bytes is shorter than ${npix * size}`, bytes.length);
      }
      return parseBigEndian(bytes, npix, size, isFloat && !quantized);
    }
  }
}
