"""Correction commands (see docs/corrections.md): ``correct``, ``correct-claim``, ``add-quotation``,
``uncorrect``, ``corrections`` and ``reextract``.

Each parses its arguments and calls one function of ``quotetrail.corrections``
(the API and web call the same ones); a refused correction is one line.
"""

from __future__ import annotations

import json
import sys

import click

from .corrections import (
    Correction,
    CorrectionError,
    add_quotation,
    correct,
    correct_claim,
    history,
    undo,
)
from .faults import DEFAULT_TIME_BUDGET
from .store import open_store


def _refresh(store: object, regroup: list[str]) -> None:
    """Bring the derived tables up to date as an ingest would: speakers, and the claims of moved quotations."""
    from .ingest_job import refresh_derived

    refresh_derived(store)  # type: ignore[arg-type]
    if regroup:
        from .claims import update_claims

        update_claims(store, quotation_ids=regroup)


def _claim_of(store: object, quotation_id: str) -> str | None:
    row = store.conn.execute("SELECT claim_id FROM quotations WHERE id = ?", (quotation_id,)).fetchone()  # type: ignore[attr-defined]
    return row[0] if row else None


@click.command(name="correct")
@click.argument("quotation_id")
@click.option("--speaker", help="Who really said it (a speaker name).")
@click.option("--type", "type_", help="The quotation's real type (Direct, Indirect, ...).")
@click.option("--said-on", help="When it was really said: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option(
    "--span",
    nargs=2,
    type=int,
    metavar="START END",
    help="The quotation's real offsets in the article text; its text is cut again from the article.",
)
@click.option("--claim", "claim_id", help="Move it into this claim (see `quotetrail claims --all`).")
@click.option("--new-claim", is_flag=True, help="Take it out of its claim into a claim of its own.")
@click.option("--not-a-quotation", is_flag=True, help="It is no quotation: hide it from lists and exports.")
@click.option("--note", required=True, help="Why: kept in the corrections log with the change.")
@click.option("--by", help="Who corrects (default: the OS user).")
@click.pass_context
def correct_command(
    ctx: click.Context,
    quotation_id: str,
    speaker: str | None,
    type_: str | None,
    said_on: str | None,
    span: tuple[int, int] | None,
    claim_id: str | None,
    new_claim: bool,
    not_a_quotation: bool,
    note: str,
    by: str | None,
) -> None:
    """Correct one quotation's speaker, type, date, span or claim (or say it is none); the correction
    survives re-ingest, re-extraction and `claims --rebuild`.

    Quotation ids are in every export (`quotation_id`).  Undo with
    `quotetrail uncorrect NUMBER`.
    """
    changes: dict[str, object] = {}
    for name, value in (("speaker", speaker), ("type", type_), ("said_on", said_on), ("claim", claim_id)):
        if value is not None:
            changes[name] = value
    if span:
        changes["span"] = span
    if new_claim:
        changes["new_claim"] = "true"
    if not_a_quotation:
        changes["not_a_quotation"] = "true"
    store = open_store(ctx.obj["db_path"])
    try:
        ids = correct(store, quotation_id, changes, note, by)
    except CorrectionError as err:
        raise click.ClickException(str(err)) from None
    regroup = [quotation_id] if {"span", "claim", "new_claim"} & set(changes) else []
    _refresh(store, regroup)
    numbers = ", ".join(f"#{i}" for i in ids)
    click.echo(
        f"{len(ids)} correction{'s' if len(ids) != 1 else ''} ({numbers}) logged and applied to {quotation_id}",
        err=True,
    )
    if regroup:
        click.echo(f"{quotation_id} is now in claim {_claim_of(store, quotation_id) or '(none)'}", err=True)


@click.command(name="correct-claim")
@click.argument("claim_id")
@click.option("--speaker", help="Who said every restatement of this claim.")
@click.option("--type", "type_", help="The type of every restatement (Direct, Indirect, ...).")
@click.option("--note", required=True, help="Why: kept in the log with each member's correction.")
@click.option("--by", help="Who corrects (default: the OS user).")
@click.pass_context
def correct_claim_command(
    ctx: click.Context, claim_id: str, speaker: str | None, type_: str | None, note: str, by: str | None
) -> None:
    """Correct every quotation now in a claim ("every restatement of this claim is by X").

    One log entry per member and field, each undoable on its own.  Quotations
    that join the claim later are not corrected.
    """
    changes = {name: value for name, value in (("speaker", speaker), ("type", type_)) if value is not None}
    store = open_store(ctx.obj["db_path"])
    try:
        ids, unchanged = correct_claim(store, claim_id, changes, note, by)
    except CorrectionError as err:
        raise click.ClickException(str(err)) from None
    _refresh(store, [])
    same = f"; {unchanged} members had it already" if unchanged else ""
    click.echo(
        f"{len(ids)} corrections logged on the members of claim {claim_id}{same}."
        " Quotations that join this claim later are not corrected.",
        err=True,
    )


@click.command(name="add-quotation")
@click.argument("article_id")
@click.argument("start", type=int)
@click.argument("end", type=int)
@click.option("--speaker", required=True, help="Who said it.")
@click.option("--type", "type_", default="Direct", show_default=True, help="Quotation type.")
@click.option("--said-on", help="When it was said: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--cue", help="The verb or phrase that introduces it, as it stands in the article (e.g. sagte).")
@click.option("--note", required=True, help="Why: kept in the corrections log.")
@click.option("--by", help="Who adds it (default: the OS user).")
@click.pass_context
def add_quotation_command(
    ctx: click.Context,
    article_id: str,
    start: int,
    end: int,
    speaker: str,
    type_: str,
    said_on: str | None,
    cue: str | None,
    note: str,
    by: str | None,
) -> None:
    """Add a quotation the extractor missed: characters START to END of a stored article's text.

    It is searchable at once, joins a claim at the next `claims --update` (or
    ingest), and is added again after a re-ingest or re-extraction, unless
    the extractor then finds it itself.
    """
    store = open_store(ctx.obj["db_path"])
    values = {"speaker": speaker, "type": type_, "said_on": said_on, "cue": cue}
    try:
        quotation_id, number = add_quotation(store, article_id, (start, end), values, note, by)
    except CorrectionError as err:
        raise click.ClickException(str(err)) from None
    _refresh(store, [])
    click.echo(f"added quotation {quotation_id} (#{number} in the corrections log)", err=True)


@click.command(name="uncorrect")
@click.argument("numbers", nargs=-1, required=True)
@click.option("--note", required=True, help="Why the correction was wrong: kept in the log.")
@click.option("--by", help="Who undoes it (default: the OS user).")
@click.pass_context
def uncorrect_command(ctx: click.Context, numbers: tuple[str, ...], note: str, by: str | None) -> None:
    """Undo corrections by their numbers in `quotetrail corrections` (a hidden quotation comes back).

    The log keeps both the correction and its undoing; re-ingest and
    re-extraction honour the undo.
    """
    store = open_store(ctx.obj["db_path"])
    try:
        ids = undo(store, [n.lstrip("#") for n in numbers], note, by)
    except CorrectionError as err:
        raise click.ClickException(str(err)) from None
    placed = [c.placed_on for c in history(store) if c.id in set(ids) and c.placed_on]
    ungrouped = [q for q in placed if _claim_of(store, q) is None]
    _refresh(store, ungrouped)
    click.echo(
        f"{len(ids)} correction{'s' if len(ids) != 1 else ''} undone ({', '.join(f'#{i}' for i in ids)})", err=True
    )


def _change(c: Correction) -> str:
    """One entry's change in words."""
    if c.field == "not_a_quotation":
        return "not a quotation"
    if c.field == "undo":
        return f"undoes #{c.after}"
    if c.field == "add_quotation":
        values = json.loads(c.after or "{}")
        return f"added by hand: {values.get('speaker')!r}, {values.get('type')}" + (
            f", {values['said_on']}" if values.get("said_on") else ""
        )
    if c.field == "claim":
        target = json.loads(c.after or "{}")
        where = "a claim of its own" if target.get("new") else repr(target.get("claim"))
        return f"claim: {c.before!r} → {where}"
    if c.field == "span":
        before, after = (json.loads(v or "{}").get("spans") or [] for v in (c.before, c.after))
        return f"span: {_spans(before)} → {_spans(after)}"
    return f"{c.field}: {c.before!r} → {c.after!r}"


def _spans(spans: list[list[int]]) -> str:
    return ",".join(f"{s}-{e}" for s, e in spans) or "?"


def _line(c: Correction) -> str:
    where = "ORPHANED" if c.placed_on is None else c.placed_on
    undone = f"  (undone by #{c.undone_by})" if c.undone_by else ""
    return (
        f"#{c.id}  {c.at}  {c.by}  {c.quotation_id} (now {where})  {_change(c)}{undone}  — {c.note}\n"
        f"      „{c.quoted_text}“"
    )


@click.command(name="corrections")
@click.argument("quotation_id", required=False)
@click.option("--orphaned", is_flag=True, help="Only corrections that can no longer be placed on a quotation.")
@click.pass_context
def corrections_command(ctx: click.Context, quotation_id: str | None, orphaned: bool) -> None:
    """The corrections log, oldest first: all of it, one quotation's, or the orphaned ones."""
    found = history(open_store(ctx.obj["db_path"]), quotation_id, orphaned=orphaned)
    for c in found:
        click.echo(_line(c))
    if not found:
        click.echo("no corrections" + (" orphaned" if orphaned else ""), err=True)


@click.command(name="reextract")
@click.argument("article_ids", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every stored article.")
@click.option(
    "--outdated", is_flag=True, help="Every article with a quotation extracted by another version of the models."
)
@click.option(
    "--time-budget",
    type=click.FloatRange(min=0),
    default=DEFAULT_TIME_BUDGET,
    show_default=True,
    help="Seconds one article may take before it is recorded as a problem (0: no limit).",
)
@click.option(
    "--claims/--no-claims", "group_claims", default=True, show_default=True, help="Regroup claims afterwards."
)
@click.option(
    "--language",
    help="Read the articles as this language (ISO 639 code: de), for one that detection misread; "
    "articles not in German are stored unanalysed.",
)
@click.pass_context
def reextract_command(
    ctx: click.Context,
    article_ids: tuple[str, ...],
    every: bool,
    outdated: bool,
    time_budget: float,
    group_claims: bool,
    language: str | None,
) -> None:
    """Extract stored articles again with the current models, from their stored text, and apply the
    corrections log again (ingest skips content it has stored, so a new model needs this).

    Give article ids, --all or --outdated.  Exit status 3 when some articles failed.
    """
    from tqdm import tqdm

    from .clean import language_code
    from .reextract import UnknownArticle, articles_to_reextract, reextract_articles

    if sum((bool(article_ids), every, outdated)) != 1:
        raise click.ClickException("give article ids, --all or --outdated (exactly one of them)")
    code = language_code(language) if language else None
    if language and code is None:
        raise click.BadParameter(f"{language!r} is no ISO 639 language code (de, de-DE)", param_hint="--language")
    store = open_store(ctx.obj["db_path"])
    try:
        ids = articles_to_reextract(store, article_ids, outdated=outdated)
    except UnknownArticle as err:
        raise click.ClickException(str(err)) from None
    bar = tqdm(total=len(ids), desc="re-extracting", unit=" articles", file=sys.stderr, disable=None)
    summary = reextract_articles(
        store, ids, time_budget=time_budget or None, on_article=lambda _a: bar.update(1), language=code
    )
    bar.close()
    click.echo(summary.line())
    if group_claims and not summary.interrupted:
        from .claims import update_claims

        click.echo(f"claims: {update_claims(store, notice=lambda line: click.echo(line, err=True)).line()}")
    orphaned = len(history(store, orphaned=True))
    if orphaned:
        click.echo(f"{orphaned} corrections cannot be placed: see `quotetrail corrections --orphaned`", err=True)
    ctx.exit(130 if summary.interrupted else 3 if summary.problems else 0)


COMMANDS: list[click.Command] = [
    correct_command,
    correct_claim_command,
    add_quotation_command,
    uncorrect_command,
    corrections_command,
    reextract_command,
]
