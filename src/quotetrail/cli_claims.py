"""Claim commands: ``claims``, ``claim ID``, ``compare``."""

from __future__ import annotations

import click

from .claims.group import JOIN_THRESHOLD
from .store import open_store


@click.command()
@click.argument("query_text", metavar="[QUERY]", required=False)
@click.option(
    "--update",
    is_flag=True,
    help="Group the quotations not yet in a claim: reads only those and writes only the claims they change.",
)
@click.option("--rebuild", is_flag=True, help="Regroup every quotation from scratch.")
@click.option("--all", "show_all", is_flag=True, help="Also list claims reported only once.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.option(
    "--join-threshold",
    type=click.FloatRange(0.0, 1.0),
    default=JOIN_THRESHOLD,
    show_default=True,
    help="Similarity at which a quotation joins a claim (see docs/claims.md for measured precision/recall).",
)
@click.pass_context
def claims(
    ctx: click.Context,
    query_text: str | None,
    update: bool,
    rebuild: bool,
    show_all: bool,
    limit: int,
    offset: int,
    join_threshold: float,
) -> None:
    """List claims (restatements grouped across articles), most reported first."""
    store = open_store(ctx.obj["db_path"])
    if update or rebuild:
        from .claims import update_claims

        def progress(stage: str, done: int, total: int) -> None:
            if stage == "embed":
                click.echo(f"\rembedding {done}/{total} new texts", err=True, nl=done == total)

        summary = update_claims(
            store,
            rebuild=rebuild,
            join_threshold=join_threshold,
            progress=progress,
            notice=lambda line: click.echo(line, err=True),
        )
        click.echo(summary.line(), err=True)
    from . import query

    page = query.claims_page(store, query_text, min_reports=1 if show_all else 2, limit=limit, offset=offset)
    for c in page.items:
        who = ", ".join(c.speakers) or "unknown"
        syndicated = f" (in {c.statements} independent articles)" if c.statements and c.statements != c.reports else ""
        click.echo(f"{c.id}  {c.reports:>3} reports{syndicated}  {c.first_said or '?'} – {c.last_said or '?'}  {who}")
        click.echo(f"      „{c.text}“")
    if page.next is not None or offset:
        more = f"; more: --offset {page.next}" if page.next is not None else ""
        click.echo(f"showing {offset + 1}-{offset + len(page.items)} of {page.total} claims{more}", err=True)


@click.command()
@click.argument("claim_id")
@click.pass_context
def claim(ctx: click.Context, claim_id: str) -> None:
    """Timeline of one claim with the stance of each statement (affirms, denies, hedges)."""
    store = open_store(ctx.obj["db_path"])
    found = store.claim(claim_id)
    if found is None:
        raise click.UsageError(f"no claim {claim_id!r} (see `quotetrail claims`)")
    click.echo(f"„{found.text}“")
    click.echo(
        f"{found.reports} reports by {', '.join(found.speakers) or 'unknown'}, {found.first_said or '?'} – {found.last_said or '?'}\n"
    )
    stance = {qid: s for qid, s, _ in store.claim_members(claim_id)}
    for r in store.ledger_rows(list(stance)):
        source = " / ".join(x for x in (r.outlet, r.agency) if x) or r.source.rsplit("/", 1)[-1]
        click.echo(
            f"{r.said_on or 'undated':<10}  {stance[r.quotation_id]:<8} {r.speaker or r.speaker_mention or 'unknown'} — {r.type} [{source}]"
        )
        click.echo(f"            „{r.text}“")


@click.command()
@click.option("--claim", "claim_id", help="Claim id (see `quotetrail claims`).")
@click.option("--speaker", help="Speaker name.")
@click.pass_context
def compare(ctx: click.Context, claim_id: str | None, speaker: str | None) -> None:
    """How each outlet reported a claim or a speaker: type, wording diff, omissions, framing terms."""
    from .claims.compare import compare_claim, compare_speaker

    if bool(claim_id) == bool(speaker):
        raise click.UsageError("give exactly one of --claim ID or --speaker NAME")
    store = open_store(ctx.obj["db_path"])
    if claim_id:
        result = compare_claim(store, claim_id)
        if result is None:
            raise click.UsageError(f"no claim {claim_id!r}")
        found, reports = result
        click.echo(f"Claim: „{found.text}“\n")  # type: ignore[attr-defined]
    else:
        reports = compare_speaker(store, speaker)  # type: ignore[arg-type]
    for r in reports:
        click.echo(f"{r.outlet} · {r.said_on or 'undated'} · {r.type} · {r.stance}")
        click.echo(f"    wording: {r.diff}")
        if r.omitted:
            click.echo(f"    left out: {' '.join(r.omitted)}")
        if r.framing_near or r.framing_article:
            click.echo(
                f"    framing nearby: {', '.join(r.framing_near) or '—'}; in the article: {', '.join(r.framing_article) or '—'}"
            )


COMMANDS: list[click.Command] = [claims, claim, compare]
