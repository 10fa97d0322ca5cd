"""Domain values: granularity is carried by the date string; quotation ids are stable."""

from __future__ import annotations

import pytest

from quotetrail.model import EXPORT_FIELDS, LedgerRow, Quotation, Span, granularity_of


@pytest.mark.parametrize(
    ("iso", "expected"),
    [("2024", "year"), ("2024-05", "month"), ("2024-05-22", "day"), (None, None)],
)
def test_granularity_follows_the_iso_string(iso: str | None, expected: str | None) -> None:
    assert granularity_of(iso) == expected


def test_quotation_id_depends_on_article_and_spans_only() -> None:
    q1 = Quotation(article_id="a", type="Direct", spans=(Span(10, 20), Span(30, 40)))
    q2 = Quotation(article_id="a", type="Indirect", spans=(Span(30, 40), Span(10, 20)), speaker="X")
    q3 = Quotation(article_id="b", type="Direct", spans=(Span(10, 20), Span(30, 40)))
    assert q1.id == q2.id
    assert q1.id != q3.id


def test_split_quote_text_joins_its_parts() -> None:
    text = "„Wir bleiben“, sagte sie, „bis zum Ende.“"
    q = Quotation(article_id="a", type="Direct", spans=(Span(27, 40), Span(1, 12)))
    assert q.text(text) == "Wir bleiben … bis zum Ende."
    assert (q.start, q.end) == (1, 40)


def test_export_dict_has_the_documented_fields_in_order() -> None:
    row = LedgerRow(*(["x"] * 6), "Direct", "t", None, None, None, None, None, None, None, 0, 1, None, "qid")
    assert tuple(row.export_dict()) == EXPORT_FIELDS
    assert row.export_dict()["quotation_id"] == "qid"  # the key that load uses to stay idempotent
