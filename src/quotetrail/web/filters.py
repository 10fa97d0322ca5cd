"""Query parameters shared by the API and the pages, validated once.

The OpenAPI schema is a promise: a value it allows must be answered, one it
forbids must get a 400.  So the date filters carry a pattern that admits
exactly the real calendar dates of the form ``2024``, ``2024-05`` or
``2024-05-22`` (years 0001-9999, leap days included), and the calendar
check behind it (``check_date``) gives the clear message for anything that
slips past, e.g. when a page or a Python caller skips the schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated, Any, Literal

from fastapi import Depends, Query

from ..dates.calendar import valid_iso
from ..model import QUOTATION_TYPES
from ..query import CURSOR_PATTERN, QueryError
from ..store.search import fts_query

_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"  # 0001-9999: Python's date range
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_MONTH_DAY = (
    "(?:0[1-9]|1[0-2])"  # month only
    "|(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8])"
)
#: A real date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (``[0-9]``, not ``\\d``: no Arabic-Indic digits).
DATE_PATTERN = f"^(?:{_YEAR}(?:-(?:{_MONTH_DAY}))?|{_LEAP_YEAR}-02-29)$"
_DATE_RE = re.compile(DATE_PATTERN)
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


def check_date(value: str | None, name: str) -> str | None:
    """``value`` if it is a real date in one of the three forms, ``None`` if empty; QueryError otherwise.

    The calendar check is the store's own (``dates.calendar.valid_iso``), the
    one every date passes on its way in; the pattern above only mirrors it
    for the schema.
    """
    if not value:
        return None
    if _DATE_RE.match(value) and valid_iso(value):
        return value
    # a template for each filter, so that the German names it as the search form does ("seit", "bis")
    if name == "since":
        raise QueryError("since must be a real date like 2024, 2024-05 or 2024-05-22, not {value!r}", value=value)
    if name == "until":
        raise QueryError("until must be a real date like 2024, 2024-05 or 2024-05-22, not {value!r}", value=value)
    raise QueryError(
        "{name} must be a real date like 2024, 2024-05 or 2024-05-22, not {value!r}", name=name, value=value
    )


def check_type(value: str | None) -> str | None:
    """``value`` if it is a quotation type, ``None`` if empty; QueryError otherwise."""
    if not value:
        return None
    if value not in QUOTATION_TYPES:
        raise QueryError("type must be one of {types}, not {value!r}", types=", ".join(QUOTATION_TYPES), value=value)
    return value


def has_words(text: str) -> bool:
    """Whether a search text has a word to look for (``"!!!"`` has none and can match nothing)."""
    try:
        fts_query(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class QuotationFilters:
    """The quotation filters of one request, checked; ``searchable`` is False when ``text`` has no word."""

    speaker: str | None = None
    text: str | None = None
    since: str | None = None
    until: str | None = None
    type: str | None = None
    outlet: str | None = None
    claim: str | None = None

    @classmethod
    def checked(cls, **values: str | None) -> QuotationFilters:
        """Filters from raw values: blanks dropped, dates and type checked (QueryError names the bad one)."""
        clean = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in values.items()}
        clean["since"] = check_date(clean.get("since"), "since")
        clean["until"] = check_date(clean.get("until"), "until")
        clean["type"] = check_type(clean.get("type"))
        return cls(**clean)

    @property
    def searchable(self) -> bool:
        """False when a text filter has no word, so that nothing can match (and FTS is never asked)."""
        return self.text is None or has_words(self.text)

    def as_kwargs(self) -> dict[str, Any]:
        """The filters as keyword arguments of ``query.quotations`` and ``query.count_quotations``."""
        return {name: getattr(self, name) for name in self.__slots__}


def api_quotation_filters(
    speaker: Annotated[str | None, Query(description="Part of the speaker's name, or a speaker id.")] = None,
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
    since: Since = None,
    until: Until = None,
    type: Annotated[QuotationType | None, Query(description="Quotation type.")] = None,
    outlet: Annotated[str | None, Query(description="Part of the outlet's or agency's name.")] = None,
    claim: Annotated[str | None, Query(description="A claim id.")] = None,
) -> QuotationFilters:
    """The API's quotation filters; the schema has already checked their form.

    ``q`` and ``text`` are one full-text filter (every word must match), so
    ``?q=`` searches as the search page does instead of being ignored.
    """
    words = " ".join(w for w in (text, q) if w and w.strip()) or None
    return QuotationFilters.checked(
        speaker=speaker, text=words, since=since, until=until, type=type, outlet=outlet, claim=claim
    )


ApiFilters = Annotated[QuotationFilters, Depends(api_quotation_filters)]


def page_quotation_filters(
    q: str | None = None,
    speaker: str | None = None,
    type: str | None = None,
    outlet: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> QuotationFilters:
    """The search page's filters: a form sends empty fields, so blanks mean "no filter" here."""
    return QuotationFilters.checked(text=q, speaker=speaker, type=type, outlet=outlet, since=since, until=until)


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
