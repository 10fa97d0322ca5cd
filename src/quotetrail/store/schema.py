"""The ledger's schema, written once for every database: SQLAlchemy Core tables.

SQLite and PostgreSQL are created from these definitions (``create_schema``)
and migrated by Alembic (``store/alembic``); only full-text search differs
by dialect (an FTS5 table on SQLite, a ``tsvector`` column with a GIN index
on PostgreSQL: ``store/dialects.py``).  Dates are ISO strings whose length
is their granularity (``2024``, ``2024-05``, ``2024-05-22``), so they stay
TEXT on both.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    text,
)

metadata = MetaData()

#: Text compared byte by byte on both databases: SQLite's default (BINARY); on PostgreSQL the "C"
#: collation, so that sorting, keyset cursors and ``'~'`` (undated last) do not depend on the
#: server's locale.
Str = Text().with_variant(Text(collation="C"), "postgresql")

#: Partial indexes: only quotations in a claim (migration 7).
_CORRECTED_ONLY = {"sqlite_where": text("corrected = 1"), "postgresql_where": text("corrected = 1")}
_IN_A_CLAIM = {"sqlite_where": text("claim_id IS NOT NULL"), "postgresql_where": text("claim_id IS NOT NULL")}


def _cascade(target: str) -> ForeignKey:
    return ForeignKey(target, ondelete="CASCADE")


articles = Table(
    "articles",
    metadata,
    Column("id", Str, primary_key=True),
    Column("source", Str, nullable=False),
    Column("text", Str, nullable=False),
    Column("title", Str),
    Column("url", Str),
    Column("outlet", Str),
    Column("agency", Str),
    Column("byline", Str),
    Column("dateline", Str),
    Column("author", Str),
    Column("published", Str),
    Column("published_source", Str),
    Column("language", Str),
    Column("removed", Str, nullable=False, server_default="[]"),
    Column("meta", Str, nullable=False, server_default="[]"),
    Column("ingested_at", Str, nullable=False),
    # 0 for articles loaded from an export that carried only their metadata
    Column("has_text", Integer, nullable=False, server_default=text("1")),
    # 'ingest' (extracted here) or 'load' (from an export or a Spark output)
    Column("origin", Str, nullable=False, server_default="ingest"),
    Index("articles_published", "published"),
    Index("articles_outlet", "outlet"),
    Index("articles_agency", "agency"),
)

article_sources = Table(
    "article_sources",
    metadata,
    Column("source", Str, primary_key=True),
    Column("article_id", Str, _cascade("articles.id"), nullable=False),
    Index("article_sources_article", "article_id"),
)

quotations = Table(
    "quotations",
    metadata,
    Column("id", Str, primary_key=True),
    Column("article_id", Str, _cascade("articles.id"), nullable=False),
    Column("type", Str, nullable=False),
    Column("spans", Str, nullable=False),
    Column("cue", Str, nullable=False, server_default="[]"),
    Column("speaker_mention", Str, nullable=False, server_default="[]"),
    Column("frame", Str, nullable=False, server_default="[]"),
    Column("addressee", Str, nullable=False, server_default="[]"),
    Column("medium", Str),
    Column("speaker", Str),
    Column("speaker_role", Str),
    Column("said_on", Str),
    Column("said_on_text", Str),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Str, nullable=False),
    Column("claim_id", Str),
    # retired: always 1.0 (nothing measured it); quote_confidence (revision 0014) holds the tagger's confidence.
    # Kept because dropping a column rebuilds the table on SQLite.
    Column("confidence", Float, nullable=False, server_default=text("1.0")),
    # the covered text of each role, kept so that lists never read the article body
    Column("speaker_mention_text", Str),
    Column("cue_text", Str),
    Column("addressee_text", Str),
    # said_on, or '~' (after every digit) for undated: date order with undated last, from an index
    Column("said_key", Str, nullable=False, server_default="~"),
    # how sure the speaker stage is of the speaker (0-1), NULL without one or for rows older than migration 10
    Column("speaker_confidence", Float),
    # 1 once a correction (corrections table) has been applied to this row (revision 0012)
    Column("corrected", Integer, nullable=False, server_default=text("0")),
    # quotetrail's version and the model files' short hashes that extracted the row (revision 0012)
    Column("extractor_version", Str),
    # how sure the quote tagger is that this is a quotation (0-1), NULL for rows older than revision 0014,
    # added by hand, or extracted without models (revision 0014)
    Column("quote_confidence", Float),
    Index("quotations_article", "article_id"),
    Index("quotations_claim", "claim_id"),
    Index("quotations_said_key", "said_key", "article_id", "start", "id"),
    Index("quotations_speaker_key", "speaker", "said_key", "article_id", "start", "id"),
    Index("quotations_article_start", "article_id", "start"),
    Index("quotations_speaker_claim", "speaker", "claim_id", **_IN_A_CLAIM),
    Index("quotations_claim_key", "claim_id", "said_key", "article_id", "start", "id", **_IN_A_CLAIM),
    # the type and confidence filters' pages and counts, bounded at 1M rows (revision 0015)
    Index("quotations_type_key", "type", "said_key", "article_id", "start", "id", "quote_confidence", "corrected"),
    Index("quotations_quote_confidence", "quote_confidence"),
    Index("quotations_corrected", "corrected", **_CORRECTED_ONLY),
)

speaker_mentions = Table(
    "speaker_mentions",
    metadata,
    Column("article_id", Str, _cascade("articles.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Str, nullable=False),
    Column("name", Str, nullable=False),
    Column("kind", Str, nullable=False),
    Column("role", Str),
    Column("seen_on", Str),
    Column("family", Str, nullable=False, server_default=""),
    PrimaryKeyConstraint("article_id", "start", "end"),
    Index("speaker_mentions_name", "name"),
    Index("speaker_mentions_family", "family"),
)

speakers = Table(
    "speakers",
    metadata,
    Column("id", Str, primary_key=True),
    Column("name", Str, nullable=False),
    Column("kind", Str, nullable=False),
    Column("variants", Str, nullable=False, server_default="[]"),
    Column("roles", Str, nullable=False, server_default="[]"),
    Column("quotation_count", Integer, nullable=False, server_default=text("0")),
    Column("family", Str, nullable=False, server_default=""),
    Index("speakers_count", text("quotation_count DESC"), "name"),
    Index("speakers_family", "family"),
)

speaker_families_stale = Table(
    "speaker_families_stale",
    metadata,
    Column("family", Str, primary_key=True),
)

problems = Table(
    "problems",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("path", Str, nullable=False),
    Column("stage", Str, nullable=False),
    Column("reason", Str, nullable=False),
    Column("at", Str, nullable=False),
    Column("error", Str, nullable=False, server_default=""),
    Column("fingerprint", Str, nullable=False, server_default=""),
    Column("seen", Integer, nullable=False, server_default=text("1")),
    Column("last_at", Str),
    Index("problems_key", "path", "stage", "reason", unique=True),
    Index("problems_fingerprint", "fingerprint"),
    sqlite_autoincrement=True,
)

bookkeeping = Table(
    "bookkeeping",
    metadata,
    Column("key", Str, primary_key=True),
    Column("value", Str, nullable=False),
)

claims = Table(
    "claims",
    metadata,
    Column("id", Str, primary_key=True),
    Column("text", Str, nullable=False),
    Column("first_said", Str),
    Column("last_said", Str),
    Column("speakers", Str, nullable=False, server_default="[]"),
    Column("outlets", Str, nullable=False, server_default="[]"),
    Column("reports", Integer, nullable=False, server_default=text("0")),
    Column("updated_at", Str, nullable=False),
    Column("statements", Integer, nullable=False, server_default=text("0")),
    # claims_reports (reports DESC, first_said, NULLs first on both) and speakers_name_nocase
    # (name in any case) are written per dialect: store/dialects.py, search_ddl.
)

claim_members = Table(
    "claim_members",
    metadata,
    Column("claim_id", Str, _cascade("claims.id"), nullable=False),
    Column("quotation_id", Str, nullable=False),
    Column("stance", Str, nullable=False, server_default="affirms"),
    Column("similarity", Float, nullable=False, server_default=text("1.0")),
    PrimaryKeyConstraint("claim_id", "quotation_id"),
    Index("claim_members_quotation", "quotation_id"),
    Index("claim_members_stance", "stance", "claim_id"),
)

embeddings = Table(
    "embeddings",
    metadata,
    Column("text_hash", Str, nullable=False),
    Column("model", Str, nullable=False),
    Column("vector", LargeBinary, nullable=False),
    PrimaryKeyConstraint("text_hash", "model"),
)

syndication = Table(
    "syndication",
    metadata,
    Column("article_id", Str, nullable=False),
    Column("original_id", Str, nullable=False),
    Column("similarity", Float, nullable=False),
    PrimaryKeyConstraint("article_id", "original_id"),
    Index("syndication_original", "original_id"),
)

claim_groups = Table(
    "claim_groups",
    metadata,
    Column("key", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", Str, _cascade("claims.id"), nullable=False, unique=True),
    Column("polarity", Str, nullable=False),
    Column("vector_sum", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("words", Str, nullable=False),
)

indexed_quotations = Table(
    "indexed_quotations",
    metadata,
    Column("key", Integer, primary_key=True, autoincrement=True),
    Column("quotation_id", Str, _cascade("quotations.id"), nullable=False, unique=True),
    Column("text_hash", Str, nullable=False),
    Column("polarity", Str, nullable=False),
)

syndication_articles = Table(
    "syndication_articles",
    metadata,
    Column("n", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Str, _cascade("articles.id"), nullable=False, unique=True),
    Column("sort_key", Str, nullable=False),
)

syndication_bands = Table(
    "syndication_bands",
    metadata,
    Column("band_key", BigInteger, nullable=False),
    Column("n", Integer, nullable=False),
    PrimaryKeyConstraint("band_key", "n"),
    sqlite_with_rowid=False,
)

claims_state = Table(
    "claims_state",
    metadata,
    Column("key", Str, primary_key=True),
    Column("value", Integer, nullable=False),
)

#: The corrections log (revision 0012): append-only, never updated or deleted.  A correction names its
#: quotation by anchor (article hash, source, offsets, quoted text), not only by id, so that it can be
#: placed again after the article is re-extracted or edited (see quotetrail.corrections).
corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("quotation_id", Str, nullable=False),
    Column("article_id", Str, nullable=False),
    Column("source", Str, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("quoted_text", Str, nullable=False),
    Column("field", Str, nullable=False),
    Column("before", Str),
    Column("after", Str),
    Column("note", Str, nullable=False),
    Column("by", Str, nullable=False),
    Column("at", Str, nullable=False),
    Index("corrections_quotation", "quotation_id"),
    Index("corrections_source", "source"),
    sqlite_autoincrement=True,
)

#: Where each correction is placed now (derived, rewritten on every re-application; the log itself is not):
#: the quotation it applies to, or NULL when it can no longer be placed (orphaned).
correction_placements = Table(
    "correction_placements",
    metadata,
    Column("correction_id", Integer, _cascade("corrections.id"), primary_key=True),
    Column("quotation_id", Str),
    Column("article_id", Str),
    Index("correction_placements_quotation", "quotation_id"),
)

#: People who may edit through ``serve`` (revision 0013): a name, a role (reader, editor, admin) and an
#: argon2 password hash (pwdlib).  Managed with ``quotetrail users``; reading the ledger needs no user.
users = Table(
    "users",
    metadata,
    Column("name", Str, primary_key=True),
    Column("role", Str, nullable=False),
    Column("password_hash", Str, nullable=False),
    Column("created_at", Str, nullable=False),
)

#: API tokens for scripts (revision 0013): only a SHA-256 of the token is kept (tokens are long random
#: strings, so a slow hash adds nothing); the token itself is shown once when it is made.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", Str, _cascade("users.name"), nullable=False),
    Column("token_hash", Str, nullable=False, unique=True),
    Column("label", Str, nullable=False, server_default=""),
    Column("created_at", Str, nullable=False),
    Column("revoked_at", Str),
    sqlite_autoincrement=True,
)

#: Fact-checkers' ratings of claims (revision 0013), append-only like the corrections log; the newest
#: rating of a claim is its ClaimReview in ``export --format claimreview``.  The claim's text is kept
#: beside its id so that a rating can be placed again if claims are regrouped.
claim_reviews = Table(
    "claim_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", Str, nullable=False),
    Column("claim_text", Str, nullable=False),
    Column("rating", Integer, nullable=False),
    Column("rating_name", Str, nullable=False),
    Column("review_body", Str, nullable=False, server_default=""),
    Column("url", Str),
    Column("by", Str, nullable=False),
    Column("at", Str, nullable=False),
    Index("claim_reviews_claim", "claim_id"),
    sqlite_autoincrement=True,
)

#: Speaker merges (revision 0013): quotations attributed to ``alias`` are shown as ``canonical``, now and
#: after later ingests.  Derived from the corrections log (``speakers merge`` / ``split`` write entries
#: there); this table is what ingest and the speakers table read.
speaker_aliases = Table(
    "speaker_aliases",
    metadata,
    Column("alias", Str, primary_key=True),
    Column("canonical", Str, nullable=False),
    Column("correction_id", Integer),
)
