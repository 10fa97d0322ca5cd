"""Reading a Spark output folder back without Spark: what ``quotetrail load OUTPUT`` and the checks use.

Spark writes each dataset as a folder of ``part-*.parquet`` files (plus
``_SUCCESS`` and checksum files); the parts, taken in name order, hold the
rows in the order the job wrote them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..ledgerfile import BATCH, read_ledger
from ..model import Article, LedgerRow, Problem
from .rows import ARTICLE_FIELDS, ERROR_FIELDS

DATASETS = ("articles", "quotations", "errors")


def part_files(output: str | Path, name: str) -> list[Path]:
    """The Parquet parts of one dataset, in order; FileNotFoundError if the job did not finish it."""
    folder = Path(output) / name
    if not (folder / "_SUCCESS").exists():
        raise FileNotFoundError(f"{folder} is not a finished Spark dataset (no _SUCCESS file)")
    return sorted(p for p in folder.iterdir() if p.suffix == ".parquet" and not p.name.startswith((".", "_")))


def dataset_rows(output: str | Path, name: str) -> list[dict[str, Any]]:
    """Every row of one dataset as dicts, in the order written (for checks and small outputs)."""
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = []
    for part in part_files(output, name):
        rows += pq.read_table(str(part)).to_pylist()
    return rows


def _records(output: str | Path, name: str) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    for part in part_files(output, name):
        for batch in pq.ParquetFile(str(part)).iter_batches(batch_size=BATCH):
            yield from batch.to_pylist()


def iter_articles(output: str | Path) -> Iterator[Article]:
    """The ``articles/`` rows as Articles with their text (streamed: memory stays flat)."""
    for record in _records(output, "articles"):
        yield Article(**{name: record[name] for name in ARTICLE_FIELDS})


def iter_errors(output: str | Path) -> Iterator[Problem]:
    """The ``errors/`` rows as Problems, to record as ``ingest`` records them."""
    for record in _records(output, "errors"):
        yield Problem(**{name: record[name] for name in ERROR_FIELDS})


def iter_quotations(output: str | Path) -> Iterator[LedgerRow | Problem]:
    """The ``quotations/`` rows as ledger rows, validated as ``load`` validates an export file."""
    for part in part_files(output, "quotations"):
        yield from read_ledger(part, "parquet")


__all__ = ["DATASETS", "dataset_rows", "iter_articles", "iter_errors", "iter_quotations", "part_files"]
