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
import { availableParallelism } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CancelledError, InputError, LensDeskError } from '../../../src-core/errors';
import { candidatePositions, deblend, deblendAsync, lensSubtracted, parseConstraints, summariseCandidate, type CandidateSummary, type DeblendInput, type DeblendResult } from '../../../src-core/deblend/index';
import type { Stamp } from '../../../src-core/stamps/stamp';
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
import { DeblendPool } from '../../workers/deblend-pool';

export interface DeblendParams extends JobTargets {
  /** 'auto' (default: the bundled morphology flow, else the score prior, else none), 'flow', 'score', 'none', or a prior folder. */
  prior: string;
  constraints: string;
  maxIter: number;
  /** Deblend again even where a product with these settings exists. */
  force: boolean;
  /**
   * 'lens-light': the batch lens-light subtraction (issue 14): constraints only (positivity, monotonicity,
   * symmetry), ≤ 50 iterations, stop at a relative loss change < 1e-3 — the settings measured in
   * docs/deblend.md (as good as 100 iterations on simulated lenses, at half the cost).
   */
  mode: 'deblend' | 'lens-light';
  /** Worker threads for the constraints-only solver (default: the machine's cores, at most 8). */
  workers: number;
}

export function prepareDeblend(p: Record<string, unknown>): DeblendParams {
  const bad = (field: string, msg: string) => new InputError('INVALID_PARAMS', `deblend: ${msg}`, { field: `params.${field}` });
  // 'auto': the bundled morphology flow where the stamp's pixel scale suits it (else constraints only,
  // with a warning), as the CLI does: it cut the median morphology residual by 45 % (docs/deblend.md).
  const out: DeblendParams = { prior: 'auto', constraints: 'monotonic', maxIter: 200, force: p.force === true, mode: 'deblend', workers: Math.min(8, availableParallelism()) };
  if (p.mode !== undefined && p.mode !== 'deblend' && p.mode !== 'lens-light') throw bad('mode', "mode must be 'deblend' or 'lens-light'");
  if (p.mode === 'lens-light') {
    if (p.prior !== undefined && p.prior !== 'none') throw bad('prior', "mode 'lens-light' runs with constraints only: leave prior out or give 'none'");
    Object.assign(out, { mode: 'lens-light', prior: 'none', constraints: 'monotonic,symmetric', maxIter: 50 });
  }
  if (p.workers !== undefined) {
    if (!Number.isInteger(p.workers) || (p.workers as number) < 1 || (p.workers as number) > 64) throw bad('workers', 'workers must be an integer in [1, 64]');
    out.workers = p.workers as number;
  }
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

const settingsKey = (p: DeblendParams, priorName: string) =>
  JSON.stringify({ prior: priorName, constraints: p.constraints, maxIter: p.maxIter, ...(p.mode === 'lens-light' ? { mode: p.mode, eRel: LENS_LIGHT_EREL } : {}) });
const LENS_LIGHT_EREL = 1e-3;

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
      /** Deblends one stamp; a problem with this stamp's data is returned as its error, not thrown. */
      async function solve(t: (typeof todo)[number], stamp: Stamp): Promise<{ r: DeblendResult; summary: CandidateSummary } | { error: string }> {
        const { width: cols, height: rows, bands } = stamp;
        try {
          const psf = presetPsfs(t.survey, bands, stamp.pixelScale);
          const eRel = params.mode === 'lens-light' ? LENS_LIGHT_EREL : undefined;
          // The flow prior learned shapes at one pixel scale: a stamp at another (> 10 % off) gets constraints only.
          const scale = loaded.prior && loaded.modelPixelScale !== undefined ? checkPixelScale(stamp.pixelScale, loaded.modelPixelScale, `source ${t.sourceId} stamp`) : null;
          const prior = scale?.status === 'mismatch' ? null : loaded.prior;
          let r: DeblendResult;
          if (pool) {
            // The worker finds the candidate's sources itself (serial work kept off this thread).
            r = await pool.deblend({ images: stamp.planes, rows, cols, variance: stamp.variance, psfs: psf.psfs, candidatePositions: true, constraints: [...constraints], maxIter: params.maxIter, eRel });
          } else {
            const positions = candidatePositions(stamp.planes, rows, cols, { variance: stamp.variance });
            const input: DeblendInput = {
              images: stamp.planes, rows, cols, variance: stamp.variance, psfs: psf.psfs, positions, constraints,
              maxIter: params.maxIter, eRel, shouldStop: () => ctx.cancelled(),
            };
            r = prior ? await deblendAsync(input, prior) : deblend(input);
          }
          if (ctx.cancelled()) throw new CancelledError('deblend cancelled');
          const summary = summariseCandidate(r, bands);
          if (psf.note) summary.warnings.unshift(psf.note);
          if (scale?.status === 'mismatch') summary.warnings.unshift(`learned prior not used: ${scale.message}`);
          return { r, summary };
        } catch (e) {
          if (e instanceof CancelledError || ctx.cancelled()) throw new CancelledError('deblend cancelled');
          if (e instanceof InputError) return { error: e.message };
          // A worker that crashed or was closed is the job's problem, not the stamp's.
          if (pool && !(e instanceof LensDeskError)) throw e;
          return { error: (e as Error).message };
        }
      }

      /** Writes the product FITS, the blink frames and the products rows of one deblended candidate. */
      function store(t: (typeof todo)[number], stamp: Stamp, r: DeblendResult, summary: CandidateSummary, seconds: number): void {
        const { width: cols, height: rows, bands } = stamp;
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
          ...r.sources.map((src, k): [string, Float64Array[], string] => [`comp${k + 1}`, src.model, `deblend component ${k + 1}`]),
        ];
        for (const [name, planes, comment] of frames) upsertFrameCutout(db, t.sourceId, `deblend-${name}`, rel(frame(name, planes, comment)), cols, rows, bands);
        const subFile = frame('lens-subtracted', sub, summary.deflector ? `data - deblend component ${summary.deflector} (deflector)` : 'no component at the centre: data');
        upsertFrameCutout(db, t.sourceId, 'lens-subtracted', rel(subFile), cols, rows, bands);
        const prodParams = { settings: key, prior: loaded.name, constraints: [...constraints], maxIter: params.maxIter, mode: params.mode };
        insertProduct(db, { sourceId: t.sourceId, kind: 'deblend', path: rel(productFile), params: prodParams, summary: { ...summary, prior: loaded.name, seconds }, jobId: ctx.jobId ?? null });
        insertProduct(db, { sourceId: t.sourceId, kind: 'lens-subtracted', path: rel(subFile), params: prodParams, summary: { deflector: summary.deflector }, jobId: ctx.jobId ?? null });
      }
      // Without a learned prior the solver is pure JS and each candidate independent: a pool of worker
      // threads runs `width` of them at once; the job thread reads stamps and writes the results.
      const width = loaded.prior ? 1 : Math.max(1, Math.min(params.workers, todo.length));
      const pool = width > 1 ? new DeblendPool(width) : null;
      const inflight = new Set<Promise<void>>();
      let fatal: Error | null = null;
      const onCancel = setInterval(() => { if (ctx.cancelled()) pool?.close(new CancelledError('deblend cancelled')); }, 100);
      try {
        for (const t of todo) {
          if (fatal) break;
          ctx.checkCancelled();
          const done = total - todo.length + deblended + failed.length;
          ctx.progress(done, total, `source ${t.sourceId} (${done + 1}/${total}): deblending${loaded.prior ? ' with the learned prior' : ''}`);
          let stamp: Stamp;
          try {
            stamp = readStampFile(isAbsolute(t.path) ? t.path : resolve(ctx.workspaceDir, t.path));
          } catch (e) {
            failed.push({ sourceId: t.sourceId, error: (e as Error).message });
            continue;
          }
          const t0 = performance.now();
          const task = solve(t, stamp);
          const p = task
            .then((out) => {
              if (ctx.cancelled()) throw new CancelledError('deblend cancelled');
              if ('error' in out) { failed.push({ sourceId: t.sourceId, error: out.error }); return; }
              store(t, stamp, out.r, out.summary, (performance.now() - t0) / 1000);
              deblended++;
              const d = total - todo.length + deblended + failed.length;
              ctx.progress(d, total, `source ${t.sourceId} (${d}/${total}): ${out.r.sources.length} components, χ²/pixel ${out.summary.chi2PerPixel?.toFixed(2) ?? '—'}`);
            })
            .catch((e: Error) => { fatal ??= ctx.cancelled() ? new CancelledError('deblend cancelled') : e; })
            .finally(() => inflight.delete(p));
          inflight.add(p);
          if (inflight.size >= width) await Promise.race(inflight);
        }
        await Promise.all(inflight);
      } finally {
        clearInterval(onCancel);
        pool?.close();
      }
      if (fatal) throw fatal;
      if (ctx.cancelled()) throw new CancelledError('deblend cancelled');

      return {
        settings: key, mode: params.mode, prior: loaded.name, workers: width, notes: loaded.notes, candidates: total, deblended, skipped: total - todo.length,
        failed: failed.length, failures: failed.slice(0, 20),
      };
    } finally {
      await loaded.dispose();
    }
  },
};
