// Catalog exports read back: CSV by an RFC 4180 parser written here, VOTable by the XML reader,
// FITS by the project's FITS reader (src-core/fits). astropy/STILTS read-back: export-interop.test.ts.
import { describe, expect, it } from 'vitest';
import { FitsFile, FitsTable, MemorySource, verifyChecksum } from '../fits/index';
import { toAscii } from './ascii';
import { formatFloat32, safeColumnName, STANDARD_COLUMNS, type CatalogRow, type ColumnSpec, type Provenance } from './columns';
import { exportCsv } from './export-csv';
import { exportEcsv } from './export-ecsv';
import { exportFitsTable } from './export-fits';
import { exportVoTable } from './export-votable';
import { openCsvCatalog, openFitsCatalog } from './read';
import { childElements, parseXml, textOf } from '../xml';

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

/**
 * Strict RFC 4180 reader: records end with CRLF (§2.1), quoted fields may hold ',', '"' (doubled)
 * and line breaks (§2.6–2.7). Throws on a bare LF or CR outside quotes, so LF-only output fails.
 */
function parseCsv(text: string): string[][] {
  const table: string[][] = [];
  let i = 0;
  while (i < text.length) {
    const row: string[] = [];
    for (;;) {
      let f = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new Error('unterminated quote');
          if (text[i] === '"' && text[i + 1] === '"') (f += '"'), (i += 2);
          else if (text[i] === '"') {
            i++;
            break;
          } else f += text[i++];
        }
      } else while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') f += text[i++];
      row.push(f);
      if (text[i] === ',') i++;
      else if (text[i] === '\r' && text[i + 1] === '\n') {
        i += 2;
        break;
      } else throw new Error(`record ${table.length + 1} does not end in CRLF (got ${JSON.stringify(text.slice(i, i + 2))})`);
    }
    table.push(row);
  }
  return table;
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

describe('CSV export (plain RFC 4180)', () => {
  const csv = exportCsv(columns, rows);
  const table = parseCsv(csv);
  it('is a header row then one CRLF record per row, with no comment or metadata lines', () => {
    expect(table[0]).toEqual(columns.map((c) => c.name));
    expect(table).toHaveLength(rows.length + 1);
    expect(csv.split('\r\n').filter((l) => l.startsWith('#'))).toEqual([]);
    expect(csv.endsWith('\r\n')).toBe(true);
  });
  it('values read back unchanged (quotes, commas, newlines, nulls, full double precision)', () => {
    expect(table[1]![0]).toBe('J0012+3456');
    expect(Number(table[1]![1])).toBe(3.0512345678901234);
    expect(table[1]![7]).toBe('arc, "clear" & <bright>');
    expect(table[2]![7]).toBe('line1\nline2');
    expect(table[3]!.slice(3)).toEqual(['', '0', '', '', '']);
    expect(table[1]![3]).toBe('0.987'); // shortest text that is the same float32
    expect(table[1]![6]).toBe('True'); // the spelling astropy's bool converter accepts
    expect(Math.fround(Number(table[1]![3]))).toBe(Math.fround(0.987));
  });
  it('keeps an empty string apart from null, and quotes a leading #', () => {
    const t = parseCsv(exportCsv([STANDARD_COLUMNS.id, { name: 's', type: 'string' }], [{ id: '#1', s: '' }, { id: 'x', s: null }]));
    expect(exportCsv([STANDARD_COLUMNS.id, { name: 's', type: 'string' }], [{ id: '#1', s: '' }, { id: 'x', s: null }])).toBe('id,s\r\n"#1",""\r\nx,\r\n');
    expect(t.slice(1)).toEqual([['#1', ''], ['x', '']]);
  });
  it('rejects a wrong cell type naming row and column', () => {
    expect(() => exportCsv(columns, [{ ...rows[0], grade: 'x' }])).toThrow(/row 0, column 'grade'/);
  });
});

describe('ECSV 1.0 export', () => {
  const ecsv = exportEcsv(columns, rows, prov);
  const lines = ecsv.split('\n');
  it('starts with the ECSV 1.0 signature and a YAML header of datatype/unit/description/UCD per column', () => {
    expect(lines[0]).toBe('# %ECSV 1.0');
    expect(lines[1]).toBe('# ---');
    expect(lines).toContain("# delimiter: ','");
    expect(lines).toContain('# - {name: "ra", datatype: "float64", unit: "deg", description: "Right ascension (ICRS)", meta: {"ucd": "pos.eq.ra;meta.main"}}');
    expect(lines).toContain('# - {name: "n_votes", datatype: "int64"}');
    expect(lines).toContain('# - {"thresholds": {"score_min": 0.5}}');
    // The description with quotes stays one valid double-quoted YAML scalar.
    expect(lines).toContain('# - {name: "note", datatype: "string", description: "Reviewer note <free text> & \\"quotes\\""}');
  });
  it('data after the header is the same RFC 4180 CSV, with astropy spellings of NaN', () => {
    const header = lines.findIndex((l) => !l.startsWith('#'));
    expect(lines[header]).toBe(columns.map((c) => c.name).join(','));
    const withNaN = exportEcsv([{ name: 'x', type: 'double' }], [{ x: NaN }, { x: -Infinity }, { x: null }], prov).split('\n');
    expect(withNaN.slice(-4)).toEqual(['nan', '-inf', '', '']);
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
  it('declares ICRS in a COOSYS that the RA/Dec FIELDs (and only they) reference', () => {
    const resource = childElements(root, 'RESOURCE')[0]!;
    const coosys = childElements(resource, 'COOSYS');
    expect(coosys).toHaveLength(1);
    expect(coosys[0]!.attrs).toMatchObject({ system: 'ICRS', epoch: 'J2000' });
    const refs = childElements(table, 'FIELD').map((f) => f.attrs.ref ?? null);
    expect(refs).toEqual([null, coosys[0]!.attrs.ID, coosys[0]!.attrs.ID, null, null, null, null, null]);
    expect(coosys[0]!.attrs.ID).toMatch(/^[A-Za-z_][\w.-]*$/); // an XML ID
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
  it('header text is ASCII spelled out, not "?" (FITS 4.0 §4.1.2.3)', () => {
    expect(hdu.header.getString('TCOMM5')).toBe('Consensus grade 0-3');
    const header = bytes.subarray(2880, 2880 * 3);
    expect(header.every((b) => b >= 0x20 && b <= 0x7e)).toBe(true);
    const g = exportFitsTable([{ name: 'theta_e', type: 'double', unit: 'arcsec', description: 'θE ≥ 1″ – R̂ < 1.01 · café' }], [{ theta_e: 1 }], prov);
    const h = new FitsFile(new MemorySource('g.fits', g)).hdu(1).header;
    expect(h.getString('TCOMM1')).toBe('thetaE >= 1" - R-hat < 1.01 . cafe');
  });
  it('cells read back, nulls as TNULL/NaN/undefined logical', () => {
    const r = t.readRows(0, 3);
    expect(r[0]!.filter((_, i) => i !== 5)).toEqual(['J0012+3456', 3.0512345678901234, -34.56, Math.fround(0.987), 3, true, 'arc, "clear" & <bright>']);
    expect(Number(r[0]![5])).toBe(12); // int64: the reader gives a number when it is exact
    expect(r[1]![7]).toBe('line1 line2'); // FITS strings are printable ASCII: line breaks become spaces
    // the reader returns stored values like astropy.io.fits; null is the TNULL value
    expect(hdu.header.get('TNULL5')).toBe(-2147483648);
    expect(r[1]![4]).toBe(-2147483648);
    expect(Number.isNaN(r[2]![3] as number)).toBe(true);
    expect(BigInt(r[2]![5] as bigint)).toBe(-(2n ** 63n));
    expect(BigInt(hdu.header.get('TNULL6') as bigint)).toBe(-(2n ** 63n));
  });
});

describe('toAscii and safeColumnName', () => {
  it('spells out symbols, drops accents, and is printable ASCII for any input', () => {
    expect(toAscii('0–3')).toBe('0-3');
    expect(toAscii('Max − min ≥ 2; θE ± σ')).toBe('Max - min >= 2; thetaE +/- sigma');
    expect(toAscii('Müller, Ørsted, naïve')).toBe('Muller, Orsted, naive');
    expect(toAscii('a\tb\nc')).toBe('a b c');
    const all = toAscii(String.fromCodePoint(...Array.from({ length: 3000 }, (_, i) => i + 1)));
    expect(/^[\x20-\x7e]*$/.test(all)).toBe(true);
  });
  it('turns free text into unique column names', () => {
    const taken = new Set(['id', 'grade_mean']);
    expect(safeColumnName('grade_', 'Ann Lee', taken)).toBe('grade_Ann_Lee');
    expect(safeColumnName('grade_', 'ann-lee', taken)).toBe('grade_ann_lee_2'); // same name ignoring case
    expect(safeColumnName('grade_', 'mean', taken)).toBe('grade_mean_2');
    expect(safeColumnName('grade_', 'José', taken)).toBe('grade_Jose');
    expect(safeColumnName('grade_', '🙂', taken)).toBe('grade_unnamed');
    expect(safeColumnName('', '1st', taken)).toBe('_1st');
  });
});

describe("LensDesk reads its own CSV, ECSV and FITS exports back as catalogs (ingest --catalog-file)", () => {
  async function* once(text: string) {
    yield text;
  }
  it.each([
    ['csv', () => exportCsv(columns, rows)],
    ['ecsv', () => exportEcsv(columns, rows, prov)],
  ])('%s', async (name, make) => {
    const cat = await openCsvCatalog(`c.${name}`, once(make()));
    const ids: string[] = [];
    const ra: number[] = [];
    for await (const ch of cat.chunks) {
      ids.push(...ch.ids.map(String));
      ra.push(...Array.from(ch.ra));
    }
    expect(ids).toEqual(['J0012+3456', 'J0100-0001', 'J2359+0000']);
    expect(ra).toEqual([3.0512345678901234, 15, 359.9999999]);
  });
  it('fits', async () => {
    const cat = openFitsCatalog(new FitsFile(new MemorySource('c.fits', exportFitsTable(columns, rows, prov))));
    const dec: number[] = [];
    for await (const ch of cat.chunks) dec.push(...Array.from(ch.dec));
    expect(dec).toEqual([-34.56, -0.0001, 89.9]);
  });
});
