"""Corrections that stick (issue 19): logged, applied, kept across re-ingest, orphaned when unplaceable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from quotetrail.cli import main
from quotetrail.corrections import history
from quotetrail.store import open_store

LEAD = "Berlin (dpa) - Bundeskanzler Olaf Scholz hat am Mittwoch vor dem Bundestag gesprochen.\n\n"
TROOPS = "„Wir werden keine Truppen in die Ukraine schicken“, sagte Scholz am Mittwoch in Berlin.\n\n"
MERZ = "Der Oppositionsführer Friedrich Merz widersprach: „Das ist ein schwerer Fehler der Regierung.“\n"
QUOTED = "Wir werden keine Truppen in die Ukraine schicken"


def run(db: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.output


def export(db: str) -> list[dict]:
    return [json.loads(line) for line in run(db, "export", "--format", "jsonl").splitlines() if line.startswith("{")]


def the_row(db: str, text: str = QUOTED) -> dict:
    rows = [r for r in export(db) if r["text"] == text]
    assert len(rows) == 1, rows
    return rows[0]


@pytest.fixture
def ledger(store_url: str, tmp_path: Path) -> tuple[str, Path]:
    """A store with one ingested article holding the troops quotation."""
    article = tmp_path / "a.txt"
    article.write_text(LEAD + TROOPS + MERZ, encoding="utf-8")
    run(store_url, "ingest", str(article))
    return store_url, article


def test_a_speaker_correction_shows_in_export_with_its_history(ledger: tuple[str, Path]) -> None:
    db, _ = ledger
    before = the_row(db)
    assert before["corrected"] is False and before["extractor_version"].startswith("0.")
    run(
        db,
        "correct",
        before["quotation_id"],
        "--speaker",
        "Annalena Baerbock",
        "--note",
        "wrong pronoun",
        "--by",
        "eva",
    )
    after = the_row(db)
    assert after["speaker"] == "Annalena Baerbock" and after["corrected"] is True
    assert after["speaker_role"] is None  # "Bundeskanzler" was Scholz's role, not hers
    assert "Annalena Baerbock" in run(db, "quotes", "--speaker", "Baerbock")
    log = run(db, "corrections", before["quotation_id"])
    assert "eva" in log and "'Olaf Scholz' → 'Annalena Baerbock'" in log and "wrong pronoun" in log
    others = [r for r in export(db) if r["text"] != QUOTED]
    assert others and not any(r["corrected"] for r in others)


def test_a_correction_survives_reingest_of_the_same_and_of_an_edited_file(ledger: tuple[str, Path]) -> None:
    db, article = ledger
    qid = the_row(db)["quotation_id"]
    run(db, "correct", qid, "--speaker", "Annalena Baerbock", "--said-on", "2024-05-22", "--note", "checked")
    run(db, "ingest", str(article))  # unchanged: not re-extracted
    assert the_row(db)["speaker"] == "Annalena Baerbock"
    article.write_text("Eine neue erste Zeile steht jetzt hier.\n\n" + LEAD + TROOPS + MERZ, encoding="utf-8")
    assert "1 updated" in run(db, "ingest", str(article))
    moved = the_row(db)
    assert moved["quotation_id"] != qid  # new content, new offsets: re-anchored by its text
    assert (moved["speaker"], moved["said_on"], moved["corrected"]) == ("Annalena Baerbock", "2024-05-22", True)
    assert not history(open_store(db), orphaned=True)
    assert len(history(open_store(db), moved["quotation_id"])) == 2


def test_an_edit_that_removes_the_quoted_text_orphans_the_correction(ledger: tuple[str, Path]) -> None:
    db, article = ledger
    qid = the_row(db)["quotation_id"]
    run(db, "correct", qid, "--type", "Indirect", "--note", "paraphrase")
    article.write_text(LEAD + MERZ, encoding="utf-8")
    run(db, "ingest", str(article))
    assert not [r for r in export(db) if r["text"] == QUOTED]
    orphaned = run(db, "corrections", "--orphaned")
    assert qid in orphaned and "ORPHANED" in orphaned and QUOTED in orphaned
    assert [c.field for c in history(open_store(db), orphaned=True)] == ["type"]


def test_not_a_quotation_hides_it_but_the_history_keeps_it(ledger: tuple[str, Path]) -> None:
    db, article = ledger
    qid = the_row(db)["quotation_id"]
    count = len(export(db))
    run(db, "correct", qid, "--not-a-quotation", "--note", "a headline, not a statement")
    assert len(export(db)) == count - 1 and QUOTED not in run(db, "quotes")
    article.write_text(LEAD + TROOPS + MERZ + "\nMehr folgt.\n", encoding="utf-8")  # re-extracted: still hidden
    run(db, "ingest", str(article))
    assert QUOTED not in run(db, "quotes") and len(export(db)) == count - 1
    assert "not a quotation" in run(db, "corrections", qid)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--type", "Quote", "type must be one of"), ("--said-on", "2024-02-30", "said_on must be a real date")],
)
def test_a_bad_type_or_date_is_a_one_line_error(
    ledger: tuple[str, Path], option: str, value: str, message: str
) -> None:
    db, _ = ledger
    qid = the_row(db)["quotation_id"]
    result = CliRunner().invoke(main, ["--db", db, "correct", qid, option, value, "--note", "x"])
    assert result.exit_code == 1 and message in result.output, result.output
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
    assert the_row(db)["corrected"] is False and not history(open_store(db))


def test_an_unknown_quotation_or_no_change_is_refused(ledger: tuple[str, Path]) -> None:
    db, _ = ledger
    result = CliRunner().invoke(main, ["--db", db, "correct", "nope", "--speaker", "X", "--note", "x"])
    assert result.exit_code == 1 and "no quotation 'nope'" in result.output
    qid = the_row(db)["quotation_id"]
    result = CliRunner().invoke(main, ["--db", db, "correct", qid, "--note", "x"])
    assert result.exit_code == 1 and "nothing to correct" in result.output


def test_export_and_load_carry_the_new_fields(ledger: tuple[str, Path], tmp_path: Path, new_db) -> None:
    db, _ = ledger
    qid = the_row(db)["quotation_id"]
    run(db, "correct", qid, "--speaker", "Annalena Baerbock", "--note", "n")
    for fmt in ("jsonl", "csv"):
        out = tmp_path / f"x.{fmt}"
        run(db, "export", "-o", str(out))
        target = new_db(f"load{fmt}")
        run(target, "load", str(out))
        loaded = {r.quotation_id: r for r in open_store(target).quotations()}
        assert loaded[qid].corrected is True and loaded[qid].speaker == "Annalena Baerbock"
        assert {r.extractor_version for r in loaded.values()} == {the_row(db)["extractor_version"]}


def test_a_file_at_the_baseline_revision_gets_the_corrections_tables(tmp_path: Path) -> None:
    import sqlite3

    db = str(tmp_path / "old.db")
    open_store(db).close()
    conn = sqlite3.connect(db)  # back to the 0011 schema: what every file before issue 19 has
    conn.executescript(
        "DROP TABLE api_tokens; DROP TABLE users; DROP TABLE claim_reviews; DROP TABLE speaker_aliases;"
        " DROP TABLE correction_placements; DROP TABLE corrections; DROP INDEX quotations_type_key;"
        " DROP INDEX quotations_quote_confidence; DROP INDEX quotations_corrected;"
        " ALTER TABLE quotations DROP COLUMN corrected;"
        " ALTER TABLE quotations DROP COLUMN extractor_version; ALTER TABLE quotations DROP COLUMN quote_confidence;"
        " UPDATE alembic_version SET version_num = '0011';"
    )
    conn.close()
    article = tmp_path / "a.txt"
    article.write_text(LEAD + TROOPS, encoding="utf-8")
    run(db, "ingest", str(article))
    assert open_store(db).schema_version() == 15  # 0012 to 0015 applied in turn
    run(db, "correct", the_row(db)["quotation_id"], "--type", "Indirect", "--note", "n")
    assert the_row(db)["corrected"] is True
