// SQL for image products (table `products`, db/migrations/0004-products.sql): restored stamps,
// reconstructed sources, deblended components, lens-subtracted frames, mass maps. Rows are only
// inserted (a re-run adds one; the latest per source and kind is current), and the blink frames of a
// product are `cutouts` rows of kind '<kind>-<frame>' so the candidate view lists them with the stamp.
import type Database from 'better-sqlite3';
import type { ProductInfo } from '../../src-core/api/contract';

export interface NewProduct {
  sourceId: number | null;
  kind: string;
  /** The product's FITS file, relative to the workspace folder. */
  path: string;
  params?: Record<string, unknown>;
  summary?: Record<string, unknown>;
  jobId?: number | null;
}


// Rows come back in the API contract's shape (ProductInfo), so the backend hands them on unchanged.
type Row = Record<string, unknown>;
const parse = (v: unknown): Record<string, unknown> => (typeof v === 'string' && v ? (JSON.parse(v) as Record<string, unknown>) : {});
const toRow = (r: Row): ProductInfo => ({
  id: r.id as number,
  sourceId: (r.source_id as number | null) ?? null,
  kind: String(r.kind),
  path: String(r.path),
  params: parse(r.params),
  summary: parse(r.summary),
  jobId: (r.job_id as number | null) ?? null,
  createdAt: String(r.created_at),
});

export function insertProduct(db: Database.Database, p: NewProduct): number {
  const r = db
    .prepare('INSERT INTO products(source_id, kind, path, params, summary, job_id) VALUES (?, ?, ?, ?, ?, ?)')
    .run(p.sourceId, p.kind, p.path, JSON.stringify(p.params ?? {}), JSON.stringify(p.summary ?? {}), p.jobId ?? null);
  return Number(r.lastInsertRowid);
}

/** Products of a source (or, with sourceId null, the catalog-level ones), newest first; optionally one kind. */
export function listProducts(db: Database.Database, sourceId: number | null, kind?: string): ProductInfo[] {
  const where = [sourceId === null ? 'source_id IS NULL' : 'source_id = ?'];
  const args: unknown[] = sourceId === null ? [] : [sourceId];
  if (kind !== undefined) {
    where.push('kind = ?');
    args.push(kind);
  }
  return (db.prepare(`SELECT * FROM products WHERE ${where.join(' AND ')} ORDER BY id DESC`).all(...args) as Row[]).map(toRow);
}

/** The current (latest) product of a kind for a source, or null. */
export function latestProduct(db: Database.Database, sourceId: number | null, kind: string): ProductInfo | null {
  return listProducts(db, sourceId, kind)[0] ?? null;
}

export function getProduct(db: Database.Database, id: number): ProductInfo | null {
  const r = db.prepare('SELECT * FROM products WHERE id = ?').get(id) as Row | undefined;
  return r ? toRow(r) : null;
}

/**
 * Records (or replaces) a blink frame of a source: a `cutouts` row of this kind (e.g. 'restore-mean').
 * The candidate view shows every cutout that is not the stamp or the context as an extra blink frame.
 * The renderer reads the primary HDU only: write each frame as its own single-HDU FITS (bands as planes)
 * under the workspace's products/ folder (served by the image protocol, src-main/api/images.ts).
 */
export function upsertFrameCutout(db: Database.Database, sourceId: number, kind: string, path: string, width: number, height: number, bands: string[]): void {
  if (kind === 'stamp' || kind === 'context') throw new Error(`upsertFrameCutout: '${kind}' is not a product frame`);
  db.prepare(
    `INSERT INTO cutouts(source_id, kind, path, hdu, width, height, bands) VALUES (?, ?, ?, 0, ?, ?, ?)
     ON CONFLICT(source_id, kind) DO UPDATE SET path = excluded.path, hdu = 0, width = excluded.width, height = excluded.height, bands = excluded.bands`,
  ).run(sourceId, kind, path, width, height, JSON.stringify(bands));
}
