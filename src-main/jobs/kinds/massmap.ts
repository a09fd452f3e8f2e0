// "Mass map" job: a weak-lensing κ map (KS93, Wiener, or the hybrid prior's posterior mean, std and
// samples) from a shear catalog file, written as FITS with a TAN WCS into the workspace
// (massmaps/job-<id>.fits, plus job-<id>.json with the run summary). Same code as `lensdesk massmap`
// (src-main/massmap/run.ts). Resumable: when the summary file exists with the same parameters the map is not recomputed. Each map is also a `products` row (kind 'massmap') with its peak
// catalogue beside it (job-<id>-peaks.csv) and, for Wiener without a table, the fitted spectrum (job-<id>-ps.csv). Cancel: the Wiener iterations check the flag every 10 iterations.
import { HYBRID_SAMPLERS, type HybridSampler } from '../../../src-core/massmap/hybrid';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { InputError } from '../../../src-core/errors';
import { runMassMap, type MassMapRunOptions } from '../../massmap/run';
import { peaksCsv } from '../../../src-core/massmap/peaks';
import { insertProduct, listProducts } from '../../store/products';
import type { MassMapExtras } from '../../massmap/run';
import type { JobContext, JobKind } from '../types';

export type MassMapParams = Omit<MassMapRunOptions, 'out' | 'peaks'>;

function optNum(p: Record<string, unknown>, k: string, lo: number, hi: number): number | undefined {
  const v = p[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v >= lo && v <= hi)) throw new InputError('INVALID_PARAMS', `massmap: ${k} must be a number in [${lo}, ${hi}]`, { field: `params.${k}` });
  return v;
}

export function prepareMassMap(p: Record<string, unknown>): MassMapParams {
  const catalog = p.catalog;
  if (typeof catalog !== 'string' || !isAbsolute(catalog)) throw new InputError('INVALID_PARAMS', 'massmap: catalog must be an absolute file path', { field: 'params.catalog' });
  const method = p.method ?? 'ks93';
  if (method !== 'ks93' && method !== 'wiener' && method !== 'hybrid') throw new InputError('INVALID_PARAMS', `massmap: method must be ks93, wiener or hybrid, got '${String(method)}'`, { field: 'params.method' });
  if (p.ps !== undefined && p.ps !== 'fit' && (typeof p.ps !== 'string' || !isAbsolute(p.ps))) throw new InputError('INVALID_PARAMS', "massmap: ps must be an absolute file path or 'fit'", { field: 'params.ps' });
  // hybrid (Remy et al. 2020; src-main/massmap/hybrid.ts): prior folder (default: the bundled κ prior),
  // samples = chains (default 16), σ ladder and onnxruntime threads; the grid pixel defaults to the prior's.
  if (p.prior !== undefined && (method !== 'hybrid' || typeof p.prior !== 'string' || !isAbsolute(p.prior))) throw new InputError('INVALID_PARAMS', 'massmap: prior must be an absolute folder path, and only with method hybrid', { field: 'params.prior' });
  const levels = optNum(p, 'levels', 2, 200), stepsPerLevel = optNum(p, 'stepsPerLevel', 1, 100), threads = optNum(p, 'threads', 1, 64);
  if (p.sampler !== undefined && (method !== 'hybrid' || !(HYBRID_SAMPLERS as readonly unknown[]).includes(p.sampler))) throw new InputError('INVALID_PARAMS', `massmap: sampler must be one of ${HYBRID_SAMPLERS.join(', ')}, and only with method hybrid`, { field: 'params.sampler' });
  const sampler = p.sampler as HybridSampler | undefined;
  return {
    catalog, method, ps: p.ps as string | undefined,
    ...(method === 'hybrid' ? { prior: p.prior as string | undefined, levels, stepsPerLevel, threads, ...(sampler ? { sampler } : {}) } : {}),
    pixArcmin: optNum(p, 'pixArcmin', 0.01, 600), smoothArcmin: optNum(p, 'smoothArcmin', 0, 600),
    samples: optNum(p, 'samples', 0, 1000), seed: optNum(p, 'seed', 0, 2 ** 31 - 1), pad: optNum(p, 'pad', 1, 8),
    flipE1: p.flipE1 === true, flipE2: p.flipE2 === true,
  };
}

/**
 * One `products` row per map (kind 'massmap', catalog-level: source_id NULL), once per job: params
 * {method, pixel, ps, samples} and summary {field, rms, peaks, …} (src-main/store/products.ts).
 */
function recordProduct(ctx: JobContext<MassMapParams>, rel: string, summary: Record<string, unknown>, x: MassMapExtras): void {
  const db = ctx.repo.db;
  if (listProducts(db, null, 'massmap').some((p) => p.jobId === ctx.jobId)) return;
  const grid = summary.grid as { rows: number; cols: number; pixArcmin: number; ra0: number; dec0: number };
  insertProduct(db, {
    sourceId: null, kind: 'massmap', path: rel, jobId: ctx.jobId,
    params: { method: ctx.params.method, pixel: grid.pixArcmin, ps: summary.ps ?? null, samples: ctx.params.samples ?? 0, smooth: ctx.params.smoothArcmin ?? 0, catalog: ctx.params.catalog },
    summary: {
      field: x.fieldArcmin, center: [grid.ra0, grid.dec0], grid: [grid.cols, grid.rows], rms: x.rms, peaks: x.peaks.length, snrFrom: x.snrFrom,
      galaxies: summary.galaxies, maskedFraction: summary.maskedFraction, std: summary.std, peaksFile: rel.replace(/\.fits$/, '-peaks.csv'),
    },
  });
}

export const massmapKind: JobKind<MassMapParams> = {
  kind: 'massmap',
  prepare: (p) => prepareMassMap(p),
  async run(ctx) {
    const dir = join(ctx.workspaceDir, 'massmaps');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `job-${ctx.jobId}.fits`), meta = join(dir, `job-${ctx.jobId}.json`);
    const key = JSON.stringify(ctx.params);
    const rel = `massmaps/job-${ctx.jobId}.fits`;
    if (existsSync(out) && existsSync(meta)) {
      const prev = JSON.parse(readFileSync(meta, 'utf8')) as { key: string; summary: Record<string, unknown>; extras?: MassMapExtras };
      if (prev.key === key) {
        // Resumed after the map was written: the products row may still be missing (crash in between).
        if (prev.extras) recordProduct(ctx, rel, prev.summary, prev.extras);
        return { ...prev.summary, resumed: true };
      }
    }
    ctx.progress(0, 1, 'reading catalog');
    let extras: MassMapExtras | undefined;
    const summary = await runMassMap({ ...ctx.params, out, psOut: join(dir, `job-${ctx.jobId}-ps.csv`) }, {
      signal: { get aborted() { return ctx.cancelled(); } },
      progress: (d, t, l) => ctx.progress(d, t, l),
      done: (r) => (extras = r),
    });
    ctx.checkCancelled();
    // The peak catalogue beside the map (CSV: x, y, ra, dec, kappa, std, snr), exportable as it is.
    writeFileSync(join(dir, `job-${ctx.jobId}-peaks.csv`), peaksCsv(extras!.peaks));
    writeFileSync(meta, JSON.stringify({ key, summary, extras }));
    recordProduct(ctx, rel, summary, extras!);
    ctx.progress(1, 1, 'done');
    return summary;
  },
};
