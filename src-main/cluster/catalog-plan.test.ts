// Catalog-plan rows (catalog-plan.ts) on a FITS catalog: a shard's row range comes out complete and
// in order, rows without RA/Dec (also at the very end of a range and of the file) and rows off the
// image come out as rows whose stamp load throws naming the 1-based data row, and a catalog shorter
// than planned is an error, not a silently short shard.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFits } from '../../src-core/fits/writer';
import { SURVEY_CENTRE, SURVEY_SCALE, writeSurveyImage } from '../../test/survey-images';
import { tempDir } from '../../test/workspace-fixture';
import { catalogRows, describeCatalog, type ShardRow } from './catalog-plan';

const t = tempDir('lensdesk-catrows-');
afterAll(() => t.cleanup());

async function collect(rows: AsyncGenerator<ShardRow>) {
  const out: { row: number; id: string; ok: boolean; centre?: number; error?: string }[] = [];
  for await (const r of rows) {
    try {
      const s = r.load();
      out.push({ row: r.row, id: r.id, ok: true, centre: s.planes[0]![22 * 45 + 22] });
    } catch (e) {
      out.push({ row: r.row, id: r.id, ok: false, error: (e as Error).message });
    }
  }
  return out;
}

describe('catalogRows', () => {
  it('streams a row range of a FITS catalog; invalid and off-image rows are failing rows by number', async () => {
    writeSurveyImage(join(t.dir, 'g.fits'), 0, 0, (x, y) => x + 1000 * y);
    // Data rows (0-based): 0 centre, 1 10 px east, 2 no RA, 3 10 px north, 4 off the image, 5 centre, 6 no Dec.
    const ra = [150, 150 + (10 * SURVEY_SCALE) / Math.cos((2 * Math.PI) / 180), NaN, 150, 151, 150, 150];
    const dec = [2, 2, 2, 2 + 10 * SURVEY_SCALE, 3, 2, NaN];
    writeFileSync(join(t.dir, 'cat.fits'), writeFits([{ kind: 'bintable', nrows: 7, columns: [
      { name: 'NAME', format: '8A', values: ra.map((_, i) => `s${i}`) },
      { name: 'RA', format: 'D', values: ra },
      { name: 'DEC', format: 'D', values: dec },
    ] }]));
    const cat = await describeCatalog({ catalogFile: join(t.dir, 'cat.fits'), images: [{ band: 'g', path: join(t.dir, 'g.fits') }], size: 45 }, true);
    expect(cat).toMatchObject({ rows: 7, size: 45, resampling: 'bilinear', images: [{ band: 'g', hdu: null }] });
    expect(SURVEY_CENTRE).toEqual({ ra: 150, dec: 2 });

    const src = catalogRows(cat, 0, 6);
    const all = await collect(src.rows);
    src.close();
    expect(all.map((r) => r.row)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(all.map((r) => r.ok)).toEqual([true, true, false, true, false, true, false]);
    // Stamp centre = the image pixel under the position: (99, 99) for CRVAL, 10 px east = lower x, 10 px north = higher y.
    expect(all[0]!.centre).toBe(99 + 1000 * 99);
    expect(all[1]!.centre).toBeCloseTo(89 + 1000 * 99, 3);
    expect(all[3]!.centre).toBeCloseTo(99 + 1000 * 109, 3);
    expect(all[2]!.error).toMatch(/data row 3: RA\/Dec missing/);
    expect(all[4]!.error).toMatch(/data row 5 .*outside every survey image/);
    expect(all[6]!.error).toMatch(/data row 7: RA\/Dec missing/);
    expect(all[0]!.id).toBe('s0');

    // Shard-sized ranges, including one that ends on invalid rows.
    for (const [a, b] of [[0, 1], [2, 3], [5, 6], [6, 6], [4, 4]] as const) {
      const s = catalogRows(cat, a, b);
      expect((await collect(s.rows)).map((r) => r.row), `${a}-${b}`).toEqual(Array.from({ length: b - a + 1 }, (_, k) => a + k));
      s.close();
    }

    // A plan that counted more rows than the file now has.
    const s = catalogRows({ ...cat, rows: 9 }, 5, 8);
    await expect(collect(s.rows)).rejects.toThrow(/fewer data rows than planned/);
    s.close();
  });
});
