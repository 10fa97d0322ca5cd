"""``speakers merge A B``, ``speakers split A`` and ``speakers merges``: the sub-commands of ``speakers``.

Thin over ``speaker_merges``; see "Merging and splitting speakers" in docs/corrections.md.
"""

from __future__ import annotations

import click

from .corrections import CorrectionError
from .speaker_merges import SpeakerChange, merge_speakers, merged_speakers, split_speaker
from .store import open_store


def _logged(change: SpeakerChange) -> str:
    ids = change.correction_ids
    if not ids:
        return "no quotation changed"
    where = f"#{ids[0]}" if len(ids) == 1 else f"#{ids[0]}–#{ids[-1]}"
    return f"{change.quotations} quotation{'s' if change.quotations != 1 else ''} corrected (log {where})"


@click.command(name="merge")
@click.argument("alias", metavar="A")
@click.argument("canonical", metavar="B")
@click.option("--note", required=True, help="Why they are one person: kept in the corrections log.")
@click.option("--by", help="Who merges (default: the OS user).")
@click.pass_context
def merge_command(ctx: click.Context, alias: str, canonical: str, note: str, by: str | None) -> None:
    """A is the same person as B: A's quotations are shown as B, now and after later ingests.

    Only quotations whose speaker is exactly A move (not other names of its
    family); each is one entry in the corrections log.  If B is merged into C,
    A is merged into C.  Undo with `speakers split A`.
    """
    store = open_store(ctx.obj["db_path"])
    try:
        change = merge_speakers(store, alias, canonical, note, by)
    except CorrectionError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"merged {change.name!r} into {change.speaker!r}: {_logged(change)}", err=True)


@click.command(name="split")
@click.argument("name")
@click.argument("quotation_ids", nargs=-1, metavar="[ID ...]")
@click.option("--quotations", "by_quotation", is_flag=True, help="Split off the quotations whose ids follow NAME.")
@click.option("--as", "as_name", metavar="OTHER", help="Who said the quotations given (with --quotations).")
@click.option("--note", required=True, help="Why: kept in the corrections log.")
@click.option("--by", help="Who splits (default: the OS user).")
@click.pass_context
def split_command(
    ctx: click.Context,
    name: str,
    quotation_ids: tuple[str, ...],
    by_quotation: bool,
    as_name: str | None,
    note: str,
    by: str | None,
) -> None:
    """Undo the merge of NAME, or give some of NAME's quotations to another person of the same name.

    \b
    quotetrail speakers split "Olaf Schilz" --note "not Scholz after all"
    quotetrail speakers split Müller --quotations ID [ID ...] --as "Gerd Müller" --note "the footballer"
    """
    if quotation_ids and not by_quotation:
        raise click.ClickException(
            "quotation ids go after --quotations: split NAME --quotations ID [ID ...] --as OTHER"
        )
    if by_quotation and not quotation_ids:
        raise click.ClickException("--quotations needs the ids of the quotations to split off")
    if as_name is not None and not by_quotation:
        raise click.ClickException("--as needs --quotations ID [ID ...]: which of NAME's quotations are OTHER's")
    if by_quotation and as_name is None:
        raise click.ClickException("--quotations needs --as OTHER: who said them")
    store = open_store(ctx.obj["db_path"])
    try:
        if by_quotation:
            change = split_speaker(store, name, note, by, quotation_ids=quotation_ids, as_name=as_name)
        else:
            change = split_speaker(store, name, note, by)
    except CorrectionError as err:
        raise click.ClickException(str(err)) from None
    if by_quotation:
        click.echo(f"split quotations of {name!r} off as {change.speaker!r}: {_logged(change)}", err=True)
    else:
        click.echo(f"split {name!r} off again: {_logged(change)}; later ingests keep {name!r}", err=True)


@click.command(name="merges")
@click.pass_context
def merges_command(ctx: click.Context) -> None:
    """The standing merges: each merged name, who it is shown as, and the log entry that merged it."""
    found = merged_speakers(open_store(ctx.obj["db_path"]))
    for m in found:
        via = "" if m.shown_as == m.canonical else f" (via {m.canonical!r})"
        made = f"#{m.correction_id}  {m.at}  {m.by}  — {m.note}" if m.correction_id is not None else ""
        click.echo(f"{m.alias!r} → {m.shown_as!r}{via}  {made}".rstrip())
    if not found:
        click.echo("no merged speakers", err=True)


#: Registered under ``speakers`` (``cli._register_commands``).
COMMANDS: list[click.Command] = [merge_command, split_command, merges_command]
