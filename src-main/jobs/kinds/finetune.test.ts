// The fine-tune job on a tiny synthetic workspace (8 stamps of 25×25 in g, r; a CMUDeepLens with
// random weights as the "current" model): grades → labels, a new version with lineage, rescoring,
// old vs new metrics, cancel mid-training and resume from the epoch checkpoint.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelCard } from '../../../src-core/classify/card';
import { ringStamp, saveTinyLensFinder } from '../../../test/tiny-lens-finder';
import { tempDir } from '../../../test/workspace-fixture';
import { selectBackend } from '../../backend/select';
import { loadModelDir } from '../../classify/model-files';
import { readStampFile, writeStampFile } from '../../stamps/stamp-file';
import { loadScorer } from '../../scoring/scorer';
import { modelById, scoresOf } from '../../store/models-repo';
import { Repo } from '../../store/repo';
import { openWorkspace, type Workspace } from '../../store/workspace';
import type { JobContext } from '../types';
import { prepareFinetune, runFinetune, type FinetuneParams } from './finetune';
import { Backend } from '../../api/backend';
import type { JobInfo } from '../../../src-core/api/contract';
import { pairAuroc as pairCountAuroc } from '../../../test/pair-auroc';

const SIZE = 25;
const N = 8;
const t = tempDir('lensdesk-finetune-');
let ws: Workspace;
let repo: Repo;
const parentDir = join(t.dir, 'parent');

const stamp = (i: number, ring: boolean) => ringStamp(SIZE, 5, i, ring);

beforeAll(async () => {
  await selectBackend({ order: ['wasm'] });
  await saveTinyLensFinder(parentDir, SIZE);
  ws = openWorkspace(join(t.dir, 'ws'));
  repo = new Repo(ws.db);
  const cat = repo.ensureCatalog('toy', 'test', 'folder', null);
  const items = Array.from({ length: N }, (_, i) => {
    const path = join(ws.dir, 'cutouts', `s${i}.fits`);
    writeStampFile(path, stamp(i, i % 2 === 1));
    return { row: i, name: `s${i}`, ra: null, dec: null, cutout: { path, width: SIZE, height: SIZE, bands: ['g', 'r'] } };
  });
  repo.insertSources(cat, items);
  const ids = repo.stampsAfter(0, 100).map((s) => s.sourceId);
  const alice = repo.ensureReviewer('alice').id;
  const bob = repo.ensureReviewer('bob').id;
  ids.forEach((sourceId, i) => repo.addLabel(alice, { sourceId, grade: i % 2 ? 3 : 0, tags: [], comment: '' }));
  repo.addLabel(bob, { sourceId: ids[0]!, grade: 3, tags: [], comment: '' }); // A vs alice's X: a tie, left out
  repo.addLabel(bob, { sourceId: ids[1]!, grade: 1, tags: [], comment: '' }); // C: ignored, alice's A stands
});
afterAll(() => {
  ws?.close();
  t.cleanup();
  tf.disposeVariables();
});

function ctx(params: FinetuneParams, cancelWhen?: (msg: string) => boolean): JobContext<FinetuneParams> & { log: string[] } {
  let cancelled = false;
  const log: string[] = [];
  return {
    jobId: repo.createJob('finetune', params).id,
    params,
    repo,
    workspaceDir: ws.dir,
    log,
    progress(_d, _t, m = '') {
      log.push(m);
      if (cancelWhen?.(m)) cancelled = true;
    },
    cancelled: () => cancelled,
    checkCancelled() {
      if (cancelled) throw Object.assign(new Error('cancelled'), { code: 'CANCELLED' });
    },
  };
}

describe('finetune job', () => {
  it('validates its params', () => {
    expect(() => prepareFinetune({ mapping: { Q: 1 } })).toThrow(/unknown grade 'Q'/);
    expect(() => prepareFinetune({ epochs: 0 })).toThrow(/epochs/);
    const p = prepareFinetune({});
    expect(p).toMatchObject({ epochs: 3, learningRate: 1e-4, mapping: { A: 1, B: 1, C: null, X: 0 } });
  });

  it('trains a new version from the current model, rescores, compares old and new; cancel + resume', { timeout: 120_000 }, async () => {
    const params = prepareFinetune({ parentPath: parentDir, epochs: 2, batchSize: 4, simulated: 2, learningRate: 1e-3 });
    // Cancel during epoch 2: the epoch-1 checkpoint must carry the resumed run.
    const c1 = ctx(params, (m) => m.includes('epoch 2/2'));
    await expect(runFinetune(c1)).rejects.toThrow(/cancel/);
    const ckpt = join(ws.dir, 'models', `finetune-${params.version.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.ckpt`);
    const stateAfterCancel = JSON.parse(readFileSync(join(ckpt, 'last', 'state.json'), 'utf8'));
    expect(stateAfterCancel.epoch).toBe(1);

    const c2 = ctx(params);
    const r = await runFinetune(c2);
    expect(c2.log.some((m) => m.includes('epoch 1/2'))).toBe(false); // resumed at epoch 2
    const dir = r.model as string;
    expect(dir.startsWith(join(ws.dir, 'models', 'tiny-'))).toBe(true);
    const card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')) as ModelCard;
    expect(card.metrics.history).toHaveLength(2);
    expect(card.metrics.history[0]!.trainLoss).toBe(stateAfterCancel.history[0].trainLoss);
    // 8 graded: one tie (A vs X) left out, C ignored → 7 graded sources + 2 simulated cutouts
    expect(card.fineTune).toMatchObject({ trainSources: 7, heldOut: false, simulated: 2, gradedCounts: { sources: 8, lens: 4, nonLens: 3, conflicts: 1 } });
    expect(card.trainingSet.nTrain).toBe(9);
    expect(card.normalisation).toEqual({ policy: 'standardise', bands: ['g', 'r'], mean: [0, 0], std: [1, 1], clip: 10, fittedOn: 0 });

    // lineage: new row's parent is the (registered) parent model
    const row = modelById(ws.db, r.modelId as number)!;
    const parentRow = modelById(ws.db, row.parentId!)!;
    expect(parentRow.path).toBe(parentDir);
    expect(parentRow.version).toBe('2026-01-01T00:00:00.000Z');
    expect(row.version).toBe(params.version);

    // rescored every source; weights moved away from the parent's
    const ids = repo.stampsAfter(0, 100).map((s) => s.sourceId);
    expect(scoresOf(ws.db, row.id, ids).size).toBe(N);
    const a = (await loadModelDir(parentDir)).model;
    const b = (await loadModelDir(dir)).model;
    const wa = a.getWeights()[0]!.dataSync();
    const wb = b.getWeights()[0]!.dataSync();
    let diff = 0;
    for (let i = 0; i < wa.length; i++) diff = Math.max(diff, Math.abs(wa[i]! - wb[i]!));
    expect(diff).toBeGreaterThan(0);
    a.dispose();
    b.dispose();

    // evaluation (in-sample here: too few per class) = Mann–Whitney on the stored new scores
    const ev = card.evaluation as { set: string; n: number; new: { auroc: number }; old: { auroc: number; modelId: number } };
    expect(ev.set).toBe('in-sample');
    expect(ev.n).toBe(7);
    const evalIds = ids.filter((id, i) => id !== ids[0]); // all but the tie
    const labels = evalIds.map((id) => (ids.indexOf(id) % 2 ? 1 : 0));
    const stored = scoresOf(ws.db, row.id, evalIds);
    expect(ev.new.auroc).toBeCloseTo(pairCountAuroc(labels, evalIds.map((i) => stored.get(i)!)), 12);
    expect(ev.old.modelId).toBe(parentRow.id);
    // The old model's AUROC is the parent scoring the same graded set (a value, not just ≥ 0):
    // scored here by the scorer, counted by pairs.
    const scorer = await loadScorer({ modelPath: parentDir });
    const paths = new Map(repo.stampsAfter(0, 100).map((x) => [x.sourceId, x.path]));
    const parentP = await scorer.score(evalIds.map((id) => readStampFile(paths.get(id)!.startsWith('/') ? paths.get(id)! : join(ws.dir, paths.get(id)!))));
    await scorer.dispose();
    expect(ev.old.auroc).toBeCloseTo(pairCountAuroc(labels, Array.from(parentP)), 6);
    expect(JSON.parse(JSON.stringify(row.card)).evaluation.set).toBe('in-sample');
    // in-sample evaluation, default rule 'never': a candidate; the parent stays the active model
    expect(repo.activeModelId()).toBe(parentRow.id);
    expect((row.card.promotion as { status: string }).status).toBe('candidate');
    expect(r.promoted).toBe(false);
    expect(existsSync(join(dir, 'weights.bin'))).toBe(true);
    expect(existsSync(ckpt)).toBe(false); // checkpoints removed once the version is complete
  });
});

describe('finetune through the job system (worker thread)', () => {
  it('starts from jobs.start, is cancelled mid-training, resumes and finishes', { timeout: 120_000 }, async () => {
    const backend = new Backend(openWorkspace(ws.dir), { mode: 'browser', reviewer: 'alice' });
    try {
      const job = (await backend.call('jobs.start', { kind: 'finetune', params: { parentPath: parentDir, epochs: 6, batchSize: 4, simulated: 0 } })) as JobInfo;
      await new Promise<void>((resolve) => {
        const on = (j: JobInfo) => {
          if (j.id === job.id && j.message.startsWith('fine-tuning epoch')) {
            backend.jobs.off('update', on);
            backend.jobs.cancel(job.id);
            resolve();
          }
        };
        backend.jobs.on('update', on);
      });
      const cancelled = await backend.jobs.wait(job.id);
      expect(cancelled.state).toBe('cancelled');
      backend.jobs.resume(job.id);
      const done = await backend.jobs.wait(job.id);
      expect(done.state, JSON.stringify(done.error)).toBe('done');
      const r = done.result as { modelId: number; parentId: number; evaluation: { set: string; new: { auroc: number } } };
      const card = modelById(backend.repo.db, r.modelId)!.card as unknown as ModelCard;
      expect(card.metrics.history).toHaveLength(6);
      expect(modelById(backend.repo.db, r.modelId)!.parentId).toBe(r.parentId);
      expect(r.evaluation.set).toBe('in-sample');
      // The reported AUROC is the new version's stored scores on the graded set (ties and C left out).
      const ids = backend.repo.stampsAfter(0, 100).map((s) => s.sourceId);
      const evalIds = ids.filter((id) => id !== ids[0]);
      const stored = scoresOf(backend.repo.db, r.modelId, evalIds);
      expect(stored.size).toBe(evalIds.length);
      expect(r.evaluation.new.auroc).toBeCloseTo(pairCountAuroc(evalIds.map((id) => (ids.indexOf(id) % 2 ? 1 : 0)), evalIds.map((i) => stored.get(i)!)), 12);
    } finally {
      await backend.close();
    }
  });
});

