"""The quotation filters and their checks, written once for every caller: store, Python API, CLI, REST API, pages.

A filter value comes from a URL, a form, a command line or a notebook; each
of them reaches the store through ``QuotationFilters.checked``, so a bad date
or type gets the same message everywhere (``QueryError``, English for the CLI
and the API, German on the pages) and no layer repeats a check.  FastAPI's
declarations of the same parameters (the schema) live in ``web/filters.py``
and mirror these checks; they do not replace them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from typing import Any

from .dates.calendar import valid_iso
from .messages import LocalisedError
from .model import QUOTATION_TYPES


class QueryError(LocalisedError):
    """A filter or paging value given by the user is not valid; the message says what is expected.

    A subclass of ``ValueError`` so callers catching that keep working, but
    distinct from the ``ValueError`` of a bug deeper down, which must not be
    reported to a user as their mistake.  The web pages show its German text
    (``messages``), the API and the CLI its English one.
    """


_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"  # 0001-9999: Python's date range
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_MONTH_DAY = (
    "(?:0[1-9]|1[0-2])"  # month only
    "|(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8])"
)
#: A real date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (``[0-9]``, not ``\\d``: no Arabic-Indic digits).
#: The API schema declares it, so that a value it admits is one ``check_date`` accepts.
DATE_PATTERN = f"^(?:{_YEAR}(?:-(?:{_MONTH_DAY}))?|{_LEAP_YEAR}-02-29)$"
_DATE_RE = re.compile(DATE_PATTERN)


def check_date(value: str | None, name: str) -> str | None:
    """``value`` if it is a real date in one of the three forms, ``None`` if empty; QueryError otherwise.

    The calendar check is the store's own (``dates.calendar.valid_iso``), the
    one every date passes on its way in, so a filter accepts exactly the dates
    that can be stored; ``DATE_PATTERN`` only mirrors it for the schema.
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


def check_confidence(value: str | float | None) -> float | None:
    """A confidence threshold between 0 and 1 (a number or its text, ``0,9`` too), ``None`` if empty; QueryError otherwise."""
    if value is None or value == "":
        return None
    try:
        number = float(value.replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not 0.0 <= number <= 1.0:  # NaN fails this too
        raise QueryError("min_quote_confidence must be a number from 0 to 1, not {value!r}", value=value)
    return number


def has_words(text: str) -> bool:
    """Whether a search text has a word to look for (``"!!!"`` has none and can match nothing)."""
    from .store.search import fts_query  # the store imports this module

    try:
        fts_query(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class QuotationFilters:
    """The quotation filters of one request, checked; each ``None`` when not given.

    ``min_quote_confidence`` keeps the quotations the tagger is at least that
    sure of (``Quotation.quote_confidence``) and those a person corrected or
    added: a person's word settles that they are quotations.  Rows stored
    before the tagger measured it (schema revision 0014) have no confidence
    and are left out by it until ``quotetrail reextract`` reads them again.
    """

    speaker: str | None = None
    text: str | None = None
    since: str | None = None
    until: str | None = None
    type: str | None = None
    outlet: str | None = None
    claim: str | None = None
    article: str | None = None
    min_quote_confidence: float | None = None

    @classmethod
    def checked(cls, **values: Any) -> QuotationFilters:
        """Filters from raw values: blanks dropped, dates, type and threshold checked (QueryError names the bad one).

        An unknown name is a TypeError, as for any function: a misspelt filter must not match everything.
        """
        clean = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in values.items()}
        clean["since"] = check_date(clean.get("since"), "since")
        clean["until"] = check_date(clean.get("until"), "until")
        clean["type"] = check_type(clean.get("type"))
        clean["min_quote_confidence"] = check_confidence(clean.get("min_quote_confidence"))
        return cls(**clean)

    @property
    def searchable(self) -> bool:
        """False when a text filter has no word, so that nothing can match (and FTS is never asked)."""
        return self.text is None or has_words(self.text)

    def given(self) -> dict[str, Any]:
        """The filters that are set, as keyword arguments: what a link or a narrower call passes on."""
        return {name: value for name, value in self.as_kwargs().items() if value is not None}

    def as_kwargs(self) -> dict[str, Any]:
        """The filters as keyword arguments of ``query.quotations`` and ``query.count_quotations``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}
