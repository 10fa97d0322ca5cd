-- Ledger rows without the article text: the covered text of speaker mention, cue and addressee is
-- kept beside the spans (filled for older rows by the store right after this migration), so that
-- lists, exports and the API never read the article body.  ``said_key`` orders statements by date
-- with undated ones last ('~' sorts after every digit) and, with its index, serves every date-ordered
-- page and keyset cursor without sorting.  ``has_text`` is 0 for articles loaded from an export
-- that carried only their metadata.
ALTER TABLE quotations ADD COLUMN speaker_mention_text TEXT;
ALTER TABLE quotations ADD COLUMN cue_text TEXT;
ALTER TABLE quotations ADD COLUMN addressee_text TEXT;
ALTER TABLE quotations ADD COLUMN said_key TEXT NOT NULL DEFAULT '~';
UPDATE quotations SET said_key = COALESCE(said_on, '~');
ALTER TABLE articles ADD COLUMN has_text INTEGER NOT NULL DEFAULT 1;
CREATE INDEX quotations_said_key ON quotations(said_key, article_id, start, id);
CREATE INDEX quotations_speaker_key ON quotations(speaker, said_key, article_id, start, id);
CREATE INDEX quotations_article_start ON quotations(article_id, start);
CREATE INDEX articles_agency ON articles(agency);
CREATE INDEX speakers_count ON speakers(quotation_count DESC, name);
DROP INDEX IF EXISTS quotations_said_on;
DROP INDEX IF EXISTS quotations_speaker
