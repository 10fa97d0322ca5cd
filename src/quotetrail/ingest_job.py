"""Ingest files into a store: read → extract → store, with progress and a summary.

Extraction is a pure function of an article, so it can run in worker
processes; storing happens in this process only, one transaction per article
(a single writer keeps SQLite simple and safe).  Ctrl-C stops reading but
everything already committed stays; the summary says how far it got.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .ingest import DEFAULT_MAX_BYTES, read_paths
from .model import Article, Extraction, Problem
from .pipeline import extract
from .speakers import merge_speakers
from .store import Store


@dataclass
class Summary:
    """What an ingest run did."""

    files: set[str] = field(default_factory=set)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quotations: int = 0
    problems: list[Problem] = field(default_factory=list)
    interrupted: bool = False

    @property
    def articles(self) -> int:
        return self.new + self.updated + self.unchanged

    def line(self) -> str:
        text = (
            f"{len(self.files)} files read: {self.new} new, {self.updated} updated, {self.unchanged} unchanged "
            f"articles; {self.quotations} quotations; {len(self.problems)} errors"
        )
        return text + (" (interrupted)" if self.interrupted else "")


def _source_file(source: str) -> str:
    return source.split("#", 1)[0]


def _extractions(articles: Iterable[Article], workers: int) -> Iterator[Extraction]:
    if workers <= 1:
        for article in articles:
            yield extract(article)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(extract, articles, chunksize=4)


def ingest_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    sidecar: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    workers: int = 1,
    on_problem: Callable[[Problem], None] | None = None,
    on_article: Callable[[Extraction, str], None] | None = None,
) -> Summary:
    """Read every file under ``paths`` into ``store`` and return what happened."""
    summary = Summary()

    def articles() -> Iterator[Article]:
        db = Path(store.path)
        own_files = [db, *(db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]
        for item in read_paths(paths, sidecar=sidecar, max_bytes=max_bytes, exclude=own_files):
            if isinstance(item, Problem):
                summary.files.add(_source_file(item.path))
                summary.problems.append(item)
                store.add_problem(item)
                if on_problem:
                    on_problem(item)
                continue
            summary.files.add(_source_file(item.source))
            yield item

    try:
        for extraction in _extractions(articles(), workers):
            status = store.add_extraction(extraction)
            setattr(summary, status, getattr(summary, status) + 1)
            if status != "unchanged":
                summary.quotations += len(extraction.quotations)
            if on_article:
                on_article(extraction, status)
    except KeyboardInterrupt:
        summary.interrupted = True
    if summary.new or summary.updated:
        store.replace_speakers(merge_speakers(store.speaker_mentions()))
    return summary
