-- Image products made from a cutout or a catalog (issues 13, 14, 15): restored stamps, reconstructed
-- sources, deblended components, lens-light-subtracted frames, mass maps. One row per run: the FITS file
-- it wrote (relative to the workspace), the options that made it, and small summaries for the views.
-- Frames a reviewer blinks are also registered in `cutouts` under kinds '<kind>-<frame>'
-- (e.g. 'restore-mean', 'restore-std', 'deblend-comp1', 'lens-subtracted'), so candidate.get lists them.
-- Rows are never updated: a re-run adds a row; the views show the latest per (source, kind).
CREATE TABLE products (
  id          INTEGER PRIMARY KEY,
  source_id   INTEGER REFERENCES sources(id) ON DELETE CASCADE,  -- NULL for catalog-level products (mass maps)
  kind        TEXT NOT NULL,                 -- 'restore' | 'source' | 'deblend' | 'lens-subtracted' | 'massmap' | ...
  path        TEXT NOT NULL,                 -- the product's FITS file, relative to the workspace folder
  params      TEXT NOT NULL DEFAULT '{}',    -- JSON: the options that made it (operator, prior, samples, …)
  summary     TEXT NOT NULL DEFAULT '{}',    -- JSON: small results for the views (fluxes, χ², peaks, …)
  job_id      INTEGER REFERENCES jobs(id),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX products_source_kind ON products(source_id, kind, id DESC);
