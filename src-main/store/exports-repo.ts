// What the catalog export reads (every source with its score and grade consensus) and the record
// of each export written.
import type Database from 'better-sqlite3';
import { activeModelId } from './models-repo';
import { LATEST_LIKELY_BLEND_SQL } from './blend-scores';

type Db = Database.Database;

/** One exported source: the active model's score and the consensus of current grades. */
export interface ExportRow {
  sourceId: number;
  name: string;
  ra: number | null;
  dec: number | null;
  catalog: string;
  score: number | null;
  n: number;
  mean: number | null;
  spread: number | null;
}

/** Rows for an export, best first (consensus, then score), filtered like the export dialog. */
/** `hideBlends`: leave out sources whose latest blend score flags a likely blend (the grid's "hide likely blends"). */
export function exportRows(db: Db, p: { minConsensus?: number; minScore?: number; hideBlends?: boolean }): ExportRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (p.minConsensus !== undefined) (where.push('cons.mean >= ?'), args.push(p.minConsensus));
  if (p.minScore !== undefined) (where.push('sc.probability >= ?'), args.push(p.minScore));
  if (p.hideBlends) where.push(`NOT COALESCE(${LATEST_LIKELY_BLEND_SQL}, 0)`);
  return db
    .prepare(
      `SELECT s.id AS sourceId, s.name, s.ra, s.dec, c.name AS catalog, sc.probability AS score, COALESCE(cons.n, 0) AS n, cons.mean, cons.spread
       FROM sources s JOIN catalogs c ON c.id = s.catalog_id
       LEFT JOIN scores sc ON sc.source_id = s.id AND sc.model_id = ?
       LEFT JOIN (SELECT source_id, AVG(grade) AS mean, MAX(grade) - MIN(grade) AS spread, COUNT(grade) AS n
                  FROM current_labels WHERE grade IS NOT NULL GROUP BY source_id) cons ON cons.source_id = s.id
       ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
       ORDER BY cons.mean DESC NULLS LAST, sc.probability DESC NULLS LAST, s.id`,
    )
    .all(activeModelId(db) ?? -1, ...args) as never;
}

export function recordExport(db: Db, jobId: number | null, format: string, path: string, filter: object, nRows: number): void {
  db.prepare('INSERT INTO exports(job_id, format, path, filter, n_rows) VALUES (?, ?, ?, ?, ?)').run(jobId, format, path, JSON.stringify(filter), nRows);
}
