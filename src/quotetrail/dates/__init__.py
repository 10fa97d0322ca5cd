"""Find and resolve German time expressions; date quotations (placeholder until the tagger lands)."""

from __future__ import annotations

from dataclasses import replace

from ..model import DateMention, Doc, Quotation


def find_dates(doc: Doc) -> list[DateMention]:
    """Every time expression in ``doc``, normalised against ``doc.article.published``."""
    return []


def date_quotations(doc: Doc, quotations: list[Quotation], mentions: list[DateMention]) -> list[Quotation]:
    """Give each quotation ``said_on``: its governing expression, else the publication date."""
    return [replace(q, said_on=doc.article.published) for q in quotations]
