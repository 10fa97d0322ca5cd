"""The executor side: models loaded once per Python worker process, then ``try_extract`` per article.

Spark runs the functions here in its Python workers.  With
``spark.python.worker.reuse=true`` (set by ``job.spark_session``) a worker
process lives on from task to task, so the first task in a process loads
the models (HanTa's morphology, the CRF taggers, the language detector:
they are module-level caches in quotetrail) by extracting one small
article, and every later partition in that process finds them loaded.  Each
loading is counted in an accumulator and every process that ran a task
adds its pid to another, which is how the tests prove it happens once per
process, not per partition.

Nothing here raises for an article: reading and cleaning failures come
from the readers as Problems, extraction goes through
``pipeline.try_extract`` (the same fault-isolated call every batch path
uses), and anything else that goes wrong with one article becomes a
Problem of stage ``spark``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..clean import clean_article
from ..faults import DEFAULT_TIME_BUDGET, problem_from_exception
from ..ingest import DEFAULT_MAX_BYTES
from ..model import Article, Extraction, Problem
from ..pipeline import try_extract
from .inputs import read_file, read_row, shown_path
from .rows import article_values, error_values, extraction_to_rows, quotation_values

#: A short German article with a quotation, a speaker and a date: extracting it loads every model.
_WARM_UP = (
    "Berlin, 22. Mai 2024. „Wir werden die Ukraine weiter unterstützen“, sagte Bundeskanzler Olaf Scholz "
    "am Mittwoch. Er fügte hinzu, man sei zu Gesprächen bereit."
)

#: The pid of the process whose models are loaded: a forked child does not count as loaded.
_loaded_in: int | None = None

#: One output record: ordinal (file, item), article values, quotation values, error values.
Record = tuple[int, int, tuple[object, ...] | None, list[tuple[object, ...]], tuple[str, ...] | None]


@dataclass(frozen=True)
class Settings:
    """What the executors need to know of the job's options."""

    max_bytes: int = DEFAULT_MAX_BYTES
    time_budget: float | None = DEFAULT_TIME_BUDGET


@dataclass(frozen=True)
class Counters:
    """Accumulators the driver reads after the job: model loadings, and the pids of the workers."""

    loadings: Any
    pids: Any


def ensure_models(counters: Counters | None) -> bool:
    """Load the models in this process unless they are loaded; True when this call loaded them."""
    global _loaded_in
    pid = os.getpid()
    if counters is not None:
        counters.pids.add({pid})
    if _loaded_in == pid:
        return False
    try_extract(clean_article(Article(id="", source="warm-up", text=_WARM_UP, language="de")), None)
    _loaded_in = pid
    if counters is not None:
        counters.loadings.add(1)
    return True


def _record(ordinal: tuple[int, int], item: Article | Problem, settings: Settings) -> Record:
    """One article extracted (or one problem) as an output record; never raises."""
    file_no, item_no = ordinal
    if isinstance(item, Problem):
        return (file_no, item_no, None, [], error_values(item))
    result = try_extract(item, settings.time_budget)
    if isinstance(result, Problem):
        return (file_no, item_no, None, [], error_values(result))
    try:
        return (file_no, item_no, *_values(result), None)
    except Exception as err:  # a bug in turning rows into values stays with its article
        return (file_no, item_no, None, [], error_values(problem_from_exception(item.source, "spark", err)))


def _values(extraction: Extraction) -> tuple[tuple[object, ...], list[tuple[object, ...]]]:
    return article_values(extraction.article), [quotation_values(r) for r in extraction_to_rows(extraction)]


def extract_files(
    files: Iterable[tuple[int, str]], settings: Settings, counters: Counters | None = None
) -> Iterator[Record]:
    """``mapPartitions`` over ``(ordinal, path)``: every article of every file, extracted."""
    ensure_models(counters)
    for file_no, path in files:
        items = read_file(path, settings.max_bytes)
        for item_no, item in enumerate(_guarded(items, path)):
            yield _record((file_no, item_no), item, settings)


def extract_rows(
    rows: Iterable[Any], ordinals: dict[str, int], settings: Settings, counters: Counters | None = None
) -> Iterator[Record]:
    """``mapPartitions`` over Parquet rows carrying ``_file`` and ``_row``: one article per row."""
    ensure_models(counters)
    for row in rows:
        record = row.asDict(recursive=True)
        uri, index = record.pop("_file"), record.pop("_row")
        file_no = ordinals.get(shown_path(uri), 0)
        for step, item in enumerate(_guarded(read_row(record, shown_path(uri), index + 1), uri)):
            # a row gives at most a date problem and its article: two items, kept in that order
            yield _record((file_no, 2 * index + step), item, settings)


def _guarded(items: Iterator[Article | Problem], where: str) -> Iterator[Article | Problem]:
    """The readers never raise for bad input; should one still do so, its file becomes a Problem."""
    try:
        yield from items
    except Exception as err:
        yield problem_from_exception(where, "read", err)


__all__ = ["Counters", "Record", "Settings", "ensure_models", "extract_files", "extract_rows"]
