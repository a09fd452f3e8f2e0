// 'deblend' job (issue 14): Scarlet-style deblending of candidate stamps (src-core/deblend), optionally
// with the learned morphology prior (src-main/deblend/learned-prior.ts). Per candidate it writes
//   products/deblend/<source>.fits        MODEL, RESIDUAL, COMPn, LENSSUB, SOURCES (product-file.ts)
//   products/deblend/<source>-<frame>.fits one single-HDU cube per blink frame: model, residual, comp1…,
//                                          lens-subtracted (data − the component at the centre)
// a `products` row of kind 'deblend' (summary: components with fluxes per band, colours, centroids; χ²),
// one of kind 'lens-subtracted', and the frames as cutouts 'deblend-model', 'deblend-residual',
// 'deblend-comp<k>', 'lens-subtracted' (the candidate view blinks them).
// Resumable: sources with a deblend product of the same settings are skipped (with `force`, only those
// this job already did), so a killed or cancelled job continues where it stopped. Cancel: polled between
// candidates and inside the solver's iterations. A stamp that cannot be read is counted as failed.
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CancelledError, InputError } from '../../../src-core/errors';
import { candidatePositions, deblend, deblendAsync, lensSubtracted, parseConstraints, summariseCandidate, type DeblendInput } from '../../../src-core/deblend/index';
import { gaussianPsf, type PsfArray } from '../../../src-core/inverse/operators/convolution';
import { getPreset, presetOfSurvey } from '../../../src-core/lens/presets';
import { loadDeblendPrior } from '../../deblend/learned-prior';
import { deblendProductFits } from '../../deblend/product-file';
import { readStampFile, writeFileAtomic, writeStampFile } from '../../stamps/stamp-file';
import { fitTargets } from '../../store/posteriors';
import { insertProduct, upsertFrameCutout } from '../../store/products';
import type { JobKind } from '../types';
import { parseJobTargets, type JobTargets } from './job-targets';
import { checkPixelScale } from '../../../src-core/deblend/scale-check';

export interface DeblendParams extends JobTargets {
  /** 'auto' (default: the bundled morphology flow, else the score prior, else none), 'flow', 'score', 'none', or a prior folder. */
  prior: string;
  constraints: string;
  maxIter: number;
  /** Deblend again even where a product with these settings exists. */
  force: boolean;
}

export function prepareDeblend(p: Record<string, unknown>): DeblendParams {
  const bad = (field: string, msg: string) => new InputError('INVALID_PARAMS', `deblend: ${msg}`, { field: `params.${field}` });
  // 'auto': the bundled morphology flow where the stamp's pixel scale suits it (else constraints only,
  // with a warning), as the CLI does: it cut the median morphology residual by 45 % (docs/deblend.md).
  const out: DeblendParams = { prior: 'auto', constraints: 'monotonic', maxIter: 200, force: p.force === true };
  Object.assign(out, parseJobTargets('deblend', p, { consensus: false }));
  if (p.prior !== undefined) {
    if (typeof p.prior !== 'string' || !p.prior.trim()) throw bad('prior', "prior must be 'auto', 'flow', 'score', 'none' or a model folder");
    out.prior = p.prior.trim();
  }
  if (p.constraints !== undefined) {
    if (typeof p.constraints !== 'string') throw bad('constraints', 'constraints must be a comma-separated string (monotonic, symmetric)');
    parseConstraints(p.constraints); // throws naming the unknown constraint
    out.constraints = p.constraints;
  }
  if (p.maxIter !== undefined) {
    if (!Number.isInteger(p.maxIter) || (p.maxIter as number) < 1 || (p.maxIter as number) > 5000) throw bad('maxIter', 'maxIter must be an integer in [1, 5000]');
    out.maxIter = p.maxIter as number;
  }
  return out;
}

/** Gaussian PSFs of the survey preset's seeing ('sim-lsst' → lsst), or none when the bands are not in it. */
function presetPsfs(survey: string | null, bands: string[], pixelScale: number | null | undefined): { psfs?: PsfArray[]; note?: string } {
  // No survey at all: the simulator's default preset; an ingested survey with its own name: no preset.
  const name = survey ? presetOfSurvey(survey, null) : 'lsst';
  if (!name) return { note: `no survey preset for '${survey}': bands assumed to share one PSF` };
  const preset = getPreset(name);
  const specs = bands.map((b) => preset.bands[b]);
  if (specs.some((s) => !s)) return { note: `bands ${bands.join(',')} not all in preset ${preset.name}: bands assumed to share one PSF` };
  const scale = pixelScale && pixelScale > 0 ? pixelScale : preset.pixelScale;
  return { psfs: specs.map((s) => gaussianPsf(s!.seeing / scale)) };
}

const settingsKey = (p: DeblendParams, priorName: string) => JSON.stringify({ prior: priorName, constraints: p.constraints, maxIter: p.maxIter });

export const deblendKind: JobKind<DeblendParams> = {
  kind: 'deblend',
  prepare: (p) => prepareDeblend(p),
  async run(ctx) {
    const { params } = ctx;
    const db = ctx.repo.db;
    const loaded = await loadDeblendPrior(params.prior, { threads: 1, cwd: ctx.workspaceDir });
    try {
      const key = settingsKey(params, loaded.name);
      const targets = fitTargets(db, params);
      const doneRows = db.prepare(`SELECT DISTINCT source_id FROM products WHERE kind = 'deblend' AND json_extract(params, '$.settings') = ?${params.force ? ' AND job_id = ?' : ''}`)
        .pluck().all(...(params.force ? [key, ctx.jobId] : [key])) as number[];
      const done = new Set(doneRows);
      const todo = targets.filter((t) => !done.has(t.sourceId));
      const dir = join(ctx.workspaceDir, 'products', 'deblend');
      mkdirSync(dir, { recursive: true });
      const total = targets.length;
      let deblended = 0;
      const failed: { sourceId: number; error: string }[] = [];
      const constraints = parseConstraints(params.constraints);
      for (const t of todo) {
        ctx.checkCancelled();
        const base = total - todo.length + deblended + failed.length;
        const tag = `source ${t.sourceId} (${base + 1}/${total})`;
        ctx.progress(base, total, `${tag}: deblending${loaded.prior ? ' with the learned prior' : ''}`);
        let stamp;
        try {
          stamp = readStampFile(isAbsolute(t.path) ? t.path : resolve(ctx.workspaceDir, t.path));
        } catch (e) {
          failed.push({ sourceId: t.sourceId, error: (e as Error).message });
          continue;
        }
        const { width: cols, height: rows, bands } = stamp;
        const t0 = performance.now();
        let r, summary;
        try {
          const psf = presetPsfs(t.survey, bands, stamp.pixelScale);
          const positions = candidatePositions(stamp.planes, rows, cols, { variance: stamp.variance });
          const input: DeblendInput = {
            images: stamp.planes, rows, cols, variance: stamp.variance, psfs: psf.psfs, positions, constraints,
            maxIter: params.maxIter, shouldStop: () => ctx.cancelled(),
          };
          // The flow prior learned shapes at one pixel scale: a stamp at another (> 10 % off) gets constraints only.
          const scale = loaded.modelPixelScale !== undefined ? checkPixelScale(stamp.pixelScale, loaded.modelPixelScale, `source ${t.sourceId} stamp`) : null;
          const prior = scale?.status === 'mismatch' ? null : loaded.prior;
          r = prior ? await deblendAsync(input, prior) : deblend(input);
          if (ctx.cancelled()) throw new CancelledError('deblend cancelled');
          summary = summariseCandidate(r, bands);
          if (psf.note) summary.warnings.unshift(psf.note);
          if (scale?.status === 'mismatch') summary.warnings.unshift(`learned prior not used: ${scale.message}`);
        } catch (e) {
          if (e instanceof CancelledError || ctx.cancelled()) throw new CancelledError('deblend cancelled');
          failed.push({ sourceId: t.sourceId, error: (e as Error).message });
          continue;
        }
        const sub = lensSubtracted(stamp.planes, r, summary.deflector);
        const rel = (f: string) => relative(ctx.workspaceDir, f);
        const productFile = join(dir, `${t.sourceId}.fits`);
        writeFileAtomic(productFile, deblendProductFits(r, { bands, wcsCards: [], prior: loaded.name, constraints: [...constraints], lensSubtracted: sub }));
        const common = { width: cols, height: rows, bands, ra: stamp.ra, dec: stamp.dec, pixelScale: stamp.pixelScale };
        const frame = (name: string, planes: Float64Array[], comment: string) => {
          const file = join(dir, `${t.sourceId}-${name}.fits`);
          writeStampFile(file, { ...common, planes: planes.map((p) => Float32Array.from(p)) }, [{ keyword: 'DBFRAME', value: name, comment }]);
          return file;
        };
        // Components of an earlier run that had more of them must not linger in the blink.
        db.prepare("DELETE FROM cutouts WHERE source_id = ? AND kind LIKE 'deblend-comp%'").run(t.sourceId);
        const frames: [string, Float64Array[], string][] = [
          ['model', r.model, 'deblend model, all components'],
          ['residual', r.residual, 'data - deblend model'],
          ...r.sources.map((s, k): [string, Float64Array[], string] => [`comp${k + 1}`, s.model, `deblend component ${k + 1}`]),
        ];
        for (const [name, planes, comment] of frames) upsertFrameCutout(db, t.sourceId, `deblend-${name}`, rel(frame(name, planes, comment)), cols, rows, bands);
        const subFile = frame('lens-subtracted', sub, summary.deflector ? `data - deblend component ${summary.deflector} (deflector)` : 'no component at the centre: data');
        upsertFrameCutout(db, t.sourceId, 'lens-subtracted', rel(subFile), cols, rows, bands);
        const seconds = (performance.now() - t0) / 1000;
        const prodParams = { settings: key, prior: loaded.name, constraints: [...constraints], maxIter: params.maxIter };
        insertProduct(db, { sourceId: t.sourceId, kind: 'deblend', path: rel(productFile), params: prodParams, summary: { ...summary, prior: loaded.name, seconds }, jobId: ctx.jobId ?? null });
        insertProduct(db, { sourceId: t.sourceId, kind: 'lens-subtracted', path: rel(subFile), params: prodParams, summary: { deflector: summary.deflector }, jobId: ctx.jobId ?? null });
        deblended++;
        ctx.progress(base + 1, total, `${tag}: ${r.sources.length} components, χ²/pixel ${summary.chi2PerPixel?.toFixed(2) ?? '—'}, ${seconds.toFixed(1)} s`);
      }
      return {
        settings: key, prior: loaded.name, notes: loaded.notes, candidates: total, deblended, skipped: total - todo.length,
        failed: failed.length, failures: failed.slice(0, 20),
      };
    } finally {
      await loaded.dispose();
    }
  },
};
