"""Which inputs a Spark job reads, and how one file or one table row becomes cleaned articles.

The driver lists the inputs (``plan_inputs``) with the same walk that
``ingest`` uses, so files come in the same order and carry the same source
names; every entry gets its position in that listing, its *ordinal*, which
decides which copy of a repeated article is kept (the first, as ``ingest``
keeps it).  Files of the supported formats are then read inside the
executors, one task reading a whole file, with the very readers of
``ingest`` (``read_paths``).  Parquet files hold one article per row and are
read by Spark itself, split across tasks; each row is mapped to an article
with the JSON field mapping of ``ingest.jsonl`` (``read_row``).

File inputs must be visible at the same path on every executor (a local
run, or a shared file system); Parquet may also be named by any URI Spark
reads (``hdfs://``, ``s3a://``, ...).
"""

from __future__ import annotations

import datetime as dt
import glob
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

from ..clean import clean_article
from ..faults import problem_from_exception
from ..ingest import DEFAULT_MAX_BYTES, Skipped, display_path, find_files, read_paths
from ..ingest.jsonl import read_object
from ..model import Article, InputError, Problem

PARQUET_SUFFIXES = (".parquet", ".pq")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/")
_GLOB = re.compile(r"[*?\[]")


@dataclass
class InputPlan:
    """The driver's listing: files for the readers, Parquet tables, and what could not be listed.

    Every entry carries its ordinal (its position in the listing).
    """

    files: list[tuple[int, str]] = field(default_factory=list)
    parquet: list[tuple[int, str]] = field(default_factory=list)
    remote_parquet: list[str] = field(default_factory=list)  # URIs Spark lists itself
    problems: list[tuple[int, Problem]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Ordinals used so far: remote Parquet files are numbered after them."""
        return len(self.files) + len(self.parquet) + len(self.problems)


def is_parquet(path: str) -> bool:
    return path.lower().endswith(PARQUET_SUFFIXES)


def _expand(raw: str) -> list[str]:
    """A named input as paths: a glob is expanded (sorted) unless a file has that very name."""
    if raw.startswith("file:"):
        raw = unquote(re.sub(r"^file:(//)?", "", raw))
    if _GLOB.search(raw) and not Path(raw).exists():
        return sorted(glob.glob(raw, recursive=True))
    return [raw]


def plan_inputs(inputs: Sequence[str]) -> InputPlan:
    """List every input the way ``ingest`` does: folders walked in name order, hidden entries skipped.

    A glob that matches nothing, a missing file, a dangling link or an
    unreadable folder is a Problem in the plan (and an ``errors/`` row).
    """
    plan = InputPlan()
    local: list[str] = []
    for raw in inputs:
        if _URI.match(raw) and not raw.startswith("file:"):  # hdfs://, s3a://...: Parquet that Spark lists
            plan.remote_parquet.append(raw)
            continue
        found = _expand(raw)
        if not found:
            plan.problems.append((plan.size, Problem(raw, "read", "no file or folder matches this pattern")))
        local += found
    for item in find_files(local):
        if isinstance(item, Skipped):
            plan.skipped.append(item)
        elif isinstance(item, Problem):
            plan.problems.append((plan.size, item))
        elif is_parquet(item.name):
            plan.parquet.append((plan.size, str(item)))
        else:
            plan.files.append((plan.size, str(item)))
    return plan


def read_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | Problem]:
    """The cleaned articles of one file, or Problems: exactly what ``ingest`` reads from it."""
    for item in read_paths([path], max_bytes=max_bytes):
        if not isinstance(item, Skipped):
            yield item


def shown_path(uri: str) -> str:
    """A file Spark names by URI, as ``ingest`` would name it: ``file:/a%20b`` → ``/a b``."""
    if uri.startswith("file:"):
        return display_path(unquote(re.sub(r"^file:(//)?", "", uri)))
    return uri


def _plain(value: object) -> object:
    """A Parquet cell as JSON would hold it: dates and times as ISO text, decimals as numbers."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def read_row(record: dict[str, object], path: str, number: int) -> Iterator[Article | Problem]:
    """One table row (row ``number`` of ``path``, from 1) as a cleaned article, or Problems.

    The row's columns are read like the keys of a JSON object (``text`` or
    ``body``..., ``title``, ``url``, ``published``...), so a Parquet export of
    a JSONL archive gives the same articles; a bad row is reported like a bad
    JSONL line: the file, ``row N:`` and the reason.
    """
    source = f"{path}#row{number}"
    obj = {key: _plain(value) for key, value in record.items() if value is not None}
    try:
        article, date_note = read_object(obj, source)
    except InputError as err:
        yield Problem(path, err.stage, f"row {number}: {err.reason}")
        return
    if date_note:
        yield Problem(path, "parse", f"row {number}: {date_note}")
    try:
        yield clean_article(article)
    except InputError as err:
        yield replace(err.problem(), path=source)
    except Exception as err:  # one row's failure stays with that row
        yield problem_from_exception(source, "clean", err)


__all__ = ["PARQUET_SUFFIXES", "InputPlan", "is_parquet", "plan_inputs", "read_file", "read_row", "shown_path"]
