// For a plan made from a folder of cutouts, the top-K sources are not in any workspace yet: they are
// added as a catalog 'shard plan <id>' (one source per cutout, catalog row = plan row id), as
// `lensdesk ingest FOLDER` would add them: a one-stamp file is used in place, a cutout of a cube is
// written as its own stamp file under the workspace's cutouts/ (the grid and scorer read stamp files).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanItem, ShardPlan } from '../../src-core/cluster/plan-schema';
import type { Stamp } from '../../src-core/stamps/stamp';
import { readStampFile, writeStampFile } from '../stamps/stamp-file';
import { Repo } from '../store/repo';
import type { SourceInsert } from '../store/catalogs';
import { sourceIdsByRow } from '../store/shard-sources';
import type { Workspace } from '../store/workspace';
import { CubeReader } from './cube-reader';
import { readShardItems } from './plan-read';

/** The plan items of the given row ids, streaming only the shard lists whose row range holds one. */
export async function planItemsByRow(planDir: string, plan: ShardPlan, rows: number[]): Promise<Map<number, PlanItem>> {
  const want = new Set(rows);
  const out = new Map<number, PlanItem>();
  for (const s of plan.shards) {
    if (!s.file || s.firstRow === null || !rows.some((r) => r >= s.firstRow! && r <= s.lastRow!)) continue;
    for await (const it of readShardItems(planDir, s.file!)) if (want.has(it.row)) out.set(it.row, it);
  }
  return out;
}

/** Adds the items as sources of the plan's catalog (idempotent on row) and returns row id → source id. */
export function importFolderItems(ws: Workspace, plan: ShardPlan, items: PlanItem[]): Map<number, number> {
  const repo = new Repo(ws.db);
  const catalogId = repo.ensureCatalog(`shard plan ${plan.planId}`, plan.source.path, 'cutouts', null);
  const rel = join('cutouts', `shard-${plan.planId}`);
  mkdirSync(join(ws.dir, rel), { recursive: true });
  const cubes = new CubeReader();
  const inserts: SourceInsert[] = [];
  try {
    for (const it of items) {
      let stamp: Stamp;
      let path = it.path;
      if (it.cutout === undefined) stamp = readStampFile(it.path);
      else {
        stamp = cubes.read(it.path, it.cutout);
        path = join(rel, `${it.row}.fits`);
        writeStampFile(join(ws.dir, path), stamp);
      }
      inserts.push({
        row: it.row, name: it.id, ra: it.ra ?? stamp.ra ?? null, dec: it.dec ?? stamp.dec ?? null,
        extra: { file: it.path, ...(it.cutout !== undefined ? { cutout: it.cutout } : {}), plan: plan.planId },
        cutout: { path, width: stamp.width, height: stamp.height, bands: stamp.bands },
      });
    }
  } finally {
    cubes.close();
  }
  repo.insertSources(catalogId, inserts);
  return sourceIdsByRow(ws.db, catalogId);
}
