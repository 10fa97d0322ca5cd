"""What differs between SQLite and PostgreSQL, and nothing else: search, locks, case, plans.

Every query of the store is written once (``store/sql.py``); the few places
where the two databases truly differ ask the store's ``Dialect`` for their
piece of SQL:

- full-text search: SQLite has an FTS5 table ``quotations_fts`` whose rowid is
  the quotation's rowid; PostgreSQL has ``quotation_search(quotation_id,
  document tsvector)`` with a GIN index.  Both see the same words: the
  document is built here in Python from the words FTS5's ``unicode61
  remove_diacritics 2`` tokenizer produces (lower case, diacritics removed,
  letters and digits), so a query finds the same quotations on both;
- write transactions: SQLite takes its one write lock (``BEGIN IMMEDIATE``);
  PostgreSQL takes one advisory lock per transaction, so writers queue the
  same way and derived tables (speakers, claim keys) are never written by two
  ingests at once;
- case-insensitive equality (``COLLATE NOCASE`` or ``lower()``), NULL order,
  and reading a query plan.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from .search import query_words, stem, stem_text

#: The words FTS5's unicode61 tokenizer makes: runs of letters and digits (``_`` separates, as there).
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

#: Marks a stem among the lexemes of a PostgreSQL search document (see ``PostgresDialect.index_row``).
STEM_MARK = "_"

#: Advisory lock keys (PostgreSQL): one for write transactions, one per long job (claims update).
WRITE_LOCK = 0x71740001
LOCKS = {"claims": 0x71740002}


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """A word as the FTS5 index holds it: lower case, diacritics removed (``Präsident`` → ``prasident``)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def tokens(text: str) -> list[str]:
    """The folded words of a text, in order (what unicode61 with remove_diacritics 2 yields)."""
    return [fold(t) for t in _TOKEN.findall(text)]


class Dialect:
    """The SQLite pieces; ``PostgresDialect`` overrides what differs."""

    name = "sqlite"
    #: SQL appended to an ascending sort key so that NULLs come first, as SQLite does by default.
    nulls_first = ""
    #: ... and to a descending one so that NULLs come last.
    nulls_last = ""

    # -- transactions ----------------------------------------------------------------
    def begin(self) -> list[str]:
        """Statements that start a write transaction holding the database's one write lock."""
        return ["BEGIN IMMEDIATE"]

    # -- schema -------------------------------------------------------------------------
    def search_ddl(self) -> list[str]:
        """The full-text table (and what it needs) created beside the tables of ``schema.py``."""
        return [
            "CREATE VIRTUAL TABLE quotations_fts USING fts5("
            " quotation_id UNINDEXED, text, speaker, stems, tokenize = 'unicode61 remove_diacritics 2')",
            "CREATE INDEX speakers_name_nocase ON speakers(name COLLATE NOCASE)",
            "CREATE INDEX claims_reports ON claims(reports DESC, first_said)",
        ]

    def nocase_equals(self, column: str) -> str:
        """``column`` equal to a parameter in any case, served by an index (migration 7)."""
        return f"{column} = ? COLLATE NOCASE"

    def nocase_like(self, column: str) -> str:
        """``column`` LIKE a parameter in any case; a prefix pattern is served by the same index."""
        return f"{column} LIKE ?"

    # -- full-text search --------------------------------------------------------------
    def match_query(self, query: str) -> str:
        """The parameter of a search condition for a user's query (see ``store.search.fts_query``)."""
        from .search import fts_query

        return fts_query(query)

    def text_condition(self) -> str:
        """A WHERE condition on ``q`` (quotations) true for the quotations matching one ``match_query``."""
        return "q.rowid IN (SELECT rowid FROM quotations_fts WHERE quotations_fts MATCH ?)"

    def count_matches_sql(self) -> str:
        return "SELECT COUNT(*) FROM quotations_fts WHERE quotations_fts MATCH ?"

    def facet_source(self, source: str) -> tuple[str, str]:
        """``(FROM clause, condition)`` reading a text filter's matches first, then their rows."""
        return f"quotations_fts f CROSS JOIN {source}", "q.rowid = f.rowid AND quotations_fts MATCH ?"

    def walk_select(self, select: str) -> tuple[str, str]:
        """The ledger SELECT read along the date index, and the condition keeping a text filter's matches.

        SQLite is told to: the index by name, and the quotation id hidden from
        the planner (``+``) so that it does not start from the search instead.
        """
        walk = select.replace("FROM quotations q", "FROM quotations q INDEXED BY quotations_said_key")
        return walk, "+q.rowid IN (SELECT rowid FROM quotations_fts WHERE quotations_fts MATCH ?)"

    def unindex_article_sql(self) -> str:
        """Delete the search rows of one article's quotations (parameter: the article id)."""
        return "DELETE FROM quotations_fts WHERE rowid IN (SELECT rowid FROM quotations WHERE article_id = ?)"

    def unindex_sql(self) -> str:
        """Delete the search row of one quotation (parameter: the quotation id)."""
        return "DELETE FROM quotations_fts WHERE rowid = (SELECT rowid FROM quotations WHERE id = ?)"

    def index_sql(self) -> str:
        """Insert the search row of one quotation (parameters from ``index_row``)."""
        return (
            "INSERT INTO quotations_fts(rowid, quotation_id, text, speaker, stems)"
            " VALUES ((SELECT rowid FROM quotations WHERE id = ?),?,?,?,?)"
        )

    def index_row(self, quotation_id: str, text: str, speaker: str | None) -> tuple[object, ...]:
        """What ``index_sql`` stores for one quotation: its text, speaker and their German stems."""
        speaker = speaker or ""
        return (quotation_id, quotation_id, text, speaker, stem_text(f"{text} {speaker}"))

    # -- plans --------------------------------------------------------------------------
    def explain(self, conn: object, sql: str, args: Sequence[object]) -> list[str]:
        """The plan of a read query, one line per step."""
        return [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", list(args))]  # type: ignore[attr-defined]


class PostgresDialect(Dialect):
    """PostgreSQL: a tsvector search table, advisory write lock, ``lower()`` for case."""

    name = "postgresql"
    nulls_first = " NULLS FIRST"
    nulls_last = " NULLS LAST"

    def begin(self) -> list[str]:
        return ["BEGIN", f"SELECT pg_advisory_xact_lock({WRITE_LOCK})"]

    def search_ddl(self) -> list[str]:
        return [
            'CREATE TABLE quotation_search (quotation_id TEXT COLLATE "C" PRIMARY KEY'
            " REFERENCES quotations(id) ON DELETE CASCADE, document TSVECTOR NOT NULL)",
            "CREATE INDEX quotation_search_document ON quotation_search USING GIN (document)",
            "CREATE INDEX speakers_name_nocase ON speakers(lower(name) text_pattern_ops)",
            "CREATE INDEX claims_reports ON claims(reports DESC, first_said NULLS FIRST)",
        ]

    def nocase_equals(self, column: str) -> str:
        return f"lower({column}) = lower(?)"

    def nocase_like(self, column: str) -> str:
        return f"lower({column}) LIKE lower(?)"

    def match_query(self, query: str) -> str:
        """A tsquery: every word as a prefix of any indexed word, or its lemma among the stems (marked ``_``).

        Mirrors ``store.search.fts_query``: ``("word"* OR stems:"lemma") AND ...``.
        """
        parts = []
        for word in query_words(query):
            options = [" & ".join(f"{_lexeme(t)}:*" for t in tokens(word))]
            lemma = tokens(stem(word))
            if lemma:
                options.append(" & ".join(_lexeme(STEM_MARK + t) for t in lemma))
            parts.append("(" + " | ".join(f"({o})" for o in options if o) + ")")
        return " & ".join(parts)

    def text_condition(self) -> str:
        """The matches are collected first (``ARRAY``), then their rows read and sorted, as SQLite does.

        As a plain ``IN`` the planner, which cannot estimate how many rows a
        prefix query matches, walks the date index and tests every quotation
        (130 ms instead of 17 ms for two rare words at 50,000 quotations);
        ``ledger_page`` asks for that walk itself when the words are frequent.
        """
        return "q.id = ANY(ARRAY(SELECT quotation_id FROM quotation_search WHERE document @@ CAST(? AS tsquery)))"

    def count_matches_sql(self) -> str:
        return "SELECT COUNT(*) FROM quotation_search WHERE document @@ CAST(? AS tsquery)"

    def facet_source(self, source: str) -> tuple[str, str]:
        return f"quotation_search f JOIN {source} ON q.id = f.quotation_id", "f.document @@ CAST(? AS tsquery)"

    def walk_select(self, select: str) -> tuple[str, str]:
        """A semi-join, which PostgreSQL runs along the date index when the words match often."""
        return select, "q.id IN (SELECT quotation_id FROM quotation_search WHERE document @@ CAST(? AS tsquery))"

    def unindex_article_sql(self) -> str:
        return "DELETE FROM quotation_search WHERE quotation_id IN (SELECT id FROM quotations WHERE article_id = ?)"

    def unindex_sql(self) -> str:
        return "DELETE FROM quotation_search WHERE quotation_id = ?"

    def index_sql(self) -> str:
        return (
            "INSERT INTO quotation_search(quotation_id, document) VALUES (?, array_to_tsvector(CAST(? AS text[])))"
            " ON CONFLICT (quotation_id) DO UPDATE SET document = excluded.document"
        )

    def index_row(self, quotation_id: str, text: str, speaker: str | None) -> tuple[object, ...]:
        """The lexemes FTS5 would index for the quotation: its folded words and stems, and each stem marked.

        A word prefix (``"truppen"*``) matches any of text, speaker and stems
        in FTS5, so words and stems are plain lexemes; a lemma (``stems:"truppe"``)
        matches the stems column only, so each stem is also stored behind
        ``STEM_MARK``, which no word can start with (``_`` separates words).
        """
        speaker = speaker or ""
        stems = tokens(stem_text(f"{text} {speaker}"))
        lexemes = {*tokens(f"{text} {speaker}"), *stems, *(STEM_MARK + s for s in stems)}
        return (quotation_id, sorted(lexemes))

    def explain(self, conn: object, sql: str, args: Sequence[object]) -> list[str]:
        return [r[0] for r in conn.execute(f"EXPLAIN {sql}", list(args))]  # type: ignore[attr-defined]


def _lexeme(word: str) -> str:
    """A tsquery lexeme quoted literally (no operator in a user's word reaches the query syntax)."""
    escaped = word.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'"


def dialect_for(name: str) -> Dialect:
    """The dialect of an SQLAlchemy dialect name (``sqlite`` or ``postgresql``)."""
    if name == "sqlite":
        return Dialect()
    if name == "postgresql":
        return PostgresDialect()
    raise ValueError(f"unsupported database {name!r}: quotetrail stores ledgers in SQLite or PostgreSQL")
