// The workspace export end to end: two reviewers (one with a space in the name) and two lens-model
// fits; every format must carry one grade column per reviewer and the lens-model columns with the
// same values. CSV by an RFC 4180 split, ECSV by astropy (skipped with the reason when absent),
// FITS by src-core/fits, VOTable by the XML reader. Expected values are the grades and fits
// inserted here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FitsFile, FitsTable, MemorySource } from '../../src-core/fits/index';
import { childElements, parseXml, textOf } from '../../src-core/xml';
import { ASTROPY_PYTHON, ASTROPY_SKIP_REASON, runPython } from '../../test/astropy';
import { fileWorkspace } from '../../test/workspace-fixture';
import { insertPosterior, type PosteriorDiagnostics } from '../store/posteriors';
import { Repo } from '../store/repo';
import { exportKind } from '../jobs/kinds/export';
import { buildExport } from './catalog-export';

const ws = fileWorkspace();
const repo = new Repo(ws.db);
const cat = repo.ensureCatalog('demo', '/x', 'cutouts', null);
repo.insertSources(cat, [0, 1, 2].map((r) => ({ row: r, name: `J${r}`, ra: 10 + r, dec: -5 + r })));
const ids = (ws.db.prepare('SELECT id FROM sources ORDER BY row').pluck().all() as number[]);
const ann = repo.ensureReviewer('Ann Lee').id;
const bob = repo.ensureReviewer('bob').id;
const grade = (rev: number, i: number, g: number) => repo.addLabel(rev, { sourceId: ids[i]!, grade: g, tags: [], comment: '' }, 'grade', null);
grade(ann, 0, 3);
grade(bob, 0, 1);
grade(ann, 1, 2);
grade(bob, 2, 0);
function fit(i: number, mean: number, sd: number, rhat: number, ess: number) {
  const diagnostics = { settings: 's', chains: 4, drawsPerChain: 10, rhatMax: rhat, essBulkMin: ess, essTailMin: ess, divergences: 0, warmupDivergences: 0, treeDepthSaturated: 0, ebfmi: [], stepSize: [], gradientEvaluations: 0, wallSeconds: 0, mapSeconds: 0, mapChi2: 0, npix: 0, mapTheta: [], thetaE: { mean, sd, rhat, essBulk: ess } } as PosteriorDiagnostics;
  insertPosterior(ws.db, { sourceId: ids[i]!, jobId: null, parameters: ['thetaE'], summaries: [], samples: new Float64Array(0), diagnostics });
}
fit(0, 1.25, 0.05, 1.004, 900); // converged
fit(1, 0.75, 0.3, 1.2, 50); // not converged
// source 2: no fit

/** Expected per source row index: [grade by Ann, grade by bob, θE mean, θE sd, R̂, converged]. */
const expected: Record<string, Array<number | boolean | null>> = {
  J0: [3, 1, 1.25, 0.05, 1.004, true],
  J1: [2, null, 0.75, 0.3, 1.2, false],
  J2: [null, 0, null, null, null, null],
};
const COLS = ['grade_Ann_Lee', 'grade_bob', 'theta_e_mean', 'theta_e_sd', 'theta_e_rhat', 'fit_converged'];

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-catexport-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const text = (f: 'csv' | 'ecsv' | 'votable') => new TextDecoder().decode(buildExport(repo, { format: f }).bytes);

describe('workspace export: per-reviewer grades and lens-model columns in every format', () => {
  it('CSV', () => {
    const lines = text('csv').split('\r\n').filter(Boolean);
    const head = lines[0]!.split(',');
    expect(head.slice(-COLS.length)).toEqual(COLS);
    expect(head).toContain('grade_spread');
    for (const l of lines.slice(1)) {
      const f = l.split(',');
      const want = expected[f[0]!]!;
      expect(COLS.map((c) => f[head.indexOf(c)]), f[0]).toEqual(want.map((v) => (v === null ? '' : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v))));
    }
    expect(lines).toHaveLength(4);
  });

  it('VOTable', () => {
    const table = childElements(childElements(parseXml(text('votable')), 'RESOURCE')[0]!, 'TABLE')[0]!;
    const fields = childElements(table, 'FIELD');
    const names = fields.map((f) => f.attrs.name!);
    expect(names.slice(-COLS.length)).toEqual(COLS);
    expect(fields.find((f) => f.attrs.name === 'grade_spread')!.attrs.ucd).toBe('meta.code.qual;arith.diff');
    expect(textOf(childElements(fields.find((f) => f.attrs.name === 'grade_Ann_Lee')!, 'DESCRIPTION')[0]!)).toContain("'Ann Lee'");
    const trs = childElements(childElements(childElements(table, 'DATA')[0]!, 'TABLEDATA')[0]!, 'TR');
    for (const tr of trs) {
      const td = childElements(tr, 'TD').map(textOf);
      const want = expected[td[0]!]!;
      expect(COLS.map((c) => td[names.indexOf(c)])).toEqual(want.map((v) => (v === null ? '' : typeof v === 'boolean' ? (v ? 'T' : 'F') : String(v))));
    }
  });

  it('FITS', () => {
    const file = new FitsFile(new MemorySource('e.fits', buildExport(repo, { format: 'fits' }).bytes));
    const hdu = file.hdu(1);
    const t = new FitsTable(file, hdu);
    const names = t.columns.map((c) => c.name);
    expect(names.slice(-COLS.length)).toEqual(COLS);
    // The description '0–3' is written 0-3, and θE as thetaE (ASCII, not '?').
    const comm = (name: string) => hdu.header.getString(`TCOMM${names.indexOf(name) + 1}`);
    expect(comm('grade_Ann_Lee')).toBe("Current grade by reviewer 'Ann Lee' (0-3: X=0, C=1, B=2, A=3)");
    expect(comm('theta_e_mean')).toMatch(/^Einstein radius thetaE, posterior mean/);
    for (const r of t.readRows(0, t.nrows)) {
      const want = expected[String(r[0])]!;
      const got = COLS.map((c) => r[names.indexOf(c)]);
      // FITS nulls: TNULL −2³¹ for J, NaN for D, 0x00 (read as undefined/false-ish) for L.
      expect(got.slice(0, 2)).toEqual(want.slice(0, 2).map((v) => (v === null ? -2147483648 : v)));
      want.slice(2, 5).forEach((v, k) => (v === null ? expect(Number.isNaN(got[2 + k] as number)).toBe(true) : expect(got[2 + k]).toBe(v)));
      if (want[5] !== null) expect(got[5]).toBe(want[5]);
    }
  });

  it.skipIf(!ASTROPY_PYTHON)(`VOTable valid under astropy verify='exception', every UCD in the UCD1+ vocabulary (${ASTROPY_PYTHON ? 'available' : ASTROPY_SKIP_REASON})`, () => {
    writeFileSync(join(dir, 'e.vot'), text('votable'));
    const py = `import sys, json
from astropy.io.votable import parse
from astropy.io.votable.ucd import check_ucd
t = parse(sys.argv[1], verify='exception').get_first_table()
print(json.dumps({f.name: [f.ucd, check_ucd(f.ucd, check_controlled_vocabulary=True)] for f in t.fields if f.ucd}))`;
    const r = JSON.parse(runPython(py, [join(dir, 'e.vot')])) as Record<string, [string, boolean]>;
    for (const [name, [ucd, ok]] of Object.entries(r)) expect(ok, `${name}: ${ucd}`).toBe(true);
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['grade_spread', 'grade_Ann_Lee', 'theta_e_sd', 'fit_converged']));
  }, 60_000);

  it.skipIf(!ASTROPY_PYTHON)(`ECSV read by astropy (${ASTROPY_PYTHON ? 'available' : ASTROPY_SKIP_REASON})`, () => {
    writeFileSync(join(dir, 'e.ecsv'), text('ecsv'));
    const py = `import sys, json, math
from astropy.table import Table
t = Table.read(sys.argv[1], format='ascii.ecsv')
cols = sys.argv[2].split(',')
def cell(c, i):
    m = getattr(t[c], 'mask', None)
    if m is not None and bool(m[i]): return None
    v = t[c][i].item()
    return None if isinstance(v, float) and math.isnan(v) else v
print(json.dumps({'rows': {t['id'][i]: [cell(c, i) for c in cols] for i in range(len(t))}, 'units': [str(t[c].unit) for c in cols], 'meta': t.meta['reviewers']}))`;
    const r = JSON.parse(runPython(py, [join(dir, 'e.ecsv'), COLS.join(',')])) as { rows: Record<string, unknown[]>; units: string[]; meta: string[] };
    expect(r.rows).toEqual(expected);
    expect(r.units).toEqual(['None', 'None', 'arcsec', 'arcsec', 'None', 'None']);
    expect(r.meta).toEqual(['Ann Lee', 'bob']);
  }, 60_000);
});

describe('export job parameters', () => {
  it('ecsv is a format of its own with the .ecsv extension; unknown formats are refused', () => {
    expect(exportKind.prepare({ format: 'ecsv' }, '/w').out).toMatch(/^\/w\/exports\/lensdesk-.+\.ecsv$/);
    expect(exportKind.prepare({ format: 'csv' }, '/w').out).toMatch(/\.csv$/);
    expect(() => exportKind.prepare({ format: 'xlsx' }, '/w')).toThrow(/format must be one of csv, ecsv, fits, votable, bundle/);
  });
});
