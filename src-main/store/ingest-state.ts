// What an ingest already did, read back for a resume: the catalog under a name and the files in it,
// keyed by file identity (path relative to the ingest folder + size + mtime, kept in each source's
// `extra` JSON), never by position in a folder listing that may have changed since.
import type Database from 'better-sqlite3';

export interface CatalogRow {
  id: number;
  name: string;
  origin: string;
  kind: string;
  n: number;
}

export function catalogByName(db: Database.Database, name: string): CatalogRow | undefined {
  return db
    .prepare('SELECT c.id, c.name, c.origin, c.kind, (SELECT COUNT(*) FROM sources s WHERE s.catalog_id = c.id) AS n FROM catalogs c WHERE c.name = ?')
    .get(name) as CatalogRow | undefined;
}

export interface IngestedFile {
  row: number;
  /** Absent for sources ingested before sizes were recorded: those match by path alone. */
  size?: number;
  mtime?: number;
}

/** Files of a cutout catalog by relative path, and the next free row number. */
export function ingestedFiles(db: Database.Database, catalogId: number): { files: Map<string, IngestedFile>; nextRow: number } {
  const rows = db
    .prepare(
      "SELECT row, json_extract(extra, '$.file') AS file, json_extract(extra, '$.size') AS size, json_extract(extra, '$.mtime') AS mtime FROM sources WHERE catalog_id = ?",
    )
    .all(catalogId) as { row: number; file: string | null; size: number | null; mtime: number | null }[];
  const files = new Map<string, IngestedFile>();
  let nextRow = 0;
  for (const r of rows) {
    nextRow = Math.max(nextRow, r.row + 1);
    if (typeof r.file === 'string') files.set(r.file, { row: r.row, size: r.size ?? undefined, mtime: r.mtime ?? undefined });
  }
  return { files, nextRow };
}
