"""Issue 14: export streams every row, and ``load`` reads an export back, idempotently, in three formats."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from quotetrail.cli import main
from quotetrail.model import EXPORT_FIELDS, Article, Extraction, Quotation, Span
from quotetrail.store import open_store

ARTICLES = {
    "a.txt": " date 2024-05-22\n„Die Nato hat keine Pläne, Truppen in die Ukraine zu entsenden“, sagte Jens Stoltenberg "
    "am Mittwoch in Brüssel. Der Generalsekretär fügte hinzu, man werde die Ukraine weiter unterstützen.",
    "b.txt": " date 2022-02\nBundeskanzler Olaf Scholz sagte: „Wir werden keine Soldaten schicken.“ "
    "Laut Scholz gebe es dafür keine Mehrheit.",
}


@pytest.fixture(scope="module")
def articles_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("in")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def source_db(module_db, articles_folder: Path) -> str:
    """The two articles ingested into a SQLite file, then into a PostgreSQL database (every test runs on both)."""
    db = module_db("source")
    result = CliRunner().invoke(main, ["--db", db, "ingest", str(articles_folder)])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def db(module_db) -> Callable[[str], str]:
    """Fresh databases of the source's kind."""
    return module_db


def run(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(main, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "parquet"])
def test_export_load_export_is_identical(source_db: str, db, tmp_path: Path, suffix: str) -> None:
    first, second = tmp_path / f"first.{suffix}", tmp_path / f"second.{suffix}"
    run("--db", source_db, "export", "-o", str(first))
    target = db("target")
    run("--db", target, "load", str(first))
    run("--db", target, "load", str(first))  # idempotent: twice is once
    run("--db", target, "export", "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    store = open_store(target)
    assert store.count_quotations() == open_store(source_db).count_quotations() > 2
    assert {s.name for s in store.speakers()} >= {"Jens Stoltenberg", "Olaf Scholz"}
    assert store.count_quotations(speaker="Stoltenberg") >= 1
    # loaded twice, found once: the search rows were replaced, not added again
    assert store.count_quotations(text="Truppen") == open_store(source_db).count_quotations(text="Truppen") >= 1


def test_an_export_saved_by_german_excel_loads_back(source_db: str, db, tmp_path: Path) -> None:
    """Excel in a German locale saves CSV in cp1252 with semicolons, 0,95 and WAHR/FALSCH."""
    import csv

    first = tmp_path / "first.csv"
    run("--db", source_db, "export", "-o", str(first))
    rows = list(csv.reader(first.open(encoding="utf-8", newline="")))
    header, corrected = rows[0], rows[0].index("corrected")
    shares = [header.index("speaker_confidence"), header.index("quote_confidence")]
    assert any(row[i] for row in rows[1:] for i in shares)
    for row in rows[1:]:
        for i in shares:
            row[i] = row[i].replace(".", ",")
        row[corrected] = {"true": "WAHR", "false": "FALSCH"}[row[corrected]]
    excel = tmp_path / "excel.csv"
    with excel.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([header, *rows[1:]])
    assert "ä".encode("cp1252") in excel.read_bytes()  # the umlauts are cp1252 bytes, not UTF-8
    target = db("excel")
    assert f"{len(rows) - 1} quotations loaded" in run("--db", target, "load", str(excel))
    second = tmp_path / "second.csv"
    run("--db", target, "export", "-o", str(second))
    assert second.read_bytes() == first.read_bytes()


def test_an_export_for_excel_has_a_byte_order_mark_and_loads_back(source_db: str, db, tmp_path: Path) -> None:
    plain, excel, again = tmp_path / "plain.csv", tmp_path / "excel.csv", tmp_path / "again.csv"
    run("--db", source_db, "export", "-o", str(plain))
    run("--db", source_db, "export", "-o", str(excel), "--excel")
    assert excel.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()
    target = db("bom")
    run("--db", target, "load", str(excel))
    run("--db", target, "export", "-o", str(again))
    assert again.read_bytes() == plain.read_bytes()
    result = CliRunner().invoke(main, ["--db", source_db, "export", "--excel"])
    assert result.exit_code == 2 and "--excel is for CSV" in result.output


def test_export_piped_into_load_on_standard_input(source_db: str, db) -> None:
    exported = run("--db", source_db, "export")
    assert len(exported.splitlines()) == open_store(source_db).count_quotations()
    assert list(json.loads(exported.splitlines()[0])) == list(EXPORT_FIELDS)
    target = db("t")
    run("--db", target, "load", "-", input=exported)
    assert run("--db", target, "export") == exported


def test_every_row_says_how_sure_the_tagger_is_and_an_older_export_without_it_loads(source_db: str, db) -> None:
    rows = [json.loads(line) for line in run("--db", source_db, "export").splitlines()]
    assert rows and all(0.0 <= row["quote_confidence"] <= 1.0 for row in rows)
    older = "".join(json.dumps({k: v for k, v in row.items() if k != "quote_confidence"}) + "\n" for row in rows)
    target = db("older")
    run("--db", target, "load", "-", input=older)
    loaded = [json.loads(line) for line in run("--db", target, "export").splitlines()]
    assert len(loaded) == len(rows) and all(row["quote_confidence"] is None for row in loaded)  # unknown, not 1.0


def test_loading_into_the_database_it_came_from_changes_nothing(db, articles_folder: Path, tmp_path: Path) -> None:
    copy = db("copy")
    run("--db", copy, "ingest", str(articles_folder))
    before = run("--db", copy, "export")
    article_text = open_store(copy).article(json.loads(before.splitlines()[0])["article_id"]).text
    (tmp_path / "e.jsonl").write_text(before, encoding="utf-8")
    run("--db", copy, "load", str(tmp_path / "e.jsonl"))
    assert run("--db", copy, "export") == before
    store = open_store(copy)
    assert store.article(json.loads(before.splitlines()[0])["article_id"]).text == article_text
    assert store.count_articles() == 2


def test_bad_rows_are_reported_with_their_line_and_the_rest_loads(source_db: str, db, tmp_path: Path) -> None:
    good = run("--db", source_db, "export").splitlines()
    broken = json.loads(good[0]) | {"type": "Zitat"}
    bad_date = json.loads(good[1]) | {"said_on": "2024-02-31"}
    lines = [good[0], "{not json", json.dumps(broken), json.dumps(bad_date), *good[1:]]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = db("t")
    result = CliRunner().invoke(main, ["--db", target, "load", str(path)])
    assert result.exit_code == 3
    assert "mixed.jsonl:2: invalid JSON" in result.output
    assert "mixed.jsonl:3: type must be one of" in result.output
    assert "mixed.jsonl:4:" in result.output and "2024-02-31" in result.output
    assert open_store(target).count_quotations() == len(good)


def test_export_has_no_cap(db, tmp_path: Path) -> None:
    """The old export stopped at 100,000 rows in silence; now every row is streamed, page by page."""
    big = db("big")
    store = open_store(big)
    text = "„Wir bleiben dabei“, sagte sie."
    for i in range(2500):  # more than one page of the streaming export
        article = Article(id=f"a{i}", source=f"{i}.txt", text=text, published="2024-05", language="de")
        store.add_extraction(Extraction(article, (Quotation(article.id, "Direct", (Span(0, 20),), said_on="2024"),)))
    out = tmp_path / "all.csv"
    run("--db", big, "export", "-o", str(out))
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2501  # header + every row


@pytest.mark.parametrize("suffix", ["jsonl", "parquet"])
def test_a_full_move_carries_the_article_texts(source_db: str, db, tmp_path: Path, suffix: str) -> None:
    quotes, articles = tmp_path / f"q.{suffix}", tmp_path / f"a.{suffix}"
    run("--db", source_db, "export", "-o", str(quotes), "--articles", str(articles))
    target = db("moved")
    run("--db", target, "load", str(quotes), "--articles", str(articles))
    run("--db", target, "load", str(quotes), "--articles", str(articles))
    before, after = open_store(source_db), open_store(target)
    assert [(a.id, a.text, a.published) for a in after.iter_articles()] == [
        (a.id, a.text, a.published) for a in before.iter_articles()
    ]
    assert run("--db", target, "export") == run("--db", source_db, "export")


def test_a_folder_with_articles_quotations_and_errors_loads_like_a_spark_output(
    source_db: str, db, tmp_path: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    (out / "quotations").mkdir(parents=True)
    (out / "errors").mkdir()
    run("--db", source_db, "export", "-o", str(out / "quotations" / "part-0.parquet"))
    run("--db", source_db, "export", "-o", str(tmp_path / "x.jsonl"), "--articles", str(out / "articles.parquet"))
    errors = pa.Table.from_pylist(
        [{"path": "in/kaputt.txt", "stage": "extract", "reason": "ValueError: kaputt", "error": "ValueError"}]
    )
    pq.write_table(errors, out / "errors" / "part-0.parquet")
    target = db("t")
    result = CliRunner().invoke(main, ["--db", target, "load", str(out)])
    assert result.exit_code == 3, result.output  # the job's error is carried over as a problem
    store = open_store(target)
    assert [p.path for p in store.problems()] == ["in/kaputt.txt"]
    assert store.count_quotations() == open_store(source_db).count_quotations()
    assert all(a.text for a in store.iter_articles())


def test_loaded_claim_ids_get_their_claims(source_db: str, db) -> None:
    """The rows carry claim ids, not the claims table: load rebuilds each claim from its members."""
    exported = run("--db", source_db, "export")
    claim_ids = {json.loads(line)["claim_id"] for line in exported.splitlines()} - {None}
    assert claim_ids, "the source ledger was grouped into claims at ingest"
    target = db("t")
    run("--db", target, "load", "-", input=exported)
    before, after = open_store(source_db), open_store(target)
    for claim_id in claim_ids:
        original, loaded = before.claim(claim_id), after.claim(claim_id)
        assert loaded is not None
        assert (loaded.first_said, loaded.last_said, loaded.speakers) == (
            original.first_said,
            original.last_said,
            original.speakers,
        )
    assert run("--db", target, "export") == exported
