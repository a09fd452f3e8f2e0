// HCOMPRESS_1 tile decoder (FITS 4.0 §10.4.4; White 1992, "High-performance compression of
// astronomical images"). Transliterated from cfitsio fits_hdecompress.c: a 2-D Haar ("H")
// transform whose coefficients are stored as quadtree-coded bit planes per quadrant, then sign
// bits; undigitize multiplies by SCALE (lossy when SCALE > 0); hinv inverts the transform with
// cfitsio's rounding. Arithmetic is done in float64 on exact integers (|values| < 2^53), which
// equals both cfitsio's 32-bit path (ZBITPIX 8/16) and its 64-bit path (ZBITPIX 32, quantised
// floats) whenever those do not overflow. Bit operations on masks that are powers of two are
// written as floor divisions; shifts of signed values as floor divisions by powers of two.
import { TileCodecError } from './errors';
import { hsmooth } from './hsmooth';

class BitInput {
  pos = 0;
  private buf = 0;
  private bitsToGo = 0;
  constructor(private readonly data: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.data.length) throw new TileCodecError('HCOMPRESS_1 stream ended early', this.pos);
    return this.data[this.pos++]!;
  }
  start(): void {
    this.bitsToGo = 0;
  }
  bit(): number {
    if (this.bitsToGo === 0) {
      this.buf = this.byte();
      this.bitsToGo = 8;
    }
    this.bitsToGo--;
    return (this.buf >> this.bitsToGo) & 1;
  }
  /** n <= 8 bits, MSB first. */
  bits(n: number): number {
    if (this.bitsToGo < n) {
      this.buf = ((this.buf << 8) | this.byte()) & 0xffff;
      this.bitsToGo += 8;
    }
    this.bitsToGo -= n;
    return (this.buf >> this.bitsToGo) & ((1 << n) - 1);
  }
  huffman(): number {
    let c = this.bits(3);
    if (c < 4) return 1 << c;
    c = this.bit() | (c << 1);
    if (c < 13) return [3, 5, 10, 12, 15][c - 8]!;
    c = this.bit() | (c << 1);
    if (c < 31) return [6, 7, 9, 11, 13][c - 26]!;
    c = this.bit() | (c << 1);
    return c === 62 ? 0 : 14;
  }
}

function log2Ceil(n: number): number {
  if (n <= 1) return 0;
  let k = Math.trunc(Math.log(n) / Math.log(2) + 0.5);
  if (n > 2 ** k) k++;
  return k;
}

/** Expand 4-bit codes a[(nx+1)/2,(ny+1)/2] to b[nx, n] one bit per element (qtree_copy). */
function qtreeCopy(a: Uint8Array, nx: number, ny: number, b: Uint8Array, n: number): void {
  const nx2 = (nx + 1) >> 1;
  const ny2 = (ny + 1) >> 1;
  let k = ny2 * (nx2 - 1) + ny2 - 1;
  for (let i = nx2 - 1; i >= 0; i--) {
    let s00 = 2 * (n * i + ny2 - 1);
    for (let j = ny2 - 1; j >= 0; j--) {
      b[s00] = a[k]!;
      k--;
      s00 -= 2;
    }
  }
  let i = 0;
  for (; i < nx - 1; i += 2) {
    let s00 = n * i;
    let s10 = s00 + n;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const v = b[s00]!;
      b[s10 + 1] = v & 1;
      b[s10] = (v >> 1) & 1;
      b[s00 + 1] = (v >> 2) & 1;
      b[s00] = (v >> 3) & 1;
      s00 += 2;
      s10 += 2;
    }
    if (j < ny) {
      const v = b[s00]!;
      b[s10] = (v >> 1) & 1;
      b[s00] = (v >> 3) & 1;
    }
  }
  if (i < nx) {
    let s00 = n * i;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const v = b[s00]!;
      b[s00 + 1] = (v >> 2) & 1;
      b[s00] = (v >> 3) & 1;
      s00 += 2;
    }
    if (j < ny) b[s00] = (b[s00]! >> 3) & 1;
  }
}

/** Insert 4-bit codes a[(nx+1)/2,(ny+1)/2] as bit plane `bit` of out[off + i*n + j] (qtree_bitins). */
function qtreeBitins(a: Uint8Array, nx: number, ny: number, out: Float64Array, off: number, n: number, bit: number): void {
  const pv = 2 ** bit; // planes are inserted once each, so |= is +=
  let k = 0;
  let i = 0;
  for (; i < nx - 1; i += 2) {
    let s00 = off + n * i;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const v = a[k++]!;
      if (v & 1) out[s00 + n + 1] += pv;
      if (v & 2) out[s00 + n] += pv;
      if (v & 4) out[s00 + 1] += pv;
      if (v & 8) out[s00] += pv;
      s00 += 2;
    }
    if (j < ny) {
      const v = a[k++]!;
      if (v & 2) out[s00 + n] += pv;
      if (v & 8) out[s00] += pv;
    }
  }
  if (i < nx) {
    let s00 = off + n * i;
    let j = 0;
    for (; j < ny - 1; j += 2) {
      const v = a[k++]!;
      if (v & 4) out[s00 + 1] += pv;
      if (v & 8) out[s00] += pv;
      s00 += 2;
    }
    if (j < ny) {
      const v = a[k++]!;
      if (v & 8) out[s00] += pv;
    }
  }
}

function qtreeDecode(inp: BitInput, out: Float64Array, off: number, n: number, nqx: number, nqy: number, nbitplanes: number): void {
  const log2n = log2Ceil(Math.max(nqx, nqy));
  const nqx2 = (nqx + 1) >> 1;
  const nqy2 = (nqy + 1) >> 1;
  const scratch = new Uint8Array(Math.max(1, nqx * nqy, nqx2 * nqy2 * 4));
  for (let bit = nbitplanes - 1; bit >= 0; bit--) {
    const b = inp.bits(4);
    if (b === 0) {
      // bit map written directly, 4 pixels per nybble
      const cnt = nqx2 * nqy2;
      for (let i = 0; i < cnt; i++) scratch[i] = inp.bits(4);
      qtreeBitins(scratch, nqx, nqy, out, off, n, bit);
    } else if (b !== 0xf) {
      throw new TileCodecError(`HCOMPRESS_1 bad quadtree format code ${b}`, inp.pos);
    } else {
      scratch[0] = inp.huffman();
      let nx = 1;
      let ny = 1;
      let nfx = nqx;
      let nfy = nqy;
      let c = 2 ** log2n;
      for (let k = 1; k < log2n; k++) {
        c /= 2;
        nx <<= 1;
        ny <<= 1;
        if (nfx <= c) nx -= 1;
        else nfx -= c;
        if (nfy <= c) ny -= 1;
        else nfy -= c;
        qtreeCopy(scratch, nx, ny, scratch, ny);
        for (let i = nx * ny - 1; i >= 0; i--) if (scratch[i]) scratch[i] = inp.huffman();
      }
      qtreeBitins(scratch, nqx, nqy, out, off, n, bit);
    }
  }
}

function unshuffle(a: Float64Array, off: number, n: number, n2: number, tmp: Float64Array): void {
  const nhalf = (n + 1) >> 1;
  let pt = 0;
  for (let i = nhalf, p1 = off + n2 * nhalf; i < n; i++, p1 += n2) tmp[pt++] = a[p1]!;
  for (let i = nhalf - 1, p2 = off + n2 * (nhalf - 1), p1 = off + ((n2 * (nhalf - 1)) << 1); i >= 0; i--, p2 -= n2, p1 -= 2 * n2) {
    a[p1] = a[p2]!;
  }
  pt = 0;
  for (let i = 1, p1 = off + n2; i < n; i += 2, p1 += 2 * n2) a[p1] = tmp[pt++]!;
}

const floorTo = (x: number, bit: number): number => Math.floor(x / bit) * bit; // x & -bit
const bitOf = (x: number, bit: number): number => Math.floor(x / bit) & 1; // (x & bit) != 0

/** Inverse H-transform in place (cfitsio hinv). a is [nx][ny], ny fastest. */
function hinv(a: Float64Array, nx: number, ny: number, smooth: number, scale: number): void {
  const nmax = Math.max(nx, ny);
  const log2n = log2Ceil(nmax);
  if (log2n === 0) return;
  const tmp = new Float64Array((nmax + 1) >> 1);
  let shiftDiv = 2; // >> 1, then >> 2 on the last pass
  let bit0 = 2 ** (log2n - 1);
  let bit1 = bit0 * 2;
  let bit2 = bit0 * 4;
  let prnd0 = Math.floor(bit0 / 2);
  let prnd1 = bit1 / 2;
  const prnd2 = bit2 / 2;
  let nrnd0 = prnd0 - 1;
  let nrnd1 = prnd1 - 1;
  const nrnd2 = prnd2 - 1;
  a[0] = floorTo(a[0]! + (a[0]! >= 0 ? prnd2 : nrnd2), bit2);
  let nxtop = 1;
  let nytop = 1;
  let nxf = nx;
  let nyf = ny;
  let c = 2 ** log2n;
  for (let k = log2n - 1; k >= 0; k--) {
    c /= 2;
    nxtop <<= 1;
    nytop <<= 1;
    if (nxf <= c) nxtop -= 1;
    else nxf -= c;
    if (nyf <= c) nytop -= 1;
    else nyf -= c;
    if (k === 0) {
      nrnd0 = 0;
      shiftDiv = 4;
    }
    for (let i = 0; i < nxtop; i++) unshuffle(a, ny * i, nytop, 1, tmp);
    for (let j = 0; j < nytop; j++) unshuffle(a, j, nxtop, ny, tmp);
    if (smooth) hsmooth(a, nxtop, nytop, ny, scale);
    const oddx = nxtop % 2;
    const oddy = nytop % 2;
    let i = 0;
    for (; i < nxtop - oddx; i += 2) {
      let s00 = ny * i;
      let s10 = s00 + ny;
      for (let j = 0; j < nytop - oddy; j += 2) {
        let h0 = a[s00]!;
        let hx = a[s10]!;
        let hy = a[s00 + 1]!;
        let hc = a[s10 + 1]!;
        hx = floorTo(hx + (hx >= 0 ? prnd1 : nrnd1), bit1);
        hy = floorTo(hy + (hy >= 0 ? prnd1 : nrnd1), bit1);
        hc = floorTo(hc + (hc >= 0 ? prnd0 : nrnd0), bit0);
        const lowbit0 = bitOf(hc, bit0) * bit0;
        hx = hx >= 0 ? hx - lowbit0 : hx + lowbit0;
        hy = hy >= 0 ? hy - lowbit0 : hy + lowbit0;
        const lowbit1 = (bitOf(hc, bit1) ^ bitOf(hx, bit1) ^ bitOf(hy, bit1)) * bit1;
        h0 = h0 >= 0 ? h0 + lowbit0 - lowbit1 : h0 + (lowbit0 === 0 ? lowbit1 : lowbit0 - lowbit1);
        a[s10 + 1] = Math.floor((h0 + hx + hy + hc) / shiftDiv);
        a[s10] = Math.floor((h0 + hx - hy - hc) / shiftDiv);
        a[s00 + 1] = Math.floor((h0 - hx + hy - hc) / shiftDiv);
        a[s00] = Math.floor((h0 - hx - hy + hc) / shiftDiv);
        s00 += 2;
        s10 += 2;
      }
      if (oddy) {
        let h0 = a[s00]!;
        let hx = a[s10]!;
        hx = floorTo(hx >= 0 ? hx + prnd1 : hx + nrnd1, bit1);
        const lowbit1 = bitOf(hx, bit1) * bit1;
        h0 = h0 >= 0 ? h0 - lowbit1 : h0 + lowbit1;
        a[s10] = Math.floor((h0 + hx) / shiftDiv);
        a[s00] = Math.floor((h0 - hx) / shiftDiv);
      }
    }
    if (oddx) {
      let s00 = ny * i;
      for (let j = 0; j < nytop - oddy; j += 2) {
        let h0 = a[s00]!;
        let hy = a[s00 + 1]!;
        hy = floorTo(hy >= 0 ? hy + prnd1 : hy + nrnd1, bit1);
        const lowbit1 = bitOf(hy, bit1) * bit1;
        h0 = h0 >= 0 ? h0 - lowbit1 : h0 + lowbit1;
        a[s00 + 1] = Math.floor((h0 + hy) / shiftDiv);
        a[s00] = Math.floor((h0 - hy) / shiftDiv);
        s00 += 2;
      }
      if (oddy) a[s00] = Math.floor(a[s00]! / shiftDiv);
    }
    bit2 = bit1;
    bit1 = bit0;
    bit0 = bit0 / 2;
    prnd1 = prnd0;
    prnd0 = Math.floor(prnd0 / 2);
    nrnd1 = nrnd0;
    nrnd0 = prnd0 - 1;
  }
}

export interface HcompressResult {
  /** Decoded pixels, [nx][ny] with ny (the FITS axis-1 length of the tile) varying fastest. */
  pixels: Float64Array;
  nx: number;
  ny: number;
  scale: number;
}

/**
 * Decodes one HCOMPRESS_1 tile of `npix` pixels. The stream's own nx·ny must equal npix (a lying
 * size is rejected before any allocation). `smooth` ≠ 0 applies cfitsio's decode-time smoothing.
 */
export function hcompressDecode(input: Uint8Array, npix: number, smooth = 0): HcompressResult {
  if (input.length < 23) throw new TileCodecError(`HCOMPRESS_1 stream of ${input.length} bytes is too short`, 0);
  if (input[0] !== 0xdd || input[1] !== 0x99) throw new TileCodecError('HCOMPRESS_1 bad magic number', 0);
  const dv = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const nx = dv.getInt32(2);
  const ny = dv.getInt32(6);
  const scale = dv.getInt32(10);
  const sumall = dv.getInt32(14) * 4294967296 + dv.getUint32(18);
  if (nx <= 0 || ny <= 0 || nx * ny !== npix) {
    throw new TileCodecError(`HCOMPRESS_1 stream is ${nx}×${ny} but the tile holds ${npix} pixels`, 2);
  }
  const nbitplanes = [input[22]!, input[23] ?? 0, input[24] ?? 0];
  if (input.length < 25) throw new TileCodecError('HCOMPRESS_1 header truncated', input.length);
  if (nbitplanes.some((b) => b > 62)) throw new TileCodecError(`HCOMPRESS_1 bit-plane count ${Math.max(...nbitplanes)} is impossible`, 22);
  const a = new Float64Array(npix);
  const inp = new BitInput(input);
  inp.pos = 25;
  const nx2 = (nx + 1) >> 1;
  const ny2 = (ny + 1) >> 1;
  inp.start();
  qtreeDecode(inp, a, 0, ny, nx2, ny2, nbitplanes[0]!);
  qtreeDecode(inp, a, ny2, ny, nx2, ny >> 1, nbitplanes[1]!);
  qtreeDecode(inp, a, ny * nx2, ny, nx >> 1, ny2, nbitplanes[1]!);
  qtreeDecode(inp, a, ny * nx2 + ny2, ny, nx >> 1, ny >> 1, nbitplanes[2]!);
  if (inp.bits(4) !== 0) throw new TileCodecError('HCOMPRESS_1 missing end-of-planes code', inp.pos);
  inp.start();
  for (let i = 0; i < npix; i++) if (a[i] !== 0 && inp.bit()) a[i] = -a[i]!;
  a[0] = sumall;
  if (scale > 1) for (let i = 0; i < npix; i++) a[i] = a[i]! * scale;
  hinv(a, nx, ny, smooth, scale);
  return { pixels: a, nx, ny, scale };
}
