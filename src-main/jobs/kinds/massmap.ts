// "Mass map" job: a weak-lensing κ map (KS93 or Wiener) from a shear catalog file, written as FITS with a
// TAN WCS into the workspace (massmaps/job-<id>.fits, plus job-<id>.json with the run summary). Same code
// as `lensdesk massmap` (src-main/massmap/run.ts). Resumable: when the summary file exists with the same
// parameters the map is not recomputed. Cancel: the Wiener iterations check the flag every 10 iterations.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { InputError } from '../../../src-core/errors';
import { hybridNotImplemented } from '../../../src-core/massmap/reconstruct';
import { runMassMap, type MassMapRunOptions } from '../../massmap/run';
import type { JobKind } from '../types';

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
  if (method === 'hybrid') hybridNotImplemented();
  if (method !== 'ks93' && method !== 'wiener') throw new InputError('INVALID_PARAMS', `massmap: method must be ks93 or wiener, got '${String(method)}'`, { field: 'params.method' });
  if (p.ps !== undefined && (typeof p.ps !== 'string' || !isAbsolute(p.ps))) throw new InputError('INVALID_PARAMS', 'massmap: ps must be an absolute file path', { field: 'params.ps' });
  if (method === 'wiener' && p.ps === undefined) throw new InputError('INVALID_PARAMS', 'massmap: the Wiener filter needs ps (a table of ell, C_ell)', { field: 'params.ps' });
  return {
    catalog, method, ps: p.ps as string | undefined,
    pixArcmin: optNum(p, 'pixArcmin', 0.01, 600), smoothArcmin: optNum(p, 'smoothArcmin', 0, 600),
    samples: optNum(p, 'samples', 0, 1000), seed: optNum(p, 'seed', 0, 2 ** 31 - 1), pad: optNum(p, 'pad', 1, 8),
    flipE1: p.flipE1 === true, flipE2: p.flipE2 === true,
  };
}

export const massmapKind: JobKind<MassMapParams> = {
  kind: 'massmap',
  prepare: (p) => prepareMassMap(p),
  async run(ctx) {
    const dir = join(ctx.workspaceDir, 'massmaps');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `job-${ctx.jobId}.fits`), meta = join(dir, `job-${ctx.jobId}.json`);
    const key = JSON.stringify(ctx.params);
    if (existsSync(out) && existsSync(meta)) {
      const prev = JSON.parse(readFileSync(meta, 'utf8')) as { key: string; summary: Record<string, unknown> };
      if (prev.key === key) return { ...prev.summary, resumed: true };
    }
    ctx.progress(0, 1, 'reading catalog');
    const summary = await runMassMap({ ...ctx.params, out }, {
      signal: { get aborted() { return ctx.cancelled(); } },
      progress: (d, t, l) => ctx.progress(d, t, l),
    });
    ctx.checkCancelled();
    writeFileSync(meta, JSON.stringify({ key, summary }));
    ctx.progress(1, 1, 'done');
    return summary;
  },
};
