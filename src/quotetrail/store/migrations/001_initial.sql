-- quotetrail schema, version 1: articles, quotations, speakers, claims, problems.
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    text TEXT NOT NULL,
    title TEXT,
    url TEXT,
    outlet TEXT,
    agency TEXT,
    byline TEXT,
    dateline TEXT,
    author TEXT,
    published TEXT,
    published_source TEXT,
    language TEXT,
    removed TEXT NOT NULL DEFAULT '[]',
    meta TEXT NOT NULL DEFAULT '[]',
    ingested_at TEXT NOT NULL
);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_outlet ON articles(outlet);

-- Every place an article was found; the same content at two paths is one article.
CREATE TABLE article_sources (
    source TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
CREATE INDEX article_sources_article ON article_sources(article_id);

CREATE TABLE quotations (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    spans TEXT NOT NULL,
    cue TEXT NOT NULL DEFAULT '[]',
    speaker_mention TEXT NOT NULL DEFAULT '[]',
    frame TEXT NOT NULL DEFAULT '[]',
    addressee TEXT NOT NULL DEFAULT '[]',
    medium TEXT,
    speaker TEXT,
    speaker_role TEXT,
    said_on TEXT,
    said_on_text TEXT,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    claim_id TEXT,
    confidence REAL NOT NULL DEFAULT 1.0
);
CREATE INDEX quotations_article ON quotations(article_id);
CREATE INDEX quotations_speaker ON quotations(speaker);
CREATE INDEX quotations_said_on ON quotations(said_on);
CREATE INDEX quotations_claim ON quotations(claim_id);

-- Full-text search over quotations; ``stems`` holds a stemmed copy so that
-- "Truppe" finds "Truppen" (German stemming, see store/search.py).
CREATE VIRTUAL TABLE quotations_fts USING fts5(
    quotation_id UNINDEXED, text, speaker, stems,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE speaker_mentions (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    role TEXT,
    seen_on TEXT,
    PRIMARY KEY (article_id, start, "end")
);
CREATE INDEX speaker_mentions_name ON speaker_mentions(name);

CREATE TABLE speakers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    variants TEXT NOT NULL DEFAULT '[]',
    roles TEXT NOT NULL DEFAULT '[]',
    quotation_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE problems (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL,
    stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE claims (
    id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    first_said TEXT,
    last_said TEXT,
    speakers TEXT NOT NULL DEFAULT '[]',
    outlets TEXT NOT NULL DEFAULT '[]',
    reports INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

CREATE TABLE claim_members (
    claim_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    quotation_id TEXT NOT NULL,
    stance TEXT NOT NULL DEFAULT 'affirms',
    similarity REAL NOT NULL DEFAULT 1.0,
    PRIMARY KEY (claim_id, quotation_id)
);
CREATE INDEX claim_members_quotation ON claim_members(quotation_id);

CREATE TABLE embeddings (
    text_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (text_hash, model)
);

CREATE TABLE syndication (
    article_id TEXT NOT NULL,
    original_id TEXT NOT NULL,
    similarity REAL NOT NULL,
    PRIMARY KEY (article_id, original_id)
);
