// Unit checks of the pure codecs with independently known answers (Park–Miller values, inverse
// pairs, hand-built PLIO line lists) and round trips at the edges of each pixel width.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../rng';
import { ditherTable, NULL_VALUE, unquantizeTile, ZERO_VALUE } from './dither';
import { TileCodecError } from './errors';
import { inflateTile, shuffleBytes, unshuffleBytes } from './gzip';
import { hcompressDecode } from './hcompress';
import { plioDecode } from './plio';
import { riceDecode, riceEncode } from './rice';

describe('dither table (cfitsio fits_init_randoms)', () => {
  it('holds the Park–Miller minimal-standard sequence rounded to float', () => {
    const t = ditherTable();
    const m = 2147483647;
    // x1 = 16807, x2 = 16807² mod m = 282475249 (Park & Miller 1988), x10000 = 1043618065
    expect(t[0]).toBe(Math.fround(16807 / m));
    expect(t[1]).toBe(Math.fround(282475249 / m));
    expect(t[9999]).toBe(Math.fround(1043618065 / m));
    expect(t.length).toBe(10000);
  });

  it('starts tile k at index (k + ZDITHER0 − 1) mod 10000 and restores zeros / blanks', () => {
    const t = ditherTable();
    const q = new Int32Array([10, ZERO_VALUE, NULL_VALUE, -3]);
    const out = new Float64Array(4);
    unquantizeTile(q, 4, out, 0.5, 100, 'SUBTRACTIVE_DITHER_2', 2, 9999, NULL_VALUE);
    const iseed = (2 + 9999 - 1) % 10000; // = 0
    const r0 = Math.trunc(t[iseed]! * 500);
    expect(out[0]).toBe((10 - t[r0]! + 0.5) * 0.5 + 100);
    expect(out[1]).toBe(0);
    expect(Number.isNaN(out[2]!)).toBe(true);
    expect(out[3]).toBe((-3 - t[r0 + 3]! + 0.5) * 0.5 + 100);
    unquantizeTile(q, 1, out, 0.5, 100, 'NO_DITHER', 0, 1, undefined);
    expect(out[0]).toBe(105);
  });
});

describe('RICE_1', () => {
  const widths: Array<[number, number, number]> = [
    [1, 0, 255],
    [2, -32768, 32767],
    [4, -2147483648, 2147483647],
  ];
  for (const [bytepix, lo, hi] of widths) {
    it(`BYTEPIX ${bytepix}: encode → decode is the identity (smooth, constant, full-range and extreme blocks)`, () => {
      const rng = new Rng(bytepix, 1);
      const n = 1000;
      const v: number[] = [];
      for (let i = 0; i < n; i++) {
        if (i < 200) v.push(Math.round((lo + hi) / 2 + 5 * rng.normal()) | 0);
        else if (i < 400) v.push(lo + 7);
        else if (i < 700) v.push(Math.floor(lo + rng.uniform() * (hi - lo + 1)));
        else v.push(i % 2 ? lo : hi);
      }
      const enc = riceEncode(v, n, 32, bytepix);
      const out = new Int32Array(n);
      riceDecode(enc, out, n, 32, bytepix);
      expect(Array.from(out)).toEqual(v);
      // a truncated stream fails with a codec error, never silently
      expect(() => riceDecode(enc.subarray(0, enc.length >> 1), new Int32Array(n), n, 32, bytepix)).toThrow(TileCodecError);
    });
  }

  it('an all-equal tile codes as a few bytes (low-entropy blocks)', () => {
    const enc = riceEncode(new Array(320).fill(42), 320, 32, 2);
    expect(enc.length).toBeLessThanOrEqual(2 + Math.ceil((10 * 4) / 8) + 1);
  });
});

describe('GZIP_2 byte shuffle', () => {
  it('puts all most-significant bytes first and unshuffle inverts it', () => {
    const b = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(shuffleBytes(b, 4))).toEqual([1, 5, 2, 6, 3, 7, 4, 8]);
    expect(Array.from(unshuffleBytes(shuffleBytes(b, 2), 2))).toEqual(Array.from(b));
  });
  it('rejects garbage deflate data with a codec error', () => {
    expect(() => inflateTile(new Uint8Array([1, 2, 3, 4, 5]), 100)).toThrow(TileCodecError);
  });
});

describe('PLIO_1 line lists (IRAF pll2pi)', () => {
  it('decodes a hand-built list: 3 zeros, a run of 4 at value 7, set-and-emit, high value', () => {
    // header (7 words): [0, 7, -100, len_lo, len_hi, 0, 0]; data from word 8 (llfirt = 7 + 1)
    const ops = [
      0 * 4096 + 3, // 3 zeros
      2 * 4096 + 6, // pv += 6 → 7
      4 * 4096 + 4, // 4 pixels of 7
      6 * 4096 + 2, // pv += 2 → 9, emit one
      1 * 4096 + 5, 1, // pv = (1 << 12) + 5 = 4101
      5 * 4096 + 3, // 2 zeros then 4101
    ];
    const len = 7 + ops.length;
    const words = new Int16Array([0, 7, -100, len, 0, 0, 0, ...ops]);
    const out = new Int32Array(14).fill(-1);
    plioDecode(words, out, 14);
    expect(Array.from(out)).toEqual([0, 0, 0, 7, 7, 7, 7, 9, 0, 0, 4101, 0, 0, 0]);
  });
  it('refuses a list that claims more words than it holds', () => {
    expect(() => plioDecode(new Int16Array([0, 7, -100, 500, 0, 0, 0]), new Int32Array(4), 4)).toThrow(TileCodecError);
  });
});

describe('HCOMPRESS_1 framing', () => {
  it('rejects a bad magic number and a size that disagrees with the tile', () => {
    const b = new Uint8Array(40);
    expect(() => hcompressDecode(b, 4)).toThrow(/magic/);
    b[0] = 0xdd;
    b[1] = 0x99;
    new DataView(b.buffer).setInt32(2, 3);
    new DataView(b.buffer).setInt32(6, 3);
    expect(() => hcompressDecode(b, 4)).toThrow(/3×3/);
  });
});
