-- Incremental speakers: a speaker's identity depends only on the mentions sharing its last word
-- (its "family": "Stoltenberg" folds into "Jens Stoltenberg", "Nato" and "NATO" merge), so a new
-- article rebuilds only the families of the names it mentions, not every speaker.  The store fills
-- ``family`` for older mentions right after this migration and marks the speakers for one rebuild.
ALTER TABLE speaker_mentions ADD COLUMN family TEXT NOT NULL DEFAULT '';
ALTER TABLE speakers ADD COLUMN family TEXT NOT NULL DEFAULT '';
CREATE INDEX speaker_mentions_family ON speaker_mentions(family);
CREATE INDEX speakers_family ON speakers(family);
CREATE TABLE speaker_families_stale (
    family TEXT PRIMARY KEY
);
INSERT OR REPLACE INTO bookkeeping(key, value) SELECT 'stale:speakers', 'migration 6' WHERE EXISTS (SELECT 1 FROM speaker_mentions)
