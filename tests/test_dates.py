"""Time expressions: finding, resolving against the publication date, honest granularity, quotation dates."""

from __future__ import annotations

import pytest
from tests.conftest import make_doc

from quotetrail.dates import calendar_date, date_quotations, find_dates
from quotetrail.model import Quotation, Span


def values(text: str, published: str | None) -> dict[str, tuple[str, str | None]]:
    return {m.text: (m.type, m.value) for m in find_dates(make_doc(text, published))}


@pytest.mark.parametrize(
    ("text", "expression", "expected"),
    [
        ("Er kam am 3. Juni 2024 an.", "3. Juni 2024", ("DATE", "2024-06-03")),
        ("Er kam am 3.6.2024 an.", "3.6.2024", ("DATE", "2024-06-03")),
        ("Gestern sagte er nichts.", "Gestern", ("DATE", "2024-05-21")),
        ("Vorgestern sagte er nichts.", "Vorgestern", ("DATE", "2024-05-20")),
        ("Er sagte am Montag, es gehe weiter.", "Montag", ("DATE", "2024-05-20")),
        ("Letzte Woche sagte er nichts.", "Letzte Woche", ("DATE", "2024-W20")),
        ("Im vergangenen Monat sank der Preis.", "vergangenen Monat", ("DATE", "2024-04")),
        ("Nächstes Jahr wird gewählt.", "Nächstes Jahr", ("DATE", "2025")),
        ("Anfang dieses Monats sagte er es.", "Anfang dieses Monats", ("DATE", "2024-05")),
        ("Ende 2023 sagte er es.", "Ende 2023", ("DATE", "2023")),
        ("Die Sitzung beginnt um 20.30 Uhr.", "20.30 Uhr", ("TIME", "2024-05-22T20:30")),
        ("Seit drei Jahren herrscht Krieg.", "drei Jahren", ("DURATION", "P3Y")),
        ("Jeden Montag trifft sich die Gruppe.", "Jeden Montag", ("SET", "XXXX-WXX-1")),
        ("Derzeit gibt es keine Pläne.", "Derzeit", ("DATE", "PRESENT_REF")),
        ("Damals war alles anders.", "Damals", ("DATE", "PAST_REF")),
        ("In der Nacht zum Donnerstag gab es Angriffe.", "Nacht zum Donnerstag", ("TIME", "2024-05-15TNI")),
        ("An diesem Freitagnachmittag kommen sie zusammen.", "Freitagnachmittag", ("TIME", "2024-05-24TAF")),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 25 else None,
)
def test_expressions_against_a_day_creation_time(text: str, expression: str, expected: tuple[str, str]) -> None:
    # 2024-05-22 is a Wednesday
    assert values(text, "2024-05-22")[expression] == expected


def test_month_in_the_future_tense_is_the_coming_one() -> None:
    assert values("Der Gipfel im Juli wird in Vilnius stattfinden.", "2023-06")["Juli"] == ("DATE", "2023-07")


def test_month_in_the_past_tense_is_the_last_one() -> None:
    assert values("Im Februar sagte Macron, man könne nichts ausschließen.", "2024-05")["Februar"] == (
        "DATE",
        "2024-02",
    )


def test_weekday_against_a_month_only_date_stays_at_month() -> None:
    assert values("Stoltenberg sagte am Mittwoch, es gebe keine Pläne.", "2024-05")["Mittwoch"] == ("DATE", "2024-05")


def test_clock_time_against_a_month_only_date_stays_at_month() -> None:
    # was "2024-05T20:30", which is no ISO value (issue 13)
    assert values("Die Sitzung beginnt um 20.30 Uhr.", "2024-05")["20.30 Uhr"] == ("TIME", "2024-05")


def test_relative_expression_without_creation_time_is_unresolved() -> None:
    assert values("Stoltenberg sagte am Mittwoch, es gebe keine Pläne.", None)["Mittwoch"] == ("DATE", None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-22T20:30", "2024-05-22"),
        ("2024-W20", "2024-05"),
        ("2024-W22", "2024"),
        ("2024-SU", "2024"),
        ("PAST_REF", None),
        ("P3Y", None),
    ],
)
def test_calendar_dates_never_finer_than_the_evidence(value: str, expected: str | None) -> None:
    assert calendar_date(value) == expected


def _quotation(doc_text: str, quote: str, cue: str) -> Quotation:
    a = doc_text.index(quote)
    c = doc_text.index(cue)
    return Quotation("t", "Direct", (Span(a, a + len(quote)),), cue=(Span(c, c + len(cue)),))


def test_said_on_from_the_expression_governing_the_cue_not_inside_the_quote() -> None:
    text = "„Als ich letzte Woche die Ukraine besuchte, war die Lage ernst“, sagte Stoltenberg am Mittwoch."
    doc = make_doc(text, "2024-05-22")
    q = _quotation(text, "„Als ich letzte Woche die Ukraine besuchte, war die Lage ernst“", "sagte")
    [dated] = date_quotations(doc, [q], find_dates(doc))
    assert (dated.said_on, dated.said_on_text) == ("2024-05-22", "Mittwoch")


def test_said_on_falls_back_to_publication_date_then_none() -> None:
    text = "„Wir haben keine Pläne“, sagte Stoltenberg."
    q = _quotation(text, "„Wir haben keine Pläne“", "sagte")
    doc = make_doc(text, "2024-06")
    assert date_quotations(doc, [q], find_dates(doc))[0].said_on == "2024-06"
    undated = make_doc(text, None)
    assert date_quotations(undated, [q], find_dates(undated))[0].said_on is None


def test_vor_zwei_wochen_dates_a_statement() -> None:
    text = "Vor zwei Wochen sagte Stoltenberg: „Wir haben keine Pläne.“"
    doc = make_doc(text, "2024-05-22")
    q = _quotation(text, "„Wir haben keine Pläne.“", "sagte")
    [dated] = date_quotations(doc, [q], find_dates(doc))
    assert dated.said_on == "2024-05" and dated.said_on_text == "zwei Wochen"
