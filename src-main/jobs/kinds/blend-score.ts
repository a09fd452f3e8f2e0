// 'blend-score' job (issue 14, blend flag): scores each candidate stamp with the explicit-likelihood
// morphology model (src-core/deblend/morphology-density.ts; the bundled models/priors/morphology-flow-32
// unless params.model names a folder) and inserts one `blend_scores` row per source. The stamp's bands are
// summed into a detection image, as in training. Resumable: sources already scored by the same model
// (folder name and card date) are skipped, with `force` only those this job scored, so a killed or
// cancelled job continues where it stopped. Cancel is polled between stamps. A stamp that cannot be read
// or scored is counted as failed, with its error.
import { basename, isAbsolute, resolve } from 'node:path';
import { InputError } from '../../../src-core/errors';
import { blendScore } from '../../../src-core/deblend/morphology-density';
import { detectionImage, readBlendCard, resolveBlendModel } from '../../deblend/blend-model';
import { checkPixelScale } from '../../../src-core/deblend/scale-check';
import { readStampFile } from '../../stamps/stamp-file';
import { insertBlendScore, sourcesScoredBy } from '../../store/blend-scores';
import { fitTargets } from '../../store/posteriors';
import type { JobKind } from '../types';

export interface BlendScoreParams {
  sourceIds?: number[];
  catalogId?: number;
  /** A model folder; default the bundled one. */
  model?: string;
  force: boolean;
  /** Score stamps whose pixel scale differs from the model's by > 10 % (default: counted as failed, saying why). */
  allowScaleMismatch?: boolean;
}

export function prepareBlendScore(p: Record<string, unknown>, workspaceDir?: string): BlendScoreParams {
  const bad = (field: string, msg: string) => new InputError('INVALID_PARAMS', `blend-score: ${msg}`, { field: `params.${field}` });
  const out: BlendScoreParams = { force: p.force === true, allowScaleMismatch: p.allowScaleMismatch === true };
  if (p.sourceIds !== undefined) {
    if (!Array.isArray(p.sourceIds) || !p.sourceIds.length || !p.sourceIds.every((x) => Number.isInteger(x) && x > 0)) throw bad('sourceIds', 'sourceIds must be a non-empty array of source ids');
    out.sourceIds = p.sourceIds as number[];
  }
  if (p.catalogId !== undefined) {
    if (!Number.isInteger(p.catalogId) || (p.catalogId as number) < 1) throw bad('catalogId', 'catalogId must be a positive integer');
    out.catalogId = p.catalogId as number;
  }
  if (out.sourceIds === undefined && out.catalogId === undefined) throw bad('sourceIds', 'give sourceIds or catalogId');
  if (p.model !== undefined) {
    if (typeof p.model !== 'string' || !p.model.trim()) throw bad('model', 'model must be a model folder');
    out.model = workspaceDir && !isAbsolute(p.model) ? resolve(workspaceDir, p.model.trim()) : p.model.trim();
  }
  resolveBlendModel(out.model); // a missing or broken model fails now, naming the folder, not in the worker
  return out;
}

export const blendScoreKind: JobKind<BlendScoreParams> = {
  kind: 'blend-score',
  prepare: (p, workspaceDir) => prepareBlendScore(p, workspaceDir),
  async run(ctx) {
    const { params } = ctx;
    const db = ctx.repo.db;
    const { dir, model } = resolveBlendModel(params.model);
    const card = readBlendCard(dir);
    const modelName = `${basename(dir)}@${card?.created ?? 'unknown'}`;
    const targets = fitTargets(db, params);
    const done = params.force
      ? new Set(db.prepare('SELECT DISTINCT source_id FROM blend_scores WHERE model = ? AND job_id = ?').pluck().all(modelName, ctx.jobId) as number[])
      : sourcesScoredBy(db, modelName);
    const todo = targets.filter((t) => !done.has(t.sourceId));
    const total = targets.length;
    let scored = 0, likely = 0, scaleMismatches = 0, scaleUnknown = 0;
    const failed: { sourceId: number; error: string }[] = [];
    for (const t of todo) {
      ctx.checkCancelled();
      const base = total - todo.length + scored + failed.length;
      try {
        const file = isAbsolute(t.path) ? t.path : resolve(ctx.workspaceDir, t.path);
        const stamp = readStampFile(file);
        const scale = checkPixelScale(stamp.pixelScale, card?.pixelScale, `source ${t.sourceId} stamp ${file}`);
        if (scale.status === 'unknown') scaleUnknown++;
        if (scale.status === 'mismatch') {
          scaleMismatches++;
          if (!params.allowScaleMismatch) throw new InputError('PIXEL_SCALE_MISMATCH', `${scale.message} (allowScaleMismatch scores it anyway)`, { file, sourceId: t.sourceId });
        }
        const s = blendScore(model, detectionImage(stamp.planes, stamp.width * stamp.height), stamp.height, stamp.width);
        insertBlendScore(db, { sourceId: t.sourceId, model: modelName, probability: s.blendProbability, likelyBlend: s.likelyBlend, logpPerPixel: s.logpPerPixel, statistic: s.statistic, jobId: ctx.jobId ?? null });
        scored++;
        if (s.likelyBlend) likely++;
      } catch (e) {
        failed.push({ sourceId: t.sourceId, error: (e as Error).message });
      }
      ctx.progress(base + 1, total, `source ${t.sourceId} (${base + 1}/${total})`);
    }
    return { model: modelName, candidates: total, scored, likelyBlends: likely, skipped: total - todo.length, failed: failed.length, failures: failed.slice(0, 20), scaleMismatches, scaleUnknown };
  },
};
