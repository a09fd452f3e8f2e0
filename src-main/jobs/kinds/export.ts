// Export job: the vetted catalog (filtered by consensus grade, score, …) to CSV, ECSV, FITS or VOTable
// in the workspace's exports/ folder (or a path the user chose), recorded in the exports table.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../../../src-core/errors';
import { buildExport, EXPORT_EXTENSIONS, EXPORT_FORMATS, type ExportFormat } from '../../export/catalog-export';
import { writeCutoutBundle } from '../../export/cutout-bundle';
import { writeFileAtomic } from '../../stamps/stamp-file';
import type { JobKind } from '../types';

export interface ExportParams {
  format: ExportFormat;
  out: string;
  minConsensus?: number;
  minScore?: number;
  /** Leave out likely blends (latest blend score P ≥ 0.5), as the grid's "hide likely blends" filter (issue 14). */
  hideBlends?: boolean;
  /** Replace an existing file or folder at `out` (never implied: the CLI's --force, the UI's confirmation). */
  overwrite?: boolean;
}

export const exportKind: JobKind<ExportParams> = {
  kind: 'export',
  prepare(p, workspaceDir) {
    const format = (p.format ?? 'csv') as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) {
      throw new InputError('INVALID_PARAMS', `export: format must be one of ${EXPORT_FORMATS.join(', ')}`, { field: 'params.format' });
    }
    const num = (k: string, lo: number, hi: number) => {
      if (p[k] === undefined) return undefined;
      const v = Number(p[k]);
      if (!(v >= lo && v <= hi)) throw new InputError('INVALID_PARAMS', `export: ${k} must be within [${lo}, ${hi}]`, { field: `params.${k}` });
      return v;
    };
    // A bundle is a folder (cutouts.fits cube, catalog.fits/csv, png/); the others are one file.
    const ext = EXPORT_EXTENSIONS[format];
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const out = typeof p.out === 'string' && p.out ? (isAbsolute(p.out) ? p.out : resolve(p.out)) : join(workspaceDir, 'exports', `lensdesk-${stamp}${ext}`);
    const overwrite = p.overwrite === true;
    if (!overwrite && existsSync(out)) {
      throw new InputError('EXPORT_EXISTS', `export: ${out} already exists; choose another name or allow overwriting (lensdesk export --force)`, {
        field: 'params.out',
        path: out,
      });
    }
    // `excludeLikelyBlends` is accepted as a synonym (the wording); both must be booleans.
    const hb = p.hideBlends ?? p.excludeLikelyBlends;
    if (hb !== undefined && typeof hb !== 'boolean') throw new InputError('INVALID_PARAMS', 'export: hideBlends must be true or false', { field: 'params.hideBlends' });
    return { format, out, minConsensus: num('minConsensus', 0, 3), minScore: num('minScore', 0, 1), ...(hb ? { hideBlends: true } : {}), overwrite };
  },
  async run(ctx) {
    ctx.progress(0, 1, 'selecting');
    const params = ctx.params;
    if (params.format === 'bundle') {
      const b = writeCutoutBundle(ctx.repo, ctx.workspaceDir, params.out, params, (d, t) => ctx.progress(d, t, `bundle ${d}/${t}`), () => ctx.checkCancelled());
      ctx.repo.recordExport(ctx.jobId, 'bundle', params.out, params, b.rows);
      return { path: params.out, rows: b.rows, format: 'bundle', skipped: b.skipped.length, files: ['cutouts.fits', 'catalog.fits', 'catalog.csv', 'png/', ...(b.products.files ? ['products/', 'products.csv'] : [])], products: b.products };
    }
    const { bytes, nRows } = buildExport(ctx.repo, { ...params, format: params.format });
    ctx.checkCancelled();
    mkdirSync(dirname(ctx.params.out), { recursive: true });
    writeFileAtomic(ctx.params.out, bytes);
    ctx.repo.recordExport(ctx.jobId, ctx.params.format, ctx.params.out, ctx.params, nRows);
    ctx.progress(1, 1, `wrote ${nRows} rows`);
    return { path: ctx.params.out, rows: nRows, format: ctx.params.format };
  },
};
