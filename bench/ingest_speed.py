"""Ingest speed and peak memory: the examples and the wikinews-quotes dev texts as plain articles.

Usage: .venv/bin/python bench/ingest_speed.py
Prints articles per second (one process, extraction included) and the peak
resident memory of the process.  Also times extraction alone and the date
stage alone, to keep the date resolver under a fifth of extraction time.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paths import CORPORA, ROOT
from quotetrail.analyse import analyse
from quotetrail.dates import date_quotations, find_dates
from quotetrail.ingest_job import ingest_paths
from quotetrail.pipeline import extract
from quotetrail.quotations import find_quotations
from quotetrail.store import open_store


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ingest(label: str, paths: list[Path]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.db")
        started = time.perf_counter()
        summary = ingest_paths(store, paths)
        seconds = time.perf_counter() - started
        words = sum(len(a.text.split()) for a in store.articles(limit=100_000))
        print(
            f"{label}: {summary.articles} articles ({words / max(summary.articles, 1):.0f} words each) in {seconds:.1f} s "
            f"= {summary.articles / seconds:.1f} articles/s; {summary.quotations} quotations; peak memory {peak_mb():.0f} MB"
        )


def stage_times(paths: list[Path]) -> None:
    from quotetrail.ingest import read_paths

    articles = [a for a in read_paths(paths) if not hasattr(a, "stage")]
    t_analyse = t_quotes = t_dates = t_total = 0.0
    for article in articles:
        t0 = time.perf_counter()
        doc = analyse(article)
        t1 = time.perf_counter()
        quotes = find_quotations(doc)
        t2 = time.perf_counter()
        date_quotations(doc, quotes, find_dates(doc))
        t3 = time.perf_counter()
        extract(article)
        t4 = time.perf_counter()
        t_analyse += t1 - t0
        t_quotes += t2 - t1
        t_dates += t3 - t2
        t_total += t4 - t3
    n = len(articles)
    print(
        f"per article: analyse {1000 * t_analyse / n:.1f} ms, quotations {1000 * t_quotes / n:.1f} ms, "
        f"dates {1000 * t_dates / n:.1f} ms ({100 * t_dates / t_total:.0f}% of extraction), "
        f"whole extraction {1000 * t_total / n:.1f} ms = {n / t_total:.1f} articles/s"
    )


def main() -> None:
    ingest("examples", [ROOT / "examples"])
    dev = CORPORA / "wikinews-quotes" / "dev"
    if not dev.exists():
        print("wikinews-quotes dev not found beside the repository; skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        import json

        folder = Path(tmp) / "dev-texts"
        folder.mkdir()
        for path in sorted(dev.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            (folder / (path.stem[:60].replace("/", "_") + ".txt")).write_text(data["originalText"], encoding="utf-8")
        ingest("wikinews-quotes dev texts", [folder])
        stage_times([folder])
        long_articles(folder)


def long_articles(folder: Path) -> None:
    """Extraction speed on ~440-word articles (two dev texts joined), first and second pass."""
    from quotetrail.ingest import read_paths

    texts = [a.text for a in read_paths([folder]) if not hasattr(a, "stage")]
    articles = [
        replace(a, text=a.text + "\n\n" + b)
        for a, b in zip([a for a in read_paths([folder]) if not hasattr(a, "stage")][::2], texts[1::2], strict=False)
    ]
    words = sum(len(a.text.split()) for a in articles) / len(articles)
    for label in ("first pass", "second pass"):
        started = time.perf_counter()
        for article in articles:
            extract(article)
        seconds = time.perf_counter() - started
        print(
            f"{len(articles)} articles of {words:.0f} words, {label}: {len(articles) / seconds:.1f} articles/s (extraction only)"
        )


if __name__ == "__main__":
    main()
