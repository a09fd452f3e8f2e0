// Image products in the cutout bundle: for each candidate of the bundle, the latest product of each kind
// (restore: MEAN/STD/SAMPLES with the stamp's WCS; source, deblend, … as other jobs add them) copied to
// products/<kind>/<row>-<name>.fits, row = the candidate's row in cutouts.fits and catalog.fits, and a
// products.csv manifest (row, source id, kind, file, prior, created, job, original path). A product whose
// file has gone is listed as missing rather than failing the export.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { listProducts } from '../store/products';
import { writeFileAtomic } from '../stamps/stamp-file';

const csvField = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function writeBundleProducts(
  db: Database.Database, workspaceDir: string, dir: string, rows: { sourceId: number; name: string }[], fileName: (row: number, name: string) => string,
): { files: number; missing: number } {
  const lines = ['row,source_id,kind,file,prior,created_at,job_id,workspace_path'];
  let files = 0, missing = 0;
  rows.forEach((r, row) => {
    const seen = new Set<string>();
    for (const p of listProducts(db, r.sourceId)) {
      if (seen.has(p.kind)) continue; // newest first: the current one of each kind
      seen.add(p.kind);
      const src = isAbsolute(p.path) ? p.path : resolve(workspaceDir, p.path);
      const rel = `products/${p.kind}/${fileName(row, r.name)}.fits`;
      const prior = (p.summary as { prior?: unknown }).prior ?? '';
      if (!existsSync(src)) {
        missing++;
        lines.push([row, r.sourceId, p.kind, 'MISSING', prior, p.createdAt, p.jobId, p.path].map(csvField).join(','));
        continue;
      }
      mkdirSync(join(dir, 'products', p.kind), { recursive: true });
      writeFileAtomic(join(dir, rel), readFileSync(src));
      files++;
      lines.push([row, r.sourceId, p.kind, rel, prior, p.createdAt, p.jobId, p.path].map(csvField).join(','));
    }
  });
  if (files + missing > 0) writeFileAtomic(join(dir, 'products.csv'), new TextEncoder().encode(lines.join('\n') + '\n'));
  return { files, missing };
}
