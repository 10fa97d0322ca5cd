"""Read articles from files and folders: plain text, HTML, JSON/JSONL and web archives.

``read_paths`` never raises for bad input: each unreadable file (or JSON
line, or archive record) becomes a ``Problem`` naming the file and the
reason, and the run goes on with the rest.  Articles come out cleaned
(``clean.clean_article``) with their content id set.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from ..clean import clean_article
from ..faults import problem_from_exception
from ..messages import Message
from ..model import Article, InputError, Problem
from .decode import BINARY_DATA, decode_bytes, wide_encoding
from .html import parse_html
from .jsonl import parse_json, parse_jsonl
from .sidecar import Sidecar
from .text import date_from_filename, read_text
from .warc import parse_warc

#: 2 MB per file, JSON line or archive record.  Extraction is linear but not free: a 1 MB text
#: takes about 9 s of CPU and 700 MB of memory (``bench/extract_corpora.py --scaling``), so 2 MB
#: is about 20 s and 1.4 GB; a news article is rarely above 100 kB.  Raise it with --max-bytes.
DEFAULT_MAX_BYTES = 2_000_000

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


@dataclass(frozen=True, slots=True)
class Skipped:
    """A path found but deliberately not read (hidden entries, the database itself): counted, not an error."""

    path: str
    reason: str


def display_path(path: Path | str) -> str:
    """A path as text that can always be stored and printed.

    File names that are not valid UTF-8 reach Python as lone surrogates
    (``a\udcff.txt``); they are shown with the undecodable bytes escaped
    (``a\\xff.txt``) so that storing or printing them cannot fail.
    """
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Path | Problem | Skipped]:
    """Every entry below ``folder`` in name order; unreadable folders and link loops are reported."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as err:
        yield Problem.of(
            display_path(folder), "read", Message("cannot list folder ({error})", error=err.strerror or err)
        )
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            yield Skipped(display_path(path), "hidden")
            continue
        yield from _entry(path, seen)


def _entry(path: Path, seen: set[tuple[int, int]]) -> Iterator[Path | Problem | Skipped]:
    """One named or found path: a file to read, a folder to walk, or a reason why not."""
    shown = display_path(path)
    try:
        info = path.stat()  # follows links
    except FileNotFoundError:
        reason = Message("dangling symbolic link") if path.is_symlink() else Message("no such file or folder")
        yield Problem.of(shown, "read", reason)
        return
    except OSError as err:
        yield Problem.of(shown, "read", Message("cannot read ({error})", error=err.strerror or err))
        return
    if stat.S_ISDIR(info.st_mode):
        key = (info.st_dev, info.st_ino)
        if key in seen:
            yield Problem.of(shown, "read", Message("symbolic link loop: this folder was already read"))
            return
        seen.add(key)
        yield from _walk(path, seen)
    elif stat.S_ISREG(info.st_mode):
        yield path
    elif stat.S_ISFIFO(info.st_mode):
        yield Problem.of(shown, "read", Message("not a regular file (named pipe (FIFO))"))
    else:
        yield Problem.of(shown, "read", Message("not a regular file (socket or device)"))


def find_files(paths: Iterable[str | Path], exclude: Iterable[Path] = ()) -> Iterator[Path | Problem | Skipped]:
    """Files named or inside named folders (recursive, sorted), or a Problem/Skipped for every other path.

    Nothing vanishes: folders that cannot be listed, dangling links, link
    loops, pipes and devices each come out as a Problem with the reason;
    hidden entries and ``exclude`` (the database being written) as Skipped.
    """
    skip = set()
    for p in exclude:
        with contextlib.suppress(OSError):
            skip.add(p.resolve())
    seen: set[tuple[int, int]] = set()
    for raw in paths:
        for item in _entry(Path(raw), seen):
            if isinstance(item, Path) and skip and item.resolve() in skip:
                yield Skipped(display_path(item), "the database being written")
                continue
            yield item


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
        yield InputError(
            source,
            Message("unsupported file type {suffix!r} (text, HTML, JSON, JSONL or WARC expected)", suffix=path.suffix),
        )
        return
    try:
        size = path.stat().st_size
    except OSError as err:
        yield InputError(source, Message("cannot read file ({error})", error=err.strerror))
        return
    if kind == "warc":
        yield from parse_warc(path, max_bytes)
        return
    if kind == "jsonl":  # streamed line by line: big JSONL files are fine
        yield from _read_jsonl(path, max_bytes)
        return
    if size > max_bytes:
        message = Message(
            "file too large ({size} MB > {limit} MB limit); split it or raise the limit with --max-bytes",
            size=f"{size / 1e6:.1f}",
            limit=f"{max_bytes / 1e6:.0f}",
        )
        yield InputError(source, message)
        return
    try:
        data = path.read_bytes()
    except OSError as err:
        yield InputError(source, Message("cannot read file ({error})", error=err.strerror))
        return
    try:
        text = decode_bytes(data, source)
        if kind == "json":
            yield from parse_json(text, source)
        elif kind == "html" or (kind == "text" and text.lstrip()[:15].lower().startswith(("<!doctype", "<html"))):
            yield parse_html(text, source)
        else:
            yield from read_text(text, source)
    except InputError as err:
        yield err


def _read_jsonl(path: Path, max_bytes: int) -> Iterator[Article | InputError]:
    source = str(path)
    try:
        handle = path.open("rb")
    except OSError as err:
        yield InputError(source, Message("cannot read file ({error})", error=err.strerror))
        return
    with handle:
        head = handle.read(8192)
        handle.seek(0)
        if not head.strip():
            yield InputError(source, Message("empty file"))
            return
        wide = wide_encoding(head)
        if wide is not None and wide[0] != "utf-8-sig":  # UTF-16/32: decode the stream, line by line
            handle.seek(wide[1])
            yield from parse_jsonl(_wide_lines(handle, wide[0], max_bytes), source)
            return
        if b"\x00" in head:
            yield InputError(source, Message("not a text file: looks like {what}", what=BINARY_DATA), "decode")
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


def _articles_of(item: Path, max_bytes: int, meta: Sidecar | None) -> Iterator[Article | Problem]:
    """The cleaned articles of one file, or Problems; a failure in one file never leaves it."""
    source = display_path(item)
    found = False
    try:
        for result in _read_file(item, max_bytes):
            found = True
            if isinstance(result, InputError):
                yield replace(result.problem(), path=display_path(result.path))
                continue
            article = result
            if article.source != display_path(article.source):
                article = replace(article, source=display_path(article.source))
            try:
                if article.published is None and (day := date_from_filename(item.name)):
                    article = replace(article, published=day, published_source="filename")
                if meta is not None:
                    article = meta.apply(article, item)
                yield clean_article(article)
            except InputError as err:
                yield err.problem()
            except Exception as err:  # one article's failure stays with that article
                yield problem_from_exception(article.source, "clean", err)
    except Exception as err:  # a reader that breaks mid-file: report it, go on with the next file
        yield problem_from_exception(source, "read", err)
        return
    if not found:
        yield Problem.of(source, "read", Message("no article found in this file"))


def _wide_lines(handle: IO[bytes], codec: str, max_bytes: int) -> Iterator[str]:
    """Lines of a UTF-16/UTF-32 JSONL file, in the markers ``parse_jsonl`` understands for bad lines."""
    text = io.TextIOWrapper(handle, encoding=codec, errors="strict", newline="")
    try:
        for line in text:
            yield "\x00too-large" if len(line) > max_bytes else line
    except UnicodeDecodeError:
        yield "\x00undecodable"
    finally:
        text.detach()


def read_paths(
    paths: Iterable[str | Path],
    sidecar: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    exclude: Iterable[Path] = (),
    on_file: Callable[[str], None] | None = None,
) -> Iterator[Article | Problem | Skipped]:
    """Every article in ``paths``, cleaned and with its id, or a Problem per bad input.

    Never raises for bad input, whatever the reader or the cleaning stage
    does with it.  ``exclude`` names files never to read, such as the
    database being written; ``on_file`` is told of every file opened.
    """
    meta: Sidecar | None = None
    if sidecar is not None:
        try:
            meta = Sidecar(Path(sidecar))
        except InputError as err:
            yield err.problem()
    for item in find_files(paths, exclude):
        if not isinstance(item, Path):
            yield item
            continue
        if on_file:
            on_file(display_path(item))
        yield from _articles_of(item, max_bytes, meta)


__all__ = ["DEFAULT_MAX_BYTES", "Skipped", "display_path", "find_files", "read_paths"]
