// The blend flag end to end in the workspace (issue 14): a small morphology model written as a model
// folder, the 'blend-score' job over stamps (an isolated simulated galaxy and an artificial blend of two),
// insert-only rows with the latest current, the grid filter "hide likely blends", the grid's and the
// candidate view's reads (deblend.grid, blend.get), the export columns, resume, force, cancel, bad input.
import { describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CancelledError, InputError, NotFoundError } from '../../../src-core/errors';
import { trainMorphologyDensity } from '../../../src-core/deblend/morphology-train';
import { simBlended, simIsolated } from '../../../src-core/deblend/morphology-stamps';
import { blendScore } from '../../../src-core/deblend/morphology-density';
import { Repo } from '../../store/repo';
import { writeStampFile } from '../../stamps/stamp-file';
import { blendInfo, deblendGrid } from '../../api/deblend';
import { insertBlendScore, latestBlendScores } from '../../store/blend-scores';
import { listCandidates } from '../../store/candidates';
import { exportTable } from '../../export/catalog-export';
import { writeBlendModel, type BlendModelCard } from '../../deblend/blend-model';
import { fileWorkspace, tempDir } from '../../../test/workspace-fixture';
import { jobContext } from '../../../test/job-context';
import { blendScoreKind, prepareBlendScore } from './blend-score';
import { exportKind } from './export';
import { validateJobParams } from '../../../src-core/api/validate';

const ws = fileWorkspace();
const repo = new Repo(ws.db);
const modelDir = join(tempDir('lensdesk-blend-').dir, 'model');
const { model, metrics } = trainMorphologyDensity({ nTrain: 60, nCalib: 20, nTest: 10, k: 6, flow: { steps: 30, hidden: 6, layers: 2, lr: 3e-3 }, seed: 2 });
const card = { format: 'lensdesk-morphology-flow/1', model: 'morphology-flow', created: '2026-12-07T00:00:00.000Z', data: 'test', command: 'test', size: 32, pixelScale: 0.2, survey: 'lsst', pcaK: 6, flow: { layers: 2, hidden: 6, steps: 30, batch: 64, lr: 3e-3, seed: 2 }, metrics: { ...metrics }, threshold: 0.5, seconds: 0 } satisfies BlendModelCard;
writeBlendModel(modelDir, model, card, '# test model\n');

const jobIds = new Map<number, number>();
const ctx = <P>(params: P, cancelled = false, n = 1) => {
  if (!jobIds.has(n)) jobIds.set(n, repo.createJob('blend-score', params as object).id);
  return { ...jobContext(repo, ws.dir, params, cancelled), jobId: jobIds.get(n)! };
};

/** Writes a 3-band stamp whose bands sum to `img` (thirds), registers a source; returns its id. */
function addStamp(img: Float64Array, row: number, catalogId: number, pixelScale = 0.2): number {
  mkdirSync(join(ws.dir, 'cutouts', 'b'), { recursive: true });
  const path = `cutouts/b/${row}.fits`;
  const third = Float32Array.from(img, (v) => v / 3);
  writeStampFile(join(ws.dir, path), { width: 48, height: 48, bands: ['g', 'r', 'i'], planes: [third, third, third], ra: 150, dec: 2, pixelScale });
  repo.insertSources(catalogId, [{ row, name: `S${row}`, ra: 150, dec: 2, cutout: { path, width: 48, height: 48, bands: ['g', 'r', 'i'] } }]);
  return ws.db.prepare('SELECT id FROM sources WHERE catalog_id = ? AND name = ?').pluck().get(catalogId, `S${row}`) as number;
}

describe('blend-score job and store', () => {
  const catalogId = repo.ensureCatalog('blends', 'test', 'simulated', repo.ensureSurvey('sim-lsst', 0.2, ['g', 'r', 'i']));
  // A clearly isolated galaxy and a clear blend for this small model (picked by the model itself below).
  const isoImg = simIsolated(123_456).img, blImg = simBlended(654_321, 6, 9).img;
  const iso = addStamp(isoImg, 0, catalogId), bl = addStamp(blImg, 1, catalogId);
  const reviewer = repo.ensureReviewer('tester').id;

  it('rejects bad params naming the field, and a missing model naming the folder', () => {
    expect(() => prepareBlendScore({ model: modelDir })).toThrow(/sourceIds/);
    expect(() => prepareBlendScore({ sourceIds: [0], model: modelDir })).toThrow(InputError);
    expect(() => prepareBlendScore({ sourceIds: [1], model: '/nonexistent/blend-model' })).toThrow(NotFoundError);
    expect(() => prepareBlendScore({ sourceIds: [1], model: '/nonexistent/blend-model' })).toThrow(/\/nonexistent\/blend-model/);
  });

  it('scores stamps, resumes, forces, cancels; the grid, the filter, the view and the export read it', async () => {
    const params = prepareBlendScore({ catalogId, model: modelDir });
    const r1 = await blendScoreKind.run(ctx(params));
    expect(r1).toMatchObject({ candidates: 2, scored: 2, skipped: 0, failed: 0, model: 'model@2026-12-07T00:00:00.000Z' });
    const rows = latestBlendScores(ws.db, [iso, bl]);
    // The job stores exactly what the model says of the summed bands.
    const direct = blendScore(model, isoImg, 48, 48);
    expect(rows.get(iso)!.probability).toBeCloseTo(direct.blendProbability, 5);
    expect(rows.get(iso)!.probability).toBeLessThan(rows.get(bl)!.probability);

    // Resume: nothing left to do. Force: both scored again, as new rows (insert-only).
    expect(await blendScoreKind.run(ctx(params))).toMatchObject({ scored: 0, skipped: 2 });
    await expect(blendScoreKind.run(ctx(prepareBlendScore({ catalogId, model: modelDir, force: true }), true, 2))).rejects.toThrow(CancelledError);
    expect(await blendScoreKind.run(ctx(prepareBlendScore({ catalogId, model: modelDir, force: true }), false, 3))).toMatchObject({ scored: 2, skipped: 0 });
    expect(ws.db.prepare('SELECT COUNT(*) FROM blend_scores').pluck().get()).toBe(4);

    // Grid and view reads.
    const grid = deblendGrid(ws.db, [iso, bl]);
    expect(grid.map((g) => g.blendProbability)).toEqual([rows.get(iso)!.probability, rows.get(bl)!.probability]);
    expect(blendInfo(ws.db, bl)).toMatchObject({ sourceId: bl, model: 'model@2026-12-07T00:00:00.000Z', likelyBlend: rows.get(bl)!.likelyBlend });

    // The filter uses the latest row: flag the isolated source as a blend, then clear it again.
    const listed = (hide: boolean) => listCandidates(ws.db, { sort: 'name', order: 'asc', offset: 0, limit: 10, filter: { hideBlends: hide, catalogId } }, reviewer).rows.map((r) => r.sourceId);
    insertBlendScore(ws.db, { sourceId: iso, model: 'manual', probability: 0.9, likelyBlend: true, logpPerPixel: 0, statistic: 0 });
    insertBlendScore(ws.db, { sourceId: bl, model: 'manual', probability: 0.9, likelyBlend: true, logpPerPixel: 0, statistic: 0 });
    expect(listed(false)).toEqual([iso, bl]);
    expect(listed(true)).toEqual([]);
    insertBlendScore(ws.db, { sourceId: iso, model: 'manual', probability: 0.1, likelyBlend: false, logpPerPixel: 0, statistic: 0 });
    expect(listed(true)).toEqual([iso]);
    expect(listCandidates(ws.db, { sort: 'score', order: 'desc', offset: 0, limit: 10, filter: { hideBlends: true, catalogId } }, reviewer).total).toBe(1);

    // Export columns: the latest probability and flag per source.
    const t = exportTable(repo, {});
    expect(t.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['blend_probability', 'likely_blend']));
    const byName = new Map(t.rows.map((r) => [r.id, r]));
    expect(byName.get('S0')).toMatchObject({ blend_probability: 0.1, likely_blend: false });
    expect(byName.get('S1')).toMatchObject({ blend_probability: 0.9, likely_blend: true });

    // The export honours the grid's "hide likely blends": S1 (latest P 0.9) is left out, S0 kept, and
    // the export job's params take the option (and the synonym), rejecting a non-boolean.
    const hidden = exportTable(repo, { hideBlends: true });
    expect(hidden.rows.map((r) => r.id).filter((id) => id === 'S0' || id === 'S1')).toEqual(['S0']);
    expect(hidden.provenance.thresholds).toMatchObject({ likely_blends_excluded: 1 });
    expect(exportTable(repo, { hideBlends: false }).rows.map((r) => r.id)).toEqual(expect.arrayContaining(['S0', 'S1']));
    expect(exportKind.prepare({ format: 'csv', hideBlends: true }, ws.dir)).toMatchObject({ hideBlends: true });
    expect(exportKind.prepare({ format: 'csv', excludeLikelyBlends: true }, ws.dir)).toMatchObject({ hideBlends: true });
    expect(exportKind.prepare({ format: 'csv' }, ws.dir).hideBlends).toBeUndefined();
    expect(() => exportKind.prepare({ format: 'csv', hideBlends: 'yes' }, ws.dir)).toThrow(/hideBlends/);
    // …and the API's job-params schema (every way a job starts) lets the options through, typed.
    expect(validateJobParams('export', { format: 'csv', hideBlends: true })).toMatchObject({ hideBlends: true });
    expect(validateJobParams('export', { excludeLikelyBlends: true })).toMatchObject({ excludeLikelyBlends: true });
    expect(() => validateJobParams('export', { hideBlends: 'yes' })).toThrow(/params\.hideBlends/);
    expect(validateJobParams('blend-score', { catalogId, allowScaleMismatch: true })).toMatchObject({ allowScaleMismatch: true });
  });

  it('counts an unreadable stamp as failed, naming its error', async () => {
    const cat2 = repo.ensureCatalog('broken', 'test', 'simulated', null);
    repo.insertSources(cat2, [{ row: 0, name: 'X', ra: 1, dec: 1, cutout: { path: 'cutouts/missing.fits', width: 48, height: 48, bands: ['g'] } }]);
    const r = await blendScoreKind.run(ctx(prepareBlendScore({ catalogId: cat2, model: modelDir }), false, 5));
    expect(r).toMatchObject({ candidates: 1, scored: 0, failed: 1 });
    expect(String((r.failures as { error: string }[])[0]!.error)).toMatch(/missing\.fits/);
  });

  it('counts a stamp whose pixel scale differs from the model card\'s by > 10 % as failed, naming both scales; allowScaleMismatch scores it', async () => {
    const cat3 = repo.ensureCatalog('hst', 'test', 'simulated', null);
    const hst = addStamp(simIsolated(123_457).img, 10, cat3, 0.1);
    const r = await blendScoreKind.run(ctx(prepareBlendScore({ catalogId: cat3, model: modelDir }), false, 6));
    expect(r).toMatchObject({ candidates: 1, scored: 0, failed: 1, scaleMismatches: 1 });
    expect(String((r.failures as { error: string }[])[0]!.error)).toMatch(/0\.100″ pixels but the blend model was trained at 0\.200″/);
    expect(latestBlendScores(ws.db, [hst]).get(hst)).toBeUndefined();
    const r2 = await blendScoreKind.run(ctx(prepareBlendScore({ catalogId: cat3, model: modelDir, allowScaleMismatch: true }), false, 7));
    expect(r2).toMatchObject({ scored: 1, failed: 0, scaleMismatches: 1 });
  });
});
