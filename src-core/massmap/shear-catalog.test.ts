// Shear catalog ingest (aliases, UCDs, bad rows, empty fields) and tangent-plane gridding
// (projection against the project's WCS code, noise variance, mask), then the lenspack catalogue:
// its KS map must correlate with its own true κ, which fixes the e2 sign convention of grid.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCsvCatalog, openFitsCatalog } from '../catalog/read';
import { InputError } from '../errors';
import { FitsFile } from '../fits/file';
import { sourceFromBytes } from '../fits/source';
import { readWcs } from '../wcs/wcs';
import { pixelXY, skyRaDec } from '../units';
import { HAS_SHARED, SHARED_DIR, SHARED_SKIP_REASON } from '../../test/shared';
import { autoGrid, gridShear, gridToSky, gridWcsCards, skyToGrid, type GridSpec } from './grid';
import { ARCMIN_RAD, gaussianSmooth, ks93, ksKernel } from './ks93';
import { compareMaps, metricPixels } from './metrics';
import { findShearColumns, readShearCatalog } from './shear-catalog';

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}
const csv = (text: string) => openCsvCatalog('t.csv', once(text), { skipInvalid: true });

describe('shear catalog ingest', () => {
  it('finds aliased columns, reports bad rows by row and column, keeps the rest', async () => {
    const text = [
      'ALPHA_J2000,DELTA_J2000,g1,g2,weight,redshift',
      '10.0,-5.0,0.1,0.2,1,0.5', // 1 ok
      '10.1,-5.0,nan,0.2,1,0.5', // 2 e1 NaN
      '10.2,-5.1,0.3,-0.1,2,0.7', // 3 ok
      '10.3,-5.1,0.9,0.9,1,0.7', // 4 |e| > 1
      '10.4,,0.1,0.1,1,0.7', // 5 no Dec
      '10.5,-5.2,0.1,0.1,-1,0.7', // 6 negative weight
      '10.6,-5.2,0.0,,1,0.7', // 7 e2 empty
      '10.7,-5.3,-0.2,0.05,1,', // 8 ok (no redshift is fine)
    ].join('\n');
    const cat = await readShearCatalog(await csv(text));
    expect(cat.columns).toEqual({ e1: 'g1', e2: 'g2', weight: 'weight', z: 'redshift' });
    expect(Array.from(cat.rows)).toEqual([1, 3, 8]);
    expect(Array.from(cat.e1)).toEqual([0.1, 0.3, -0.2]);
    expect(Array.from(cat.weight!)).toEqual([1, 2, 1]);
    expect(cat.z![2]).toBeNaN();
    expect(cat.badRows).toBe(5);
    expect(cat.totalRows).toBe(8);
    const by = Object.fromEntries(cat.issues.map((s) => [s.row, s.column]));
    expect(by).toEqual({ 2: 'g1', 4: 'g1/g2', 5: 'ALPHA_J2000/DELTA_J2000', 6: 'weight', 7: 'g2' });
    expect(cat.issues.find((s) => s.row === 4)!.message).toMatch(/\|e\| = 1\.27\d* > 1/);
  });

  it('names the missing column and lists what the file has', async () => {
    const err = await readShearCatalog(await csv('ra,dec,e1,foo\n1,2,0.1,0.2\n')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/cannot find an e2 column \(columns: ra, dec, e1, foo\)/);
  });

  it('an empty field (header only, or every row bad) is a clear error', async () => {
    await expect(readShearCatalog(await csv('ra,dec,e1,e2\n'))).rejects.toThrow(/no usable galaxy in 0 rows/);
    await expect(readShearCatalog(await csv('ra,dec,e1,e2\n1,2,nan,0\n1,2,2,0\n'))).rejects.toThrow(/no usable galaxy in 2 rows \(row 1 \(e1\).*row 2 \(e1\/e2\): \|e\| = 2\.000 > 1/);
  });

  it('UCDs: src.ellipticity twice in file order, stat.weight, src.redshift.phot', () => {
    const c = findShearColumns('t.fits', ['RA', 'DEC', 'A', 'B', 'W', 'Q'], { A: 'src.ellipticity', B: 'src.ellipticity', W: 'stat.weight', Q: 'src.redshift.phot' });
    expect(c).toEqual({ e1: 'A', e2: 'B', weight: 'W', z: 'Q' });
  });
});

describe('tangent-plane grid', () => {
  const g: GridSpec = { ra0: 150.2, dec0: 2.3, pixArcmin: 0.5, rows: 60, cols: 80 };
  it('the projection and the written TAN WCS agree with the project WCS code (sky → pixel)', () => {
    const cards = new Map(gridWcsCards(g).map((c) => [c.keyword, c.value]));
    const wcs = readWcs({ get: (k: string) => cards.get(k) });
    for (const [ra, dec] of [[150.2, 2.3], [150.45, 2.1], [149.9, 2.6], [150.0, 2.0]] as const) {
      const [x, y] = skyToGrid(g, ra, dec);
      const p = wcs.skyToPixel0(skyRaDec(ra, dec));
      expect(Math.abs(x - p.x)).toBeLessThan(1e-8);
      expect(Math.abs(y - p.y)).toBeLessThan(1e-8);
    }
    // East is left: a larger RA gives a smaller x.
    expect(skyToGrid(g, 150.3, 2.3)[0]).toBeLessThan(skyToGrid(g, 150.1, 2.3)[0]);
    for (const [x, y] of [[(g.cols - 1) / 2, (g.rows - 1) / 2], [3, 50], [77.5, 1]] as const) {
      const back = wcs.pixel0ToSky(pixelXY(x, y)), mine = gridToSky(g, x, y);
      expect(Math.abs(mine[0] - back.ra)).toBeLessThan(1e-10);
      expect(Math.abs(mine[1] - back.dec)).toBeLessThan(1e-10);
    }
  });

  it('weighted means, σ_e² Σw²/(Σw)² per pixel, e2 sign flip, empty pixels masked', () => {
    const [x, y] = skyToGrid(g, 150.2, 2.3); // centre pixel
    const ra = [150.2, 150.2, 150.2], dec = [2.3, 2.3, 2.3];
    const out = gridShear(g, { ra, dec, e1: [0.1, 0.2, 0.4], e2: [0.1, 0.1, -0.2], weight: [1, 1, 2] }, { sigmaE: 0.3 });
    const p = Math.round(y) * g.cols + Math.round(x);
    expect(out.count[p]).toBe(3);
    expect(out.g1[p]).toBeCloseTo((0.1 + 0.2 + 0.8) / 4, 14);
    expect(out.g2[p]).toBeCloseTo(-(0.1 + 0.1 - 0.4) / 4, 14);
    expect(out.variance[p]).toBeCloseTo((0.09 * (1 + 1 + 4)) / 16, 14);
    expect(out.mask.reduce((s, v) => s + v, 0)).toBe(1);
    expect(out.variance[p + 1]).toBe(Infinity);
    expect(gridShear(g, { ra, dec, e1: [0.1, 0.2, 0.4], e2: [0.1, 0.1, -0.2] }, { sigmaE: 0.3 }).variance[p]).toBeCloseTo(0.09 / 3, 14);
    expect(() => gridShear(g, { ra: [10], dec: [-40], e1: [0], e2: [0] })).toThrow(/none of the 1 galaxies falls on the 60 × 80 grid/);
  });

  it('auto grid covers every galaxy, also across RA = 0', () => {
    const ra = [359.6, 359.9, 0.2, 0.35], dec = [-1, -0.5, -0.8, -0.2];
    const a = autoGrid(ra, dec, { pixArcmin: 1 });
    expect(a.ra0 > 359 || a.ra0 < 1).toBe(true);
    for (let i = 0; i < 4; i++) {
      const [x, y] = skyToGrid(a, ra[i]!, dec[i]!);
      expect(x).toBeGreaterThan(-0.5);
      expect(x).toBeLessThan(a.cols - 0.5);
      expect(y).toBeGreaterThan(-0.5);
      expect(y).toBeLessThan(a.rows - 0.5);
    }
    expect(a.cols).toBeLessThan(70); // ~0.75° span → ~45′ + margin, not 360°
  });
});

describe.skipIf(!HAS_SHARED)(`lenspack catalogue with true κ${HAS_SHARED ? '' : ` (skipped: ${SHARED_SKIP_REASON})`}`, () => {
  it('the KS93 map from the catalogue shear correlates with the binned true κ (sign convention of grid.ts)', async () => {
    const path = join(SHARED_DIR, 'data', 'massmap', 'lenspack_gal_cat.fits');
    const file = new FitsFile(sourceFromBytes('lenspack_gal_cat.fits', readFileSync(path)));
    const cat = await readShearCatalog(openFitsCatalog(file, { skipInvalid: true }), { extra: ['kappa'] });
    expect(cat.columns).toEqual({ e1: 'gamma1', e2: 'gamma2', weight: null, z: 'z_cgal' });
    expect(cat.ra.length).toBe(82358);
    const grid = autoGrid(cat.ra, cat.dec, { pixArcmin: 1 });
    const r = (e1Sign: 1 | -1, e2Sign: 1 | -1) => {
      const gs = gridShear(grid, { ra: cat.ra, dec: cat.dec, e1: cat.e1, e2: cat.e2, extra: [cat.extra.kappa!] }, { sigmaE: 0.26, e1Sign, e2Sign });
      const k = ksKernel(grid.rows, grid.cols, ARCMIN_RAD);
      const kE = gaussianSmooth(k, ARCMIN_RAD, ks93(k, gs.g1, gs.g2).kE).a;
      const truth = gaussianSmooth(k, ARCMIN_RAD, gs.extra[0]!.map((v) => (Number.isFinite(v) ? v : 0))).a;
      return compareMaps(kE, truth, metricPixels(grid.rows, grid.cols, { mask: gs.mask, margin: 5 })).pearson;
    };
    // lenspack's shears are the negative of the (x = +RA) convention: (−e1, +e2) on the east-left grid.
    const right = r(-1, 1), other = r(1, -1), mixed = r(1, 1);
    expect(right).toBeGreaterThan(0.8);
    expect(other).toBeLessThan(-0.8);
    expect(Math.abs(mixed)).toBeLessThan(0.5);
  }, 60000);
});
