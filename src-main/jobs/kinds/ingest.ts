// Ingest job: a folder of FITS cutouts (one source per file: a band cube, a single image, or one
// image HDU per band) becomes a catalog. Each file is normalised into a stamp cube in the
// workspace (cutouts/<catalog>/<row>.fits), so the image protocol serves only workspace files.
// Resumable: rows already in the catalog are skipped. A bad file is reported by name and skipped;
// it never stops the job or loses what was ingested. A multi-cutout cube (`lensdesk simulate`'s
// chunks) becomes one source per cutout, at catalog row CHUNK_ROW·(file row + 1) + j.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { InputError, LensDeskError } from '../../../src-core/errors';
import { forEachStampInFile, writeStampFile } from '../../stamps/stamp-file';
import type { JobKind } from '../types';

export interface IngestParams {
  folder: string;
  catalog: string;
  survey?: string;
  recursive: boolean;
}

/** Rows of cutout j of a multi-cutout file: clear of the one-stamp files' rows (< CHUNK_ROW) and stable on resume. */
export const CHUNK_ROW = 2 ** 20;

const FITS_EXT = /\.(fits?|fts|fits\.gz|fit\.gz|fz)$/i;

export function listFitsFiles(folder: string, recursive: boolean): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory() && recursive) walk(p);
      else if (e.isFile() && FITS_EXT.test(e.name)) out.push(p);
    }
  };
  walk(folder);
  return out;
}

export const slug = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[.]+/, '').slice(0, 64) || 'catalog';

export const ingestKind: JobKind<IngestParams> = {
  kind: 'ingest',
  prepare(p) {
    if (typeof p.folder !== 'string' || !p.folder) {
      throw new InputError('INVALID_PARAMS', 'ingest: params.folder (a folder of FITS cutouts) is required', { field: 'params.folder' });
    }
    const folder = resolve(p.folder);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new InputError('NO_FOLDER', `ingest: ${folder} is not a folder`, { field: 'params.folder', path: folder });
    }
    const catalog = typeof p.catalog === 'string' && p.catalog.trim() ? p.catalog.trim().slice(0, 100) : basename(folder);
    return { folder, catalog, survey: typeof p.survey === 'string' ? p.survey : undefined, recursive: p.recursive !== false };
  },
  async run(ctx) {
    const { repo, params } = ctx;
    const files = listFitsFiles(params.folder, params.recursive);
    if (!files.length) throw new InputError('NO_FITS', `ingest: no FITS files (*.fits, *.fit, *.fits.gz, *.fz) in ${params.folder}`);
    const catalogId = repo.ensureCatalog(params.catalog, params.folder, 'cutouts', null);
    const outDir = join(ctx.workspaceDir, 'cutouts', slug(params.catalog));
    mkdirSync(outDir, { recursive: true });
    const done = repo.catalogRowsDone(catalogId);
    const failures: { file: string; error: string }[] = [];
    let added = 0;
    const batch: Parameters<typeof repo.insertSources>[1] = [];
    const flush = () => {
      if (batch.length) added += repo.insertSources(catalogId, batch.splice(0));
    };
    for (let row = 0; row < files.length; row++) {
      if (row % 16 === 0) ctx.checkCancelled();
      if (done.has(row)) continue;
      const file = files[row]!;
      try {
        forEachStampInFile(file, (s, j, cutout) => {
          const r = cutout ? CHUNK_ROW * (row + 1) + j : row;
          if (done.has(r)) return;
          const target = join(outDir, `${r}.fits`);
          writeStampFile(target, s);
          batch.push({
            row: r,
            name: cutout ? cutout.name : basename(file).replace(FITS_EXT, ''),
            ra: s.ra ?? null,
            dec: s.dec ?? null,
            extra: { file: relative(params.folder, file), ...(cutout ? { index: cutout.index } : {}) },
            cutout: { path: relative(ctx.workspaceDir, target), width: s.width, height: s.height, bands: s.bands },
          });
          if (batch.length >= 64) flush();
        });
      } catch (e) {
        const msg = e instanceof LensDeskError ? `${e.code}: ${e.message}` : (e as Error).message;
        failures.push({ file: relative(params.folder, file), error: msg });
      }
      if (batch.length >= 64) flush();
      ctx.progress(row + 1, files.length, `ingested ${row + 1}/${files.length} files${failures.length ? `, ${failures.length} unreadable` : ''}`);
    }
    flush();
    return { catalogId, catalog: params.catalog, files: files.length, added, skipped: done.size, failed: failures.length, failures: failures.slice(0, 50) };
  },
};
