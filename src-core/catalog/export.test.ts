// Catalog exports read back: CSV by an RFC 4180 parser written here, VOTable by the XML reader,
// FITS by the project's FITS reader (src-core/fits). astropy/STILTS read-back runs when installed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FitsFile, FitsTable, MemorySource, verifyChecksum } from '../fits/index';
import { formatFloat32, STANDARD_COLUMNS, type CatalogRow, type ColumnSpec, type Provenance } from './columns';
import { exportCsv } from './export-csv';
import { exportFitsTable } from './export-fits';
import { exportVoTable } from './export-votable';
import { childElements, parseXml, textOf } from './xml';

const columns: ColumnSpec[] = [
  STANDARD_COLUMNS.id,
  STANDARD_COLUMNS.ra,
  STANDARD_COLUMNS.dec,
  { name: 'score', type: 'float', ucd: 'stat.probability', description: 'CMUDeepLens lens probability' },
  { name: 'grade', type: 'int', description: 'Consensus grade 0–3' },
  { name: 'n_votes', type: 'long' },
  { name: 'confirmed', type: 'boolean' },
  { name: 'note', type: 'string', description: 'Reviewer note <free text> & "quotes"' },
];
const rows: CatalogRow[] = [
  { id: 'J0012+3456', ra: 3.0512345678901234, dec: -34.56, score: 0.987, grade: 3, n_votes: 12n, confirmed: true, note: 'arc, "clear" & <bright>' },
  { id: 'J0100-0001', ra: 15.0, dec: -0.0001, score: 0.5, grade: null, n_votes: 3, confirmed: false, note: 'line1\nline2' },
  { id: 'J2359+0000', ra: 359.9999999, dec: 89.9, score: null, grade: 0, n_votes: null, confirmed: null, note: null },
];
const prov: Provenance = {
  date: '2026-11-25T16:00:00Z',
  software: 'LensDesk 0.1.0',
  models: [{ name: 'cmudeeplens-ground', version: '1.2', sha256: 'abc123' }],
  thresholds: { score_min: 0.5 },
  reviewers: ['alice', 'bob'],
  extra: { survey: 'DECaLS DR10' },
};

/** RFC 4180 reader (quoted fields, doubled quotes, embedded newlines); '#' lines outside quotes skipped. */
function parseCsv(text: string): { comments: string[]; table: string[][] } {
  const comments: string[] = [];
  const table: string[][] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '#') {
      const e = text.indexOf('\n', i);
      comments.push(text.slice(i, e));
      i = e + 1;
      continue;
    }
    const row: string[] = [];
    for (;;) {
      let f = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (text[i] === '"' && text[i + 1] === '"') (f += '"'), (i += 2);
          else if (text[i] === '"') {
            i++;
            break;
          } else f += text[i++];
        }
      } else while (i < text.length && text[i] !== ',' && text[i] !== '\n') f += text[i++];
      row.push(f);
      if (text[i] === ',') i++;
      else {
        i++;
        break;
      }
    }
    table.push(row);
  }
  return { comments, table };
}

describe('formatFloat32', () => {
  it('is the shortest text that reads back to the same float32', () => {
    for (const v of [0.987, 0.1, 1 / 3, 123456.789, 1e-30, 3.4e38, -2.5]) {
      const s = formatFloat32(v);
      expect(Math.fround(Number(s))).toBe(Math.fround(v));
      expect(s.replace(/^-|\.|e.*$/g, '').replace(/^0+/, '').length).toBeLessThanOrEqual(9);
    }
    expect(formatFloat32(0.987)).toBe('0.987');
    expect(formatFloat32(NaN)).toBe('NaN');
  });
});

describe('CSV export', () => {
  const csv = exportCsv(columns, rows, prov);
  const { comments, table } = parseCsv(csv);
  it('header block carries provenance and column metadata', () => {
    expect(comments).toContain('# model1: cmudeeplens-ground 1.2 sha256:abc123');
    expect(comments).toContain('# threshold_score_min: 0.5');
    expect(comments).toContain('# reviewers: alice, bob');
    expect(comments.some((c) => c.includes('column ra: type=double unit=deg ucd=pos.eq.ra;meta.main'))).toBe(true);
  });
  it('values read back unchanged (quotes, commas, newlines, nulls, full double precision)', () => {
    expect(table[0]).toEqual(columns.map((c) => c.name));
    expect(table[1]![0]).toBe('J0012+3456');
    expect(Number(table[1]![1])).toBe(3.0512345678901234);
    expect(table[1]![7]).toBe('arc, "clear" & <bright>');
    expect(table[2]![7]).toBe('line1\nline2');
    expect(table[3]!.slice(3)).toEqual(['', '0', '', '', '']);
    expect(table[1]![3]).toBe('0.987'); // shortest text that is the same float32
    expect(Math.fround(Number(table[1]![3]))).toBe(Math.fround(0.987));
  });
  it('rejects a wrong cell type naming row and column', () => {
    expect(() => exportCsv(columns, [{ ...rows[0], grade: 'x' }], prov)).toThrow(/row 0, column 'grade'/);
  });
});

describe('VOTable 1.4 export', () => {
  const vot = exportVoTable(columns, rows, prov, { description: 'Lens candidates' });
  const root = parseXml(vot);
  const table = childElements(childElements(root, 'RESOURCE')[0]!, 'TABLE')[0]!;
  it('is VOTable 1.4 with FIELD datatype/unit/ucd and PARAM/INFO provenance', () => {
    expect(root.attrs.version).toBe('1.4');
    expect(root.attrs.xmlns).toBe('http://www.ivoa.net/xml/VOTable/v1.3');
    const fields = childElements(table, 'FIELD');
    expect(fields.map((f) => f.attrs.ucd ?? '')).toEqual(['meta.id;meta.main', 'pos.eq.ra;meta.main', 'pos.eq.dec;meta.main', 'stat.probability', '', '', '', '']);
    expect(fields[1]!.attrs).toMatchObject({ datatype: 'double', unit: 'deg' });
    expect(fields[0]!.attrs).toMatchObject({ datatype: 'char', arraysize: '*' });
    expect(textOf(childElements(fields[7]!, 'DESCRIPTION')[0]!)).toBe('Reviewer note <free text> & "quotes"');
    const params = Object.fromEntries(childElements(table, 'PARAM').map((p) => [p.attrs.name, p.attrs]));
    expect(params.threshold_score_min).toMatchObject({ datatype: 'double', value: '0.5' });
    expect(params.model1!.value).toBe('cmudeeplens-ground 1.2 sha256:abc123');
    const infos = Object.fromEntries(childElements(childElements(root, 'RESOURCE')[0]!, 'INFO').map((p) => [p.attrs.name, p.attrs.value]));
    expect(infos).toMatchObject({ date: prov.date, reviewers: 'alice, bob', survey: 'DECaLS DR10' });
  });
  it('TABLEDATA reads back with escaping undone and empty TD for null', () => {
    const trs = childElements(childElements(childElements(table, 'DATA')[0]!, 'TABLEDATA')[0]!, 'TR');
    const cells = trs.map((tr) => childElements(tr, 'TD').map(textOf));
    expect(cells[0]).toEqual(['J0012+3456', '3.0512345678901234', '-34.56', '0.987', '3', '12', 'T', 'arc, "clear" & <bright>']);
    expect(cells[1]![4]).toBe('');
    expect(cells[2]!.slice(3)).toEqual(['', '0', '', '', '']);
    expect(vot).toContain('&lt;bright&gt;');
  });
});

describe('FITS BINTABLE export', () => {
  const bytes = exportFitsTable(columns, rows, prov);
  const file = new FitsFile(new MemorySource('export.fits', bytes));
  const hdu = file.hdu(1);
  const t = new FitsTable(file, hdu);
  it('is a valid FITS file of 2880-byte blocks with TUNIT/TUCD/TCOMM and provenance', () => {
    expect(bytes.length % 2880).toBe(0);
    expect(t.nrows).toBe(3);
    expect(hdu.header.getString('TUNIT2')).toBe('deg');
    expect(hdu.header.getString('TUCD2')).toBe('pos.eq.ra;meta.main');
    expect(hdu.header.getString('TUCD1')).toBe('meta.id;meta.main');
    expect(hdu.header.getString('TCOMM4')).toBe('CMUDeepLens lens probability');
    expect(hdu.header.getString('MODEL1')).toBe('cmudeeplens-ground 1.2');
    expect(hdu.header.getString('THRNAM1')).toBe('score_min');
    expect(hdu.header.get('THRVAL1')).toBe(0.5);
    expect(hdu.header.getString('DATE')).toBe(prov.date);
    expect(verifyChecksum(file, hdu)).toEqual({ checksum: 'ok', datasum: 'ok' });
  });
  it('cells read back, nulls as TNULL/NaN/undefined logical', () => {
    const r = t.readRows(0, 3);
    expect(r[0]!.filter((_, i) => i !== 5)).toEqual(['J0012+3456', 3.0512345678901234, -34.56, Math.fround(0.987), 3, true, 'arc, "clear" & <bright>']);
    expect(Number(r[0]![5])).toBe(12); // int64: the reader gives a number when it is exact
    expect(r[1]![7]).toBe('line1?line2'); // FITS strings are printable ASCII
    // the reader returns stored values like astropy.io.fits; null is the TNULL value
    expect(hdu.header.get('TNULL5')).toBe(-2147483648);
    expect(r[1]![4]).toBe(-2147483648);
    expect(Number.isNaN(r[2]![3] as number)).toBe(true);
    expect(BigInt(r[2]![5] as bigint)).toBe(-(2n ** 63n));
    expect(BigInt(hdu.header.get('TNULL6') as bigint)).toBe(-(2n ** 63n));
  });
});

function has(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 20000 });
    return true;
  } catch {
    return false;
  }
}
const hasAstropy = has('/usr/bin/python3', ['-c', 'import astropy']) || has('python3', ['-c', 'import astropy']);
const hasStilts = has('stilts', ['-version']);

describe.skipIf(!hasAstropy && !hasStilts)(`read back by astropy/STILTS (${hasAstropy || hasStilts ? 'available' : 'skipped: neither astropy nor stilts is installed here'})`, () => {
  it('astropy reads the VOTable and the FITS table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lensdesk-export-'));
    try {
      writeFileSync(join(dir, 'c.vot'), exportVoTable(columns, rows, prov));
      writeFileSync(join(dir, 'c.fits'), exportFitsTable(columns, rows, prov));
      if (hasAstropy) {
        const py = `from astropy.table import Table; import sys
v = Table.read(sys.argv[1] + '/c.vot'); f = Table.read(sys.argv[1] + '/c.fits')
print(len(v), v['ra'].unit, v['id'][0], len(f), f['ra'].unit, f['note'][0])`;
        const out = execFileSync(has('/usr/bin/python3', ['-c', 'import astropy']) ? '/usr/bin/python3' : 'python3', ['-c', py, dir]).toString();
        expect(out.trim()).toBe('3 deg J0012+3456 3 deg arc, "clear" & <bright>');
      }
      if (hasStilts) expect(execFileSync('stilts', ['tpipe', `in=${dir}/c.vot`, 'omode=count']).toString()).toMatch(/rows: 3/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
