// The 'deblend' job end to end on a simulated 3-source blend stored as a workspace stamp: the product
// FITS, the products rows, the blink frames (each a single-HDU cube), the lens-subtracted frame (data −
// the centre component, checked against the component frame and the stamp), exact flux conservation in
// the product file, the renderer's reads (deblend.get / deblend.grid), resume, force, cancel, bad input.
import { describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { CancelledError, InputError } from '../../../src-core/errors';
import { simulateBlend } from '../../../src-core/deblend/index';
import { openFitsFile } from '../../fits/file-source';
import { readImage } from '../../../src-core/fits/image';
import { FitsTable } from '../../../src-core/fits/table';
import { Repo } from '../../store/repo';
import { listProducts } from '../../store/products';
import { readStampFile, writeStampFile } from '../../stamps/stamp-file';
import { deblendGrid, deblendInfo } from '../../api/deblend';
import { fileWorkspace } from '../../../test/workspace-fixture';
import { jobContext } from '../../../test/job-context';
import { deblendKind, prepareDeblend } from './deblend';

const ws = fileWorkspace();
const repo = new Repo(ws.db);
const jobIds = new Map<number, number>();
/** A context whose job id is a real jobs row (products.job_id references it); `n` names the job in this test. */
const ctx = <P>(params: P, cancelled = false, n = 1) => {
  if (!jobIds.has(n)) jobIds.set(n, repo.createJob('deblend', params as object).id);
  return { ...jobContext(repo, ws.dir, params, cancelled), jobId: jobIds.get(n)! };
};
const abs = (p: string) => (isAbsolute(p) ? p : resolve(ws.dir, p));

function addStamp(seed: number, row: number, catalogId: number, pixelScale = 0.2): number {
  const sim = simulateBlend(seed, { size: 41, nSources: 3, bands: ['g', 'r', 'i'] });
  mkdirSync(join(ws.dir, 'cutouts', 'blend'), { recursive: true });
  const path = `cutouts/blend/${row}.fits`;
  writeStampFile(join(ws.dir, path), {
    width: 41, height: 41, bands: sim.bands, planes: sim.images.map((p) => Float32Array.from(p)),
    variance: sim.variance.map((p) => Float32Array.from(p)), ra: 150, dec: 2, pixelScale,
  });
  repo.insertSources(catalogId, [{ row, name: `BLEND ${row}`, ra: 150, dec: 2, cutout: { path, width: 41, height: 41, bands: sim.bands } }]);
  return ws.db.prepare('SELECT id FROM sources WHERE catalog_id = ? AND name = ?').pluck().get(catalogId, `BLEND ${row}`) as number;
}

describe('deblend job', () => {
  const catalogId = repo.ensureCatalog('blends', 'test', 'simulated', repo.ensureSurvey('sim-lsst', 0.2, ['g', 'r', 'i']));
  const a = addStamp(3, 0, catalogId), b = addStamp(4, 1, catalogId);

  it('rejects bad params naming the field', () => {
    expect(() => prepareDeblend({})).toThrow(InputError);
    expect(() => prepareDeblend({ sourceIds: [] })).toThrow(/sourceIds/);
    expect(() => prepareDeblend({ sourceIds: [1], constraints: 'wobbly' })).toThrow(/wobbly/);
    expect(() => prepareDeblend({ sourceIds: [1], maxIter: 0 })).toThrow(/maxIter/);
    expect(prepareDeblend({ catalogId: 3 })).toMatchObject({ catalogId: 3, prior: 'auto', constraints: 'monotonic' });
  });

  it('deblends, stores products and frames, resumes, forces, cancels', async () => {
    const params = prepareDeblend({ sourceIds: [a], prior: 'none', maxIter: 150 });
    const r1 = await deblendKind.run(ctx(params));
    expect(r1).toMatchObject({ candidates: 1, deblended: 1, skipped: 0, failed: 0, prior: 'none' });

    const [prod] = listProducts(ws.db, a, 'deblend');
    expect(prod!.path).toBe(join('products', 'deblend', `${a}.fits`));
    const summary = prod!.summary as { bands: string[]; components: Array<{ flux: Record<string, number>; dataFlux: Record<string, number>; colours: Record<string, number | null>; deflector: boolean }>; deflector: number };
    expect(summary.bands).toEqual(['g', 'r', 'i']);
    expect(summary.components.length).toBeGreaterThanOrEqual(2);
    expect(summary.components.filter((c) => c.deflector)).toHaveLength(1);
    const c0 = summary.components[0]!;
    if (c0.flux.g! > 0 && c0.flux.r! > 0) expect(c0.colours['g-r']).toBeCloseTo(-2.5 * Math.log10(c0.flux.g! / c0.flux.r!), 10);
    expect(listProducts(ws.db, a, 'lens-subtracted')).toHaveLength(1);

    // Product FITS: MODEL + RESIDUAL = data exactly; the re-apportioned data fluxes sum to the data.
    const stamp = readStampFile(abs(`cutouts/blend/0.fits`));
    const f = openFitsFile(abs(prod!.path));
    const hdus = f.hdus();
    const img = (name: string) => readImage(f, hdus.find((h) => h.name === name)!).data as Float64Array;
    const model = img('MODEL'), res = img('RESIDUAL');
    const n = 41 * 41;
    let maxErr = 0;
    for (let bnd = 0; bnd < 3; bnd++) for (let i = 0; i < n; i++) maxErr = Math.max(maxErr, Math.abs(model[bnd * n + i]! + res[bnd * n + i]! - stamp.planes[bnd]![i]!));
    expect(maxErr).toBeLessThan(1e-9 * Math.max(...stamp.planes[1]!));
    const table = new FitsTable(f, hdus.find((h) => h.name === 'SOURCES')!);
    const dfr = table.readNumericColumn('data_flux_r');
    const comps = summary.components.length;
    expect(dfr.length).toBe(comps);
    const comp = Array.from({ length: comps }, (_, k) => img(`COMP${k + 1}`));
    let dataInModel = 0;
    for (let i = 0; i < n; i++) if (comp.some((c) => c[n + i]! > 0)) dataInModel += stamp.planes[1]![i]!;
    expect(Array.from(dfr).reduce((s, v) => s + v, 0)).toBeCloseTo(dataInModel, 2);
    f.source.close?.();

    // Frames: cutouts of the product kinds, each a readable single-HDU stamp; lens-subtracted = data − deflector.
    const cut = ws.db.prepare('SELECT kind, path FROM cutouts WHERE source_id = ? AND kind != ? ORDER BY kind').all(a, 'stamp') as { kind: string; path: string }[];
    const kinds = cut.map((c) => c.kind);
    expect(kinds).toEqual(expect.arrayContaining(['deblend-model', 'deblend-residual', 'deblend-comp1', 'deblend-comp2', 'lens-subtracted']));
    expect(kinds.filter((k) => k.startsWith('deblend-comp'))).toHaveLength(comps);
    const frame = (k: string) => readStampFile(abs(cut.find((c) => c.kind === k)!.path));
    const sub = frame('lens-subtracted'), defl = frame(`deblend-comp${summary.deflector}`);
    expect(sub.variance).toBeUndefined();
    const centre = 20 * 41 + 20;
    for (const i of [centre, centre + 3, 5 * 41 + 7]) expect(sub.planes[2]![i]!).toBeCloseTo(stamp.planes[2]![i]! - defl.planes[2]![i]!, 1);
    // The deflector carries most of the light at the centre: subtracting it lowers the central pixel.
    expect(Math.abs(sub.planes[1]![centre]!)).toBeLessThan(Math.abs(stamp.planes[1]![centre]!));

    // The renderer's reads.
    const info = deblendInfo(ws.db, a)!;
    expect(info.components).toHaveLength(comps);
    expect(info.prior).toBe('none');
    expect(deblendInfo(ws.db, b)).toBeNull();
    const grid = deblendGrid(ws.db, [a, b]);
    expect(grid[0]!.lensSubtracted).toMatch(/^cutout\/\d+$/);
    expect(grid[1]!.lensSubtracted).toBeNull();

    // Resume: a re-run with the same settings skips what is done and does the rest.
    const r2 = await deblendKind.run(ctx(prepareDeblend({ sourceIds: [a, b], prior: 'none', maxIter: 150 }), false, 2));
    expect(r2).toMatchObject({ candidates: 2, deblended: 1, skipped: 1 });
    expect(listProducts(ws.db, a, 'deblend')).toHaveLength(1);
    // force: deblend again (a new product row), but its own resume skips what this job did.
    const forced = prepareDeblend({ sourceIds: [a], prior: 'none', maxIter: 150, force: true });
    expect(await deblendKind.run(ctx(forced, false, 3))).toMatchObject({ deblended: 1, skipped: 0 });
    expect(await deblendKind.run(ctx(forced, false, 3))).toMatchObject({ deblended: 0, skipped: 1 });
    expect(listProducts(ws.db, a, 'deblend')).toHaveLength(2);

    // Cancel: nothing new is written.
    await expect(deblendKind.run(ctx(prepareDeblend({ sourceIds: [a, b], prior: 'none', maxIter: 50, force: true }), true, 4))).rejects.toThrow(CancelledError);
    expect(listProducts(ws.db, a, 'deblend')).toHaveLength(2);
  }, 120_000);

  it('counts an unreadable stamp as failed and an unknown prior folder as an error', async () => {
    const id = (() => {
      repo.insertSources(catalogId, [{ row: 9, name: 'GONE', ra: 1, dec: 1, cutout: { path: 'cutouts/blend/missing.fits', width: 41, height: 41, bands: ['g'] } }]);
      return ws.db.prepare("SELECT id FROM sources WHERE name = 'GONE'").pluck().get() as number;
    })();
    const r = await deblendKind.run(ctx(prepareDeblend({ sourceIds: [id], prior: 'none' }), false, 5));
    expect(r).toMatchObject({ deblended: 0, failed: 1 });
    await expect(deblendKind.run(ctx(prepareDeblend({ sourceIds: [id], prior: '/nonexistent/prior' }), false, 6))).rejects.toThrow(/cannot read a score model/);
  });

  it('the flow prior runs on a 0.2″ stamp and is skipped, with a warning, on a 0.1″ one', async () => {
    const fine = addStamp(6, 20, catalogId, 0.1), lsst = addStamp(7, 21, catalogId);
    const r = await deblendKind.run(ctx(prepareDeblend({ sourceIds: [lsst, fine], prior: 'flow', maxIter: 60 }), false, 7));
    expect(r).toMatchObject({ deblended: 2, failed: 0 });
    expect(String(r.prior)).toMatch(/^flow:/);
    expect(deblendInfo(ws.db, fine)!.warnings.join(' ')).toMatch(/learned prior not used: .*0\.100″ pixels/);
    expect(deblendInfo(ws.db, lsst)!.warnings.join(' ')).not.toMatch(/learned prior not used/);
  }, 120_000);

  it("mode 'lens-light' over a whole catalog: worker threads give the same frames as one thread; cancel stops them", async () => {
    expect(prepareDeblend({ catalogId: 1, mode: 'lens-light' })).toMatchObject({ mode: 'lens-light', prior: 'none', constraints: 'monotonic,symmetric', maxIter: 50 });
    expect(() => prepareDeblend({ catalogId: 1, mode: 'fast' })).toThrow(/mode must be/);
    expect(() => prepareDeblend({ catalogId: 1, mode: 'lens-light', prior: 'flow' })).toThrow(/constraints only/);
    expect(() => prepareDeblend({ catalogId: 1, workers: 0 })).toThrow(/workers/);
    const cat = repo.ensureCatalog('lens-light batch', 'test', 'simulated', repo.ensureSurvey('sim-lsst', 0.2, ['g', 'r', 'i']));
    const ids = [11, 12, 13, 14].map((seed, k) => addStamp(seed, 40 + k, cat));
    const one = await deblendKind.run(ctx(prepareDeblend({ catalogId: cat, mode: 'lens-light', workers: 1 }), false, 8));
    expect(one).toMatchObject({ candidates: 4, deblended: 4, failed: 0, workers: 1, mode: 'lens-light' });
    const firstPaths = ids.map((id) => listProducts(ws.db, id, 'lens-subtracted')[0]!.path);
    const planes1 = firstPaths.map((p) => readStampFile(abs(p)).planes.map((q) => Float32Array.from(q)));
    // A different job (force): the same files are rewritten by 2 worker threads.
    const two = await deblendKind.run(ctx(prepareDeblend({ catalogId: cat, mode: 'lens-light', workers: 2, force: true }), false, 9));
    expect(two).toMatchObject({ candidates: 4, deblended: 4, failed: 0, workers: 2 });
    ids.forEach((id, k) => {
      const rows = listProducts(ws.db, id, 'lens-subtracted');
      expect(rows).toHaveLength(2);
      const planes2 = readStampFile(abs(rows[0]!.path)).planes;
      planes2.forEach((p, b) => p.forEach((v, i) => expect(v).toBe(planes1[k]![b]![i]!)));
    });
    // Settings differ from the full deblend's: a 'deblend' mode run does not count these as done.
    expect(JSON.stringify(listProducts(ws.db, ids[0]!, 'deblend')[0]!.params)).toMatch(/lens-light/);

    // Cancel while the pool works: the job ends with CancelledError; what was stored stays consistent.
    let calls = 0;
    const cancelling = { ...ctx(prepareDeblend({ catalogId: cat, mode: 'lens-light', workers: 2, force: true }), false, 10) };
    cancelling.cancelled = () => calls > 1;
    cancelling.checkCancelled = () => { if (calls > 1) throw new CancelledError('cancelled'); };
    cancelling.progress = () => { calls++; };
    await expect(deblendKind.run(cancelling)).rejects.toThrow(CancelledError);
    for (const id of ids) {
      const rows = listProducts(ws.db, id, 'lens-subtracted');
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows.length).toBeLessThanOrEqual(3);
    }
  }, 120_000);
});
