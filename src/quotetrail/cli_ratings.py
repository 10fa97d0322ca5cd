"""Rating commands: ``rate CLAIM_ID`` and ``ratings [CLAIM_ID]`` (see docs/claimreview.md)."""

from __future__ import annotations

import click

from .ratings import BEST, SCALE, WORST, RatingError, Review, rate_claim, reviews
from .store import open_store

_SCALE_HELP = "; ".join(f"{k} = {v}" for k, v in SCALE.items())


@click.command(name="rate")
@click.argument("claim_id")
@click.option("--rating", required=True, help=f"The verdict on the scale {WORST}-{BEST}: {_SCALE_HELP}.")
@click.option("--name", required=True, help="The verdict in words, e.g. „irreführend“ (ClaimReview alternateName).")
@click.option("--body", default="", help="Why: the review's text (reviewBody).")
@click.option("--url", help="The published fact-check (http:// or https://).")
@click.option("--by", help="Who rates (default: the OS user).")
@click.pass_context
def rate_command(
    ctx: click.Context, claim_id: str, rating: str, name: str, body: str, url: str | None, by: str | None
) -> None:
    """Rate a claim as a fact-checker; the newest rating of a claim counts and older ones stay in the log.

    Claim ids are listed by `quotetrail claims --all`.  The rating follows
    its claim when claims are regrouped (see docs/claimreview.md).
    """
    store = open_store(ctx.obj["db_path"])
    try:
        review_id = rate_claim(store, claim_id, rating, name, body, url, by)
    except RatingError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"rating #{review_id} logged for {claim_id}", err=True)


def _line(r: Review) -> str:
    where = "UNPLACED" if r.placed_on is None else r.placed_on
    moved = "" if r.placed_on == r.claim_id else f" (now {where})"
    body = f"  — {r.review_body}" if r.review_body else ""
    url = f"  <{r.url}>" if r.url else ""
    return (
        f"#{r.id}  {r.at}  {r.by}  {r.claim_id}{moved}  {r.rating}/{BEST} „{r.rating_name}“{body}{url}\n"
        f"      „{r.claim_text}“"
    )


@click.command(name="ratings")
@click.argument("claim_id", required=False)
@click.option("--unplaced", is_flag=True, help="Only ratings that fit no current claim (after claims were regrouped).")
@click.pass_context
def ratings_command(ctx: click.Context, claim_id: str | None, unplaced: bool) -> None:
    """The ratings log, oldest first: all of it, one claim's, or the unplaced ones."""
    found = reviews(open_store(ctx.obj["db_path"]), claim_id, unplaced=unplaced)
    for r in found:
        click.echo(_line(r))
    if not found:
        click.echo("no ratings" + (" unplaced" if unplaced else ""), err=True)


COMMANDS: list[click.Command] = [rate_command, ratings_command]
