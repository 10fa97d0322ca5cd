"""Turn the bytes of a file into text, or say clearly why not.

Why not just ``bytes.decode("utf-8")``: German news files arrive as UTF-8
(with or without BOM), latin-1 and cp1252, and sometimes as a mix (a UTF-8
file with one pasted cp1252 paragraph).  Each line is decoded on its own so a
mixed file loses nothing; charset-normalizer decides only when a whole file is
not UTF-8.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from ..model import InputError

#: Control bytes that never occur in text files (NUL and friends).
_BINARY_BYTES = bytes(range(0, 9)) + bytes(range(14, 32))
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or Office document)",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
}


def looks_binary(data: bytes) -> str | None:
    """Return what the bytes look like if they are not text, else ``None``."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return what
    sample = data[:8192]
    if b"\x00" in sample:
        return "binary data (NUL bytes)"
    if sample:
        controls = sum(sample.count(bytes([b])) for b in _BINARY_BYTES)
        if controls / len(sample) > 0.05:
            return "binary data (control bytes)"
    return None


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def decode_bytes(data: bytes, path: str) -> str:
    """Decode file content to ``str`` with normalised newlines; raise InputError for non-text."""
    if not data.strip():
        raise InputError(path, "empty file", "read")
    what = looks_binary(data)
    if what:
        raise InputError(path, f"not a text file: looks like {what}", "decode")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8_lines = sum(1 for line in data.splitlines() if _is_utf8(line) and not line.isascii())
        if utf8_lines:  # mixed: decode line by line
            text = "\n".join(_decode_line(line) for line in data.splitlines())
        else:
            best = from_bytes(data[:200_000], cp_isolation=["cp1252", "latin_1", "iso8859_15", "utf_16"]).best()
            encoding = best.encoding if best else "cp1252"
            text = data.decode(encoding, errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
