// Ingest job: a folder of FITS cutouts (one source per file: a band cube, a single image, or one
// image HDU per band) becomes a catalog. Each file is normalised into a stamp cube in the
// workspace (cutouts/<catalog>/<row>.fits), so the image protocol serves only workspace files.
// Resumable by file identity (relative path + size + mtime): files already in the catalog are
// skipped, files added since are ingested, none twice. A multi-cutout cube (`lensdesk simulate`'s
// chunks) becomes one source per cutout, at catalog row CHUNK_ROW·(file row + 1) + j; a chunk cut
// short by a crash is finished on resume. A bad file is reported by name and skipped;
// it never stops the job or loses what was ingested. A full disk does stop it (DISK_FULL), after
// committing what was already converted.
import { existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { InputError, LensDeskError } from '../../../src-core/errors';
import { diskErrorKind } from '../../store/disk-error';
import { catalogByName, ingestedFiles } from '../../store/ingest-state';
import { forEachStampInFile, writeStampFile } from '../../stamps/stamp-file';
import type { JobKind } from '../types';
import { openContextSurvey, prepareContextImages, type ContextImage, type ContextSurvey } from './context-cutouts';
import { FITS_EXT, scanFitsFolder, type SkippedEntry } from './ingest-scan';
import { prepareBandsParam } from './bands-param';
import type { SurveyShape } from '../../../src-core/classify/choose-model';
import { chooseScoringModel } from '../../classify/model-choice';
import { activeModelPath } from './score';

/** Which model `lensdesk score` would use on these cutouts, and why (or why none fits). */
function modelFor(survey: SurveyShape, active: string | undefined): string {
  try {
    return chooseScoringModel({ survey, active }).reason;
  } catch (e) {
    return e instanceof LensDeskError ? `${e.code}: ${e.message}` : (e as Error).message;
  }
}

export interface IngestParams {
  folder: string;
  catalog: string;
  survey?: string;
  recursive: boolean;
  /** Survey images the stamps were cut from: each stamp with RA/Dec gets a context cutout from them. */
  contextImages?: ContextImage[];
  /** Side of the context cutouts in the first image's pixels (default 3 × the stamp, ≤ 1024). */
  contextSize?: number;
  /** `--bands g,r,i,z`: the bands of the planes in file order, for files that do not name them. */
  bands?: string[];
}

/** Rows of cutout j of a multi-cutout file: clear of the one-stamp files' rows (< CHUNK_ROW) and stable on resume. */
export const CHUNK_ROW = 2 ** 20;

/** FITS files in `folder`, sorted (links followed; see ingest-scan.ts for what is left out and why). */
export function listFitsFiles(folder: string, recursive: boolean): string[] {
  return scanFitsFolder(folder, recursive).files.map((f) => f.path);
}

export const slug = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[.]+/, '').slice(0, 64) || 'catalog';

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

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
    const contextImages = prepareContextImages(p.contextImages);
    const contextSize = p.contextSize === undefined ? undefined : Number(p.contextSize);
    const bands = prepareBandsParam(p.bands);
    return {
      ...(bands ? { bands } : {}),
      folder, catalog, survey: typeof p.survey === 'string' ? p.survey : undefined, recursive: p.recursive !== false,
      ...(contextImages ? { contextImages } : {}), ...(contextSize !== undefined ? { contextSize } : {}),
    };
  },
  async run(ctx) {
    const { repo, params } = ctx;
    const { files, skipped: notTaken } = scanFitsFolder(params.folder, params.recursive);
    if (!files.length) {
      const why = notTaken.length ? `; left out: ${notTaken.slice(0, 5).map((s) => `${s.file} (${s.reason})`).join(', ')}` : '';
      throw new InputError('NO_FITS', `ingest: no FITS files (*.fits, *.fit, *.fits.gz, *.fz) in ${params.folder}${why}`);
    }
    // One catalog, one folder: relative paths are the files' identities, so two folders under one
    // name would mix up "a.fits" from each. Refuse, and say what to do instead.
    const existing = catalogByName(repo.db, params.catalog);
    if (existing && (existing.kind !== 'cutouts' || real(existing.origin) !== real(params.folder))) {
      throw new InputError(
        'CATALOG_EXISTS',
        `ingest: catalog '${params.catalog}' already holds ${existing.n} sources from ${existing.origin}` +
          `${existing.kind === 'cutouts' ? '' : ` (a ${existing.kind} catalog)`}, a different folder from ${params.folder}. ` +
          `Ingest this folder under another name (--catalog NAME); to add files to '${params.catalog}', put them in ${existing.origin} and ingest that folder again (only new files are added).`,
        { field: 'params.catalog', path: params.folder },
      );
    }
    const catalogId = repo.ensureCatalog(params.catalog, params.folder, 'cutouts', null);
    const outDir = join(ctx.workspaceDir, 'cutouts', slug(params.catalog));
    mkdirSync(outDir, { recursive: true });
    const done = ingestedFiles(repo.db, catalogId);
    const survey: ContextSurvey | null = params.contextImages ? openContextSurvey(params.contextImages) : null;
    let contextOutside = 0;
    try {
    let nextRow = done.nextRow;
    const failures: { file: string; error: string }[] = [];
    const skippedFiles: SkippedEntry[] = [...notTaken];
    let added = 0;
    let already = 0;
    // Which keyword (or --bands) named the bands, counted over the stamps, and the band lists seen.
    const bandSources: Record<string, number> = {};
    const bandSets: Record<string, number> = {};
    let firstShape: SurveyShape | null = null;
    const batch: Parameters<typeof repo.insertSources>[1] = [];
    const flush = () => {
      if (batch.length) added += repo.insertSources(catalogId, batch.splice(0));
    };
    for (let i = 0; i < files.length; i++) {
      if (i % 16 === 0 && ctx.cancelled()) {
        flush(); // keep what is converted; a resume goes on from there
        ctx.checkCancelled();
      }
      const scanned = files[i]!;
      const prev = done.files.get(scanned.rel);
      if (prev && !(prev.size === undefined || (prev.size === scanned.size && prev.mtime === scanned.mtimeMs))) {
        skippedFiles.push({ file: scanned.rel, reason: 'changed since it was ingested (size or modification time differs); the earlier version is kept' });
        continue;
      }
      if (prev && !prev.chunk) {
        already++;
        continue;
      }
      // A new file takes the next row; a multi-cutout file seen before keeps its row and adds only
      // the cutouts a crash left out.
      const row = prev ? prev.row : nextRow;
      const f = { ...scanned };
      try {
        // Replaced since the listing (by a FIFO, say)? Never open what is not a regular file.
        const now = statSync(f.path);
        if (!now.isFile()) {
          skippedFiles.push({ file: f.rel, reason: 'no longer a regular file' });
          continue;
        }
        f.size = now.size;
        f.mtimeMs = Math.floor(now.mtimeMs);
        let fresh = 0;
        forEachStampInFile(f.path, (s, j, cutout, bandSource) => {
          const r = cutout ? CHUNK_ROW * (row + 1) + j : row;
          if (done.rows.has(r)) return;
          const kind = bandSource.replace(/ \(HDU [\d,]+\)/g, '');
          bandSources[kind] = (bandSources[kind] ?? 0) + 1;
          bandSets[s.bands.join(',')] = (bandSets[s.bands.join(',')] ?? 0) + 1;
          firstShape ??= { bands: s.bands, pixelScale: s.pixelScale ?? null, width: s.width, height: s.height };
          const target = join(outDir, `${r}.fits`);
          writeStampFile(target, s);
          let context: { path: string; width: number; height: number; bands: string[] } | undefined;
          if (survey && s.ra != null && s.dec != null) {
            const size = params.contextSize ?? Math.min(1024, 3 * s.width);
            const wide = survey.cut(s.ra, s.dec, size);
            if (wide) {
              const ctxPath = join(outDir, `${r}-context.fits`);
              writeStampFile(ctxPath, wide);
              context = { path: relative(ctx.workspaceDir, ctxPath), width: size, height: size, bands: wide.bands };
            } else contextOutside++;
          }
          batch.push({
            context,
            row: r,
            name: cutout ? cutout.name : basename(f.path).replace(FITS_EXT, ''),
            ra: s.ra ?? null,
            dec: s.dec ?? null,
            extra: { file: f.rel, size: f.size, mtime: f.mtimeMs, ...(cutout ? { index: cutout.index } : {}) },
            cutout: { path: relative(ctx.workspaceDir, target), width: s.width, height: s.height, bands: s.bands },
          });
          fresh++;
          if (batch.length >= 64) flush();
        }, params.bands ? { bands: params.bands } : {});
        if (!prev) nextRow++;
        else if (fresh === 0) already++;
      } catch (e) {
        if (diskErrorKind(e)) {
          // The disk is full: keep what is converted (if the database still takes it) and stop.
          try {
            flush();
          } catch {
            /* the database is on the same full disk; the job's error says so */
          }
          throw e;
        }
        const msg = e instanceof LensDeskError ? `${e.code}: ${e.message}` : (e as Error).message;
        failures.push({ file: f.rel, error: msg });
      }
      if (batch.length >= 64) flush();
      ctx.progress(i + 1, files.length, `ingested ${i + 1}/${files.length} files${failures.length ? `, ${failures.length} unreadable` : ''}`);
    }
    flush();
    return {
      catalogId, catalog: params.catalog, files: files.length, added, skipped: already, failed: failures.length,
      notIngested: skippedFiles.length, failures: failures.slice(0, 50), skippedFiles: skippedFiles.slice(0, 50),
      ...(firstShape ? { scoreWith: modelFor(firstShape, activeModelPath(repo, ctx.workspaceDir)) } : {}),
      bandsNamedBy: Object.entries(bandSources).map(([k, n]) => `${k} ×${n}`).join('; ') || 'nothing new',
      bands: bandSets, bandSources, ...(params.bands ? { bandsOption: params.bands } : {}),
      ...(survey ? { contextOutside } : {}),
    };
    } finally {
      survey?.close();
    }
  },
};
