// Big-endian pixel decoding and the astropy dtype rules for scaled images (FITS 4.0 §5.3:
// physical = BZERO + BSCALE × stored; BLANK marks undefined integer pixels).
import type { FitsHeader } from './header';

export type ImageDtype =
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64';

export type PixelArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** How stored values become the values the user sees (astropy's rules, see README refs). */
export interface PixelScaling {
  bitpix: number;
  bscale: number;
  bzero: number;
  /** BLANK for integer BITPIX (ignored for float images, as the standard says). */
  blank: bigint | undefined;
  /** Output dtype: raw integer, pseudo-unsigned (BZERO 2^(n-1)), or float when scaled or BLANKed. */
  dtype: ImageDtype;
  /** Which arithmetic produces the output: none, unsigned offset, or float scaling. */
  mode: 'raw' | 'unsigned' | 'float';
}

const RAW: Record<number, ImageDtype> = { 8: 'uint8', 16: 'int16', 32: 'int32', 64: 'int64', [-32]: 'float32', [-64]: 'float64' };
const UNSIGNED: Record<number, { zero: number; dtype: ImageDtype }> = {
  8: { zero: -128, dtype: 'int8' },
  16: { zero: 32768, dtype: 'uint16' },
  32: { zero: 2147483648, dtype: 'uint32' },
  64: { zero: 9223372036854775808, dtype: 'uint64' },
};

/**
 * astropy (io.fits ImageHDU): pseudo-unsigned BZERO with BSCALE 1 → unsigned dtype; else any
 * BSCALE ≠ 1, BZERO ≠ 0 or BLANK on integer data → float64 for BITPIX 32/64, float32 for 8/16;
 * float images keep their dtype and are scaled in place.
 */
export function pixelScaling(h: FitsHeader, bitpix: number, prefix = ''): PixelScaling {
  const bscale = h.getNumber(prefix + 'BSCALE', 1);
  const bzero = h.getNumber(prefix + 'BZERO', 0);
  const b = bitpix > 0 ? h.getInteger(prefix + 'BLANK') : undefined;
  const blank = b === undefined ? undefined : BigInt(b);
  const u = UNSIGNED[bitpix];
  if (u && bscale === 1 && bzero === u.zero) return { bitpix, bscale, bzero, blank: undefined, dtype: u.dtype, mode: 'unsigned' };
  if (bscale === 1 && bzero === 0 && blank === undefined) return { bitpix, bscale, bzero, blank, dtype: RAW[bitpix]!, mode: 'raw' };
  const dtype: ImageDtype = bitpix < 0 ? RAW[bitpix]! : bitpix > 16 ? 'float64' : 'float32';
  return { bitpix, bscale, bzero, blank, dtype, mode: 'float' };
}

export function allocPixels(dtype: ImageDtype, n: number): PixelArray {
  switch (dtype) {
    case 'uint8': return new Uint8Array(n);
    case 'int8': return new Int8Array(n);
    case 'int16': return new Int16Array(n);
    case 'uint16': return new Uint16Array(n);
    case 'int32': return new Int32Array(n);
    case 'uint32': return new Uint32Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'uint64': return new BigUint64Array(n);
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses each `size`-byte group in place (big-endian ↔ host order on little-endian hosts). */
export function swapInPlace(b: Uint8Array, size: number): void {
  if (!LITTLE_ENDIAN || size === 1) return;
  const n = b.length - (b.length % size);
  if (size === 2) {
    for (let i = 0; i < n; i += 2) { const t = b[i]!; b[i] = b[i + 1]!; b[i + 1] = t; }
  } else if (size === 4) {
    for (let i = 0; i < n; i += 4) {
      const t0 = b[i]!, t1 = b[i + 1]!;
      b[i] = b[i + 3]!; b[i + 1] = b[i + 2]!; b[i + 2] = t1; b[i + 3] = t0;
    }
  } else {
    for (let i = 0; i < n; i += size) {
      for (let a = i, z = i + size - 1; a < z; a++, z--) { const t = b[a]!; b[a] = b[z]!; b[z] = t; }
    }
  }
}

/** A host-order typed view of raw stored values (the bytes are swapped in place). */
export function rawView(bytes: Uint8Array, bitpix: number): PixelArray {
  const size = Math.abs(bitpix) / 8;
  let b = bytes;
  if (b.byteOffset % size !== 0) b = b.slice();
  swapInPlace(b, size);
  const n = b.length / size;
  switch (bitpix) {
    case 8: return b;
    case 16: return new Int16Array(b.buffer, b.byteOffset, n);
    case 32: return new Int32Array(b.buffer, b.byteOffset, n);
    case 64: return new BigInt64Array(b.buffer, b.byteOffset, n);
    case -32: return new Float32Array(b.buffer, b.byteOffset, n);
    default: return new Float64Array(b.buffer, b.byteOffset, n);
  }
}

/**
 * Decodes `bytes` (big-endian stored values; swapped in place) into `out[outOffset…]` with the
 * scaling rules. Float arithmetic mirrors numpy: float32 outputs round after each step.
 */
export function decodeInto(bytes: Uint8Array, s: PixelScaling, out: PixelArray, outOffset: number): void {
  const raw = rawView(bytes, s.bitpix);
  const n = raw.length;
  if (s.mode === 'raw') {
    (out as Uint8Array).set(raw as Uint8Array, outOffset);
    return;
  }
  if (s.mode === 'unsigned') {
    if (s.bitpix === 8) {
      const o = out as Int8Array, r = raw as Uint8Array;
      for (let i = 0; i < n; i++) o[outOffset + i] = r[i]! - 128;
    } else if (s.bitpix === 16) {
      const o = out as Uint16Array, r = raw as Int16Array;
      for (let i = 0; i < n; i++) o[outOffset + i] = r[i]! ^ 0x8000;
    } else if (s.bitpix === 32) {
      const o = out as Uint32Array, r = raw as Int32Array;
      for (let i = 0; i < n; i++) o[outOffset + i] = (r[i]! ^ 0x80000000) >>> 0;
    } else {
      const o = out as BigUint64Array, r = raw as BigInt64Array;
      for (let i = 0; i < n; i++) o[outOffset + i] = BigInt.asUintN(64, r[i]! ^ -0x8000000000000000n);
    }
    return;
  }
  const f32 = s.dtype === 'float32';
  const o = out as Float32Array | Float64Array;
  const bs = f32 ? Math.fround(s.bscale) : s.bscale;
  const bz = f32 ? Math.fround(s.bzero) : s.bzero;
  const mul = s.bscale !== 1, add = s.bzero !== 0;
  if (s.bitpix === 64) {
    const r = raw as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const v = r[i]!;
      let x = s.blank !== undefined && v === s.blank ? NaN : Number(v);
      if (f32) x = Math.fround(x);
      if (mul) x = f32 ? Math.fround(x * bs) : x * bs;
      if (add) x = f32 ? Math.fround(x + bz) : x + bz;
      o[outOffset + i] = x;
    }
    return;
  }
  const r = raw as Exclude<PixelArray, BigInt64Array | BigUint64Array>;
  const blank = s.blank !== undefined && s.blank >= -(2n ** 31n) && s.blank < 2n ** 31n ? Number(s.blank) : undefined;
  for (let i = 0; i < n; i++) {
    const v = r[i]!;
    let x = blank !== undefined && v === blank ? NaN : v;
    if (f32) x = Math.fround(x);
    if (mul) x = f32 ? Math.fround(x * bs) : x * bs;
    if (add) x = f32 ? Math.fround(x + bz) : x + bz;
    o[outOffset + i] = x;
  }
}
