// Catalog + images ingest: for every row of a catalog (FITS BINTABLE or CSV, RA/Dec columns found
// by name or UCD), cut a stamp (and a wider context cutout) out of per-band survey images by WCS,
// reading only the pixels needed (tile-compressed mosaics decode only the tiles touched), and
// store them as stamp FITS files in the workspace. Streams the catalog, so millions of rows never
// sit in memory. Resumable by catalog row.
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { InputError } from '../../../src-core/errors';
import { makeCutout, type CutoutBand } from '../../../src-core/image/cutout';
import { cutCatalogStamp } from '../../../src-core/image/stamp-cut';
import { skyRaDec } from '../../../src-core/units';
import { openCatalogFile } from '../../catalog/open-catalog';
import { catalogByName } from '../../store/ingest-state';
import { writeStampFile } from '../../stamps/stamp-file';
import { openCutoutBand } from '../../wcs/open-band';
import { normaliseBandName } from '../../../src-core/stamps/band-names';
import { bandOfImageFile } from './bands-param';
import type { JobKind } from '../types';
import { slug } from './ingest';

export interface IngestCatalogParams {
  catalogFile: string;
  images: { band: string; path: string; hdu?: number }[];
  name: string;
  size: number;
  contextSize: number;
  resampling: 'nearest' | 'bilinear';
  raColumn?: string;
  decColumn?: string;
  idColumn?: string;
}

const f32 = (a: Float64Array) => Float32Array.from(a);

export const ingestCatalogKind: JobKind<IngestCatalogParams> = {
  kind: 'ingest-catalog',
  prepare(p) {
    const catalogFile = typeof p.catalogFile === 'string' ? resolve(p.catalogFile) : '';
    if (!catalogFile || !existsSync(catalogFile)) {
      throw new InputError('INVALID_PARAMS', `ingest-catalog: catalog file ${catalogFile || '(none)'} not found`, { field: 'params.catalogFile' });
    }
    const images = Array.isArray(p.images) ? (p.images as { band?: unknown; path?: unknown; hdu?: unknown }[]) : [];
    if (!images.length) throw new InputError('INVALID_PARAMS', 'ingest-catalog: give at least one image (band=path)', { field: 'params.images' });
    const imgs = images.map((im, i) => {
      const path = typeof im.path === 'string' ? resolve(im.path) : '';
      if (!path || !existsSync(path)) throw new InputError('INVALID_PARAMS', `ingest-catalog: image ${i + 1} (${String(im.path)}) not found`, { field: `params.images.${i}.path` });
      const hdu = typeof im.hdu === 'number' ? im.hdu : undefined;
      // g=G.fits names the band (survey names normalised: HSC-G=… → g); else the image's FILTER/BAND (issue 18).
      const band = typeof im.band === 'string' && im.band ? normaliseBandName(im.band) : (bandOfImageFile(path, hdu) ?? basename(path));
      return { band, path, hdu };
    });
    const size = p.size === undefined ? 64 : Number(p.size);
    if (!Number.isInteger(size) || size < 8 || size > 1024) throw new InputError('INVALID_PARAMS', 'ingest-catalog: size must be an integer 8…1024 pixels', { field: 'params.size' });
    const contextSize = p.contextSize === undefined ? Math.min(1024, size * 3) : Number(p.contextSize);
    if (!Number.isInteger(contextSize) || (contextSize !== 0 && (contextSize < size || contextSize > 2048))) {
      throw new InputError('INVALID_PARAMS', 'ingest-catalog: contextSize must be 0 (none) or an integer ≥ size and ≤ 2048', { field: 'params.contextSize' });
    }
    const str = (k: string) => (typeof p[k] === 'string' && p[k] ? (p[k] as string) : undefined);
    return {
      catalogFile,
      images: imgs,
      name: str('name') ?? basename(catalogFile),
      size,
      contextSize,
      resampling: p.resampling === 'nearest' ? 'nearest' : 'bilinear',
      raColumn: str('raColumn'),
      decColumn: str('decColumn'),
      idColumn: str('idColumn'),
    };
  },
  async run(ctx) {
    const { repo, params: p } = ctx;
    // Rows are this catalog file's rows: another file under the same name would be taken as done.
    const existing = catalogByName(repo.db, p.name);
    const real = (f: string) => (existsSync(f) ? realpathSync(f) : resolve(f));
    if (existing && (existing.kind !== 'table' || real(existing.origin) !== real(p.catalogFile))) {
      throw new InputError(
        'CATALOG_EXISTS',
        `ingest-catalog: catalog '${p.name}' already holds ${existing.n} sources from ${existing.origin}, not ${p.catalogFile}. ` +
          'Ingest it under another name (--catalog NAME).',
        { field: 'params.name', path: p.catalogFile },
      );
    }
    const bands: (CutoutBand & { close(): void })[] = [];
    try {
      for (const im of p.images) bands.push({ ...openCutoutBand(im.path, { hdu: im.hdu }), name: im.band } as CutoutBand & { close(): void });
      const bandNames = p.images.map((i) => i.band);
      const stream = await openCatalogFile(p.catalogFile, {
        raColumn: p.raColumn, decColumn: p.decColumn, idColumn: p.idColumn, skipInvalid: true,
        signal: { get aborted() { return ctx.cancelled(); } },
      });
      const catalogId = repo.ensureCatalog(p.name, p.catalogFile, 'table', null);
      const done = repo.catalogRowsDone(catalogId);
      const dir = join(ctx.workspaceDir, 'cutouts', slug(p.name));
      mkdirSync(dir, { recursive: true });
      let added = 0, outside = 0, seen = 0;
      const total = stream.totalRows ?? 0;
      for await (const chunk of stream.chunks) {
        const batch: Parameters<typeof repo.insertSources>[1] = [];
        for (let i = 0; i < chunk.ids.length; i++) {
          if (i % 32 === 0) ctx.checkCancelled();
          seen++;
          const row = Number(chunk.rows[i]) - 1; // 0-based catalog row
          if (done.has(row)) continue;
          const centre = skyRaDec(chunk.ra[i]!, chunk.dec[i]!);
          const stamp = cutCatalogStamp(bands, bandNames, centre, p.size, p.resampling);
          if (!stamp) {
            outside++;
            continue;
          }
          const stampPath = join(dir, `${row}.fits`);
          const extra = Object.fromEntries(Object.entries(chunk.columns).map(([k, v]) => [k, typeof v[i] === 'bigint' ? String(v[i]) : v[i]]));
          const scale = stamp.pixelScale ?? null;
          writeStampFile(stampPath, stamp);
          let context;
          if (p.contextSize) {
            const wide = makeCutout(bands, { centre, width: p.contextSize, height: p.contextSize, resampling: p.resampling });
            const ctxPath = join(dir, `${row}-context.fits`);
            writeStampFile(ctxPath, { width: p.contextSize, height: p.contextSize, bands: bandNames, planes: wide.bands.map((b) => f32(b.data)), ra: centre.ra, dec: centre.dec, pixelScale: scale });
            context = { path: relative(ctx.workspaceDir, ctxPath), width: p.contextSize, height: p.contextSize, bands: bandNames };
          }
          batch.push({
            row, name: chunk.ids[i] || `row ${row + 1}`, ra: centre.ra, dec: centre.dec, extra,
            cutout: { path: relative(ctx.workspaceDir, stampPath), width: p.size, height: p.size, bands: bandNames },
            context,
          });
          if (batch.length >= 64) added += repo.insertSources(catalogId, batch.splice(0));
          ctx.progress(seen, Math.max(total, seen), `cut ${seen}${total ? `/${total}` : ''} rows, ${outside} outside the images`);
        }
        added += repo.insertSources(catalogId, batch.splice(0));
      }
      return { catalogId, catalog: p.name, rows: seen, added, skipped: done.size, outside, invalid: stream.stats.skipped };
    } finally {
      for (const b of bands) b.close();
    }
  },
};
