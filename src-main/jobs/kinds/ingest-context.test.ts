// Folder ingest with the survey image known: each stamp gets a context cutout cut from the survey
// image by WCS at the stamp's position (issue #19); a stamp off the image gets none and is counted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFits } from '../../../src-core/fits/writer';
import { encodeStamp } from '../../../src-core/stamps/format';
import { runIngest } from '../../../test/ingest-run';
import { tempDir, tempWorkspaces } from '../../../test/workspace-fixture';
import { readStampFile } from '../../stamps/stamp-file';
import { ingestKind } from './ingest';

const t = tempDir();
afterAll(() => t.cleanup());
const newWorkspace = tempWorkspaces();
const S = 0.2 / 3600;


describe('folder ingest with context images', () => {
  it('cuts a context cutout around each stamp from the survey image, by WCS', async () => {
    const n = 200;
    const data = new Float32Array(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) data[y * n + x] = x + 1000 * y;
    const survey = join(t.dir, 'g.fits');
    // CRVAL (150, 2) on 0-based pixel (99, 99).
    writeFileSync(survey, writeFits([{ kind: 'image', shape: [n, n], data, cards: [
      { keyword: 'CTYPE1', value: 'RA---TAN' }, { keyword: 'CTYPE2', value: 'DEC--TAN' },
      { keyword: 'CRVAL1', value: 150, type: 'float' }, { keyword: 'CRVAL2', value: 2, type: 'float' },
      { keyword: 'CRPIX1', value: 100, type: 'float' }, { keyword: 'CRPIX2', value: 100, type: 'float' },
      { keyword: 'CD1_1', value: -S, type: 'float' }, { keyword: 'CD2_2', value: S, type: 'float' },
    ] }]));
    const dir = join(t.dir, 'stamps');
    mkdirSync(dir);
    const stamp = (ra: number, dec: number) => encodeStamp({ width: 9, height: 9, bands: ['g'], planes: [new Float32Array(81).fill(1)], ra, dec });
    writeFileSync(join(dir, 'a.fits'), stamp(150, 2)); // on pixel (99, 99)
    writeFileSync(join(dir, 'b.fits'), stamp(150 - (20 * 0.2) / 3600, 2 + (10 * 0.2) / 3600)); // 20 px west (+x), 10 px north (+y)
    writeFileSync(join(dir, 'c.fits'), stamp(151, 3)); // far off the image
    const ws = newWorkspace();
    const r = await runIngest(ws, { folder: dir, catalog: 'st', contextImages: [{ band: 'g', path: survey }], contextSize: 21 });
    expect(r).toMatchObject({ added: 3, failed: 0, contextOutside: 1 });
    const ctxOf = (name: string) => {
      const p = ws.db.prepare("SELECT c.path FROM cutouts c JOIN sources s ON s.id = c.source_id WHERE s.name = ? AND c.kind = 'context'").pluck().get(name) as string | undefined;
      return p ? readStampFile(join(ws.dir, p)) : undefined;
    };
    const a = ctxOf('a')!;
    expect([a.width, a.height, a.bands]).toEqual([21, 21, ['g']]);
    expect(a.planes[0]![10 * 21 + 10]).toBe(99 + 1000 * 99);
    expect(a.planes[0]![10 * 21 + 11]).toBe(100 + 1000 * 99);
    const b = ctxOf('b')!;
    expect(b.planes[0]![10 * 21 + 10]).toBeCloseTo(119 + 1000 * 109, 1);
    expect(ctxOf('c')).toBeUndefined();
  });

  it('refuses a missing survey image, naming it', () => {
    expect(() => ingestKind.prepare({ folder: t.dir, contextImages: [{ band: 'g', path: join(t.dir, 'nope.fits') }] }, t.dir)).toThrow(/context image 1 .*nope\.fits.* not found/);
  });
});
