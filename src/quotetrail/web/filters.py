"""The quotation filters as the API and the pages take them: FastAPI's declarations over ``quotetrail.filters``.

The OpenAPI schema is a promise: a value it allows must be answered, one it
forbids must get a 400.  So the date filters carry a pattern that admits
exactly the real calendar dates of the form ``2024``, ``2024-05`` or
``2024-05-22`` (years 0001-9999, leap days included), and the checks behind
it (``filters.QuotationFilters.checked``, the ones every caller passes) give
the clear message for anything that slips past, e.g. a page's form field.
"""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated, Literal

from fastapi import Depends, Query

from ..filters import DATE_PATTERN, QuotationFilters
from ..model import QUOTATION_TYPES
from ..query import CURSOR_PATTERN

DATE_HELP = "A date: 2024, 2024-05 or 2024-05-22 (a real calendar date)."

#: Bounds declared in the schema: past them a query is a mistake or a probe, not a wish.  Numbered
#: pages (``page``) read their offset row by row, so they stop at MAX_PAGE; deeper, the "next" links
#: carry a keyset cursor (``after``) that costs the same on any page.
MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000
MAX_PAGE = 1000

Limit = Annotated[int, Query(ge=0, le=MAX_LIMIT, description="Rows per page (0 gives only the total).")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
After = Annotated[
    str | None,
    Query(
        pattern=CURSOR_PATTERN,
        description="Where the page starts: the `next` value of the previous page, a cursor naming the "
        "row before it (`said_on,article_id,start,quotation_id`). Costs the same on any page, unlike a large `offset`.",
    ),
]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number (1 is the first).")]
Since = Annotated[
    str | None, Query(pattern=DATE_PATTERN, description=f"Statements said on or after this date. {DATE_HELP}")
]
Until = Annotated[
    str | None, Query(pattern=DATE_PATTERN, description=f"Statements said on or before this date. {DATE_HELP}")
]
QuotationType = Literal[QUOTATION_TYPES]  # type: ignore[valid-type]
MinQuoteConfidence = Annotated[
    float | None,
    Query(
        ge=0,
        le=1,
        description="Only quotations the tagger is at least this sure are quotations (`quote_confidence`, 0-1; "
        "0.9 leaves out those the pages mark as uncertain), and those a person corrected or added.",
    ),
]


def api_narrowing_filters(
    speaker: Annotated[str | None, Query(description="Part of the speaker's name, or a speaker id.")] = None,
    since: Since = None,
    until: Until = None,
    type: Annotated[QuotationType | None, Query(description="Quotation type.")] = None,
    outlet: Annotated[str | None, Query(description="Part of the outlet's or agency's name.")] = None,
    min_quote_confidence: MinQuoteConfidence = None,
) -> QuotationFilters:
    """The filters that narrow any list of statements: the timeline's, and the quotation list's besides its words.

    Declared once, so that ``/api/timeline`` and ``/api/quotations`` take them alike.
    """
    return QuotationFilters.checked(
        speaker=speaker, since=since, until=until, type=type, outlet=outlet, min_quote_confidence=min_quote_confidence
    )


NarrowingFilters = Annotated[QuotationFilters, Depends(api_narrowing_filters)]


def api_quotation_filters(
    narrowing: NarrowingFilters,
    text: Annotated[
        str | None, Query(description="Words in the quotation (German lemmas match; without any word, nothing does).")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            description="Full-text search, as on the search page: words in the quotation or the speaker's name "
            "(German lemmas match). With `text` too, both must match."
        ),
    ] = None,
    claim: Annotated[str | None, Query(description="A claim id.")] = None,
) -> QuotationFilters:
    """The API's quotation filters: the narrowing ones, words and a claim; the schema has already checked their form.

    ``q`` and ``text`` are one full-text filter (every word must match), so
    ``?q=`` searches as the search page does instead of being ignored.
    """
    words = " ".join(w for w in (text, q) if w and w.strip()) or None
    return QuotationFilters.checked(**(narrowing.as_kwargs() | {"text": words, "claim": claim}))


ApiFilters = Annotated[QuotationFilters, Depends(api_quotation_filters)]


def page_quotation_filters(
    q: str | None = None,
    speaker: str | None = None,
    type: str | None = None,
    outlet: str | None = None,
    since: str | None = None,
    until: str | None = None,
    min_quote_confidence: str | None = None,
) -> QuotationFilters:
    """The search and timeline pages' filters: a form sends empty fields, so blanks mean "no filter" here."""
    return QuotationFilters.checked(
        text=q,
        speaker=speaker,
        type=type,
        outlet=outlet,
        since=since,
        until=until,
        min_quote_confidence=min_quote_confidence,
    )


PageFilters = Annotated[QuotationFilters, Depends(page_quotation_filters)]


def public_source(source: str | None) -> str | None:
    """Where an article came from, as shown to users: never an absolute server path.

    Sources are recorded as given to ``ingest``, so older databases hold
    ``/home/alice/news/x.txt``; showing that would tell every visitor the
    server's layout.  Absolute paths, and relative ones climbing out with
    ``..``, are cut to their last folder and file name; the ``#line`` suffix
    of a JSONL record is kept.  URLs and plain relative paths stay as they are.
    """
    if not source:
        return source
    path, hash_, fragment = source.partition("#")
    if "://" in path:
        return source
    posix, windows = PurePosixPath(path), PureWindowsPath(path)
    climbs = ".." in posix.parts or ".." in windows.parts
    if not (posix.is_absolute() or windows.is_absolute() or windows.drive or path.startswith("~") or climbs):
        return source
    parts = [p for p in windows.parts if p not in ("..", ".", "~") and p != windows.anchor]
    return "/".join(parts[-2:]) + hash_ + fragment
