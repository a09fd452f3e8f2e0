// SQL for the blend flag (table `blend_scores`, db/migrations/0005-blend-scores.sql; issue 14): rows are
// only inserted (a re-run adds one) and the latest per source is current. `LATEST_LIKELY_BLEND_SQL` is
// the one definition of "likely blend" the grid filter uses.
import type Database from 'better-sqlite3';
import type { BlendScoreInfo } from '../../src-core/api/contract';

/** What a blend-score job inserts: the contract's fields less what the row gets on insert. */
export type NewBlendScore = Omit<BlendScoreInfo, 'jobId' | 'createdAt'> & { jobId?: number | null };

/** A stored row: the contract's BlendScoreInfo plus its row id. */
export interface BlendScoreRow extends BlendScoreInfo {
  id: number;
}

type Row = Record<string, unknown>;
const toRow = (r: Row): BlendScoreRow => ({
  id: r.id as number, sourceId: r.source_id as number, model: String(r.model), probability: r.probability as number,
  likelyBlend: r.likely_blend === 1, logpPerPixel: r.logp_per_pixel as number, statistic: r.statistic as number,
  jobId: (r.job_id as number | null) ?? null, createdAt: String(r.created_at),
});

/** SQL boolean expression (for a query aliasing sources as `s`): the source's latest blend score flags it. */
export const LATEST_LIKELY_BLEND_SQL = '(SELECT bs.likely_blend FROM blend_scores bs WHERE bs.source_id = s.id ORDER BY bs.id DESC LIMIT 1) = 1';

export function insertBlendScore(db: Database.Database, b: NewBlendScore): number {
  for (const [k, v] of [['probability', b.probability], ['logpPerPixel', b.logpPerPixel], ['statistic', b.statistic]] as const) {
    if (!Number.isFinite(v)) throw new RangeError(`blend score of source ${b.sourceId}: ${k} is ${v}`);
  }
  const r = db
    .prepare('INSERT INTO blend_scores(source_id, model, probability, likely_blend, logp_per_pixel, statistic, job_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(b.sourceId, b.model, b.probability, b.likelyBlend ? 1 : 0, b.logpPerPixel, b.statistic, b.jobId ?? null);
  return Number(r.lastInsertRowid);
}

/** The latest blend score of each given source that has one. */
export function latestBlendScores(db: Database.Database, sourceIds: readonly number[]): Map<number, BlendScoreRow> {
  if (!sourceIds.length) return new Map();
  const rows = db
    .prepare(`SELECT b.* FROM blend_scores b JOIN (SELECT source_id, MAX(id) AS id FROM blend_scores
              WHERE source_id IN (SELECT value FROM json_each(?)) GROUP BY source_id) m ON m.id = b.id`)
    .all(JSON.stringify(sourceIds)) as Row[];
  return new Map(rows.map((r) => [r.source_id as number, toRow(r)]));
}

export function latestBlendScore(db: Database.Database, sourceId: number): BlendScoreRow | null {
  return latestBlendScores(db, [sourceId]).get(sourceId) ?? null;
}

/** Sources that already have a score from `model` (what a resumed job skips). */
export function sourcesScoredBy(db: Database.Database, model: string): Set<number> {
  return new Set(db.prepare('SELECT DISTINCT source_id FROM blend_scores WHERE model = ?').pluck().all(model) as number[]);
}
