// fitPsf: a PSF file at another pixel scale (header PIXSCALE or WCS) is resampled to the cutout's; FWHM profiles.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFits } from '../../src-core/fits';
import type { CardInput } from '../../src-core/fits/card-format';
import { fitPsf } from './fit-psf';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-fit-psf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 61 × 61 Gaussian of σ = 6 pixels. */
function psfFile(name: string, cards: CardInput[]): string {
  const w = 61;
  const data = Float32Array.from({ length: w * w }, (_, i) => Math.exp(-(((i % w) - 30) ** 2 + (Math.floor(i / w) - 30) ** 2) / 72));
  const path = join(dir, name);
  writeFileSync(path, writeFits([{ kind: 'image', shape: [w, w], data, cards }]));
  return path;
}
const sigmaPx = (k: ArrayLike<number>, w: number) => {
  const h = (w - 1) / 2;
  let m2 = 0, s = 0;
  for (let i = 0; i < k.length; i++) { s += k[i]!; m2 += k[i]! * ((i % w) - h) ** 2; }
  return Math.sqrt(m2 / s);
};

describe('fitPsf', () => {
  it('resamples a PSF whose PIXSCALE is 0.05″ onto 0.2″ pixels (σ 6 → 1.5 pixels)', () => {
    const r = fitPsf({ file: psfFile('a.fits', [{ keyword: 'PIXSCALE', value: 0.05 }]) }, ['i'], 0.2);
    const k = r.specs[0] as { type: 'pixel'; kernel: Float64Array; width: number };
    expect(k.type).toBe('pixel');
    expect(k.width).toBe(15);
    expect(sigmaPx(k.kernel, k.width)).toBeCloseTo(1.5, 1);
    expect(r.from).toMatch(/resampled to 0\.2″/);
  });
  it('reads the scale from a WCS (CDELT in degrees) and leaves a PSF at the cutout scale alone', () => {
    const wcs: CardInput[] = [
      { keyword: 'CTYPE1', value: 'RA---TAN' }, { keyword: 'CTYPE2', value: 'DEC--TAN' }, { keyword: 'CRVAL1', value: 10 }, { keyword: 'CRVAL2', value: 20 },
      { keyword: 'CRPIX1', value: 31 }, { keyword: 'CRPIX2', value: 31 }, { keyword: 'CDELT1', value: -0.1 / 3600 }, { keyword: 'CDELT2', value: 0.1 / 3600 },
    ];
    const r = fitPsf({ file: psfFile('b.fits', wcs) }, ['g', 'r'], 0.2);
    expect(r.specs).toHaveLength(2);
    expect((r.specs[0] as { width: number }).width).toBe(31);
    const same = fitPsf({ file: psfFile('c.fits', [{ keyword: 'PIXSCALE', value: 0.2 }]) }, ['i'], 0.2);
    expect((same.specs[0] as { width: number }).width).toBe(61);
    expect(same.from).toBe('file c.fits');
    const none = fitPsf({ file: psfFile('d.fits', []) }, ['i'], 0.2);
    expect(none.warnings.join()).toMatch(/states no pixel scale/);
  });
  it('FWHM profiles and the preset', () => {
    expect(fitPsf({ fwhm: 0.8, profile: 'moffat', beta: 2.5 }, ['x'], 0.2).specs[0]).toEqual({ type: 'moffat', fwhm: 0.8, beta: 2.5 });
    expect(fitPsf({ fwhm: 0.8 }, ['x'], 0.2).specs[0]).toEqual({ type: 'gaussian', fwhm: 0.8 });
    expect(() => fitPsf({}, ['band1'], 0.2)).toThrow(/no band 'band1'.*--psf-fwhm/);
    expect(fitPsf({ preset: 'lsst' }, ['i'], 0.2).from).toBe('gaussian seeing of preset lsst');
  });
});
