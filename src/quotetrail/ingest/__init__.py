"""Read articles from files and folders: plain text, HTML, JSON/JSONL and web archives.

``read_paths`` never raises for bad input: each unreadable file (or JSON
line, or archive record) becomes a ``Problem`` naming the file and the
reason, and the run goes on with the rest.  Articles come out cleaned
(``clean.clean_article``) with their content id set.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from ..clean import clean_article
from ..model import Article, InputError, Problem
from .decode import decode_bytes
from .html import parse_html
from .jsonl import parse_json, parse_jsonl
from .sidecar import Sidecar
from .text import date_from_filename, parse_text
from .warc import parse_warc

#: 50 MB: larger single articles are almost certainly not articles.
DEFAULT_MAX_BYTES = 50_000_000

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


def find_files(paths: Iterable[str | Path], exclude: Iterable[Path] = ()) -> Iterator[Path | Problem]:
    """Files named or inside named folders (recursive, sorted, hidden and excluded files skipped)."""
    skip = {p.resolve() for p in exclude}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if (
                    child.is_file()
                    and not any(part.startswith(".") for part in rel.parts)
                    and child.resolve() not in skip
                ):
                    yield child
        elif path.is_file():
            yield path
        elif path.exists():
            yield Problem(str(path), "read", "not a regular file")
        else:
            yield Problem(str(path), "read", "no such file or folder")


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".warc", ".warc.gz")):
        return "warc"
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES or suffix not in {".gz", ".zip", ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".docx"}:
        return "text"
    return "unsupported"


def _read_file(path: Path, max_bytes: int) -> Iterator[Article | InputError]:
    source = str(path)
    kind = _kind(path)
    if kind == "unsupported":
        yield InputError(source, f"unsupported file type {path.suffix!r} (text, HTML, JSON, JSONL or WARC expected)")
        return
    try:
        size = path.stat().st_size
    except OSError as err:
        yield InputError(source, f"cannot read file ({err.strerror})")
        return
    if kind == "warc":
        yield from parse_warc(path, max_bytes)
        return
    if kind == "jsonl":  # streamed line by line: big JSONL files are fine
        yield from _read_jsonl(path, max_bytes)
        return
    if size > max_bytes:
        yield InputError(
            source,
            f"file too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.0f} MB limit); "
            "split it or raise the limit with --max-bytes",
        )
        return
    try:
        data = path.read_bytes()
    except OSError as err:
        yield InputError(source, f"cannot read file ({err.strerror})")
        return
    try:
        text = decode_bytes(data, source)
        if kind == "json":
            yield from parse_json(text, source)
        elif kind == "html" or (kind == "text" and text.lstrip()[:15].lower().startswith(("<!doctype", "<html"))):
            yield parse_html(text, source)
        else:
            yield parse_text(text, source)
    except InputError as err:
        yield err


def _read_jsonl(path: Path, max_bytes: int) -> Iterator[Article | InputError]:
    source = str(path)
    try:
        handle = path.open("rb")
    except OSError as err:
        yield InputError(source, f"cannot read file ({err.strerror})")
        return
    with handle:
        head = handle.read(8192)
        handle.seek(0)
        if not head.strip():
            yield InputError(source, "empty file")
            return
        if b"\x00" in head:
            yield InputError(source, "not a text file: looks like binary data (NUL bytes)", "decode")
            return

        def lines() -> Iterator[str]:
            for number, raw in enumerate(handle, start=1):
                if len(raw) > max_bytes:
                    yield "\x00too-large"
                    continue
                try:
                    yield decode_bytes(raw, f"{source}#{number}") if raw.strip() else ""
                except InputError:
                    yield "\x00undecodable"

        yield from parse_jsonl(lines(), source)


def read_paths(
    paths: Iterable[str | Path],
    sidecar: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    exclude: Iterable[Path] = (),
) -> Iterator[Article | Problem]:
    """Every article in ``paths``, cleaned and with its id, or a Problem per bad input.

    ``exclude`` names files never to read, such as the database being written.
    """
    meta: Sidecar | None = None
    if sidecar is not None:
        try:
            meta = Sidecar(Path(sidecar))
        except InputError as err:
            yield err.problem()
    for item in find_files(paths, exclude):
        if isinstance(item, Problem):
            yield item
            continue
        for result in _read_file(item, max_bytes):
            if isinstance(result, InputError):
                yield result.problem()
                continue
            article = result
            if article.published is None and (day := date_from_filename(item.name)):
                article = replace(article, published=day, published_source="filename")
            if meta is not None:
                article = meta.apply(article, item)
            try:
                yield clean_article(article)
            except InputError as err:
                yield err.problem()


__all__ = ["DEFAULT_MAX_BYTES", "find_files", "read_paths"]
