"""Calendar arithmetic on partial ISO dates (year, month or day granularity)."""

from __future__ import annotations

import datetime as dt


def parse_iso(value: str | None) -> tuple[int, int | None, int | None] | None:
    """``"2024-05"`` → ``(2024, 5, None)``; ``None`` for anything else."""
    if not value:
        return None
    parts = value.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else None
        day = int(parts[2][:2]) if len(parts) > 2 else None
    except ValueError:
        return None
    return year, month, day


def iso(year: int, month: int | None = None, day: int | None = None) -> str:
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def add_days(day: dt.date, n: int) -> dt.date:
    return day + dt.timedelta(days=n)


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def week_value(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def valid_day(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True
