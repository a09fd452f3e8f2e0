// Repository: every SQL statement of the app lives here, behind typed functions. Callers never
// write SQL. Statements are prepared once per database handle.
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type {
  CandidateDetail,
  CandidateRow,
  Facets,
  JobInfo,
  JobState,
  LabelEntry,
  ModelInfo,
  ParsedParams,
} from '../../src-core/api/contract';
import { NotFoundError } from '../../src-core/errors';
import { consensusOf } from '../../src-core/grades';

type Row = Record<string, unknown>;
const json = <T>(s: unknown, fallback: T): T => {
  if (typeof s !== 'string' || !s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
};

export class Repo {
  constructor(readonly db: Database.Database) {}

  // ---- settings -------------------------------------------------------------------------
  getSetting(key: string): string | null {
    const r = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as Row | undefined;
    return r ? String(r.value) : null;
  }
  setSetting(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  // ---- surveys, catalogs, sources ------------------------------------------------------------
  ensureSurvey(name: string, pixelScale: number | null, bands: string[]): number {
    this.db.prepare('INSERT OR IGNORE INTO surveys(name, pixel_scale) VALUES (?, ?)').run(name, pixelScale);
    const sid = (this.db.prepare('SELECT id FROM surveys WHERE name = ?').get(name) as Row).id as number;
    const ins = this.db.prepare('INSERT OR IGNORE INTO bands(survey_id, name, idx) VALUES (?, ?, ?)');
    bands.forEach((b, i) => ins.run(sid, b, i));
    return sid;
  }

  ensureCatalog(name: string, origin: string, kind: string, surveyId: number | null): number {
    this.db
      .prepare('INSERT OR IGNORE INTO catalogs(name, origin, kind, survey_id) VALUES (?, ?, ?, ?)')
      .run(name, origin, kind, surveyId);
    return (this.db.prepare('SELECT id FROM catalogs WHERE name = ?').get(name) as Row).id as number;
  }

  catalogs(): { id: number; name: string; kind: string; origin: string; n: number }[] {
    return this.db
      .prepare('SELECT c.id, c.name, c.kind, c.origin, (SELECT COUNT(*) FROM sources s WHERE s.catalog_id = c.id) AS n FROM catalogs c ORDER BY c.id')
      .all() as never;
  }

  /** Rows already present (resume): the set of catalog rows done. */
  catalogRowsDone(catalogId: number): Set<number> {
    const rows = this.db.prepare('SELECT row FROM sources WHERE catalog_id = ?').pluck().all(catalogId) as number[];
    return new Set(rows);
  }

  /**
   * Inserts sources and their stamp cutouts in one transaction. Idempotent on (catalog, row):
   * re-running a killed ingest never duplicates a source.
   */
  insertSources(
    catalogId: number,
    items: {
      row: number;
      name: string;
      ra: number | null;
      dec: number | null;
      extra?: Record<string, unknown>;
      truth?: Record<string, unknown> | null;
      cutout?: { path: string; hdu?: number; width: number; height: number; bands: string[] };
      /** A wider field around the source (kind 'context'). */
      context?: { path: string; width: number; height: number; bands: string[] };
    }[],
  ): number {
    const insSrc = this.db.prepare(
      'INSERT OR IGNORE INTO sources(catalog_id, row, name, ra, dec, extra, truth, shuffle_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const getId = this.db.prepare('SELECT id FROM sources WHERE catalog_id = ? AND row = ?').pluck();
    const insCut = this.db.prepare(
      'INSERT OR IGNORE INTO cutouts(source_id, kind, path, hdu, width, height, bands) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    let added = 0;
    this.db.transaction(() => {
      for (const it of items) {
        const r = insSrc.run(
          catalogId,
          it.row,
          it.name,
          it.ra,
          it.dec,
          JSON.stringify(it.extra ?? {}),
          it.truth ? JSON.stringify(it.truth) : null,
          (Math.random() * 2 ** 31) | 0,
        );
        added += r.changes;
        if (it.cutout || it.context) {
          const sid = getId.get(catalogId, it.row) as number;
          const c = it.cutout;
          if (c) insCut.run(sid, 'stamp', c.path, c.hdu ?? 0, c.width, c.height, JSON.stringify(c.bands));
          const x = it.context;
          if (x) insCut.run(sid, 'context', x.path, 0, x.width, x.height, JSON.stringify(x.bands));
        }
      }
    })();
    return added;
  }

  countSources(): number {
    return this.db.prepare('SELECT COUNT(*) FROM sources').pluck().get() as number;
  }

  /** Sources with stamps, in id order after `afterId` (streaming for scoring jobs). */
  stampsAfter(afterId: number, limit: number, catalogId?: number): { sourceId: number; path: string; bands: string[] }[] {
    const rows = this.db
      .prepare(
        `SELECT s.id AS sourceId, c.path, c.bands FROM sources s JOIN cutouts c ON c.source_id = s.id AND c.kind = 'stamp'
         WHERE s.id > ? ${catalogId ? 'AND s.catalog_id = ?' : ''} ORDER BY s.id LIMIT ?`,
      )
      .all(...(catalogId ? [afterId, catalogId, limit] : [afterId, limit])) as Row[];
    return rows.map((r) => ({ sourceId: r.sourceId as number, path: String(r.path), bands: json(r.bands, []) }));
  }

  // ---- models and scores ----------------------------------------------------------------
  ensureModel(name: string, version: string, kind: string, path: string | null, card: object, parentId: number | null = null): number {
    this.db
      .prepare('INSERT OR IGNORE INTO models(name, version, kind, path, card, parent_id) VALUES (?, ?, ?, ?, ?, ?)')
      .run(name, version, kind, path, JSON.stringify(card), parentId);
    return this.db.prepare('SELECT id FROM models WHERE name = ? AND version = ?').pluck().get(name, version) as number;
  }

  models(): ModelInfo[] {
    const rows = this.db
      .prepare('SELECT m.*, (SELECT COUNT(*) FROM scores s WHERE s.model_id = m.id) AS n FROM models m ORDER BY m.id')
      .all() as Row[];
    return rows.map((r) => ({
      id: r.id as number,
      name: String(r.name),
      version: String(r.version),
      kind: String(r.kind),
      parentId: (r.parent_id as number) ?? null,
      nScores: r.n as number,
      card: json(r.card, {}),
    }));
  }

  /** The model the grid sorts by: the setting, else the newest model with scores. */
  activeModelId(): number | null {
    const s = this.getSetting('active_model_id');
    if (s) return Number(s);
    return (this.db.prepare('SELECT MAX(model_id) FROM scores').pluck().get() as number | null) ?? null;
  }

  scoredSourceIds(modelId: number): Set<number> {
    return new Set(this.db.prepare('SELECT source_id FROM scores WHERE model_id = ?').pluck().all(modelId) as number[]);
  }

  writeScores(modelId: number, jobId: number | null, items: { sourceId: number; probability: number }[]): void {
    const ins = this.db.prepare('INSERT OR REPLACE INTO scores(model_id, source_id, probability, job_id) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const it of items) ins.run(modelId, it.sourceId, it.probability, jobId);
    })();
  }

  // ---- reviewers and labels -------------------------------------------------------------------
  ensureReviewer(name: string): { id: number; name: string } {
    this.db.prepare('INSERT OR IGNORE INTO reviewers(name) VALUES (?)').run(name);
    const id = this.db.prepare('SELECT id FROM reviewers WHERE name = ?').pluck().get(name) as number;
    return { id, name };
  }

  private labelEntry(r: Row): LabelEntry {
    return {
      id: r.id as number,
      uid: String(r.uid),
      reviewer: String(r.reviewer),
      grade: (r.grade as number) ?? null,
      tags: json(r.tags, []),
      comment: String(r.comment ?? ''),
      action: String(r.action),
      createdAt: String(r.created_at),
    };
  }

  private labelById(id: number): LabelEntry {
    const r = this.db
      .prepare('SELECT l.*, v.name AS reviewer FROM labels l JOIN reviewers v ON v.id = l.reviewer_id WHERE l.id = ?')
      .get(id) as Row;
    return this.labelEntry(r);
  }

  /** Appends a grade (never updates). Acknowledged only after the commit, so a crash loses nothing acknowledged. */
  addLabel(
    reviewerId: number,
    p: { sourceId: number; grade: number | null; tags: string[]; comment: string },
    action = 'grade',
    undoes: string | null = null,
    uid: string = randomUUID(),
    createdAt?: string,
  ): LabelEntry {
    const exists = this.db.prepare('SELECT 1 FROM sources WHERE id = ?').get(p.sourceId);
    if (!exists) throw new NotFoundError('NO_SOURCE', `no source with id ${p.sourceId}`, { sourceId: p.sourceId });
    const r = this.db
      .prepare(
        `INSERT INTO labels(uid, reviewer_id, source_id, grade, tags, comment, action, undoes, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, strftime('%Y-%m-%dT%H:%M:%fZ','now')))`,
      )
      .run(uid, reviewerId, p.sourceId, p.grade, JSON.stringify(p.tags), p.comment, action, undoes, createdAt ?? null);
    return this.labelById(Number(r.lastInsertRowid));
  }

  /**
   * Undo the reviewer's most recent grade that has not been undone yet, by appending a row that
   * restores the state before it. History keeps both.
   */
  undoLastLabel(reviewerId: number): { sourceId: number | null; restored: number | null } {
    const last = this.db
      .prepare(
        `SELECT * FROM labels l WHERE reviewer_id = ? AND action = 'grade'
           AND NOT EXISTS (SELECT 1 FROM labels u WHERE u.undoes = l.uid)
         ORDER BY id DESC LIMIT 1`,
      )
      .get(reviewerId) as Row | undefined;
    if (!last) return { sourceId: null, restored: null };
    const prev = this.db
      .prepare('SELECT * FROM labels WHERE reviewer_id = ? AND source_id = ? AND id < ? ORDER BY id DESC LIMIT 1')
      .get(reviewerId, last.source_id, last.id) as Row | undefined;
    const restored = prev ? ((prev.grade as number) ?? null) : null;
    this.addLabel(
      reviewerId,
      {
        sourceId: last.source_id as number,
        grade: restored,
        tags: prev ? json(prev.tags, []) : [],
        comment: prev ? String(prev.comment) : '',
      },
      'undo',
      String(last.uid),
    );
    return { sourceId: last.source_id as number, restored };
  }

  labelHistory(sourceId: number): LabelEntry[] {
    const rows = this.db
      .prepare('SELECT l.*, v.name AS reviewer FROM labels l JOIN reviewers v ON v.id = l.reviewer_id WHERE source_id = ? ORDER BY l.id')
      .all(sourceId) as Row[];
    return rows.map((r) => this.labelEntry(r));
  }

  // ---- candidates ---------------------------------------------------------------------------
  private candidateQuery(
    q: ParsedParams<'candidates.list'>,
    reviewerId: number,
    modelId: number | null,
  ): { where: string; args: unknown[]; order: string } {
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
    if (f.tag !== undefined) {
      where.push("EXISTS (SELECT 1 FROM current_labels t, json_each(t.tags) j WHERE t.source_id = s.id AND j.value = ?)");
      args.push(f.tag);
    }
    const dir = q.order === 'asc' ? 'ASC' : 'DESC';
    const key: Record<string, string> = {
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
    void modelId;
    return { where: where.length ? 'WHERE ' + where.join(' AND ') : '', args, order: `${key[q.sort]}, s.id ASC` };
  }

  /**
   * Display columns for the given sources only (the grid's page, one candidate): consensus and my
   * grade are looked up per source through the labels indexes, never aggregated over all labels.
   */
  private static readonly CANDIDATE_ROWS = `
    WITH page(id) AS (SELECT value FROM json_each(@ids))
    SELECT s.id, s.name, s.ra, s.dec, s.extra, s.truth, sc.probability, me.grade AS my_grade, me.tags AS my_tags,
           (SELECT GROUP_CONCAT(l.grade) FROM current_labels l WHERE l.source_id = s.id AND l.grade IS NOT NULL) AS grades,
           cu.id AS cutout_id, cu.bands, c.name AS catalog
    FROM page JOIN sources s ON s.id = page.id
    JOIN catalogs c ON c.id = s.catalog_id
    LEFT JOIN scores sc ON sc.source_id = s.id AND sc.model_id = @model
    LEFT JOIN current_labels me ON me.source_id = s.id AND me.reviewer_id = @reviewer
    LEFT JOIN cutouts cu ON cu.source_id = s.id AND cu.kind = 'stamp'`;

  private candidateRows(ids: number[], model: number, reviewer: number): Map<number, Row> {
    const rows = this.db.prepare(Repo.CANDIDATE_ROWS).all({ ids: JSON.stringify(ids), model, reviewer }) as Row[];
    return new Map(rows.map((r) => [r.id as number, r]));
  }

  /** The joins a filter or sort needs, each only when named (a 100k-source list must not pay for all of them). */
  private static readonly JOINS: Record<'sc' | 'me' | 'cons', string> = {
    sc: 'LEFT JOIN scores sc ON sc.source_id = s.id AND sc.model_id = @model',
    me: 'LEFT JOIN (SELECT source_id, grade, tags FROM current_labels WHERE reviewer_id = @reviewer) me ON me.source_id = s.id',
    cons: `LEFT JOIN (SELECT source_id, AVG(grade) AS mean, MAX(grade) - MIN(grade) AS spread FROM current_labels
                      WHERE grade IS NOT NULL GROUP BY source_id) cons ON cons.source_id = s.id`,
  };

  private static joinsFor(sql: string, all: { model: number; reviewer: number }, skip: string[] = []): { joins: string; named: Record<string, number>[] } {
    const keys = (['sc', 'me', 'cons'] as const).filter((k) => sql.includes(`${k}.`));
    const used: Record<string, number> = {};
    if (keys.includes('sc') || sql.includes('@model')) used.model = all.model;
    if (keys.includes('me')) used.reviewer = all.reviewer;
    const joins = keys.filter((k) => !skip.includes(k)).map((k) => Repo.JOINS[k]).join('\n');
    return { joins, named: Object.keys(used).length ? [used] : [] };
  }

  /**
   * One page of the sorted, filtered list, fast with 100,000 sources (bench/review.ts): the page's
   * ids are chosen with only the joins the filter and sort need — for the score sort by walking the
   * scores_by_prob index (model, probability DESC, source id), then the sources that model has not
   * scored — and the display columns are computed for those ids alone.
   */
  listCandidates(q: ParsedParams<'candidates.list'>, reviewerId: number): { total: number; rows: CandidateRow[] } {
    const modelId = q.modelId ?? this.activeModelId() ?? -1;
    const { where, args, order } = this.candidateQuery(q, reviewerId, modelId);
    const all = { model: modelId, reviewer: reviewerId };
    const w = Repo.joinsFor(where, all);
    // Positional filter args come after the named ones; better-sqlite3 takes both in one call.
    const total = this.db.prepare(`SELECT COUNT(*) FROM sources s ${w.joins} ${where}`).pluck().get(...w.named, ...args) as number;
    let ids: number[];
    if (q.sort === 'score') {
      const dir = q.order === 'asc' ? 'ASC' : 'DESC';
      const tie = dir === 'DESC' ? 'ASC' : 'DESC'; // the index's own order (scan direction), so no sort
      const cond = `WHERE sc.model_id = @model${where ? ' AND ' + where.slice('WHERE '.length) : ''}`;
      const j = Repo.joinsFor(cond, all, ['sc']);
      const from = `FROM scores sc JOIN sources s ON s.id = sc.source_id ${j.joins} ${cond}`;
      ids = this.db
        .prepare(`SELECT s.id ${from} ORDER BY sc.probability ${dir}, sc.source_id ${tie} LIMIT ${q.limit} OFFSET ${q.offset}`)
        .pluck()
        .all(...j.named, ...args) as number[];
      if (ids.length < q.limit) {
        // Past the scored sources: those without a score from this model, in id order (NULLS LAST).
        const nScored = this.db.prepare(`SELECT COUNT(*) ${from}`).pluck().get(...j.named, ...args) as number;
        const u = Repo.joinsFor(`sc. ${where}`, all);
        const rest = this.db
          .prepare(
            `SELECT s.id FROM sources s ${u.joins} WHERE sc.source_id IS NULL${where ? ' AND ' + where.slice('WHERE '.length) : ''}
             ORDER BY s.id LIMIT ${q.limit - ids.length} OFFSET ${Math.max(0, q.offset - nScored)}`,
          )
          .pluck()
          .all(...u.named, ...args) as number[];
        ids = ids.concat(rest);
      }
    } else {
      const o = Repo.joinsFor(where + ' ' + order, all);
      ids = this.db
        .prepare(`SELECT s.id FROM sources s ${o.joins} ${where} ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset}`)
        .pluck()
        .all(...o.named, ...args) as number[];
    }
    if (!ids.length) return { total, rows: [] };
    const byId = this.candidateRows(ids, modelId, reviewerId);
    return { total, rows: ids.map((id) => this.candidateRow(byId.get(id)!)) };
  }

  private candidateRow(r: Row): CandidateRow {
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

  getCandidate(sourceId: number, reviewerId: number): CandidateDetail {
    const r = this.candidateRows([sourceId], this.activeModelId() ?? -1, reviewerId).get(sourceId);
    if (!r) throw new NotFoundError('NO_SOURCE', `no source with id ${sourceId}`, { sourceId });
    const scores = this.db
      .prepare('SELECT m.id AS modelId, m.name AS model, m.version, s.probability FROM scores s JOIN models m ON m.id = s.model_id WHERE s.source_id = ? ORDER BY m.id')
      .all(sourceId) as CandidateDetail['scores'];
    const cutouts = (this.db.prepare('SELECT * FROM cutouts WHERE source_id = ? ORDER BY id').all(sourceId) as Row[]).map((c) => ({
      kind: String(c.kind),
      path: `cutout/${c.id}`,
      bands: json<string[]>(c.bands, []),
      width: (c.width as number) ?? null,
      height: (c.height as number) ?? null,
    }));
    return {
      ...this.candidateRow(r),
      catalog: String(r.catalog),
      extra: json(r.extra, {}),
      truth: json(r.truth, null),
      scores,
      history: this.labelHistory(sourceId),
      cutouts,
    };
  }

  /** What the grid can filter and sort by: tags in use, catalog columns, catalogs, models. */
  facets(): Facets {
    const tags = this.db
      .prepare("SELECT j.value AS tag, COUNT(*) AS n FROM current_labels t, json_each(t.tags) j GROUP BY j.value ORDER BY n DESC, tag LIMIT 200")
      .all() as Facets['tags'];
    // Columns: the keys of a sample of sources' extra JSON (catalog rows share their columns).
    const columns = this.db
      .prepare("SELECT DISTINCT j.key FROM (SELECT extra FROM sources WHERE id IN (SELECT MIN(id) FROM sources GROUP BY catalog_id)) x, json_each(x.extra) j WHERE json_valid(x.extra) ORDER BY j.key LIMIT 100")
      .pluck()
      .all() as string[];
    const catalogs = this.catalogs().map((c) => ({ id: c.id, name: c.name, n: c.n }));
    const models = this.models().map((m) => ({ id: m.id, name: m.name, version: m.version, nScores: m.nScores }));
    return { tags, columns: columns.filter((c) => /^[A-Za-z_]\w*$/.test(c)), catalogs, models };
  }

  /** Filesystem path of a cutout by id (for the image protocol, which checks containment). */
  stampPathOfSource(sourceId: number): string | null {
    return (this.db.prepare("SELECT path FROM cutouts WHERE source_id = ? AND kind = 'stamp'").pluck().get(sourceId) as string) ?? null;
  }

  cutoutPath(cutoutId: number): string | null {
    return (this.db.prepare('SELECT path FROM cutouts WHERE id = ?').pluck().get(cutoutId) as string) ?? null;
  }

  gradedCounts(reviewerId: number): { graded: number; gradedByMe: number } {
    const graded = this.db.prepare('SELECT COUNT(DISTINCT source_id) FROM current_labels WHERE grade IS NOT NULL').pluck().get() as number;
    const gradedByMe = this.db
      .prepare('SELECT COUNT(*) FROM current_labels WHERE grade IS NOT NULL AND reviewer_id = ?')
      .pluck()
      .get(reviewerId) as number;
    return { graded, gradedByMe };
  }

  practiceTruth(sourceId: number): { isLens: boolean; kind: string; thetaE: number | null } | undefined {
    const t = json<Record<string, unknown> | null>(this.db.prepare('SELECT truth FROM sources WHERE id = ?').pluck().get(sourceId), null);
    if (!t || t.is_lens === undefined) return undefined;
    const te = t.theta_E ?? t.theta_e;
    return { isLens: Boolean(t.is_lens), kind: String(t.kind ?? (t.is_lens ? 'lens' : 'non-lens')), thetaE: typeof te === 'number' ? te : null };
  }

  /** Every reviewer's current grade, with the simulation truth where the source has one. */
  currentGrades(): { reviewer: string; sourceId: number; name: string; grade: number; truth: boolean | undefined }[] {
    const rows = this.db
      .prepare(
        `SELECT v.name AS reviewer, l.source_id AS sourceId, s.name, l.grade, json_extract(s.truth, '$.is_lens') AS is_lens
         FROM current_labels l JOIN reviewers v ON v.id = l.reviewer_id JOIN sources s ON s.id = l.source_id
         WHERE l.grade IS NOT NULL ORDER BY l.id`,
      )
      .all() as Row[];
    return rows.map((r) => ({
      reviewer: String(r.reviewer),
      sourceId: r.sourceId as number,
      name: String(r.name),
      grade: r.grade as number,
      truth: r.is_lens === null || r.is_lens === undefined ? undefined : Boolean(r.is_lens),
    }));
  }

  // ---- exports ------------------------------------------------------------------------------
  exportRows(p: { minConsensus?: number; minScore?: number }): {
    sourceId: number; name: string; ra: number | null; dec: number | null; catalog: string; score: number | null;
    n: number; mean: number | null; spread: number | null;
  }[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (p.minConsensus !== undefined) (where.push('cons.mean >= ?'), args.push(p.minConsensus));
    if (p.minScore !== undefined) (where.push('sc.probability >= ?'), args.push(p.minScore));
    return this.db
      .prepare(
        `SELECT s.id AS sourceId, s.name, s.ra, s.dec, c.name AS catalog, sc.probability AS score, COALESCE(cons.n, 0) AS n, cons.mean, cons.spread
         FROM sources s JOIN catalogs c ON c.id = s.catalog_id
         LEFT JOIN scores sc ON sc.source_id = s.id AND sc.model_id = ?
         LEFT JOIN (SELECT source_id, AVG(grade) AS mean, MAX(grade) - MIN(grade) AS spread, COUNT(grade) AS n
                    FROM current_labels WHERE grade IS NOT NULL GROUP BY source_id) cons ON cons.source_id = s.id
         ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
         ORDER BY cons.mean DESC NULLS LAST, sc.probability DESC NULLS LAST, s.id`,
      )
      .all(this.activeModelId() ?? -1, ...args) as never;
  }

  reviewerNames(): string[] {
    return this.db
      .prepare('SELECT DISTINCT v.name FROM reviewers v JOIN labels l ON l.reviewer_id = v.id ORDER BY v.name')
      .pluck()
      .all() as string[];
  }

  recordExport(jobId: number | null, format: string, path: string, filter: object, nRows: number): void {
    this.db
      .prepare('INSERT INTO exports(job_id, format, path, filter, n_rows) VALUES (?, ?, ?, ?, ?)')
      .run(jobId, format, path, JSON.stringify(filter), nRows);
  }

  // ---- jobs -----------------------------------------------------------------------------
  private jobInfo(r: Row): JobInfo {
    return {
      id: r.id as number,
      kind: String(r.kind),
      params: json(r.params, {}),
      state: r.state as JobState,
      progress: r.progress as number,
      total: r.total as number,
      message: String(r.message ?? ''),
      error: json(r.error, null),
      result: json(r.result, null),
      createdAt: String(r.created_at),
      updatedAt: String(r.updated_at),
    };
  }

  createJob(kind: string, params: object): JobInfo {
    const r = this.db.prepare('INSERT INTO jobs(kind, params) VALUES (?, ?)').run(kind, JSON.stringify(params));
    return this.getJob(Number(r.lastInsertRowid));
  }

  getJob(id: number): JobInfo {
    const r = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw new NotFoundError('NO_JOB', `no job with id ${id}`, { jobId: id });
    return this.jobInfo(r);
  }

  listJobs(limit = 50): JobInfo[] {
    return (this.db.prepare('SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map((r) => this.jobInfo(r));
  }

  updateJob(
    id: number,
    u: Partial<{ state: JobState; progress: number; total: number; message: string; error: object | null; result: object | null; pid: number | null }>,
  ): JobInfo {
    const sets: string[] = ["updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')"];
    const args: unknown[] = [];
    for (const [k, v] of Object.entries(u)) {
      if (v === undefined) continue;
      sets.push(`${k} = ?`);
      args.push(k === 'error' || k === 'result' ? (v === null ? null : JSON.stringify(v)) : v);
    }
    this.db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
    return this.getJob(id);
  }

  /** Jobs left 'running' or 'queued' by a process that died: mark them interrupted (resumable). */
  markOrphanedJobs(isAlive: (pid: number) => boolean): JobInfo[] {
    const rows = this.db.prepare("SELECT * FROM jobs WHERE state IN ('running','queued')").all() as Row[];
    const out: JobInfo[] = [];
    for (const r of rows) {
      const pid = r.pid as number | null;
      if (pid && pid !== process.pid && isAlive(pid)) continue;
      out.push(this.updateJob(r.id as number, { state: 'interrupted', message: 'interrupted (process ended); resumable' }));
    }
    return out;
  }
}
