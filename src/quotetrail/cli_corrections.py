"""Correction commands: ``correct QUOTATION_ID`` and ``corrections [QUOTATION_ID]`` (see docs/corrections.md)."""

from __future__ import annotations

import click

from .corrections import Correction, CorrectionError, correct, history
from .store import open_store


@click.command(name="correct")
@click.argument("quotation_id")
@click.option("--speaker", help="Who really said it (a speaker name).")
@click.option("--type", "type_", help="The quotation's real type (direct, indirect, ...).")
@click.option("--said-on", help="When it was really said: YYYY, YYYY-MM or YYYY-MM-DD.")
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
    not_a_quotation: bool,
    note: str,
    by: str | None,
) -> None:
    """Correct one quotation's speaker, type or date (or say it is none); the correction survives re-ingest.

    Claim membership cannot be corrected yet.  Quotation ids are in every
    export (``quotation_id``).
    """
    changes: dict[str, str | None] = {}
    for name, value in (("speaker", speaker), ("type", type_), ("said_on", said_on)):
        if value is not None:
            changes[name] = value
    if not_a_quotation:
        changes["not_a_quotation"] = "true"
    store = open_store(ctx.obj["db_path"])
    try:
        ids = correct(store, quotation_id, changes, note, by)
    except CorrectionError as err:
        raise click.ClickException(str(err)) from None
    from .ingest_job import refresh_derived

    refresh_derived(store)  # the speakers table counts the corrected speaker now, as after an ingest
    click.echo(f"{len(ids)} correction{'s' if len(ids) != 1 else ''} logged and applied to {quotation_id}", err=True)


def _line(c: Correction) -> str:
    where = "ORPHANED" if c.placed_on is None else c.placed_on
    change = "not a quotation" if c.field == "not_a_quotation" else f"{c.field}: {c.before!r} → {c.after!r}"
    return f"#{c.id}  {c.at}  {c.by}  {c.quotation_id} (now {where})  {change}  — {c.note}\n      „{c.quoted_text}“"


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


COMMANDS: list[click.Command] = [correct_command, corrections_command]
