-- LensDesk workspace schema, version 1. Numbered files are applied in order at open and never
-- edited once released; a backup copy of the database is taken before each migration.

CREATE TABLE surveys (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  pixel_scale REAL,                       -- arcsec / pixel
  description TEXT
);

CREATE TABLE bands (
  id        INTEGER PRIMARY KEY,
  survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
  name      TEXT NOT NULL,                -- e.g. 'g', 'r', 'VIS'
  idx       INTEGER NOT NULL,             -- plane order in cutouts (0-based)
  UNIQUE (survey_id, name)
);

CREATE TABLE catalogs (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  survey_id  INTEGER REFERENCES surveys(id),
  origin     TEXT NOT NULL,               -- folder or file it was ingested from
  kind       TEXT NOT NULL DEFAULT 'cutouts', -- 'cutouts' | 'table' | 'simulated'
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE sources (
  id         INTEGER PRIMARY KEY,
  catalog_id INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
  row        INTEGER NOT NULL,            -- 0-based row (or file index) in the catalog
  name       TEXT NOT NULL,
  ra         REAL,                        -- degrees, ICRS
  dec        REAL,                        -- degrees, ICRS
  extra      TEXT,                        -- JSON: other catalog columns
  truth      TEXT,                        -- JSON: simulator truth (simulated catalogs only)
  UNIQUE (catalog_id, row)
);
CREATE INDEX sources_radec ON sources(ra, dec);

CREATE TABLE cutouts (
  id        INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  kind      TEXT NOT NULL DEFAULT 'stamp', -- 'stamp' | 'context' | 'model' | 'residual'
  path      TEXT NOT NULL,                 -- relative to the workspace folder, or absolute (ingested in place)
  hdu       INTEGER NOT NULL DEFAULT 0,
  width     INTEGER,
  height    INTEGER,
  bands     TEXT,                          -- JSON array of band names, plane order
  UNIQUE (source_id, kind)
);

CREATE TABLE models (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  version    TEXT NOT NULL,
  parent_id  INTEGER REFERENCES models(id), -- lineage: fine-tuned from
  kind       TEXT NOT NULL,                 -- 'cmudeeplens' | 'placeholder'
  path       TEXT,                          -- model folder
  card       TEXT NOT NULL DEFAULT '{}',    -- JSON model card
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (name, version)
);

CREATE TABLE scores (
  model_id    INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  probability REAL NOT NULL,
  job_id      INTEGER REFERENCES jobs(id),
  PRIMARY KEY (model_id, source_id)
) WITHOUT ROWID;
CREATE INDEX scores_by_prob ON scores(model_id, probability DESC);

CREATE TABLE reviewers (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

-- Append-only label history: a grade is never updated or deleted. The current grade of a reviewer
-- for a source is the latest row (highest id); an undo appends the previous state again, and a
-- row with grade NULL clears the grade. Triggers below forbid UPDATE and DELETE.
CREATE TABLE labels (
  id          INTEGER PRIMARY KEY,
  uid         TEXT NOT NULL UNIQUE,          -- globally unique, so label sets merge without duplicates
  reviewer_id INTEGER NOT NULL REFERENCES reviewers(id),
  source_id   INTEGER NOT NULL REFERENCES sources(id),
  grade       INTEGER CHECK (grade IS NULL OR grade BETWEEN 0 AND 3), -- 3=A 2=B 1=C 0=X
  tags        TEXT NOT NULL DEFAULT '[]',    -- JSON array
  comment     TEXT NOT NULL DEFAULT '',
  action      TEXT NOT NULL DEFAULT 'grade', -- 'grade' | 'undo' | 'clear' | 'import'
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX labels_current ON labels(source_id, reviewer_id, id DESC);
CREATE TRIGGER labels_no_update BEFORE UPDATE ON labels
  BEGIN SELECT RAISE(ABORT, 'labels are append-only history: rows cannot be changed'); END;
CREATE TRIGGER labels_no_delete BEFORE DELETE ON labels
  BEGIN SELECT RAISE(ABORT, 'labels are append-only history: rows cannot be deleted'); END;

CREATE VIEW current_labels AS
  SELECT l.* FROM labels l
  WHERE l.id = (SELECT MAX(id) FROM labels l2
                WHERE l2.source_id = l.source_id AND l2.reviewer_id = l.reviewer_id);

CREATE TABLE posteriors (
  id          INTEGER PRIMARY KEY,
  source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  method      TEXT NOT NULL,                 -- 'nuts' | 'hmc' | ...
  parameters  TEXT NOT NULL,                 -- JSON array of parameter names
  summaries   TEXT NOT NULL,                 -- JSON: per-parameter mean, sd, quantiles, rhat, ess
  samples     BLOB,                          -- Float64 draws, chains × draws × params
  diagnostics TEXT NOT NULL DEFAULT '{}',
  job_id      INTEGER REFERENCES jobs(id),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE jobs (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL,
  params     TEXT NOT NULL DEFAULT '{}',
  state      TEXT NOT NULL DEFAULT 'queued'
             CHECK (state IN ('queued','running','done','failed','cancelled','interrupted')),
  progress   INTEGER NOT NULL DEFAULT 0,
  total      INTEGER NOT NULL DEFAULT 0,
  message    TEXT NOT NULL DEFAULT '',
  error      TEXT,                            -- JSON serialised typed error
  result     TEXT,                            -- JSON
  pid        INTEGER,                         -- process running it (to detect crashes)
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE exports (
  id         INTEGER PRIMARY KEY,
  job_id     INTEGER REFERENCES jobs(id),
  format     TEXT NOT NULL,                   -- 'csv' | 'fits' | 'votable'
  path       TEXT NOT NULL,
  filter     TEXT NOT NULL DEFAULT '{}',
  n_rows     INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
