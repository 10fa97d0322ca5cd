"""Issue 13: one bad input never ends a batch, nothing is skipped in silence, derived tables stay current."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from quotetrail import pipeline
from quotetrail.cli import main
from quotetrail.faults import TimeBudgetExceeded, problem_from_exception, time_budget
from quotetrail.ingest import Skipped, find_files, read_paths
from quotetrail.ingest_job import ingest_paths
from quotetrail.model import Article, Problem
from quotetrail.store import open_store

GOOD = "„Wir haben keine Pläne, Truppen in die Ukraine zu entsenden“, sagte Jens Stoltenberg am Montag."
POISON = "GIFTWORT"
_real_find_quotations = pipeline.find_quotations


def _failing_on_poison(doc):
    """A quotation stage that breaks on one article, as the 'Sonnabendmorgen' bug broke the date stage."""
    if POISON in doc.article.text:
        raise AttributeError("'NoneType' object has no attribute 'group'")
    return _real_find_quotations(doc)


def _dying_on_poison(doc):
    """A stage that kills its process, as a crash in compiled code would."""
    if POISON in doc.article.text:
        os._exit(7)
    return _real_find_quotations(doc)


def _slow_on_poison(doc):
    if POISON in doc.article.text:
        time.sleep(30)
    return _real_find_quotations(doc)


def _corpus(folder: Path, n: int = 4, poison_at: int = 1) -> Path:
    folder.mkdir(exist_ok=True)
    for i in range(n):
        extra = f" {POISON}" if i == poison_at else ""
        (folder / f"{i:02d}.txt").write_text(f"{GOOD} Artikel {i}.{extra}", encoding="utf-8")
    return folder


@pytest.mark.parametrize("workers", [1, 2], ids=["one-process", "worker-pool"])
def test_an_article_that_breaks_a_stage_is_recorded_and_the_run_goes_on(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr(pipeline, "find_quotations", _failing_on_poison)
    store = open_store(store_url)
    summary = ingest_paths(store, [_corpus(tmp_path / "in")], workers=workers)
    assert summary.new == 3 and summary.failed == 1 and summary.exit_code == 3
    [problem] = store.problems()
    assert problem.path.endswith("01.txt") and problem.stage == "extract" and problem.error == "AttributeError"
    assert "quotations" in problem.reason or "_failing_on_poison" in problem.reason or "pipeline" in problem.reason
    assert "see `quotetrail problems`" in summary.line()
    # the speakers of the stored articles are there although one article failed
    assert [s.name for s in store.speakers()] == ["Jens Stoltenberg"]


def test_same_failure_has_one_fingerprint_and_reruns_do_not_add_rows(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "find_quotations", _failing_on_poison)
    folder = _corpus(tmp_path / "in", n=4, poison_at=1)
    (folder / "09.txt").write_text(f"{GOOD} Noch einer. {POISON}", encoding="utf-8")
    store = open_store(store_url)
    ingest_paths(store, [folder])
    ingest_paths(store, [folder])
    found = store.problems()
    assert len(found) == 2, "a re-run must count the same problem again, not add it twice"
    assert len({p.fingerprint for p in found}) == 1
    [(fingerprint, stage, inputs, seen, _example)] = store.problem_counts()
    assert (fingerprint, stage, inputs, seen) == (found[0].fingerprint, "extract", 2, 4)


def test_retry_failed_reads_the_failed_files_again_and_clears_what_now_works(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = store_url
    folder = _corpus(tmp_path / "in")
    monkeypatch.setattr(pipeline, "find_quotations", _failing_on_poison)
    first = CliRunner().invoke(main, ["--db", str(db), "ingest", str(folder)])
    assert first.exit_code == 3, first.output
    listed = CliRunner().invoke(main, ["--db", str(db), "problems"])
    assert "01.txt" in listed.output and "extract" in listed.output
    monkeypatch.setattr(pipeline, "find_quotations", _real_find_quotations)  # "after an upgrade"
    retried = CliRunner().invoke(main, ["--db", str(db), "ingest", "--retry-failed"])
    assert retried.exit_code == 0, retried.output
    assert "1 new" in retried.output
    assert open_store(db).problems() == []


def test_a_worker_process_that_dies_costs_only_its_article(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "find_quotations", _dying_on_poison)
    store = open_store(store_url)
    summary = ingest_paths(store, [_corpus(tmp_path / "in", n=5, poison_at=2)], workers=2)
    assert summary.new == 4
    [problem] = summary.problems
    assert problem.path.endswith("02.txt") and "died" in problem.reason


def test_an_article_over_its_time_budget_is_given_up(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "find_quotations", _slow_on_poison)
    store = open_store(store_url)
    started = time.monotonic()
    summary = ingest_paths(store, [_corpus(tmp_path / "in", n=3)], time_budget=0.5)
    assert time.monotonic() - started < 20
    assert summary.new == 2
    [problem] = summary.problems
    assert problem.error == "TimeBudgetExceeded" and "0.5 s budget" in problem.reason


def test_time_budget_interrupts_and_is_removed_afterwards() -> None:
    with pytest.raises(TimeBudgetExceeded), time_budget(0.2):
        time.sleep(5)
    with time_budget(0.2):
        pass
    time.sleep(0.4)  # the timer must be off: no late TimeBudgetExceeded here


def test_fingerprint_ignores_the_file_and_the_message_details() -> None:
    def fail(value: str) -> None:
        raise ValueError(f"bad value {value}")

    problems = []
    for name in ("a.txt", "b.txt"):
        try:
            fail(name)
        except ValueError as err:
            problems.append(problem_from_exception(name, "extract", err))
    assert problems[0].fingerprint == problems[1].fingerprint
    assert problems[0].reason != problems[1].reason
    assert Problem("a", "read", "line 3: bad").fingerprint == Problem("b", "read", "line 41: bad").fingerprint


def test_a_reader_that_breaks_mid_file_is_reported_and_the_next_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import quotetrail.ingest as ingest

    real = ingest.read_text

    def broken(text: str, source: str):
        if "kaputt" in source:
            raise RecursionError("maximum recursion depth exceeded")
        return real(text, source)

    monkeypatch.setattr(ingest, "read_text", broken)
    (tmp_path / "a_kaputt.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.txt").write_text(GOOD, encoding="utf-8")
    items = list(read_paths([tmp_path]))
    problems = [i for i in items if isinstance(i, Problem)]
    articles = [i for i in items if isinstance(i, Article)]
    assert [a.source for a in articles] == [str(tmp_path / "b.txt")]
    assert problems[0].path.endswith("a_kaputt.txt") and problems[0].error == "RecursionError"


def test_speakers_are_rebuilt_after_an_interrupted_run_even_when_nothing_is_new(store_url: str, tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "in", n=2, poison_at=-1)
    db = store_url
    store = open_store(db)
    ingest_paths(store, [folder])
    # what a run killed between storing and rebuilding leaves behind
    store.replace_speakers([])
    store.mark_stale("speakers")
    store.close()
    store = open_store(db)
    summary = ingest_paths(store, [folder])
    assert summary.unchanged == 2 and summary.new == 0
    assert [s.name for s in store.speakers()] == ["Jens Stoltenberg"]
    assert not store.is_stale("speakers")


def test_ctrl_c_still_brings_speakers_up_to_date(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt_on_poison(doc):
        if POISON in doc.article.text:
            raise KeyboardInterrupt
        return _real_find_quotations(doc)

    monkeypatch.setattr(pipeline, "find_quotations", interrupt_on_poison)
    store = open_store(store_url)
    summary = ingest_paths(store, [_corpus(tmp_path / "in", n=3, poison_at=2)])
    assert summary.interrupted and summary.new == 2 and summary.exit_code == 130
    assert [s.name for s in store.speakers()] == ["Jens Stoltenberg"]


def test_already_stored_content_is_not_extracted_again(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _corpus(tmp_path / "in", n=2, poison_at=-1)
    store = open_store(store_url)
    ingest_paths(store, [folder])
    calls = []
    monkeypatch.setattr(pipeline, "find_quotations", lambda doc: calls.append(doc) or [])
    summary = ingest_paths(store, [folder])
    assert summary.unchanged == 2 and calls == []


# -- nothing skipped in silence ------------------------------------------------------------


def _found(*paths: Path) -> tuple[list[Path], list[Problem], list[Skipped]]:
    items = list(find_files(paths))
    return (
        [i for i in items if isinstance(i, Path)],
        [i for i in items if isinstance(i, Problem)],
        [i for i in items if isinstance(i, Skipped)],
    )


def test_links_pipes_and_missing_paths_are_reported_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / ".hidden.txt").write_text(GOOD, encoding="utf-8")
    files, problems, skipped = _found(tmp_path, tmp_path / "missing.txt")
    assert files == [tmp_path / "a.txt"]
    reasons = {Path(p.path).name: p.reason for p in problems}
    assert reasons["dangling.txt"] == "dangling symbolic link"
    assert "loop" in reasons["loop"]
    assert "FIFO" in reasons["pipe.txt"]
    assert reasons["missing.txt"] == "no such file or folder"
    assert [Path(s.path).name for s in skipped] == [".hidden.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can list any folder")
def test_an_unreadable_folder_is_reported(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text(GOOD, encoding="utf-8")
    locked.chmod(0)
    try:
        _files, problems, _ = _found(tmp_path)
    finally:
        locked.chmod(0o755)
    assert problems and "cannot list folder" in problems[0].reason


def test_a_file_name_that_is_not_utf8_is_ingested_with_its_bytes_escaped(store_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/a\xff.txt"
    with open(raw, "w", encoding="utf-8") as handle:
        handle.write(GOOD)
    store = open_store(store_url)
    summary = ingest_paths(store, [folder])
    assert summary.new == 1 and summary.failed == 0
    [row] = store.quotations()
    assert row.source.endswith("a\\xff.txt")


def test_a_file_without_any_article_is_reported(tmp_path: Path) -> None:
    (tmp_path / "blank.jsonl").write_text("\n\n\n", encoding="utf-8")
    items = list(read_paths([tmp_path / "blank.jsonl"]))
    assert [i for i in items if isinstance(i, Article)] == []
    assert [i for i in items if isinstance(i, Problem)], "a file that gives nothing must say so"


def test_every_file_read_is_counted_even_when_it_gives_nothing(store_url: str, tmp_path: Path) -> None:
    (tmp_path / "broken.warc.gz").write_bytes(b"this is not gzip at all")
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    store = open_store(store_url)
    summary = ingest_paths(store, [tmp_path / "broken.warc.gz", tmp_path / "a.txt"])
    assert len(summary.files) == 2
    assert [Path(p.path).name for p in summary.problems] == ["broken.warc.gz"]


# -- incremental speakers (issue 14) -----------------------------------------------------------


def test_a_new_article_rebuilds_only_the_speakers_it_mentions(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD, encoding="utf-8")
    store = open_store(store_url)
    ingest_paths(store, [folder])
    asked: list[object] = []
    real = store.speaker_mentions
    monkeypatch.setattr(store, "speaker_mentions", lambda families=None: asked.append(families) or real(families))
    (folder / "b.txt").write_text("„Wir werden keine Soldaten schicken“, sagte Olaf Scholz.", encoding="utf-8")
    ingest_paths(store, [folder])
    assert asked == [["scholz"]]
    assert sorted(s.name for s in store.speakers()) == ["Jens Stoltenberg", "Olaf Scholz"]


def test_incremental_speakers_equal_a_full_rebuild(store_url: str, tmp_path: Path) -> None:
    """Surnames shared by two people stop folding into one of them; the incremental result must follow."""
    texts = [
        "„Wir bleiben dabei“, sagte Jens Stoltenberg am Montag.",
        "„Das reicht nicht“, sagte Stoltenberg.",
        "„Wir prüfen das“, sagte Camilla Stoltenberg, Direktorin des Instituts.",
        "„Nein“, sagte die Nato. „Ja“, sagte die NATO.",
        "„Wir bleiben dabei“, sagte Jens Stoltenberg am Montag. Neu.",
    ]
    folder = tmp_path / "in"
    folder.mkdir()
    store = open_store(store_url)
    for i, text in enumerate(texts):
        (folder / f"{i}.txt").write_text(text, encoding="utf-8")
        ingest_paths(store, [folder])
    (folder / "0.txt").write_text("„Wir bleiben nicht dabei“, sagte Jens Stoltenberg.", encoding="utf-8")  # updated
    ingest_paths(store, [folder])
    incremental = sorted((s.id, s.name, s.variants, s.roles, s.quotation_count) for s in store.speakers())
    store.mark_stale("speakers")
    from quotetrail.ingest_job import refresh_derived

    assert refresh_derived(store)
    full = sorted((s.id, s.name, s.variants, s.roles, s.quotation_count) for s in store.speakers())
    assert incremental == full and len(full) >= 2


def test_a_full_speaker_rebuild_in_small_steps_gives_the_same_speakers(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory stays bounded: a rebuild holds only a few name families' mentions at a time."""
    import quotetrail.ingest_job as job

    folder = tmp_path / "in"
    folder.mkdir()
    for i, text in enumerate(
        ["„Ja“, sagte Jens Stoltenberg.", "„Nein“, sagte Olaf Scholz.", "„Gut“, sagte Stoltenberg."]
    ):
        (folder / f"{i}.txt").write_text(text, encoding="utf-8")
    store = open_store(store_url)
    ingest_paths(store, [folder])
    expected = sorted((s.id, s.name, s.variants, s.quotation_count) for s in store.speakers())
    monkeypatch.setattr(job, "FAMILIES_PER_STEP", 1)
    store.mark_stale("speakers")
    asked: list[object] = []
    real = store.speaker_mentions
    monkeypatch.setattr(store, "speaker_mentions", lambda families=None: asked.append(families) or real(families))
    assert job.refresh_derived(store)
    assert sorted((s.id, s.name, s.variants, s.quotation_count) for s in store.speakers()) == expected
    assert all(families is not None and len(families) == 1 for families in asked) and len(asked) >= 2
    assert not store.is_stale("speakers")
