// "Reconstruct source" job: the unlensed source behind a candidate's lens model (after "Model this lens"),
// src-main/source/run.ts with the source's stamp and its latest (or a given) lens-model posterior. Writes
// the product FITS (MEAN, STD, SAMPLES, MODEL, RESIDUAL) under products/source/, one `products` row of
// kind 'source', and the blink frames 'source-mean' and 'source-std' (single-HDU FITS, upsertFrameCutout).
// Cancel: an AbortSignal polled by the solvers. Resume: a re-run of the same job whose product row exists
// returns it without recomputing (the product is written before the row, the frames after it).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CancelledError, InputError } from '../../../src-core/errors';
import { writeFits } from '../../../src-core/fits/writer';
import { bundledScorePrior } from '../../score/bundled-prior';
import { workspaceDraws } from '../../source/lens-draws';
import { runSourceReconstruction, sourceHdus } from '../../source/run';
import { workspaceStampInput } from '../../source/workspace-input';
import { insertProduct, listProducts, upsertFrameCutout } from '../../store/products';
import type { JobKind } from '../types';

export interface SourceParams {
  sourceId: number;
  posteriorId?: number;
  prior: 'wiener' | 'learned';
  samples: number;
  lensDraws: number;
  grid: number;
  seed: number;
}

const intIn = (p: Record<string, unknown>, k: string, lo: number, hi: number, d: number): number => {
  if (p[k] === undefined) return d;
  const v = p[k];
  if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi) throw new InputError('INVALID_PARAMS', `source: ${k} must be an integer in [${lo}, ${hi}]`, { field: `params.${k}` });
  return v as number;
};

export function prepareSource(p: Record<string, unknown>): SourceParams {
  const prior = p.prior ?? 'wiener';
  if (prior !== 'wiener' && prior !== 'learned') throw new InputError('INVALID_PARAMS', `source: prior must be 'wiener' or 'learned', got '${String(prior)}'`, { field: 'params.prior' });
  if (prior === 'learned' && !bundledScorePrior()) throw new InputError('NO_SCORE_PRIOR', 'no bundled score prior is installed (models/priors/score-galaxies-64): use the Gaussian prior', { field: 'params.prior' });
  return {
    sourceId: intIn(p, 'sourceId', 1, 2 ** 31 - 1, 0),
    ...(p.posteriorId !== undefined ? { posteriorId: intIn(p, 'posteriorId', 1, 2 ** 31 - 1, 0) } : {}),
    prior, samples: intIn(p, 'samples', 0, 256, 16), lensDraws: intIn(p, 'lensDraws', 1, 64, 8), grid: intIn(p, 'grid', 8, 128, 64), seed: intIn(p, 'seed', 0, 2 ** 31 - 1, 0),
  };
}

export const sourceKind: JobKind<SourceParams> = {
  kind: 'source',
  prepare: (p) => {
    const out = prepareSource(p);
    if (!out.sourceId) throw new InputError('INVALID_PARAMS', 'source: give sourceId', { field: 'params.sourceId' });
    return out;
  },
  async run(ctx) {
    const { params: p } = ctx;
    const db = ctx.repo.db;
    const done = listProducts(db, p.sourceId, 'source').find((r) => r.jobId === ctx.jobId);
    if (done) return { sourceId: p.sourceId, productId: done.id, path: done.path, resumed: true };
    ctx.checkCancelled(); // a job cancelled while queued starts nothing
    // Errors here (no posterior, no stamp) are the job's error, with the source named.
    const draws = workspaceDraws(db, { posteriorId: p.posteriorId, sourceId: p.sourceId });
    const { input } = workspaceStampInput(db, ctx.workspaceDir, p.sourceId);
    const priorDir = p.prior === 'learned' ? bundledScorePrior() : null;
    if (p.prior === 'learned' && !priorDir) throw new InputError('NO_SCORE_PRIOR', 'no bundled score prior is installed: use the Gaussian prior', { field: 'params.prior' });
    const abort = new AbortController();
    const poll = setInterval(() => ctx.cancelled() && abort.abort(), 200);
    let r;
    try {
      r = await runSourceReconstruction({
        input, draws, prior: priorDir ? { dir: priorDir } : 'wiener', samples: p.samples, seed: p.seed, lensDraws: p.lensDraws, grid: p.grid,
        threads: 1, signal: abort.signal, progress: (d, t, l) => ctx.progress(d, t, `source ${p.sourceId}: ${l ?? ''}`),
      });
    } catch (e) {
      if (e instanceof CancelledError || ctx.cancelled()) throw new CancelledError('source reconstruction cancelled');
      throw e;
    } finally {
      clearInterval(poll);
    }
    const dir = join(ctx.workspaceDir, 'products', 'source');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${p.sourceId}-job${ctx.jobId}.fits`);
    writeFileSync(file, writeFits(sourceHdus(r, input.pixelScale, input.size, priorDir ?? 'wiener')));
    const productId = insertProduct(db, {
      sourceId: p.sourceId, kind: 'source', path: relative(ctx.workspaceDir, file), jobId: ctx.jobId,
      params: { ...p, posteriorId: 'posteriorId' in draws ? draws.posteriorId : null }, summary: r.summary,
    });
    const g = r.grid;
    for (const [frame, data] of [['mean', r.mean], ['std', r.std]] as const) {
      const f = join(dir, `${p.sourceId}-${frame}.fits`);
      writeFileSync(f, writeFits([{
        kind: 'image', shape: [g.rows, g.cols], data: Float32Array.from(data),
        cards: [
          { keyword: 'PRODUCT', value: `source-${frame}`, comment: 'LensDesk source reconstruction frame' },
          { keyword: 'BAND', value: r.band }, { keyword: 'PIXSCALE', value: g.pixelScale, comment: 'source-plane pixel side, arcsec' },
        ],
      }]));
      upsertFrameCutout(db, p.sourceId, `source-${frame}`, relative(ctx.workspaceDir, f), g.cols, g.rows, [r.band]);
    }
    ctx.progress(1, 1, `source ${p.sourceId}: done (band ${r.band}, ${r.samples.length} samples)`);
    return { sourceId: p.sourceId, productId, path: relative(ctx.workspaceDir, file), band: r.band, seconds: r.summary.seconds, chi2PerPixel: r.summary.chi2PerPixel };
  },
};
