"""The Python query API: a timeline lists each statement once; bad arguments are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotetrail import query
from quotetrail.model import Article, Extraction, Quotation, Span

TEXT = 'Stoltenberg wiederholte die Zusage, "keine Truppen in die Ukraine" zu entsenden, und sagte das am Mittwoch.'


@pytest.fixture
def store(tmp_path: Path):
    s = query.open(tmp_path / "q.db")
    outer = Quotation("a", "Indirect", (Span(36, 80),), speaker="Jens Stoltenberg", said_on="2024-05")
    inner = Quotation("a", "Direct", (Span(36, 66),), speaker="Jens Stoltenberg", said_on="2024-05")
    s.add_extraction(Extraction(Article("a", "a.txt", TEXT, published="2024-05", language="de"), (outer, inner)))
    return s


def test_timeline_leaves_out_quotes_nested_in_another(store) -> None:
    assert len(query.quotations(store, text="Truppen")) == 2
    [row] = query.timeline(store, "Truppen")
    assert row.type == "Indirect"


@pytest.mark.parametrize(("limit", "offset"), [(-1, 0), (10**7, 0), (10, -5)])
def test_bad_paging_is_refused(store, limit: int, offset: int) -> None:
    with pytest.raises(ValueError, match=r"limit|offset"):
        query.quotations(store, limit=limit, offset=offset)


def test_dataframe_needs_pandas_or_polars(store) -> None:
    rows = query.quotations(store)
    try:
        frame = query.to_dataframe(rows)
    except ImportError as err:
        assert "pandas" in str(err)
    else:
        assert len(frame) == 2
