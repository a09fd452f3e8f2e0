// Every export format read back by independent readers: astropy (Table.read for CSV, ECSV and
// FITS; io.votable.parse with verify='exception' and the UCD1+ vocabulary check for VOTable) and
// STILTS where installed. Each skips with its reason when the reader is absent. Expected values
// are the rows written here, not anything read from our own output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ASTROPY_PYTHON, ASTROPY_SKIP_REASON, runPython, STILTS, STILTS_SKIP_REASON } from '../../test/astropy';
import { STANDARD_COLUMNS, type CatalogRow, type ColumnSpec, type Provenance } from './columns';
import { exportCsv } from './export-csv';
import { exportEcsv } from './export-ecsv';
import { exportFitsTable } from './export-fits';
import { exportVoTable } from './export-votable';

const columns: ColumnSpec[] = [
  STANDARD_COLUMNS.id,
  STANDARD_COLUMNS.ra,
  STANDARD_COLUMNS.dec,
  { name: 'score', type: 'float', ucd: 'stat.probability', description: 'Lens probability' },
  { name: 'grade_spread', type: 'int', ucd: 'meta.code.qual;arith.diff', description: 'Max − min grade (0–3)' },
  { name: 'grade_ann_lee', type: 'int', ucd: 'meta.code.qual', description: "Current grade by reviewer 'Ann Lee' (0–3)" },
  { name: 'n_votes', type: 'long', ucd: 'meta.number' },
  { name: 'fit_converged', type: 'boolean', ucd: 'meta.code.status', description: 'R̂ < 1.01 and ESS ≥ 400' },
  { name: 'theta_e_mean', type: 'double', unit: 'arcsec', ucd: 'phys.angSize;stat.mean', description: 'Einstein radius θE, posterior mean' },
  { name: 'note', type: 'string', description: 'Reviewer note, "quoted" & <escaped>' },
];
const rows: CatalogRow[] = [
  { id: 'J0012+3456', ra: 3.0512345678901234, dec: -34.56, score: 0.987, grade_spread: 2, grade_ann_lee: 3, n_votes: 12n, fit_converged: true, theta_e_mean: 1.234, note: 'arc, "clear" & <bright>' },
  { id: 'J0100-0001', ra: 15, dec: -0.0001, score: 0.5, grade_spread: null, grade_ann_lee: null, n_votes: 3, fit_converged: false, theta_e_mean: null, note: 'café' },
  { id: 'J2359+0000', ra: 359.9999999, dec: 89.9, score: null, grade_spread: 0, grade_ann_lee: 0, n_votes: null, fit_converged: null, theta_e_mean: 0.5, note: null },
];
const prov: Provenance = {
  date: '2026-11-25T16:00:00Z',
  software: 'LensDesk 0.1.0',
  models: [{ name: 'cmudeeplens-ground', version: '1.2' }],
  thresholds: { score_min: 0.5 },
  reviewers: ['Ann Lee', 'bob'],
};

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'c.csv'), exportCsv(columns, rows));
writeFileSync(join(dir, 'c.ecsv'), exportEcsv(columns, rows, prov));
writeFileSync(join(dir, 'c.vot'), exportVoTable(columns, rows, prov));
writeFileSync(join(dir, 'c.fits'), exportFitsTable(columns, rows, prov));

// Reads each file with astropy, any astropy warning an error; prints one JSON object.
const PY = String.raw`
import sys, json, math, warnings
import numpy as np
from astropy.table import Table
from astropy.io import votable
from astropy.io.votable.ucd import check_ucd
d = sys.argv[1]

def cell(col, i):
    m = getattr(col, 'mask', None)
    if m is not None and np.ndim(m) and bool(m[i]):
        return None
    v = col[i]
    v = v.item() if hasattr(v, 'item') else v
    if isinstance(v, bytes): v = v.decode()
    if isinstance(v, float) and math.isnan(v): return None
    return v

def describe(t):
    return {c: {'kind': t[c].dtype.kind, 'bits': t[c].dtype.itemsize * 8, 'unit': None if t[c].unit is None else t[c].unit.to_string(),
                'description': t[c].description, 'meta': dict(t[c].meta or {}),
                'values': [cell(t[c], i) for i in range(len(t))]} for c in t.colnames}

out = {}
with warnings.catch_warnings():
    warnings.simplefilter('error')
    out['csv'] = describe(Table.read(d + '/c.csv', format='csv'))
    e = Table.read(d + '/c.ecsv', format='ascii.ecsv')
    out['ecsv'] = describe(e)
    out['ecsv_meta'] = json.loads(json.dumps(dict(e.meta)))
    f = Table.read(d + '/c.fits', hdu=1)
    out['fits'] = describe(f)
    vt = votable.parse(d + '/c.vot', verify='exception')
    res = vt.resources[0]
    sys_ = res.coordinate_systems
    tab = res.tables[0]
    out['vot_coosys'] = [{'ID': c.ID, 'system': c.system, 'epoch': str(c.epoch)} for c in sys_]
    out['vot_fields'] = [{'name': fl.name, 'ref': fl.ref, 'ucd': fl.ucd, 'unit': None if fl.unit is None else fl.unit.to_string(), 'ucd_ok': check_ucd(fl.ucd, check_controlled_vocabulary=True) if fl.ucd else None} for fl in tab.fields]
    out['vot'] = describe(tab.to_table())
print(json.dumps(out))
`;

type Col = { kind: string; bits: number; unit: string | null; description: string | null; meta: Record<string, unknown>; values: unknown[] };
type Read = Record<string, Col>;

/** Expected cell as a reader gives it: bigint → number, null stays null. */
const want = (c: ColumnSpec, r: CatalogRow): unknown => {
  const v = r[c.name];
  if (v === undefined || v === null) return null;
  return typeof v === 'bigint' ? Number(v) : v;
};

function checkValues(read: Read, what: string, opts: { nullBoolAsFalse?: boolean; asciiStrings?: boolean; boolAsText?: boolean; rstrip?: boolean } = {}) {
  expect(Object.keys(read), what).toEqual(columns.map((c) => c.name));
  for (const c of columns) {
    const got = read[c.name]!.values;
    expect(got, `${what} ${c.name} rows`).toHaveLength(rows.length);
    rows.forEach((r, i) => {
      let w = want(c, r);
      if (w === null && c.type === 'boolean' && opts.nullBoolAsFalse) w = false; // FITS L: 0x00 null reads as False in astropy
      if (typeof w === 'string' && opts.asciiStrings) w = w.replace('é', 'e');
      if (typeof w === 'boolean' && opts.boolAsText) w = w ? 'True' : 'False';
      const g = typeof got[i] === 'string' && opts.rstrip ? (got[i] as string).trimEnd() : got[i];
      if (c.type === 'float' && typeof w === 'number') expect(Math.fround(g as number), `${what} ${c.name}[${i}]`).toBe(Math.fround(w));
      else if (c.type === 'string' && w === null) expect(g === null || g === '', `${what} ${c.name}[${i}] null`).toBe(true);
      else expect(g, `${what} ${c.name}[${i}]`).toEqual(w);
    });
  }
}

describe.skipIf(!ASTROPY_PYTHON)(`astropy reads every export (${ASTROPY_PYTHON ? `with ${ASTROPY_PYTHON}` : ASTROPY_SKIP_REASON})`, () => {
  let r: Record<string, unknown> = {};
  it('reads all four files without a single warning', () => {
    r = JSON.parse(runPython(PY, [dir], 120_000)) as Record<string, unknown>;
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['csv', 'ecsv', 'fits', 'vot', 'vot_fields', 'vot_coosys']));
  }, 130_000);

  it("plain CSV: Table.read(format='csv') gets every value, row and column; ints as int, floats as float", () => {
    const csv = r.csv as Read;
    // astropy's fast CSV reader types only int, float and str: True/False stay text (ECSV keeps bool).
    checkValues(csv, 'csv', { boolAsText: true });
    expect([csv.ra!.kind, csv.score!.kind, csv.n_votes!.kind, csv.id!.kind]).toEqual(['f', 'f', 'i', 'U']);
    expect(csv.grade_ann_lee!.kind).toBe('i');
    expect(csv.ra!.unit).toBeNull(); // plain CSV carries no units: that is what ECSV is for
  });

  it('ECSV: values plus datatype, unit, description, UCD and provenance meta', () => {
    const e = r.ecsv as Read;
    checkValues(e, 'ecsv');
    expect([e.ra!.unit, e.theta_e_mean!.unit]).toEqual(['deg', 'arcsec']);
    expect([e.score!.kind, e.score!.bits, e.n_votes!.kind, e.n_votes!.bits, e.grade_spread!.bits, e.fit_converged!.kind]).toEqual(['f', 32, 'i', 64, 32, 'b']);
    expect(e.theta_e_mean!.description).toBe('Einstein radius θE, posterior mean');
    expect(e.note!.description).toBe('Reviewer note, "quoted" & <escaped>');
    expect(e.ra!.meta).toEqual({ ucd: 'pos.eq.ra;meta.main' });
    expect(r.ecsv_meta).toMatchObject({ date: prov.date, software: prov.software, thresholds: { score_min: 0.5 }, reviewers: ['Ann Lee', 'bob'], models: [{ name: 'cmudeeplens-ground', version: '1.2' }] });
  });

  it('FITS: values, units and ASCII column comments', () => {
    const f = r.fits as Read;
    // The project's FITS writer pads character fields with blanks, which astropy keeps (CFITSIO and
    // astropy pad with NUL, which readers drop): compared without trailing blanks.
    checkValues(f, 'fits', { nullBoolAsFalse: true, asciiStrings: true, rstrip: true });
    expect([f.ra!.unit, f.theta_e_mean!.unit]).toEqual(['deg', 'arcsec']);
    expect(f.n_votes!.values[2]).toBeNull(); // TNULL −2⁶³ is honoured (an integer card), so masked
  });

  it("VOTable: valid under verify='exception', UCDs in the UCD1+ vocabulary, COOSYS ICRS referenced by RA/Dec", () => {
    checkValues(r.vot as Read, 'votable');
    const coosys = r.vot_coosys as Array<{ ID: string; system: string; epoch: string }>;
    expect(coosys).toHaveLength(1);
    expect(coosys[0]).toMatchObject({ system: 'ICRS', epoch: 'J2000' });
    const fields = r.vot_fields as Array<{ name: string; ref: string | null; ucd: string | null; unit: string | null; ucd_ok: boolean | null }>;
    expect(fields.filter((f) => f.ref === coosys[0]!.ID).map((f) => f.name)).toEqual(['ra', 'dec']);
    for (const f of fields) if (f.ucd) expect(f.ucd_ok, `${f.name}: ${f.ucd}`).toBe(true);
    expect(fields.find((f) => f.name === 'grade_spread')!.ucd).not.toContain('stat.stdev');
  });
});

describe.skipIf(!STILTS)(`STILTS reads every export (${STILTS ? STILTS.join(' ') : STILTS_SKIP_REASON})`, () => {
  it.each([
    ['c.csv', 'csv'],
    ['c.ecsv', 'ecsv'],
    ['c.vot', 'votable'],
    ['c.fits', 'fits'],
  ])('%s (ifmt=%s): row and column counts', (file, ifmt) => {
    const [cmd, ...pre] = STILTS!;
    const out = spawnSync(cmd!, [...pre, 'tpipe', `in=${join(dir, file)}`, `ifmt=${ifmt}`, 'omode=count'], { encoding: 'utf8', timeout: 60_000 });
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`columns:\\s*${columns.length}\\s+rows:\\s*${rows.length}`));
  }, 70_000);
});
