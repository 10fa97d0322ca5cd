"""The store: every storage verb, written once for SQLite and PostgreSQL; one transaction per article.

Why one transaction per article: a killed or interrupted ingest (or a
dropped server connection) leaves every article either fully stored (with
all its quotations) or not at all, and a re-run picks up where it stopped.
Readers never wait for the writer (SQLite's WAL, PostgreSQL's MVCC), so the
web server reads while an ingest writes.  This is the only module that
writes SQL; the few pieces that differ between the two databases (full-text
search, the write lock, case-insensitive equality, plans) come from
``dialects.py``, the schema from ``schema.py``.
"""

from __future__ import annotations

import base64
import contextlib
import heapq
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..corrections import reapply_corrections
from ..filters import QuotationFilters
from ..model import (
    Article,
    Claim,
    Extraction,
    LedgerRow,
    Problem,
    Quotation,
    Removed,
    RoleSeen,
    Span,
    Speaker,
    SpeakerMention,
)
from ..provenance import extractor_version
from ..speaker_merges import apply_speaker_aliases
from .connect import Connection, connect, is_url, redact
from .dialects import LOCKS, dialect_for
from .migrate import current_revision, ensure_schema, legacy_migrations, schema_number

#: A result row: items by position (``row[0]``) and by column name (``row["id"]``).
Row = Any

_MARKS = "„“”\"«»‚‘’›‹'"


def quotation_text(text: str) -> str:
    """The quoted words without the quote marks that enclose them (the spans keep the marks)."""
    text = text.strip()
    while len(text) > 1 and text[0] in _MARKS and text[-1] in _MARKS + ".,":
        text = text[1:].rstrip()
        text = text[:-1].rstrip() if text and text[-1] in _MARKS else text
    return text


#: Quotations joined with their article's metadata (never its text): the rows of exports, the API
#: and timelines.
_LEDGER_SELECT = (
    "SELECT q.*, a.source, a.title, a.outlet, a.agency, a.published"
    " FROM quotations q JOIN articles a ON a.id = q.article_id"
)

#: Date order, undated last; ``said_key`` is ``said_on`` or '~', and its index serves this order.
_DATE_ORDER = ("q.said_key", "q.article_id", "q.start", "q.id")


def covered_text(article_text: str, spans: Sequence[Span]) -> str | None:
    """The text a role's spans cover, in text order, several joined by `` … ``; None for no span."""
    return " … ".join(article_text[s.start : s.end] for s in sorted(spans, key=lambda s: s.start)) or None


def encode_cursor(row: LedgerRow) -> str:
    """An opaque keyset cursor: the date-order key of the last row a page showed."""
    key = [row.said_on or "~", row.article_id, row.start, row.quotation_id]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str, int, str]:
    """The key in a cursor from ``encode_cursor``; ValueError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        said, article, start, qid = json.loads(raw)
        if not (isinstance(said, str) and isinstance(article, str) and isinstance(qid, str)):
            raise TypeError
        return said, article, int(start), qid
    except (ValueError, TypeError) as err:
        raise ValueError(f"not a valid page cursor: {cursor[:40]!r}") from err


def _like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its ``%`` and ``_`` taken literally (ESCAPE '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def name_family(name: str) -> str:
    """The key that decides which names can be one speaker: the last word, case-folded (see migration 6)."""
    words = name.split()
    return words[-1].casefold() if words else ""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _spans_json(spans: Sequence[Span]) -> str:
    return json.dumps([[s.start, s.end] for s in spans])


def _spans(raw: str) -> tuple[Span, ...]:
    return tuple(Span(a, b) for a, b in json.loads(raw))


spans_from_json = _spans


_ARTICLE_INSERT = (
    "INSERT INTO articles(id, source, text, title, url, outlet, agency, byline, dateline, author, published,"
    " published_source, language, removed, meta, ingested_at, has_text, origin)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def _claim_values(c: Claim) -> tuple[object, ...]:
    """The values of a claim row in the column order both claim writers use."""
    return (
        c.id,
        c.text,
        c.first_said,
        c.last_said,
        json.dumps(list(c.speakers), ensure_ascii=False),
        json.dumps(list(c.outlets), ensure_ascii=False),
        c.reports,
        c.statements,
        _now(),
    )


def _article_values(a: Article, origin: str) -> tuple[object, ...]:
    """The values of ``_ARTICLE_INSERT`` for an article, ingested here or loaded."""
    return (
        a.id,
        a.source,
        a.text,
        a.title,
        a.url,
        a.outlet,
        a.agency,
        a.byline,
        a.dateline,
        a.author,
        a.published,
        a.published_source,
        a.language,
        json.dumps([asdict(r) for r in a.removed], ensure_ascii=False),
        json.dumps(list(a.meta), ensure_ascii=False),
        _now(),
        1 if a.text else 0,
        origin,
    )


_migrations = legacy_migrations  # the numbered SQLite migrations (tests build old databases with them)


class SQLStore:
    """quotetrail's storage verbs over one SQLite file or one PostgreSQL database."""

    def __init__(self, target: str | Path) -> None:
        """Open ``target`` (a SQLite file, ``sqlite:///…`` or ``postgresql://…``), creating or upgrading its schema.

        Raises ``StoreUnavailable`` with one line saying why when the database
        cannot be reached or prepared.
        """
        self.target = target
        self.display = redact(target)
        self.conn: Connection
        self.conn, self.path = connect(target)
        self.dialect = dialect_for(self.conn.dialect_name)
        try:
            ensure_schema(self)
        except BaseException:
            self.conn.close()
            raise

    @property
    def is_server(self) -> bool:
        """Whether this is a server database (PostgreSQL): shared by processes on several machines."""
        return is_url(self.target)

    # -- schema and transactions ------------------------------------------------------
    def schema_version(self) -> int:
        """The schema revision as a number (11 for the baseline): what ``quotetrail`` reports and tests check."""
        return schema_number(current_revision(self)[0])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction holding the database's write lock: all of it is stored, or none of it.

        Writers queue on the lock (SQLite's ``BEGIN IMMEDIATE``, a PostgreSQL
        advisory lock) while readers go on reading the last committed state.
        """
        for statement in self.dialect.begin():
            self.conn.execute(statement)
        try:
            yield self.conn
        except BaseException:
            with contextlib.suppress(Exception):  # a dropped connection has nothing left to roll back
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextlib.contextmanager
    def exclusive(self, job: str) -> Iterator[None]:
        """One ``job`` (``claims``) at a time across every process using this server database.

        SQLite stores use a lock file beside the database instead (see
        ``claims.index.claims_lock``); this is its PostgreSQL counterpart.
        """
        if self.dialect.name != "postgresql":
            yield
            return
        self.conn.execute(f"SELECT pg_advisory_lock({LOCKS[job]})")
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                self.conn.execute(f"SELECT pg_advisory_unlock({LOCKS[job]})")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> SQLStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------
    def add_extraction(self, extraction: Extraction, *, replace: bool = False) -> str:
        """Store an article and everything found in it; returns ``new``, ``updated`` or ``unchanged``.

        Same content already stored → unchanged (the extra source is recorded),
        unless ``replace`` (``reextract``: new models, same text), which
        replaces its quotations and keeps every source it was found under.
        Same source with different content → the old version and its
        quotations are replaced.  Corrections are applied again either way.
        All in one transaction.
        """
        article = extraction.article
        conn = self.conn
        with self.transaction():
            if replace and conn.execute("SELECT 1 FROM articles WHERE id = ?", (article.id,)).fetchone():
                sources = [
                    r[0] for r in conn.execute("SELECT source FROM article_sources WHERE article_id = ?", (article.id,))
                ]
                self._delete_article(article.id)
                self._insert(extraction)
                conn.executemany(
                    "INSERT INTO article_sources(source, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    [(source, article.id) for source in sources],
                )
                reapply_corrections(self, article.id, article.source)
                apply_speaker_aliases(self, article.id)  # a re-extraction writes merged names again: shown merged
                return "updated"
            if conn.execute("SELECT 1 FROM articles WHERE id = ?", (article.id,)).fetchone():
                conn.execute(
                    "INSERT INTO article_sources(source, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (article.source, article.id),
                )
                self.clear_problems(article.source)
                return "unchanged"
            old = conn.execute("SELECT article_id FROM article_sources WHERE source = ?", (article.source,)).fetchone()
            status = "new"
            if old:
                status = "updated"
                self._delete_article(old[0])
            self._insert(extraction)
            reapply_corrections(self, article.id, article.source)  # corrections stick across re-extraction
            apply_speaker_aliases(self, article.id)  # merged names (``speakers merge``) too, logged
            self.clear_problems(article.source)
            return status

    def _delete_article(self, article_id: str) -> None:
        self.conn.execute(
            "INSERT INTO speaker_families_stale(family)"
            " SELECT DISTINCT family FROM speaker_mentions WHERE article_id = ? ON CONFLICT DO NOTHING",
            (article_id,),
        )
        self.conn.execute(self.dialect.unindex_article_sql(), (article_id,))
        self.conn.execute(
            "DELETE FROM claim_members WHERE quotation_id IN (SELECT id FROM quotations WHERE article_id = ?)",
            (article_id,),
        )
        self.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def _insert(self, extraction: Extraction) -> None:
        a = extraction.article
        self.conn.execute(_ARTICLE_INSERT, _article_values(a, origin="ingest"))
        self.conn.execute(
            "INSERT INTO article_sources(source, article_id) VALUES (?, ?)"
            " ON CONFLICT(source) DO UPDATE SET article_id = excluded.article_id",
            (a.source, a.id),
        )
        for q in extraction.quotations:
            text = quotation_text(q.text(a.text))
            self.conn.execute(
                "INSERT INTO quotations(id, article_id, type, spans, cue, speaker_mention, frame, addressee,"
                ' medium, speaker, speaker_role, said_on, said_on_text, start, "end", text, claim_id, quote_confidence,'
                " speaker_mention_text, cue_text, addressee_text, said_key, speaker_confidence, corrected, extractor_version)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?) ON CONFLICT(id) DO UPDATE SET"
                " article_id = excluded.article_id, type = excluded.type, spans = excluded.spans, cue = excluded.cue,"
                " speaker_mention = excluded.speaker_mention, frame = excluded.frame, addressee = excluded.addressee,"
                " medium = excluded.medium, speaker = excluded.speaker, speaker_role = excluded.speaker_role,"
                " said_on = excluded.said_on, said_on_text = excluded.said_on_text, start = excluded.start,"
                ' "end" = excluded."end", text = excluded.text, claim_id = excluded.claim_id,'
                " quote_confidence = excluded.quote_confidence, speaker_mention_text = excluded.speaker_mention_text,"
                " cue_text = excluded.cue_text, addressee_text = excluded.addressee_text, said_key = excluded.said_key,"
                " speaker_confidence = excluded.speaker_confidence, corrected = 0,"
                " extractor_version = excluded.extractor_version",
                (
                    q.id,
                    a.id,
                    q.type,
                    _spans_json(q.spans),
                    _spans_json(q.cue),
                    _spans_json(q.speaker_mention),
                    _spans_json(q.frame),
                    _spans_json(q.addressee),
                    q.medium,
                    q.speaker,
                    q.speaker_role,
                    q.said_on,
                    q.said_on_text,
                    q.start,
                    q.end,
                    text,
                    q.claim_id,
                    q.quote_confidence,
                    covered_text(a.text, q.speaker_mention),
                    covered_text(a.text, q.cue),
                    covered_text(a.text, q.addressee),
                    q.said_on or "~",
                    q.speaker_confidence,
                    extractor_version(),
                ),
            )
            self.conn.execute(self.dialect.unindex_sql(), (q.id,))  # a quotation id seen before: one search row
            self.conn.execute(self.dialect.index_sql(), self.dialect.index_row(q.id, text, q.speaker))
        for m in extraction.mentions:
            self._add_mention(a.id, m, a.published)

    def _add_mention(self, article_id: str, m: SpeakerMention, seen_on: str | None) -> None:
        family = name_family(m.name)
        self.conn.execute(
            'INSERT INTO speaker_mentions(article_id, start, "end", text, name, kind, role, seen_on, family)'
            ' VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(article_id, start, "end") DO UPDATE SET text = excluded.text,'
            " name = excluded.name, kind = excluded.kind, role = excluded.role, seen_on = excluded.seen_on,"
            " family = excluded.family",
            (article_id, m.start, m.end, m.text, m.name, m.kind, m.role, seen_on, family),
        )
        self.conn.execute("INSERT INTO speaker_families_stale(family) VALUES (?) ON CONFLICT DO NOTHING", (family,))

    def load_rows(self, rows: Sequence[LedgerRow]) -> None:
        """Store exported ledger rows (``quotetrail load``) in one transaction; loading twice changes nothing.

        An article not yet stored is created from the metadata the rows carry,
        without its text (``has_text = 0``), and gets a speaker mention per
        quotation so that the speakers table knows its speakers.  A quotation
        already stored keeps its exact spans and takes the loaded values.
        Statements run once per batch (``executemany``), not once per row.
        """
        conn = self.conn
        with self.transaction():
            firsts = {r.article_id: r for r in reversed(rows)}  # the first row of each article
            conn.executemany(
                "INSERT INTO articles(id, source, text, title, outlet, agency, published, language, removed,"
                " meta, ingested_at, has_text, origin) VALUES (?,?,'',?,?,?,?,'de','[]','[]',?,0,'load')"
                " ON CONFLICT(id) DO NOTHING",
                [(r.article_id, r.source, r.title, r.outlet, r.agency, r.published, _now()) for r in firsts.values()],
            )
            conn.executemany(
                "INSERT INTO article_sources(source, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                {(r.source, r.article_id) for r in rows},
            )
            conn.executemany(
                "INSERT INTO quotations(id, article_id, type, spans, speaker, speaker_role, said_on, said_on_text,"
                ' start, "end", text, claim_id, speaker_mention_text, cue_text, addressee_text, said_key,'
                " speaker_confidence, corrected, extractor_version, quote_confidence)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET type = excluded.type,"
                " speaker = excluded.speaker, speaker_role = excluded.speaker_role, said_on = excluded.said_on,"
                " said_on_text = excluded.said_on_text, text = excluded.text, claim_id = excluded.claim_id,"
                " speaker_mention_text = excluded.speaker_mention_text, cue_text = excluded.cue_text,"
                " addressee_text = excluded.addressee_text, said_key = excluded.said_key,"
                " speaker_confidence = excluded.speaker_confidence, corrected = excluded.corrected,"
                " extractor_version = excluded.extractor_version, quote_confidence = excluded.quote_confidence",
                [
                    (
                        r.quotation_id,
                        r.article_id,
                        r.type,
                        json.dumps([[r.start, r.end]]),
                        r.speaker,
                        r.speaker_role,
                        r.said_on,
                        r.said_on_text,
                        r.start,
                        r.end,
                        r.text,
                        r.claim_id,
                        r.speaker_mention,
                        r.cue,
                        r.addressee,
                        r.said_on or "~",
                        r.speaker_confidence,
                        int(bool(r.corrected)),
                        r.extractor_version,
                        r.quote_confidence,
                    )
                    for r in rows
                ],
            )
            conn.executemany(self.dialect.unindex_sql(), [(r.quotation_id,) for r in rows])
            conn.executemany(
                self.dialect.index_sql(), [self.dialect.index_row(r.quotation_id, r.text, r.speaker) for r in rows]
            )
            loaded = set()
            for chunk in _chunks(list(firsts), 500):
                marks = ",".join("?" * len(chunk))
                loaded.update(
                    r[0]
                    for r in conn.execute(f"SELECT id FROM articles WHERE origin = 'load' AND id IN ({marks})", chunk)
                )
            mentions = [r for r in rows if r.speaker and r.article_id in loaded]
            conn.executemany(
                'INSERT INTO speaker_mentions(article_id, start, "end", text, name, kind, role, seen_on, family)'
                " VALUES (?,?,?,?,?,'unknown',?,?,?) ON CONFLICT(article_id, start, \"end\") DO UPDATE SET"
                " text = excluded.text, name = excluded.name, kind = excluded.kind, role = excluded.role,"
                " seen_on = excluded.seen_on, family = excluded.family",
                [
                    (
                        r.article_id,
                        r.start,
                        r.start,
                        r.speaker_mention or r.speaker,
                        r.speaker,
                        r.speaker_role,
                        r.published,
                        name_family(r.speaker or ""),
                    )
                    for r in mentions
                ],
            )
            conn.executemany(
                "INSERT INTO speaker_families_stale(family) VALUES (?) ON CONFLICT DO NOTHING",
                {(name_family(r.speaker or ""),) for r in mentions},
            )
            conn.executemany("DELETE FROM problems WHERE path = ?", [(source,) for source in {r.source for r in rows}])

    def restore_claims(self) -> int:
        """Claims for the ``claim_id`` values that loaded quotations carry but no claim row has yet.

        An export or a Spark output carries each quotation's claim id, not the
        claims table: each such claim is rebuilt from its members (earliest
        text as its wording, dates, speakers, outlets, counts), so claim pages
        work after a load.  Its grouping vectors are made by the next claims
        update.  Returns how many claims were made.  The members are read in
        date order and summed up here, the same on both databases (their JSON
        aggregates differ in order and spacing).
        """
        rows = self.conn.execute(
            "SELECT q.claim_id, q.id, q.text, q.said_on, q.speaker, q.article_id, COALESCE(a.outlet, a.agency)"
            " FROM quotations q JOIN articles a ON a.id = q.article_id"
            " WHERE q.claim_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = q.claim_id)"
            " ORDER BY q.claim_id, q.said_key, q.id"
        ).fetchall()
        claims: dict[str, list[Row]] = {}
        for r in rows:
            claims.setdefault(r[0], []).append(r)
        now = _now()
        values = []
        for claim_id, members in claims.items():
            dates = [m[3] for m in members if m[3]]
            values.append(
                (
                    claim_id,
                    members[0][2],
                    min(dates) if dates else None,
                    max(dates) if dates else None,
                    json.dumps(list(dict.fromkeys(m[4] for m in members if m[4])), ensure_ascii=False),
                    json.dumps(list(dict.fromkeys(m[6] for m in members if m[6])), ensure_ascii=False),
                    len(members),
                    len({m[5] for m in members}),
                    now,
                )
            )
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO claims(id, text, first_said, last_said, speakers, outlets, reports, statements, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                values,
            )
            self.conn.execute(
                "INSERT INTO claim_members(claim_id, quotation_id, stance, similarity)"
                " SELECT claim_id, id, 'affirms', 1.0 FROM quotations WHERE claim_id IS NOT NULL"
                " AND claim_id NOT IN (SELECT claim_id FROM claim_members WHERE claim_id IS NOT NULL)"
                " ON CONFLICT DO NOTHING"
            )
        return len(values)

    def load_articles(self, articles: Sequence[Article]) -> None:
        """Store loaded articles with their text (``load`` of an export with ``--articles``, or a Spark output).

        An article already ingested here is left as it is; one loaded before
        without its text gets the text now.  Idempotent.
        """
        with self.transaction():
            for a in articles:
                self.conn.execute(
                    f"{_ARTICLE_INSERT} ON CONFLICT(id) DO UPDATE SET text = excluded.text,"
                    " has_text = excluded.has_text WHERE articles.has_text = 0",
                    _article_values(a, origin="load"),
                )
                self.conn.execute(
                    "INSERT INTO article_sources(source, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (a.source, a.id),
                )

    def iter_articles(self, batch: int = 500) -> Iterator[Article]:
        """Every stored article with its text, in id order, a page at a time (for ``export --articles``)."""
        last = ""
        while True:
            rows = self.conn.execute(
                "SELECT * FROM articles WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            yield from (self._article(r) for r in rows)
            if len(rows) < batch:
                return
            last = rows[-1]["id"]

    def add_problem(self, problem: Problem) -> None:
        """Record a problem once: the same input failing the same way again only counts it again."""
        now = _now()
        self.conn.execute(
            "INSERT INTO problems(path, stage, reason, error, fingerprint, at, last_at) VALUES (?,?,?,?,?,?,?)"
            " ON CONFLICT(path, stage, reason) DO UPDATE SET seen = problems.seen + 1, last_at = excluded.last_at,"
            " error = excluded.error, fingerprint = excluded.fingerprint",
            (problem.path, problem.stage, problem.reason, problem.error, problem.fingerprint, now, now),
        )

    def clear_problems(self, path: str) -> int:
        """Forget the problems of an input that has now been read; returns how many there were."""
        return self.conn.execute("DELETE FROM problems WHERE path = ?", (path,)).rowcount

    def problems(self, *, stage: str | None = None) -> list[Problem]:
        sql, args = "SELECT path, stage, reason, error, fingerprint FROM problems", []
        if stage:
            sql += " WHERE stage = ?"
            args.append(stage)
        rows = self.conn.execute(sql + " ORDER BY id", args).fetchall()
        return [Problem(r["path"], r["stage"], r["reason"], r["error"], r["fingerprint"]) for r in rows]

    def problem_counts(self) -> list[tuple[str, str, int, int, str]]:
        """``(fingerprint, stage, inputs, times seen, an example reason)`` per kind of failure, commonest first."""
        rows = self.conn.execute(
            "SELECT fingerprint, stage, COUNT(*), CAST(SUM(seen) AS INTEGER), MIN(reason) FROM problems"
            " GROUP BY fingerprint, stage ORDER BY COUNT(*) DESC, fingerprint"
        )
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    # -- bookkeeping -------------------------------------------------------
    def mark_stale(self, table: str) -> None:
        """Note that a derived table (``speakers``) needs rebuilding; survives a crash before the rebuild."""
        self.conn.execute(
            "INSERT INTO bookkeeping(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (f"stale:{table}", _now()),
        )

    def is_stale(self, table: str) -> bool:
        return self.conn.execute("SELECT 1 FROM bookkeeping WHERE key = ?", (f"stale:{table}",)).fetchone() is not None

    def mark_fresh(self, table: str) -> None:
        self.conn.execute("DELETE FROM bookkeeping WHERE key = ?", (f"stale:{table}",))

    # -- articles ---------------------------------------------------------
    @staticmethod
    def _article(row: Row) -> Article:
        return Article(
            id=row["id"],
            source=row["source"],
            text=row["text"],
            title=row["title"],
            url=row["url"],
            outlet=row["outlet"],
            agency=row["agency"],
            byline=row["byline"],
            dateline=row["dateline"],
            author=row["author"],
            published=row["published"],
            published_source=row["published_source"],
            language=row["language"],
            removed=tuple(Removed(**r) for r in json.loads(row["removed"])),
            meta=tuple(tuple(m) for m in json.loads(row["meta"])),
        )

    def articles(self, *, outlet: str | None = None, limit: int = 100, offset: int = 0) -> list[Article]:
        sql, args = "SELECT * FROM articles", []
        if outlet:
            sql += " WHERE outlet = ?"
            args.append(outlet)
        sql += f" ORDER BY published DESC{self.dialect.nulls_last}, id LIMIT ? OFFSET ?"
        rows = self.conn.execute(sql, [*args, limit, offset]).fetchall()
        return [self._article(r) for r in rows]

    def has_article(self, article_id: str, source: str) -> bool:
        """Whether this content is stored already; if so, ``source`` is recorded as one more place it was found.

        Lets ingest skip extraction for content it has seen (a re-run costs a
        hash per file, not an extraction).
        """
        if self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None:
            return False
        with self.transaction():
            self.conn.execute(
                "INSERT INTO article_sources(source, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (source, article_id),
            )
            self.clear_problems(source)
        return True

    def count_articles(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def article(self, article_id: str) -> Article | None:
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return self._article(row) if row else None

    def article_quotations(self, article_id: str) -> list[Quotation]:
        rows = self.conn.execute("SELECT * FROM quotations WHERE article_id = ? ORDER BY start", (article_id,))
        return [self._quotation(r) for r in rows]

    def iter_quotations(self) -> Iterator[Quotation]:
        """Every stored quotation, in article and text order (for claim building)."""
        for row in self.conn.execute("SELECT * FROM quotations ORDER BY article_id, start"):
            yield self._quotation(row)

    @staticmethod
    def _quotation(row: Row) -> Quotation:
        return Quotation(
            article_id=row["article_id"],
            type=row["type"],
            spans=_spans(row["spans"]),
            cue=_spans(row["cue"]),
            speaker_mention=_spans(row["speaker_mention"]),
            frame=_spans(row["frame"]),
            addressee=_spans(row["addressee"]),
            medium=row["medium"],
            speaker=row["speaker"],
            speaker_role=row["speaker_role"],
            said_on=row["said_on"],
            said_on_text=row["said_on_text"],
            claim_id=row["claim_id"],
            quote_confidence=row["quote_confidence"],
        )

    # -- quotations as ledger rows -------------------------------------------
    def speaker_names(self, speaker: str, limit: int = 500) -> list[str]:
        """Every stored spelling of the speakers a filter value means, found in the speakers table.

        Tried in this order, each through an index, the first that finds
        someone wins: an id or a full name (any case); a surname ("Merkel":
        the speakers of that name family); a name prefix ("Olaf Sch").  Only
        then every speaker whose name or variants contain the value (a scan
        of the speakers table, never of the quotations).  The quotations are
        then found through the index on ``quotations.speaker``.  The value
        itself is kept as an exact name, so a speaker not (yet) in the
        speakers table still matches.
        """
        rows = self.conn.execute(
            f"SELECT name, variants FROM speakers WHERE id = ? OR {self.dialect.nocase_equals('name')}",
            (speaker, speaker),
        ).fetchall()
        if not rows and " " not in speaker.strip():
            rows = self.conn.execute(
                "SELECT name, variants FROM speakers WHERE family = ? ORDER BY quotation_count DESC LIMIT ?",
                (name_family(speaker), limit),
            ).fetchall()
        if not rows and "%" not in speaker and "_" not in speaker:
            rows = self.conn.execute(
                f"SELECT name, variants FROM speakers WHERE {self.dialect.nocase_like('name')}"
                " ORDER BY quotation_count DESC LIMIT ?",
                (f"{speaker}%", limit),
            ).fetchall()
        if not rows:
            rows = self.conn.execute(
                "SELECT name, variants FROM speakers WHERE lower(name) LIKE lower(?) OR lower(variants) LIKE lower(?)"
                " ORDER BY quotation_count DESC LIMIT ?",
                (f"%{speaker}%", f"%{speaker}%", limit),
            ).fetchall()
        names = {speaker}
        for name, variants in rows:
            names.add(name)
            names.update(v for v in json.loads(variants) if speaker.casefold() in v.casefold() or name in v)
        return sorted(names)

    def outlet_names(self, outlet: str) -> list[str]:
        """The stored outlet and agency names containing ``outlet`` (any case): few, so found in Python."""
        wanted = outlet.casefold()
        found = set()
        for column in ("outlet", "agency"):
            for (name,) in self.conn.execute(f"SELECT DISTINCT {column} FROM articles WHERE {column} IS NOT NULL"):
                if wanted in name.casefold():
                    found.add(name)
        return sorted(found)

    def _where(self, **filters: Any) -> tuple[str, list[object]]:
        """The WHERE clause and its values for quotation filters, checked by ``QuotationFilters.checked``.

        Every reader of quotations builds its conditions here, on SQLite and
        PostgreSQL alike, so a filter means the same on every page and export.
        """
        f = QuotationFilters.checked(**filters)
        clauses: list[str] = []
        args: list[object] = []
        if f.type:
            clauses.append("q.type = ?")
            args.append(f.type)
        if f.speaker:
            if self.conn.execute("SELECT 1 FROM speakers LIMIT 1").fetchone() is None:
                # no speakers table built yet (a store filled without ingest): a substring scan is all there is
                clauses.append("lower(q.speaker) LIKE lower(?)")
                args.append(f"%{f.speaker}%")
            else:
                names = self.speaker_names(f.speaker)
                clauses.append(f"q.speaker IN ({','.join('?' * len(names))})")
                args += names
        if f.text:
            clauses.append(self.dialect.text_condition())
            args.append(self.dialect.match_query(f.text))
        if f.since:  # a statement dated 2024-05 overlaps since=2024-05-10; the first test uses the index
            clauses.append("q.said_key >= ? AND q.said_key < '~' AND q.said_key || '~' >= ?")
            args += [f.since[:4], f.since]
        if f.until:
            clauses.append("q.said_key <= ?")
            args.append(f.until + "~")
        if f.outlet:
            names = self.outlet_names(f.outlet)
            marks = ",".join("?" * len(names))
            clauses.append(f"(a.outlet IN ({marks}) OR a.agency IN ({marks}))" if names else "1 = 0")
            args += names + names
        if f.claim:
            clauses.append("q.claim_id = ?")
            args.append(f.claim)
        if f.article:
            clauses.append("q.article_id = ?")
            args.append(f.article)
        if f.min_quote_confidence is not None:
            clauses.append("(q.quote_confidence >= ? OR q.corrected = 1)")
            args.append(f.min_quote_confidence)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def _ledger_sql(self, order: str, after: str | None, filters: dict[str, str | None]) -> tuple[str, list[object]]:
        where, args = self._where(**filters)
        if after is not None:
            if order != "date":
                raise ValueError("a page cursor ('after') works with date order only")
            where += (" AND " if where else " WHERE ") + f"({', '.join(_DATE_ORDER)}) > (?, ?, ?, ?)"
            args += list(decode_cursor(after))
        if order == "recent":  # the newest dated statements first
            where += (" AND " if where else " WHERE ") + "q.said_key < '~'"
        order_sql = {
            "date": ", ".join(_DATE_ORDER),
            "recent": ", ".join(f"{c} DESC" for c in _DATE_ORDER),
            "text": "q.article_id, q.start",
        }[order]
        return f"{_LEDGER_SELECT}{where} ORDER BY {order_sql}", args

    def quotations(
        self,
        *,
        limit: int = 100,
        offset: int = 0,
        order: str = "date",
        after: str | None = None,
        **filters: str | None,
    ) -> list[LedgerRow]:
        """Ledger rows matching the filters, one page.

        ``order`` is ``date`` (undated last), ``recent`` (dated only, newest
        first) or ``text`` (article by article).  For deep scrolling pass
        ``after=encode_cursor(last_row)`` instead of a growing ``offset``: the
        page then starts from the index, however deep it is.
        """
        sql, args = self._ledger_sql(order, after, filters)
        rows = self.conn.execute(f"{sql} LIMIT ? OFFSET ?", [*args, max(0, int(limit)), max(0, int(offset))])
        return [self._ledger_row(r) for r in rows.fetchall()]

    def iter_ledger(self, *, order: str = "date", batch: int = 2000, **filters: str | None) -> Iterator[LedgerRow]:
        """Every matching ledger row, streamed in pages of ``batch`` rows: no cap, memory bounded by the page."""
        if order != "date":
            sql, args = self._ledger_sql(order, None, filters)
            cursor = self.conn.execute(sql, args)
            while chunk := cursor.fetchmany(batch):
                yield from (self._ledger_row(r) for r in chunk)
            return
        after: str | None = None
        while True:
            page = self.quotations(limit=batch, order="date", after=after, **filters)
            yield from page
            if len(page) < batch:
                return
            after = encode_cursor(page[-1])

    def count_quotations(self, **filters: Any) -> int:
        return self.conn.execute(*self._count_sql(filters)).fetchone()[0]

    def _count_sql(self, filters: dict[str, Any]) -> tuple[str, list[object]]:
        where, args = self._where(**filters)
        if "a." not in where:  # no article filter: count from a quotations index alone
            return f"SELECT COUNT(*) FROM quotations q{where}", args
        return f"SELECT COUNT(*) FROM quotations q JOIN articles a ON a.id = q.article_id{where}", args

    def explain_count(self, **filters: Any) -> list[str]:
        """The database's plan for a filtered list's total (``count_quotations``)."""
        return self.dialect.explain(self.conn, *self._count_sql(filters))

    def explain(self, **filters: str | None) -> list[str]:
        """The database's plan for the first page of a filtered list (what tests check for full scans)."""
        sql, args = self._ledger_sql("date", None, filters)
        return self.dialect.explain(self.conn, f"{sql} LIMIT 50", args)

    @staticmethod
    def _ledger_row(row: Row) -> LedgerRow:
        return LedgerRow(
            article_id=row["article_id"],
            source=row["source"],
            title=row["title"],
            outlet=row["outlet"],
            agency=row["agency"],
            published=row["published"],
            type=row["type"],
            text=row["text"],
            speaker=row["speaker"],
            speaker_mention=row["speaker_mention_text"],
            speaker_role=row["speaker_role"],
            cue=row["cue_text"],
            addressee=row["addressee_text"],
            said_on=row["said_on"],
            said_on_text=row["said_on_text"],
            start=row["start"],
            end=row["end"],
            claim_id=row["claim_id"],
            quotation_id=row["id"],
            speaker_confidence=row["speaker_confidence"],
            corrected=bool(row["corrected"]),
            extractor_version=row["extractor_version"],
            quote_confidence=row["quote_confidence"],
        )

    # -- speakers -----------------------------------------------------------
    def speaker_alias_roots(self) -> dict[str, str]:
        """Each merged name (``speakers merge``) with the name it is shown as now, chains followed (A→B, B→C: C).

        Read whole: the table holds the merges people made, a few hundred
        rows at most, and every name must be followed to its end.
        """
        links = {r[0]: r[1] for r in self.conn.execute("SELECT alias, canonical FROM speaker_aliases")}
        roots = {}
        for alias, root in links.items():
            seen = {alias}
            while root in links and root not in seen:  # merges refuse cycles; ``seen`` guards a hand-edited table
                seen.add(root)
                root = links[root]
            roots[alias] = root
        return roots

    def speaker_mentions(self, families: Sequence[str] | None = None) -> list[tuple[SpeakerMention, str | None]]:
        """Mentions with the date they were seen: all of them, or those of the given name families.

        Merged names are read as the name they are shown as (``speakers merge``):
        a mention of "Olaf Schilz" merged into "Olaf Scholz" is one of Scholz's
        and belongs to Scholz's family, whatever its own.  Each merged name is
        also given as one mention of its person (no position, no date), so it is
        listed among the person's variants and a search for it finds the person.
        """
        roots = self.speaker_alias_roots()
        wanted = None if families is None else set(families)
        if families is None:
            rows = self.conn.execute(
                f"SELECT * FROM speaker_mentions ORDER BY seen_on{self.dialect.nulls_first}, article_id, start"
            ).fetchall()
        else:
            rows = []
            for chunk in _chunks(list(families), 500):
                rows += self.conn.execute(
                    f"SELECT * FROM speaker_mentions WHERE family IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
            # mentions of names merged into these families from other families (index speaker_mentions_name)
            moved = [a for a, root in roots.items() if name_family(root) in wanted and name_family(a) not in wanted]
            for chunk in _chunks(sorted(moved), 500):
                rows += self.conn.execute(
                    f"SELECT * FROM speaker_mentions WHERE name IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
            rows.sort(key=lambda r: (r["seen_on"] or "", r["article_id"], r["start"]))
        mentions = []
        for r in rows:
            name = roots.get(r["name"], r["name"])
            if wanted is None or name_family(name) in wanted:
                mentions.append(
                    (SpeakerMention(r["start"], r["end"], r["text"], name, r["kind"], r["role"]), r["seen_on"])
                )
        for alias, root in sorted(roots.items()):
            if wanted is None or name_family(root) in wanted:
                mentions.append((SpeakerMention(0, 0, alias, root, "unknown", None), None))
        return mentions

    def speaker_families(self) -> list[str]:
        """Every name family that has mentions or merged names (for a full rebuild done a step at a time)."""
        families = {r[0] for r in self.conn.execute("SELECT DISTINCT family FROM speaker_mentions")}
        families.update(name_family(root) for root in self.speaker_alias_roots().values())
        return sorted(families)

    def clear_speakers(self) -> None:
        """Empty the speakers table before a full rebuild; the table stays marked stale until it is rebuilt."""
        with self.transaction():
            self.conn.execute("DELETE FROM speakers")
            self.conn.execute("DELETE FROM speaker_families_stale")

    def stale_speaker_families(self) -> list[str] | None:
        """Name families whose speakers must be rebuilt; None when every speaker must (never built, or migrated)."""
        if self.is_stale("speakers"):
            return None
        return [r[0] for r in self.conn.execute("SELECT family FROM speaker_families_stale")]

    def replace_speakers(self, speakers: Iterable[Speaker], families: Sequence[str] | None = None) -> None:
        """Replace the speaker records of ``families`` (all when None) and count their quotations."""
        conn = self.conn
        with self.transaction():
            if families is None:
                conn.execute("DELETE FROM speakers")
                conn.execute("DELETE FROM speaker_families_stale")
                self.mark_fresh("speakers")
            else:
                for chunk in _chunks(list(families), 500):
                    marks = ",".join("?" * len(chunk))
                    conn.execute(f"DELETE FROM speakers WHERE family IN ({marks})", chunk)
                    conn.execute(f"DELETE FROM speaker_families_stale WHERE family IN ({marks})", chunk)
            for s in speakers:
                names = {s.name, *s.variants}
                marks = ",".join("?" * len(names))
                count = conn.execute(
                    f"SELECT COUNT(*) FROM quotations WHERE speaker IN ({marks})", list(names)
                ).fetchone()[0]
                conn.execute(
                    "INSERT INTO speakers(id, name, kind, variants, roles, quotation_count, family)"
                    " VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
                    " variants = excluded.variants, roles = excluded.roles,"
                    " quotation_count = excluded.quotation_count, family = excluded.family",
                    (
                        s.id,
                        s.name,
                        s.kind,
                        json.dumps(list(s.variants), ensure_ascii=False),
                        json.dumps([asdict(r) for r in s.roles], ensure_ascii=False),
                        count,
                        name_family(s.name),
                    ),
                )

    @staticmethod
    def _speaker(row: Row) -> Speaker:
        return Speaker(
            id=row["id"],
            name=row["name"],
            kind=row["kind"],
            variants=tuple(json.loads(row["variants"])),
            roles=tuple(RoleSeen(**r) for r in json.loads(row["roles"])),
            quotation_count=row["quotation_count"],
        )

    def speakers(self, *, query: str | None = None, limit: int | None = None, offset: int = 0) -> list[Speaker]:
        """Speakers, most quoted first (the order of index ``speakers_count``); one page when ``limit`` is given.

        ``query`` matches a part of the name or of a variant: the speakers
        table's own search, read in count order so a page stops early.
        """
        where, args = self._speaker_where(query)
        sql = f"SELECT * FROM speakers{where} ORDER BY quotation_count DESC, name"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [max(0, int(limit)), max(0, int(offset))]
        return [self._speaker(r) for r in self.conn.execute(sql, args)]

    @staticmethod
    def _speaker_where(query: str | None) -> tuple[str, list[object]]:
        if not query:
            return "", []
        pattern = _like_pattern(query)
        return (
            " WHERE lower(name) LIKE lower(?) ESCAPE '\\' OR lower(variants) LIKE lower(?) ESCAPE '\\'",
            [pattern, pattern],
        )

    def speaker(self, name_or_id: str) -> Speaker | None:
        row = self.conn.execute(
            f"SELECT * FROM speakers WHERE id = ? OR {self.dialect.nocase_equals('name')} ORDER BY quotation_count DESC",
            (name_or_id, name_or_id),
        ).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT * FROM speakers WHERE lower(variants) LIKE lower(?) ORDER BY quotation_count DESC",
                (f'%"{name_or_id}"%',),
            ).fetchone()
        return self._speaker(row) if row else None

    # -- claims --------------------------------------------------------------
    def set_claims(self, claims: Iterable[Claim], members: Iterable[tuple[str, str, str, float]]) -> None:
        """Replace all claims and memberships ``(claim_id, quotation_id, stance, similarity)``."""
        conn = self.conn
        with self.transaction():
            conn.execute("DELETE FROM claim_members")
            conn.execute("DELETE FROM claims")
            conn.execute("UPDATE quotations SET claim_id = NULL")
            for c in claims:
                conn.execute(
                    "INSERT INTO claims(id, text, first_said, last_said, speakers, outlets, reports, statements, updated_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?)",
                    _claim_values(c),
                )
            for claim_id, quotation_id, stance, similarity in members:
                conn.execute(
                    "INSERT INTO claim_members(claim_id, quotation_id, stance, similarity) VALUES (?,?,?,?)"
                    " ON CONFLICT(claim_id, quotation_id) DO UPDATE SET stance = excluded.stance,"
                    " similarity = excluded.similarity",
                    (claim_id, quotation_id, stance, similarity),
                )
                if stance == "affirms":
                    conn.execute("UPDATE quotations SET claim_id = ? WHERE id = ?", (claim_id, quotation_id))

    def _claim(self, row: Row) -> Claim:
        ids = [
            r[0] for r in self.conn.execute("SELECT quotation_id FROM claim_members WHERE claim_id = ?", (row["id"],))
        ]
        return Claim(
            id=row["id"],
            text=row["text"],
            quotation_ids=tuple(ids),
            first_said=row["first_said"],
            last_said=row["last_said"],
            speakers=tuple(json.loads(row["speakers"])),
            outlets=tuple(json.loads(row["outlets"])),
            reports=row["reports"],
            statements=row["statements"],
        )

    def claims(self, *, query: str | None = None) -> list[Claim]:
        sql, args = "SELECT * FROM claims", []
        if query:
            sql += " WHERE lower(text) LIKE lower(?) OR lower(speakers) LIKE lower(?)"
            args = [f"%{query}%", f"%{query}%"]
        sql += f" ORDER BY reports DESC, first_said{self.dialect.nulls_first}"
        return [self._claim(r) for r in self.conn.execute(sql, args).fetchall()]

    def claim(self, claim_id: str) -> Claim | None:
        row = self.conn.execute("SELECT * FROM claims WHERE id = ?", (claim_id,)).fetchone()
        return self._claim(row) if row else None

    def claim_members(self, claim_id: str) -> list[tuple[str, str, float]]:
        """``(quotation_id, stance, similarity)`` of a claim's members."""
        rows = self.conn.execute(
            "SELECT quotation_id, stance, similarity FROM claim_members WHERE claim_id = ?", (claim_id,)
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def ledger_rows(self, quotation_ids: Sequence[str]) -> list[LedgerRow]:
        """Ledger rows for given quotation ids, in date order."""
        if not quotation_ids:
            return []
        marks = ",".join("?" * len(quotation_ids))
        sql = f"{_LEDGER_SELECT} WHERE q.id IN ({marks}) ORDER BY {', '.join(_DATE_ORDER)}"
        return [self._ledger_row(r) for r in self.conn.execute(sql, list(quotation_ids))]

    def get_embeddings(self, hashes: Sequence[str], model: str) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for i in range(0, len(hashes), 500):
            chunk = list(hashes[i : i + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN ({marks})", [model, *chunk]
            )
            out.update({r[0]: r[1] for r in rows})
        return out

    def put_embeddings(self, items: Iterable[tuple[str, bytes]], model: str) -> None:
        """Cache vectors by text hash, one transaction per batch (not one per row)."""
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO embeddings(text_hash, model, vector) VALUES (?,?,?)"
                " ON CONFLICT(text_hash, model) DO UPDATE SET vector = excluded.vector",
                [(h, model, v) for h, v in items],
            )

    def add_syndication(self, article_id: str, original_id: str, similarity: float) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO syndication(article_id, original_id, similarity) VALUES (?,?,?)"
                " ON CONFLICT(article_id, original_id) DO UPDATE SET similarity = excluded.similarity",
                (article_id, original_id, similarity),
            )

    def syndication(self) -> list[tuple[str, str, float]]:
        return [(r[0], r[1], r[2]) for r in self.conn.execute("SELECT * FROM syndication")]

    # -- claims at scale (issue 14): slim reads, incremental writes ---------------------------
    def _rows_in(self, sql: str, values: Sequence[object], args: Sequence[object] = ()) -> Iterator[Row]:
        """Rows of ``sql`` whose ``{marks}`` is filled with chunks of ``values`` (SQLite caps parameters)."""
        for i in range(0, len(values), 500):
            chunk = list(values[i : i + 500])
            yield from self.conn.execute(sql.format(marks=",".join("?" * len(chunk))), [*args, *chunk])

    def ungrouped_quotations(
        self, quotation_ids: Sequence[str] | None = None
    ) -> list[tuple[str, str, str, str | None, str | None, str | None, str | None]]:
        """``(quotation_id, article_id, text, speaker, said_on, outlet, agency)`` of quotations in no claim yet.

        Only what grouping needs, never the article text: with nothing new this
        is one lookup in the ``claim_id`` index.  ``quotation_ids`` narrows it
        to some quotations (those an ingest just stored).
        """
        sql = (
            "SELECT q.id, q.article_id, q.text, q.speaker, q.said_on, a.outlet, a.agency"
            " FROM quotations q JOIN articles a ON a.id = q.article_id WHERE q.claim_id IS NULL"
        )
        if quotation_ids is None:
            rows: Iterable[Row] = self.conn.execute(sql)
        else:
            rows = self._rows_in(sql + " AND q.id IN ({marks})", list(dict.fromkeys(quotation_ids)))
        return [(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]

    def claims_generation(self) -> int:
        """Bumped by every claims write; the neighbour index files beside the database record the one they match."""
        row = self.conn.execute("SELECT value FROM claims_state WHERE key = 'generation'").fetchone()
        return row[0] if row else 0

    def claim_groups(
        self, *, keys: Sequence[int] | None = None, claim_ids: Sequence[str] | None = None
    ) -> list[tuple[int, str, str, bytes, int, list[str], str]]:
        """``(key, claim_id, polarity, vector_sum, size, speakers, words)`` of claims by index key or id."""
        select = (
            "SELECT g.key, g.claim_id, g.polarity, g.vector_sum, g.size, c.speakers, g.words"
            " FROM claim_groups g JOIN claims c ON c.id = g.claim_id WHERE "
        )
        rows = (
            self._rows_in(select + "g.key IN ({marks})", list(keys))
            if keys is not None
            else self._rows_in(select + "g.claim_id IN ({marks})", list(claim_ids or ()))
        )
        return [(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6]) for r in rows]

    def iter_claim_centroids(self) -> Iterator[tuple[int, bytes]]:
        """``(key, vector_sum)`` of every claim: what rebuilding the centroid index reads."""
        yield from self.conn.execute("SELECT key, vector_sum FROM claim_groups ORDER BY key")

    def iter_quotation_vectors(self, model: str) -> Iterator[tuple[int, bytes]]:
        """``(key, vector)`` of every grouped quotation: what rebuilding the quotation index reads."""
        yield from self.conn.execute(
            "SELECT iq.key, e.vector FROM indexed_quotations iq"
            " JOIN embeddings e ON e.text_hash = iq.text_hash AND e.model = ? ORDER BY iq.key",
            (model,),
        )

    def next_claim_keys(self) -> tuple[int, int]:
        """The next free keys of the centroid index and the quotation index."""
        claims = self.conn.execute("SELECT COALESCE(MAX(key), -1) + 1 FROM claim_groups").fetchone()[0]
        quotations = self.conn.execute("SELECT COALESCE(MAX(key), -1) + 1 FROM indexed_quotations").fetchone()[0]
        return claims, quotations

    def indexed_quotations(self, keys: Sequence[int]) -> list[tuple[int, str, str, str]]:
        """``(key, quotation_id, text, polarity)`` of quotations by their quotation-index key (deleted ones left out)."""
        rows = self._rows_in(
            "SELECT iq.key, iq.quotation_id, q.text, iq.polarity FROM indexed_quotations iq"
            " JOIN quotations q ON q.id = iq.quotation_id WHERE iq.key IN ({marks})",
            list(keys),
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def claim_member_rows(
        self, claim_ids: Sequence[str]
    ) -> list[tuple[str, str, str, str, str | None, str | None, str | None, str | None]]:
        """``(claim_id, quotation_id, article_id, text, speaker, said_on, outlet, agency)`` of affirming members.

        In grouping order (date, undated last, then id), without article text:
        what a claim's summary row (canonical text, dates, outlets) is made of.
        """
        rows = self._rows_in(
            "SELECT m.claim_id, q.id, q.article_id, q.text, q.speaker, q.said_on, a.outlet, a.agency"
            " FROM claim_members m JOIN quotations q ON q.id = m.quotation_id JOIN articles a ON a.id = q.article_id"
            " WHERE m.stance = 'affirms' AND m.claim_id IN ({marks})",
            list(claim_ids),
        )
        out = [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows]
        return sorted(out, key=lambda r: (r[5] or "9999", r[1]))

    def claim_relations(self, claim_ids: Sequence[str]) -> dict[str, list[tuple[str, str, float]]]:
        """Each claim's contradicting or hedging quotations ``(quotation_id, stance, similarity)``."""
        out: dict[str, list[tuple[str, str, float]]] = {}
        rows = self._rows_in(
            "SELECT claim_id, quotation_id, stance, similarity FROM claim_members"
            " WHERE stance != 'affirms' AND claim_id IN ({marks})",
            list(claim_ids),
        )
        for r in rows:
            out.setdefault(r[0], []).append((r[1], r[2], r[3]))
        return out

    def claims_of_articles(self, article_ids: Sequence[str]) -> set[str]:
        """Claims with an affirming member in one of these articles (their statement count may change)."""
        rows = self._rows_in(
            "SELECT DISTINCT claim_id FROM quotations WHERE claim_id IS NOT NULL AND article_id IN ({marks})",
            list(article_ids),
        )
        return {r[0] for r in rows}

    def claims_to_repair(self) -> list[str]:
        """Claims whose stored group no longer matches their members: made before migration 4, or an
        article was replaced under them.  Checked by one count first, so a normal update pays nothing."""
        affirming = self.conn.execute("SELECT COUNT(*) FROM claim_members WHERE stance = 'affirms'").fetchone()[0]
        row = self.conn.execute("SELECT value FROM claims_state WHERE key = 'members'").fetchone()
        if row is not None and row[0] == affirming:
            return []
        rows = self.conn.execute(
            "SELECT c.id FROM claims c LEFT JOIN claim_groups g ON g.claim_id = c.id"
            " LEFT JOIN (SELECT claim_id, COUNT(*) AS n FROM claim_members WHERE stance = 'affirms' GROUP BY claim_id) m"
            " ON m.claim_id = c.id WHERE g.key IS NULL OR g.size != COALESCE(m.n, 0)"
        )
        return [r[0] for r in rows]

    def clear_claims(self) -> None:
        """Forget every claim (``claims --rebuild``): all quotations are ungrouped again."""
        self.set_claims([], [])
        with self.transaction():
            self.conn.execute("DELETE FROM indexed_quotations")
            self._bump_claims_state()

    def _bump_claims_state(self) -> int:
        generation = self.claims_generation() + 1
        members = self.conn.execute("SELECT COUNT(*) FROM claim_members WHERE stance = 'affirms'").fetchone()[0]
        self.conn.executemany(
            "INSERT INTO claims_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [("generation", generation), ("members", members)],
        )
        return generation

    def save_claim_groups(
        self,
        groups: Iterable[tuple[Claim, int, str, bytes, int, str]],
        members: Iterable[tuple[str, str, float]],
        quotations: Iterable[tuple[int, str, str, str]],
        related: dict[str, list[tuple[str, str, float]]],
        dropped: Sequence[str] = (),
    ) -> int:
        """Write only what an update changed, in one transaction; returns the new claims generation.

        ``groups``: ``(claim, key, polarity, vector_sum, size, words)`` of new or
        changed claims, upserted.  ``members``: affirming memberships
        ``(claim_id, quotation_id, similarity)``, added or their similarity
        updated.  ``quotations``: ``(key, quotation_id, text_hash, polarity)`` of
        newly indexed quotations.  ``related``: the complete list of contradicting
        or hedging quotations ``(quotation_id, stance, similarity)`` of each claim
        named, replacing its old one.  ``dropped``: claims left without members.
        """
        conn = self.conn
        with self.transaction():
            conn.executemany("DELETE FROM claims WHERE id = ?", [(c,) for c in dropped])
            for c, key, polarity, vector_sum, size, words in groups:
                conn.execute(
                    "INSERT INTO claims(id, text, first_said, last_said, speakers, outlets, reports, statements, updated_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET text = excluded.text,"
                    " first_said = excluded.first_said, last_said = excluded.last_said, speakers = excluded.speakers,"
                    " outlets = excluded.outlets, reports = excluded.reports, statements = excluded.statements,"
                    " updated_at = excluded.updated_at",
                    _claim_values(c),
                )
                # replaces the row holding either the key or the claim (both are unique), as INSERT OR REPLACE did
                conn.execute("DELETE FROM claim_groups WHERE key = ? OR claim_id = ?", (key, c.id))
                conn.execute(
                    "INSERT INTO claim_groups(key, claim_id, polarity, vector_sum, size, words) VALUES (?,?,?,?,?,?)",
                    (key, c.id, polarity, vector_sum, size, words),
                )
            for claim_id, quotation_id, similarity in members:
                conn.execute(
                    "INSERT INTO claim_members(claim_id, quotation_id, stance, similarity) VALUES (?,?,'affirms',?)"
                    " ON CONFLICT(claim_id, quotation_id) DO UPDATE SET stance = 'affirms', similarity = excluded.similarity",
                    (claim_id, quotation_id, similarity),
                )
                conn.execute(
                    "UPDATE quotations SET claim_id = ? WHERE id = ? AND claim_id IS DISTINCT FROM ?",
                    (claim_id, quotation_id, claim_id),
                )
            conn.executemany(
                "INSERT INTO indexed_quotations(key, quotation_id, text_hash, polarity) VALUES (?,?,?,?)"
                " ON CONFLICT(quotation_id) DO NOTHING",
                quotations,
            )
            for claim_id, links in related.items():
                conn.execute("DELETE FROM claim_members WHERE claim_id = ? AND stance != 'affirms'", (claim_id,))
                conn.executemany(
                    "INSERT INTO claim_members(claim_id, quotation_id, stance, similarity) VALUES (?,?,?,?)"
                    " ON CONFLICT DO NOTHING",
                    [(claim_id, qid, stance, similarity) for qid, stance, similarity in links],
                )
            generation = self._bump_claims_state()
        return generation

    def claims_overview(self) -> tuple[int, int, int, int]:
        """``(quotations, claims, claims reported more than once, syndicated copies)``: an update's summary line."""
        row = self.conn.execute(
            "SELECT (SELECT COUNT(*) FROM quotations), (SELECT COUNT(*) FROM claims),"
            " (SELECT COUNT(*) FROM claims WHERE reports > 1), (SELECT COUNT(DISTINCT article_id) FROM syndication)"
        ).fetchone()
        return row[0], row[1], row[2], row[3]

    # -- incremental syndication ------------------------------------------------------------
    def unsigned_articles(self, article_ids: Sequence[str]) -> list[tuple[str, str | None, str]]:
        """``(article_id, published, text)`` of these articles not yet compared for syndication."""
        rows = self._rows_in(
            "SELECT a.id, a.published, a.text FROM articles a WHERE a.id IN ({marks})"
            " AND NOT EXISTS (SELECT 1 FROM syndication_articles s WHERE s.article_id = a.id)",
            list(dict.fromkeys(article_ids)),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def articles_to_sign(self) -> list[str]:
        """Articles grouped before syndication was incremental (migration 4 flags such a database): once."""
        row = self.conn.execute("SELECT value FROM claims_state WHERE key = 'syndication_backfill'").fetchone()
        if not row or not row[0]:
            return []
        rows = self.conn.execute(
            "SELECT DISTINCT q.article_id FROM quotations q WHERE q.claim_id IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM syndication_articles s WHERE s.article_id = q.article_id)"
        ).fetchall()
        if not rows:
            with self.transaction():
                self.conn.execute("DELETE FROM claims_state WHERE key = 'syndication_backfill'")
        return [r[0] for r in rows]

    def clear_syndication(self) -> None:
        """Forget every syndication link and signature (``claims --rebuild`` compares all articles again)."""
        with self.transaction():
            for table in ("syndication", "syndication_bands", "syndication_articles"):
                self.conn.execute(f"DELETE FROM {table}")

    def syndication_texts(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The texts of candidate copies: their exact Jaccard similarity is computed from them."""
        return {r[0]: r[1] for r in self._rows_in("SELECT id, text FROM articles WHERE id IN ({marks})", article_ids)}

    def syndication_candidates(self, band_keys: Sequence[int]) -> list[tuple[str, str]]:
        """``(article_id, sort_key)`` of compared articles sharing a MinHash LSH band with the keys given."""
        rows = self._rows_in(
            "SELECT DISTINCT s.article_id, s.sort_key FROM syndication_bands b"
            " JOIN syndication_articles s ON s.n = b.n WHERE b.band_key IN ({marks})",
            list(band_keys),
        )
        return [(r[0], r[1]) for r in rows]

    def syndication_links(self, article_ids: Sequence[str]) -> dict[str, tuple[str, float]]:
        """Each copy's original and similarity (the most similar one where older runs left several)."""
        rows = self._rows_in(
            "SELECT article_id, original_id, similarity FROM syndication WHERE article_id IN ({marks})"
            " ORDER BY similarity",
            list(article_ids),
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def add_syndication_signatures(
        self, signed: Iterable[tuple[str, str, Sequence[int]]], links: Iterable[tuple[str, str, float]]
    ) -> None:
        """Record compared articles ``(article_id, sort_key, band_keys)`` and set links ``(copy, original, similarity)``.

        A link replaces the copy's earlier one: an older original found later wins.
        """
        conn = self.conn
        with self.transaction():
            for article_id, sort_key, band_keys in signed:
                n = conn.execute(
                    "INSERT INTO syndication_articles(article_id, sort_key) VALUES (?, ?) RETURNING n",
                    (article_id, sort_key),
                ).fetchone()[0]
                conn.executemany(
                    "INSERT INTO syndication_bands(band_key, n) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    [(k, n) for k in band_keys],
                )
            for copy_id, original_id, similarity in links:
                conn.execute("DELETE FROM syndication WHERE article_id = ?", (copy_id,))
                conn.execute(
                    "INSERT INTO syndication(article_id, original_id, similarity) VALUES (?,?,?)",
                    (copy_id, original_id, similarity),
                )

    def syndication_roots(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The earliest version each article is a copy of (itself when it is no copy)."""
        out: dict[str, str] = {}
        for article_id in dict.fromkeys(article_ids):
            current, seen = article_id, {article_id}
            while True:
                row = self.conn.execute(
                    "SELECT original_id FROM syndication WHERE article_id = ? ORDER BY similarity DESC LIMIT 1",
                    (current,),
                ).fetchone()
                if row is None or row[0] in seen:
                    break
                current = row[0]
                seen.add(current)
            out[article_id] = current
        return out

    # -- bounded pages (issue 14): what the web pages and the API list ------------------------
    def count_speakers(self, *, query: str | None = None) -> int:
        """How many speakers ``speakers(query=...)`` would list in all."""
        where, args = self._speaker_where(query)
        return self.conn.execute(f"SELECT COUNT(*) FROM speakers{where}", args).fetchone()[0]

    def speaker_quotations(
        self,
        names: Sequence[str],
        *,
        limit: int = 50,
        after: str | None = None,
        where: str = "",
        args: Sequence[object] = (),
    ) -> list[LedgerRow]:
        """One page, in date order, of the quotations attributed to any of ``names`` (a speaker and its variants).

        One query per name, each read in order from index ``quotations_speaker_key``
        and cut at ``limit``, then merged: a page costs ``len(names) × limit`` rows
        however many quotations the speaker has, and ``after`` (a cursor from
        ``encode_cursor``) starts it anywhere in the list without skipping rows.
        ``where``/``args`` add conditions (a ``_where`` clause: dates, type, outlet).
        """
        limit = max(0, int(limit))
        key = list(decode_cursor(after)) if after is not None else None
        extra = f" AND {where.removeprefix(' WHERE ')}" if where else ""
        pages = []
        for name in sorted(set(names)):
            sql, values = f"{_LEDGER_SELECT} WHERE q.speaker = ?{extra}", [name, *args]
            if key is not None:
                sql += f" AND ({', '.join(_DATE_ORDER)}) > (?, ?, ?, ?)"
                values += key
            rows = self.conn.execute(f"{sql} ORDER BY {', '.join(_DATE_ORDER)} LIMIT ?", [*values, limit])
            pages.append([self._ledger_row(r) for r in rows])
        merged = heapq.merge(*pages, key=lambda r: (r.said_on or "~", r.article_id, r.start, r.quotation_id))
        return list(itertools.islice(merged, limit))

    def count_speaker_quotations(self, names: Sequence[str]) -> int:
        """How many quotations ``speaker_quotations`` pages through (from the index alone)."""
        names = sorted(set(names))
        if not names:
            return 0
        marks = ",".join("?" * len(names))
        return self.conn.execute(f"SELECT COUNT(*) FROM quotations WHERE speaker IN ({marks})", names).fetchone()[0]

    #: A speaker's claims are counted over at most this many of its quotations in a claim (index
    #: ``quotations_speaker_claim``): 60,000 cost 40 ms at 1M quotations, 5,000 a few.
    SPEAKER_CLAIM_ROWS = 5000

    def speaker_claim_counts(self, names: Sequence[str], *, limit: int = 10) -> list[tuple[str, int]]:
        """``(claim id, quotations)`` of the claims a speaker's quotations affirm most often, at most ``limit``.

        Counted over at most SPEAKER_CLAIM_ROWS of the speaker's quotations in a
        claim: for a speaker quoted more than that, the order is an estimate.
        """
        names = sorted(set(names))
        if not names:
            return []
        marks = ",".join("?" * len(names))
        rows = self.conn.execute(
            f"SELECT claim_id, COUNT(*) AS n FROM (SELECT claim_id FROM quotations WHERE speaker IN ({marks})"
            " AND claim_id IS NOT NULL LIMIT ?) AS s GROUP BY claim_id ORDER BY n DESC, claim_id LIMIT ?",
            [*names, self.SPEAKER_CLAIM_ROWS, max(0, int(limit))],
        )
        return [(r[0], r[1]) for r in rows]

    def facet_values(self, *, limit: int = 2000, **filters: str | None) -> list[tuple[str | None, ...]]:
        """``(speaker, type, outlet or agency, year)`` of at most ``limit`` matches, in no particular order.

        What the search page counts its facets from: a bounded read however
        many quotations match, which the page says when the total is larger.
        Unordered on purpose: with a text filter the full-text index drives
        the read and it stops after ``limit`` matches, where date order would
        first have to collect every match.
        """
        text = filters.pop("text", None)
        where, args = self._where(**filters)
        source, order = "quotations q JOIN articles a ON a.id = q.article_id", ""
        if text:
            source, condition = self.dialect.facet_source(source)
            where = (f"{where} AND " if where else " WHERE ") + condition
            args.append(self.dialect.match_query(text))
        elif not any(filters.get(k) for k in ("speaker", "claim", "article")):
            order = " ORDER BY q.said_key"  # no index of its own: read along the date index, the oldest first
        sql = f"SELECT q.speaker, q.type, COALESCE(a.outlet, a.agency), substr(q.said_on, 1, 4) FROM {source}{where}"
        return [tuple(r) for r in self.conn.execute(f"{sql}{order} LIMIT ?", [*args, max(0, int(limit))])]

    def article_texts(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The texts of the given articles (one query): what an outlet comparison of one page needs."""
        ids = sorted(set(article_ids))
        out: dict[str, str] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            out.update(self.conn.execute(f"SELECT id, text FROM articles WHERE id IN ({marks})", chunk).fetchall())
        return out

    @staticmethod
    def _claim_summary(row: Row) -> Claim:
        """A claim as listed: everything but its member ids (which would take a query per claim)."""
        return Claim(
            id=row["id"],
            text=row["text"],
            first_said=row["first_said"],
            last_said=row["last_said"],
            speakers=tuple(json.loads(row["speakers"])),
            outlets=tuple(json.loads(row["outlets"])),
            reports=row["reports"],
            statements=row["statements"],
        )

    @staticmethod
    def _claims_where(query: str | None, min_reports: int) -> tuple[str, list[object]]:
        clauses, args = [], []
        if min_reports > 0:
            clauses.append("reports >= ?")
            args.append(min_reports)
        if query:
            pattern = _like_pattern(query)
            clauses.append("(lower(text) LIKE lower(?) ESCAPE '\\' OR lower(speakers) LIKE lower(?) ESCAPE '\\')")
            args += [pattern, pattern]
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def claim_summaries(
        self, *, query: str | None = None, min_reports: int = 0, limit: int = 50, offset: int = 0
    ) -> list[Claim]:
        """One page of claims, most reported first (index ``claims_reports``), without member ids.

        ``query`` matches a part of the canonical text or of a speaker's name;
        ``min_reports`` keeps claims reported at least that often.
        """
        where, args = self._claims_where(query, min_reports)
        sql = (
            f"SELECT * FROM claims{where} ORDER BY reports DESC, first_said{self.dialect.nulls_first} LIMIT ? OFFSET ?"
        )
        rows = self.conn.execute(sql, [*args, max(0, int(limit)), max(0, int(offset))])
        return [self._claim_summary(r) for r in rows]

    def count_claims(self, *, query: str | None = None, min_reports: int = 0) -> int:
        """How many claims ``claim_summaries`` pages through."""
        where, args = self._claims_where(query, min_reports)
        return self.conn.execute(f"SELECT COUNT(*) FROM claims{where}", args).fetchone()[0]

    def claim_summary(self, claim_id: str) -> Claim | None:
        """One claim without its member ids (a claim reported 10,000 times stays one small row)."""
        row = self.conn.execute("SELECT * FROM claims WHERE id = ?", (claim_id,)).fetchone()
        return self._claim_summary(row) if row else None

    def claims_by_ids(self, claim_ids: Sequence[str]) -> list[Claim]:
        """Claim summaries for the given ids, in the order given (one query)."""
        ids = list(dict.fromkeys(claim_ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(f"SELECT * FROM claims WHERE id IN ({marks})", ids)
        found = {r["id"]: self._claim_summary(r) for r in rows}
        return [found[i] for i in ids if i in found]

    #: A claim's members joined with their rows; ``{join}`` and ``{where}`` are filled per use.
    _MEMBER_SELECT = (
        "SELECT q.*, a.source, a.title, a.outlet, a.agency, a.published, m.stance, m.similarity"
        " FROM {join} JOIN articles a ON a.id = q.article_id WHERE {where}"
    )

    #: Stances other than ``affirms`` a member can have (claims/stance.py): read through index
    #: ``claim_members_stance``, where ``stance != 'affirms'`` would read every member of the claim.
    OTHER_STANCES = ("denies", "hedges")

    def claim_statements(
        self, claim_id: str, *, stances: Sequence[str] | None = None, limit: int = 50, after: str | None = None
    ) -> list[tuple[LedgerRow, str, float]]:
        """One page of a claim's members as ``(ledger row, stance, similarity)``, in date order.

        A claim reported 20,000 times must not be sorted for every page: its
        affirming members are read in date order from the partial index
        ``quotations_claim_key`` (an affirming member's ``quotations.claim_id``
        names its claim: both claim writers keep it so), those that deny or
        hedge (few) sorted, and the two merged.  ``after`` is a cursor
        (``encode_cursor``); ``stances`` keeps only those stances.
        """
        limit = max(0, int(limit))
        key = list(decode_cursor(after)) if after is not None else []
        position = f" AND ({', '.join(_DATE_ORDER)}) > (?, ?, ?, ?)" if key else ""
        order = f" ORDER BY {', '.join(_DATE_ORDER)} LIMIT ?"
        parts = []
        if not stances or "affirms" in stances:
            join = "quotations q JOIN claim_members m ON m.claim_id = q.claim_id AND m.quotation_id = q.id"
            where = f"q.claim_id = ? AND m.stance = 'affirms'{position}"
            sql = self._MEMBER_SELECT.format(join=join, where=where)
            parts.append(self.conn.execute(sql + order, [claim_id, *key, limit]).fetchall())
        others = [s for s in stances if s != "affirms"] if stances else list(self.OTHER_STANCES)
        if others:
            join = "claim_members m JOIN quotations q ON q.id = m.quotation_id"
            where = f"m.claim_id = ? AND m.stance IN ({','.join('?' * len(others))}){position}"
            sql = self._MEMBER_SELECT.format(join=join, where=where)
            parts.append(self.conn.execute(sql + order, [claim_id, *others, *key, limit]).fetchall())
        merged = heapq.merge(*parts, key=lambda r: (r["said_key"], r["article_id"], r["start"], r["id"]))
        return [(self._ledger_row(r), r["stance"], r["similarity"]) for r in itertools.islice(merged, limit)]

    def count_claim_statements(self, claim_id: str, *, stances: Sequence[str] | None = None) -> int:
        """How many members ``claim_statements`` pages through (from index ``claim_members_stance`` alone)."""
        stances = list(stances or ("affirms", *self.OTHER_STANCES))
        sql = f"SELECT COUNT(*) FROM claim_members WHERE claim_id = ? AND stance IN ({','.join('?' * len(stances))})"
        return self.conn.execute(sql, [claim_id, *stances]).fetchone()[0]

    def count_ledger(self, **filters: str | None) -> int:
        """``count_quotations``, but a text filter alone is counted in the full-text index (no row read)."""
        given = QuotationFilters.checked(**filters).given()
        if set(given) == {"text"}:
            return self.count_text_matches(given["text"])
        return self.count_quotations(**filters)

    def count_text_matches(self, text: str) -> int:
        """How many quotations contain the words of ``text``: the index's own count (one index row per quotation)."""
        return self.conn.execute(self.dialect.count_matches_sql(), (self.dialect.match_query(text),)).fetchone()[0]

    #: Words matching more quotations than this share of sqrt(limit × ledger size) are paged along the
    #: date index (see ``ledger_page``); measured at 100k: 1,111 matches cost 2 ms either way, 11,111
    #: cost 82 ms sorted and 38 ms along the index, 111 cost 0.3 ms sorted and 21 ms along the index.
    WALK_FACTOR = 0.25

    def ledger_page(
        self, *, limit: int = 50, offset: int = 0, after: str | None = None, **filters: str | None
    ) -> list[LedgerRow]:
        """``quotations(order="date")``, with the plan for a full-text filter chosen by how often its words occur.

        SQLite reads a text filter's matches first and sorts them by date:
        right for a rare word, slow for one in every fifth quotation.  Then
        walking the date index and keeping the matches stops as soon as the
        page is full.  The choice needs the match count, which the full-text
        index gives without reading a row.  Speaker, claim and article
        filters have their own indexes and keep SQLite's plan.
        """
        text, speaker = filters.get("text"), filters.get("speaker")
        if speaker and not any(filters.get(k) for k in ("text", "claim", "article")):
            return self._speaker_page(limit=limit, offset=offset, after=after, **filters)
        if not text or any(filters.get(k) for k in ("speaker", "claim", "article")):
            return self.quotations(limit=limit, offset=offset, after=after, **filters)
        matches, size = self.count_text_matches(text), self.count_quotations()
        if matches < self.WALK_FACTOR * (max(1, limit + offset) * size) ** 0.5:
            return self.quotations(limit=limit, offset=offset, after=after, **filters)
        where, args = self._where(**{k: v for k, v in filters.items() if k != "text"})
        clauses = [where.removeprefix(" WHERE ")] if where else []
        select, condition = self.dialect.walk_select(_LEDGER_SELECT)
        clauses.append(condition)
        args.append(self.dialect.match_query(text))
        if after is not None:
            clauses.append(f"({', '.join(_DATE_ORDER)}) > (?, ?, ?, ?)")
            args += list(decode_cursor(after))
        sql = f"{select} WHERE {' AND '.join(clauses)} ORDER BY {', '.join(_DATE_ORDER)} LIMIT ? OFFSET ?"
        rows = self.conn.execute(sql, [*args, max(0, int(limit)), max(0, int(offset))])
        return [self._ledger_row(r) for r in rows]

    def _speaker_page(
        self, *, speaker: str, limit: int, offset: int, after: str | None, **filters: str | None
    ) -> list[LedgerRow]:
        """A speaker filter's page: the names it resolves to, each read in date order from its index, merged.

        SQLite would read every quotation of every name and sort them before
        the limit (a name's index is in date order, several together are not).
        """
        if self.conn.execute("SELECT 1 FROM speakers LIMIT 1").fetchone() is None:
            return self.quotations(limit=limit, offset=offset, after=after, speaker=speaker, **filters)
        rest, rest_args = self._where(**filters)
        rows = self.speaker_quotations(
            self.speaker_names(speaker), limit=limit + offset, after=after, where=rest, args=rest_args
        )
        return rows[offset:]

    def explain_sql(self, sql: str, args: Sequence[object] = ()) -> list[str]:
        """The database's plan for any read query (what tests check the pages' queries with)."""
        return self.dialect.explain(self.conn, sql, args)


SQLiteStore = SQLStore  # the name of this class before it served PostgreSQL too
