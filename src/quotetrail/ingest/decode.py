"""Turn the bytes of a file into text, or say clearly why not.

Why not just ``bytes.decode("utf-8")``: German news files arrive as UTF-8
(with or without BOM), latin-1 and cp1252, and sometimes as a mix (a UTF-8
file with one pasted cp1252 paragraph).  Each line is decoded on its own so a
mixed file loses nothing; charset-normalizer decides only when a whole file is
not UTF-8.  UTF-16 and UTF-32 (Windows "Unicode" exports) are recognised by
their byte-order mark, or without one by where the NUL bytes fall, before
the NUL bytes could make them look binary (issue 13).
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from ..messages import Message
from ..model import InputError

#: Control bytes that never occur in text files (NUL and friends).
_BINARY_BYTES = bytes(range(0, 9)) + bytes(range(14, 32))
_MAGIC = {
    b"\x89PNG": Message("a PNG image"),
    b"%PDF": Message("a PDF document"),
    b"PK\x03\x04": Message("a ZIP archive (or Office document)"),
    b"\xff\xd8\xff": Message("a JPEG image"),
    b"GIF8": Message("a GIF image"),
    b"\x1f\x8b": Message("a gzip archive"),
}
#: What a file with NUL bytes and no known signature looks like.
BINARY_DATA = Message("binary data (NUL bytes)")


#: Byte-order marks, longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f]")


def scrub_surrogates(text: str) -> str:
    """``text`` with lone surrogates (``"\\ud800"`` in JSON) replaced by U+FFFD.

    They are not characters: no UTF-8 encoder, hash or database accepts them,
    and one would otherwise end the run at the article id (issue 13).  A valid
    pair never reaches here, since Python's decoders combine it into one character.
    """
    return _SURROGATE.sub("\ufffd", text) if not text.isascii() else text


def _nul_share(sample: bytes, width: int, offset: int) -> float:
    column = sample[offset::width]
    return column.count(0) / len(column) if column else 0.0


def wide_encoding(data: bytes) -> tuple[str, int] | None:
    """``(codec, BOM length)`` for UTF-16/UTF-32 data (and UTF-8 with BOM), else ``None``.

    Without a mark, text in Latin script shows a plain pattern: in UTF-16-LE
    every second byte (the high byte) is NUL and the others almost never are;
    in UTF-32-LE three of every four.  Binary data has NULs everywhere or
    nowhere in particular.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    sample = data[:4096]
    if len(sample) < 8 or b"\x00" not in sample:
        return None
    utf32 = [_nul_share(sample[: len(sample) // 4 * 4], 4, i) for i in range(4)]
    if min(utf32[2:4]) > 0.95 and utf32[1] > 0.7 and utf32[0] < 0.05:
        return "utf-32-le", 0
    if min(utf32[0:2]) > 0.95 and utf32[2] > 0.7 and utf32[3] < 0.05:
        return "utf-32-be", 0
    even = sample[: len(sample) // 2 * 2]
    low, high = _nul_share(even, 2, 0), _nul_share(even, 2, 1)
    if high > 0.7 and low < 0.02:
        return "utf-16-le", 0
    if low > 0.7 and high < 0.02:
        return "utf-16-be", 0
    return None


def _decode_wide(data: bytes, codec: str, skip: int) -> str | None:
    """UTF-16/32 text, or ``None`` when the bytes are not that after all (or decode to control bytes).

    With a byte-order mark a few broken code units (a file cut mid-character)
    become U+FFFD; without one, they mean the guess was wrong.
    """
    try:
        text = data[skip:].decode(codec)
    except UnicodeDecodeError:
        if not skip:
            return None
        text = data[skip:].decode(codec, errors="replace")
    sample = text[:8192]
    if sample and len(_CONTROL_CHARS.findall(sample)) / len(sample) > 0.05:
        return None
    return scrub_surrogates(text)


def looks_binary(data: bytes) -> Message | None:
    """What the bytes look like if they are not text (English by ``str()``), else ``None``."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return what
    sample = data[:8192]
    if b"\x00" in sample:
        return BINARY_DATA
    if sample:
        controls = sum(sample.count(bytes([b])) for b in _BINARY_BYTES)
        if controls / len(sample) > 0.05:
            return Message("binary data (control bytes)")
    return None


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def decode_bytes(data: bytes, path: str) -> str:
    """Decode file content to ``str`` with normalised newlines; raise InputError for non-text."""
    if not data.strip():
        raise InputError(path, Message("empty file"), "read")
    wide = wide_encoding(data)
    if wide and wide[0] != "utf-8":
        text = _decode_wide(data, *wide)
        if text is not None:
            if not text.strip():
                raise InputError(path, Message("empty file"), "read")
            return text.replace("\r\n", "\n").replace("\r", "\n")
    what = looks_binary(data)
    if what:
        raise InputError(path, Message("not a text file: looks like {what}", what=what), "decode")
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
