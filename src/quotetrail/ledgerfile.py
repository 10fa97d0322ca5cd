"""The ledger as a file: export writers and load readers for JSONL, CSV and Parquet.

One schema (``model.EXPORT_FIELDS``) in three formats, both directions, so
that ``export`` then ``load`` moves a ledger between databases and machines,
and batch jobs (Spark) deliver their results in the same shape.  Writers and
readers stream: memory stays flat however many rows there are.

Quotation rows carry their article's metadata but not its text; the
articles themselves (``model.ARTICLE_FIELDS``, text included) travel in a
second file (``export --articles``) or, in a folder such as a Spark output,
as ``articles/`` beside ``quotations/`` (and ``errors/``, loaded as problems).

A row that cannot be loaded (bad JSON, unknown type, an impossible date) is
reported with its file and line, and the rest still loads.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .filters import check_date, check_type
from .model import ARTICLE_FIELDS, EXPORT_FIELDS, Article, LedgerRow, Problem

FORMATS = ("jsonl", "csv", "parquet")
#: What ``export`` writes: the ledger's formats, and schema.org ClaimReview JSON-LD of the claims (claimreview.py).
EXPORT_FORMATS = (*FORMATS, "claimreview")
#: Rows per Parquet row group and per load transaction.
BATCH = 5000
_INT_FIELDS = {"start", "end"}
#: Numbers between 0 and 1 (the speaker stage's and the quote tagger's confidence); may be empty, and
#: ``quote_confidence`` is missing in exports made before it existed (read as empty).
_FLOAT_FIELDS = {"speaker_confidence", "quote_confidence"}
#: true/false (JSON booleans, ``true``/``false`` in CSV); missing in exports older than issue 19, read as false.
_BOOL_FIELDS = {"corrected"}
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


def write_ledger(rows: Iterable[LedgerRow], fmt: str, target: IO[str] | Path, *, excel: bool = False) -> int:
    """Write ``rows`` to ``target`` (a text handle, or a path for Parquet); returns the number written.

    ``excel`` starts a CSV with a byte-order mark: without one, Excel reads a CSV as cp1252 and
    shows "PlÃ¤ne" for "Pläne".  ``load`` reads either.
    """
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
            if excel:
                handle.write("\ufeff")
            writer = csv.DictWriter(handle, fieldnames=list(EXPORT_FIELDS))
            writer.writeheader()
            for row in rows:
                writer.writerow(_csv_record(row))
                n += 1
        else:
            raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    finally:
        if isinstance(target, Path):
            handle.close()
    return n


def _csv_record(row: LedgerRow) -> dict[str, object]:
    """The export record with booleans as ``true``/``false`` (what JSON writes), not Python's ``True``."""
    record = row.export_dict()
    for name in _BOOL_FIELDS:
        record[name] = "true" if record[name] else "false"
    return record


def _parquet_schema() -> Any:
    import pyarrow as pa

    def kind(name: str) -> Any:
        if name in _BOOL_FIELDS:
            return pa.bool_()
        return pa.int64() if name in _INT_FIELDS else pa.float64() if name in _FLOAT_FIELDS else pa.string()

    return pa.schema([(name, kind(name)) for name in EXPORT_FIELDS])


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


def write_articles(articles: Iterable[Article], fmt: str, target: Path) -> int:
    """Write articles with their text (``ARTICLE_FIELDS``) as JSONL or Parquet; returns the number written."""
    records = ({name: getattr(a, name) for name in ARTICLE_FIELDS} for a in articles)
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([(name, pa.string()) for name in ARTICLE_FIELDS])
        n = 0
        with pq.ParquetWriter(str(target), schema, compression="zstd") as writer:
            batch: list[dict[str, object]] = []
            for record in records:
                batch.append(record)
                if len(batch) >= BATCH:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    n, batch = n + len(batch), []
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            return n + len(batch)
    if fmt != "jsonl":
        raise ValueError("articles are written as JSONL or Parquet (their text does not fit CSV well)")
    n = 0
    with target.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    return n


# -- reading ---------------------------------------------------------------------------------


@dataclass
class LoadSummary:
    """What a load did."""

    rows: int = 0
    articles: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    claims: int = 0  # claims rebuilt from the claim ids the rows carried

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
        elif name in _FLOAT_FIELDS:
            value = _share(name, value)
        elif name in _BOOL_FIELDS:
            value = _flag(name, value)
        elif value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be text, not {type(value).__name__}")
        values[name] = value
    if not values["type"]:
        raise ValueError("type is missing")
    check_type(values["type"])
    if values["end"] < values["start"]:
        raise ValueError("end lies before start")
    for name in ("published", "said_on"):
        check_date(values[name], name)
    return LedgerRow(**values)


def _flag(name: str, value: Any) -> bool:
    """true/false from JSON, Parquet or CSV text; missing (an older export) is false."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "wahr", "falsch"):
        return value.strip().lower() in ("true", "1", "wahr")  # WAHR/FALSCH: a German spreadsheet's
    raise ValueError(f"{name} must be true or false, not {value!r}")


def _share(name: str, value: Any) -> float | None:
    """A number from 0 to 1 (JSON number, or text in CSV), or None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number from 0 to 1, not {value!r}")
    try:
        number = float(value.replace(",", ".", 1) if isinstance(value, str) else value)  # 0,95 from a German sheet
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a number from 0 to 1, not {value!r}") from err
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be a number from 0 to 1, not {value!r}")
    return number


def read_ledger(source: str | Path, fmt: str | None = None) -> Iterator[LedgerRow | Problem]:
    """Every row of an export file (``-`` for standard input), or a Problem naming the line."""
    kind = format_of(source, fmt)
    label = "<stdin>" if str(source) == "-" else str(source)
    if kind == "parquet" or (str(source) != "-" and Path(source).is_dir()):
        yield from _read_parquet(Path(source), label)
        return
    try:
        raw = sys.stdin.buffer if str(source) == "-" else Path(source).open("rb")  # noqa: SIM115 - closed below
    except OSError as err:
        yield Problem(label, "load", f"cannot read file ({err.strerror})")
        return
    buffered = io.BufferedReader(raw, buffer_size=_SNIFF_BYTES)  # type: ignore[arg-type]
    encoding = _csv_encoding(buffered.peek(_SNIFF_BYTES)) if kind == "csv" else "utf-8"
    with io.TextIOWrapper(buffered, encoding=encoding, newline="") as handle:
        try:
            if kind == "csv":
                header = handle.readline()
                fields = next(csv.reader([header], delimiter=_delimiter(header)), [])
                records = csv.DictReader(handle, fieldnames=fields, delimiter=_delimiter(header))
                for number, record in enumerate(records, start=2):
                    yield _checked(record, f"{label}:{number}")
            else:
                for where, record in _json_records(handle, label):
                    yield record if isinstance(record, Problem) else _checked(record, where)
        except UnicodeDecodeError as err:
            yield Problem(
                label, "load", f"not {encoding} text from here on ({err.reason}); the rows before were loaded"
            )
        except csv.Error as err:
            yield Problem(label, "load", f"cannot read on ({err}); the rows before were loaded")


#: How much of a CSV is read to tell its encoding.
_SNIFF_BYTES = 1 << 16


def _csv_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 by its BOM, else cp1252: what a spreadsheet saves a CSV as.

    German Excel writes "CSV (Trennzeichen-getrennt)" in cp1252 with semicolons; an export
    edited there and loaded back must not fail on its first umlaut.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a character cut at the end is fine
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _delimiter(header: str) -> str:
    """The CSV's field separator, read off its header row: comma (ours), semicolon (German Excel) or tab."""
    return max((",", ";", "\t"), key=header.count)


def _checked(record: Any, where: str) -> LedgerRow | Problem:
    try:
        return row_from_dict(record)
    except ValueError as err:
        return Problem(where, "load", str(err))


def _parquet_records(path: Path, label: str) -> Iterator[dict[str, Any] | Problem]:
    """Records of a Parquet file or of a dataset folder (``part-*.parquet`` files, as Spark writes them)."""
    import pyarrow.dataset as ds

    try:
        dataset = ds.dataset(str(path), format="parquet")
        batches = dataset.to_batches(batch_size=BATCH)
        for batch in batches:
            yield from batch.to_pylist()
    except Exception as err:  # pyarrow raises its own error kinds for every sort of bad file
        yield Problem(label, "load", f"not a readable Parquet file or dataset ({err})")


def _read_parquet(path: Path, label: str) -> Iterator[LedgerRow | Problem]:
    for number, record in enumerate(_parquet_records(path, label), start=1):
        yield record if isinstance(record, Problem) else _checked(record, f"{label}#row{number}")


def article_from_dict(record: dict[str, Any]) -> Article:
    """A validated article from an exported record; ValueError saying what is wrong."""
    if not isinstance(record, dict):
        raise ValueError("not an object with the article fields")
    values = {name: record.get(name) for name in ARTICLE_FIELDS}
    for name in ("id", "source", "text"):
        if not isinstance(values[name], str) or (name != "text" and not values[name]):
            raise ValueError(f"{name} must be text")
    for name, value in values.items():
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be text, not {type(value).__name__}")
    check_date(values["published"], "published")
    return Article(**values)


def read_articles(source: Path) -> Iterator[Article | Problem]:
    """Articles of an ``export --articles`` file (JSONL or Parquet) or a Spark ``articles/`` dataset."""
    label = str(source)
    if source.is_dir() or format_of(source) == "parquet":
        records: Iterable[tuple[str, Any]] = (
            (f"{label}#row{n}", r) for n, r in enumerate(_parquet_records(source, label), start=1)
        )
    else:
        records = _json_lines(source, label)
    for where, record in records:
        if isinstance(record, Problem):
            yield record
            continue
        try:
            yield article_from_dict(record)
        except ValueError as err:
            yield Problem(where, "load", str(err))


def _json_lines(path: Path, label: str) -> Iterator[tuple[str, Any]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as err:
        yield label, Problem(label, "load", f"cannot read file ({err.strerror})")
        return
    with handle:
        yield from _json_records(handle, label)


def _json_records(handle: IO[str], label: str) -> Iterator[tuple[str, Any]]:
    """``(file:line, record)`` per non-blank line of a JSONL handle; a Problem in place of a bad line."""
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            yield f"{label}:{number}", json.loads(line)
        except (ValueError, RecursionError) as err:
            yield f"{label}:{number}", Problem(f"{label}:{number}", "load", f"invalid JSON ({err})")


def _folder_parts(folder: Path) -> tuple[list[Path], list[Path], list[Path]]:
    """``articles``, ``quotations`` and ``errors`` datasets or files of an output folder."""

    def named(stem: str) -> list[Path]:
        return sorted(p for p in folder.iterdir() if p.name.split(".")[0] == stem and not p.name.startswith("."))

    return named("articles"), named("quotations"), named("errors")


def load_ledger(
    store: Any, sources: Iterable[str | Path], fmt: str | None = None, articles: Iterable[Path] = ()
) -> LoadSummary:
    """Load exports into ``store``, idempotently, in transactions of ``BATCH`` rows.

    A source may be a file of quotation rows, ``-`` (standard input), or a
    folder holding ``articles``, ``quotations`` and ``errors`` (a Spark
    output, or an export written with ``--articles``): articles load first,
    so their quotations find their text.
    """
    summary = LoadSummary()
    article_files = list(articles)
    quotation_files: list[str | Path] = []
    for source in sources:
        path = Path(source)
        if str(source) != "-" and path.is_dir():
            found_articles, found_quotations, found_errors = _folder_parts(path)
            if not (found_articles or found_quotations or found_errors):
                summary.problems.append(Problem(str(path), "load", "no articles, quotations or errors in this folder"))
            article_files += found_articles
            quotation_files += found_quotations
            for errors in found_errors:
                for record in _parquet_records(errors, str(errors)):
                    if isinstance(record, dict):
                        problem = Problem(
                            str(record.get("path") or errors),
                            str(record.get("stage") or "extract"),
                            str(record.get("reason") or "failed in the batch job"),
                            str(record.get("error") or ""),
                            str(record.get("fingerprint") or ""),
                        )
                    else:
                        problem = record
                    store.add_problem(problem)
                    summary.problems.append(problem)
        else:
            quotation_files.append(source)
    for article_file in article_files:
        batch: list[Article] = []
        for item in read_articles(Path(article_file)):
            if isinstance(item, Problem):
                summary.problems.append(item)
                store.add_problem(item)
                continue
            batch.append(item)
            if len(batch) >= BATCH // 10:
                store.load_articles(batch)
                batch = []
        if batch:
            store.load_articles(batch)
    for source in quotation_files:
        rows: list[LedgerRow] = []
        for item in read_ledger(source, None if Path(str(source)).is_dir() else fmt):
            if isinstance(item, Problem):
                summary.problems.append(item)
                store.add_problem(item)
                continue
            rows.append(item)
            if len(rows) >= BATCH:
                _store_rows(store, rows, summary)
                rows = []
        if rows:
            _store_rows(store, rows, summary)
    summary.claims = store.restore_claims()
    return summary


def _store_rows(store: Any, rows: list[LedgerRow], summary: LoadSummary) -> None:
    store.load_rows(rows)
    summary.rows += len(rows)
    summary.articles.update(r.article_id for r in rows)
