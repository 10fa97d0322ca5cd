"""Re-extract stored articles with the current code and models (``quotetrail reextract``).

``ingest`` skips content it has stored, so a new model changes nothing for
articles already in the ledger.  This reads each article's stored text
(``articles.text``, what every offset and correction points into; the
original file may have moved or gone), extracts it again, and replaces its
quotations through ``store.add_extraction(replace=True)``, which applies
the corrections log again in the same transaction.  Articles loaded from an
export without their text cannot be re-extracted and are counted as
skipped.  One article is the unit of failure, as in ingest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from .faults import DEFAULT_TIME_BUDGET, problem_from_exception
from .ingest_job import refresh_derived
from .model import Extraction, Problem
from .pipeline import try_extract
from .provenance import extractor_version
from .store import Store


class UnknownArticle(ValueError):
    """An article id that is not in the store; the message is one line."""


@dataclass
class ReextractSummary:
    """What a re-extraction did."""

    articles: int = 0
    quotations: int = 0
    skipped: int = 0  # stored without their text (loaded from an export)
    problems: list[Problem] = field(default_factory=list)
    interrupted: bool = False

    def line(self) -> str:
        text = f"{self.articles} articles re-extracted: {self.quotations} quotations; {len(self.problems)} errors"
        if self.skipped:
            text += f"; {self.skipped} without stored text skipped"
        return text + (" (interrupted)" if self.interrupted else "")


def articles_to_reextract(store: Store, article_ids: Sequence[str] = (), *, outdated: bool = False) -> list[str]:
    """The ids to re-extract: those named (each must exist), else every stored article (``outdated``: only
    those with a quotation extracted by another version of the code or models)."""
    conn = store.conn
    if article_ids:
        missing = [
            a for a in article_ids if conn.execute("SELECT 1 FROM articles WHERE id = ?", (a,)).fetchone() is None
        ]
        if missing:
            raise UnknownArticle(f"no article {missing[0]!r} (article ids are in every export: article_id)")
        return list(dict.fromkeys(article_ids))
    if outdated:
        rows = conn.execute(
            "SELECT DISTINCT article_id FROM quotations WHERE extractor_version IS NOT NULL"
            " AND extractor_version != ? ORDER BY article_id",
            (extractor_version(),),
        )
    else:
        rows = conn.execute("SELECT id FROM articles ORDER BY id")
    return [r[0] for r in rows]


def reextract_articles(
    store: Store,
    article_ids: Sequence[str],
    *,
    time_budget: float | None = DEFAULT_TIME_BUDGET,
    on_article: Callable[[str], None] | None = None,
    language: str | None = None,
) -> ReextractSummary:
    """Extract each article again from its stored text and replace its quotations (corrections re-applied).

    ``language`` (an ISO 639 code) replaces the stored one: how an article that
    detection misread as another language gets analysed as German.
    """
    summary = ReextractSummary()
    try:
        for article_id in article_ids:
            row = store.conn.execute("SELECT has_text FROM articles WHERE id = ?", (article_id,)).fetchone()
            article = store.article(article_id) if row and row[0] else None
            if article is None:
                summary.skipped += 1
                continue
            if language:
                article = replace(article, language=language)
            result = try_extract(article, time_budget)
            if isinstance(result, Extraction):
                try:
                    store.add_extraction(result, replace=True)
                except Exception as err:  # a store failure for one article: recorded, the run goes on
                    result = problem_from_exception(article.source, "store", err)
            if isinstance(result, Problem):
                store.add_problem(result)
                summary.problems.append(result)
            else:
                summary.articles += 1
                summary.quotations += len(result.quotations)
            if on_article:
                on_article(article_id)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        refresh_derived(store)
    return summary
