"""The ledger as a file: export writers and load readers for JSONL, CSV and Parquet.

One schema (``model.EXPORT_FIELDS``) in three formats, both directions, so
that ``export`` then ``load`` moves a ledger between databases and machines,
and batch jobs (Spark) deliver their results in the same shape.  Writers and
readers stream: memory stays flat however many rows there are.

A row that cannot be loaded (bad JSON, unknown type, an impossible date) is
reported with its file and line, and the rest still loads.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .model import EXPORT_FIELDS, QUOTATION_TYPES, LedgerRow, Problem
from .store.sqlite import check_date

FORMATS = ("jsonl", "csv", "parquet")
#: Rows per Parquet row group and per load transaction.
BATCH = 5000
_INT_FIELDS = {"start", "end"}
_REQUIRED = ("article_id", "source", "type", "text", "start", "end", "quotation_id")


def format_of(path: str | Path, given: str | None = None) -> str:
    """The format named, or the one a file name ends with; ``jsonl`` for standard input."""
    if given:
        return given
    name = str(path).lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    return "jsonl"


# -- writing ---------------------------------------------------------------------------------


def write_ledger(rows: Iterable[LedgerRow], fmt: str, target: IO[str] | Path) -> int:
    """Write ``rows`` to ``target`` (a text handle, or a path for Parquet); returns the number written."""
    if fmt == "parquet":
        if not isinstance(target, Path):
            raise ValueError("Parquet is written to a file: give -o FILE.parquet")
        return _write_parquet(rows, target)
    handle: IO[str] = target if not isinstance(target, Path) else target.open("w", encoding="utf-8", newline="")
    n = 0
    try:
        if fmt == "jsonl":
            for row in rows:
                handle.write(json.dumps(row.export_dict(), ensure_ascii=False) + "\n")
                n += 1
        elif fmt == "csv":
            writer = csv.DictWriter(handle, fieldnames=list(EXPORT_FIELDS))
            writer.writeheader()
            for row in rows:
                writer.writerow(row.export_dict())
                n += 1
        else:
            raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    finally:
        if isinstance(target, Path):
            handle.close()
    return n


def _parquet_schema() -> Any:
    import pyarrow as pa

    return pa.schema([(name, pa.int64() if name in _INT_FIELDS else pa.string()) for name in EXPORT_FIELDS])


def _write_parquet(rows: Iterable[LedgerRow], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema()
    n = 0
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        batch: list[dict[str, object]] = []
        for row in rows:
            batch.append(row.export_dict())
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        if batch or n == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n


# -- reading ---------------------------------------------------------------------------------


@dataclass
class LoadSummary:
    """What a load did."""

    rows: int = 0
    articles: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.rows} quotations loaded from {len(self.articles)} articles; {len(self.problems)} rows refused"
            + (" (see `quotetrail problems`)" if self.problems else "")
        )


def row_from_dict(record: dict[str, Any]) -> LedgerRow:
    """A validated ledger row from an export record; ValueError saying what is wrong."""
    if not isinstance(record, dict):
        raise ValueError("not an object with the export fields")
    missing = [name for name in _REQUIRED if record.get(name) in (None, "")]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    values: dict[str, Any] = {}
    for name in EXPORT_FIELDS:
        value = record.get(name)
        if value == "" and name not in ("text",):
            value = None
        if name in _INT_FIELDS:
            try:
                value = int(value)
            except (TypeError, ValueError) as err:
                raise ValueError(f"{name} must be a whole number, not {value!r}") from err
            if value < 0:
                raise ValueError(f"{name} must not be negative")
        elif value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be text, not {type(value).__name__}")
        values[name] = value
    if values["type"] not in QUOTATION_TYPES:
        raise ValueError(f"type must be one of {', '.join(QUOTATION_TYPES)}, not {values['type']!r}")
    if values["end"] < values["start"]:
        raise ValueError("end lies before start")
    for name in ("published", "said_on"):
        check_date(values[name], name)
    return LedgerRow(**values)


def read_ledger(source: str | Path, fmt: str | None = None) -> Iterator[LedgerRow | Problem]:
    """Every row of an export file (``-`` for standard input), or a Problem naming the line."""
    kind = format_of(source, fmt)
    label = "<stdin>" if str(source) == "-" else str(source)
    if kind == "parquet":
        yield from _read_parquet(Path(source), label)
        return
    if str(source) == "-":
        handle: IO[str] = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", newline="")
    else:
        try:
            handle = Path(source).open(encoding="utf-8", newline="")  # noqa: SIM115 - closed by the with below
        except OSError as err:
            yield Problem(label, "load", f"cannot read file ({err.strerror})")
            return
    with handle:
        try:
            if kind == "csv":
                for number, record in enumerate(csv.DictReader(handle), start=2):
                    yield _checked(record, f"{label}:{number}")
            else:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                    except (ValueError, RecursionError) as err:
                        yield Problem(f"{label}:{number}", "load", f"invalid JSON ({err})")
                        continue
                    yield _checked(record, f"{label}:{number}")
        except (UnicodeDecodeError, csv.Error) as err:
            yield Problem(label, "load", f"cannot read on ({err}); the rows before were loaded")


def _checked(record: Any, where: str) -> LedgerRow | Problem:
    try:
        return row_from_dict(record)
    except ValueError as err:
        return Problem(where, "load", str(err))


def _read_parquet(path: Path, label: str) -> Iterator[LedgerRow | Problem]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(str(path))
    except Exception as err:  # pyarrow raises its own error kinds for every sort of bad file
        yield Problem(label, "load", f"not a readable Parquet file ({err})")
        return
    number = 0
    for batch in parquet.iter_batches(batch_size=BATCH):
        for record in batch.to_pylist():
            number += 1
            yield _checked(record, f"{label}#row{number}")


def load_ledger(store: Any, sources: Iterable[str | Path], fmt: str | None = None) -> LoadSummary:
    """Load export files into ``store``, idempotently, in transactions of ``BATCH`` rows."""
    summary = LoadSummary()
    for source in sources:
        batch: list[LedgerRow] = []
        for item in read_ledger(source, fmt):
            if isinstance(item, Problem):
                summary.problems.append(item)
                store.add_problem(item)
                continue
            batch.append(item)
            if len(batch) >= BATCH:
                store.load_rows(batch)
                summary.rows += len(batch)
                summary.articles.update(r.article_id for r in batch)
                batch = []
        if batch:
            store.load_rows(batch)
            summary.rows += len(batch)
            summary.articles.update(r.article_id for r in batch)
    return summary
