// The `bands` job parameter, and the band of a survey image given to `ingest --catalog-file
// --images` without `band=`: from its FILTER (normalised), as HSC and HST write it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFits } from '../../../src-core/fits/writer';
import { tempDir } from '../../../test/workspace-fixture';
import { bandOfImageFile, prepareBandsParam } from './bands-param';
import { ingestCatalogKind } from './ingest-catalog';

const t = tempDir();
afterAll(() => t.cleanup());
const img = () => ({ kind: 'image' as const, shape: [4, 4], data: new Float32Array(16) });

describe('bands param', () => {
  it('takes a string or a list, normalises, and refuses empty or repeated lists', () => {
    expect(prepareBandsParam(undefined)).toBeUndefined();
    expect(prepareBandsParam('g,r,i,z')).toEqual(['g', 'r', 'i', 'z']);
    expect(prepareBandsParam(['HSC-G', 'HSC-I2'])).toEqual(['g', 'i']);
    expect(() => prepareBandsParam(' , ')).toThrow(/expected a list such as 'g,r,i,z'/);
    expect(() => prepareBandsParam('g,HSC-G')).toThrow(/names a band twice/);
  });
});

describe('bandOfImageFile', () => {
  it("reads the image HDU's FILTER, else the primary header's, else none", () => {
    const hsc = join(t.dir, 'calexp.fits');
    writeFileSync(hsc, writeFits([{ ...img(), cards: [{ keyword: 'FILTER', value: 'HSC-I2' }] }]));
    expect(bandOfImageFile(hsc)).toBe('i');
    const acs = join(t.dir, 'acs.fits');
    writeFileSync(acs, writeFits([
      { kind: 'image', shape: [], data: new Float32Array(0), cards: [{ keyword: 'FILTER1', value: 'CLEAR1L' }, { keyword: 'FILTER2', value: 'F814W' }] },
      { ...img(), extname: 'SCI' },
    ]));
    expect(bandOfImageFile(acs)).toBe('F814W');
    const bare = join(t.dir, 'bare.fits');
    writeFileSync(bare, writeFits([img()]));
    expect(bandOfImageFile(bare)).toBeNull();
    // ingest --catalog-file: a spec's band is normalised, a missing one comes from FILTER, else the file name.
    const cat = join(t.dir, 'cat.csv');
    writeFileSync(cat, 'ra,dec\n150,2\n');
    const p = ingestCatalogKind.prepare({ catalogFile: cat, images: [{ band: 'HSC-G', path: bare }, { path: hsc }, { path: bare }] }, t.dir);
    expect(p.images.map((i) => i.band)).toEqual(['g', 'i', 'bare.fits']);
  });
});
