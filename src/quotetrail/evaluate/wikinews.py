"""Read and write the wikinews-quotes JSON format; map character spans onto corpus tokens.

The corpus (Petersen-Frey and Biemann, LREC-COLING 2024; CC BY-NC-SA 4.0)
gives every document its own tokenisation; predictions must name the
corpus's token ids.  quotetrail works with character offsets, so a
predicted span covers every corpus token it overlaps.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..model import Article, Quotation, Span

ROLES: tuple[str, ...] = ("speaker", "cue", "frame", "addressee")
_NAME_DATE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)")


@dataclass(frozen=True)
class GoldQuotation:
    """One annotated quotation as character spans (for training) and token ids (for scoring)."""

    type: str | None
    medium: str | None
    quote: tuple[Span, ...]
    roles: dict[str, tuple[Span, ...]]
    token_ids: dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class CorpusDocument:
    """A wikinews-quotes document: its text, tokens and (gold) quotations."""

    name: str
    text: str
    published: str | None
    token_starts: tuple[int, ...]
    token_ends: tuple[int, ...]
    quotations: tuple[GoldQuotation, ...]
    path: Path

    def article(self) -> Article:
        """The document as a quotetrail Article, dated from its file name."""
        return Article(
            id=self.name, source=str(self.path), text=self.text, title=None, published=self.published, language="de"
        )

    def token_ids(self, spans: tuple[Span, ...]) -> list[int]:
        """Ids of the corpus tokens overlapping any of ``spans``, sorted."""
        ids: set[int] = set()
        for span in spans:
            first = bisect.bisect_right(self.token_ends, span.start)
            for i in range(first, len(self.token_starts)):
                if self.token_starts[i] >= span.end:
                    break
                ids.add(i)
        return sorted(ids)


def _spans_of(role: dict | None) -> tuple[Span, ...]:
    if not role:
        return ()
    return tuple(Span(s["charBegin"], s["charEnd"]) for s in role.get("spans") or () if s["charEnd"] > s["charBegin"])


def date_from_name(name: str) -> str | None:
    """The publication date in a corpus file name, ``None`` for the 0001-01-01 placeholder."""
    match = _NAME_DATE.search(name)
    if not match or match.group(1).startswith("0001"):
        return None
    return match.group(1)


def read_document(path: Path) -> CorpusDocument:
    """Parse one ``*.json`` corpus file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    tokens = sorted(data["tokens"], key=lambda t: t["id"])
    if [t["id"] for t in tokens] != list(range(len(tokens))):
        raise ValueError(f"{path}: token ids are not 0..n-1")
    quotations = []
    for ann in data.get("annotations", []):
        roles = {r: _spans_of(ann.get(r)) for r in ROLES}
        ids = {r: tuple((ann.get(r) or {}).get("tokenIds") or ()) for r in ("quote", *ROLES)}
        quotations.append(GoldQuotation(ann.get("type"), ann.get("medium"), _spans_of(ann.get("quote")), roles, ids))
    return CorpusDocument(
        name=data["documentName"],
        text=data["originalText"],
        published=date_from_name(path.name),
        token_starts=tuple(t["charBegin"] for t in tokens),
        token_ends=tuple(t["charEnd"] for t in tokens),
        quotations=tuple(quotations),
        path=path,
    )


def read_corpus(folder: Path) -> Iterator[CorpusDocument]:
    """Every ``*.json`` document in ``folder``, in file-name order."""
    files = sorted(folder.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"{folder}: no *.json documents of the wikinews-quotes format")
    for path in files:
        yield read_document(path)


def to_annotation(doc: CorpusDocument, quotation: Quotation, index: int) -> dict:
    """One predicted quotation in the corpus format: each role an object with ``tokenIds``."""

    def role(spans: tuple[Span, ...]) -> dict:
        ids = doc.token_ids(spans)
        return {"text": " ".join(doc.text[s.start : s.end] for s in spans), "tokenIds": ids}

    return {
        "id": index,
        "type": quotation.type,
        "medium": quotation.medium or "Speech",
        "quote": role(quotation.spans),
        "speaker": role(quotation.speaker_mention),
        "cue": role(quotation.cue),
        "frame": role(quotation.frame),
        "addressee": role(quotation.addressee),
    }


def write_prediction(doc: CorpusDocument, quotations: list[Quotation], out_dir: Path) -> Path:
    """Write ``out_dir/<file name>`` with the document's name and predicted annotations."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / doc.path.name
    payload = {
        "documentName": doc.name,
        "annotations": [to_annotation(doc, q, i) for i, q in enumerate(quotations)],
    }
    target.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return target
