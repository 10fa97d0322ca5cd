"""schema.org Claim / ClaimReview JSON-LD for every claim: ``export --format claimreview``.

The output is JSON Lines: one self-contained JSON-LD document (with its own
``@context``) per claim and line.  ClaimReview consumers (Google's Fact
Check tools among them) read one ClaimReview per page, each in its own
``<script type="application/ld+json">``: a line is exactly that block.
Lines also stream (nothing is held back to close a surrounding ``@graph``
array) and suit pipelines (``jq``, Spark, ``split``).

A claim a user has rated (``quotetrail rate``; the newest rating counts) is
a ``ClaimReview`` whose ``itemReviewed`` is the ``Claim``; any other claim
is a bare ``Claim``.  The builders here are pure functions from the rows
of ``claims/appearances.py`` and ``ratings.py`` to dicts; ``write_claimreview``
streams them.  See docs/claimreview.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .claims.appearances import Appearance, ClaimAppearances, iter_claim_appearances
from .ratings import BEST, WORST, Review, newest_by_claim, reviews

if TYPE_CHECKING:
    from .store.sql import SQLStore

CONTEXT = "https://schema.org"
#: Speaker kinds (speakers table) that are organisations; every other speaker is a Person.
ORGANISATION_KINDS = frozenset({"organisation", "media"})


def web_url(value: str | None) -> str | None:
    """``value`` if it is an absolute http(s) address (a schema.org URL), else None (a file path is not one)."""
    if not value:
        return None
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.netloc else None


def organization(name: str) -> dict[str, Any]:
    return {"@type": "Organization", "name": name}


def claimant(name: str, kind: str) -> dict[str, Any]:
    """The speaker as a schema.org ``Organization`` when the speakers table knows it is one, else a ``Person``."""
    return {"@type": "Organization" if kind in ORGANISATION_KINDS else "Person", "name": name}


def news_article(a: Appearance) -> dict[str, Any]:
    """One appearance as a ``NewsArticle``: the outlet publishes it; an agency story names the agency as source."""
    node: dict[str, Any] = {"@type": "NewsArticle", "identifier": a.article_id}
    if a.title:
        node["headline"] = a.title
    url = web_url(a.url) or web_url(a.source)
    if url:
        node["url"] = url
    if a.outlet:
        node["publisher"] = organization(a.outlet)
        if a.agency:
            node["sourceOrganization"] = organization(a.agency)
    elif a.agency:
        node["publisher"] = organization(a.agency)
    if a.published:
        node["datePublished"] = a.published
    return node


def claim_node(record: ClaimAppearances) -> dict[str, Any]:
    """The ``Claim``: its canonical text, who made it, when first said and published, and every appearance."""
    c = record.claim
    node: dict[str, Any] = {"@type": "Claim", "identifier": c.id, "name": c.text, "text": c.text}
    authors = [claimant(name, kind) for name, kind in record.speaker_kinds]
    if authors:
        node["author"] = authors[0] if len(authors) == 1 else authors
    if c.first_said:
        node["dateCreated"] = c.first_said
    appearances = [news_article(a) for a in record.appearances]
    if appearances:
        first = appearances[0]
        if "datePublished" in first:
            node["datePublished"] = first["datePublished"]
        node["firstAppearance"] = first
        node["appearance"] = appearances
    return node


def rating_node(review: Review) -> dict[str, Any]:
    """The ``Rating`` on quotetrail's fixed scale (``ratings.SCALE``), with the rater's verdict as its name."""
    return {
        "@type": "Rating",
        "ratingValue": review.rating,
        "bestRating": BEST,
        "worstRating": WORST,
        "alternateName": review.rating_name,
    }


def claim_review_node(claim: dict[str, Any], review: Review) -> dict[str, Any]:
    """The ``ClaimReview`` of one rating: the claim reviewed, the verdict, who rated it and when."""
    node: dict[str, Any] = {
        "@type": "ClaimReview",
        "claimReviewed": claim["text"],
        "itemReviewed": claim,
        "reviewRating": rating_node(review),
        "author": {"@type": "Person", "name": review.by},
        "datePublished": review.at,
    }
    if review.url:
        node["url"] = review.url
    if review.review_body:
        node["reviewBody"] = review.review_body
    return node


def document(record: ClaimAppearances, review: Review | None) -> dict[str, Any]:
    """One line of the export: a ClaimReview when the claim is rated, else the Claim, under schema.org's context."""
    claim = claim_node(record)
    return {"@context": CONTEXT, **(claim_review_node(claim, review) if review else claim)}


@dataclass(frozen=True, slots=True)
class ClaimReviewSummary:
    """What an export wrote, and the ratings it could not attach (see ``quotetrail ratings --unplaced``)."""

    claims: int
    reviews: int
    unplaced: int

    def line(self) -> str:
        unplaced = (
            f"; {self.unplaced} ratings fit no current claim (quotetrail ratings --unplaced)" if self.unplaced else ""
        )
        return f"{self.claims} claims, {self.reviews} of them with a ClaimReview{unplaced}"


def write_claimreview(store: SQLStore, handle: IO[str]) -> ClaimReviewSummary:
    """Write every claim as one JSON-LD line to ``handle``, streamed a page of claims at a time."""
    log = reviews(store)  # ratings are few: all placed once, before the claims stream
    rated = newest_by_claim(log)
    claims = written_reviews = 0
    for record in iter_claim_appearances(store):
        review = rated.get(record.claim.id)
        handle.write(json.dumps(document(record, review), ensure_ascii=False) + "\n")
        claims += 1
        written_reviews += review is not None
    return ClaimReviewSummary(claims, written_reviews, sum(r.placed_on is None for r in log))


__all__ = [
    "CONTEXT",
    "ClaimReviewSummary",
    "claim_node",
    "claim_review_node",
    "claimant",
    "document",
    "news_article",
    "rating_node",
    "web_url",
    "write_claimreview",
]
