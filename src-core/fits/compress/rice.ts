// RICE_1 tile codec (FITS 4.0 §10.4.1; Pence, Seaman & White 2009 PASP 121, 1044; White &
// Greenfield 1999). Transliterated from cfitsio's ricecomp.c (fits_rdecomp*, fits_rcomp*), which
// is the reference: the stream starts with the first pixel as a BYTEPIX-byte big-endian integer,
// followed by blocks of BLOCKSIZE pixels; each block begins with an FSBITS-bit code: 0 = all
// differences zero, FSMAX+1 = differences stored raw in 8·BYTEPIX bits, otherwise FS+1 and each
// zig-zag mapped difference is written as (d >> FS) zeros, a one, then the low FS bits.

import { TileCodecError } from './errors';

export type RiceBytePix = 1 | 2 | 4;

interface RiceParams {
  fsbits: number;
  fsmax: number;
  bbits: number;
}

function params(bytepix: number): RiceParams {
  switch (bytepix) {
    case 1:
      return { fsbits: 3, fsmax: 6, bbits: 8 };
    case 2:
      return { fsbits: 4, fsmax: 14, bbits: 16 };
    case 4:
      return { fsbits: 5, fsmax: 25, bbits: 32 };
    default:
      throw new TileCodecError(`RICE_1 BYTEPIX must be 1, 2 or 4, not ${bytepix}`, 0);
  }
}

/**
 * Decodes one RICE_1 tile into `out[0..npix)`. Values are the stored integers: unsigned bytes for
 * BYTEPIX 1 (ZBITPIX 8), signed 16-bit for BYTEPIX 2, signed 32-bit for BYTEPIX 4. Throws
 * TileCodecError when the stream ends early or holds an impossible block code; never reads or
 * loops past the input.
 */
export function riceDecode(
  input: Uint8Array,
  out: Int32Array,
  npix: number,
  blockSize: number,
  bytepix: number,
): void {
  const { fsbits, fsmax, bbits } = params(bytepix);
  const clen = input.length;
  if (npix <= 0) return;
  if (!(blockSize > 0)) throw new TileCodecError(`RICE_1 BLOCKSIZE must be positive, not ${blockSize}`, 0);
  if (out.length < npix) throw new TileCodecError(`output holds ${out.length} < ${npix} pixels`, 0);
  if (clen < bytepix + 1) {
    throw new TileCodecError(`RICE_1 stream of ${clen} bytes is too short for ${npix} pixels`, clen);
  }
  // First pixel, uncoded, big-endian.
  let lastpix = 0;
  for (let k = 0; k < bytepix; k++) lastpix = (lastpix << 8) | input[k]!;
  if (bytepix === 2) lastpix = (lastpix << 16) >> 16;
  let p = bytepix;
  let b = input[p++]!; // bit buffer
  let nbits = 8; // number of bits remaining in b
  // Differences are accumulated modulo 2^32 and narrowed to BYTEPIX once at the end: the same
  // result as cfitsio's unsigned short / char arithmetic, without a per-pixel branch.
  for (let i = 0; i < npix; ) {
    nbits -= fsbits;
    while (nbits < 0) {
      b = (b << 8) | input[p++]!;
      nbits += 8;
    }
    const fs = (b >>> nbits) - 1;
    b &= (1 << nbits) - 1;
    const imax = i + blockSize < npix ? i + blockSize : npix;
    if (fs < 0) {
      // low-entropy block: all differences zero
      for (; i < imax; i++) out[i] = lastpix;
    } else if (fs === fsmax) {
      // high-entropy block: differences stored directly in bbits bits
      for (; i < imax; i++) {
        let k = bbits - nbits;
        let diff = k >= 32 ? 0 : b << k;
        for (k -= 8; k >= 0; k -= 8) {
          b = input[p++]!;
          diff |= b << k;
        }
        if (nbits > 0) {
          b = input[p++]!;
          diff |= b >>> -k;
          b &= (1 << nbits) - 1;
        } else {
          b = 0;
        }
        diff = (diff & 1) === 0 ? diff >>> 1 : ~(diff >>> 1);
        lastpix = (diff + lastpix) | 0;
        out[i] = lastpix;
      }
    } else if (fs > fsmax) {
      throw new TileCodecError(`RICE_1 block code ${fs + 1} exceeds the maximum ${fsmax + 1}`, p);
    } else {
      // normal Rice-coded block
      for (; i < imax; i++) {
        while (b === 0) {
          if (p >= clen) throw new TileCodecError('RICE_1 stream ended inside a block', p);
          nbits += 8;
          b = input[p++]!;
        }
        // leading zeros of b within its nbits: nbits - (index of top set bit + 1)
        const nzero = nbits - (32 - Math.clz32(b));
        nbits -= nzero + 1;
        b ^= 1 << nbits; // flip the leading one-bit
        nbits -= fs;
        while (nbits < 0) {
          b = (b << 8) | input[p++]!;
          nbits += 8;
        }
        let diff = (nzero << fs) | (b >>> nbits);
        b &= (1 << nbits) - 1;
        diff = (diff & 1) === 0 ? diff >>> 1 : ~(diff >>> 1);
        lastpix = (diff + lastpix) | 0;
        out[i] = lastpix;
      }
    }
    if (p > clen) throw new TileCodecError('RICE_1 stream ended before all pixels were decoded', clen);
  }
  if (bytepix === 2) for (let i = 0; i < npix; i++) out[i] = (out[i]! << 16) >> 16;
  else if (bytepix === 1) for (let i = 0; i < npix; i++) out[i] = out[i]! & 0xff;
}

/**
 * Encodes `values[0..npix)` as a RICE_1 stream exactly as cfitsio's fits_rcomp / _short / _byte
 * do (same bytes), so funpack and astropy decode it. Values must fit BYTEPIX (they are wrapped).
 */
export function riceEncode(values: ArrayLike<number>, npix: number, blockSize: number, bytepix: number): Uint8Array {
  const { fsbits, fsmax, bbits } = params(bytepix);
  if (!(blockSize > 0)) throw new TileCodecError(`RICE_1 BLOCKSIZE must be positive, not ${blockSize}`, 0);
  const nblocks = Math.ceil(npix / blockSize);
  // Worst case: every block raw (bbits per pixel) plus its code, plus the first pixel.
  const cap = bytepix + Math.ceil((npix * bbits + nblocks * fsbits) / 8) + 8;
  const buf = new Uint8Array(cap);
  let pos = 0;
  let bitbuffer = 0;
  let bitsToGo = 8;
  const width = 8 * bytepix;
  const shiftBack = 32 - width;
  const psumMask = bytepix === 4 ? 0xffffffff : (1 << width) - 1;

  // output_nbits (n <= 32)
  const putBits = (bits: number, n: number): void => {
    if (bitsToGo + n > 32) {
      bitbuffer <<= bitsToGo;
      bitbuffer |= (bits >>> (n - bitsToGo)) & ((1 << bitsToGo) - 1);
      buf[pos++] = bitbuffer & 0xff;
      n -= bitsToGo;
      bitsToGo = 8;
    }
    bitbuffer = n >= 32 ? 0 : bitbuffer << n;
    bitbuffer |= n >= 32 ? bits : bits & ((1 << n) - 1);
    bitsToGo -= n;
    while (bitsToGo <= 0) {
      buf[pos++] = (bitbuffer >> -bitsToGo) & 0xff;
      bitsToGo += 8;
    }
  };

  if (npix <= 0) return buf.subarray(0, 0);
  const first = values[0]! | 0;
  putBits(first, width);
  let lastpix = first;
  const diff = new Uint32Array(blockSize);
  for (let i = 0; i < npix; i += blockSize) {
    const thisblock = npix - i < blockSize ? npix - i : blockSize;
    let pixelsum = 0;
    for (let j = 0; j < thisblock; j++) {
      const nextpix = values[i + j]! | 0;
      // difference wrapped to the pixel width (cfitsio uses short / signed char pdiff)
      const pdiff = bytepix === 4 ? (nextpix - lastpix) | 0 : ((nextpix - lastpix) << shiftBack) >> shiftBack;
      const d = (pdiff < 0 ? ~(pdiff << 1) : pdiff << 1) >>> 0;
      diff[j] = d;
      pixelsum += d;
      lastpix = nextpix;
    }
    let dpsum = (pixelsum - Math.trunc(thisblock / 2) - 1) / thisblock;
    if (dpsum < 0) dpsum = 0;
    let psum = (Math.trunc(dpsum) & psumMask) >>> 1;
    let fs = 0;
    for (; psum > 0; fs++) psum >>>= 1;
    if (fs >= fsmax) {
      putBits(fsmax + 1, fsbits);
      for (let j = 0; j < thisblock; j++) putBits(diff[j]!, bbits);
    } else if (fs === 0 && pixelsum === 0) {
      putBits(0, fsbits);
    } else {
      putBits(fs + 1, fsbits);
      const fsmask = (1 << fs) - 1;
      for (let j = 0; j < thisblock; j++) {
        const v = diff[j]!;
        let top = v >>> fs;
        // top is coded as `top` zeros followed by a one
        if (bitsToGo >= top + 1) {
          bitbuffer = (bitbuffer << (top + 1)) | 1;
          bitsToGo -= top + 1;
        } else {
          bitbuffer <<= bitsToGo;
          buf[pos++] = bitbuffer & 0xff;
          for (top -= bitsToGo; top >= 8; top -= 8) buf[pos++] = 0;
          bitbuffer = 1;
          bitsToGo = 7 - top;
        }
        if (fs > 0) {
          bitbuffer = (bitbuffer << fs) | (v & fsmask);
          bitsToGo -= fs;
          while (bitsToGo <= 0) {
            buf[pos++] = (bitbuffer >> -bitsToGo) & 0xff;
            bitsToGo += 8;
          }
        }
      }
    }
  }
  if (bitsToGo < 8) buf[pos++] = (bitbuffer << bitsToGo) & 0xff;
  return buf.subarray(0, pos);
}
