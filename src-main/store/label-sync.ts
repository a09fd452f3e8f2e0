// Label sets that travel between machines (`lensdesk labels export` / `labels import`). Each label
// keeps its globally unique uid, so importing the same file twice, or files that overlap, never
// duplicates a grade; sources are matched by a portable key (catalog name + 0-based catalog row),
// not by this workspace's row ids; reviewers by name. The history stays append-only: an import
// only inserts rows, with their original uid, action, undo link and creation time.
import type Database from 'better-sqlite3';
import { InputError } from '../../src-core/errors';

export const LABELS_FORMAT = 'lensdesk-labels';
export const LABELS_VERSION = 1;

export interface PortableLabel {
  uid: string;
  reviewer: string;
  /** Portable source key: catalog name + row; `name` is informative. */
  source: { catalog: string; row: number; name: string };
  grade: number | null;
  tags: string[];
  comment: string;
  action: string;
  undoes: string | null;
  createdAt: string;
}

export interface LabelSet {
  format: typeof LABELS_FORMAT;
  version: number;
  exportedAt: string;
  labels: PortableLabel[];
}

export interface ImportReport {
  read: number;
  added: number;
  /** Already present (same uid): skipped, never duplicated. */
  duplicates: number;
  /** Source not in this workspace (catalog name + row unknown): reported, not imported. */
  unknownSources: { catalog: string; row: number; n: number }[];
  reviewersCreated: string[];
}

type Row = Record<string, unknown>;

export function exportLabels(db: Database.Database, opts: { reviewer?: string } = {}): LabelSet {
  const rows = db
    .prepare(
      `SELECT l.uid, v.name AS reviewer, c.name AS catalog, s.row, s.name, l.grade, l.tags, l.comment, l.action, l.undoes, l.created_at
       FROM labels l JOIN reviewers v ON v.id = l.reviewer_id JOIN sources s ON s.id = l.source_id JOIN catalogs c ON c.id = s.catalog_id
       ${opts.reviewer ? 'WHERE v.name = ?' : ''} ORDER BY l.id`,
    )
    .all(...(opts.reviewer ? [opts.reviewer] : [])) as Row[];
  return {
    format: LABELS_FORMAT,
    version: LABELS_VERSION,
    exportedAt: new Date().toISOString(),
    labels: rows.map((r) => ({
      uid: String(r.uid),
      reviewer: String(r.reviewer),
      source: { catalog: String(r.catalog), row: r.row as number, name: String(r.name) },
      grade: (r.grade as number | null) ?? null,
      tags: JSON.parse(String(r.tags ?? '[]')) as string[],
      comment: String(r.comment ?? ''),
      action: String(r.action),
      undoes: (r.undoes as string | null) ?? null,
      createdAt: String(r.created_at),
    })),
  };
}

/** Checks a parsed file; errors name the label index and field. */
export function parseLabelSet(v: unknown, file = '(labels)'): LabelSet {
  const o = v as Partial<LabelSet> | null;
  if (!o || typeof o !== 'object' || o.format !== LABELS_FORMAT) {
    throw new InputError('LABELS_FORMAT', `${file}: not a LensDesk label set (format must be '${LABELS_FORMAT}')`, { file });
  }
  if (o.version !== LABELS_VERSION) throw new InputError('LABELS_VERSION', `${file}: label set version ${String(o.version)} is not supported (expected ${LABELS_VERSION})`, { file });
  if (!Array.isArray(o.labels)) throw new InputError('LABELS_FORMAT', `${file}: no labels array`, { file });
  o.labels.forEach((l, i) => {
    const bad = (field: string, why: string) => {
      throw new InputError('LABELS_FIELD', `${file}: labels[${i}].${field} ${why}`, { file, field: `labels[${i}].${field}` });
    };
    if (typeof l?.uid !== 'string' || !l.uid) bad('uid', 'must be a non-empty string');
    if (typeof l.reviewer !== 'string' || !l.reviewer.trim()) bad('reviewer', 'must be a name');
    if (!l.source || typeof l.source.catalog !== 'string' || !Number.isInteger(l.source.row)) bad('source', 'must be {catalog, row}');
    if (l.grade !== null && !(Number.isInteger(l.grade) && l.grade >= 0 && l.grade <= 3)) bad('grade', 'must be 0–3 or null');
    if (!Array.isArray(l.tags) || l.tags.some((t) => typeof t !== 'string')) bad('tags', 'must be an array of strings');
    if (typeof l.createdAt !== 'string' || Number.isNaN(Date.parse(l.createdAt))) bad('createdAt', 'must be an ISO 8601 time');
  });
  return o as LabelSet;
}

export function importLabels(db: Database.Database, set: LabelSet): ImportReport {
  const hasUid = db.prepare('SELECT 1 FROM labels WHERE uid = ?').pluck();
  const sourceId = db.prepare('SELECT s.id FROM sources s JOIN catalogs c ON c.id = s.catalog_id WHERE c.name = ? AND s.row = ?').pluck();
  const reviewerId = db.prepare('SELECT id FROM reviewers WHERE name = ?').pluck();
  const addReviewer = db.prepare('INSERT INTO reviewers(name) VALUES (?)');
  const ins = db.prepare(
    'INSERT INTO labels(uid, reviewer_id, source_id, grade, tags, comment, action, undoes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const report: ImportReport = { read: set.labels.length, added: 0, duplicates: 0, unknownSources: [], reviewersCreated: [] };
  const unknown = new Map<string, { catalog: string; row: number; n: number }>();
  // Oldest first, so within this import ids follow time as they do for local grades.
  const labels = [...set.labels].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  db.transaction(() => {
    for (const l of labels) {
      if (hasUid.get(l.uid)) {
        report.duplicates++;
        continue;
      }
      const sid = sourceId.get(l.source.catalog, l.source.row) as number | undefined;
      if (sid === undefined) {
        const k = `${l.source.catalog}\u0000${l.source.row}`;
        const u = unknown.get(k) ?? { catalog: l.source.catalog, row: l.source.row, n: 0 };
        u.n++;
        unknown.set(k, u);
        continue;
      }
      let rid = reviewerId.get(l.reviewer) as number | undefined;
      if (rid === undefined) {
        rid = Number(addReviewer.run(l.reviewer).lastInsertRowid);
        report.reviewersCreated.push(l.reviewer);
      }
      ins.run(l.uid, rid, sid, l.grade, JSON.stringify(l.tags), l.comment ?? '', l.action || 'grade', l.undoes ?? null, normaliseTime(l.createdAt));
      report.added++;
    }
  })();
  report.unknownSources = [...unknown.values()];
  return report;
}

/** Same text form as SQLite's strftime('%Y-%m-%dT%H:%M:%fZ'), so times from both sort together. */
function normaliseTime(t: string): string {
  return new Date(t).toISOString();
}
