-- Claims at scale (issue 14).  A claim's group keeps what grouping needs to place a new quotation
-- without reading the claim's members: polarity, the running sum of its members' vectors (float32
-- blob), how many members the sum covers, its content words, and its key in the centroid index kept
-- beside the database.  In a table of its own so that listing claims never reads the vectors.
-- Claims from before this migration have no group yet; the next update makes it once from their
-- members' cached embeddings ("members" = -1 below forces that check).
CREATE TABLE claim_groups (
    key INTEGER PRIMARY KEY,
    claim_id TEXT NOT NULL UNIQUE REFERENCES claims(id) ON DELETE CASCADE,
    polarity TEXT NOT NULL,
    vector_sum BLOB NOT NULL,
    size INTEGER NOT NULL,
    words TEXT NOT NULL
);
CREATE INDEX claim_members_stance ON claim_members(stance, claim_id);
-- Grouped quotations: their key in the quotation index (related claims), text hash (the key of
-- the embeddings cache) and polarity.
CREATE TABLE indexed_quotations (
    key INTEGER PRIMARY KEY,
    quotation_id TEXT NOT NULL UNIQUE REFERENCES quotations(id) ON DELETE CASCADE,
    text_hash TEXT NOT NULL,
    polarity TEXT NOT NULL
);
-- Incremental syndication: articles already compared, and their MinHash LSH band keys.
CREATE TABLE syndication_articles (
    n INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL UNIQUE REFERENCES articles(id) ON DELETE CASCADE,
    sort_key TEXT NOT NULL
);
CREATE TABLE syndication_bands (
    band_key INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (band_key, n)
) WITHOUT ROWID;
CREATE INDEX syndication_original ON syndication(original_id);
-- Counters: the claims generation (the index files carry the one they match) and the number of
-- affirming memberships the groups account for (a mismatch means some claim needs repair).
CREATE TABLE claims_state (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO claims_state(key, value) VALUES ('generation', 0), ('members', -1);
-- An older database's grouped articles are compared for syndication once, by the next update.
INSERT INTO claims_state(key, value) SELECT 'syndication_backfill', 1 WHERE EXISTS (SELECT 1 FROM quotations WHERE claim_id IS NOT NULL)
