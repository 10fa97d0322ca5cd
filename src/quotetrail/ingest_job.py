"""Ingest files into a store: read → extract → store, with progress and a summary.

Extraction is a pure function of an article, so it can run in worker
processes; storing happens in this process only, one transaction per article
(a single writer keeps SQLite simple and safe).

The article is the unit of failure: whatever goes wrong while reading,
cleaning, extracting or storing one article is recorded as a ``Problem``
(file, stage, exception type, fingerprint) and the run goes on.  Ctrl-C
stops reading, but everything already committed stays, and the derived
tables (speakers) are brought up to date however the run ended; a run
that was killed outright leaves them marked stale, and the next run
rebuilds them.

Between reading and extraction there is a bounded queue: with ``workers``
processes at most ``4 × workers`` articles are in flight, so memory does not
grow with the number of input files.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from .faults import DEFAULT_TIME_BUDGET, problem_from_exception
from .ingest import DEFAULT_MAX_BYTES, Skipped, read_paths
from .messages import Message, german
from .model import Article, Extraction, Problem
from .pipeline import try_extract
from .speakers import merge_speakers
from .store import Store

#: Articles read ahead of extraction per worker process.
QUEUE_PER_WORKER = 4
#: How many articles not in German a run names one by one (``Summary.not_german`` counts them all).
NOT_GERMAN_NAMED = 5


@dataclass
class Summary:
    """What an ingest run did."""

    files: set[str] = field(default_factory=set)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quotations: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    interrupted: bool = False
    claims: str | None = None  # the claim grouping's own summary line, when it ran
    #: New or updated articles stored without extraction because their language is not German, per language
    not_german: Counter[str] = field(default_factory=Counter)
    #: The first ``NOT_GERMAN_NAMED`` of them, as (source, article id, language), for a note on each
    not_german_named: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def articles(self) -> int:
        return self.new + self.updated + self.unchanged

    @property
    def failed(self) -> int:
        """Inputs (files, lines, records or articles) that could not be stored."""
        return len(self.problems)

    def line(self) -> str:
        """The run in one line, as the CLI prints it (and the claims' own line after it, when they were grouped)."""
        return self._render(str) + (f"\nclaims: {self.claims}" if self.claims else "")

    def german_line(self) -> str:
        """The same line in German, for the upload page (which names no command and shows the problems below)."""
        return self._render(Message.german) + ("; " + german("claims updated") if self.claims else "")

    def _render(self, say: Callable[[Message], str]) -> str:
        text = say(
            Message(
                "{files} files read: {new} new, {updated} updated, {unchanged} unchanged articles; "
                "{quotations} quotations; {failed} errors",
                files=len(self.files),
                new=self.new,
                updated=self.updated,
                unchanged=self.unchanged,
                quotations=self.quotations,
                failed=self.failed,
            )
        )
        if self.skipped:
            text += "; " + say(Message("{skipped} hidden or excluded entries skipped", skipped=len(self.skipped)))
        if self.not_german:
            languages = ", ".join(f"{code} {count}" for code, count in self.not_german.most_common())
            text += "; " + say(
                Message(
                    "{count} not in German ({languages}), stored unanalysed (a 'language' field overrides this)",
                    count=sum(self.not_german.values()),
                    languages=languages,
                )
            )
        if self.failed == 1:
            text += " (" + say(Message("1 input failed, see `quotetrail problems`")) + ")"
        elif self.failed:
            text += " (" + say(Message("{failed} inputs failed, see `quotetrail problems`", failed=self.failed)) + ")"
        if self.interrupted:
            text += " (" + say(Message("interrupted")) + ")"
        return text

    @property
    def exit_code(self) -> int:
        """The documented exit status of ``ingest``.

        0: every input found was stored; 3: a partial run (some inputs failed,
        the rest is stored: a script can tell this from total failure); 1:
        nothing was stored (no input found, or every one failed); 130:
        interrupted by Ctrl-C.
        """
        if self.interrupted:
            return 130
        if self.articles == 0:
            return 1
        return 3 if self.failed else 0


def _source_file(source: str) -> str:
    return source.split("#", 1)[0]


def _extract_serially(articles: Iterable[Article], budget: float | None) -> Iterator[Extraction | Problem]:
    for article in articles:
        yield try_extract(article, budget)


def _extract_in_pool(articles: Iterable[Article], workers: int, budget: float | None) -> Iterator[Extraction | Problem]:
    """``try_extract`` in worker processes, in input order, with at most ``QUEUE_PER_WORKER × workers`` in flight.

    A worker that dies (a crash in compiled code, the out-of-memory killer)
    breaks the pool: the articles then in flight are extracted again one at
    a time in fresh pools, so only the article that kills a worker again is
    lost, as a Problem.
    """
    limit = max(1, workers * QUEUE_PER_WORKER)
    pool = ProcessPoolExecutor(max_workers=workers)
    pending: deque[tuple[Article, Future[Extraction | Problem]]] = deque()
    try:
        for article in articles:
            pending.append((article, pool.submit(try_extract, article, budget)))
            while len(pending) >= limit:
                result, pool = _next_result(pending, pool, workers, budget)
                yield from result
        while pending:
            result, pool = _next_result(pending, pool, workers, budget)
            yield from result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _next_result(
    pending: deque[tuple[Article, Future[Extraction | Problem]]],
    pool: ProcessPoolExecutor,
    workers: int,
    budget: float | None,
) -> tuple[list[Extraction | Problem], ProcessPoolExecutor]:
    article, future = pending.popleft()
    try:
        return [future.result()], pool
    except BrokenProcessPool:
        pool.shutdown(wait=False, cancel_futures=True)
        survivors = [article, *(a for a, _ in pending)]
        pending.clear()
        results: list[Extraction | Problem] = []
        for one in survivors:  # one at a time, so the culprit is known
            with ProcessPoolExecutor(max_workers=1) as single:
                try:
                    results.append(single.submit(try_extract, one, budget).result())
                except BrokenProcessPool as err:
                    results.append(problem_from_exception(one.source, "extract", _WorkerDied(err)))
        return results, ProcessPoolExecutor(max_workers=workers)


class _WorkerDied(Exception):
    def __init__(self, err: BaseException) -> None:
        super().__init__(f"the extraction process died on this article ({err})")


def ingest_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    sidecar: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    workers: int = 1,
    time_budget: float | None = DEFAULT_TIME_BUDGET,
    group_claims: bool = False,
    on_problem: Callable[[Problem], None] | None = None,
    on_article: Callable[[Extraction, str], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> Summary:
    """Read every file under ``paths`` into ``store`` and return what happened; never raises for bad input.

    With ``group_claims`` (what ``quotetrail ingest`` and the web upload ask
    for) every quotation not yet in a claim then joins one (this run's, and
    any an earlier, stopped run left), so the claims never lag behind the
    ledger and no second command is needed; a failure there is recorded as a
    Problem.  ``notice`` hears, before it starts, of slow maintenance the grouping
    must do (rebuilding or merging the claims index), so a long pause is explained.
    """
    summary = Summary()

    def report(problem: Problem) -> None:
        summary.problems.append(problem)
        store.add_problem(problem)
        if on_problem:
            on_problem(problem)

    def articles() -> Iterator[Article]:
        own_files: list[Path] = []
        if store.path is not None:  # a SQLite file (a server database keeps no files here)
            db = Path(store.path)
            own_files = [db, *(db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]
            if db.parent.is_dir():  # the claims index and other files kept beside the database
                own_files += [p for p in db.parent.iterdir() if p.name.startswith((db.name + ".", db.name + "-"))]
        found = read_paths(paths, sidecar=sidecar, max_bytes=max_bytes, exclude=own_files, on_file=summary.files.add)
        for item in found:
            if isinstance(item, Skipped):
                summary.skipped.append(item)
            elif isinstance(item, Problem):
                summary.files.add(_source_file(item.path))
                report(item)
            elif store.has_article(item.id, item.source):  # seen before: no need to extract it again
                summary.unchanged += 1
                if on_article:
                    on_article(Extraction(article=item), "unchanged")
            else:
                yield item

    extractions = (
        _extract_in_pool(articles(), workers, time_budget)
        if workers > 1
        else _extract_serially(articles(), time_budget)
    )
    try:
        for result in extractions:
            if isinstance(result, Problem):
                report(result)
                continue
            try:
                status = store.add_extraction(result)
            except Exception as err:  # a store failure for one article: recorded, the run goes on
                report(problem_from_exception(result.article.source, "store", err))
                continue
            setattr(summary, status, getattr(summary, status) + 1)
            if status != "unchanged":
                summary.quotations += len(result.quotations)
                if not result.article.is_german:
                    language = result.article.language or "?"
                    summary.not_german[language] += 1
                    if len(summary.not_german_named) < NOT_GERMAN_NAMED:
                        summary.not_german_named.append((result.article.source, result.article.id, language))
            if on_article:
                on_article(result, status)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        refresh_derived(store)
    # Not only after new articles: quotations a run stopped by Ctrl-C or a crash left ungrouped are
    # grouped by the next run, even one with nothing new (with nothing to do this costs a query).
    if group_claims and not summary.interrupted:
        summary.claims = _group_claims(store, report, notice)
    return summary


def _group_claims(
    store: Store, report: Callable[[Problem], None], notice: Callable[[str], None] | None = None
) -> str | None:
    """Let the quotations stored by this run join claims; only they are read (see ``claims.update_claims``)."""
    from .claims import update_claims

    try:
        return update_claims(store, notice=notice).line()
    except Exception as err:  # the articles are stored; a later `claims --update` can finish the grouping
        report(problem_from_exception(str(store.path or store.display), "claims", err))
        return None


#: Name families rebuilt per step: bounds the mentions held in memory (a load of a million rows
#: marks every family stale at once).
FAMILIES_PER_STEP = 2000


def refresh_derived(store: Store) -> bool:
    """Bring the speakers table up to date with what was stored; True if anything was rebuilt.

    Only the name families (see ``store.sqlite.name_family``) that stored or
    removed articles mention are rebuilt, so one new article costs the
    mentions of its own speakers, not every speaker in the ledger.  After a
    migration, or where the table was never built, everything is rebuilt.
    Either way a step holds the mentions of at most ``FAMILIES_PER_STEP``
    families, so memory does not grow with the ledger; the table stays
    marked stale until the last step is written.
    """
    families = store.stale_speaker_families()
    full = families is None
    if full:
        store.clear_speakers()
        families = store.speaker_families()
    if not families:
        if full:
            store.mark_fresh("speakers")
        return full
    for i in range(0, len(families), FAMILIES_PER_STEP):
        step = families[i : i + FAMILIES_PER_STEP]
        store.replace_speakers(merge_speakers(store.speaker_mentions(step)), step)
    if full:
        store.mark_fresh("speakers")
    return True


def failed_inputs(store: Store) -> list[str]:
    """The files with open problems that still exist, for ``ingest --retry-failed``."""
    files = []
    for problem in store.problems():
        path = _source_file(problem.path)
        if path not in files and Path(path).exists():
            files.append(path)
    return files
