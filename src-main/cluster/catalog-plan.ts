// Catalog + survey images as a shard plan's source (issue 17): at plan time the catalog's data rows
// are counted (streaming; a FITS table states its count) and the catalog and images checksummed; on a
// node, a shard streams its contiguous range of catalog rows and cuts each stamp in memory from the
// images with the same code `lensdesk ingest --catalog-file … --images …` uses (cutCatalogStamp), so
// the scores equal ingest + score of the same rows. Row ids are 0-based catalog data rows, as ingest's.
import { statSync } from 'node:fs';
import type { PlanCatalog, ShardPlan } from '../../src-core/cluster/plan-schema';
import { InputError } from '../../src-core/errors';
import type { CutoutBand } from '../../src-core/image/cutout';
import { cutCatalogStamp } from '../../src-core/image/stamp-cut';
import type { Stamp } from '../../src-core/stamps/stamp';
import { skyRaDec } from '../../src-core/units';
import { openCatalogFile } from '../catalog/open-catalog';
import { ingestCatalogKind } from '../jobs/kinds/ingest-catalog';
import { openCutoutBand } from '../wcs/open-band';
import { sha256File } from './checksum';

export interface CatalogPlanInput {
  catalogFile: string;
  /** As `lensdesk ingest --images`: band '' means "from the image's FILTER/BAND keyword". */
  images: { band: string; path: string; hdu?: number }[];
  size?: number;
  resampling?: 'nearest' | 'bilinear';
  raColumn?: string;
  decColumn?: string;
  idColumn?: string;
}

/** One row of a shard: `load` cuts its stamp, or throws naming why the row cannot be scored. */
export interface ShardRow {
  row: number;
  id: string;
  ra: number | null;
  dec: number | null;
  path: string;
  load(): Stamp;
}

/** Validates and normalises like the ingest job (band names, size 8…1024, default 64), then counts rows and checksums inputs. */
export async function describeCatalog(input: CatalogPlanInput, checksums: boolean, signal?: { readonly aborted: boolean }): Promise<PlanCatalog> {
  const p = ingestCatalogKind.prepare({ ...input, contextSize: 0 } as unknown as Record<string, unknown>, '');
  const stream = await openCatalogFile(p.catalogFile, { raColumn: p.raColumn, decColumn: p.decColumn, idColumn: p.idColumn, skipInvalid: true, keepColumns: 'none', signal });
  let rows = stream.totalRows;
  if (rows === undefined) {
    for await (const chunk of stream.chunks) void chunk;
    rows = stream.stats.rows;
  }
  // Opening each band checks it has an image HDU and a WCS now, not on 100 nodes later.
  for (const im of p.images) openCutoutBand(im.path, { hdu: im.hdu }).close();
  const sum = (path: string) => (checksums ? sha256File(path) : '0'.repeat(64));
  return {
    path: p.catalogFile, sha256: sum(p.catalogFile), bytes: statSync(p.catalogFile).size, rows,
    raColumn: p.raColumn ?? null, decColumn: p.decColumn ?? null, idColumn: p.idColumn ?? null,
    images: p.images.map((im) => ({ band: im.band, path: im.path, hdu: im.hdu ?? null, bytes: statSync(im.path).size, sha256: sum(im.path) })),
    size: p.size, resampling: p.resampling,
  };
}

/** Checks the catalog and images are the ones planned (size always; sha256 when the plan has checksums). */
export function checkCatalogInputs(plan: ShardPlan, cat: PlanCatalog): void {
  for (const f of [{ path: cat.path, bytes: cat.bytes, sha256: cat.sha256 }, ...cat.images]) {
    let bytes: number;
    try {
      bytes = statSync(f.path).size;
    } catch {
      throw new InputError('PLAN_INPUT_MISSING', `${f.path} (planned in ${plan.planId}) is not readable on this node`, { path: f.path });
    }
    if (bytes !== f.bytes || (plan.itemChecksums && sha256File(f.path) !== f.sha256)) {
      throw new InputError('PLAN_INPUT_CHANGED', `${f.path} changed since plan ${plan.planId} was made (size or sha256 differs)`, { path: f.path });
    }
  }
}

/**
 * Streams catalog rows first…last (0-based, inclusive); each carries a `load` that cuts its stamp
 * from the images (opened once, closed by the returned `close`). Rows the catalog reader skipped for
 * missing/invalid RA/Dec, and rows off every image, come out as rows whose `load` throws.
 */
export function catalogRows(cat: PlanCatalog, first: number, last: number, signal?: { readonly aborted: boolean }): { rows: AsyncGenerator<ShardRow>; close(): void } {
  const bands: (CutoutBand & { close(): void })[] = [];
  const close = () => {
    for (const b of bands.splice(0)) b.close();
  };
  try {
    for (const im of cat.images) bands.push({ ...openCutoutBand(im.path, { hdu: im.hdu ?? undefined }), name: im.band } as CutoutBand & { close(): void });
  } catch (e) {
    close();
    throw e;
  }
  const names = cat.images.map((i) => i.band);
  const invalid = (row: number): ShardRow => ({
    row, id: `row ${row + 1}`, ra: null, dec: null, path: cat.path,
    load: () => {
      throw new InputError('BAD_POSITION', `${cat.path} data row ${row + 1}: RA/Dec missing or out of range`, { path: cat.path, row: row + 1 });
    },
  });
  async function* rows(): AsyncGenerator<ShardRow> {
    if (last < first) return;
    const stream = await openCatalogFile(cat.path, { raColumn: cat.raColumn ?? undefined, decColumn: cat.decColumn ?? undefined, idColumn: cat.idColumn ?? undefined, skipInvalid: true, keepColumns: 'none', signal });
    let next = first;
    outer: for await (const chunk of stream.chunks) {
      for (let i = 0; i < chunk.ids.length; i++) {
        const row = Number(chunk.rows[i]) - 1;
        if (row < first) continue;
        for (; next < row && next <= last; next++) yield invalid(next);
        if (row > last) break outer;
        next = row + 1;
        const ra = chunk.ra[i]!, dec = chunk.dec[i]!;
        yield {
          row, id: chunk.ids[i] || `row ${row + 1}`, ra, dec, path: cat.path,
          load: () => {
            const stamp = cutCatalogStamp(bands, names, skyRaDec(ra, dec), cat.size, cat.resampling);
            if (!stamp) throw new InputError('OUTSIDE_IMAGES', `${cat.path} data row ${row + 1} (RA ${ra}, Dec ${dec}) lies outside every survey image`, { path: cat.path, row: row + 1 });
            return stamp;
          },
        };
      }
    }
    // Invalid rows at the end of the range, or a catalog shorter than planned.
    // (stats.rows counts every data row read, skipped ones included; after a break it is ≥ last + 1.)
    for (; next <= last && next < stream.stats.rows; next++) yield invalid(next);
    if (next <= last) throw new InputError('INPUT_CHANGED', `${cat.path} has fewer data rows than planned (${cat.rows})`, { path: cat.path });
  }
  return { rows: rows(), close };
}
