"""Ingest speed and peak memory on articles the process has never seen.

Usage: .venv/bin/python bench/ingest_speed.py

Why "never seen": HanTa's word analyses are memoised, so text the process has
already tagged goes several times faster than new text.  Every figure below
is therefore taken on articles not tagged before in the process:

- examples: the five demo articles, right after start-up;
- cold: 435-word articles (two wikinews-quotes dev texts joined) ingested by a
  fresh process: the speed of a first, small ingest;
- steady: after the 700 train-split texts have been extracted (what a process
  sees after a while on a large archive), ingest of other 435-word dev articles.

Ingest includes reading, cleaning, language detection, extraction and storing.
The steady run also splits extraction time by stage, to keep the date resolver
under a fifth of it and to show where the time goes.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the figures are the CRF path's (--fast) unless the environment names a tagger; the encoder's extraction
# speed is bench/encoder_speed.py's
os.environ.setdefault("QUOTETRAIL_QUOTATIONS", "crf")
from _paths import CORPORA, ROOT
from quotetrail.analyse import _tagger, analyse
from quotetrail.dates import date_quotations, find_dates
from quotetrail.ingest_job import ingest_paths
from quotetrail.model import Article, Doc
from quotetrail.pipeline import extract
from quotetrail.quotations import find_quotations, learned
from quotetrail.speakers import resolve_speakers
from quotetrail.store import open_store


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ingest(label: str, paths: list[Path]) -> float:
    """Ingest ``paths`` into a new store, print the speed and return seconds per article."""
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
        return seconds / max(summary.articles, 1)


def stage_times(articles: list[Article]) -> float:
    """Time per stage on ``articles`` (tagged once before by ``ingest``: analysis is memoised here)."""
    t_analyse = t_quotes = t_speakers = t_dates = 0.0
    docs = []
    for article in articles:
        t0 = time.perf_counter()
        doc = analyse(article)
        docs.append(doc)
        t1 = time.perf_counter()
        quotes = find_quotations(doc)
        t2 = time.perf_counter()
        resolve_speakers(doc, quotes)
        t3 = time.perf_counter()
        date_quotations(doc, quotes, find_dates(doc))
        t4 = time.perf_counter()
        t_analyse += t1 - t0
        t_quotes += t2 - t1
        t_speakers += t3 - t2
        t_dates += t4 - t3
    n = len(articles)
    total = t_quotes + t_speakers + t_dates
    learned_ms = 1000 * learned_cost(docs) / n
    print(
        f"  after tagging, per article: quotations {1000 * t_quotes / n:.1f} ms, speakers {1000 * t_speakers / n:.1f} ms, "
        f"dates {1000 * t_dates / n:.1f} ms ({100 * t_dates / (total + t_analyse):.0f}% of extraction); "
        f"analyse with memoised words {1000 * t_analyse / n:.1f} ms"
    )
    print(
        f"  the learned taggers (quote tagger and attribution, with their features) take {learned_ms:.1f} ms "
        "per article of that"
    )
    return learned_ms


def learned_cost(docs: list[Doc]) -> float:
    """Seconds that the learned taggers add to quotation finding over ``docs`` (rules only without them):
    the best of three runs each, after a garbage collection, so that a collection that happens to fall
    into one run does not count."""

    def best_of_three() -> float:
        times = []
        for _ in range(3):
            gc.collect()
            started = time.perf_counter()
            for doc in docs:
                find_quotations(doc)
            times.append(time.perf_counter() - started)
        return min(times)

    with_models = best_of_three()
    with tempfile.TemporaryDirectory() as empty, patch.object(learned, "model_file", lambda name: Path(empty) / name):
        without = best_of_three()
    return with_models - without


def write_articles(articles: list[Article], folder: Path) -> Path:
    folder.mkdir()
    for i, article in enumerate(articles):
        (folder / f"{i:04d}.txt").write_text(article.text, encoding="utf-8")
    return folder


def dev_articles() -> list[Article]:
    """~435-word articles: consecutive wikinews-quotes dev texts joined in pairs."""
    texts = [
        json.loads(p.read_text(encoding="utf-8"))["originalText"]
        for p in sorted((CORPORA / "wikinews-quotes" / "dev").glob("*.json"))
    ]
    return [
        Article(id=f"dev{i}", source="bench", text=a + "\n\n" + b, language="de")
        for i, (a, b) in enumerate(zip(texts[::2], texts[1::2], strict=False))
    ]


def main() -> None:
    compiled = _tagger()._compiled is not None
    print(f"HanTa's searches: {'compiled' if compiled else 'Python (quotetrail._morphsearch was not built)'}")
    engine = type(learned._tagger_at(str(learned.model_file(learned.QUOTE_MODEL)))).__module__
    print(
        f"taggers scored by: {'quotetrail._crf' if engine == 'quotetrail._crf' else 'pycrfsuite (quotetrail._crf was not built)'}"
    )
    ingest("examples (start-up included)", [ROOT / "examples"])
    if not (CORPORA / "wikinews-quotes" / "dev").exists():
        print("wikinews-quotes not found beside the repository; skipped")
        return
    articles = dev_articles()
    cold, steady = articles[: len(articles) // 2], articles[len(articles) // 2 :]
    with tempfile.TemporaryDirectory() as tmp:
        ingest("cold: unseen dev articles", [write_articles(cold, Path(tmp) / "cold")])
        started = time.perf_counter()
        train = sorted((CORPORA / "wikinews-quotes" / "train").glob("*.json"))
        for path in train:
            extract(Article(id=path.name, source="bench", text=json.loads(path.read_text("utf-8"))["originalText"]))
        print(f"  (warm-up: {len(train)} train texts extracted in {time.perf_counter() - started:.1f} s)")
        per_article = ingest("steady: unseen dev articles", [write_articles(steady, Path(tmp) / "steady")])
        learned_ms = stage_times(steady)
        print(
            f"  steady ingest without the learned taggers (rules only) would run at "
            f"{1 / (per_article - learned_ms / 1000):.1f} articles/s, with them {1 / per_article:.1f} articles/s"
        )


if __name__ == "__main__":
    main()
