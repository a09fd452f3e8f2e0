// SQL for model versions (lineage through models.parent_id), their cards, and the scores of the
// graded sources: what the fine-tune job, the models view and the model evaluation need.
import type Database from 'better-sqlite3';
import type { ModelInfo } from '../../src-core/api/contract';
import { json, type Row } from './rows';
import { getSetting } from './settings';

export interface ModelRow {
  id: number;
  name: string;
  version: string;
  kind: string;
  path: string | null;
  parentId: number | null;
  card: Record<string, unknown>;
  createdAt: string;
}

const parse = (s: unknown): Record<string, unknown> => {
  try {
    return typeof s === 'string' && s ? (JSON.parse(s) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

function toModel(r: Row): ModelRow {
  return {
    id: r.id as number,
    name: String(r.name),
    version: String(r.version),
    kind: String(r.kind),
    path: (r.path as string | null) ?? null,
    parentId: (r.parent_id as number | null) ?? null,
    card: parse(r.card),
    createdAt: String(r.created_at),
  };
}

/** Registers a model version (idempotent on name + version) and returns its id. */
export function ensureModel(
  db: Database.Database,
  name: string,
  version: string,
  kind: string,
  path: string | null,
  card: object,
  parentId: number | null = null,
): number {
  db.prepare('INSERT OR IGNORE INTO models(name, version, kind, path, card, parent_id) VALUES (?, ?, ?, ?, ?, ?)').run(
    name,
    version,
    kind,
    path,
    JSON.stringify(card),
    parentId,
  );
  return db.prepare('SELECT id FROM models WHERE name = ? AND version = ?').pluck().get(name, version) as number;
}

/** Every model version with its number of scores (the models view, facets, session info). */
export function listModels(db: Database.Database): ModelInfo[] {
  const rows = db
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
export function activeModelId(db: Database.Database): number | null {
  const s = getSetting(db, 'active_model_id');
  if (s) return Number(s);
  return (db.prepare('SELECT MAX(model_id) FROM scores').pluck().get() as number | null) ?? null;
}

export function modelById(db: Database.Database, id: number): ModelRow | null {
  const r = db.prepare('SELECT * FROM models WHERE id = ?').get(id) as Row | undefined;
  return r ? toModel(r) : null;
}

export function modelByNameVersion(db: Database.Database, name: string, version: string): ModelRow | null {
  const r = db.prepare('SELECT * FROM models WHERE name = ? AND version = ?').get(name, version) as Row | undefined;
  return r ? toModel(r) : null;
}

/** Replaces a model's card (e.g. after the fine-tune job adds its evaluation). */
export function updateModelCard(db: Database.Database, id: number, card: object): void {
  db.prepare('UPDATE models SET card = ? WHERE id = ?').run(JSON.stringify(card), id);
}

/** Sets the lineage of a model registered before its parent was known. */
export function setModelParent(db: Database.Database, id: number, parentId: number): void {
  db.prepare('UPDATE models SET parent_id = ? WHERE id = ? AND parent_id IS NULL').run(parentId, id);
}

/** Scores of one model for the given sources (missing ones are absent from the map). */
export function scoresOf(db: Database.Database, modelId: number, sourceIds: number[]): Map<number, number> {
  const rows = db
    .prepare('SELECT source_id, probability FROM scores WHERE model_id = ? AND source_id IN (SELECT value FROM json_each(?))')
    .all(modelId, JSON.stringify(sourceIds)) as Row[];
  return new Map(rows.map((r) => [r.source_id as number, r.probability as number]));
}

/** Stamp file of each given source (sources without a stamp are absent). */
export function stampPaths(db: Database.Database, sourceIds: number[]): Map<number, string> {
  const rows = db
    .prepare("SELECT source_id, path FROM cutouts WHERE kind = 'stamp' AND source_id IN (SELECT value FROM json_each(?))")
    .all(JSON.stringify(sourceIds)) as Row[];
  return new Map(rows.map((r) => [r.source_id as number, String(r.path)]));
}

/** The model the grid sorts by, exports report and fine-tunes start from (settings.active_model_id). */
export function setActiveModel(db: Database.Database, id: number): void {
  db.prepare("INSERT INTO settings(key, value) VALUES ('active_model_id', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(id));
}

/**
 * Records a reviewer's (or the fine-tune rule's) decision on a candidate version in its card, and
 * makes it the active model when promoted. 'kept-current' leaves the active model alone.
 */
export function markPromotion(repo: { db: Database.Database }, id: number, status: 'promoted' | 'kept-current', reason: string): void {
  const row = modelById(repo.db, id);
  if (!row) return;
  repo.db.transaction(() => {
    const prev = (row.card.promotion ?? {}) as Record<string, unknown>;
    updateModelCard(repo.db, id, { ...row.card, promotion: { ...prev, status, reason, decidedAt: new Date().toISOString() } });
    if (status === 'promoted') setActiveModel(repo.db, id);
  })();
}
