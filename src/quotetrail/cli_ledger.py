"""Ledger commands: ``ingest``, ``problems``, ``quotes``, ``timeline``, ``speakers``, ``export``, ``load``."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from . import query
from .faults import DEFAULT_TIME_BUDGET
from .ingest import DEFAULT_MAX_BYTES
from .ingest_job import failed_inputs, ingest_paths, refresh_derived
from .ledgerfile import EXPORT_FORMATS, FORMATS, format_of, write_articles, write_ledger
from .model import QUOTATION_TYPES, LedgerRow
from .store import open_store


def _store(ctx: click.Context):
    return open_store(ctx.obj["db_path"])


#: The quotation filters as options, by ``query.quotations``'s names.
_FILTER_OPTIONS = {
    "speaker": click.option("--speaker", help="Speaker name (substring)."),
    "text": click.option("--text", help="Words in the quotation (German stemming)."),
    "since": click.option("--since", help="From this date on (2024, 2024-05 or 2024-05-22)."),
    "until": click.option("--until", help="Up to this date (2024, 2024-05 or 2024-05-22)."),
    "type": click.option("--type", type=click.Choice(QUOTATION_TYPES), help="Quotation type."),
    "outlet": click.option("--outlet", help="Outlet or agency (substring)."),
    "min_quote_confidence": click.option(
        "--min-quote-confidence",
        type=click.FloatRange(0, 1),
        help="Only quotations the tagger is at least this sure of (0-1; 0.9 leaves out the uncertain ones), "
        "and those a person corrected.",
    ),
}


def _filters(*, words: bool = True):
    """The quotation filters of ``quotes``, ``export`` and (without ``--text``: its QUERY) ``timeline``.

    The command gets them as one ``filters`` dict of the given ones.  The
    values are checked where every caller's are (``filters.QuotationFilters``),
    so the CLI repeats no check.
    """
    names = [name for name in _FILTER_OPTIONS if words or name != "text"]

    def decorate(func):
        @functools.wraps(func)
        def with_filters(*args, **kwargs):
            given = {name: kwargs.pop(name) for name in names}
            return func(*args, filters={k: v for k, v in given.items() if v is not None}, **kwargs)

        for name in reversed(names):
            with_filters = _FILTER_OPTIONS[name](with_filters)
        return with_filters

    return decorate


#: Marks a row a person corrected (``quotetrail correct``); ``CORRECTED_LEGEND`` explains it below the list.
CORRECTED_MARK = "✎"
CORRECTED_LEGEND = f"{CORRECTED_MARK} = corrected by a person (who, when and why: `quotetrail corrections`)"


def _print_rows(rows: list[LedgerRow]) -> None:
    for row in rows:
        date = row.said_on or "undated"
        who = row.speaker or (f"unresolved: „{row.speaker_mention}“" if row.speaker_mention else "unknown speaker")
        if row.speaker_role:
            who += f" ({row.speaker_role})"
        source = " / ".join(x for x in (row.outlet, row.agency) if x) or Path(row.source).name
        mark = f"  {CORRECTED_MARK}" if row.corrected else ""
        click.echo(f"{date:<10}  {who} — {row.type}{mark}")
        click.echo(f"            „{row.text}“")
        click.echo(f"            [{source}{', ' + row.said_on_text if row.said_on_text else ''}]")


def _legend(rows: list[LedgerRow]) -> None:
    """One line explaining the corrected mark, when a row shown carries it."""
    if any(row.corrected for row in rows):
        click.echo(CORRECTED_LEGEND, err=True)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--sidecar", type=click.Path(dir_okay=False, path_type=Path), help="CSV with metadata overriding what was detected."
)
@click.option(
    "--max-bytes", type=int, default=DEFAULT_MAX_BYTES, show_default=True, help="Largest single file accepted."
)
@click.option("--workers", type=int, default=1, show_default=True, help="Extraction processes.")
@click.option(
    "--time-budget",
    type=click.FloatRange(min=0),
    default=DEFAULT_TIME_BUDGET,
    show_default=True,
    help="Seconds one article may take to extract before it is recorded as a problem (0: no limit).",
)
@click.option(
    "--retry-failed", is_flag=True, help="Also read again every file with a recorded problem (after an upgrade)."
)
@click.option(
    "--claims/--no-claims",
    "group_claims",
    default=True,
    show_default=True,
    help="Afterwards, let the new quotations join claims (see `quotetrail claims`).",
)
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[Path, ...],
    sidecar: Path | None,
    max_bytes: int,
    workers: int,
    time_budget: float,
    retry_failed: bool,
    group_claims: bool,
) -> None:
    """Read articles from files and folders into the database.

    A file, line or article that cannot be read or extracted is recorded
    (`quotetrail problems`) and the run goes on. Exit status: 0 when every
    input was stored, 3 when some failed and the rest was stored, 1 when
    nothing was stored, 130 when interrupted.
    """
    store = _store(ctx)
    targets: list[str | Path] = list(paths)
    if retry_failed:
        retry = failed_inputs(store)
        click.echo(f"retrying {len(retry)} files with recorded problems", err=True)
        targets += retry
    if not targets:
        raise click.UsageError("give files or folders to ingest (or --retry-failed)")
    bar = tqdm(desc="ingesting", unit=" articles", file=sys.stderr, disable=None)

    def problem(p) -> None:
        tqdm.write(f"error: {p.path}: {p.reason}", file=sys.stderr)

    summary = ingest_paths(
        store,
        targets,
        sidecar=sidecar,
        max_bytes=max_bytes,
        workers=workers,
        time_budget=time_budget or None,
        group_claims=group_claims,
        on_problem=problem,
        on_article=lambda _e, _s: bar.update(1),
        notice=lambda line: tqdm.write(line, file=sys.stderr),
    )
    bar.close()
    for source, article_id, language in summary.not_german_named:
        click.echo(
            f"note: {source}: detected as {language}, stored unanalysed; if it is German: "
            f"quotetrail reextract --language de {article_id}",
            err=True,
        )
    click.echo(summary.line())
    store.close()
    ctx.exit(summary.exit_code)


@click.command()
@click.option("--by-kind", is_flag=True, help="One line per kind of failure (fingerprint) with how many inputs hit it.")
@click.option("--stage", help="Only problems of this stage (read, decode, parse, clean, extract, store).")
@click.pass_context
def problems(ctx: click.Context, by_kind: bool, stage: str | None) -> None:
    """Inputs that could not be stored, with the stage and the reason (kept until the input is read)."""
    store = _store(ctx)
    if by_kind:
        for fingerprint, where, inputs, seen, example in store.problem_counts():
            click.echo(f"{fingerprint}  {where:<8} {inputs:>5} inputs ({seen} times)  e.g. {example}")
        return
    found = store.problems(stage=stage)
    for p in found:
        click.echo(f"{p.path}\t{p.stage}\t{p.fingerprint}\t{p.reason}")
    if not found:
        click.echo("no problems recorded", err=True)


def _page_line(page: query.Page, what: str, continued: bool = False) -> str | None:
    """ "showing 1-50 of 3400 quotations; more: --after CURSOR" when the list is cut, else None.

    A page reached by a cursor does not know its position, so it says "50 more of 3400".
    """
    if page.next is None and page.start == 0 and not continued:
        return None
    more = f"; more: --after {page.next}" if isinstance(page.next, str) else ""
    more = f"; more: --offset {page.next}" if isinstance(page.next, int) else more
    shown = f"{page.shown or len(page.items)} more" if continued else f"{page.start + 1}-{page.end}"
    return f"showing {shown} of {page.total} {what}{more}"


@click.command()
@_filters()
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--after", help="Continue after this cursor (printed when the list is cut).")
@click.pass_context
def quotes(ctx: click.Context, filters: dict[str, Any], limit: int, after: str | None) -> None:
    """List quotations matching the filters, oldest first, a page at a time."""
    try:
        page = query.quotations_page(_store(ctx), **filters, limit=limit, after=after)
    except ValueError as err:
        raise click.UsageError(str(err)) from err
    _print_rows(page.items)
    _legend(page.items)
    if not page.items:
        click.echo("no quotations match", err=True)
    elif line := _page_line(page, "quotations", continued=after is not None):
        click.echo(line, err=True)


@click.command()
@click.argument("query_text", metavar="QUERY")
@_filters(words=False)
@click.option("--limit", type=click.IntRange(1, 100_000), default=500, show_default=True)
@click.option("--after", help="Continue after this cursor (printed when the timeline is cut).")
@click.pass_context
def timeline(ctx: click.Context, query_text: str, filters: dict[str, Any], limit: int, after: str | None) -> None:
    """Statements matching QUERY in date order: date, speaker and role, type, quotation, outlet."""
    try:
        page = query.timeline_page(_store(ctx), query_text, limit=limit, after=after, **filters)
    except ValueError as err:
        raise click.UsageError(str(err)) from err
    click.echo(f"Timeline for {query_text!r}: {len(page.items)} statements")
    click.echo("")
    _print_rows(page.items)
    _legend(page.items)
    if line := _page_line(page, "matching quotations", continued=after is not None):
        click.echo(line)


@click.group(invoke_without_command=True)
@click.option("--query", "name", help="Only speakers whose name contains this.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.pass_context
def speakers(ctx: click.Context, name: str | None, limit: int, offset: int) -> None:
    """Speakers with their roles and number of quotations, most quoted first, a page at a time.

    Without a command it lists speakers; the commands merge two names of one
    person and split them again (see docs/corrections.md).
    """
    if ctx.invoked_subcommand is not None:
        return
    page = query.speakers_page(_store(ctx), query=name, limit=limit, offset=offset)
    for s in page.items:
        roles = "; ".join(
            f"{r.role} ({r.first_seen or '?'}–{r.last_seen or '?'})"
            if r.first_seen != r.last_seen
            else f"{r.role} ({r.first_seen or 'undated'})"
            for r in s.roles
        )
        click.echo(f"{s.quotation_count:>4}  {s.name} [{s.kind}]" + (f" — {roles}" if roles else ""))
    if line := _page_line(page, "speakers"):
        click.echo(line, err=True)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    help="jsonl (default), csv, parquet (needs -o), or claimreview: one schema.org Claim/ClaimReview per claim.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)."
)
@click.option(
    "--articles",
    "articles_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every article with its text to this file (.jsonl or .parquet), for a full move with load.",
)
@click.option(
    "--corrections",
    "corrections_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the whole corrections log (JSONL, with placements) to this file; `load --corrections` reads it.",
)
@click.option(
    "--excel",
    is_flag=True,
    help="CSV for spreadsheets: starts with a byte-order mark, so Excel reads the umlauts right.",
)
@_filters()
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str | None,
    output: Path | None,
    articles_out: Path | None,
    corrections_out: Path | None,
    excel: bool,
    filters: dict[str, Any],
) -> None:
    """Export every matching quotation, one per row, with the documented fields (streamed, no cap).

    The format follows the file name (.csv, .parquet) unless --format says otherwise.
    """
    fmt = format_of(output or "-", fmt)
    if fmt == "claimreview":
        if articles_out or filters:
            raise click.UsageError("--format claimreview writes every claim: it takes no filters and no --articles")
        _export_claimreview(ctx, output)
        return
    if fmt == "parquet" and output is None:
        raise click.UsageError("Parquet is written to a file: give -o FILE.parquet")
    if excel and fmt != "csv":
        raise click.UsageError(f"--excel is for CSV, not {fmt}: give -o FILE.csv or --format csv")
    if articles_out is not None:
        n = write_articles(_store(ctx).iter_articles(), format_of(articles_out), articles_out)
        click.echo(f"wrote {n} articles to {articles_out}", err=True)
    if corrections_out is not None:
        _export_corrections(ctx, corrections_out)
    try:
        rows = query.iter_quotations(_store(ctx), **filters)
        n = write_ledger(rows, fmt, output if output else sys.stdout, excel=excel)
    except ValueError as err:
        raise click.UsageError(str(err)) from err
    if output:
        click.echo(f"wrote {n} quotations to {output}", err=True)


def _export_claimreview(ctx: click.Context, output: Path | None) -> None:
    """One JSON-LD line per claim (claimreview.py); the summary on stderr."""
    from .claimreview import write_claimreview

    if output is None:
        summary = write_claimreview(_store(ctx), sys.stdout)
    else:
        with output.open("w", encoding="utf-8") as handle:
            summary = write_claimreview(_store(ctx), handle)
    click.echo(summary.line() + (f" written to {output}" if output else ""), err=True)


def _export_corrections(ctx: click.Context, path: Path) -> None:
    """``export --corrections FILE``: the log, for moving a ledger with its audit trail."""
    from .corrections import write_log

    click.echo(f"wrote {write_log(_store(ctx), path)} corrections to {path}", err=True)


def _load_corrections(ctx: click.Context, store, paths: tuple[Path, ...]) -> int:
    """``load --corrections FILE``: append the entries this ledger lacks; the number of refused lines."""
    from .corrections import load_log

    refused = 0
    for path in paths:
        summary = load_log(store, path)
        for problem in summary.problems[:20]:
            click.echo(f"error: {problem}", err=True)
        refused += len(summary.problems)
        click.echo(f"{path}: {summary.line()}")
    return refused


@click.command()
@click.argument("sources", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Format of the files (default: by file name).")
@click.option(
    "--articles",
    "article_files",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Articles with their text written by export --articles (loaded first).",
)
@click.option(
    "--corrections",
    "correction_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A corrections log written by export --corrections (loaded after the quotations; loading twice adds nothing).",
)
@click.pass_context
def load(
    ctx: click.Context,
    sources: tuple[str, ...],
    fmt: str | None,
    article_files: tuple[Path, ...],
    correction_files: tuple[Path, ...],
) -> None:
    """Load exported quotations into the database: files (JSONL, CSV, Parquet), - for standard input,
    or folders with articles/, quotations/ and errors/ (a Spark output).

    Idempotent: loading the same export twice changes nothing, and export → load → export gives the
    same file. Articles come with their text from --articles or a folder's articles/; otherwise they
    are created from the metadata in the rows, without their text. A bad row is reported with its
    line and the rest loads (exit status 3).
    """
    from .ledgerfile import load_ledger

    if not sources and not correction_files:
        raise click.UsageError("give files to load (or --corrections FILE)")
    store = _store(ctx)
    summary = load_ledger(store, sources, fmt, articles=article_files)
    for problem in summary.problems[:20]:
        click.echo(f"error: {problem}", err=True)
    refused = _load_corrections(ctx, store, correction_files)
    refresh_derived(store)
    if sources:
        click.echo(summary.line())
    store.close()
    if summary.problems or refused:
        ctx.exit(3 if summary.rows or correction_files else 1)


COMMANDS: list[click.Command] = [ingest, problems, quotes, timeline, speakers, export, load]
