"""The timeline chart draws every date that can be stored, from 0001 to 9999-12-31 (issue 13)."""

from __future__ import annotations

import pytest

from quotetrail.model import LedgerRow
from quotetrail.web.timeline_svg import period, render_timeline


def row(said_on: str) -> LedgerRow:
    return LedgerRow(
        "a",
        "s.txt",
        None,
        None,
        None,
        None,
        "Direct",
        "Wir",
        "X",
        None,
        None,
        None,
        None,
        said_on,
        None,
        0,
        3,
        None,
        f"q{said_on}",
    )


@pytest.mark.parametrize(
    ("iso", "first", "last"),
    [
        ("9999-12", "9999-12-01", "9999-12-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("0001", "0001-01-01", "0001-12-31"),
    ],
)
def test_a_date_stands_for_its_whole_period_even_at_the_ends_of_the_calendar(iso: str, first: str, last: str) -> None:
    assert tuple(d.isoformat() for d in period(iso)) == (first, last)


def test_the_last_day_of_the_calendar_and_the_first_are_drawn_with_a_bounded_number_of_ticks() -> None:
    svg = render_timeline([row("9999-12-31"), row("9999-12"), row("9999"), row("0001-01-01")])
    assert svg.count("<rect") == 4
    assert 1 <= svg.count('class="tl-year"') <= 31  # not one tick per year of 9,999
