"""Normalise publication dates from metadata to ISO strings at their true granularity."""

from __future__ import annotations

import re

_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?\s*$")
_GERMAN = re.compile(r"^\s*(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})")
_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[./](\d{4})\s*$")


def normalise_published(value: object) -> str | None:
    """``2024-05-22T10:00Z`` → ``2024-05-22``; ``22.05.2024`` → ``2024-05-22``; ``2024-05`` stays.

    Returns ``None`` for anything that is not a plausible date, rather than
    guessing: an undated article stays undated.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    parts: tuple[str | None, ...]
    if m := _ISO.match(text):
        parts = m.groups()
    elif m := _GERMAN.match(text):
        parts = (m.group(3), m.group(2), m.group(1))
    elif m := _MONTH_YEAR.match(text):
        parts = (m.group(2), m.group(1), None)
    else:
        return None
    year, month, day = parts
    if not year or not 1000 <= int(year) <= 2100 or year == "0001":
        return None
    if not month:
        return year
    if not 1 <= int(month) <= 12:
        return None
    if not day:
        return f"{year}-{int(month):02d}"
    if not 1 <= int(day) <= 31:
        return None
    return f"{year}-{int(month):02d}-{int(day):02d}"
