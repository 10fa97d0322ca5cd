"""Rating a claim as a fact-checker, through the REST API and the claim page.

``ratings.rate_claim`` alone checks the values (``RatingError`` carries the
status: 404 for an unknown claim, 400 otherwise); this module only lets
editors and admins in and shows the log.  Reading ratings is open to
everyone.  The newest rating placed on a claim counts; older ones stay.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ..api import BAD_REQUEST, INTERNAL, NOT_FOUND, claim_or_404
from ..ratings import BEST, SCALE, WORST, RatingError, Review, rate_claim, reviews
from .auth import REFUSED
from .deps import StoreDep
from .forms import Editor, back_to, edit_state, writing

api = APIRouter(prefix="/api", responses=INTERNAL, tags=["ratings"])
pages = APIRouter()
_SCALE = "; ".join(f"{k} = {v}" for k, v in SCALE.items())


class RatingBody(BaseModel):
    """A fact-checker's verdict on a claim.  Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")
    rating: int = Field(description=f"The verdict on the scale {WORST}-{BEST}: {_SCALE}.")
    name: str = Field(description="The verdict in the rater's own words, e.g. „irreführend“ (alternateName).")
    body: str = Field("", description="Why: the review's text (reviewBody).")
    url: str | None = Field(None, description="The published fact-check, an http:// or https:// address.")


def review_json(r: Review) -> dict[str, Any]:
    return {
        "id": r.id,
        "claim_id": r.claim_id,
        "placed_on": r.placed_on,
        "claim_text": r.claim_text,
        "rating": r.rating,
        "scale": SCALE.get(r.rating),
        "name": r.rating_name,
        "body": r.review_body,
        "url": r.url,
        "by": r.by,
        "at": r.at,
    }


@api.get(
    "/claims/{claim_id}/ratings",
    summary="A claim's ratings, oldest first, and the one that counts (open to everyone)",
    description="Ratings made under this id or placed on the claim now (a rating follows its claim's text when "
    "claims are regrouped); `current` is the newest placed on it, or null. 404 when there is neither such a claim "
    "nor a rating made under its id.",
    responses=NOT_FOUND,
)
def api_ratings(store: StoreDep, claim_id: str) -> dict[str, Any]:
    found = reviews(store, claim_id)
    if not found:
        claim_or_404(store, claim_id)
    placed = [r for r in found if r.placed_on == claim_id]
    return {
        "ok": True,
        "claim_id": claim_id,
        "current": review_json(placed[-1]) if placed else None,
        "ratings": [review_json(r) for r in found],
    }


@api.post(
    "/claims/{claim_id}/ratings",
    status_code=201,
    summary="Rate a claim (editor or admin); the newest rating of a claim counts",
    description="Appends a rating, made by the logged-in user, to the ratings log (`export --format claimreview` "
    "carries the newest one as the claim's ClaimReview). 400 for a rating outside the scale, an empty name or a "
    "URL that is not http(s); 404 for an unknown claim.",
    responses={**BAD_REQUEST, **REFUSED, **NOT_FOUND},
)
def api_rate(store: StoreDep, claim_id: str, body: RatingBody, user: Editor) -> dict[str, Any]:
    try:
        with writing():
            review_id = rate_claim(store, claim_id, body.rating, body.name, body.body, body.url, user.name)
    except RatingError as err:
        raise HTTPException(err.status, str(err)) from None
    made = next(r for r in reviews(store, claim_id) if r.id == review_id)
    return {"ok": True, "rating": review_json(made)}


@pages.post("/claim/{claim_id}/ratings", include_in_schema=False)
def rate_from_form(
    request: Request,
    store: StoreDep,
    claim_id: str,
    user: Editor,
    rating: Annotated[str, Form(max_length=20)] = "",
    name: Annotated[str, Form(max_length=500)] = "",
    body: Annotated[str, Form(max_length=20_000)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The claim page's rating form; back to the claim page, where the new rating is listed first."""
    try:
        with writing():
            rate_claim(store, claim_id, rating, name, body, url, user.name)
    except RatingError as err:
        if err.status == 404:
            raise HTTPException(404, str(err)) from None
        from .pages import claim_page

        values = {"rating": rating, "name": name, "body": body, "url": url}
        return claim_page(
            request, store, claim_id, edit_state(request, store, error=err.german(), form="rate", values=values), 400
        )
    return back_to(f"/claim/{claim_id}")
