// The candidate grid's queries: one sorted, filtered page, one candidate's detail, and the facets
// the grid can filter and sort by. The store takes its own CandidateQuery (plain fields), not the
// API's request type: the backend passes its parsed candidates.list params, which fit it.
import type Database from 'better-sqlite3';
import type { CandidateDetail, CandidateRow, Facets, SortKey } from '../../src-core/api/contract';
import { NotFoundError } from '../../src-core/errors';
import { consensusOf } from '../../src-core/grades';
import { LATEST_LIKELY_BLEND_SQL } from './blend-scores';
import { listCatalogs } from './catalogs';
import { labelHistory } from './labels';
import { activeModelId, listModels } from './models-repo';
import { json, type Row } from './rows';

type Db = Database.Database;

/** Which sources the grid shows (every field optional: no filter). */
export interface CandidateFilterQuery {
  minScore?: number;
  maxScore?: number;
  graded?: 'any' | 'mine' | 'notMine';
  catalogId?: number;
  tag?: string;
  disagreement?: boolean;
  /** Only sources with a score from this model. */
  scoredBy?: number;
  /** Consensus mean grade at least this (0–3). */
  minConsensus?: number;
  /** Hide sources whose latest blend score flags a likely blend (./blend-scores.ts). */
  hideBlends?: boolean;
}

/** One page of the candidate list, in the store's terms. */
export interface CandidateQuery {
  sort: SortKey;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
  /** The model whose scores are shown and sorted by; default the active model. */
  modelId?: number;
  /**
   * Key of sources.extra to sort by when sort = 'column'. Must match /^[A-Za-z_]\w*$/ (the API
   * contract validates it): it is placed in a JSON path.
   */
  column?: string;
  filter: CandidateFilterQuery;
}

function candidateQuery(q: CandidateQuery, reviewerId: number): { where: string; args: unknown[]; order: string } {
  const f = q.filter;
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.minScore !== undefined) (where.push('sc.probability >= ?'), args.push(f.minScore));
  if (f.maxScore !== undefined) (where.push('sc.probability <= ?'), args.push(f.maxScore));
  if (f.catalogId !== undefined) (where.push('s.catalog_id = ?'), args.push(f.catalogId));
  if (f.graded === 'mine') where.push('me.grade IS NOT NULL');
  if (f.graded === 'notMine') where.push('me.grade IS NULL');
  if (f.disagreement) where.push('cons.spread >= 2');
  if (f.minConsensus !== undefined) (where.push('cons.mean >= ?'), args.push(f.minConsensus));
  if (f.scoredBy !== undefined) (where.push('EXISTS (SELECT 1 FROM scores sb WHERE sb.source_id = s.id AND sb.model_id = ?)'), args.push(f.scoredBy));
  if (f.hideBlends) where.push(`NOT COALESCE(${LATEST_LIKELY_BLEND_SQL}, 0)`);
  if (f.tag !== undefined) {
    where.push("EXISTS (SELECT 1 FROM current_labels t, json_each(t.tags) j WHERE t.source_id = s.id AND j.value = ?)");
    args.push(f.tag);
  }
  const dir = q.order === 'asc' ? 'ASC' : 'DESC';
  const key: Record<SortKey, string> = {
    score: `sc.probability ${dir} NULLS LAST`,
    name: `s.name ${dir}`,
    ra: `s.ra ${dir}`,
    dec: `s.dec ${dir}`,
    grade: `me.grade ${dir} NULLS LAST`,
    consensus: `cons.mean ${dir} NULLS LAST`,
    spread: `cons.spread ${dir} NULLS LAST`,
    random: `((s.shuffle_key * 1103515245 + ${reviewerId * 2654435761}) % 2147483647) ${dir}`,
    // The column name is validated by the contract (/^[A-Za-z_]\w*$/), so it is safe in a JSON path.
    column: `json_extract(s.extra, '$.${q.column ?? 'name'}') ${dir} NULLS LAST`,
  };
  return { where: where.length ? 'WHERE ' + where.join(' AND ') : '', args, order: `${key[q.sort]}, s.id ASC` };
}

/**
 * Display columns for the given sources only (the grid's page, one candidate): consensus and my
 * grade are looked up per source through the labels indexes, never aggregated over all labels.
 */
const CANDIDATE_ROWS = `
  WITH page(id) AS (SELECT value FROM json_each(@ids))
  SELECT s.id, s.name, s.ra, s.dec, s.extra, s.truth, sc.probability, me.grade AS my_grade, me.tags AS my_tags,
         (SELECT GROUP_CONCAT(l.grade) FROM current_labels l WHERE l.source_id = s.id AND l.grade IS NOT NULL) AS grades,
         cu.id AS cutout_id, cu.bands, c.name AS catalog
  FROM page JOIN sources s ON s.id = page.id
  JOIN catalogs c ON c.id = s.catalog_id
  LEFT JOIN scores sc ON sc.source_id = s.id AND sc.model_id = @model
  LEFT JOIN current_labels me ON me.source_id = s.id AND me.reviewer_id = @reviewer
  LEFT JOIN cutouts cu ON cu.source_id = s.id AND cu.kind = 'stamp'`;

function candidateRows(db: Db, ids: number[], model: number, reviewer: number): Map<number, Row> {
  const rows = db.prepare(CANDIDATE_ROWS).all({ ids: JSON.stringify(ids), model, reviewer }) as Row[];
  return new Map(rows.map((r) => [r.id as number, r]));
}

/** The joins a filter or sort needs, each only when named (a 100k-source list must not pay for all of them). */
const JOINS: Record<'sc' | 'me' | 'cons', string> = {
  sc: 'LEFT JOIN scores sc ON sc.source_id = s.id AND sc.model_id = @model',
  me: 'LEFT JOIN (SELECT source_id, grade, tags FROM current_labels WHERE reviewer_id = @reviewer) me ON me.source_id = s.id',
  cons: `LEFT JOIN (SELECT source_id, AVG(grade) AS mean, MAX(grade) - MIN(grade) AS spread FROM current_labels
                    WHERE grade IS NOT NULL GROUP BY source_id) cons ON cons.source_id = s.id`,
};

function joinsFor(sql: string, all: { model: number; reviewer: number }, skip: string[] = []): { joins: string; named: Record<string, number>[] } {
  const keys = (['sc', 'me', 'cons'] as const).filter((k) => sql.includes(`${k}.`));
  const used: Record<string, number> = {};
  if (keys.includes('sc') || sql.includes('@model')) used.model = all.model;
  if (keys.includes('me')) used.reviewer = all.reviewer;
  const joins = keys.filter((k) => !skip.includes(k)).map((k) => JOINS[k]).join('\n');
  return { joins, named: Object.keys(used).length ? [used] : [] };
}

/**
 * One page of the sorted, filtered list, fast with 100,000 sources (bench/review.ts): the page's
 * ids are chosen with only the joins the filter and sort need — for the score sort by walking the
 * scores_by_prob index (model, probability DESC, source id), then the sources that model has not
 * scored — and the display columns are computed for those ids alone.
 */
export function listCandidates(db: Db, q: CandidateQuery, reviewerId: number): { total: number; rows: CandidateRow[] } {
  const modelId = q.modelId ?? activeModelId(db) ?? -1;
  const { where, args, order } = candidateQuery(q, reviewerId);
  const all = { model: modelId, reviewer: reviewerId };
  const w = joinsFor(where, all);
  // Positional filter args come after the named ones; better-sqlite3 takes both in one call.
  const total = db.prepare(`SELECT COUNT(*) FROM sources s ${w.joins} ${where}`).pluck().get(...w.named, ...args) as number;
  let ids: number[];
  if (q.sort === 'score') {
    const dir = q.order === 'asc' ? 'ASC' : 'DESC';
    const tie = dir === 'DESC' ? 'ASC' : 'DESC'; // the index's own order (scan direction), so no sort
    const cond = `WHERE sc.model_id = @model${where ? ' AND ' + where.slice('WHERE '.length) : ''}`;
    const j = joinsFor(cond, all, ['sc']);
    const from = `FROM scores sc JOIN sources s ON s.id = sc.source_id ${j.joins} ${cond}`;
    ids = db
      .prepare(`SELECT s.id ${from} ORDER BY sc.probability ${dir}, sc.source_id ${tie} LIMIT ${q.limit} OFFSET ${q.offset}`)
      .pluck()
      .all(...j.named, ...args) as number[];
    if (ids.length < q.limit) {
      // Past the scored sources: those without a score from this model, in id order (NULLS LAST).
      const nScored = db.prepare(`SELECT COUNT(*) ${from}`).pluck().get(...j.named, ...args) as number;
      const u = joinsFor(`sc. ${where}`, all);
      const rest = db
        .prepare(
          `SELECT s.id FROM sources s ${u.joins} WHERE sc.source_id IS NULL${where ? ' AND ' + where.slice('WHERE '.length) : ''}
           ORDER BY s.id LIMIT ${q.limit - ids.length} OFFSET ${Math.max(0, q.offset - nScored)}`,
        )
        .pluck()
        .all(...u.named, ...args) as number[];
      ids = ids.concat(rest);
    }
  } else {
    const o = joinsFor(where + ' ' + order, all);
    ids = db
      .prepare(`SELECT s.id FROM sources s ${o.joins} ${where} ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset}`)
      .pluck()
      .all(...o.named, ...args) as number[];
  }
  if (!ids.length) return { total, rows: [] };
  const byId = candidateRows(db, ids, modelId, reviewerId);
  return { total, rows: ids.map((id) => candidateRow(byId.get(id)!)) };
}

function candidateRow(r: Row): CandidateRow {
  const grades = r.grades ? String(r.grades).split(',').map(Number) : [];
  return {
    sourceId: r.id as number,
    name: String(r.name),
    ra: (r.ra as number) ?? null,
    dec: (r.dec as number) ?? null,
    score: (r.probability as number) ?? null,
    myGrade: (r.my_grade as number) ?? null,
    consensus: consensusOf(grades),
    tags: json(r.my_tags, []),
    stamp: r.cutout_id ? `cutout/${r.cutout_id}` : null,
    bands: json(r.bands, []),
  };
}

export function getCandidate(db: Db, sourceId: number, reviewerId: number): CandidateDetail {
  const r = candidateRows(db, [sourceId], activeModelId(db) ?? -1, reviewerId).get(sourceId);
  if (!r) throw new NotFoundError('NO_SOURCE', `no source with id ${sourceId}`, { sourceId });
  const scores = db
    .prepare('SELECT m.id AS modelId, m.name AS model, m.version, s.probability FROM scores s JOIN models m ON m.id = s.model_id WHERE s.source_id = ? ORDER BY m.id')
    .all(sourceId) as CandidateDetail['scores'];
  const cutouts = (db.prepare('SELECT * FROM cutouts WHERE source_id = ? ORDER BY id').all(sourceId) as Row[]).map((c) => ({
    kind: String(c.kind),
    path: `cutout/${c.id}`,
    bands: json<string[]>(c.bands, []),
    width: (c.width as number) ?? null,
    height: (c.height as number) ?? null,
  }));
  return {
    ...candidateRow(r),
    catalog: String(r.catalog),
    extra: json(r.extra, {}),
    truth: json(r.truth, null),
    scores,
    history: labelHistory(db, sourceId),
    cutouts,
  };
}

/** What the grid can filter and sort by: tags in use, catalog columns, catalogs, models. */
export function facets(db: Db): Facets {
  const tags = db
    .prepare("SELECT j.value AS tag, COUNT(*) AS n FROM current_labels t, json_each(t.tags) j GROUP BY j.value ORDER BY n DESC, tag LIMIT 200")
    .all() as Facets['tags'];
  // Columns: the keys of a sample of sources' extra JSON (catalog rows share their columns).
  const columns = db
    .prepare("SELECT DISTINCT j.key FROM (SELECT extra FROM sources WHERE id IN (SELECT MIN(id) FROM sources GROUP BY catalog_id)) x, json_each(x.extra) j WHERE json_valid(x.extra) ORDER BY j.key LIMIT 100")
    .pluck()
    .all() as string[];
  const catalogs = listCatalogs(db).map((c) => ({ id: c.id, name: c.name, n: c.n }));
  const models = listModels(db).map((m) => ({ id: m.id, name: m.name, version: m.version, nScores: m.nScores }));
  return { tags, columns: columns.filter((c) => /^[A-Za-z_]\w*$/.test(c)), catalogs, models };
}
