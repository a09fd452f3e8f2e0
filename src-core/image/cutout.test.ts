// Cutouts: values against astropy's sample pixels, NaN/mask padding at edges, resampling checked
// against an analytic image, its own WCS, and laziness (bytes read from the file).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { FitsFile } from '../fits/file';
import type { ByteSource } from '../fits/source';
import { sourceFromBytes } from '../fits/source';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedFits } from '../../test/shared';
import { pixelXY, skyRaDec } from '../units';
import { readWcs } from '../wcs/wcs';
import { makeCutout, type CutoutBand } from './cutout';
import '../fits/compress/index';
import { fitsSectionReader, memorySectionReader } from './section-reader';

const hdr = (o: Record<string, string | number>) => ({ get: (k: string) => o[k] });

describe('cutouts on synthetic images', () => {
  const W = 60, H = 50;
  const refWcs = readWcs(hdr({ NAXIS: 2, NAXIS1: W, NAXIS2: H, CTYPE1: 'RA---TAN', CTYPE2: 'DEC--TAN', CRPIX1: 30, CRPIX2: 25, CRVAL1: 150, CRVAL2: 2, CDELT1: -0.0001, CDELT2: 0.0001 }));
  // Band 2: rotated by 20°, 0.8× the pixel size, offset reference pixel.
  const r = (20 * Math.PI) / 180, s = 0.00008;
  const w2 = readWcs(hdr({ NAXIS: 2, NAXIS1: 90, NAXIS2: 90, CTYPE1: 'RA---TAN', CTYPE2: 'DEC--TAN', CRPIX1: 41.3, CRPIX2: 47.9, CRVAL1: 150.0003, CRVAL2: 1.9998, CD1_1: -s * Math.cos(r), CD1_2: s * Math.sin(r), CD2_1: s * Math.sin(r), CD2_2: s * Math.cos(r) }));
  const lin = (x: number, y: number): number => 3 + 0.5 * x - 0.25 * y; // bilinear is exact on it
  const img1 = new Float64Array(W * H).map((_, k) => (k % W) * 1000 + Math.floor(k / W));
  const img2 = new Float64Array(90 * 90).map((_, k) => lin(k % 90, Math.floor(k / 90)));
  const bands: CutoutBand[] = [
    { name: 'a', image: memorySectionReader('a', W, H, img1), wcs: refWcs },
    { name: 'b', image: memorySectionReader('b', 90, 90, img2), wcs: w2 },
  ];

  it('first band is copied exactly, centred on the target pixel, with its own WCS', () => {
    const target = refWcs.pixel0ToSky(pixelXY(20.2, 30.4));
    const c = makeCutout(bands.slice(0, 1), { centre: target, width: 11, height: 9 });
    expect(c.originPixel0).toEqual({ x: 15, y: 26 });
    expect(c.bands[0].data[4 * 11 + 5]).toBe(20 * 1000 + 30); // centre pixel (20, 30)
    expect(c.centrePixel0.x).toBeCloseTo(5.2, 9);
    const back = c.wcs.skyToPixel0(target);
    expect(back.x).toBeCloseTo(5.2, 9);
    expect(back.y).toBeCloseTo(4.4, 9);
    const cards = Object.fromEntries(c.wcsCards);
    expect(cards.CRPIX1).toBeCloseTo(30 - 15, 12);
    expect(cards.CRPIX2).toBeCloseTo(25 - 26, 12);
  });
  it('edges: NaN padding and mask 0 off the image', () => {
    const c = makeCutout(bands.slice(0, 1), { centre: refWcs.pixel0ToSky(pixelXY(1, 48)), width: 7, height: 7 });
    // columns −2..4, rows 45..51: on-image columns 0..4 (5), rows 45..49 (5)
    const valid = c.bands[0].mask.reduce((a, b) => a + b, 0);
    expect(valid).toBe(25);
    expect(c.bands[0].data[0]).toBeNaN();
    expect(c.bands[0].data[6 * 7 + 6]).toBeNaN(); // row 51 is off the image
    expect(c.bands[0].data[0 * 7 + 2]).toBe(0 * 1000 + 45);
  });
  it('bilinear resampling of band b equals the analytic value at each mapped position', () => {
    const c = makeCutout(bands, { centre: refWcs.pixel0ToSky(pixelXY(30, 25)), width: 15, height: 15, resampling: 'bilinear' });
    let checked = 0;
    for (let j = 0; j < 15; j++) for (let i = 0; i < 15; i++) {
      const p = w2.skyToPixel0(refWcs.pixel0ToSky(pixelXY(c.originPixel0.x + i, c.originPixel0.y + j)));
      const v = c.bands[1].data[j * 15 + i];
      if (p.x >= 0 && p.y >= 0 && p.x <= 89 && p.y <= 89) {
        expect(v).toBeCloseTo(lin(p.x, p.y), 9);
        checked++;
      }
    }
    expect(checked).toBe(225);
    const n = makeCutout(bands, { centre: refWcs.pixel0ToSky(pixelXY(30, 25)), width: 15, height: 15, resampling: 'nearest' });
    const p = w2.skyToPixel0(refWcs.pixel0ToSky(pixelXY(n.originPixel0.x + 3, n.originPixel0.y + 4)));
    expect(n.bands[1].data[4 * 15 + 3]).toBe(lin(Math.round(p.x), Math.round(p.y)));
  });
  it('bad requests are InputError', () => {
    expect(() => makeCutout(bands, { centre: skyRaDec(150, 95), width: 5, height: 5 })).toThrow(InputError);
    expect(() => makeCutout(bands, { centre: skyRaDec(150, 2), width: 0, height: 5 })).toThrow(/width/);
    expect(() => makeCutout(bands, { centre: skyRaDec(330, -2), width: 5, height: 5 })).toThrow(/does not project/);
  });
});

/** Counts the bytes a FitsFile reads. */
class CountingSource implements ByteSource {
  bytes = 0;
  constructor(private readonly inner: ByteSource) {}
  get name(): string { return this.inner.name; }
  get size(): number { return this.inner.size; }
  read(offset: number, length: number): Uint8Array { this.bytes += length; return this.inner.read(offset, length); }
  close(): void { this.inner.close?.(); }
}

describe.skipIf(!HAS_SHARED)(`cutouts from real FITS (${HAS_SHARED ? 'shared data' : SHARED_SKIP_REASON})`, () => {
  it('m13: cutout centre values equal astropy sample pixels; reads only the rows it needs', () => {
    const ref = JSON.parse(readFileSync(sharedFits('m13.fits.ref.json'), 'utf8')).hdus[0];
    const src = new CountingSource(sourceFromBytes('m13.fits', readFileSync(sharedFits('m13.fits'))));
    const file = new FitsFile(src);
    const hdu = file.hdu(0);
    const wcs = readWcs(hdu.header);
    const band = { name: 'm13', image: fitsSectionReader(file, hdu), wcs };
    const before = src.bytes;
    for (const sp of ref.stats.sample_pixels.slice(1, 6)) {
      const [fx, fy] = sp.fits_pixel as [number, number];
      const c = makeCutout([band], { centre: wcs.pixel1ToSky(pixelXY(fx, fy)), width: 9, height: 9 });
      expect(c.bands[0].data[4 * 9 + 4]).toBe(sp.value);
    }
    // At most the 9 rows each cutout spans (the reader may read them as one range): 5 × 9 × 300
    // pixels × 2 bytes = 27 kB, never the 180 kB image.
    expect(src.bytes - before).toBeGreaterThanOrEqual(5 * 9 * 9 * 2);
    expect(src.bytes - before).toBeLessThanOrEqual(5 * 9 * 300 * 2);
    src.close();
  });
  it('tile-compressed m13_rice gives the same cutout as the uncompressed m13, edges included', () => {
    const open = (name: string, hdu: number): CutoutBand => {
      const f = new FitsFile(sourceFromBytes(name, readFileSync(sharedFits(name))));
      return { name, image: fitsSectionReader(f, f.hdu(hdu)), wcs: readWcs(f.hdu(hdu).header) };
    };
    const plain = open('m13.fits', 0);
    const rice = open('m13_rice.fits', 1);
    expect([rice.image.width, rice.image.height]).toEqual([300, 300]);
    expect(rice.wcs.params.axisLengths).toEqual([300, 300]);
    for (const [x, y] of [[150, 150], [2, 297]]) {
      const centre = plain.wcs.pixel0ToSky(pixelXY(x, y));
      const a = makeCutout([plain], { centre, width: 15, height: 15 });
      const b = makeCutout([rice], { centre, width: 15, height: 15 });
      expect(Array.from(b.bands[0].data)).toEqual(Array.from(a.bands[0].data));
      expect(Array.from(b.bands[0].mask)).toEqual(Array.from(a.bands[0].mask));
    }
  });
  it('2MASS J/H/K on one grid: nearest resampling returns each band’s own pixels', () => {
    const open = (b: string): CutoutBand => {
      const f = new FitsFile(sourceFromBytes(b, readFileSync(sharedFits(`gc_2mass_${b}.fits`))));
      return { name: b, image: fitsSectionReader(f, f.hdu(0)), wcs: readWcs(f.hdu(0).header) };
    };
    const [j, h, k] = ['j', 'h', 'k'].map(open);
    const centre = j.wcs.pixel0ToSky(pixelXY(300, 410));
    const multi = makeCutout([j, h, k], { centre, width: 21, height: 21, resampling: 'nearest' });
    const bil = makeCutout([j, h, k], { centre, width: 21, height: 21, resampling: 'bilinear' });
    for (const [i, b] of [h, k].entries()) {
      const own = makeCutout([b], { centre, width: 21, height: 21 });
      expect(Array.from(multi.bands[i + 1].data)).toEqual(Array.from(own.bands[0].data));
      expect(Array.from(bil.bands[i + 1].data)).toEqual(Array.from(own.bands[0].data));
    }
  });
});
