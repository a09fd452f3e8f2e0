-- Blend flag (issue 14): the explicit-likelihood morphology model's blend score of a source's stamp
-- (src-core/deblend/morphology-density.ts), computed by the 'blend-score' job. Insert-only: a re-run
-- adds a row; the grid, the filter "hide likely blends", the export and the candidate view use the
-- latest row per source.
CREATE TABLE blend_scores (
  id              INTEGER PRIMARY KEY,
  source_id       INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  model           TEXT NOT NULL,                 -- model folder name and its card's creation date
  probability     REAL NOT NULL,                 -- calibrated P(blend), 0–1
  likely_blend    INTEGER NOT NULL,              -- 1 when probability ≥ the model's threshold (0.5)
  logp_per_pixel  REAL NOT NULL,                 -- log p(x | σ) / N, nats per pixel
  statistic       REAL NOT NULL,                 -- the calibrated per-pixel statistic t(x)
  job_id          INTEGER REFERENCES jobs(id),
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX blend_scores_source ON blend_scores(source_id, id DESC);
