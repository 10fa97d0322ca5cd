"""Normalise publication dates from metadata to ISO strings at their true granularity.

Every reader's date (text header, JSON field, sidecar cell, HTML metadata)
goes through ``parse_published``, which checks the result with the one date
validator, ``dates.calendar.valid_iso``: ``2024-13``, ``31.02.2024`` and
``2024-02-31`` are refused with the reason, never stored (issue 13).  The
readers keep the article, drop the bad date and report it as a problem.
"""

from __future__ import annotations

import math
import re
from email.utils import parsedate

from ..dates.calendar import valid_iso
from ..messages import Message

_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?\s*$")
_GERMAN = re.compile(r"^\s*(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})")
_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[./](\d{4})\s*$")

#: Publication years outside this range are placeholders ("0001-01-01") or typos, not dates.
PLAUSIBLE_YEARS = (1000, 2100)
#: Longer values are not dates; they are cut in messages.
_SHOWN = 40


class InvalidDate(ValueError):
    """A metadata value meant as a date that is not one; ``reason`` says why."""

    def __init__(self, value: object, reason: Message) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"{shown(value)}: {reason}")


def shown(value: object) -> str:
    """A value as it may appear in a message: quoted, and cut when long."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def date_problem(what: Message, value: object, reason: Message) -> Message:
    """The reason a reader reports when it keeps an article but drops its date."""
    return Message(
        "{what} {value} is not a valid date ({reason}); the article is kept without it",
        what=what,
        value=shown(value),
        reason=reason,
    )


def _as_text(value: object) -> str:
    """A JSON scalar as text; numbers are fine (``2024``), other kinds are not dates."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidDate(value, Message("a {kind}, not a date", kind=type(value).__name__))
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise InvalidDate(value, Message("a number, not a date"))
    return str(int(value))


def _parts(text: str) -> tuple[str, str | None, str | None]:
    if len(text) > 100:
        raise InvalidDate(text, Message("too long to be a date"))
    if m := _ISO.match(text):
        return m.group(1), m.group(2), m.group(3)
    if m := _GERMAN.match(text):
        return m.group(3), m.group(2), m.group(1)
    if m := _MONTH_YEAR.match(text):
        return m.group(2), m.group(1), None
    if rfc := parsedate(text):  # RSS pubDate: "Wed, 22 May 2024 10:00:00 +0200"
        return f"{rfc[0]:04d}", str(rfc[1]), str(rfc[2])
    raise InvalidDate(text, Message("not a date; expected 2024-05-22, 22.05.2024, 05/2024 or 2024"))


def parse_published(value: object) -> str | None:
    """``2024-05-22T10:00Z`` → ``2024-05-22``; ``22.05.2024`` → ``2024-05-22``; ``2024-05`` stays.

    ``None`` for an empty value (an undated article stays undated).  Raises
    ``InvalidDate`` for anything else that is not a real date between
    ``PLAUSIBLE_YEARS``, rather than guessing.
    """
    if value is None:
        return None
    text = _as_text(value).strip()
    if not text:
        return None
    year, month, day = _parts(text)
    low, high = PLAUSIBLE_YEARS
    if not low <= int(year) <= high:
        raise InvalidDate(value, Message("year {year} is outside {low}-{high}", year=year, low=low, high=high))
    if not month:
        return year
    if not 1 <= int(month) <= 12:
        raise InvalidDate(value, Message("there is no month {month}", month=int(month)))
    result = f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
    if not valid_iso(result):
        raise InvalidDate(value, Message("there is no day {day}", day=result))
    return result


def normalise_published(value: object) -> str | None:
    """``parse_published`` for callers that drop a bad date silently: ``None`` instead of an error."""
    try:
        return parse_published(value)
    except InvalidDate:
        return None
