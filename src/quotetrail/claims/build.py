"""Build or update the claims of a store: embed, group, relate, summarise, save."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..model import Claim, LedgerRow
from .embed import cached_embeddings
from .group import JOIN_THRESHOLD, RELATED_THRESHOLD, Group, Item, assign, content_words, medoid, related
from .stance import polarity, stance_toward
from .syndication import find_syndicated


@dataclass
class ClaimsSummary:
    quotations: int
    new_quotations: int
    claims: int
    multi_report_claims: int
    syndicated: int
    seconds: float

    def line(self) -> str:
        return (
            f"{self.quotations} quotations ({self.new_quotations} newly grouped) in {self.claims} claims, "
            f"{self.multi_report_claims} of them reported more than once; {self.syndicated} syndicated copies; "
            f"{self.seconds:.1f} s"
        )


def _existing_groups(store: object, vectors: dict[str, np.ndarray], items: dict[str, Item]) -> list[Group]:
    groups = []
    for claim in store.claims():  # type: ignore[attr-defined]
        members = [qid for qid, stance, _ in store.claim_members(claim.id) if stance == "affirms" and qid in vectors]  # type: ignore[attr-defined]
        if not members:
            continue
        total = np.sum([vectors[m] for m in members], axis=0)
        pol = items[members[0]].polarity
        speakers = {items[m].speaker for m in members if items[m].speaker}
        words = set().union(*(content_words(items[m].text) for m in members))
        groups.append(Group(claim.id, pol, total, members, speakers, words))  # type: ignore[arg-type]
    return groups


def update_claims(
    store: object,
    *,
    rebuild: bool = False,
    join_threshold: float = JOIN_THRESHOLD,
    related_threshold: float = RELATED_THRESHOLD,
) -> ClaimsSummary:
    """Group every quotation of ``store`` into claims; only ungrouped ones are placed unless ``rebuild``."""
    started = time.perf_counter()
    rows: list[LedgerRow] = store.quotations(limit=10_000_000, order="date")  # type: ignore[attr-defined]
    by_id = {r.quotation_id: r for r in rows}
    items = {r.quotation_id: Item(r.quotation_id, r.text, r.speaker, polarity(r.text), r.said_on) for r in rows}
    matrix = cached_embeddings(store, [r.text for r in rows])
    vectors = {r.quotation_id: matrix[i] for i, r in enumerate(rows)}
    groups = [] if rebuild else _existing_groups(store, vectors, items)
    placed = {m for g in groups for m in g.members}
    new = [items[q] for q in items if q not in placed]
    groups = assign(
        new, np.stack([vectors[i.quotation_id] for i in new]) if new else np.zeros((0, 384)), groups, join_threshold
    )
    links = related(groups, items, vectors, related_threshold)

    articles = {}
    for r in rows:
        if r.article_id not in articles:
            article = store.article(r.article_id)  # type: ignore[attr-defined]
            articles[r.article_id] = (
                r.article_id,
                article.published if article else None,
                article.text if article else "",
            )
    syndicated = find_syndicated(articles.values())
    for copy_id, original_id, similarity in syndicated:
        store.add_syndication(copy_id, original_id, similarity)  # type: ignore[attr-defined]

    original_of = {copy_id: original_id for copy_id, original_id, _ in syndicated}

    def root(article_id: str) -> str:
        seen = set()
        while article_id in original_of and article_id not in seen:
            seen.add(article_id)
            article_id = original_of[article_id]
        return article_id

    claims: list[Claim] = []
    members: list[tuple[str, str, str, float]] = []
    for g in groups:
        quotes = [by_id[m] for m in g.members]
        dates = sorted(q.said_on for q in quotes if q.said_on)
        canonical = by_id[medoid(g.members, vectors)]
        claims.append(
            Claim(
                id=g.id,
                text=canonical.text,
                quotation_ids=tuple(g.members),
                first_said=dates[0] if dates else None,
                last_said=dates[-1] if dates else None,
                speakers=tuple(dict.fromkeys(q.speaker for q in quotes if q.speaker)),
                outlets=tuple(dict.fromkeys(x for q in quotes for x in (q.outlet, q.agency) if x)),
                reports=len(quotes),
                statements=len({root(q.article_id) for q in quotes}),
            )
        )
        members += [(g.id, m, "affirms", float(vectors[m] @ g.centroid)) for m in g.members]
        members += [
            (g.id, qid, stance_toward(g.polarity, items[qid].polarity), sim) for qid, sim in links.get(g.id, [])
        ]
    store.set_claims(claims, members)  # type: ignore[attr-defined]
    return ClaimsSummary(
        quotations=len(rows),
        new_quotations=len(new),
        claims=len(claims),
        multi_report_claims=sum(1 for c in claims if c.reports > 1),
        syndicated=len(syndicated),
        seconds=time.perf_counter() - started,
    )
