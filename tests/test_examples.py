"""End to end on the demo corpus: what a journalist must find, dated right, and what must not be there."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotetrail.ingest_job import ingest_paths
from quotetrail.model import LedgerRow
from quotetrail.store import open_store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> list[LedgerRow]:
    store = open_store(tmp_path_factory.mktemp("examples") / "demo.db")
    summary = ingest_paths(store, [EXAMPLES])
    assert summary.new == 5 and not summary.problems
    return store.quotations(limit=10_000)


def find(rows: list[LedgerRow], words: str) -> list[LedgerRow]:
    return [r for r in rows if words in r.text]


def test_stoltenbergs_2024_statement_is_direct_with_cue_and_speaker(rows: list[LedgerRow]) -> None:
    [row] = [
        r for r in find(rows, "Die Nato hat keine Pläne, Truppen in die Ukraine zu entsenden") if r.type == "Direct"
    ]
    assert row.cue == "sagte" and row.speaker == "Jens Stoltenberg"
    assert row.said_on == "2024-06" and row.said_on_text == "Donnerstag"  # a weekday against a month-only date
    assert row.agency == "AFP"


def test_indirect_statement_in_konjunktiv(rows: list[LedgerRow]) -> None:
    matches = find(rows, "Die NATO plane nicht, Truppen in die Ukraine zu entsenden")
    assert any(r.type == "Indirect" and r.speaker == "Jens Stoltenberg" and r.said_on == "2024-05" for r in matches)


def test_2022_dpa_statement_from_the_lead(rows: list[LedgerRow]) -> None:
    [row] = find(rows, "wir haben auch keine Pläne, Nato-Truppen in die Ukraine zu schicken")
    assert (row.speaker, row.agency, row.said_on) == ("Jens Stoltenberg", "dpa", "2022-02")


def test_undated_article_stays_undated(rows: list[LedgerRow]) -> None:
    spiegel = [r for r in rows if r.source.endswith("001_6a46692681f3c9cb.txt")]
    assert spiegel and all(r.said_on is None for r in spiegel)
    assert any("Nato-Kampftruppen" in r.text and r.speaker == "Jens Stoltenberg" for r in spiegel)


def test_macron_hedge_is_attributed_to_macron(rows: list[LedgerRow]) -> None:
    assert any("nicht ausschließen" in r.text and r.speaker == "Emmanuel Macron" for r in rows)


def test_no_boilerplate_or_caption_became_a_quotation(rows: list[LedgerRow]) -> None:
    for r in rows:
        assert "einverstanden" not in r.text and "Datenschutzerklärung" not in r.text
        assert "JOHN THYS" not in r.text
