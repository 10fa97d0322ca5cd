"""Every claim with the articles it appears in, read a page of claims at a time (for ClaimReview export).

A claim *appears* in each article holding one of its affirming quotations
(those that deny or hedge it are other statements).  An article with several
such quotations is one appearance.  Appearances come in publication order:
dated articles by their date (a coarser date such as ``2024-05`` before the
days of that month), undated ones last by the earliest date a quotation in
them was said, then by article id; the first is the claim's first appearance.

Claims are read in id order by keyset pages (the primary key), their
members through the ``quotations.claim_id`` index, and speaker kinds from
the speakers table, so memory holds one page whatever the ledger's size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Claim

if TYPE_CHECKING:
    from ..store.sql import SQLStore

#: Claims per page (and per members query).
PAGE = 200


@dataclass(frozen=True, slots=True)
class Appearance:
    """One article a claim appears in: what a reader needs to find it, and when it was published."""

    article_id: str
    title: str | None
    url: str | None
    source: str
    outlet: str | None
    agency: str | None
    published: str | None
    said_on: str | None  # the earliest date one of the claim's quotations in this article was said


@dataclass(frozen=True, slots=True)
class ClaimAppearances:
    """A claim, the articles it appears in (earliest first) and the kind of each speaker (person, organisation …)."""

    claim: Claim
    appearances: tuple[Appearance, ...]
    speaker_kinds: tuple[tuple[str, str], ...]


def publication_order(a: Appearance) -> tuple[bool, str, str, str]:
    """Dated articles by date first, undated ones after them by when the claim was said there, then by id."""
    return (a.published is None, a.published or "", a.said_on or "~", a.article_id)


def iter_claim_appearances(store: SQLStore, page: int = PAGE) -> Iterator[ClaimAppearances]:
    """Every claim with its appearances, in claim id order, ``page`` claims per round of queries."""
    after = ""
    while True:
        ids = [
            r[0] for r in store.conn.execute("SELECT id FROM claims WHERE id > ? ORDER BY id LIMIT ?", (after, page))
        ]
        if not ids:
            return
        claims = store.claims_by_ids(ids)
        appearances = _appearances(store, ids)
        kinds = _speaker_kinds(store, sorted({s for c in claims for s in c.speakers}))
        for claim in claims:
            yield ClaimAppearances(
                claim,
                tuple(sorted(appearances.get(claim.id, {}).values(), key=publication_order)),
                tuple((s, kinds.get(s, "unknown")) for s in claim.speakers),
            )
        after = ids[-1]


def _appearances(store: SQLStore, claim_ids: list[str]) -> dict[str, dict[str, Appearance]]:
    """claim id → article id → appearance, from the affirming members (``quotations.claim_id`` names their claim)."""
    marks = ",".join("?" * len(claim_ids))
    rows = store.conn.execute(
        "SELECT q.claim_id, q.article_id, q.said_on, a.title, a.url, a.source, a.outlet, a.agency, a.published"
        f" FROM quotations q JOIN articles a ON a.id = q.article_id WHERE q.claim_id IN ({marks})",
        claim_ids,
    )
    out: dict[str, dict[str, Appearance]] = {}
    for claim_id, article_id, said_on, title, url, source, outlet, agency, published in rows:
        seen = out.setdefault(claim_id, {}).get(article_id)
        if seen is not None and (said_on is None or (seen.said_on is not None and seen.said_on <= said_on)):
            continue
        out[claim_id][article_id] = Appearance(article_id, title, url, source, outlet, agency, published, said_on)
    return out


def _speaker_kinds(store: SQLStore, names: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(names), 500):  # SQLite caps a statement's parameters
        chunk = names[i : i + 500]
        marks = ",".join("?" * len(chunk))
        out.update(store.conn.execute(f"SELECT name, kind FROM speakers WHERE name IN ({marks})", chunk).fetchall())
    return out


__all__ = ["PAGE", "Appearance", "ClaimAppearances", "iter_claim_appearances", "publication_order"]
