// Catalog ingest: column detection, CSV details, validation errors, FITS tables against astropy.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { FitsFile } from '../fits/file';
import { sourceFromBytes } from '../fits/source';
const openFitsFile = (path: string) => new FitsFile(sourceFromBytes(path.split('/').pop()!, readFileSync(path)));
import { HAS_SHARED, SHARED_SKIP_REASON, sharedFits } from '../../test/shared';
import { openCsvCatalog, openFitsCatalog, type CatalogChunk, type CatalogStream } from './read';
import { detectColumns, cellToDegrees } from './detect';
import { CsvParser } from './csv-parse';

async function* pieces(text: string, size = 7): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}
async function all(s: CatalogStream): Promise<CatalogChunk[]> {
  const out: CatalogChunk[] = [];
  for await (const c of s.chunks) out.push(c);
  return out;
}

describe('column detection', () => {
  const cols = (...n: string[]) => n.map((name) => ({ name }));
  it.each([
    [['NUMBER', 'ALPHA_J2000', 'DELTA_J2000', 'MAG_AUTO'], 'ALPHA_J2000', 'DELTA_J2000', 'NUMBER'],
    [['_RAJ2000', '_DEJ2000', 'recno'], '_RAJ2000', '_DEJ2000', null],
    [['name', 'RA_J2000', 'DEC_J2000'], 'RA_J2000', 'DEC_J2000', 'name'],
    [['objid', 'raj2000', 'dej2000'], 'raj2000', 'dej2000', 'objid'],
    [['source_id', 'ra', 'dec', 'ra_error'], 'ra', 'dec', 'source_id'],
  ])('%j', (names, ra, dec, id) => {
    const s = detectColumns('t.csv', cols(...(names as string[])));
    expect([s.ra, s.dec, s.id]).toEqual([ra, dec, id]);
  });
  it('UCDs win over names; meta.main wins among UCDs; units in hours/radians scale', () => {
    const s = detectColumns('t.fits', [
      { name: 'ra', ucd: 'pos.eq.ra' }, { name: 'x1', ucd: 'pos.eq.ra;meta.main', unit: 'h' },
      { name: 'y1', ucd: 'POS.EQ.DEC;META.MAIN', unit: 'rad' }, { name: 'dec' }, { name: 'key', ucd: 'meta.id;meta.main' },
    ]);
    expect([s.ra, s.dec, s.id, s.raScale, s.decScale]).toEqual(['x1', 'y1', 'key', 15, 180 / Math.PI]);
  });
  it('missing RA/Dec is an InputError naming the file and listing the columns', () => {
    expect(() => detectColumns('cands.csv', cols('x', 'y'))).toThrow(InputError);
    expect(() => detectColumns('cands.csv', cols('x', 'dec'))).toThrow(/cands\.csv: cannot find an RA column \(columns: x, dec\)/);
    expect(() => detectColumns('c.csv', cols('ra', 'dec'), { raColumn: 'alpha' })).toThrow(/no RA column 'alpha'/);
  });
  it('sexagesimal cells', () => {
    expect(cellToDegrees('12:30:00', 1, true)).toBeCloseTo(187.5, 12);
    expect(cellToDegrees('-01:30:36', 1, false)).toBeCloseTo(-1.51, 12);
    expect(cellToDegrees('-00d30m00s', 1, false)).toBeCloseTo(-0.5, 12);
    expect(cellToDegrees('12h30m00s', 1, true)).toBeCloseTo(187.5, 12);
    expect(cellToDegrees('abc', 1, true)).toBeNaN();
  });
});

describe('CSV', () => {
  it('parser: quotes, escaped quotes, embedded newlines, CRLF, comments, blank lines, chunk boundaries', () => {
    const text = '# provenance\r\nid,ra,dec\r\n"a,1",10.5,-3\r\n\r\n"say ""hi""\nthere",11,4\n3,12,5';
    for (const size of [1, 2, 5, 1000]) {
      const p = new CsvParser();
      const recs = [];
      for (let i = 0; i < text.length; i += size) recs.push(...p.push(text.slice(i, i + size)));
      recs.push(...p.end());
      expect(recs.map((r) => r.fields)).toEqual([['id', 'ra', 'dec'], ['a,1', '10.5', '-3'], ['say "hi"\nthere', '11', '4'], ['3', '12', '5']]);
      expect(recs.map((r) => r.line)).toEqual([2, 3, 5, 7]);
    }
  });
  it('tab-separated, kept columns, RA wrapped to [0, 360), ids from the id column', async () => {
    const s = await openCsvCatalog('t.tsv', pieces('ID\tRAJ2000\tDEJ2000\tmag\nq1\t-10\t20\t21.5\nq2\t360\t-20\t22\n'), { chunkRows: 1 });
    const chunks = await all(s);
    expect(chunks.length).toBe(2);
    expect(chunks[0].ids).toEqual(['q1']);
    expect(chunks[0].ra[0]).toBe(350);
    expect(chunks[1].ra[0]).toBe(0);
    expect(chunks[1].columns.mag).toEqual(['22']);
  });
  it('out-of-range Dec: InputError naming file, column and row; skipInvalid counts instead', async () => {
    const text = 'ra,dec\n1,2\n3,4\n5,95\n6,7\n';
    const s = await openCsvCatalog('cands.csv', pieces(text));
    await expect(all(s)).rejects.toThrow(/cands\.csv: row 3 \(line 4\), column 'dec': "95"/);
    const t = await openCsvCatalog('cands.csv', pieces(text), { skipInvalid: true });
    const n = (await all(t)).reduce((a, c) => a + c.ids.length, 0);
    expect([n, t.stats.rows, t.stats.skipped]).toEqual([3, 4, 1]);
    const u = await openCsvCatalog('c.csv', pieces('ra,dec\n1,\n'));
    await expect(all(u)).rejects.toThrow(/row 1 .*column 'dec'/);
    const v = await openCsvCatalog('c.csv', pieces('ra,dec\n1,2,3\n'));
    await expect(all(v)).rejects.toThrow(/3 fields, the header has 2/);
  });
  it('streams: the first chunk arrives before the source is exhausted', async () => {
    let produced = 0;
    async function* source(): AsyncGenerator<string> {
      yield 'ra,dec\n';
      for (let i = 0; i < 1000; i++) {
        produced++;
        yield `${i % 360},${(i % 180) - 90}\n`;
      }
    }
    const s = await openCsvCatalog('gen.csv', source(), { chunkRows: 10 });
    const first = await s.chunks[Symbol.asyncIterator]().next();
    expect(first.value!.ids.length).toBe(10);
    expect(produced).toBeLessThan(50);
  });
});

describe.skipIf(!HAS_SHARED)(`FITS tables (${HAS_SHARED ? 'shared data' : SHARED_SKIP_REASON})`, () => {
  it('survey-ccds-1.fits.gz: ra/dec and kept columns equal astropy values', async () => {
    const ref = JSON.parse(readFileSync(sharedFits('survey-ccds-1.fits.gz.ref.json'), 'utf8')).hdus[1];
    const val = (name: string, row: number) => ref.values.find((v: { name: string }) => v.name === name).rows[String(row)];
    const s = openFitsCatalog(openFitsFile(sharedFits('survey-ccds-1.fits.gz')), { idColumn: 'image_filename', keepColumns: ['expnum', 'filter'], chunkRows: 3 });
    expect(s.totalRows).toBe(8);
    expect([s.schema.ra, s.schema.dec]).toEqual(['ra', 'dec']);
    const chunks = await all(s);
    expect(chunks.map((c) => c.ids.length)).toEqual([3, 3, 2]);
    for (const row of ref.row_indices as number[]) {
      const c = chunks[Math.floor(row / 3)];
      const k = row % 3;
      expect(c.ra[k]).toBe(val('ra', row));
      expect(c.dec[k]).toBe(val('dec', row));
      expect(c.ids[k]).toBe(val('image_filename', row));
      expect(c.columns.expnum[k]).toBe(val('expnum', row));
      expect(c.columns.filter[k]).toBe(val('filter', row));
    }
  });
  it('a table without positions names the file and HDU', () => {
    expect(() => openFitsCatalog(openFitsFile(sharedFits('tb.fits')))).toThrow(/tb\.fits\[1\]: cannot find RA and Dec/);
  });
});
