"""Read HTML responses out of web archives (.warc, .warc.gz) with warcio.

warcio reads what it can and is quiet about the rest: a ``.warc.gz`` cut in
the middle of a gzip member just ends early, a record shorter than its
Content-Length only prints a warning to stderr, and garbage is read as ARC
records.  Here every such case becomes an InputError naming the file and how
far reading got ("records 1-41 read, then: truncated gzip stream"), while
the articles read before it are still yielded (issue 13).
"""

from __future__ import annotations

import contextlib
import io
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from ..model import Article, InputError
from .decode import decode_bytes
from .html import parse_html
from .published import shown

_GZIP_MAGIC = b"\x1f\x8b"
#: WARC 1.0/1.1 record types; anything else is a damaged header.
_RECORD_TYPES = {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation"}
#: Output per decompress call while checking a gzip stream: bounds memory on highly compressed members.
_CHECK_CHUNK = 1 << 20


class _Damaged(Exception):
    """The archive cannot be read further: why, and how many records were read before."""

    def __init__(self, reason: str, count: int = 0) -> None:
        super().__init__(reason)
        self.reason, self.count = reason, count


class _GzipCheck:
    """Passes a gzip file's bytes to warcio and decompresses them alongside, to notice a cut member.

    A WARC.gz is a series of gzip members, one per record.  warcio starts each
    member afresh and never asks whether the last one ended, so a file cut at
    80 % simply yields fewer records.  Decompressing a second time costs a
    few seconds per GB, little beside extracting the articles.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self._member = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self._open = False  # bytes of a member fed, and its end not yet seen
        self._at_end = False  # the file has no more bytes
        self.broken: str | None = None

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self._at_end = self._at_end or not data or (size is not None and 0 < len(data) < size)
        if self.broken is None:
            self._feed(data)
        return data

    def tell(self) -> int:
        return self.raw.tell()

    def _feed(self, data: bytes) -> None:
        while data:
            if self._member.eof:
                self._member = zlib.decompressobj(zlib.MAX_WBITS | 16)
            self._open = True
            try:
                self._member.decompress(data, _CHECK_CHUNK)
            except zlib.error as err:
                self.broken = f"damaged gzip data ({err})"
                return
            if self._member.eof:
                self._open = False
                data = self._member.unused_data
            else:
                data = self._member.unconsumed_tail

    @property
    def fault(self) -> str | None:
        """What is wrong with the gzip stream so far: damaged data, or the file ending inside a member."""
        if self.broken:
            return self.broken
        if self._at_end and self._open and not self._member.eof:
            return "truncated gzip stream (the file is cut short)"
        return None


def _next_record(records: Iterator[ArcWarcRecord]) -> ArcWarcRecord | None:
    """The next record, or None at the end; warcio's complaints become ``_Damaged``.

    warcio prints some warnings to stderr (a record longer or shorter than it
    says); they are caught here and counted by ``err_count`` instead.  Every
    exception from warcio's parser means the same to a user, a damaged
    archive, and warcio raises several kinds (ArchiveLoadFailed, and an
    AttributeError for a response record without a target URI), so the
    catch is wide but covers this one call only.
    """
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            return next(records, None)
    except Exception as err:  # any parser failure is a damaged archive; see docstring
        message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        if message.startswith("Unknown archive format"):
            raise _Damaged("unknown format (neither WARC nor gzip-compressed WARC)") from err
        if "non-chunked gzip" in message:
            raise _Damaged(
                "the archive is gzipped as one stream, not one gzip member per record; "
                "`warcio recompress IN OUT` rewrites it"
            ) from err
        if isinstance(err, AttributeError | TypeError | KeyError | IndexError):  # warcio tripping on a gap
            raise _Damaged("the next record's headers are damaged") from err
        shown = "".join(c if c.isprintable() else "?" for c in message[:80])
        raise _Damaged(f"the next record is damaged ({shown})") from err


def _was_cut(record: ArcWarcRecord) -> bool:
    """Whether the file ended before the record's Content-Length (warcio has read it to its end)."""
    return getattr(record.raw_stream, "limit", 0) > 0


def _damage_reason(err: _Damaged) -> str:
    """``records 1-41 read, then: truncated gzip stream`` (or why not even one record could be read)."""
    if err.count == 0:
        return f"not a readable web archive: {err.reason}"
    done = "record 1 read" if err.count == 1 else f"records 1-{err.count} read"
    return f"{done}, then: {err.reason}; the articles before it were kept"


def _html_article(record: ArcWarcRecord, source: str, max_bytes: int) -> Article | InputError | None:
    """The article of one HTML response record; None for other records; ``_Damaged`` if it is cut."""
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    where = f"{source}#{url}"
    if record.rec_type not in _RECORD_TYPES:
        return InputError(where, f"record of unknown WARC-Type {shown(record.rec_type)} (damaged?); skipped", "read")
    if record.rec_type != "response":
        return None
    if record.http_headers is None and url.lower().startswith(("http:", "https:")):
        return InputError(where, "response record without readable HTTP headers (damaged?); skipped", "read")
    ctype = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
    if "html" not in ctype.lower():
        return None
    try:
        body = record.content_stream().read(max_bytes + 1)
    except (zlib.error, ValueError, EOFError) as err:  # bad Content-Encoding or chunking in the HTTP payload
        return InputError(where, f"record payload cannot be decoded ({err}); skipped", "read")
    if len(body) > max_bytes:
        return InputError(where, f"record larger than the {max_bytes} byte limit; skipped", "read")
    while record.raw_stream.read(1 << 16):  # to the record's end, to see whether it is all there
        pass
    if _was_cut(record):
        raise _Damaged("the file ends inside the next record")
    try:
        return parse_html(decode_bytes(body, where), where, url=url)
    except InputError as err:
        return err


def _records(stream: BinaryIO | _GzipCheck, size: int, source: str, max_bytes: int) -> Iterator[Article | InputError]:
    """Every article of the archive; raises ``_Damaged`` where reading has to stop."""
    records = ArchiveIterator(stream)
    previous: ArcWarcRecord | None = None
    count = 0
    while True:
        try:
            record = _next_record(records)
            if previous is not None and _was_cut(previous):  # warcio has just read it to its end
                count -= 1
                raise _Damaged("the file ends inside the next record")
            if record is None:
                break
            _check_headers(record)
            item = _html_article(record, source, max_bytes)
        except _Damaged as err:
            gzip_fault = stream.fault if isinstance(stream, _GzipCheck) else None
            raise _Damaged(gzip_fault or err.reason, count) from err
        count += 1
        if item is not None:
            yield item
        previous = record
    if isinstance(stream, _GzipCheck):
        if stream.fault:
            raise _Damaged(stream.fault, count)
    elif records.offset < size:  # warcio stops quietly at a record whose headers are cut
        raise _Damaged("the file ends inside the next record's headers", count)


def _check_headers(record: ArcWarcRecord) -> None:
    """``_Damaged`` unless the record has WARC headers with a Content-Length (garbage reads as ARC)."""
    if record.format == "arc":
        raise _Damaged("not a WARC record (a WARC file starts with 'WARC/1.0' or 'WARC/1.1')")
    length = record.rec_headers.get_header("Content-Length") if record.rec_headers else None
    if not (length or "").strip().isdigit():
        raise _Damaged("the next record has no valid Content-Length header (cut or damaged)")


def parse_warc(path: Path, max_bytes: int) -> Iterator[Article | InputError]:
    """Every HTML response record of a WARC file as an article; bad records and damage become errors.

    A damaged or cut archive yields the articles read before the damage, then
    one InputError saying how many records were read and what went wrong.
    """
    source = str(path)
    try:
        with path.open("rb") as raw:
            stream: BinaryIO | _GzipCheck = _GzipCheck(raw) if raw.read(2) == _GZIP_MAGIC else raw
            size = raw.seek(0, 2)
            raw.seek(0)
            yield from _records(stream, size, source, max_bytes)
    except _Damaged as err:
        yield InputError(source, _damage_reason(err), "parse")
    except OSError as err:
        yield InputError(source, f"cannot read file ({err.strerror or err})", "read")
