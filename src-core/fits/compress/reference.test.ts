// Tile-compressed reference files from ../shared/data/fits decoded in place and compared with
// astropy 8.0.1's `.ref.json` (stats, every sample pixel, the presented image header) and, for
// the m13 family, with the uncompressed m13.fits pixel for pixel.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedFits } from '../../../test/shared';
import { FitsFile } from '../file';
import { readImage, readImageSection } from '../image';
import { sourceFromBytes } from '../source';
import { compressedImageHeader, decompressImage, tableSource } from './index';

type Ref = any;

const open = (name: string): FitsFile => new FitsFile(sourceFromBytes(name, readFileSync(sharedFits(name))));
const ref = (name: string): Ref => JSON.parse(readFileSync(sharedFits(`${name}.ref.json`), 'utf8'));

const FILES = [
  'm13_rice.fits',
  'm13_gzip.fits',
  'm13_hcomp.fits',
  'm13_plio.fits',
  'compressed_with_nan.fits',
  'test_rice_dither2_seed42.fits.fz',
  'test_gzip_compressed_image.fits.fz',
  'ksb_170430_055945_ooi_r_ls9.CCD4.fits',
];

/** Float comparison at the 1-ULP level of the reference's own precision. */
function closeUlp(mine: number, want: number, f32: boolean): boolean {
  if (mine === want) return true;
  const ulp = f32 ? 2 ** (Math.floor(Math.log2(Math.abs(want))) - 23) : Number.EPSILON * 2 ** Math.floor(Math.log2(Math.abs(want)));
  return Math.abs(mine - want) <= ulp;
}

describe.skipIf(!HAS_SHARED)(`compressed reference files (${HAS_SHARED ? 'shared data present' : SHARED_SKIP_REASON})`, () => {
  // describe.skipIf still runs this body to collect tests: no reference files are read without ../shared.
  for (const name of HAS_SHARED ? FILES : []) {
    const r = ref(name);
    for (const hr of r.hdus.filter((h: Ref) => h.type === 'CompImageHDU')) {
      it(`${name} HDU ${hr.index}: ${hr.compression.ZCMPTYPE} stats and sample pixels match astropy`, () => {
        const f = open(name);
        const hdu = f.hdu(hr.index);
        expect(hdu.compressed).toBe(true);
        const img = readImage(f, hdu);
        expect(img.shape).toEqual(hr.data_shape);
        expect(img.dtype).toBe(hr.dtype);
        const data = img.data as Float64Array;
        const f32 = hr.dtype === 'float32';
        let nan = 0;
        let min = Infinity;
        let max = -Infinity;
        let sum = 0;
        for (let i = 0; i < data.length; i++) {
          const v = Number(data[i]);
          if (Number.isNaN(v)) {
            nan++;
            continue;
          }
          if (v < min) min = v;
          if (v > max) max = v;
          sum += v;
        }
        const s = hr.stats;
        expect(nan).toBe(s.nan_count);
        expect(data.length - nan).toBe(s.finite_count);
        const lossless = hr.bitpix > 0 || hr.compression.ZQUANTIZ === undefined;
        if (lossless) {
          expect(min).toBe(s.min);
          expect(max).toBe(s.max);
        } else {
          expect(closeUlp(min, s.min, f32)).toBe(true);
          expect(closeUlp(max, s.max, f32)).toBe(true);
        }
        expect(Math.abs(sum - s.sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(s.sum)));
        expect(Math.abs(sum / (data.length - nan) - s.mean)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(s.mean)));
        const nx = hr.data_shape[hr.data_shape.length - 1];
        for (const sp of s.sample_pixels) {
          const v = Number(data[sp.index[0] * nx + sp.index[1]]);
          if (lossless) expect(v, `pixel ${sp.fits_pixel}`).toBe(sp.value);
          else expect(closeUlp(v, sp.value, f32), `pixel ${sp.fits_pixel}: ${v} vs ${sp.value}`).toBe(true);
        }
      });

      it(`${name} HDU ${hr.index}: presented image header equals astropy's`, () => {
        const f = open(name);
        const h = compressedImageHeader(f.hdu(hr.index));
        const mine = h.entries().map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]);
        expect(mine).toEqual(hr.header);
      });
    }
  }

  it('m13 RICE_1, GZIP_1, HCOMPRESS_1 and PLIO_1 equal m13.fits pixel for pixel', () => {
    const orig = readImage(open('m13.fits'), open('m13.fits').hdu(0));
    for (const name of ['m13_rice.fits', 'm13_gzip.fits', 'm13_hcomp.fits', 'm13_plio.fits']) {
      const f = open(name);
      const img = readImage(f, f.hdu(1));
      expect(img.dtype).toBe(orig.dtype);
      expect(Array.from(img.data as Int16Array)).toEqual(Array.from(orig.data as Int16Array));
    }
  });

  it('SUBTRACTIVE_DITHER_2 keeps exact zeros and stays within one quantisation step of the original', () => {
    const orig = readImage(open('test_rice_dither2_seed42.fits'), open('test_rice_dither2_seed42.fits').hdu(0)).data as Float64Array;
    const f = open('test_rice_dither2_seed42.fits.fz');
    const hdu = f.hdu(1);
    const got = readImage(f, hdu).data as Float64Array;
    const d = decompressImage(tableSource(f, hdu));
    expect(d.params.quantize).toBe('SUBTRACTIVE_DITHER_2');
    let zeros = 0;
    for (let i = 0; i < orig.length; i++) {
      if (orig[i] === 0) {
        zeros++;
        expect(got[i]).toBe(0);
      }
    }
    // ZSCALE per row: the error of subtractive dithering is at most half a step (+ rounding)
    const rows = 100;
    for (let y = 0; y < rows; y++) {
      let maxErr = 0;
      for (let x = 0; x < 100; x++) maxErr = Math.max(maxErr, Math.abs(got[y * 100 + x]! - orig[y * 100 + x]!));
      expect(maxErr).toBeLessThan(0.2); // q=4 on unit-variance noise gives steps ≈ 0.25
    }
    expect(zeros).toBeGreaterThanOrEqual(0);
  });

  it('a section of m13_rice.fits decodes only the tiles it overlaps and equals the same section of m13.fits', () => {
    const f = open('m13_rice.fits');
    const hdu = f.hdu(1);
    const d = decompressImage(tableSource(f, hdu), { start: [100, 40], size: [64, 32] });
    expect(d.tilesDecoded).toBe(32); // row tiles: 32 rows → 32 tiles of 300
    const o = open('m13.fits');
    const want = readImageSection(o, o.hdu(0), [40, 100], [32, 64]).data as Int16Array;
    expect(Array.from(d.data as Int16Array)).toEqual(Array.from(want));
    const viaReader = readImageSection(f, hdu, [40, 100], [32, 64]).data as Int16Array;
    expect(Array.from(viaReader)).toEqual(Array.from(want));
    // only the overlapping tiles' descriptors and heap bytes are read
    let read = 0;
    const src = tableSource(f, hdu);
    const counting = { ...src, readData: (o: number, l: number) => ((read += l), src.readData(o, l)) };
    decompressImage(counting, { start: [100, 40], size: [64, 32] });
    expect(read).toBeLessThan(0.15 * hdu.dataSize);
    expect(read).toBeGreaterThan(32 * 8);
  });
});
