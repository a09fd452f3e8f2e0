-- Per-reviewer random order needs a stable random key per source (SQLite's random() is not
-- reproducible); also index the labels by reviewer for "hide what I graded".
ALTER TABLE sources ADD COLUMN shuffle_key INTEGER NOT NULL DEFAULT 0;
CREATE INDEX labels_by_reviewer ON labels(reviewer_id, source_id);
-- An undo row names the grade row it reverts, so repeated undos walk back through history.
ALTER TABLE labels ADD COLUMN undoes TEXT;
