"""Issue 14: every list is served by an index, pages are bounded, deep pages use a keyset cursor."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from quotetrail.model import Article, Extraction, Quotation, Span, Speaker
from quotetrail.store import open_store
from quotetrail.store.sqlite import decode_cursor, encode_cursor

TEXT = "„Wir haben keine Pläne, Truppen in die Ukraine zu entsenden“, sagte Stoltenberg am Mittwoch."
SPEAKERS = ["Jens Stoltenberg", "Olaf Scholz", "Emmanuel Macron"]


def _extraction(i: int) -> Extraction:
    day = None if i % 7 == 0 else f"20{10 + i % 14}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    article = Article(
        id=f"a{i:04d}",
        source=f"{i}.txt",
        text=TEXT,
        outlet=["Spiegel", "RT DE", "taz"][i % 3],
        agency="dpa" if i % 2 else None,
        published=day,
        language="de",
    )
    q = Quotation(
        article.id,
        "Direct",
        (Span(0, 60),),
        cue=(Span(62, 67),),
        speaker_mention=(Span(68, 79),),
        speaker=SPEAKERS[i % 3],
        said_on=day,
    )
    return Extraction(article, (q,))


@pytest.fixture(scope="module")
def store(module_db):
    s = open_store(module_db("scale"))
    for i in range(300):
        s.add_extraction(_extraction(i))
    s.replace_speakers(
        [Speaker(id=n.lower().replace(" ", "-"), name=n, kind="person", variants=(n.split()[-1],)) for n in SPEAKERS]
    )
    s.conn.execute("ANALYZE")
    return s


def _scans_quotations(plan: list[str]) -> bool:
    """A full scan of the quotations table: SQLite's 'SCAN q' without an index (a covering index scan is fine
    for order), PostgreSQL's 'Seq Scan on quotations'."""
    return any(
        (line.startswith("SCAN q") and "INDEX" not in line) or "Seq Scan on quotations " in line for line in plan
    )


def planned_with_indexes(store, explain):
    """The plan of ``explain()``; on PostgreSQL with sequential scans priced out.

    PostgreSQL's planner reads a 300-row table from end to end because that is
    cheapest at this size, whatever the indexes; with ``enable_seqscan`` off
    the plan still shows a sequential scan only where no index can serve the
    query, which is what these tests guard against.
    """
    if store.dialect.name != "postgresql":
        return explain()
    store.conn.execute("SET enable_seqscan = off")
    try:
        return explain()
    finally:
        store.conn.execute("RESET enable_seqscan")


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"speaker": "Stoltenberg"},
        {"speaker": "Olaf Scholz"},
        {"since": "2020-01", "until": "2021"},
        {"article": "a0042"},
        {"claim": "c1"},
        {"speaker": "Scholz", "since": "2015"},
        {"type": "Direct"},
        {"min_quote_confidence": 0.9},
        {"type": "Direct", "min_quote_confidence": 0.9},
    ],
    ids=[
        "unfiltered",
        "speaker-surname",
        "speaker-full-name",
        "dates",
        "article",
        "claim",
        "speaker-and-date",
        "type",
        "confidence",
        "type-and-confidence",
    ],
)
def test_filtered_lists_never_scan_the_quotations_table(store, filters) -> None:
    plan = planned_with_indexes(store, lambda: store.explain(**filters))
    assert not _scans_quotations(plan), plan
    count_plan = planned_with_indexes(store, lambda: store.explain_count(**filters))
    assert not _scans_quotations(count_plan), count_plan  # the page's total: from indexes too
    # Lists that can be long are read in index order: no sort before the limit.  SQLite only: PostgreSQL's
    # planner sorts the 100 rows of a speaker here because that costs less than walking the date index at
    # this size (the speaker page itself reads each name's index in order and merges, see _speaker_page).
    if set(filters) <= {"speaker", "type"} and store.dialect.name == "sqlite":
        assert not any("TEMP B-TREE" in line or line.lstrip(" ->").startswith("Sort") for line in plan), plan


def test_speaker_filter_goes_through_the_speakers_table(store) -> None:
    assert store.speaker_names("Stoltenberg") == ["Jens Stoltenberg", "Stoltenberg"]
    rows = store.quotations(speaker="stoltenberg", limit=1000)
    assert rows and {r.speaker for r in rows} == {"Jens Stoltenberg"}
    assert store.count_quotations(speaker="Stoltenberg") == 100


def test_outlet_filter_matches_outlet_or_agency_ignoring_case(store) -> None:
    assert store.outlet_names("rt") == ["RT DE"]
    assert store.count_quotations(outlet="rt de") == 100
    assert store.count_quotations(outlet="DPA") == 150
    assert store.count_quotations(outlet="nobody") == 0


def test_keyset_pages_walk_the_whole_list_in_order_without_repeats(store) -> None:
    everything = store.quotations(limit=1000)
    walked, after = [], None
    while True:
        page = store.quotations(limit=37, after=after)
        walked += page
        if len(page) < 37:
            break
        after = encode_cursor(page[-1])
    assert [r.quotation_id for r in walked] == [r.quotation_id for r in everything]
    dated = [r.said_on for r in everything if r.said_on]
    assert dated == sorted(dated) and everything[-1].said_on is None  # undated last


def test_streaming_has_no_cap_and_matches_the_list(store) -> None:
    streamed = list(store.iter_ledger(batch=16))
    assert len(streamed) == store.count_quotations() == 300
    assert [r.quotation_id for r in streamed] == [r.quotation_id for r in store.quotations(limit=1000)]
    assert len(list(store.iter_ledger(batch=16, speaker="Macron"))) == 100


def test_a_bad_cursor_is_a_clear_error(store) -> None:
    with pytest.raises(ValueError, match="cursor"):
        store.quotations(after="bm90IGEgY3Vyc29y")
    with pytest.raises(ValueError, match="cursor"):
        decode_cursor("%%%")


def test_ledger_rows_carry_the_covered_text_without_reading_articles(store) -> None:
    [row] = store.quotations(article="a0001")
    assert (row.cue, row.speaker_mention) == ("sagte", "Stoltenberg")


def _database_at_version(path: Path, version: int) -> sqlite3.Connection:
    """A database as quotetrail wrote it at schema ``version``: the packaged migrations up to it, applied by hand."""
    from quotetrail.store.sqlite import _migrations

    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for number, sql in _migrations():
        if number > version:
            break
        for statement in sql.split(";\n"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?)", (number,))
    return conn


def test_migrations_fill_covered_texts_and_drop_impossible_dates_of_older_rows(tmp_path: Path) -> None:
    """A version-4 database gets cue and speaker texts from its articles (5), families (6), no invalid dates (9)."""
    db = tmp_path / "old.db"
    conn = _database_at_version(db, 4)
    conn.execute(
        "INSERT INTO articles(id, source, text, published, removed, meta, ingested_at) VALUES (?,?,?,?,?,?,?)",
        ("a1", "a.txt", TEXT, "2024-13", "[]", "[]", "2024-06-01"),
    )
    conn.execute(
        'INSERT INTO quotations(id, article_id, type, spans, cue, speaker_mention, start, "end", text, said_on)'
        " VALUES ('q1', 'a1', 'Direct', '[[0, 60]]', '[[62, 67]]', '[[68, 79]]', 0, 60, 'Wir haben', '2024-02-31')"
    )
    conn.execute(
        'INSERT INTO speaker_mentions(article_id, start, "end", text, name, kind) VALUES'
        " ('a1', 68, 79, 'Stoltenberg', 'Jens Stoltenberg', 'person')"
    )
    conn.commit()
    conn.close()
    store = open_store(db)
    [row] = store.quotations()
    assert (row.cue, row.speaker_mention) == ("sagte", "Stoltenberg")
    assert (row.said_on, row.published) == (None, None)
    assert store.stale_speaker_families() is None, "migration 6 must ask for one full speaker rebuild"


def test_speaker_filter_tries_surname_then_prefix_before_a_substring_scan(store) -> None:
    assert store.speaker_names("scholz") == ["Olaf Scholz", "Scholz", "scholz"]  # by name family (index)
    assert "Emmanuel Macron" in store.speaker_names("Emmanuel M")  # by prefix (index)
    assert "Olaf Scholz" in store.speaker_names("laf Sch")  # by substring, the last resort
    plan = planned_with_indexes(store, lambda: store.explain_sql("SELECT name FROM speakers WHERE family = 'x'"))
    assert any("speakers_family" in line for line in plan), plan


def test_a_migration_missing_below_the_highest_applied_one_is_still_applied(tmp_path: Path) -> None:
    """Migrations written in parallel land in any order: a database that got 8 and 9 before 7 must get 7."""
    db = tmp_path / "gap.db"
    made = _database_at_version(db, 11)  # a file made before Alembic: numbered migrations only
    made.commit()
    made.close()
    conn = sqlite3.connect(db)
    conn.execute("DROP INDEX claims_reports")
    conn.execute("DELETE FROM schema_version WHERE version = 7")
    conn.commit()
    conn.close()
    store = open_store(db)
    assert store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'claims_reports'").fetchone()
