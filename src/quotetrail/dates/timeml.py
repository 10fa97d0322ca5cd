"""Read and write TimeML documents (the KRAUTS / TempEval layout).

Reading keeps the raw text between ``<TEXT>`` and ``</TEXT>`` with the
character offsets of every ``<TIMEX3>`` in it; writing puts tags back in
the same layout as the HeidelTime output of the KRAUTS release.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

_DCT = re.compile(r"<DCT>.*?value=\"([^\"]+)\".*?</DCT>", re.S)
_TEXT = re.compile(r"<TEXT>(.*?)</TEXT>", re.S)
_TAG = re.compile(r"<TIMEX3\b([^>]*)>(.*?)</TIMEX3>|<[^>]+>", re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class Timex:
    """One time expression: character span in the document text, type and value."""

    start: int
    end: int
    text: str
    type: str
    value: str | None


@dataclass(frozen=True)
class TimeMLDocument:
    name: str
    dct: str | None
    text: str
    timexes: tuple[Timex, ...]
    head: str  # everything before the text, kept verbatim for writing
    tail: str


def read_timeml(path: Path) -> TimeMLDocument:
    """Parse one TimeML file into its plain text and TIMEX3 spans."""
    raw = path.read_text(encoding="utf-8")
    dct_match = _DCT.search(raw)
    text_match = _TEXT.search(raw)
    if not text_match:
        raise ValueError(f"{path}: no <TEXT> element")
    inner = text_match.group(1)
    plain: list[str] = []
    timexes: list[Timex] = []
    pos = 0
    length = 0
    for m in _TAG.finditer(inner):
        chunk = html.unescape(inner[pos : m.start()])
        plain.append(chunk)
        length += len(chunk)
        if m.group(1) is not None:
            attrs = dict(_ATTR.findall(m.group(1)))
            body = html.unescape(m.group(2))
            timexes.append(Timex(length, length + len(body), body, attrs.get("type", "DATE"), attrs.get("value")))
            plain.append(body)
            length += len(body)
        pos = m.end()
    plain.append(html.unescape(inner[pos:]))
    return TimeMLDocument(
        name=path.name,
        dct=dct_match.group(1)[:10] if dct_match else None,
        text="".join(plain),
        timexes=tuple(timexes),
        head=raw[: text_match.start(1)],
        tail=raw[text_match.end(1) :],
    )


def write_timeml(doc: TimeMLDocument, timexes: list[Timex], path: Path) -> None:
    """Write ``doc`` with ``timexes`` tagged, in the HeidelTime output layout."""
    parts: list[str] = []
    pos = 0
    for i, t in enumerate(sorted(timexes, key=lambda t: t.start), start=1):
        if t.start < pos:
            continue
        parts.append(html.escape(doc.text[pos : t.start], quote=False))
        value = t.value or ""
        parts.append(
            f'<TIMEX3 tid="t{i}" type="{t.type}" value="{html.escape(value)}">{html.escape(t.text, quote=False)}</TIMEX3>'
        )
        pos = t.end
    parts.append(html.escape(doc.text[pos:], quote=False))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc.head + "".join(parts) + doc.tail, encoding="utf-8")
