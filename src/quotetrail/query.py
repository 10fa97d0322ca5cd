"""The Python API over a quotetrail database, for notebooks, the CLI and the web.

Every function takes a ``Store`` (``open_store("quotetrail.db")``) and returns
the domain dataclasses of ``quotetrail.model``; ``to_dataframe`` turns any list
of them into a pandas (or polars) DataFrame when one is installed::

    >>> from quotetrail import query
    >>> store = query.open("quotetrail.db")
    >>> rows = query.timeline(store, "Truppen Ukraine", speaker="Stoltenberg")
    >>> query.to_dataframe(rows)[["said_on", "speaker", "text"]]

Bad filter values raise ``QueryError`` (a ``ValueError``) with a message meant
for the user; the web layer answers those, and only those, with a 400.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .model import Article, Claim, LedgerRow, Quotation, Speaker
from .store import Store, open_store


class QueryError(ValueError):
    """A filter or paging value given by the user is not valid; the message says what is expected.

    A subclass of ``ValueError`` so callers catching that keep working, but
    distinct from the ``ValueError`` of a bug deeper down, which must not be
    reported to a user as their mistake.
    """


def open(path: str | Path = "quotetrail.db") -> Store:
    """Open the database at ``path`` (created if missing)."""
    return open_store(path)


def quotations(
    store: Store,
    *,
    speaker: str | None = None,
    text: str | None = None,
    since: str | None = None,
    until: str | None = None,
    type: str | None = None,
    outlet: str | None = None,
    claim: str | None = None,
    article: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[LedgerRow]:
    """Quotations matching all given filters, oldest first (undated last).

    ``since``/``until`` take ``2024``, ``2024-05`` or ``2024-05-22`` and keep
    every statement whose date *overlaps* the range: a statement dated only
    ``2024-05`` is kept for ``since="2024-05-10"``.  ``text`` is a full-text
    search with German stemming; ``speaker`` and ``outlet`` match substrings
    (``outlet`` also matches the agency).
    """
    return store.quotations(
        speaker=speaker,
        text=text,
        since=since,
        until=until,
        type=type,
        outlet=outlet,
        claim=claim,
        article=article,
        limit=_check_limit(limit),
        offset=_check_offset(offset),
    )


def iter_quotations(store: Store, **filters: Any) -> Iterator[LedgerRow]:
    """Every quotation matching ``filters`` (same names as ``quotations``), streamed in date order, no cap.

    What ``export`` writes: memory stays flat however large the ledger.
    """
    return store.iter_ledger(**filters)


def count_quotations(store: Store, **filters: Any) -> int:
    """How many quotations match ``filters`` (same names as ``quotations``)."""
    return store.count_quotations(**filters)


def timeline(
    store: Store,
    query: str,
    *,
    since: str | None = None,
    until: str | None = None,
    speaker: str | None = None,
    limit: int = 500,
) -> list[LedgerRow]:
    """Statements matching ``query`` (words in the quotation or the speaker's name) in date order.

    A quotation nested inside another one of the same article (a phrase quoted
    verbatim within reported speech) is left out: the outer statement already
    shows it, and a timeline should list each statement once.
    """
    rows = store.quotations(text=query, since=since, until=until, speaker=speaker, limit=_check_limit(limit))
    return drop_nested(rows)


def drop_nested(rows: list[LedgerRow]) -> list[LedgerRow]:
    """Rows without those lying inside another row of the same article."""
    by_article: dict[str, list[LedgerRow]] = {}
    for row in rows:
        by_article.setdefault(row.article_id, []).append(row)

    def nested(row: LedgerRow) -> bool:
        return any(
            other is not row
            and other.start <= row.start
            and row.end <= other.end
            and (other.end - other.start) > (row.end - row.start)
            for other in by_article[row.article_id]
        )

    return [row for row in rows if not nested(row)]


def speakers(store: Store, *, query: str | None = None) -> list[Speaker]:
    """Speakers, most quoted first; ``query`` matches a name or name variant."""
    return store.speakers(query=query)


def speaker(store: Store, name_or_id: str) -> Speaker | None:
    """One speaker by id, canonical name or name variant."""
    return store.speaker(name_or_id)


def speaker_statements(store: Store, name_or_id: str, *, limit: int = 1000) -> list[LedgerRow]:
    """All quotations attributed to a speaker, in date order."""
    found = store.speaker(name_or_id)
    name = found.name if found else name_or_id
    return [r for r in store.quotations(speaker=name, limit=_check_limit(limit)) if r.speaker == name]


def articles(store: Store, *, outlet: str | None = None, limit: int = 100, offset: int = 0) -> list[Article]:
    """Stored articles, newest first."""
    return store.articles(outlet=outlet, limit=_check_limit(limit), offset=_check_offset(offset))


def article(store: Store, article_id: str) -> tuple[Article, list[Quotation]] | None:
    """One article with its quotations (spans point into ``Article.text``)."""
    found = store.article(article_id)
    if found is None:
        return None
    return found, store.article_quotations(article_id)


def claims(store: Store, query: str | None = None) -> list[Claim]:
    """Claims, most reported first; ``query`` matches the canonical text or a speaker."""
    return store.claims(query=query)


def claim(store: Store, claim_id: str) -> Claim | None:
    """One claim by id."""
    return store.claim(claim_id)


def to_dataframe(rows: Sequence[object]) -> Any:
    """A pandas DataFrame of dataclass rows (polars if pandas is missing)."""
    records = [dataclasses.asdict(r) if dataclasses.is_dataclass(r) else dict(r) for r in rows]  # type: ignore[arg-type]
    try:
        import pandas

        return pandas.DataFrame.from_records(records)
    except ImportError:
        pass
    try:
        import polars

        return polars.DataFrame(records)
    except ImportError:
        raise ImportError("to_dataframe needs pandas or polars: pip install pandas") from None


def _check_limit(limit: int) -> int:
    if not isinstance(limit, int) or limit < 0 or limit > 100_000:
        raise QueryError(f"limit must be a whole number between 0 and 100000, not {limit!r}")
    return limit


def _check_offset(offset: int) -> int:
    if not isinstance(offset, int) or offset < 0:
        raise QueryError(f"offset must be a whole number ≥ 0, not {offset!r}")
    return offset
