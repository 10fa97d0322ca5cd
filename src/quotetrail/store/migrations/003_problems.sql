-- Problems are kept once per input and failure, not once per run: a re-run that hits the same
-- failure counts it (seen, last_at) instead of adding a row.  A bookkeeping table records
-- derived tables that an interrupted run left stale, so the next run brings them up to date.
ALTER TABLE problems ADD COLUMN error TEXT NOT NULL DEFAULT '';
ALTER TABLE problems ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE problems ADD COLUMN seen INTEGER NOT NULL DEFAULT 1;
ALTER TABLE problems ADD COLUMN last_at TEXT;
UPDATE problems SET last_at = at;
DELETE FROM problems WHERE id NOT IN (SELECT MIN(id) FROM problems GROUP BY path, stage, reason);
CREATE UNIQUE INDEX problems_key ON problems(path, stage, reason);
CREATE INDEX problems_fingerprint ON problems(fingerprint);
CREATE TABLE bookkeeping (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- Databases from before this migration may hold a speakers table an aborted run left stale.
INSERT INTO bookkeeping(key, value) SELECT 'stale:speakers', 'migration 3' WHERE EXISTS (SELECT 1 FROM speaker_mentions)
