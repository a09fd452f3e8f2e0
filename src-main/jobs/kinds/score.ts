// Score job: stream stamps from the workspace through the scorer in batches and store the
// probabilities. Resumable: sources this model version already scored are skipped, so a killed
// job picks up where it stopped and writes each score once. A new model version keeps old scores.
// Without a model path the workspace's active model scores (so a promoted fine-tuned version scores
// new sets, not the bundled one); the bundled model when there is none yet.
import { existsSync } from 'node:fs';
import { InputError, LensDeskError } from '../../../src-core/errors';
import type { SurveyShape } from '../../../src-core/classify/choose-model';
import { bandMismatch, chooseScoringModel } from '../../classify/model-choice';
import { prepareBandsParam } from './bands-param';
import { isAbsolute, join, resolve } from 'node:path';
import { modelById } from '../../store/models-repo';
import type { Repo } from '../../store/repo';
import { loadScorer } from '../../scoring/scorer';
import { readStampFile } from '../../stamps/stamp-file';
import type { JobContext, JobKind } from '../types';
import type { Stamp } from '../../../src-core/stamps/stamp';

export interface ScoreParams {
  catalogId?: number;
  modelPath?: string;
  placeholder?: boolean;
  /** Make this model the active one (default true). The fine-tune job scores its candidate with false. */
  activate?: boolean;
  /** `--bands g,r,i,z`: names the planes of cutouts ingested without band names (plane order). */
  bands?: string[];
}

/** The active model's folder when it is a network with a card on disk (else undefined: the bundled one). */
export function activeModelPath(repo: Repo, workspaceDir: string): string | undefined {
  const id = repo.activeModelId();
  const row = id ? modelById(repo.db, id) : null;
  if (!row?.path || row.kind === 'placeholder') return undefined;
  const dir = isAbsolute(row.path) ? row.path : resolve(workspaceDir, row.path);
  return existsSync(join(dir, 'card.json')) ? dir : undefined;
}

/** Bands, pixel scale and size of the first readable cutout of the selection (null when there is none). */
function surveyOf(repo: Repo, catalogId: number | undefined, abs: (p: string) => string, opts: { bands?: string[] }): SurveyShape | null {
  for (const row of repo.stampsAfter(0, 8, catalogId)) {
    try {
      const s = readStampFile(abs(row.path), opts);
      return { bands: s.bands, pixelScale: s.pixelScale ?? null, width: s.width, height: s.height };
    } catch {
      /* an unreadable cutout is reported by the scoring loop; try the next */
    }
  }
  return null;
}

export async function runScore(ctx: JobContext<ScoreParams>, base = 0, scale = 1): Promise<Record<string, unknown>> {
  const { repo, params } = ctx;
  const readOpts = params.bands ? { bands: params.bands } : {};
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(ctx.workspaceDir, p));
  // The model: --model, else the active model if it fits the cutouts, else the bundled model that
  // best fits their bands and pixel scale (judged on the first cutout of the selection).
  const choice = params.placeholder
    ? { path: undefined, reason: 'placeholder heuristic (--placeholder)' }
    : chooseScoringModel({ explicit: params.modelPath, active: params.modelPath ? undefined : activeModelPath(repo, ctx.workspaceDir), survey: surveyOf(repo, params.catalogId, abs, readOpts) });
  const scorer = await loadScorer({ modelPath: choice.path, placeholder: params.placeholder || (!choice.path && !params.modelPath) });
  try {
    const m = scorer.model;
    const need = m.kind === 'placeholder' ? null : ((m.card.architecture as { bands?: string[] } | undefined)?.bands ?? null);
    const failures: { sourceId: number; error: string }[] = [];
    const modelId = repo.ensureModel(m.name, m.version, m.kind, m.path, m.card);
    if (params.activate !== false) repo.setSetting('active_model_id', String(modelId));
    const done = repo.scoredSourceIds(modelId);
    const total = repo.countSources();
    let processed = done.size;
    let written = 0;
    let failed = 0;
    let after = 0;
    for (;;) {
      ctx.checkCancelled();
      const page = repo.stampsAfter(after, 512, params.catalogId);
      if (!page.length) break;
      after = page[page.length - 1]!.sourceId;
      const todo = page.filter((p) => !done.has(p.sourceId));
      for (let i = 0; i < todo.length; i += scorer.batchSize) {
        ctx.checkCancelled();
        const batch = todo.slice(i, i + scorer.batchSize);
        const stamps: Stamp[] = [];
        const ids: number[] = [];
        for (const b of batch) {
          try {
            const s = readStampFile(abs(b.path), readOpts);
            const why = need ? bandMismatch(s.bands, need, m.name) : null;
            if (why) throw new InputError('STAMP_BANDS', why, { sourceId: b.sourceId });
            stamps.push(s);
            ids.push(b.sourceId);
          } catch (e) {
            failed++;
            if (failures.length < 50) failures.push({ sourceId: b.sourceId, error: e instanceof LensDeskError ? `${e.code}: ${e.message}` : (e as Error).message });
          }
        }
        const p = stamps.length ? await scorer.score(stamps) : new Float32Array(0);
        repo.writeScores(modelId, ctx.jobId, ids.map((sourceId, k) => ({ sourceId, probability: p[k]! })));
        written += ids.length;
        processed += batch.length;
        ctx.progress(Math.round(base + processed * scale), Math.round(base + total * scale), `scored ${processed}/${total} with ${m.name} ${m.version}`);
      }
    }
    return { modelId, model: `${m.name} ${m.version}`, modelChoice: choice.reason, placeholder: m.kind === 'placeholder', runtime: scorer.runtime, written, skipped: done.size, failed, failures };
  } finally {
    await scorer.dispose();
  }
}

export const scoreKind: JobKind<ScoreParams> = {
  kind: 'score',
  prepare(p) {
    const out: ScoreParams = {};
    if (p.catalogId !== undefined) {
      if (!Number.isInteger(p.catalogId)) throw new InputError('INVALID_PARAMS', 'score: catalogId must be an integer', { field: 'params.catalogId' });
      out.catalogId = p.catalogId as number;
    }
    if (p.modelPath !== undefined) out.modelPath = String(p.modelPath);
    if (p.placeholder !== undefined) out.placeholder = !!p.placeholder;
    if (p.activate !== undefined) out.activate = !!p.activate;
    const bands = prepareBandsParam(p.bands);
    if (bands) out.bands = bands;
    return out;
  },
  run: (ctx) => runScore(ctx),
};
