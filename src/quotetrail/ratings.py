"""Fact-checkers' ratings of claims: an append-only log, the newest rating of a claim counts.

A rating is written once to ``claim_reviews`` (revision 0013) and never
updated or deleted; rating a claim again appends a newer rating, which then
counts (``export --format claimreview`` carries it as the claim's
ClaimReview).  The scale is fixed (``SCALE``): 1 = falsch … 5 = richtig, so
that ``bestRating``/``worstRating`` mean the same for every rating; the
rater's own verdict word ("irreführend") is the rating's ``name``.

Claims can be regrouped (``claims --rebuild``, or an update that moves a
claim's canonical quotation) and a claim id may then vanish.  So a rating
keeps the claim's text beside its id and is *placed* on a current claim each
time it is read (``place``): the claim with the same id and text; else a
claim holding a quotation with that very text (its canonical text first);
else the claim with the same id; else it is unplaced, listed by
``ratings --unplaced`` and never dropped.  Placement is computed, not stored:
there is nothing derived to keep in step and no further schema revision.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .corrections import current_user
from .messages import LocalisedError
from .store.dialects import tokens

if TYPE_CHECKING:
    from .store.sql import SQLStore

#: The rating scale: value → its standard German name.  ``--name`` says the rater's own verdict.
SCALE: dict[int, str] = {
    1: "falsch",
    2: "überwiegend falsch",
    3: "teils richtig, teils falsch",
    4: "überwiegend richtig",
    5: "richtig",
}
WORST, BEST = min(SCALE), max(SCALE)
#: How many of a claim text's longest words the full-text search for its quotations uses.
SEARCH_WORDS = 8


class RatingError(LocalisedError):
    """A rating that cannot be made; the message is one line for the user (German in the web UI: ``messages``),
    ``status`` the HTTP status to answer."""

    def __init__(self, template: str, /, status: int = 400, **params: object) -> None:
        super().__init__(template, **params)
        self.status = status


@dataclass(frozen=True, slots=True)
class Review:
    """One entry of the ratings log, with the claim it is placed on now (None: unplaced)."""

    id: int
    claim_id: str
    claim_text: str
    rating: int
    rating_name: str
    review_body: str
    url: str | None
    by: str
    at: str
    placed_on: str | None = None


@dataclass(frozen=True, slots=True)
class RatingInput:
    """A rating's checked values, ready to store."""

    rating: int
    name: str
    body: str
    url: str | None


def validate(rating: object, name: str | None, body: str | None = None, url: str | None = None) -> RatingInput:
    """The values to store, or RatingError saying what is wrong (the one place that checks; CLI, API and web call it).

    ``rating`` may be an int or its digits as text (a form field); ``url``
    must be an absolute http(s) address, as ClaimReview consumers require.
    """
    try:
        if isinstance(rating, bool) or not isinstance(rating, int | str):
            raise ValueError(rating)
        value = int(str(rating).strip())
    except ValueError:
        raise RatingError(
            "rating must be a whole number from {worst} to {best}, not {rating!r}",
            worst=WORST,
            best=BEST,
            rating=rating,
        ) from None
    if value not in SCALE:
        scale = ", ".join(f"{k} = {v}" for k, v in SCALE.items())
        raise RatingError(
            "rating must be from {worst} to {best} ({scale}), not {value}",
            worst=WORST,
            best=BEST,
            scale=scale,
            value=value,
        )
    name = (name or "").strip()
    if not name:
        raise RatingError("a rating needs a name: the verdict in words, e.g. „irreführend“")
    if "\n" in name:
        raise RatingError("the rating's name must be one line")
    link = (url or "").strip() or None
    if link is not None:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in link):
            raise RatingError("url must be an http:// or https:// address, not {url!r}", url=link)
    return RatingInput(value, name, (body or "").strip(), link)


def rate_claim(
    store: SQLStore,
    claim_id: str,
    rating: object,
    name: str | None,
    body: str | None = None,
    url: str | None = None,
    by: str | None = None,
) -> int:
    """Append a rating of a current claim to the log; its id.  Nothing is written when a value is wrong."""
    checked = validate(rating, name, body, url)
    who = (by or current_user()).strip() or "unknown"
    at = datetime.now(UTC).isoformat(timespec="seconds")
    with store.transaction():
        row = store.conn.execute("SELECT text FROM claims WHERE id = ?", (claim_id,)).fetchone()
        if row is None:
            raise RatingError(
                "no claim {claim!r} (claim ids are listed by `quotetrail claims --all`)", status=404, claim=claim_id
            )
        return store.conn.execute(  # RETURNING: the new id even with another writer at work (not MAX(id))
            "INSERT INTO claim_reviews(claim_id, claim_text, rating, rating_name, review_body, url, by, at)"
            " VALUES (?,?,?,?,?,?,?,?) RETURNING id",
            (claim_id, row[0], checked.rating, checked.name, checked.body, checked.url, who, at),
        ).fetchone()[0]


_COLUMNS = "SELECT id, claim_id, claim_text, rating, rating_name, review_body, url, by, at FROM claim_reviews"


def _log(store: SQLStore, claim_id: str | None = None) -> list[Review]:
    """The log, oldest first; with ``claim_id`` only the ratings that can concern that claim.

    A rating is placed on a claim only if it was made under its id or its
    text is that of one of the claim's quotations (see ``place``), so those
    are the candidates: a claim's page does not place the whole log.
    """
    if claim_id is None:
        rows = store.conn.execute(f"{_COLUMNS} ORDER BY id").fetchall()
    else:
        rows = store.conn.execute(
            f"{_COLUMNS} WHERE claim_id = ? OR claim_text IN (SELECT text FROM quotations WHERE claim_id = ?)"
            " ORDER BY id",
            (claim_id, claim_id),
        ).fetchall()
    return [Review(*tuple(r)) for r in rows]


def place(store: SQLStore, claim_id: str, claim_text: str) -> str | None:
    """The current claim a rating of ``claim_id`` (whose text was ``claim_text``) belongs to, or None.

    Same id and text first (the claim is unchanged: one primary-key read);
    then the claims holding an affirming quotation with exactly that text
    (found through the full-text index, then compared in full), preferring
    the one whose canonical text it is, then the same id, then the most
    reported; then the same id even though its text moved; else None.
    """
    conn = store.conn
    same_id = conn.execute("SELECT text FROM claims WHERE id = ?", (claim_id,)).fetchone()
    if same_id is not None and same_id[0] == claim_text:
        return claim_id
    select = (
        "SELECT DISTINCT c.id, c.text, c.reports FROM quotations q JOIN claims c ON c.id = q.claim_id"
        " WHERE q.text = ? AND q.claim_id IS NOT NULL"
    )
    words = sorted(set(tokens(claim_text)), key=lambda w: (-len(w), w))[:SEARCH_WORDS]
    if words:  # the longest words narrow the search; the full text is compared exactly
        match = store.dialect.match_query(" ".join(words))
        rows = conn.execute(f"{select} AND {store.dialect.text_condition()}", (claim_text, match)).fetchall()
    else:  # no word to search for (only punctuation): compare every quotation's text instead
        rows = conn.execute(select, (claim_text,)).fetchall()
    if rows:
        best = min(rows, key=lambda r: (r[1] != claim_text, r[0] != claim_id, -r[2], r[0]))
        return best[0]
    return claim_id if same_id is not None else None


def reviews(store: SQLStore, claim_id: str | None = None, *, unplaced: bool = False) -> list[Review]:
    """The ratings log, oldest first, each placed on its current claim.

    All of it; one claim's (rated under that id then, or placed on it now);
    or, with ``unplaced``, only the ratings that no current claim takes.
    """
    placed: dict[tuple[str, str], str | None] = {}
    out = []
    for review in _log(store, None if unplaced else claim_id):
        key = (review.claim_id, review.claim_text)
        if key not in placed:
            placed[key] = place(store, *key)
        review = replace(review, placed_on=placed[key])
        if unplaced and review.placed_on is not None:
            continue
        if claim_id is not None and claim_id not in (review.claim_id, review.placed_on):
            continue
        out.append(review)
    return out


def rated_claims(store: SQLStore, claims: Sequence[tuple[str, str]]) -> dict[str, Review]:
    """The newest rating placed on each of these ``(claim id, text)`` claims that has one (a list page's marker).

    Only ratings made under one of these ids or with one of these texts are
    placed (one query, then ``place`` for those few), so a page of 50 claims
    does not place the whole log.  A rating that followed its text into a
    claim whose id and canonical text both differ is on that claim's page
    but not marked here.
    """
    if not claims:
        return {}
    ids = [c[0] for c in claims]
    texts = sorted({c[1] for c in claims})
    rows = store.conn.execute(
        f"{_COLUMNS} WHERE claim_id IN ({','.join('?' * len(ids))}) OR claim_text IN ({','.join('?' * len(texts))})"
        " ORDER BY id",
        [*ids, *texts],
    ).fetchall()
    placed: dict[tuple[str, str], str | None] = {}
    found = []
    for review in (Review(*tuple(r)) for r in rows):
        key = (review.claim_id, review.claim_text)
        if key not in placed:
            placed[key] = place(store, *key)
        found.append(replace(review, placed_on=placed[key]))
    wanted = set(ids)
    return {k: v for k, v in newest_by_claim(found).items() if k in wanted}


def newest_by_claim(placed: Iterable[Review]) -> dict[str, Review]:
    """The rating that counts for each rated current claim: the newest of ``reviews(store)`` placed on it."""
    out: dict[str, Review] = {}
    for review in sorted(placed, key=lambda r: r.id):
        if review.placed_on is not None:
            out[review.placed_on] = review  # oldest first: a newer one replaces an older one
    return out


__all__ = [
    "BEST",
    "SCALE",
    "WORST",
    "RatingError",
    "RatingInput",
    "Review",
    "newest_by_claim",
    "place",
    "rate_claim",
    "rated_claims",
    "reviews",
    "validate",
]
