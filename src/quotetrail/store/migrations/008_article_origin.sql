-- Where an article came from: 'ingest' (read and extracted here: its speaker mentions come from the
-- text) or 'load' (from an export or a Spark output: its speakers come from the loaded rows).
ALTER TABLE articles ADD COLUMN origin TEXT NOT NULL DEFAULT 'ingest'
