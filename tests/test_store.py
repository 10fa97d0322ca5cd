"""The store: idempotent ingest, updates without duplicates, consistency after interruption, filters."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from quotetrail.ingest_job import ingest_paths
from quotetrail.model import Article, Extraction, Quotation, Span
from quotetrail.store import open_store

TEXT = "„Wir haben keine Pläne, Truppen in die Ukraine zu entsenden“, sagte Stoltenberg am Mittwoch."


def extraction(
    article_id: str = "a1", source: str = "a.txt", said_on: str | None = "2024-05", speaker: str = "Jens Stoltenberg"
) -> Extraction:
    article = Article(
        id=article_id, source=source, text=TEXT, outlet="Spiegel", agency="dpa", published="2024-05", language="de"
    )
    q = Quotation(
        article_id,
        "Direct",
        (Span(0, 60),),
        cue=(Span(62, 67),),
        speaker_mention=(Span(68, 79),),
        speaker=speaker,
        said_on=said_on,
        said_on_text="Mittwoch",
    )
    return Extraction(article, (q,))


def test_same_article_twice_is_unchanged(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    assert store.add_extraction(extraction()) == "new"
    assert store.add_extraction(extraction()) == "unchanged"
    assert store.count_quotations() == 1 and store.count_articles() == 1


def test_changed_article_from_same_source_is_updated_not_duplicated(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    store.add_extraction(extraction("v1"))
    assert store.add_extraction(extraction("v2")) == "updated"
    assert store.count_articles() == 1
    assert [r.article_id for r in store.quotations()] == ["v2"]
    assert store.count_quotations(text="Truppen") == 1


def test_filters_and_date_overlap(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    store.add_extraction(extraction("a1", "a.txt", said_on="2024-05"))
    store.add_extraction(extraction("a2", "b.txt", said_on="2022-02-24", speaker="Olaf Scholz"))
    store.add_extraction(extraction("a3", "c.txt", said_on=None, speaker="Olaf Scholz"))
    assert store.count_quotations(since="2024-05-10") == 1  # a month-dated statement overlaps the day
    assert store.count_quotations(until="2022") == 1
    assert store.count_quotations(speaker="Scholz") == 2
    assert store.count_quotations(text="Truppe") == 3  # stemmed: Truppe finds Truppen
    assert store.count_quotations(outlet="dpa") == 3
    rows = store.quotations()
    assert [r.said_on for r in rows] == ["2022-02-24", "2024-05", None]  # undated last


def test_min_quote_confidence_keeps_the_sure_and_the_corrected(store_url: str) -> None:
    """The tagger's doubt filters a list, but a quotation a person corrected counts as one, however unsure the tagger was."""
    from dataclasses import replace

    from quotetrail.corrections import correct

    store = open_store(store_url)
    for article_id, source, confidence in (("a1", "a.txt", 0.97), ("a2", "b.txt", 0.42), ("a3", "c.txt", None)):
        found = extraction(article_id, source)
        store.add_extraction(replace(found, quotations=(replace(found.quotations[0], quote_confidence=confidence),)))
    assert store.count_quotations() == 3
    sure = store.quotations(min_quote_confidence=0.9)
    assert [(r.article_id, r.quote_confidence) for r in sure] == [("a1", 0.97)]
    assert store.count_quotations(min_quote_confidence=0.9) == store.count_ledger(min_quote_confidence=0.9) == 1
    assert store.count_quotations(min_quote_confidence=0.4) == 2  # no measure (stored before 0014): not kept
    assert [r.article_id for r in store.iter_ledger(min_quote_confidence="0,9", text="Truppen")] == ["a1"]
    unsure = next(r for r in store.quotations() if r.article_id == "a2")
    correct(store, unsure.quotation_id, {"speaker": "Olaf Scholz"}, "the article names him", by="test")
    assert sorted(r.article_id for r in store.quotations(min_quote_confidence=0.9)) == ["a1", "a2"]
    assert store.count_quotations(min_quote_confidence=0) == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("since", "gestern"),
        ("until", "2024-13-99x"),
        ("type", "Quote"),
        ("min_quote_confidence", "1.5"),
        ("min_quote_confidence", "sicher"),
        ("min_quote_confidence", float("nan")),
    ],
)
def test_bad_filter_values_raise_value_error(store_url: str, name: str, value: str) -> None:
    store = open_store(store_url)
    with pytest.raises(ValueError, match=name):
        store.quotations(**{name: value})


def test_search_syntax_in_user_query_is_harmless(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    store.add_extraction(extraction())
    assert store.count_quotations(text='"Truppen*') == 1
    assert store.count_quotations(text="NEAR( OR -") == 0  # no FTS syntax error
    # "_" is no word to either index: it neither hides the other words' hits nor breaks the tsquery
    assert store.count_quotations(text="Truppen _") == store.count_quotations(text="Truppen") == 1
    assert [q.text for q in store.quotations(text="_ Truppen __")] == [q.text for q in store.quotations(text="Truppen")]
    with pytest.raises(ValueError, match="empty search query"):
        store.count_quotations(text="_ __")


def test_interrupted_ingest_keeps_what_was_stored_and_rerun_completes(store_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        (folder / f"{i}.txt").write_text(
            f"Meldung {i}: Die Ministerin sagte, sie sei zufrieden mit Runde {i}.", encoding="utf-8"
        )
    store = open_store(store_url)
    seen = []

    def stop_after_two(_extraction: Extraction, _status: str) -> None:
        seen.append(1)
        if len(seen) == 2:
            raise KeyboardInterrupt

    summary = ingest_paths(store, [folder], on_article=stop_after_two)
    assert summary.interrupted and store.count_articles() == 2
    summary = ingest_paths(store, [folder])
    assert (summary.new, summary.unchanged) == (2, 2)
    assert store.count_articles() == 4


def test_killed_process_leaves_a_consistent_database(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(30):
        (folder / f"{i:02}.txt").write_text(
            f"Meldung {i}: Der Minister sagte, er sei optimistisch, dass es klappe.", encoding="utf-8"
        )
    script = textwrap.dedent(f"""
        import os
        from quotetrail.store import open_store
        from quotetrail.ingest_job import ingest_paths
        store = open_store({str(db)!r})
        count = 0
        def kill(e, s):
            global count
            count += 1
            if count == 7:
                os._exit(9)  # no cleanup, like kill -9
        ingest_paths(store, [{str(folder)!r}], on_article=kill)
    """)
    subprocess.run([sys.executable, "-c", script], check=False)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    orphans = conn.execute(
        "SELECT COUNT(*) FROM quotations WHERE article_id NOT IN (SELECT id FROM articles)"
    ).fetchone()[0]
    assert orphans == 0
    conn.close()
    store = open_store(db)
    before = store.count_articles()
    assert 6 <= before <= 7
    summary = ingest_paths(store, [folder])
    assert store.count_articles() == 30 and summary.unchanged == before


def test_reader_sees_data_while_a_writer_holds_a_transaction(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    writer = open_store(db)
    writer.add_extraction(extraction())
    writer.conn.execute("BEGIN IMMEDIATE")
    writer.conn.execute("DELETE FROM quotations")
    reader = open_store(db)
    assert reader.count_quotations() == 1  # WAL: readers see the last committed state
    writer.conn.execute("ROLLBACK")


def test_opening_an_older_schema_migrates_it(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.commit()
    conn.close()
    store = open_store(db)
    assert store.schema_version() >= 1
    assert store.add_extraction(extraction()) == "new"


def test_problems_are_recorded(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    (tmp_path / "leer.txt").write_text("", encoding="utf-8")
    summary = ingest_paths(store, [tmp_path / "leer.txt"])
    assert len(summary.problems) == 1
    assert store.problems()[0].reason == "empty file"


def test_parallel_extraction_stores_the_same_ledger(new_db) -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    one, two = open_store(new_db("one")), open_store(new_db("two"))
    ingest_paths(one, [examples], workers=1)
    ingest_paths(two, [examples], workers=2)
    assert [r.export_dict() for r in one.quotations(limit=1000)] == [
        r.export_dict() for r in two.quotations(limit=1000)
    ]
