"""Read HTML responses out of web archives (.warc, .warc.gz) with warcio."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..model import Article, InputError
from .decode import decode_bytes
from .html import parse_html


def parse_warc(path: Path, max_bytes: int) -> Iterator[Article | InputError]:
    """Every HTML response record of a WARC file as an article; bad records become errors."""
    source = str(path)
    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                ctype = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
                if "html" not in ctype.lower():
                    continue
                where = f"{source}#{url}"
                body = record.content_stream().read(max_bytes + 1)
                if len(body) > max_bytes:
                    yield InputError(where, f"record larger than the {max_bytes} byte limit; skipped", "read")
                    continue
                try:
                    yield parse_html(decode_bytes(body, where), where, url=url)
                except InputError as err:
                    yield err
    except ArchiveLoadFailed as err:
        yield InputError(source, f"not a readable web archive ({err})", "parse")
