// Issue 19: a fine-tune must not make a worse model active. A tiny workspace (24 stamps of 25×25 in
// g, r) whose current model ranks the held-out grades perfectly (its stored scores), and grades
// that teach the opposite on the training part: the fine-tuned version is worse on the held-out
// quarter, so it stays a candidate; the reviewer's "Keep current" leaves it so, "Promote" makes it active.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradedSet, splitGraded, DEFAULT_MAPPING, DEFAULT_WEIGHTS } from '../../../src-core/classify/graded-set';
import { decidePromotion } from '../../../src-core/classify/promotion';
import { ringStamp, saveTinyLensFinder } from '../../../test/tiny-lens-finder';
import { tempDir } from '../../../test/workspace-fixture';
import { listModels, promoteModel } from '../../api/models';
import { selectBackend } from '../../backend/select';
import { writeStampFile } from '../../stamps/stamp-file';
import { modelById } from '../../store/models-repo';
import { Repo } from '../../store/repo';
import { openWorkspace, type Workspace } from '../../store/workspace';
import type { JobContext } from '../types';
import { prepareFinetune, runFinetune, type FinetuneParams } from './finetune';

const SIZE = 25;
const N = 24;
const t = tempDir('lensdesk-promote-');
let ws: Workspace;
let repo: Repo;
let parentId: number;
let heldOutIds: Set<number>;
const parentDir = join(t.dir, 'parent');

const stamp = (i: number, ring: boolean) => ringStamp(SIZE, 11, i, ring);

beforeAll(async () => {
  await selectBackend({ order: ['wasm'] });
  const card = await saveTinyLensFinder(parentDir, SIZE);
  ws = openWorkspace(join(t.dir, 'ws'));
  repo = new Repo(ws.db);
  const cat = repo.ensureCatalog('toy', 'test', 'folder', null);
  const path = (i: number) => join(ws.dir, 'cutouts', `s${i}.fits`);
  repo.insertSources(cat, Array.from({ length: N }, (_, i) => ({ row: i, name: `s${i}`, ra: null, dec: null, cutout: { path: path(i), width: SIZE, height: SIZE, bands: ['g', 'r'] } })));
  const ids = repo.stampsAfter(0, 100).map((s) => s.sourceId);
  const graded = (i: number) => (i % 2 === 1 ? 1 : 0); // reviewer: odd rows are lenses (A), even not (X)
  const alice = repo.ensureReviewer('alice').id;
  ids.forEach((sourceId, i) => repo.addLabel(alice, { sourceId, grade: graded(i) ? 3 : 0, tags: [], comment: '' }));
  // The job's own split (same rule, same grades) tells which sources it holds out.
  const split = splitGraded(gradedSet(repo.currentGrades(), DEFAULT_MAPPING, DEFAULT_WEIGHTS).items);
  expect(split.heldOut).toBe(true);
  heldOutIds = new Set(split.test.map((x) => x.sourceId));
  // Held-out sources look like their grade says; training sources look like the opposite, so the
  // fine-tune learns "ring → not a lens" and must do worse on the held-out grades.
  ids.forEach((id, i) => writeStampFile(path(i), stamp(i, heldOutIds.has(id) ? graded(i) === 1 : graded(i) === 0)));
  // The current model: registered, active, and its stored scores rank every graded source right.
  parentId = repo.ensureModel('tiny', card.createdAt, 'cmudeeplens', parentDir, card);
  repo.writeScores(parentId, null, ids.map((sourceId, i) => ({ sourceId, probability: graded(i) ? 0.9 - i / 1000 : 0.1 + i / 1000 })));
  repo.setSetting('active_model_id', String(parentId));
});
afterAll(() => {
  ws?.close();
  t.cleanup();
  tf.disposeVariables();
});

function ctx(params: FinetuneParams): JobContext<FinetuneParams> {
  return {
    jobId: repo.createJob('finetune', params).id,
    params,
    repo,
    workspaceDir: ws.dir,
    progress: () => undefined,
    cancelled: () => false,
    checkCancelled: () => undefined,
  };
}

describe('promotion rule', () => {
  it('auto promotes only on a held-out evaluation where new ≥ old', () => {
    expect(decidePromotion('auto', { set: 'held-out', oldAuroc: 0.671, newAuroc: 0.586 }).promote).toBe(false);
    expect(decidePromotion('auto', { set: 'held-out', oldAuroc: 0.671, newAuroc: 0.671 }).promote).toBe(true);
    expect(decidePromotion('auto', { set: 'held-out', oldAuroc: 0.6, newAuroc: 0.7 }).promote).toBe(true);
    expect(decidePromotion('auto', { set: 'in-sample', oldAuroc: 0.6, newAuroc: 0.9 }).promote).toBe(false);
    expect(decidePromotion('auto', { set: 'held-out', oldAuroc: null, newAuroc: 0.9 }).promote).toBe(false);
    expect(decidePromotion('never', { set: 'held-out', oldAuroc: 0.1, newAuroc: 0.9 }).promote).toBe(false);
    expect(decidePromotion('always', { set: 'held-out', oldAuroc: 0.9, newAuroc: 0.1 }).promote).toBe(true);
    expect(decidePromotion('auto', { set: 'held-out', oldAuroc: 0.671, newAuroc: 0.586 }).reason).toMatch(/0\.671 → 0\.586/);
  });

  it('the job refuses an unknown rule; the app default leaves the choice to the reviewer', () => {
    expect(() => prepareFinetune({ promote: 'sometimes' })).toThrow(/promote must be one of never, auto, always/);
    expect(prepareFinetune({}).promote).toBe('never');
    expect(prepareFinetune({ promote: true }).promote).toBe('always');
  });
});

describe('a worse fine-tuned version', () => {
  it('is stored as a candidate and not made active, even under the auto rule; the reviewer decides', { timeout: 180_000 }, async () => {
    const params = prepareFinetune({ parentModelId: parentId, epochs: 3, batchSize: 4, simulated: 0, learningRate: 2e-3, promote: 'auto' });
    const r = await runFinetune(ctx(params));
    const ev = r.evaluation as { set: string; n: number; old: { auroc: number }; new: { auroc: number } };
    expect(ev.set).toBe('held-out');
    expect(ev.n).toBe(heldOutIds.size);
    expect(ev.old.auroc).toBe(1); // the stored scores rank the held-out grades perfectly
    expect(ev.new.auroc).toBeLessThan(ev.old.auroc);
    expect(r.promoted).toBe(false);
    expect(String(r.promotion)).toMatch(/not promoted: worse/);
    expect(repo.activeModelId()).toBe(parentId);
    const id = r.modelId as number;
    expect(modelById(ws.db, id)!.parentId).toBe(parentId);
    expect((modelById(ws.db, id)!.card.promotion as { status: string }).status).toBe('candidate');
    expect(listModels(repo).find((m) => m.active)?.id).toBe(parentId);

    // "Keep current": recorded, nothing else changes.
    expect(promoteModel(repo, { modelId: id, decision: 'keep' }).activeModelId).toBe(parentId);
    expect((modelById(ws.db, id)!.card.promotion as { status: string }).status).toBe('kept-current');
    // "Promote": the reviewer's explicit choice makes it active.
    expect(promoteModel(repo, { modelId: id, decision: 'promote' }).activeModelId).toBe(id);
    expect((modelById(ws.db, id)!.card.promotion as { status: string }).status).toBe('promoted');
    expect(listModels(repo).find((m) => m.active)?.id).toBe(id);
    expect(() => promoteModel(repo, { modelId: 9999, decision: 'promote' })).toThrow(/no model with id 9999/);
  });
});
