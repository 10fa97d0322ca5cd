"""Calendar arithmetic on partial ISO dates (year, month or day granularity), and the one date check.

Every date that enters quotetrail (a text header, a JSON field, a sidecar
cell, a file name, a publication date given to the tagger) and every value the
tagger emits passes ``parse_iso``/``valid_iso``: years 1 to 9999 (what
``datetime.date`` can hold), real months and real days.  Arithmetic that would
leave that range returns ``None`` instead of raising, so a relative expression
such as "vor 1000000 Tagen" simply gets no value (issue 13).
"""

from __future__ import annotations

import datetime as dt
import re

MIN_YEAR = dt.MINYEAR  # 1
MAX_YEAR = dt.MAXYEAR  # 9999

_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_TIME_OF_DAY = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d|MO|MI|AF|EV|NI|DT")
_WEEK = re.compile(r"(\d{4})-W(\d{2})(?:-WE)?")
_SEASON = re.compile(r"(\d{4})-(?:SP|SU|FA|WI)")
_DECADE = re.compile(r"\d{3}")


def parse_iso(value: object) -> tuple[int, int | None, int | None] | None:
    """``"2024-05"`` → ``(2024, 5, None)`` for a real date at year, month or day granularity; else ``None``.

    Exactly ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: ``2024-13``,
    ``2024-02-31``, ``0000`` and ``2024-5-3`` are all ``None``.  This is the
    single validator every entry point uses, so nothing invalid is stored and
    no stored date can later break a page or a query.
    """
    if not isinstance(value, str):
        return None
    m = _ISO.fullmatch(value)
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not valid_day(year, month or 0, day):
        return None
    return year, month, day


def valid_iso(value: object) -> bool:
    """Whether ``value`` is a real ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date (years 1..9999)."""
    return parse_iso(value) is not None


def iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """The ISO string of a year, month or day; ``None`` when that is no real date in years 1..9999."""
    if not MIN_YEAR <= year <= MAX_YEAR or (month is not None and not 1 <= month <= 12):
        return None
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}" if valid_day(year, month, day) else None


def add_days(day: dt.date, n: int) -> dt.date | None:
    """``day`` moved by ``n`` days, or ``None`` when that leaves years 1..9999."""
    try:
        return day + dt.timedelta(days=n)
    except OverflowError:
        return None


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    """Year and month ``n`` months on; may leave years 1..9999, which ``iso`` then refuses."""
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def week_value(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def valid_day(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except (ValueError, OverflowError):
        return False
    return True


def valid_timex_value(value: str) -> bool:
    """Whether a TimeML value anchored in the calendar names a real date in years 1..9999.

    Checks the shapes the tagger builds from dates: days, months, years
    (``valid_iso``), times (``2024-05-22T20:30``, ``…TNI``), ISO weeks
    (``2024-W21``, ``…-WE``), seasons (``2024-SU``) and decades (``202``).
    Values not tied to a calendar date (durations ``P3Y``, sets ``XXXX-WXX-1``,
    ``PAST_REF``) are not this function's business and pass.
    """
    if not value[:1].isdigit():
        return True
    if "T" in value:
        day, _, clock = value.partition("T")
        parts = parse_iso(day)
        return parts is not None and parts[2] is not None and _TIME_OF_DAY.fullmatch(clock) is not None
    if m := _WEEK.fullmatch(value):
        try:
            dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            return False
        return True
    if m := _SEASON.fullmatch(value):
        return MIN_YEAR <= int(m.group(1)) <= MAX_YEAR
    if _DECADE.fullmatch(value):
        return True  # decades 000..999 cover years 1..9999
    return valid_iso(value)
