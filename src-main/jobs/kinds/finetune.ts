// Fine-tune job ("labels feed back", issue 6): reviewers' current grades become labels (mapping and
// weights: src-core/classify/graded-set.ts), the current model is trained on them for a few epochs
// from its own weights (its input normalisation kept), optionally with simulated cutouts mixed in
// so it does not forget the population it was trained on. The result is a new model version in
// <workspace>/models/<name>-<version>/ with parent_id lineage and a card, the workspace is rescored
// with it (old versions' scores kept), and old vs new ROC metrics on the graded set are stored in
// the card and the job result: on a stratified held-out quarter when each class has ≥ 10 sources
// (that quarter never trains), otherwise in-sample on everything (and the card says so).
// The new version is stored as a candidate and scored without becoming active; whether it replaces
// the parent follows the job's promotion rule (src-core/classify/promotion.ts): the app leaves the
// choice to the reviewer (models view: "Promote" / "Keep current"), the CLI promotes only when the
// held-out AUROC did not fall.
//
// Resumable: the first run writes a manifest (parent, graded set, split) into the checkpoint folder
// and a resume reuses it, so later grades do not change a run half-way; training resumes from the
// last epoch checkpoint; a saved model skips training; scoring skips what is scored.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CARD_FORMAT, parseModelCard, type ModelCard } from '../../../src-core/classify/card';
import { evaluationReport } from '../../../src-core/classify/evaluation';
import { decidePromotion, PROMOTION_RULES, type PromotionRule } from '../../../src-core/classify/promotion';
import { gradedSet, parseMapping, splitGraded, DEFAULT_SPLIT, type GradedItem, type GradeMapping, type GradeWeights } from '../../../src-core/classify/graded-set';
import { channelsLast } from '../../../src-core/classify/sim-data';
import { DEFAULT_RECIPE, trainCmuDeepLens, type LabelledBatch, type TrainingData } from '../../../src-core/classify/train';
import { InputError } from '../../../src-core/errors';
import { simulateRange } from '../../../src-core/lens/simulate';
import { selectBackend } from '../../backend/select';
import { chooseTrainEngine } from '../../backend/train-engine';
import { FileCheckpointStore, loadModelDir, saveModelDir } from '../../classify/model-files';
import { findModelDir, stampsToChannelsLast } from '../../classify/network-scorer';
import { loadScorer } from '../../scoring/scorer';
import { readStampFile } from '../../stamps/stamp-file';
import { modelById, scoresOf, setModelParent, stampPaths, updateModelCard, markPromotion, setActiveModel } from '../../store/models-repo';
import type { JobContext, JobKind } from '../types';
import { runScore } from './score';

export interface FinetuneParams {
  /** The model to start from; default the active model, else the bundled one. */
  parentModelId?: number;
  /** A model directory to start from (overrides parentModelId). */
  parentPath?: string;
  mapping: GradeMapping;
  weights: GradeWeights;
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Simulated cutouts mixed into training (0 = none); default as many as graded training sources. */
  simulated: number | null;
  simulatedSeed: number;
  holdoutFraction: number;
  minPerClass: number;
  seed: number;
  rescore: boolean;
  /** When the new version becomes the active model: 'never' (reviewer decides; default), 'auto' (held-out new ≥ old), 'always'. */
  promote: PromotionRule;
  /** Fixed when the job is created: the new version's createdAt (and folder name). */
  version: string;
}

interface Manifest {
  parent: { path: string; modelId: number | null; name: string; version: string };
  train: GradedItem[];
  test: GradedItem[];
  heldOut: boolean;
  counts: ReturnType<typeof gradedSet>['counts'];
}

const num = (p: Record<string, unknown>, k: string, dflt: number, ok: (x: number) => boolean, what: string): number => {
  if (p[k] === undefined || p[k] === null) return dflt;
  const x = Number(p[k]);
  if (!ok(x)) throw new InputError('INVALID_PARAMS', `finetune: ${k} must be ${what}`, { field: `params.${k}` });
  return x;
};

export function prepareFinetune(p: Record<string, unknown>): FinetuneParams {
  const { mapping, weights } = parseMapping(p.mapping, p.weights);
  const out: FinetuneParams = {
    mapping,
    weights,
    epochs: num(p, 'epochs', 3, (x) => Number.isInteger(x) && x >= 1 && x <= 200, 'an integer in [1, 200]'),
    learningRate: num(p, 'learningRate', 1e-4, (x) => x > 0 && x < 1, 'in (0, 1)'),
    batchSize: num(p, 'batchSize', 32, (x) => Number.isInteger(x) && x >= 2 && x <= 512, 'an integer in [2, 512]'),
    simulated: p.simulated === undefined || p.simulated === null ? null : num(p, 'simulated', 0, (x) => Number.isInteger(x) && x >= 0 && x <= 100_000, 'an integer in [0, 100000]'),
    simulatedSeed: num(p, 'simulatedSeed', 7_000_001, Number.isInteger, 'an integer'),
    holdoutFraction: num(p, 'holdoutFraction', DEFAULT_SPLIT.fraction, (x) => x >= 0 && x < 1, 'in [0, 1)'),
    minPerClass: num(p, 'minPerClass', DEFAULT_SPLIT.minPerClass, (x) => Number.isInteger(x) && x >= 2, 'an integer ≥ 2'),
    seed: num(p, 'seed', 1, Number.isInteger, 'an integer'),
    rescore: p.rescore === undefined ? true : !!p.rescore,
    promote: promoteRule(p.promote),
    version: typeof p.version === 'string' && !Number.isNaN(Date.parse(p.version)) ? p.version : new Date().toISOString(),
  };
  if (p.parentModelId !== undefined) out.parentModelId = num(p, 'parentModelId', 0, (x) => Number.isInteger(x) && x > 0, 'a model id');
  if (typeof p.parentPath === 'string' && p.parentPath) out.parentPath = p.parentPath;
  return out;
}

function promoteRule(v: unknown): PromotionRule {
  if (v === undefined || v === null) return 'never';
  if (v === true) return 'always';
  if (v === false) return 'never';
  if (typeof v === 'string' && (PROMOTION_RULES as readonly string[]).includes(v)) return v as PromotionRule;
  throw new InputError('INVALID_PARAMS', `finetune: promote must be one of ${PROMOTION_RULES.join(', ')}`, { field: 'params.promote' });
}

const compact = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const abs = (ws: string, p: string) => (isAbsolute(p) ? p : resolve(ws, p));

/** The starting model: given path, given id, the active model, else the bundled one. */
function resolveParent(ctx: JobContext<FinetuneParams>): { path: string; modelId: number | null } {
  const { params, repo } = ctx;
  if (params.parentPath) return { path: abs(ctx.workspaceDir, params.parentPath), modelId: params.parentModelId ?? null };
  const id = params.parentModelId ?? repo.activeModelId();
  const row = id ? modelById(repo.db, id) : null;
  if (params.parentModelId && !row) throw new InputError('NO_MODEL', `no model with id ${params.parentModelId}`, { field: 'params.parentModelId' });
  if (row?.path && existsSync(join(abs(ctx.workspaceDir, row.path), 'card.json'))) return { path: abs(ctx.workspaceDir, row.path), modelId: row.id };
  if (params.parentModelId) throw new InputError('NO_MODEL', `model ${row!.name} ${row!.version} has no network to fine-tune (kind ${row!.kind})`, { modelId: row!.id });
  const bundled = findModelDir();
  if (!bundled) throw new InputError('NO_MODEL', 'no CMUDeepLens model to fine-tune: train one (lensdesk train) or score with the bundled model first');
  return { path: bundled, modelId: null };
}

async function readImages(ctx: JobContext<FinetuneParams>, items: GradedItem[], size: number, bands: string[]): Promise<{ items: GradedItem[]; images: Float32Array }> {
  const paths = stampPaths(ctx.repo.db, items.map((i) => i.sourceId));
  const kept: GradedItem[] = [];
  const parts: Float32Array[] = [];
  for (const it of items) {
    const p = paths.get(it.sourceId);
    if (!p) continue;
    const img = stampsToChannelsLast([readStampFile(abs(ctx.workspaceDir, p))], size, bands);
    for (let i = 0; i < img.length; i++) if (!Number.isFinite(img[i]!)) img[i] = 0; // masked → sky level
    parts.push(img);
    kept.push(it);
  }
  const per = size * size * bands.length;
  const images = new Float32Array(kept.length * per);
  parts.forEach((a, i) => images.set(a, i * per));
  return { items: kept, images };
}

/** Probabilities of `model dir` for sources, from the scores table when complete, else scored now. */
async function probabilities(ctx: JobContext<FinetuneParams>, modelId: number | null, dir: string, ids: number[]): Promise<number[]> {
  const have = modelId ? scoresOf(ctx.repo.db, modelId, ids) : new Map<number, number>();
  const missing = ids.filter((i) => !have.has(i));
  if (missing.length) {
    const scorer = await loadScorer({ modelPath: dir });
    try {
      const paths = stampPaths(ctx.repo.db, missing);
      for (let i = 0; i < missing.length; i += scorer.batchSize) {
        const chunk = missing.slice(i, i + scorer.batchSize);
        const p = await scorer.score(chunk.map((id) => readStampFile(abs(ctx.workspaceDir, paths.get(id)!))));
        chunk.forEach((id, k) => have.set(id, p[k]!));
      }
    } finally {
      await scorer.dispose();
    }
  }
  return ids.map((i) => have.get(i)!);
}

export async function runFinetune(ctx: JobContext<FinetuneParams>): Promise<Record<string, unknown>> {
  const { params, repo } = ctx;
  const stamp = compact(params.version);
  const ckptDir = join(ctx.workspaceDir, 'models', `finetune-${stamp}.ckpt`);
  const manifestPath = join(ckptDir, 'manifest.json');
  await mkdir(ckptDir, { recursive: true });

  let manifest: Manifest;
  if (existsSync(manifestPath)) manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
  else {
    const parent = resolveParent(ctx);
    const { card } = await readCard(parent.path);
    const set = gradedSet(repo.currentGrades(), params.mapping, params.weights);
    const split = splitGraded(set.items, { fraction: params.holdoutFraction, minPerClass: params.minPerClass, seed: params.seed });
    manifest = { parent: { ...parent, name: card.name, version: card.createdAt }, train: split.train, test: split.test, heldOut: split.heldOut, counts: set.counts };
    await writeFile(`${manifestPath}.tmp`, JSON.stringify(manifest));
    await rename(`${manifestPath}.tmp`, manifestPath);
  }
  const nLens = manifest.train.filter((i) => i.label === 1).length;
  if (nLens === 0 || nLens === manifest.train.length) {
    throw new InputError('FINETUNE_LABELS', `fine-tuning needs graded lenses and non-lenses: the graded set has ${manifest.counts.lens} lens and ${manifest.counts.nonLens} non-lens sources under this mapping`, { lens: manifest.counts.lens, nonLens: manifest.counts.nonLens });
  }

  const parentDir = manifest.parent.path;
  const parentCard = (await readCard(parentDir)).card;
  const outDir = join(ctx.workspaceDir, 'models', `${parentCard.name}-${stamp}`);
  const size = parentCard.architecture.inputSize;
  const bands = parentCard.architecture.bands;
  const nSources = repo.countSources();
  const simulatedCount = params.simulated ?? manifest.train.length;
  const stepsPerEpoch = Math.ceil((manifest.train.length + simulatedCount) / params.batchSize);
  const trainUnits = params.epochs * stepsPerEpoch;
  const total = trainUnits + (params.rescore ? nSources : 0) + 1;
  let parentId = manifest.parent.modelId;
  if (parentId === null) parentId = repo.ensureModel(parentCard.name, parentCard.createdAt, 'cmudeeplens', parentDir, parentCard);

  let card: ModelCard;
  if (existsSync(join(outDir, 'card.json'))) card = (await readCard(outDir)).card;
  else {
    const backend = await selectBackend();
    const engine = await chooseTrainEngine(backend);
    ctx.progress(0, total, `preparing ${manifest.train.length} graded + ${simulatedCount} simulated cutouts`);
    const graded = await readImages(ctx, manifest.train, size, bands);
    const per = size * size * bands.length;
    let sim: { images: Float32Array; labels: number[] } = { images: new Float32Array(0), labels: [] };
    if (simulatedCount > 0) {
      const simSource = (parentCard.trainingSet.source as { simulator?: { preset?: string } }).simulator;
      const cfg = { preset: simSource?.preset ?? 'lsst', bands, size };
      const b = simulateRange(cfg, params.simulatedSeed, 0, simulatedCount, () => ctx.cancelled());
      ctx.checkCancelled();
      sim = { images: channelsLast(b.images, b.count, b.bands.length, b.size), labels: b.truths.map((t) => (Number(t.is_lens) ? 1 : 0)) };
    }
    const nAll = graded.items.length + sim.labels.length;
    const data: TrainingData = {
      size,
      bands,
      pixelScale: parentCard.pixelScale,
      description: `workspace grades: ${graded.items.length} graded sources${sim.labels.length ? ` + ${sim.labels.length} simulated cutouts` : ''}`,
      source: { workspace: ctx.workspaceDir, gradedSources: graded.items.length, simulated: sim.labels.length, simulatedSeed: params.simulatedSeed },
      async *epoch(): AsyncIterable<LabelledBatch> {
        for (let s = 0; s < nAll; s += 16) {
          const e = Math.min(nAll, s + 16);
          const images = new Float32Array((e - s) * per);
          const labels: number[] = [], ids: number[] = [], weights: number[] = [];
          for (let i = s; i < e; i++) {
            const g = i < graded.items.length;
            const j = g ? i : i - graded.items.length;
            images.set((g ? graded.images : sim.images).subarray(j * per, (j + 1) * per), (i - s) * per);
            labels.push(g ? graded.items[j]!.label : sim.labels[j]!);
            ids.push(g ? graded.items[j]!.sourceId : 2 ** 30 + j);
            weights.push(g ? graded.items[j]!.weight : 1);
          }
          yield { images, labels, ids, weights };
          await new Promise((r) => setImmediate(r)); // let a cancel message in
        }
      },
    };
    const { model: parentModel } = await loadModelDir(parentDir);
    let stepsDone = 0;
    const { model, state } = await trainCmuDeepLens(data, {
      recipe: {
        ...DEFAULT_RECIPE,
        epochs: params.epochs,
        batchSize: params.batchSize,
        learningRate: params.learningRate,
        lrDropEpochs: [],
        validationFraction: 0, // the held-out split is made above and never trains
        earlyStoppingPatience: null,
        seed: params.seed,
        backend: backend.tfBackend,
      },
      initialModel: parentModel,
      engine: engine.factory,
      normalisation: parentCard.normalisation,
      store: new FileCheckpointStore(ckptDir),
      resume: true,
      shuffleBuffer: Math.max(params.batchSize * 4, 16),
      signal: { get aborted() { return ctx.cancelled(); } },
      onStep: (p) => {
        stepsDone = p.epoch * stepsPerEpoch + p.step;
        ctx.progress(Math.min(stepsDone, trainUnits), total, `fine-tuning epoch ${p.epoch + 1}/${params.epochs}, loss ${p.loss.toFixed(4)} (${engine.kind})`);
      },
    });
    const last = state.history.at(-1) ?? null;
    card = {
      ...parentCard,
      format: CARD_FORMAT,
      name: parentCard.name,
      normalisation: parentCard.normalisation,
      trainingSet: {
        description: data.description,
        source: { ...data.source, mapping: params.mapping, weights: params.weights },
        nTrain: state.counts.nTrain,
        nValidation: 0,
        positiveFraction: state.counts.positives / Math.max(state.counts.nTrain, 1),
      },
      training: state.recipe,
      metrics: { best: last, history: state.history, stoppedEarly: state.stoppedEarly },
      createdAt: params.version,
      software: { ...parentCard.software, tfjs: tf.version.tfjs, backend: state.recipe.backend },
      lineage: { parent: { name: parentCard.name, version: parentCard.createdAt, path: parentDir, modelId: parentId } },
      fineTune: {
        mapping: params.mapping,
        weights: params.weights,
        gradedCounts: manifest.counts,
        trainSources: graded.items.length,
        evaluationSources: manifest.test.length,
        heldOut: manifest.heldOut,
        simulated: sim.labels.length,
        simulatedSeed: params.simulatedSeed,
      },
    };
    await saveModelDir(outDir, model, card);
    model.dispose();
  }
  const modelId = repo.ensureModel(card.name, card.createdAt, 'cmudeeplens', outDir, card, parentId);
  setModelParent(repo.db, modelId, parentId);

  // The parent is the current model: pin it as active before the candidate's scores exist, else the
  // "newest model with scores" fallback (Repo.activeModelId) would promote the candidate silently.
  if (repo.getSetting('active_model_id') === null) setActiveModel(repo.db, parentId);

  let rescored: Record<string, unknown> | null = null;
  if (params.rescore) {
    rescored = await runScore({ ...ctx, params: { modelPath: outDir, activate: false } } as never, trainUnits, 1);
  }

  // Old vs new on the graded set (held-out part when there is one).
  const ids = manifest.test.map((i) => i.sourceId);
  const labels = manifest.test.map((i) => i.label);
  let evaluation: Record<string, unknown>;
  const nPos = labels.filter((l) => l === 1).length;
  if (nPos === 0 || nPos === labels.length) {
    evaluation = { set: manifest.heldOut ? 'held-out' : 'in-sample', n: labels.length, note: 'one class only: no ROC' };
  } else {
    ctx.checkCancelled();
    const oldP = await probabilities(ctx, parentId, parentDir, ids);
    const newP = await probabilities(ctx, modelId, outDir, ids);
    const old = evaluationReport(labels, oldP, { k: [5, 10, 50] });
    const neu = evaluationReport(labels, newP, { k: [5, 10, 50] });
    evaluation = {
      set: manifest.heldOut ? 'held-out' : 'in-sample',
      note: manifest.heldOut
        ? `stratified ${Math.round(params.holdoutFraction * 100)} % of the graded sources, never trained on`
        : `fewer than ${params.minPerClass} sources in a class: evaluated on the training grades themselves (optimistic)`,
      n: labels.length,
      nPositive: nPos,
      old: { modelId: parentId, version: parentCard.createdAt, ...old },
      new: { modelId, version: card.createdAt, ...neu },
    };
  }
  card.evaluation = evaluation;
  const auroc = (r: unknown) => (r && typeof r === 'object' && Number.isFinite((r as { auroc?: number }).auroc) ? (r as { auroc: number }).auroc : null);
  const decision = decidePromotion(params.promote, { set: String(evaluation.set), oldAuroc: auroc(evaluation.old), newAuroc: auroc(evaluation.new) });
  card.promotion = { status: decision.promote ? 'promoted' : 'candidate', rule: decision.rule, reason: decision.reason, parentId, decidedAt: decision.promote ? new Date().toISOString() : null };
  await writeFile(join(outDir, 'card.json.tmp'), JSON.stringify(card, null, 2) + '\n');
  await rename(join(outDir, 'card.json.tmp'), join(outDir, 'card.json'));
  updateModelCard(repo.db, modelId, card);
  if (decision.promote) markPromotion(repo, modelId, 'promoted', decision.reason);
  await rm(ckptDir, { recursive: true, force: true }); // done: checkpoints and manifest are no longer needed
  ctx.progress(total, total, 'fine-tune done');
  const brief = (r: unknown) => {
    if (!r || typeof r !== 'object') return null;
    const { auroc, tpr0, tpr10, fprAtTpr50, n } = r as Record<string, number>;
    return { auroc, tpr0, tpr10, fprAtTpr50, n };
  };
  return {
    modelId,
    parentId,
    model: outDir,
    version: card.createdAt,
    graded: manifest.counts,
    trainSources: manifest.train.length,
    evaluation: { set: evaluation.set, n: evaluation.n, old: brief(evaluation.old), new: brief(evaluation.new) },
    promoted: decision.promote,
    promotion: decision.reason,
    activeModelId: repo.activeModelId(),
    rescored: rescored ? { written: rescored.written, runtime: rescored.runtime } : null,
    runtime: rescored?.runtime,
  };
}

async function readCard(dir: string): Promise<{ card: ModelCard }> {
  const path = join(dir, 'card.json');
  if (!existsSync(path)) throw new InputError('NO_MODEL', `no card.json in ${dir}`, { file: path });
  return { card: parseModelCard(JSON.parse(await readFile(path, 'utf8')), path) };
}

export const finetuneKind: JobKind<FinetuneParams> = {
  kind: 'finetune',
  prepare: (p) => prepareFinetune(p),
  run: (ctx) => runFinetune(ctx),
};
