// For a catalog + images plan, merge's top-K rows exist nowhere as stamps yet: they are cut again from
// the survey images (catalogRows → cutCatalogStamp, the code ingest and the shard nodes use, so the
// imported stamp is the one that was scored) into the workspace's cutouts/shard-<plan id>/ and added
// as sources of a catalog 'shard plan <id>' whose rows are the catalog's 0-based data rows.
// Streams the catalog once, from the first wanted row to the last. Catalog columns other than
// id/RA/Dec are not carried (ingest the catalog for those).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ShardPlan } from '../../src-core/cluster/plan-schema';
import { writeStampFile } from '../stamps/stamp-file';
import type { SourceInsert } from '../store/catalogs';
import { Repo } from '../store/repo';
import { sourceIdsByRow } from '../store/shard-sources';
import type { Workspace } from '../store/workspace';
import { catalogRows } from './catalog-plan';

/** Adds the rows as sources (idempotent on row) and returns catalog row → source id. */
export async function importCatalogRows(ws: Workspace, plan: ShardPlan, rows: number[]): Promise<Map<number, number>> {
  const cat = plan.source.catalog!;
  const repo = new Repo(ws.db);
  const catalogId = repo.ensureCatalog(`shard plan ${plan.planId}`, cat.path, 'table', null);
  const rel = join('cutouts', `shard-${plan.planId}`);
  mkdirSync(join(ws.dir, rel), { recursive: true });
  const want = new Set(rows);
  const inserts: SourceInsert[] = [];
  if (rows.length) {
    const src = catalogRows(cat, Math.min(...rows), Math.max(...rows));
    try {
      for await (const r of src.rows) {
        if (!want.has(r.row)) continue;
        // A merged row was scored, so its stamp was cut on the node; a failure here means the inputs changed.
        const stamp = r.load();
        const path = join(rel, `${r.row}.fits`);
        writeStampFile(join(ws.dir, path), stamp);
        inserts.push({
          row: r.row, name: r.id, ra: r.ra, dec: r.dec, extra: { catalogFile: cat.path, catalogRow: r.row + 1, plan: plan.planId },
          cutout: { path, width: stamp.width, height: stamp.height, bands: stamp.bands },
        });
      }
    } finally {
      src.close();
    }
  }
  repo.insertSources(catalogId, inserts);
  return sourceIdsByRow(ws.db, catalogId);
}
