-- Label sets merged from other machines (lensdesk labels import) arrive with higher row ids than
-- grades made here, so "current = highest id" would let an older imported grade shadow a newer
-- local one. The current grade of a reviewer for a source is now the latest by created_at (UTC,
-- ISO 8601 with milliseconds, so text order = time order), ties broken by id. For labels made on
-- one machine this is the same row as before.
DROP VIEW current_labels;
CREATE INDEX labels_current_time ON labels(source_id, reviewer_id, created_at DESC, id DESC);
CREATE VIEW current_labels AS
  SELECT l.* FROM labels l
  WHERE l.id = (SELECT l2.id FROM labels l2
                WHERE l2.source_id = l.source_id AND l2.reviewer_id = l.reviewer_id
                ORDER BY l2.created_at DESC, l2.id DESC LIMIT 1);
