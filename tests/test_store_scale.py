"""Issue 14: every list is served by an index, pages are bounded, deep pages use a keyset cursor."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from quotetrail.model import Article, Extraction, Quotation, Span, Speaker, SpeakerMention
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
def store(tmp_path_factory: pytest.TempPathFactory):
    s = open_store(tmp_path_factory.mktemp("scale") / "s.db")
    for i in range(300):
        s.add_extraction(_extraction(i))
    s.replace_speakers(
        [Speaker(id=n.lower().replace(" ", "-"), name=n, kind="person", variants=(n.split()[-1],)) for n in SPEAKERS]
    )
    s.conn.execute("ANALYZE")
    return s


def _scans_quotations(plan: list[str]) -> bool:
    """A full scan of the quotations table: 'SCAN q' without an index (a covering index scan is fine for order)."""
    return any(line.startswith("SCAN q") and "INDEX" not in line for line in plan)


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
    ],
    ids=["unfiltered", "speaker-surname", "speaker-full-name", "dates", "article", "claim", "speaker-and-date"],
)
def test_filtered_lists_never_scan_the_quotations_table(store, filters) -> None:
    plan = store.explain(**filters)
    assert not _scans_quotations(plan), plan
    if set(filters) <= {"speaker"}:  # lists that can be long are read in index order: no sort before the limit
        assert not any("TEMP B-TREE" in line for line in plan), plan


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


def test_migration_fills_the_covered_text_of_older_rows(tmp_path: Path) -> None:
    """A database written before migration 5 gets cue and speaker texts from its articles."""
    db = tmp_path / "old.db"
    store = open_store(db)
    mention = SpeakerMention(68, 79, "Stoltenberg", "Jens Stoltenberg")
    store.add_extraction(dataclasses.replace(_extraction(1), mentions=(mention,)))
    store.close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE quotations SET cue_text = NULL, speaker_mention_text = NULL")
    conn.execute("DELETE FROM schema_version WHERE version >= 5")
    for statement in (  # undo migration 6 as well
        "DROP INDEX speaker_mentions_family",
        "DROP INDEX speakers_family",
        "ALTER TABLE speaker_mentions DROP COLUMN family",
        "ALTER TABLE speakers DROP COLUMN family",
        "DROP TABLE speaker_families_stale",
    ):
        conn.execute(statement)
    for index in ("quotations_said_key", "quotations_speaker_key", "quotations_article_start"):
        conn.execute(f"DROP INDEX {index}")
    for column in ("speaker_mention_text", "cue_text", "addressee_text", "said_key"):
        conn.execute(f"ALTER TABLE quotations DROP COLUMN {column}")
    conn.execute("ALTER TABLE articles DROP COLUMN has_text")
    conn.execute("DROP INDEX articles_agency")
    conn.execute("DROP INDEX speakers_count")
    conn.execute("CREATE INDEX quotations_said_on ON quotations(said_on)")
    conn.execute("CREATE INDEX quotations_speaker ON quotations(speaker)")
    conn.commit()
    conn.close()
    store = open_store(db)
    [row] = store.quotations()
    assert (row.cue, row.speaker_mention) == ("sagte", "Stoltenberg")
    assert store.stale_speaker_families() is None, "migration 6 must ask for one full speaker rebuild"
