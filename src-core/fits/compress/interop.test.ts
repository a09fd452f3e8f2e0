// Interoperability with cfitsio's own tools (Debian libcfitsio-bin): files we write must pass
// fitsverify and funpack to the same pixels; files fpack writes (every codec and option we
// support) must decode here to exactly what funpack decodes them to. Skipped with the reason when
// the tools are absent.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../rng';
import { FitsFile } from '../file';
import { readImage, readImageSection } from '../image';
import { MemorySource } from '../source';
import { headerBytes } from './cards';
import { decompressImage, tableSource } from './index';
import { riceCompressedFile, type ImageToCompress } from './writer';

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const TOOLS = has('funpack') && has('fpack') && has('fitsverify');
const REASON = TOOLS ? 'fpack, funpack and fitsverify present' : 'skipped: fpack/funpack/fitsverify not installed (apt-get install libcfitsio-bin)';

const dir = TOOLS ? mkdtempSync(join(tmpdir(), 'lensdesk-fz-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A plain primary-HDU FITS image (big-endian), to feed fpack. */
function plainFits(img: ImageToCompress, extra: { keyword: string; value: number }[] = []): Uint8Array {
  const head = headerBytes([
    { keyword: 'SIMPLE', value: true },
    { keyword: 'BITPIX', value: img.bitpix },
    { keyword: 'NAXIS', value: img.axes.length },
    ...img.axes.map((n, i) => ({ keyword: `NAXIS${i + 1}`, value: n })),
    ...extra,
  ]);
  const size = Math.abs(img.bitpix) / 8;
  const n = img.data.length;
  const data = new Uint8Array(Math.ceil((n * size) / 2880) * 2880);
  const dv = new DataView(data.buffer);
  for (let i = 0; i < n; i++) {
    const v = img.data[i]!;
    if (img.bitpix === 8) dv.setUint8(i, v);
    else if (img.bitpix === 16) dv.setInt16(2 * i, v);
    else if (img.bitpix === 32) dv.setInt32(4 * i, v);
    else if (img.bitpix === -32) dv.setFloat32(4 * i, v);
    else dv.setFloat64(8 * i, v);
  }
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}

/** funpack's pixels for `path` (first image HDU with data), as float64 for comparison. */
function funpackPixels(path: string): { data: ArrayLike<number>; dtype: string } {
  const bytes = execFileSync('funpack', ['-S', path], { maxBuffer: 1 << 28 });
  const f = new FitsFile(new MemorySource('funpack-out', new Uint8Array(bytes)));
  const hdu = f.hdus().find((h) => h.naxes.length > 0 && h.dataSize > 0)!;
  const img = readImage(f, hdu);
  return { data: img.data as unknown as ArrayLike<number>, dtype: img.dtype };
}

function ourPixels(path: string): { data: ArrayLike<number>; dtype: string } {
  const f = new FitsFile(new MemorySource(path, new Uint8Array(readFileSync(path))));
  const hdu = f.hdus().find((h) => h.compressed)!;
  const img = readImage(f, hdu);
  return { data: img.data as unknown as ArrayLike<number>, dtype: img.dtype };
}

/** Bit-for-bit equality of two pixel arrays (NaN equals NaN; -0 ≠ 0). */
function expectSamePixels(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  let bad = -1;
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) {
      bad = i;
      break;
    }
  }
  expect(bad === -1 ? 'identical' : `first difference at ${bad}: ${a[bad]} vs ${b[bad]}`, what).toBe('identical');
}

function skyImage(nx: number, ny: number, seed: number, kind: 'int16' | 'uint8' | 'int32' | 'float'): number[] {
  const rng = new Rng(seed, 0);
  const out: number[] = [];
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const star = 3000 * Math.exp(-((x - nx / 3) ** 2 + (y - ny / 2) ** 2) / 20);
      const sky = 1000 + 10 * rng.normal();
      const v = sky + star;
      if (kind === 'int16') out.push(Math.round(v) - 1500);
      else if (kind === 'uint8') out.push(Math.max(0, Math.min(255, Math.round(v / 20))));
      else if (kind === 'int32') out.push(Math.round(v * 70000) - 900000000);
      else out.push(v / 100);
    }
  }
  return out;
}

describe.skipIf(!TOOLS)(`RICE_1 writer against fitsverify and funpack (${REASON})`, () => {
  const cases: Array<[string, ImageToCompress, Parameters<typeof riceCompressedFile>[1]]> = [
    ['int16 row tiles', { bitpix: 16, axes: [157, 93], data: skyImage(157, 93, 1, 'int16'), cards: [{ keyword: 'OBJECT', value: 'test' }] }, {}],
    ['int16 2-D tiles, blocksize 16', { bitpix: 16, axes: [157, 93], data: skyImage(157, 93, 2, 'int16') }, { tile: [40, 30], blockSize: 16 }],
    ['uint8 (BYTEPIX 1)', { bitpix: 8, axes: [120, 80], data: skyImage(120, 80, 3, 'uint8') }, {}],
    ['int32 (BYTEPIX 4)', { bitpix: 32, axes: [120, 80], data: skyImage(120, 80, 4, 'int32') }, { tile: [120, 7] }],
  ];
  for (const [label, img, opts] of cases) {
    it(`${label}: fitsverify passes and funpack returns the same pixels`, () => {
      const path = join(dir, `ours-${label.replace(/\W+/g, '_')}.fits.fz`);
      writeFileSync(path, riceCompressedFile(img, opts));
      const v = spawnSync('fitsverify', ['-q', '-e', path], { encoding: 'utf8' });
      expect(v.stdout + v.stderr, 'fitsverify').toMatch(/verification OK/);
      expect(v.status).toBe(0);
      expectSamePixels(funpackPixels(path).data, img.data, 'funpack vs input');
      expectSamePixels(ourPixels(path).data, img.data, 'our decoder vs input');
    });
  }

  it('float32 quantised (SUBTRACTIVE_DITHER_1, NaNs, a constant tile stored as GZIP_COMPRESSED_DATA): funpack = our decoder, error ≤ step/2', () => {
    const nx = 100;
    const ny = 60;
    const data = skyImage(nx, ny, 5, 'float').map((v) => Math.fround(v));
    data[7] = NaN;
    data[nx * 3 + 5] = NaN;
    for (let x = 0; x < nx; x++) data[nx * 10 + x] = 2.5; // constant row tile → lossless fallback
    const path = join(dir, 'ours-float.fits.fz');
    writeFileSync(path, riceCompressedFile({ bitpix: -32, axes: [nx, ny], data }, { quantize: { level: 4, ditherSeed: 77 } }));
    const v = spawnSync('fitsverify', ['-q', '-e', path], { encoding: 'utf8' });
    expect(v.stdout + v.stderr, 'fitsverify').toMatch(/verification OK/);
    const theirs = funpackPixels(path).data;
    const ours = ourPixels(path).data;
    expectSamePixels(ours, theirs, 'our decoder vs funpack');
    expect(Number.isNaN(ours[7]!)).toBe(true);
    for (let x = 0; x < nx; x++) expect(ours[nx * 10 + x]).toBe(2.5);
    const f = new FitsFile(new MemorySource(path, new Uint8Array(readFileSync(path))));
    const d = decompressImage(tableSource(f, f.hdu(1)), { start: [0, 20], size: [nx, 1] });
    const zscale = Math.abs((d.data as Float32Array)[0]! - data[nx * 20]!);
    expect(zscale).toBeLessThan(0.05); // sky σ = 0.1, level 4 → step ≈ 0.025, error ≤ step/2
  });

  it('float64 SUBTRACTIVE_DITHER_2 keeps exact zeros through funpack', () => {
    const nx = 64;
    const ny = 40;
    const data = skyImage(nx, ny, 6, 'float');
    for (let i = 0; i < data.length; i += 13) data[i] = 0;
    const path = join(dir, 'ours-float64.fits.fz');
    writeFileSync(path, riceCompressedFile({ bitpix: -64, axes: [nx, ny], data }, { quantize: { method: 'SUBTRACTIVE_DITHER_2', level: 8, ditherSeed: 9999 } }));
    const theirs = funpackPixels(path).data;
    expectSamePixels(ourPixels(path).data, theirs, 'our decoder vs funpack');
    for (let i = 0; i < data.length; i += 13) expect(theirs[i]).toBe(0);
  });
});

describe.skipIf(!TOOLS)(`files written by fpack decode exactly as funpack decodes them (${REASON})`, () => {
  const int16 = { bitpix: 16 as const, axes: [131, 97], data: skyImage(131, 97, 11, 'int16') };
  const positive16 = { ...int16, data: int16.data.map((v) => Math.max(0, v + 600)) };
  const uint8 = { bitpix: 8 as const, axes: [131, 97], data: skyImage(131, 97, 12, 'uint8') };
  const int32 = { bitpix: 32 as const, axes: [131, 97], data: skyImage(131, 97, 13, 'int32') };
  const float32 = { bitpix: -32 as const, axes: [131, 97], data: skyImage(131, 97, 14, 'float').map((v, i) => (i % 17 === 0 ? 0 : i === 50 ? NaN : v)) };
  const float64 = { bitpix: -64 as const, axes: [131, 97], data: skyImage(131, 97, 15, 'float') };
  const cases: Array<[string, ImageToCompress, string[], { keyword: string; value: number }[]?]> = [
    ['RICE_1 int16 (BYTEPIX 2)', int16, ['-r']],
    ['RICE_1 uint16 (BZERO 32768)', int16, ['-r'], [{ keyword: 'BZERO', value: 32768 }]],
    ['GZIP_2 int16 scaled (BSCALE 0.5, BZERO 10, BLANK -1500)', int16, ['-g2'], [{ keyword: 'BSCALE', value: 0.5 }, { keyword: 'BZERO', value: 10 }, { keyword: 'BLANK', value: -1500 }]],
    ['RICE_1 int16, 2-D tiles', int16, ['-r', '-t', '40,25']],
    ['RICE_1 uint8 (BYTEPIX 1)', uint8, ['-r']],
    ['RICE_1 int32 (BYTEPIX 4)', int32, ['-r']],
    ['GZIP_1 int16', int16, ['-g1']],
    ['GZIP_2 int16', int16, ['-g2']],
    ['GZIP_2 int32', int32, ['-g2']],
    ['HCOMPRESS_1 int16 lossless', int16, ['-h']],
    ['HCOMPRESS_1 int16 lossy SCALE 4', int16, ['-h', '-s', '4']],
    ['HCOMPRESS_1 int32 (64-bit path)', int32, ['-h']],
    ['HCOMPRESS_1 uint8, odd tile', uint8, ['-h', '-t', '37,23']],
    ['PLIO_1 positive int16', positive16, ['-p']],
    ['NOCOMPRESS int16', int16, ['-d']],
    ['RICE_1 float32 SUBTRACTIVE_DITHER_1', float32, ['-r', '-q', '4']],
    ['RICE_1 float32 SUBTRACTIVE_DITHER_2', float32, ['-r', '-qz42', '4']],
    ['RICE_1 float32 NO_DITHER', float32, ['-r', '-q0', '4']],
    ['GZIP_2 float64 lossless (-q 0)', float64, ['-g2', '-q', '0']],
    ['HCOMPRESS_1 float32 quantised', float32, ['-h', '-q', '4']],
    ['GZIP_1 float64 quantised', float64, ['-g1', '-q', '8']],
  ];
  it('HCOMPRESS_1 lossy with SMOOTH = 1 (ZVAL2 patched; fpack cannot set it) matches funpack', () => {
    const base = join(dir, 'fp-hsmooth');
    writeFileSync(`${base}.fits`, plainFits(int16));
    execFileSync('fpack', ['-h', '-s', '8', '-t', '131,40', '-O', `${base}.fits.fz`, `${base}.fits`]);
    const bytes = new Uint8Array(readFileSync(`${base}.fits.fz`));
    const text = new TextDecoder('latin1').decode(bytes);
    const at = text.indexOf('ZVAL2   =');
    expect(at).toBeGreaterThan(0);
    const card = 'ZVAL2   = ' + '1'.padStart(20);
    for (let k = 0; k < card.length; k++) bytes[at + k] = card.charCodeAt(k);
    writeFileSync(`${base}-smooth.fits.fz`, bytes);
    const smooth = ourPixels(`${base}-smooth.fits.fz`).data;
    expectSamePixels(smooth, funpackPixels(`${base}-smooth.fits.fz`).data, 'smoothed: ours vs funpack');
    const plain = ourPixels(`${base}.fits.fz`).data;
    let differ = 0;
    for (let i = 0; i < plain.length; i++) if (plain[i] !== smooth[i]) differ++;
    expect(differ).toBeGreaterThan(0); // smoothing did something
  });

  for (const [label, img, args, extra] of cases) {
    it(label, () => {
      const base = join(dir, `fp-${label.replace(/\W+/g, '_')}`);
      writeFileSync(`${base}.fits`, plainFits(img, extra));
      execFileSync('fpack', [...args, '-O', `${base}.fits.fz`, `${base}.fits`]);
      const theirs = funpackPixels(`${base}.fits.fz`);
      const ours = ourPixels(`${base}.fits.fz`);
      expect(ours.dtype).toBe(theirs.dtype);
      expectSamePixels(ours.data, theirs.data, 'our decoder vs funpack');
      if (img.bitpix > 0 && !args.includes('-s') && !extra) expectSamePixels(ours.data, img.data, 'lossless vs input');
      if (extra?.[0]?.keyword === 'BZERO') expect(ours.dtype).toBe('uint16');
      // a cutout through the section reader equals the same box of the whole image
      const f = new FitsFile(new MemorySource(base, new Uint8Array(readFileSync(`${base}.fits.fz`))));
      const hdu = f.hdus().find((h) => h.compressed)!;
      const cut = readImageSection(f, hdu, [30, 50], [20, 33]).data as unknown as ArrayLike<number>;
      const want: number[] = [];
      for (let y = 30; y < 50; y++) for (let x = 50; x < 83; x++) want.push(ours.data[y * 131 + x]!);
      expectSamePixels(cut, want, 'cutout');
    });
  }
});
