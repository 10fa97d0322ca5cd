"""Find quotations in an analysed article (placeholder until the extractor lands)."""

from __future__ import annotations

from ..model import Doc, Quotation


def find_quotations(doc: Doc) -> list[Quotation]:
    """Return every quotation in ``doc`` with quote, cue, speaker-mention, frame and addressee spans."""
    return []
