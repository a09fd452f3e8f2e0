// The real-lens set in test/data/real-lenses/ (HST quads from samana, MIT; HST galaxies from GalSim,
// BSD-3; provenance in its README.md and manifest.json) reads through LensDesk's own FITS, WCS and band
// readers, and its geometry agrees with the literature: the four quasar images of HE0435-1223 lie ≈ θE
// from the lens (1.18″, Courbin et al. 2011). Fitting it takes > 2 min on 2 cores, so the fit is in the
// bench and docs (docs/real-skies.md), not here.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFitsFile } from '../src-main/fits/file-source';
import { readImage } from '../src-core/fits/image';
import { readWcs } from '../src-core/wcs/wcs';
import { singleBand } from '../src-core/stamps/band-keywords';
import { pixelXY } from '../src-core/units';
import { readFitObservation } from '../src-main/fit/read-observation';
import { DATA_DIR, lensAbImage, readManifest, toLsstStamp } from '../bench/lib/real-lens-stamps';

const m = readManifest();

/** Angular separation in arcsec (small angles, flat sky about the first point). */
function sepArcsec(a: { ra: number; dec: number }, b: { ra: number; dec: number }): number {
  const dra = (a.ra - b.ra) * Math.cos((a.dec * Math.PI) / 180);
  return Math.hypot(dra, a.dec - b.dec) * 3600;
}

describe('real-lens set: files and provenance', () => {
  it('has every file the manifest lists, byte for byte, and no RXJ1131-1231 (kept for independent checks)', () => {
    const files = [...m.lenses.flatMap((l) => l.files), ...m.nonLenses] as Array<{ file: string; sha256?: string }>;
    expect(m.lenses.length).toBeGreaterThanOrEqual(10);
    expect(m.nonLenses.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const sha = createHash('sha256').update(readFileSync(join(DATA_DIR, f.file))).digest('hex');
      expect(sha, f.file).toBe(f.sha256);
    }
    const text = readFileSync(join(DATA_DIR, 'manifest.json'), 'utf8');
    expect(text).not.toMatch(/1131/);
    for (const l of m.lenses) for (const f of l.files) expect((f as unknown as { source: { license: string; commit: string } }).source.commit).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('real-lens set: LensDesk reads the images as HST data', () => {
  it('each lens: band from FILTER, BUNIT e⁻/s with EXPTIME, WCS scale = manifest scale, north up and east left', () => {
    for (const l of m.lenses) {
      for (const f of l.files) {
        const file = openFitsFile(join(DATA_DIR, f.file));
        const h = file.hdu(0).header;
        expect(singleBand(h, { file: f.file, hdu: 0 })?.bands).toEqual([f.filter]);
        expect(h.getString('BUNIT')).toBe('ELECTRONS/S');
        expect(h.get('EXPTIME')).toBeGreaterThan(1000);
        const wcs = readWcs(h);
        const [x, y] = f.lensPixel;
        expect(wcs.pixelScaleArcsecAt(pixelXY(x, y)), f.file).toBeCloseTo(f.pixelScale, 4);
        // The lens pixel is the WCS reference point; one pixel east (−x) raises RA, one pixel +y raises Dec.
        const c = wcs.pixel0ToSky(pixelXY(x, y));
        expect(sepArcsec(c, { ra: h.get('CRVAL1') as number, dec: h.get('CRVAL2') as number })).toBeLessThan(1e-6);
        expect(wcs.pixel0ToSky(pixelXY(x - 1, y)).ra).toBeGreaterThan(c.ra);
        expect(wcs.pixel0ToSky(pixelXY(x, y + 1)).dec).toBeGreaterThan(c.dec);
      }
    }
  });

  it('HE0435-1223: the four brightest peaks 0.6–2″ from the lens are its quasar images, at ≈ θE (1.0–1.4″)', () => {
    const l = m.lenses.find((x) => x.id === 'he0435')!;
    const f = l.files.find((x) => x.filter === 'F814W')!;
    const file = openFitsFile(join(DATA_DIR, f.file));
    const img = readImage(file, file.hdu(0));
    const [H, W] = img.shape as [number, number];
    const d = img.data as Float32Array;
    const wcs = readWcs(file.hdu(0).header);
    const lens = wcs.pixel0ToSky(pixelXY(f.lensPixel[0], f.lensPixel[1]));
    const peaks: Array<{ v: number; r: number }> = [];
    for (let y = 2; y < H - 2; y++) {
      for (let x = 2; x < W - 2; x++) {
        const v = d[y * W + x]!;
        let isMax = true;
        for (let dy = -2; dy <= 2 && isMax; dy++) for (let dx = -2; dx <= 2; dx++) if (d[(y + dy) * W + x + dx]! > v) { isMax = false; break; }
        if (!isMax) continue;
        const r = sepArcsec(wcs.pixel0ToSky(pixelXY(x, y)), lens);
        if (r > 0.6 && r < 2) peaks.push({ v, r });
      }
    }
    peaks.sort((a, b) => b.v - a.v);
    const four = peaks.slice(0, 4);
    const meanR = four.reduce((s, p) => s + p.r, 0) / 4;
    expect(meanR).toBeGreaterThan(1.0);
    expect(meanR).toBeLessThan(1.4);
    // Point sources: each of the four is far brighter than the fifth peak (an arc knot or noise).
    expect(four[3]!.v).toBeGreaterThan(3 * (peaks[4]?.v ?? 0));
  });

  it('an LSST-like stamp made from it has the finder\'s shape, bands and an LSST-like noise floor', () => {
    const s = toLsstStamp(lensAbImage(m.lenses[0]!), { colour: 'grey', dmag: 0 }, 1, 0);
    expect([s.width, s.height, s.bands.join(',')]).toEqual([45, 45, 'g,r,i,z']);
    for (const p of s.planes) expect(p.every(Number.isFinite)).toBe(true);
    // Corner pixels hold sky noise only: their variance equals the preset's sky + read variance (i band:
    // 10^(−0.4 (20.48 − 27.79)) · 6900 s · 0.04 ″² + 460 · 10² ≈ 2.3e5 e⁻²) within the sampling error.
    const i = s.planes[2]!, corner: number[] = [];
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) corner.push(i[y * 45 + x]!);
    const v = corner.reduce((a, b) => a + b * b, 0) / corner.length;
    const expected = 10 ** (-0.4 * (20.48 - 27.79)) * 460 * 15 * 0.04 + 460 * 100;
    expect(v / expected).toBeGreaterThan(0.6);
    expect(v / expected).toBeLessThan(1.5);
  });
});

describe('real-lens set: what `lensdesk fit` reads from HE0435 (no fitting: > 2 min here, see docs/real-skies.md)', () => {
  const path = join(DATA_DIR, 'he0435-f814w.fits');

  it('reads scale from the WCS, e⁻ from BUNIT × EXPTIME, and estimates the noise near samana\'s background rms', () => {
    const o = readFitObservation(path);
    expect(o.pixelScaleFrom).toBe('WCS');
    expect(o.pixelScale).toBeCloseTo(0.05, 4);
    expect(o.size).toBe(109); // 110 cut to its central odd square
    expect(o.units.toElectrons).toBe(1445);
    expect(o.noise.source).toBe('background');
    // Independent value: samana's kwargs_data background_rms 0.01181 e⁻/s × 1445 s = 17.1 e⁻. Drizzled noise
    // is correlated, so the neighbour-difference estimate may differ by a few tens of per cent.
    const sigma = o.noise.background![0]!.sigma;
    expect(sigma / (0.01181 * 1445)).toBeGreaterThan(0.75);
    expect(sigma / (0.01181 * 1445)).toBeLessThan(1.35);
  });

  it('cuts a stamp at the lens\'s sky position (--ra --dec --size) with the lens on the central pixel', () => {
    const o = readFitObservation(path, { ra: 69.56208, dec: -12.28733, size: 4 });
    expect(o.size % 2).toBe(1);
    expect(o.size * o.pixelScale).toBeGreaterThan(3.9);
    expect(o.size * o.pixelScale).toBeLessThan(4.2);
    const c = (o.size - 1) / 2;
    expect(Math.abs(o.targetPixel!.x - c)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(o.targetPixel!.y - c)).toBeLessThanOrEqual(0.5);
  });
});
