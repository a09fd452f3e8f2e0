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

/** Rows at and above this hold the cutouts of multi-cutout files (jobs/kinds/ingest.ts CHUNK_ROW). */
const CHUNK_ROW = 2 ** 20;

export interface IngestedFile {
  /** The file's row (for a multi-cutout file, the row its cutouts' rows derive from). */
  row: number;
  /** A multi-cutout file (simulate's chunks): a resume may still have cutouts of it to add. */
  chunk: boolean;
  /** Absent for sources ingested before sizes were recorded: those match by path alone. */
  size?: number;
  mtime?: number;
}

/** Files of a cutout catalog by relative path, every row taken, and the next free file row. */
export function ingestedFiles(db: Database.Database, catalogId: number): { files: Map<string, IngestedFile>; rows: Set<number>; nextRow: number } {
  const rows = db
    .prepare(
      "SELECT row, json_extract(extra, '$.file') AS file, json_extract(extra, '$.size') AS size, json_extract(extra, '$.mtime') AS mtime FROM sources WHERE catalog_id = ?",
    )
    .all(catalogId) as { row: number; file: string | null; size: number | null; mtime: number | null }[];
  const files = new Map<string, IngestedFile>();
  const taken = new Set<number>();
  let nextRow = 0;
  for (const r of rows) {
    taken.add(r.row);
    const chunk = r.row >= CHUNK_ROW;
    const fileRow = chunk ? Math.floor(r.row / CHUNK_ROW) - 1 : r.row;
    nextRow = Math.max(nextRow, fileRow + 1);
    if (typeof r.file === 'string') files.set(r.file, { row: fileRow, chunk, size: r.size ?? undefined, mtime: r.mtime ?? undefined });
  }
  return { files, rows: taken, nextRow };
}
