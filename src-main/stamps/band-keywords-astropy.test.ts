// Band names from the keywords surveys write, on FITS files written by astropy (an independent
// writer; test/band-keywords-astropy.py) and by LensDesk's own writer. Plane k holds 10·(k+1) + a
// ramp < 1, so each check also proves the name sits on the plane the file meant.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASTROPY_PYTHON, ASTROPY_SKIP_REASON, runPython } from '../../test/astropy';
import { tempDir } from '../../test/workspace-fixture';
import { LensDeskError } from '../../src-core/errors';
import { writeFits } from '../../src-core/fits/writer';
import { encodeStamp } from '../../src-core/stamps/format';
import { readFileSync } from 'node:fs';
import { forEachStampInFile, readStampFile } from './stamp-file';

const t = tempDir();
afterAll(() => t.cleanup());
const f = (name: string) => join(t.dir, name);
/** Which 0-based plane of the file each band came from (10·(k+1) + ramp). */
const planeOf = (s: { planes: Float32Array[] }) => s.planes.map((p) => Math.round(p[0]! / 10) - 1);

function caught(fn: () => unknown): LensDeskError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LensDeskError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe.skipIf(!ASTROPY_PYTHON)(`band keywords in astropy-written files ${ASTROPY_SKIP_REASON}`, () => {
  beforeAll(() => {
    const script = readFileSync(join(__dirname, '../../test/band-keywords-astropy.py'), 'utf8');
    expect(runPython(script, [t.dir], 60_000).trim()).toBe('ok');
  }, 90_000);

  it.each([
    ['cube-bands.fits', ['g', 'r', 'i', 'z'], /^BANDS keyword \(HDU 0\)$/],
    ['cube-filters.fits', ['g', 'r', 'i', 'z'], /^FILTERS keyword \(HDU 0\)$/],
    ['cube-filtern.fits', ['g', 'r', 'i', 'z'], /^FILTER1…FILTER4 keywords/],
    ['cube-bandn.fits', ['u', 'g', 'r'], /^BAND1…BAND3 keywords/],
    ['perhdu-filter.fits', ['g', 'r', 'i', 'z'], /^FILTER keyword per HDU \(HDU 1,2,3,4\)$/],
    ['perhdu-decam.fits', ['g', 'Y'], /^FILTER keyword per HDU/],
    ['perhdu-extname.fits', ['g', 'r', 'i', 'z'], /^EXTNAME per HDU/],
    ['perhdu-band.fits', ['VIS', 'H'], /^BAND keyword per HDU/],
    ['hst-acs.fits', ['F814W'], /^FILTER2 keyword \(HDU 0\)$/],
    ['primary-list.fits', ['r', 'i', 'z'], /^FILTERS keyword \(HDU 0\)$/],
    ['nonames.fits', ['band1', 'band2', 'band3', 'band4'], /^none/],
  ])('%s → %j', (name, bands, source) => {
    const s = readStampFile(f(name));
    expect(s.bands).toEqual(bands);
    expect(s.bandSource).toMatch(source);
    expect(planeOf(s)).toEqual(bands.map((_, k) => k));
  });

  it('--bands names unnamed planes and must agree with named ones', () => {
    const s = readStampFile(f('nonames.fits'), { bands: ['g', 'r', 'i', 'z'] });
    expect(s.bands).toEqual(['g', 'r', 'i', 'z']);
    expect(s.bandSource).toBe('--bands option');
    const same = readStampFile(f('cube-filters.fits'), { bands: ['g', 'r', 'i', 'z'] });
    expect(same.bandSource).toBe('FILTERS keyword (HDU 0), agrees with --bands');
    const c = caught(() => readStampFile(f('two-filters.fits'), { bands: ['i', 'z'] }));
    expect(c.code).toBe('BANDS_CONFLICT');
    expect(c.message).toContain('two-filters.fits: HDU 0 FILTERS keyword says g,r, --bands says i,z');
    expect(c.details).toMatchObject({ hdu: 0, keyword: 'FILTERS' });
    const n = caught(() => readStampFile(f('nonames.fits'), { bands: ['g', 'r'] }));
    expect(n.code).toBe('BANDS_COUNT');
    expect(n.message).toMatch(/nonames\.fits: --bands g,r names 2 band\(s\), HDU 0 has 4 plane\(s\)/);
  });

  it('a keyword naming the wrong number of bands, a band twice, or only some HDUs is an error naming file, HDU and keyword', () => {
    const a = caught(() => readStampFile(f('count-mismatch.fits')));
    expect(a.code).toBe('BANDS_COUNT');
    expect(a.message).toMatch(/count-mismatch\.fits: HDU 0 keyword FILTERS = 'g,r,i' names 3 band\(s\), the image has 4 plane\(s\)/);
    expect(a.details).toMatchObject({ hdu: 0, keyword: 'FILTERS' });
    expect(caught(() => readStampFile(f('filtern-partial.fits'))).message).toMatch(/HDU 0 has 2 FILTERn keyword\(s\), the image has 4 plane\(s\)/);
    const d = caught(() => readStampFile(f('duplicate.fits')));
    expect(d.code).toBe('BANDS_DUPLICATE');
    expect(d.message).toMatch(/names band 'i' twice/);
    const p = caught(() => readStampFile(f('perhdu-partial.fits')));
    expect(p.code).toBe('BANDS_MISSING');
    expect(p.message).toMatch(/perhdu-partial\.fits: HDU 2 name\(s\) no band/);
  });

  it('a multi-cutout cube names its bands from FILTERS too', () => {
    const seen: string[][] = [];
    const sources: string[] = [];
    const n = forEachStampInFile(f('chunk-filters.fits'), (s, _j, _c, src) => {
      seen.push(s.bands);
      sources.push(src);
    });
    expect(n).toBe(3);
    expect(seen).toEqual([0, 1, 2].map(() => ['g', 'r', 'i', 'z']));
    expect(sources[0]).toBe('FILTERS keyword (HDU 0)');
  });
});

describe("band keywords in LensDesk's own files", () => {
  it('FILTERS in a cube written by src-core/fits/writer, and BANDS from encodeStamp round trip', () => {
    const n = 9 * 9;
    const data = new Float32Array(3 * n).map((_, k) => 10 * (Math.floor(k / n) + 1));
    writeFileSync(f('own-filters.fits'), writeFits([{ kind: 'image', shape: [3, 9, 9], data, cards: [{ keyword: 'FILTERS', value: 'HSC-I2, HSC-R2, HSC-G' }] }]));
    const s = readStampFile(f('own-filters.fits'));
    expect(s.bands).toEqual(['i', 'r', 'g']);
    expect(planeOf(s)).toEqual([0, 1, 2]);
    const planes = [0, 1].map((b) => new Float32Array(n).fill(10 * (b + 1)));
    writeFileSync(f('own-stamp.fits'), encodeStamp({ width: 9, height: 9, bands: ['F606W', 'F814W'], planes }));
    const r = readStampFile(f('own-stamp.fits'));
    expect(r.bands).toEqual(['F606W', 'F814W']);
    expect(r.bandSource).toBe('BANDS keyword (HDU 0)');
  });
});
