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
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import quote, unquote

from .filters import QueryError
from .model import Article, Claim, LedgerRow, Quotation, Speaker
from .store import Store, open_store
from .store.sqlite import encode_cursor

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a longer list: what a page or an API answer shows, and how to get the next one.

    ``next`` is where the next page starts: a keyset cursor (``str``, pass it
    as ``after``) for quotation lists, which users scroll deep into, or an
    offset (``int``) for the short-lived lists of speakers and claims; None on
    the last page.  ``start`` is the position of the first item (0-based) when
    known, ``shown`` how many rows of the list the page covers (a timeline
    drops nested quotations from its items, so ``len(items)`` can be less).
    """

    items: list[T]
    total: int
    next: str | int | None = None
    start: int = 0
    shown: int = 0

    @property
    def end(self) -> int:
        """Position after the last row covered (``start + shown``): "51-100 of 3,400" is ``start + 1``-``end``."""
        return self.start + self.shown


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
    min_quote_confidence: float | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[LedgerRow]:
    """Quotations matching all given filters, oldest first (undated last).

    ``since``/``until`` take ``2024``, ``2024-05`` or ``2024-05-22`` and keep
    every statement whose date *overlaps* the range: a statement dated only
    ``2024-05`` is kept for ``since="2024-05-10"``.  ``text`` is a full-text
    search with German stemming; ``speaker`` and ``outlet`` match substrings
    (``outlet`` also matches the agency).  ``min_quote_confidence`` keeps the
    quotations the tagger is at least that sure of, and those a person
    corrected (``filters.QuotationFilters``).
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
        min_quote_confidence=min_quote_confidence,
        limit=_check_limit(limit),
        offset=_check_offset(offset),
    )


def quotation(store: Store, quotation_id: str) -> LedgerRow | None:
    """One quotation with its article's metadata and ``corrected`` flag, or None (unknown, or hidden as no quotation)."""
    found = store.ledger_rows([quotation_id])
    return found[0] if found else None


def iter_quotations(store: Store, **filters: Any) -> Iterator[LedgerRow]:
    """Every quotation matching ``filters`` (same names as ``quotations``), streamed in date order, no cap.

    What ``export`` writes: memory stays flat however large the ledger.
    """
    return store.iter_ledger(**filters)


def count_quotations(store: Store, **filters: Any) -> int:
    """How many quotations match ``filters`` (same names as ``quotations``)."""
    return store.count_quotations(**filters)


def timeline(store: Store, query: str, *, limit: int = 500, **filters: Any) -> list[LedgerRow]:
    """Statements matching ``query`` (words in the quotation or the speaker's name) in date order.

    ``filters`` narrow it as they narrow ``quotations`` (``since``, ``speaker``,
    ``type``, ``min_quote_confidence``, ...).  A quotation nested inside
    another one of the same article (a phrase quoted verbatim within reported
    speech) is left out: the outer statement already shows it, and a timeline
    should list each statement once.
    """
    return drop_nested(store.quotations(text=query, limit=_check_limit(limit), **filters))


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


def speakers(store: Store, *, query: str | None = None, limit: int | None = None, offset: int = 0) -> list[Speaker]:
    """Speakers, most quoted first; ``query`` matches a name or name variant.

    Without ``limit`` every speaker is read (fine for a notebook over a small
    ledger); pages and the API pass one (``speakers_page``).
    """
    return store.speakers(query=query, limit=limit, offset=offset)


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
    """Every claim with its member ids, most reported first; ``query`` matches the canonical text or a speaker.

    Reads all claims and their members: for a large ledger use ``claims_page``.
    """
    return store.claims(query=query)


def claim(store: Store, claim_id: str) -> Claim | None:
    """One claim by id."""
    return store.claim(claim_id)


# -- bounded pages: what the web pages and the API show (issue 14) ----------------------------
def quotations_page(
    store: Store, *, after: str | None = None, limit: int = 50, offset: int = 0, start: int = 0, **filters: Any
) -> Page[LedgerRow]:
    """One page of ``quotations`` (same filters) with the total and the cursor of the next page.

    Pass the ``next`` of one page as ``after`` to get the following one: the
    page is then read from the date index wherever it lies, so the 20,000th
    page costs what the first does.  ``offset`` still works for short jumps.
    ``start`` is only carried into the page (the position the caller knows it
    is at) for "51-100 of 3,400" lines.
    """
    after = check_cursor(after)
    limit, offset = _check_limit(limit), _check_offset(offset)
    rows = store.ledger_page(limit=limit + 1, offset=offset, after=after, **filters)
    return _keyset_page(rows, limit, store.count_ledger(**filters), start)


def _keyset_page(rows: list[LedgerRow], limit: int, total: int, start: int) -> Page[LedgerRow]:
    """A page from ``limit + 1`` rows read: the extra row only tells that there is a next page."""
    more = len(rows) > limit and limit > 0
    rows = rows[:limit]
    return Page(rows, total, page_cursor(rows[-1]) if more else None, start, len(rows))


#: A page cursor as links and the API carry it: the date-order key of the row before the page,
#: ``said_on`` (``~`` when undated), article id, start, quotation id, each percent-escaped and joined
#: by commas.  Any text of this form is a position in the date order (a page after it), so every
#: cursor the API schema admits is answered; one the store decodes is made from it.
CURSOR_PATTERN = r"^[A-Za-z0-9_.~%-]{0,400},[A-Za-z0-9_.~%-]{0,400},[0-9]{1,15},[A-Za-z0-9_.~%-]{0,400}$"
_CURSOR = re.compile(CURSOR_PATTERN)


def page_cursor(row: LedgerRow) -> str:
    """The cursor of the page after ``row`` (pass it as ``after``)."""
    said, article, start, qid = row.said_on or "~", row.article_id, row.start, row.quotation_id
    return ",".join((quote(said, safe=""), quote(article, safe=""), str(start), quote(qid, safe="")))


def check_cursor(after: str | None) -> str | None:
    """The store's cursor for a page cursor, None if empty; QueryError for anything else."""
    if not after:
        return None
    if not _CURSOR.match(after):
        raise QueryError("after must be the 'next' value of a previous page, not {after!r}", after=after[:60])
    said, article, start, qid = after.split(",")
    blank = dict.fromkeys(("title", "outlet", "agency", "published", "speaker", "speaker_mention", "speaker_role"))
    blank |= dict.fromkeys(("cue", "addressee", "said_on_text", "claim_id"))
    row = LedgerRow(
        **blank,
        article_id=unquote(article),
        source="",
        type="",
        text="",
        said_on=None if said == "~" else unquote(said),
        start=int(start),
        end=0,
        quotation_id=unquote(qid),
    )
    return encode_cursor(row)


def timeline_page(
    store: Store, query: str, *, after: str | None = None, limit: int = 100, start: int = 0, **filters: Any
) -> Page[LedgerRow]:
    """One page of ``timeline`` (same filters): statements in date order, nested ones left out, with total and next.

    ``total`` counts every match (nested quotations too); the cursor is taken
    before nested rows are dropped, so no statement is skipped or repeated.
    """
    page = quotations_page(store, text=query, after=after, limit=limit, start=start, **filters)
    return dataclasses.replace(page, items=drop_nested(page.items))


def speakers_page(store: Store, *, query: str | None = None, limit: int = 50, offset: int = 0) -> Page[Speaker]:
    """One page of ``speakers`` (most quoted first) with the total and the next offset."""
    limit, offset = _check_limit(limit), _check_offset(offset)
    items = speakers(store, query=query, limit=limit, offset=offset)
    return _offset_page(items, store.count_speakers(query=query), offset)


def _offset_page(items: list[T], total: int, offset: int) -> Page[T]:
    following = offset + len(items)
    return Page(items, total, following if items and following < total else None, offset, len(items))


def speaker_statements_page(
    store: Store, speaker: Speaker, *, after: str | None = None, limit: int = 50, start: int = 0
) -> Page[LedgerRow]:
    """One page of a speaker's statements in date order: those attributed to its name or a variant.

    ``total`` is what ``quotation_count`` counts; the page is read name by
    name from the speaker index, so it costs the same for 10 or 100,000 statements.
    """
    after = check_cursor(after)
    limit = _check_limit(limit)
    names = [speaker.name, *speaker.variants]
    rows = store.speaker_quotations(names, limit=limit + 1, after=after)
    return _keyset_page(rows, limit, store.count_speaker_quotations(names), start)


def speaker_claims(store: Store, speaker: Speaker, *, limit: int = 10) -> list[Claim]:
    """The claims a speaker's statements affirm most often (at most ``limit``), without member ids."""
    counts = store.speaker_claim_counts([speaker.name, *speaker.variants], limit=limit)
    return store.claims_by_ids([claim_id for claim_id, _ in counts])


def claims_page(
    store: Store, query: str | None = None, *, min_reports: int = 0, limit: int = 50, offset: int = 0
) -> Page[Claim]:
    """One page of claims, most reported first, with the total and the next offset.

    The claims carry no ``quotation_ids`` (reading them would take a query
    per claim); ``claim_statements_page`` pages through one claim's members.
    """
    limit, offset = _check_limit(limit), _check_offset(offset)
    items = store.claim_summaries(query=query, min_reports=min_reports, limit=limit, offset=offset)
    return _offset_page(items, store.count_claims(query=query, min_reports=min_reports), offset)


def claim_summary(store: Store, claim_id: str) -> Claim | None:
    """One claim without its member ids (``claim`` reads them all)."""
    return store.claim_summary(claim_id)


def claim_statements_page(
    store: Store,
    claim_id: str,
    *,
    stances: Sequence[str] | None = None,
    after: str | None = None,
    limit: int = 50,
    start: int = 0,
) -> Page[tuple[LedgerRow, str, float]]:
    """One page of a claim's members as ``(row, stance, similarity)``, in date order, with total and next cursor.

    A much-repeated claim is a long list: it pages by cursor like the other
    quotation lists (pass ``next`` as ``after``).
    """
    after = check_cursor(after)
    limit = _check_limit(limit)
    items = store.claim_statements(claim_id, stances=stances, limit=limit + 1, after=after)
    page = _keyset_page(
        [row for row, _, _ in items], limit, store.count_claim_statements(claim_id, stances=stances), start
    )
    return dataclasses.replace(page, items=items[:limit])  # type: ignore[arg-type]


def compare_claim_page(
    store: Store, claim: Claim, *, after: str | None = None, limit: int = 50, start: int = 0
) -> Page[Any]:
    """How each outlet reported one page of a claim's statements (``claims.compare.OutletReport``).

    Only the articles of this page are read, so a claim reported 10,000 times
    costs what one reported 50 times does.
    """
    members = claim_statements_page(store, claim.id, after=after, limit=limit, start=start)
    return dataclasses.replace(members, items=compare_statements(store, claim, members.items))  # type: ignore[arg-type]


def compare_statements(store: Store, claim: Claim, members: Sequence[tuple[LedgerRow, str, float]]) -> list[Any]:
    """Outlet reports of the given members of ``claim`` (from ``claim_statements_page``): their articles only."""
    from .claims.compare import compare_rows

    rows = [row for row, _, _ in members]
    stance = {row.quotation_id: s for row, s, _ in members}
    return compare_rows(rows, claim.text, store.article_texts([r.article_id for r in rows]), stance)


def compare_speaker_page(
    store: Store, speaker: Speaker, *, after: str | None = None, limit: int = 50, start: int = 0
) -> Page[Any]:
    """How each outlet reported one page of a speaker's statements, each diffed against its claim's text.

    A statement of a claim is compared with the claim's canonical text (the
    same on every page); one outside any claim stands as its own reference.
    """
    from .claims.compare import compare_rows

    page = speaker_statements_page(store, speaker, after=after, limit=limit, start=start)
    claims = {c.id: c.text for c in store.claims_by_ids([r.claim_id for r in page.items if r.claim_id])}
    articles = store.article_texts([r.article_id for r in page.items])
    reports = [compare_rows([r], claims.get(r.claim_id or "", r.text), articles)[0] for r in page.items]
    return dataclasses.replace(page, items=reports)  # type: ignore[arg-type]


def facet_counts(store: Store, *, rows: int = 2000, top: int = 12, **filters: Any) -> dict[str, list[tuple[str, int]]]:
    """Speaker, type, outlet and year counts over at most ``rows`` matches of ``filters``.

    Bounded on purpose: a search matching 300,000 quotations is summed over
    ``rows`` of them (as the index yields them, not in date order), which a
    page must say when the total is larger.
    """
    values = store.facet_values(limit=rows, **filters)
    return {name: _top(v[i] for v in values)[:top] for i, name in enumerate(("speaker", "type", "outlet", "year"))}


def _top(values: Any) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for v in values:
        if v:
            counts[v] = counts.get(v, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


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
        raise QueryError("limit must be a whole number between 0 and 100000, not {limit!r}", limit=limit)
    return limit


def _check_offset(offset: int) -> int:
    if not isinstance(offset, int) or offset < 0:
        raise QueryError("offset must be a whole number ≥ 0, not {offset!r}", offset=offset)
    return offset
