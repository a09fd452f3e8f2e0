// What `lensdesk shard plan` lists from a workspace (sources with a stamp, in id order, paged so a
// huge workspace streams) and what `lensdesk merge` checks before importing scores (which ids exist).
import type Database from 'better-sqlite3';

type Db = Database.Database;

export interface ShardSourceRow {
  sourceId: number;
  name: string;
  ra: number | null;
  dec: number | null;
  path: string;
}

export function sourcesWithStampsAfter(db: Db, afterId: number, limit: number, catalogId?: number): ShardSourceRow[] {
  return db
    .prepare(
      `SELECT s.id AS sourceId, s.name, s.ra, s.dec, c.path FROM sources s JOIN cutouts c ON c.source_id = s.id AND c.kind = 'stamp'
       WHERE s.id > ? ${catalogId ? 'AND s.catalog_id = ?' : ''} ORDER BY s.id LIMIT ?`,
    )
    .all(...(catalogId ? [afterId, catalogId, limit] : [afterId, limit])) as ShardSourceRow[];
}

/** The ids among `ids` that are not sources of this workspace. */
export function missingSourceIds(db: Db, ids: number[]): number[] {
  const has = db.prepare('SELECT 1 FROM sources WHERE id = ?').pluck();
  return ids.filter((id) => has.get(id) === undefined);
}

export function countStampSources(db: Db, catalogId?: number): number {
  return db
    .prepare(`SELECT COUNT(*) FROM sources s JOIN cutouts c ON c.source_id = s.id AND c.kind = 'stamp' ${catalogId ? 'WHERE s.catalog_id = ?' : ''}`)
    .pluck()
    .get(...(catalogId ? [catalogId] : [])) as number;
}

/** catalog row → source id, for one catalog. */
export function sourceIdsByRow(db: Db, catalogId: number): Map<number, number> {
  const rows = db.prepare('SELECT row, id FROM sources WHERE catalog_id = ?').all(catalogId) as { row: number; id: number }[];
  return new Map(rows.map((r) => [r.row, r.id]));
}
