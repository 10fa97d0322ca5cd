"""Find quotations in an analysed article.

The learned tagger (``learned.py``, trained on wikinews-quotes) finds quote
spans of every type with their cue, speaker mention, frame and addressee;
rules (``rules.py``) then drop what is not a quotation (scare quotes, names
in quote marks) and add what the tagger tends to miss.
"""

from __future__ import annotations

from ..model import Doc, Quotation
from .learned import find_learned_quotations


def find_quotations(doc: Doc) -> list[Quotation]:
    """Return every quotation in ``doc`` with quote, cue, speaker-mention, frame and addressee spans."""
    found = find_learned_quotations(doc)
    return found or []
