"""Issue 18: quotetrail on Spark gives what ``ingest`` + ``export`` give, row for row.

One SparkSession (local[2]) serves the module; it is skipped, with the
reason, where PySpark or Java is missing.  The poison article breaks the
quotation stage inside the executors: the stage is replaced there by a
function of this module, shipped by value with the task.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from quotetrail import pipeline
from quotetrail.cli import main
from quotetrail.ingest import read_paths
from quotetrail.ingest_job import ingest_paths
from quotetrail.ledgerfile import _parquet_schema
from quotetrail.model import Article, Problem
from quotetrail.spark import job as spark_job
from quotetrail.spark.claims import ClaimOptions
from quotetrail.spark.inputs import plan_inputs
from quotetrail.spark.output import dataset_rows, iter_articles, iter_errors, iter_quotations
from quotetrail.spark.rows import ARTICLE_FIELDS, extraction_to_rows, ledger_order
from quotetrail.store import open_store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
POISON = "GIFTWORT"
_real_find_quotations = pipeline.find_quotations

TEXTS = {
    "a.txt": " date 2024-05-22\n„Die Nato hat keine Pläne, Truppen in die Ukraine zu entsenden“, sagte Jens Stoltenberg "
    "am Mittwoch in Brüssel. Der Generalsekretär fügte hinzu, man werde die Ukraine weiter unterstützen.",
    "b.txt": " date 2022-02\nBundeskanzler Olaf Scholz sagte: „Wir werden keine Soldaten schicken.“ "
    "Laut Scholz gebe es dafür keine Mehrheit.",
    "f.txt": f"„Das ist Gift“, sagte Anna Berg am Montag. {POISON}",
    # German around an English quotation: detected as English, stored unanalysed by both paths
    "h.txt": "Biden sagte: „We will stand with Ukraine for as long as it takes, and we will not waver in our "
    "commitment to freedom and democracy.“",
    "i.txt": " date 2024-06-03\n„Die Nato hat keine Pläne, Truppen in die Ukraine zu entsenden“, wiederholte Jens "
    "Stoltenberg am Montag. Die Verbündeten berieten in Brüssel.",
}
OBJECTS = [
    {
        "title": "Haushalt",
        "text": "„Der Haushalt steht“, sagte Finanzminister Christian Lindner am Dienstag.",
        "date": "2023-11-14",
    },
    {
        "headline": "Streik",
        "body": "Die Gewerkschaft erklärte, der Streik werde fortgesetzt. „Wir bleiben hart“, sagte Frank Werneke.",
    },
]


def _failing_on_poison(doc: Any) -> Any:
    """A quotation stage that breaks on one article, as a real bug would."""
    if POISON in doc.article.text:
        raise AttributeError("'NoneType' object has no attribute 'group'")
    return _real_find_quotations(doc)


def _poisoned_extract_files(files: Any, settings: Any, counters: Any = None) -> Iterator[Any]:
    """``worker.extract_files`` with the quotation stage broken for the poison article, in the executor."""
    from quotetrail import pipeline as executor_pipeline
    from quotetrail.spark.worker import extract_files

    executor_pipeline.find_quotations = _failing_on_poison
    try:
        yield from extract_files(files, settings, counters)
    finally:
        executor_pipeline.find_quotations = _real_find_quotations


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    try:
        spark_job.check_spark()
    except spark_job.SparkUnavailable as err:
        pytest.skip(f"Spark tests need PySpark and Java: {err}")
    from pyspark import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    # the CRF path (--fast) on both sides: these tests compare Spark with the single machine, and the
    # reuse of embeddings needs the syndicated copies' quotations to come out word for word alike
    with pytest.MonkeyPatch.context() as env:
        env.setenv("QUOTETRAIL_QUOTATIONS", "crf")
        session = spark_job.spark_session(
            "local[2]", "quotetrail-tests", {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"}
        )
        yield session
        session.stop()


@pytest.fixture(scope="module")
def runs() -> list[spark_job.ExtractSummary]:
    """Every Spark extract of this module, for the check that models load once per worker process."""
    return []


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "c.json").write_text(json.dumps(OBJECTS, ensure_ascii=False), encoding="utf-8")
    lines = [json.dumps(OBJECTS[0], ensure_ascii=False), "{not json", json.dumps({"title": "ohne Text"})]
    (folder / "d.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "e.txt").write_text(TEXTS["a.txt"], encoding="utf-8")  # a second copy: a.txt's is kept
    (folder / "g.pdf").write_bytes(b"%PDF-1.4")
    (folder / ".hidden.txt").write_text("nicht lesen", encoding="utf-8")
    return folder


def _ingest_export(folder: Path, db: Path, out: Path) -> None:
    """Single-process ``ingest`` then ``export`` to Parquet, with the poison article breaking here too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "find_quotations", _failing_on_poison)
        summary = ingest_paths(open_store(db), [folder], group_claims=True)
    assert summary.failed > 0
    result = CliRunner().invoke(main, ["--db", str(db), "export", "-o", str(out)])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def both(
    spark: Any, corpus: Path, runs: list[spark_job.ExtractSummary], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, Path, spark_job.ExtractSummary]:
    """The corpus through Spark (4 partitions, with claims) and through ingest (with claims) + export."""
    work = tmp_path_factory.mktemp("both")
    options = spark_job.ExtractOptions(partitions=4, claims=ClaimOptions())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spark_job, "extract_files", _poisoned_extract_files)
        summary = spark_job.run_extract(spark, [str(corpus)], str(work / "out"), options)
    runs.append(summary)
    _ingest_export(corpus, work / "single.db", work / "single.parquet")
    return work / "out", work / "single.db", work / "single.parquet", summary


def test_extraction_to_rows_gives_the_rows_of_ingest_and_export(tmp_path: Path) -> None:
    db, out = tmp_path / "x.db", tmp_path / "x.parquet"
    ingest_paths(open_store(db), [EXAMPLES])
    assert CliRunner().invoke(main, ["--db", str(db), "export", "-o", str(out)]).exit_code == 0
    exported = pq.read_table(str(out)).to_pylist()
    rows = []
    for item in read_paths([EXAMPLES]):
        assert isinstance(item, Article)
        rows += extraction_to_rows(pipeline.extract(item))
    assert len(exported) > 50
    assert [r.export_dict() for r in sorted(rows, key=ledger_order)] == exported


def test_plan_lists_inputs_as_ingest_does_and_reports_what_matches_nothing(corpus: Path, tmp_path: Path) -> None:
    table = tmp_path / "t.parquet"
    pq.write_table(pa.table({"text": ["x"]}), str(table))
    plan = plan_inputs([str(corpus / "*.txt"), str(tmp_path / "nothing-*.json"), str(table)])
    assert [Path(p).name for _, p in plan.files] == ["a.txt", "b.txt", "e.txt", "f.txt", "h.txt", "i.txt"]
    assert [p for _, p in plan.parquet] == [str(table)]
    [(_, problem)] = plan.problems
    assert problem.path.endswith("nothing-*.json") and "matches" in problem.reason
    assert sorted(n for n, _ in [*plan.files, *plan.parquet, *plan.problems]) == list(range(8))


def test_spark_quotations_are_the_export_row_for_row(both: tuple[Path, Path, Path, Any]) -> None:
    out, _db, single, summary = both
    exported = pq.read_table(str(single))
    assert exported.num_rows >= 5
    assert dataset_rows(out, "quotations") == exported.to_pylist()
    assert pq.read_schema(next((out / "quotations").glob("part-*.parquet"))).remove_metadata() == _parquet_schema()
    loaded = list(iter_quotations(out))
    assert not [r for r in loaded if isinstance(r, Problem)] and len(loaded) == exported.num_rows
    assert summary.quotations == exported.num_rows


def test_load_puts_the_spark_output_into_a_database_idempotently(
    both: tuple[Path, Path, Path, Any], tmp_path: Path
) -> None:
    out, db, single, _summary = both
    target, again = tmp_path / "loaded.db", tmp_path / "loaded.parquet"
    for _ in range(2):  # loading twice is loading once
        result = CliRunner().invoke(main, ["--db", str(target), "load", str(out)])
        assert result.exit_code == 3, result.output  # the errors/ rows come back as problems
    assert CliRunner().invoke(main, ["--db", str(target), "export", "-o", str(again)]).exit_code == 0
    assert pq.read_table(str(again)).to_pylist() == pq.read_table(str(single)).to_pylist()
    loaded = open_store(target)
    assert sorted(a.text for a in loaded.articles(limit=100)) == sorted(
        a.text for a in open_store(db).articles(limit=100)
    )
    assert {(p.path, p.reason) for p in loaded.problems()} == {(p.path, p.reason) for p in open_store(db).problems()}


def test_spark_articles_are_the_stored_articles_first_copy_kept(both: tuple[Path, Path, Path, Any]) -> None:
    out, db, _single, summary = both
    stored = {a.id: tuple(getattr(a, f) for f in ARTICLE_FIELDS) for a in open_store(db).articles(limit=1000)}
    assert {a.id: tuple(getattr(a, f) for f in ARTICLE_FIELDS) for a in iter_articles(out)} == stored
    written = [tuple(r[f] for f in ARTICLE_FIELDS) for r in dataset_rows(out, "articles")]
    assert {r[0]: r for r in written} == stored and len(written) == len(stored)
    assert summary.duplicates == 2  # e.txt repeats a.txt, d.jsonl#1 repeats c.json#0
    sources = [r[1] for r in written]
    assert not any(s.endswith(("e.txt", "d.jsonl#1")) for s in sources)
    assert sources == sorted(sources), "articles come in input order"


def test_an_article_not_in_german_is_stored_unanalysed_and_counted(both: tuple[Path, Path, Path, Any]) -> None:
    out, _db, _single, summary = both
    [english] = [r for r in dataset_rows(out, "articles") if r["source"].endswith("h.txt")]
    assert english["language"] == "en"
    assert not [q for q in dataset_rows(out, "quotations") if q["article_id"] == english["id"]]
    assert summary.not_german == 1 and "1 not in German, stored unanalysed" in summary.line()


def test_a_poison_article_is_an_error_row_and_the_job_goes_on(both: tuple[Path, Path, Path, Any]) -> None:
    out, db, _single, summary = both
    errors = dataset_rows(out, "errors")
    expected = [
        {"path": p.path, "stage": p.stage, "reason": p.reason, "error": p.error, "fingerprint": p.fingerprint}
        for p in open_store(db).problems()
    ]
    assert errors == expected
    assert list(iter_errors(out)) == open_store(db).problems()
    [poison] = [e for e in errors if e["path"].endswith("f.txt")]
    assert poison["stage"] == "extract" and poison["error"] == "AttributeError"
    assert {Path(e["path"]).name for e in errors} == {"d.jsonl", "f.txt", "g.pdf"}
    assert summary.errors == len(errors) and summary.exit_code == 3


def test_parquet_rows_are_read_with_the_json_field_mapping(
    spark: Any, runs: list[spark_job.ExtractSummary], tmp_path: Path
) -> None:
    import datetime as dt

    table = pa.table(
        {
            "headline": ["Haushalt", "Leer", "Streik"],
            "body": [OBJECTS[0]["text"], None, OBJECTS[1]["body"]],
            "datePublished": [dt.date(2023, 11, 14), dt.date(2023, 11, 15), None],
            "link": ["https://example.org/1", None, "https://example.org/3"],
        }
    )
    pq.write_table(table, str(tmp_path / "archive.parquet"))
    later = pa.table(
        {"content": ["„Wir investieren weiter“, sagte Ministerin Klara Geywitz."], "authors": [["A", "B"]]}
    )
    pq.write_table(later, str(tmp_path / "later.parquet"))  # other columns: an archive written later
    summary = spark_job.run_extract(spark, [str(tmp_path / "*.parquet")], str(tmp_path / "out"))
    runs.append(summary)
    as_json = tmp_path / "json" / "archive.jsonl"
    as_json.parent.mkdir()
    records = [{k: v for k, v in r.items() if v is not None} for r in table.to_pylist()]
    as_json.write_text("".join(json.dumps(r, default=str) + "\n" for r in records), encoding="utf-8")
    single = [a for a in read_paths([as_json]) if isinstance(a, Article)]
    *articles, last = dataset_rows(tmp_path / "out", "articles")
    assert [a["source"] for a in articles] == [f"{tmp_path / 'archive.parquet'}#row{n}" for n in (1, 3)]
    assert (last["source"], last["author"]) == (f"{tmp_path / 'later.parquet'}#row1", "A, B")
    fields = [f for f in ARTICLE_FIELDS if f != "source"]
    assert [[a[f] for f in fields] for a in articles] == [[getattr(s, f) for f in fields] for s in single]
    assert articles[0]["published"] == "2023-11-14" and articles[0]["url"] == "https://example.org/1"
    [error] = dataset_rows(tmp_path / "out", "errors")
    assert error["path"] == str(tmp_path / "archive.parquet") and error["reason"].startswith("row 2: no article text")
    expected = sorted((r for a in single for r in extraction_to_rows(pipeline.extract(a))), key=ledger_order)
    quotations = [q for q in dataset_rows(tmp_path / "out", "quotations") if q["article_id"] != last["id"]]
    assert [(q["text"], q["speaker"]) for q in quotations] == [(r.text, r.speaker) for r in expected]
    assert {"Christian Lindner", "Frank Werneke"} <= {q["speaker"] for q in quotations}


def test_claims_group_restatements_as_the_single_machine_does(both: tuple[Path, Path, Path, Any]) -> None:
    out, _db, _single, summary = both
    quotations = dataset_rows(out, "quotations")
    claims = {c["claim_id"]: c for c in dataset_rows(out, "claims")}
    assert all(q["claim_id"] in claims for q in quotations)
    nato = [q for q in quotations if q["text"].startswith("Die Nato hat keine Pläne")]
    assert len(nato) == 2 and nato[0]["claim_id"] == nato[1]["claim_id"], "a restatement joins the claim"
    claim = claims[nato[0]["claim_id"]]
    assert claim["members"] == [q["quotation_id"] for q in nato]  # date order
    assert (claim["first_said"], claim["last_said"]) == ("2024-05-22", "2024-06-03")
    assert sum(len(c["members"]) for c in claims.values()) == len(quotations)
    texts = {q["text"] for q in quotations}
    assert len(dataset_rows(out, "embeddings")) == len(texts) == summary.claims.texts_embedded < len(quotations)


def test_blocks_by_propagation_in_spark_are_those_of_union_find(spark: Any) -> None:
    """Few pairs are joined on the driver; many by label propagation in Spark: both give the same blocks."""
    from quotetrail.spark.claims import ClaimsSummary, _components, union_find

    pairs = [("b", "c"), ("c", "f"), ("a", "b"), ("d", "e")]
    expected = {"a": "a", "b": "a", "c": "a", "f": "a", "d": "d", "e": "d"}
    assert union_find(pairs) == expected
    nodes = spark.createDataFrame([(n,) for n in "abcdefg"], "quotation_id string")
    edges = spark.createDataFrame(pairs, "a string, b string")
    labels = _components(spark, nodes, edges, ClaimsSummary())
    assert {r["quotation_id"]: r["block"] for r in labels.collect()} == {**expected, "g": "g"}


def test_models_load_once_per_worker_process(both: Any, runs: list[spark_job.ExtractSummary]) -> None:
    pids = set().union(*(r.worker_pids for r in runs))
    loadings = sum(r.model_loadings for r in runs)
    tasks = sum(r.partitions for r in runs)
    assert loadings == len(pids), "each Python worker process loads the models exactly once"
    assert 1 <= len(pids) <= 2 < tasks, "local[2]: two reused worker processes serve every task"


def test_cli_writes_the_datasets_and_refuses_to_overwrite_unasked(
    spark: Any, both: tuple[Path, Path, Path, Any], corpus: Path, tmp_path: Path
) -> None:
    """Last in the module: the command stops the session when it ends."""
    args = ["spark", "extract", str(corpus / "a.txt"), str(corpus / "b.txt"), str(tmp_path / "out")]
    embeddings = str(both[0] / "embeddings")
    first = CliRunner().invoke(
        main, [*args, "--master", "local[2]", "--partitions", "2", "--embeddings-from", embeddings]
    )
    assert first.exit_code == 0, first.output
    assert "2 files read: 2 articles" in first.output
    assert "claims: 4 quotations, 0 texts embedded (4 reused)" in first.output, "texts embedded before are reused"
    assert len(dataset_rows(tmp_path / "out", "articles")) == 2
    again = CliRunner().invoke(main, [*args, "--master", "local[2]"])
    assert again.exit_code == 1 and "--overwrite" in again.output
