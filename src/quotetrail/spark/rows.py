"""What one extraction becomes in the Spark output: an article row, ledger rows, error rows.

Pure Python, no Spark: the executors call these, and the tests hold them to
what ``ingest`` + ``export`` give.  ``extraction_to_rows`` makes, without a
database, the very ledger rows the SQLite store would give back for an
extraction (see ``store.sqlite``: ``_insert`` stores the quotation text
without its marks and the covered texts of speaker mention, cue and
addressee; ``_ledger_row`` reads them back).  It reuses the store's own
``quotation_text`` and ``covered_text`` so the two cannot drift apart; it
belongs in a shared module beside them once the store's owner moves it.
"""

from __future__ import annotations

from ..model import ARTICLE_FIELDS as MODEL_ARTICLE_FIELDS
from ..model import EXPORT_FIELDS, Article, Extraction, LedgerRow, Problem
from ..provenance import extractor_version
from ..store.sqlite import covered_text, quotation_text

#: Columns of ``articles/``: the article fields exports carry (``model.ARTICLE_FIELDS``).
ARTICLE_FIELDS: tuple[str, ...] = MODEL_ARTICLE_FIELDS

#: Columns of ``errors/``: a Problem's fields.
ERROR_FIELDS: tuple[str, ...] = ("path", "stage", "reason", "error", "fingerprint")

#: Columns of ``quotations/``: exactly the export schema.
QUOTATION_FIELDS: tuple[str, ...] = EXPORT_FIELDS


def extraction_to_rows(extraction: Extraction) -> list[LedgerRow]:
    """The ledger rows ``ingest`` then ``export`` give for this extraction, in the store's order.

    Two quotations with the same id (the same spans) are one row, the later
    one winning, as the store's ``INSERT OR REPLACE`` has it.  Rows come in
    the export's date order (``said_on`` with undated last, then start).
    """
    article = extraction.article
    by_id: dict[str, LedgerRow] = {}
    for q in extraction.quotations:
        by_id[q.id] = LedgerRow(
            article_id=article.id,
            source=article.source,
            title=article.title,
            outlet=article.outlet,
            agency=article.agency,
            published=article.published,
            type=q.type,
            text=quotation_text(q.text(article.text)),
            speaker=q.speaker,
            speaker_mention=covered_text(article.text, q.speaker_mention),
            speaker_role=q.speaker_role,
            cue=covered_text(article.text, q.cue),
            addressee=covered_text(article.text, q.addressee),
            said_on=q.said_on,
            said_on_text=q.said_on_text,
            start=q.start,
            end=q.end,
            claim_id=q.claim_id,
            quotation_id=q.id,
            speaker_confidence=q.speaker_confidence,
            corrected=False,  # corrections live in a store; a fresh extraction has none
            extractor_version=extractor_version(),
            quote_confidence=q.quote_confidence,
        )
    return sorted(by_id.values(), key=ledger_order)


def ledger_order(row: LedgerRow) -> tuple[str, str, int, str]:
    """The export's row order (``store.sqlite._DATE_ORDER``): date with undated last, article, start, id."""
    return (row.said_on or "~", row.article_id, row.start, row.quotation_id)


def article_values(article: Article) -> tuple[object, ...]:
    """An article as the values of ``ARTICLE_FIELDS``."""
    return tuple(getattr(article, name) for name in ARTICLE_FIELDS)


def quotation_values(row: LedgerRow) -> tuple[object, ...]:
    """A ledger row as the values of ``QUOTATION_FIELDS``."""
    return tuple(getattr(row, name) for name in QUOTATION_FIELDS)


def error_values(problem: Problem) -> tuple[str, str, str, str, str]:
    """A problem as the values of ``ERROR_FIELDS``."""
    return (problem.path, problem.stage, problem.reason, problem.error, problem.fingerprint)


__all__ = [
    "ARTICLE_FIELDS",
    "ERROR_FIELDS",
    "QUOTATION_FIELDS",
    "article_values",
    "error_values",
    "extraction_to_rows",
    "ledger_order",
    "quotation_values",
]
