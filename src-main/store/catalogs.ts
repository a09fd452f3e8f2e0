// Surveys, catalogs, sources and their cutouts: what ingest writes and what scoring and the image
// protocol read back.
import type Database from 'better-sqlite3';
import { json, type Row } from './rows';

type Db = Database.Database;

/** One source to insert (see insertSources). */
export interface SourceInsert {
  row: number;
  name: string;
  ra: number | null;
  dec: number | null;
  extra?: Record<string, unknown>;
  truth?: Record<string, unknown> | null;
  cutout?: { path: string; hdu?: number; width: number; height: number; bands: string[] };
  /** A wider field around the source (kind 'context'). */
  context?: { path: string; width: number; height: number; bands: string[] };
}

export interface CatalogSummary {
  id: number;
  name: string;
  kind: string;
  origin: string;
  n: number;
}

export function ensureSurvey(db: Db, name: string, pixelScale: number | null, bands: string[]): number {
  db.prepare('INSERT OR IGNORE INTO surveys(name, pixel_scale) VALUES (?, ?)').run(name, pixelScale);
  const sid = (db.prepare('SELECT id FROM surveys WHERE name = ?').get(name) as Row).id as number;
  const ins = db.prepare('INSERT OR IGNORE INTO bands(survey_id, name, idx) VALUES (?, ?, ?)');
  bands.forEach((b, i) => ins.run(sid, b, i));
  return sid;
}

export function ensureCatalog(db: Db, name: string, origin: string, kind: string, surveyId: number | null): number {
  db.prepare('INSERT OR IGNORE INTO catalogs(name, origin, kind, survey_id) VALUES (?, ?, ?, ?)').run(name, origin, kind, surveyId);
  return (db.prepare('SELECT id FROM catalogs WHERE name = ?').get(name) as Row).id as number;
}

export function listCatalogs(db: Db): CatalogSummary[] {
  return db
    .prepare('SELECT c.id, c.name, c.kind, c.origin, (SELECT COUNT(*) FROM sources s WHERE s.catalog_id = c.id) AS n FROM catalogs c ORDER BY c.id')
    .all() as never;
}

/**
 * A catalog by its id (digits) or its name, for CLI options; null when there is none. `known` lists the
 * workspace's catalogs for the error message ("12 'hsc-wide', …").
 */
export function findCatalog(db: Db, text: string): { catalog: CatalogSummary | null; known: string } {
  const all = listCatalogs(db);
  const t = text.trim();
  const catalog = (/^\d+$/.test(t) ? all.find((c) => c.id === Number(t)) : all.find((c) => c.name === text)) ?? null;
  const known = all.slice(0, 20).map((c) => `${c.id} '${c.name}'`).join(', ') + (all.length > 20 ? ', …' : '');
  return { catalog, known };
}

/** Rows already present (resume): the set of catalog rows done. */
export function catalogRowsDone(db: Db, catalogId: number): Set<number> {
  const rows = db.prepare('SELECT row FROM sources WHERE catalog_id = ?').pluck().all(catalogId) as number[];
  return new Set(rows);
}

/**
 * Inserts sources and their stamp cutouts in one transaction. Idempotent on (catalog, row):
 * re-running a killed ingest never duplicates a source.
 */
export function insertSources(db: Db, catalogId: number, items: SourceInsert[]): number {
  const insSrc = db.prepare(
    'INSERT OR IGNORE INTO sources(catalog_id, row, name, ra, dec, extra, truth, shuffle_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const getId = db.prepare('SELECT id FROM sources WHERE catalog_id = ? AND row = ?').pluck();
  const insCut = db.prepare(
    'INSERT OR IGNORE INTO cutouts(source_id, kind, path, hdu, width, height, bands) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  let added = 0;
  db.transaction(() => {
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

export function countSources(db: Db): number {
  return db.prepare('SELECT COUNT(*) FROM sources').pluck().get() as number;
}

/** Sources with stamps, in id order after `afterId` (streaming for scoring jobs). */
export function stampsAfter(db: Db, afterId: number, limit: number, catalogId?: number): { sourceId: number; path: string; bands: string[] }[] {
  const rows = db
    .prepare(
      `SELECT s.id AS sourceId, c.path, c.bands FROM sources s JOIN cutouts c ON c.source_id = s.id AND c.kind = 'stamp'
       WHERE s.id > ? ${catalogId ? 'AND s.catalog_id = ?' : ''} ORDER BY s.id LIMIT ?`,
    )
    .all(...(catalogId ? [afterId, catalogId, limit] : [afterId, limit])) as Row[];
  return rows.map((r) => ({ sourceId: r.sourceId as number, path: String(r.path), bands: json(r.bands, []) }));
}

/** Filesystem path of a source's stamp (for the image protocol, which checks containment). */
export function stampPathOfSource(db: Db, sourceId: number): string | null {
  return (db.prepare("SELECT path FROM cutouts WHERE source_id = ? AND kind = 'stamp'").pluck().get(sourceId) as string) ?? null;
}

/** Filesystem path of a cutout by id (for the image protocol, which checks containment). */
export function cutoutPath(db: Db, cutoutId: number): string | null {
  return (db.prepare('SELECT path FROM cutouts WHERE id = ?').pluck().get(cutoutId) as string) ?? null;
}
