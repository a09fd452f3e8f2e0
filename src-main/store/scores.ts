// Scores written by the scoring job (one probability per model and source). Reading scores for
// evaluation is in models-repo.ts (scoresOf); the grid reads them through candidates.ts.
import type Database from 'better-sqlite3';

export function scoredSourceIds(db: Database.Database, modelId: number): Set<number> {
  return new Set(db.prepare('SELECT source_id FROM scores WHERE model_id = ?').pluck().all(modelId) as number[]);
}

/** Writes (or replaces) a batch of scores in one transaction. */
export function writeScores(db: Database.Database, modelId: number, jobId: number | null, items: { sourceId: number; probability: number }[]): void {
  const ins = db.prepare('INSERT OR REPLACE INTO scores(model_id, source_id, probability, job_id) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const it of items) ins.run(modelId, it.sourceId, it.probability, jobId);
  })();
}
