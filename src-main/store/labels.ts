// Reviewers and their grades. Labels are append-only: a grade, its undo and a synced grade are all
// new rows, and current_labels (a view) gives each reviewer's latest grade per source.
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { LabelEntry } from '../../src-core/api/contract';
import { NotFoundError } from '../../src-core/errors';
import { json, type Row } from './rows';

type Db = Database.Database;

/** What a grade says about one source (the store's own shape; the API's labels.add params fit it). */
export interface LabelInput {
  sourceId: number;
  grade: number | null;
  tags: string[];
  comment: string;
}

export function ensureReviewer(db: Db, name: string): { id: number; name: string } {
  db.prepare('INSERT OR IGNORE INTO reviewers(name) VALUES (?)').run(name);
  const id = db.prepare('SELECT id FROM reviewers WHERE name = ?').pluck().get(name) as number;
  return { id, name };
}

/** Reviewers who have graded anything, by name. */
export function reviewerNames(db: Db): string[] {
  return db
    .prepare('SELECT DISTINCT v.name FROM reviewers v JOIN labels l ON l.reviewer_id = v.id ORDER BY v.name')
    .pluck()
    .all() as string[];
}

function labelEntry(r: Row): LabelEntry {
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

function labelById(db: Db, id: number): LabelEntry {
  const r = db
    .prepare('SELECT l.*, v.name AS reviewer FROM labels l JOIN reviewers v ON v.id = l.reviewer_id WHERE l.id = ?')
    .get(id) as Row;
  return labelEntry(r);
}

/** Appends a grade (never updates). Acknowledged only after the commit, so a crash loses nothing acknowledged. */
export function addLabel(
  db: Db,
  reviewerId: number,
  p: LabelInput,
  action = 'grade',
  undoes: string | null = null,
  uid: string = randomUUID(),
  createdAt?: string,
): LabelEntry {
  const exists = db.prepare('SELECT 1 FROM sources WHERE id = ?').get(p.sourceId);
  if (!exists) throw new NotFoundError('NO_SOURCE', `no source with id ${p.sourceId}`, { sourceId: p.sourceId });
  const r = db
    .prepare(
      `INSERT INTO labels(uid, reviewer_id, source_id, grade, tags, comment, action, undoes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, strftime('%Y-%m-%dT%H:%M:%fZ','now')))`,
    )
    .run(uid, reviewerId, p.sourceId, p.grade, JSON.stringify(p.tags), p.comment, action, undoes, createdAt ?? null);
  return labelById(db, Number(r.lastInsertRowid));
}

/**
 * Undo the reviewer's most recent grade that has not been undone yet, by appending a row that
 * restores the state before it. History keeps both.
 */
export function undoLastLabel(db: Db, reviewerId: number): { sourceId: number | null; restored: number | null } {
  const last = db
    .prepare(
      `SELECT * FROM labels l WHERE reviewer_id = ? AND action = 'grade'
         AND NOT EXISTS (SELECT 1 FROM labels u WHERE u.undoes = l.uid)
       ORDER BY id DESC LIMIT 1`,
    )
    .get(reviewerId) as Row | undefined;
  if (!last) return { sourceId: null, restored: null };
  const prev = db
    .prepare('SELECT * FROM labels WHERE reviewer_id = ? AND source_id = ? AND id < ? ORDER BY id DESC LIMIT 1')
    .get(reviewerId, last.source_id, last.id) as Row | undefined;
  const restored = prev ? ((prev.grade as number) ?? null) : null;
  addLabel(
    db,
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

export function labelHistory(db: Db, sourceId: number): LabelEntry[] {
  const rows = db
    .prepare('SELECT l.*, v.name AS reviewer FROM labels l JOIN reviewers v ON v.id = l.reviewer_id WHERE source_id = ? ORDER BY l.id')
    .all(sourceId) as Row[];
  return rows.map(labelEntry);
}

export function gradedCounts(db: Db, reviewerId: number): { graded: number; gradedByMe: number } {
  const graded = db.prepare('SELECT COUNT(DISTINCT source_id) FROM current_labels WHERE grade IS NOT NULL').pluck().get() as number;
  const gradedByMe = db
    .prepare('SELECT COUNT(*) FROM current_labels WHERE grade IS NOT NULL AND reviewer_id = ?')
    .pluck()
    .get(reviewerId) as number;
  return { graded, gradedByMe };
}

/** The simulation truth shown after a practice grade (Space Warps-style feedback), if the source has one. */
export function practiceTruth(db: Db, sourceId: number): { isLens: boolean; kind: string; thetaE: number | null } | undefined {
  const t = json<Record<string, unknown> | null>(db.prepare('SELECT truth FROM sources WHERE id = ?').pluck().get(sourceId), null);
  if (!t || t.is_lens === undefined) return undefined;
  const te = t.theta_E ?? t.theta_e;
  return { isLens: Boolean(t.is_lens), kind: String(t.kind ?? (t.is_lens ? 'lens' : 'non-lens')), thetaE: typeof te === 'number' ? te : null };
}

/** Every reviewer's current grade, with the simulation truth where the source has one. */
export function currentGrades(db: Db): { reviewer: string; sourceId: number; name: string; grade: number; truth: boolean | undefined }[] {
  const rows = db
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
