// Deblend products for the renderer (issue 14): the latest 'deblend' product of a source (its summary
// as the job stored it, src-main/jobs/kinds/deblend.ts) and, for the grid, the lens-subtracted frames.
import type Database from 'better-sqlite3';
import type { BlendScoreInfo, DeblendGridEntry, DeblendInfo } from '../../src-core/api/contract';
import { latestBlendScore, latestBlendScores } from '../store/blend-scores';
import { latestProduct } from '../store/products';

export function deblendInfo(db: Database.Database, sourceId: number): DeblendInfo | null {
  const p = latestProduct(db, sourceId, 'deblend');
  if (!p) return null;
  const s = p.summary as Partial<DeblendInfo>;
  return {
    productId: p.id, jobId: p.jobId, createdAt: p.createdAt, prior: String(s.prior ?? p.params.prior ?? 'none'),
    bands: s.bands ?? [], components: s.components ?? [], deflector: s.deflector ?? null, chi2PerPixel: s.chi2PerPixel ?? null,
    iterations: s.iterations ?? 0, converged: s.converged ?? false, warnings: s.warnings ?? [],
  };
}

export function deblendGrid(db: Database.Database, sourceIds: number[]): DeblendGridEntry[] {
  if (!sourceIds.length) return [];
  const rows = db
    .prepare("SELECT id, source_id AS sourceId FROM cutouts WHERE kind = 'lens-subtracted' AND source_id IN (SELECT value FROM json_each(?))")
    .all(JSON.stringify(sourceIds)) as { id: number; sourceId: number }[];
  const sub = new Map(rows.map((r) => [r.sourceId, `cutout/${r.id}`]));
  const blend = latestBlendScores(db, sourceIds);
  return sourceIds.map((id) => {
    const b = blend.get(id);
    return { sourceId: id, lensSubtracted: sub.get(id) ?? null, blendProbability: b?.probability ?? null, likelyBlend: b ? b.likelyBlend : null };
  });
}

/** The latest blend score of a source (candidate view), or null. */
export function blendInfo(db: Database.Database, sourceId: number): BlendScoreInfo | null {
  const b = latestBlendScore(db, sourceId);
  return b ? { ...b } : null;
}
