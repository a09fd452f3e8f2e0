// Hostile input: corrupt tiles, truncated streams and lying sizes must end in a typed FitsError
// that names file, HDU, tile and byte offset — never a hang, a RangeError or a huge allocation.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedFits } from '../../../test/shared';
import { FitsError } from '../../errors';
import { Rng } from '../../rng';
import { FitsFile } from '../file';
import { readImage } from '../image';
import { MemorySource } from '../source';
import { decompressImage, tableSource } from './index';
import { riceCompressedFile } from './writer';

/** Replaces the value field (columns 11–30 or a string) of the first card with this keyword. */
function patchCard(bytes: Uint8Array, keyword: string, value: string): Uint8Array {
  const out = bytes.slice();
  const text = new TextDecoder('latin1').decode(out);
  for (let i = 0; i < text.length; i += 80) {
    if (text.slice(i, i + 8).trimEnd() === keyword && text[i + 8] === '=') {
      const card = (keyword.padEnd(8) + '= ' + value.padStart(20)).padEnd(80);
      for (let k = 0; k < 80; k++) out[i + k] = card.charCodeAt(k);
      return out;
    }
  }
  throw new Error(`no ${keyword}`);
}

function decodeAll(name: string, bytes: Uint8Array): unknown {
  const f = new FitsFile(new MemorySource(name, bytes));
  const hdu = f.hdus().find((h) => h.compressed)!;
  return readImage(f, hdu);
}

function expectFitsError(fn: () => unknown, code: RegExp | string, mention: RegExp[] = []): FitsError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'should throw').toBeInstanceOf(FitsError);
  const e = caught as FitsError;
  if (typeof code === 'string') expect(e.code).toBe(code);
  else expect(e.code).toMatch(code);
  for (const m of mention) expect(e.message).toMatch(m);
  return e;
}

/** A small RICE file of our own, with known layout: primary 2880 + header 2880 + table + heap. */
function smallRice(): { bytes: Uint8Array; heapStart: number; rows: number } {
  const nx = 64;
  const ny = 8;
  const data = Array.from({ length: nx * ny }, (_, i) => (i * 37) % 1000);
  const bytes = riceCompressedFile({ bitpix: 16, axes: [nx, ny], data });
  return { bytes, heapStart: 2880 + 2880 + ny * 8, rows: ny };
}

describe('hostile compressed input → FitsError with file, HDU, tile and offset', () => {
  it('a truncated RICE_1 tile stream names the tile and the byte offset', () => {
    const { bytes, heapStart } = smallRice();
    const dv = new DataView(bytes.buffer, 5760);
    // shrink tile 3's descriptor so its stream ends early
    const len = dv.getInt32(3 * 8);
    dv.setInt32(3 * 8, Math.floor(len / 3));
    const e = expectFitsError(() => decodeAll('small.fz', bytes), 'FITS_TILE_CORRUPT', [/small\.fz/, /HDU 1/, /tile 3/, /byte offset \d+/]);
    expect(e.details.tile).toBe(3);
    expect(e.details.offset as number).toBeGreaterThanOrEqual(heapStart);
  });

  it('a descriptor pointing outside the heap is refused before reading', () => {
    const { bytes } = smallRice();
    new DataView(bytes.buffer, 5760).setInt32(5 * 8 + 4, 1e9);
    expectFitsError(() => decodeAll('small.fz', bytes), 'FITS_DESCRIPTOR_INVALID', [/tile 5/, /heap/]);
    const b2 = smallRice().bytes;
    new DataView(b2.buffer, 5760).setInt32(2 * 8, -5);
    expectFitsError(() => decodeAll('small.fz', b2), 'FITS_DESCRIPTOR_INVALID', [/tile 2/]);
  });

  it('a file cut inside the heap gives FITS_TRUNCATED, not a RangeError', () => {
    const { bytes, heapStart } = smallRice();
    expect(() => decodeAll('cut.fz', bytes.subarray(0, heapStart + 40))).toThrow(FitsError);
  });

  it('a lying ZTILE1 or ZNAXIS cannot trigger a huge allocation', () => {
    const { bytes } = smallRice();
    // ZTILE1 beyond the axis is clamped (an edge tile), so the image still decodes
    expect(() => decodeAll('t.fz', patchCard(bytes, 'ZTILE1', '2000000000'))).not.toThrow();
    const huge = patchCard(patchCard(patchCard(patchCard(bytes, 'ZNAXIS1', '100000'), 'ZNAXIS2', '100000'), 'ZTILE1', '100000'), 'ZTILE2', '100000');
    expectFitsError(() => decodeAll('t.fz', huge), 'FITS_LIMIT', [/tile of 10000000000 pixels/]);
    expectFitsError(() => decodeAll('t.fz', patchCard(patchCard(bytes, 'ZNAXIS1', '2000000000'), 'ZNAXIS2', '2000000000')), /FITS_LIMIT|FITS_TABLE_SHORT/);
    expectFitsError(() => decodeAll('t.fz', patchCard(bytes, 'ZVAL2', '3')), 'FITS_KEYWORD_INVALID', [/BYTEPIX/]);
    expectFitsError(() => decodeAll('t.fz', patchCard(bytes, 'ZBITPIX', '12')), 'FITS_KEYWORD_INVALID', [/ZBITPIX/]);
  });

  it('random corruption of every heap byte region ends in success or FitsError, never another error', () => {
    const { bytes, heapStart } = smallRice();
    const rng = new Rng(12345, 0);
    for (let trial = 0; trial < 300; trial++) {
      const b = bytes.slice();
      const n = 1 + Math.floor(rng.uniform() * 8);
      for (let k = 0; k < n; k++) {
        const at = heapStart + Math.floor(rng.uniform() * (b.length - heapStart));
        b[at] = Math.floor(rng.uniform() * 256);
      }
      try {
        decodeAll('fuzz.fz', b);
      } catch (e) {
        expect(e).toBeInstanceOf(FitsError);
      }
    }
  });
});

describe.skipIf(!HAS_SHARED)(`hostile variants of the reference files (${HAS_SHARED ? 'shared data present' : SHARED_SKIP_REASON})`, () => {
  const load = (name: string): Uint8Array => new Uint8Array(readFileSync(sharedFits(name)));

  for (const name of ['m13_rice.fits', 'm13_gzip.fits', 'm13_hcomp.fits', 'm13_plio.fits', 'ksb_170430_055945_ooi_r_ls9.CCD4.fits']) {
    it(`${name}: 150 random corruptions of the heap end in success or FitsError`, () => {
      const orig = load(name);
      const f = new FitsFile(new MemorySource(name, orig));
      const hdu = f.hdus().find((h) => h.compressed)!;
      const heapStart = hdu.dataOffset + Number(hdu.header.getNumber('NAXIS1')) * Number(hdu.header.getNumber('NAXIS2'));
      const rng = new Rng(99, name.length);
      let failures = 0;
      for (let trial = 0; trial < 150; trial++) {
        const b = orig.slice();
        for (let k = 0; k < 4; k++) {
          const at = heapStart + Math.floor(rng.uniform() * (hdu.dataOffset + hdu.dataSize - heapStart));
          b[at] ^= 1 << Math.floor(rng.uniform() * 8);
        }
        try {
          decodeAll(name, b);
        } catch (e) {
          expect(e).toBeInstanceOf(FitsError);
          const fe = e as FitsError;
          expect(fe.message).toContain(name);
          failures++;
        }
      }
      // bit flips inside entropy-coded data must be detected at least sometimes
      if (!name.includes('plio')) expect(failures).toBeGreaterThan(0);
    });
  }

  it('HCOMPRESS_1 stream claiming a different tile size is refused before allocating', () => {
    const b = load('m13_hcomp.fits');
    const f = new FitsFile(new MemorySource('m13_hcomp.fits', b));
    const hdu = f.hdu(1);
    const heapStart = hdu.dataOffset + 8;
    new DataView(b.buffer, b.byteOffset).setInt32(heapStart + 2, 0x7fffffff); // nx
    expectFitsError(() => decodeAll('m13_hcomp.fits', b), 'FITS_TILE_CORRUPT', [/tile 0/, /HCOMPRESS_1/]);
  });

  it('a GZIP_1 tile that inflates beyond its tile is refused (bounded inflate)', async () => {
    const { gzipSync } = await import('fflate');
    const b = load('m13_gzip.fits');
    const f = new FitsFile(new MemorySource('m13_gzip.fits', b));
    const hdu = f.hdu(1);
    const dv = new DataView(b.buffer, b.byteOffset + hdu.dataOffset);
    const bomb = gzipSync(new Uint8Array(1 << 20)); // 1 MiB of zeros, ~1 KiB compressed
    const len0 = dv.getInt32(0);
    expect(bomb.length).toBeLessThanOrEqual(Number(hdu.header.getNumber('PCOUNT')));
    // point tile 0 at the start of the heap and overwrite it with the bomb
    const heapStart = hdu.dataOffset + 8 * 300;
    b.set(bomb, heapStart);
    dv.setInt32(0, bomb.length);
    dv.setInt32(4, 0);
    expect(len0).toBeGreaterThan(0);
    expectFitsError(() => decodeAll('m13_gzip.fits', b), 'FITS_TILE_CORRUPT', [/tile 0/, /longer than/]);
  });

  it('region outside the image is an error naming the file', () => {
    const b = load('m13_rice.fits');
    const f = new FitsFile(new MemorySource('m13_rice.fits', b));
    expectFitsError(() => decompressImage(tableSource(f, f.hdu(1)), { start: [290, 0], size: [20, 5] }), 'FITS_REGION_INVALID', [/m13_rice/]);
  });
});
