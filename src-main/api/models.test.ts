// Models view backend through the contract: graded-set counts under a mapping and one version's
// ROC metrics on the graded set from its stored scores (checked by counting pairs directly).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/workspace-fixture';
import { openWorkspace } from '../store/workspace';
import { Backend } from './backend';
import { Rng } from '../../src-core/rng';
import { pairAuroc } from '../../test/pair-auroc';

const t = tempDir('lensdesk-models-api-');
let backend: Backend;
let modelId: number;
const truth: number[] = [];
const score = new Map<number, number>();

beforeAll(() => {
  backend = new Backend(openWorkspace(join(t.dir, 'ws')), { mode: 'browser', reviewer: 'alice' });
  const repo = backend.repo;
  const cat = repo.ensureCatalog('c', 'test', 'folder', null);
  repo.insertSources(cat, Array.from({ length: 60 }, (_, i) => ({ row: i, name: `s${i}`, ra: null, dec: null })));
  modelId = repo.ensureModel('m', 'v1', 'cmudeeplens', null, {});
  const rng = new Rng(3, 0);
  const ids = repo.db.prepare('SELECT id FROM sources ORDER BY id').pluck().all() as number[];
  const me = repo.ensureReviewer('alice').id;
  const items: { sourceId: number; probability: number }[] = [];
  ids.forEach((sourceId, i) => {
    const lens = i % 3 === 0 ? 1 : 0; // 20 lenses, 40 non-lenses
    const p = Math.round(100 / (1 + Math.exp(-(2 * lens - 1 + rng.normal())))) / 100; // ties on purpose
    if (i < 58) items.push({ sourceId, probability: p }); // two graded sources left unscored
    if (i < 58) (truth.push(lens), score.set(sourceId, p));
    repo.addLabel(me, { sourceId, grade: lens ? (i % 2 ? 3 : 2) : i === 1 ? 1 : 0, tags: [], comment: '' });
  });
  repo.writeScores(modelId, null, items);
});
afterAll(async () => {
  await backend.close();
  t.cleanup();
});


describe('models.graded / models.evaluate', () => {
  it('counts the graded set under the default and a custom mapping', async () => {
    const g = (await backend.call('models.graded', {})) as { counts: { lens: number; nonLens: number; ignored: number }; heldOut: boolean; nTest: number };
    expect(g.counts).toMatchObject({ lens: 20, nonLens: 39, ignored: 1 });
    expect(g.heldOut).toBe(true);
    expect(g.nTest).toBe(5 + 10);
    const c = (await backend.call('models.graded', { mapping: { C: 0 } })) as { counts: { nonLens: number; ignored: number } };
    expect(c.counts).toMatchObject({ nonLens: 40, ignored: 0 });
    await expect(backend.call('models.graded', { mapping: { A: 2 } })).rejects.toThrow();
  });

  it('reports AUROC, TPR0 and curves from the stored scores of the scored graded sources', async () => {
    const ev = (await backend.call('models.evaluate', { modelId })) as {
      nGraded: number; nScored: number; report: { auroc: number; tpr0: number; roc: { fpr: number[]; tpr: number[] }; calibration: { bins: { count: number }[] } };
    };
    expect(ev.nGraded).toBe(59);
    expect(ev.nScored).toBe(57); // 58 scored, minus source 1 graded C (ignored)
    const ids = [...score.keys()];
    const keep = ids.map((id, i) => ({ id, lens: truth[i]! })).filter((_, i) => i !== 1);
    expect(ev.report.auroc).toBeCloseTo(pairAuroc(keep.map((k) => k.lens), keep.map((k) => score.get(k.id)!)), 12);
    const maxNeg = Math.max(...keep.filter((k) => !k.lens).map((k) => score.get(k.id)!));
    expect(ev.report.tpr0).toBe(keep.filter((k) => k.lens && score.get(k.id)! > maxNeg).length / keep.filter((k) => k.lens).length);
    expect(ev.report.roc.fpr[0]).toBe(0);
    expect(ev.report.roc.tpr.at(-1)).toBe(1);
    expect(ev.report.calibration.bins.reduce((s, b) => s + b.count, 0)).toBe(57);
    const held = (await backend.call('models.evaluate', { modelId, subset: 'heldOut' })) as { nGraded: number };
    expect(held.nGraded).toBe(15);
    await expect(backend.call('models.evaluate', { modelId: 999 })).rejects.toThrow(/no model/);
  });
});
