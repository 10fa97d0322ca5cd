"""Run the extraction stages over one article, in order.

Extraction is a pure function of an article (``extract``): no database, no
global state that changes results.  That is what lets a process pool, or
later Spark, map it over millions of articles.  The ordered tuple ``STAGES``
is the whole registry (see STYLE.md §5); each stage says what it needs and
what it gives, and ``check_stages`` catches a wrongly reordered pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from .analyse import analyse
from .dates import date_quotations, find_dates
from .faults import DEFAULT_TIME_BUDGET, problem_from_exception, time_budget
from .model import Article, DateMention, Doc, Extraction, Problem, Quotation, SpeakerMention
from .quotations import find_quotations
from .speakers import resolve_speakers


@dataclass
class State:
    """What the stages have produced so far for one article."""

    doc: Doc
    quotations: list[Quotation]
    dates: list[DateMention]
    mentions: list[SpeakerMention]


def _quotations(state: State) -> None:
    state.quotations = find_quotations(state.doc)


def _speakers(state: State) -> None:
    state.quotations, state.mentions = resolve_speakers(state.doc, state.quotations)


def _dates(state: State) -> None:
    state.dates = find_dates(state.doc)
    state.quotations = date_quotations(state.doc, state.quotations, state.dates)


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[State], None]
    requires: tuple[str, ...]
    assigns: tuple[str, ...]


STAGES: tuple[Stage, ...] = (
    Stage("quotations", _quotations, ("doc",), ("quotations",)),
    Stage("speakers", _speakers, ("doc", "quotations"), ("mentions",)),
    Stage("dates", _dates, ("doc", "quotations"), ("dates",)),
)


def check_stages(stages: tuple[Stage, ...] = STAGES) -> None:
    """Fail early if a stage needs something no earlier stage gives."""
    available = {"doc"}
    for stage in stages:
        missing = [r for r in stage.requires if r not in available]
        if missing:
            raise ValueError(f"pipeline stage {stage.name!r} needs {missing} which no earlier stage assigns")
        available.update(stage.assigns)


def extract(article: Article, skip: frozenset[str] = frozenset()) -> Extraction:
    """Analyse one cleaned article and return everything found in it.

    Non-German articles are stored but not analysed: the extractors' rules
    and lexicons are German and would only produce noise.
    """
    if not article.is_german or not article.text.strip():
        return Extraction(article=article)
    state = State(doc=analyse(article), quotations=[], dates=[], mentions=[])
    for stage in STAGES:
        if stage.name not in skip:
            stage.run(state)
    quotations = tuple(replace(q, article_id=article.id) for q in state.quotations)
    return Extraction(article=article, quotations=quotations, dates=tuple(state.dates), mentions=tuple(state.mentions))


def try_extract(
    article: Article, budget: float | None = DEFAULT_TIME_BUDGET, skip: frozenset[str] = frozenset()
) -> Extraction | Problem:
    """``extract`` with the article boundary as the fault boundary: a failure is returned, not raised.

    This is what every batch path maps over articles (the CLI, the worker
    pool, uploads, Spark), so one article that breaks a stage or runs past
    ``budget`` seconds costs only itself.
    """
    try:
        with time_budget(budget):
            return extract(article, skip)
    except Exception as err:  # the whole point: any failure stays with its article
        return problem_from_exception(article.source, "extract", err)


check_stages()
