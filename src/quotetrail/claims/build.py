"""Build or update the claims of a store: embed, group, relate, summarise, save only what changed.

An update reads the quotations in no claim yet (without article text), embeds
them (cached by text hash), places each with the ten nearest claim centroids
from the neighbour index kept beside the database, relates the claims whose
neighbourhood changed, and writes only the claims it touched.  With nothing
new it reads one index and writes nothing.  ``--rebuild`` forgets every claim
and runs the same path over all quotations.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..model import Claim
from .embed import MODEL, cached_embeddings, text_hash
from .group import (
    JOIN_THRESHOLD,
    RELATED_LIMIT,
    RELATED_THRESHOLD,
    Group,
    Item,
    content_words,
    filter_related,
    medoid,
)
from .index import ClaimIndexes, IndexedCentroids, claims_lock, open_indexes
from .pinned import place_with_pins
from .stance import polarity, stance_toward
from .syndication import update_syndication

#: ``progress(stage, done, total)``: stage is "embed", "group" or "save".
Progress = Callable[[str, int, int], None]
#: ``notice(line)``: a one-line message about a slow step (an index rebuilt from the database, or a delta merged).
Notice = Callable[[str], None]


@dataclass
class ClaimsSummary:
    quotations: int
    new_quotations: int
    claims: int
    multi_report_claims: int
    syndicated: int
    seconds: float
    changed_claims: int = 0

    def line(self) -> str:
        if not self.new_quotations and not self.changed_claims:
            return (
                f"nothing new to group: {self.quotations} quotations in {self.claims} claims, "
                f"{self.multi_report_claims} of them reported more than once; {self.seconds:.1f} s"
            )
        return (
            f"{self.quotations} quotations ({self.new_quotations} newly grouped, {self.changed_claims} claims "
            f"written) in {self.claims} claims, {self.multi_report_claims} of them reported more than once; "
            f"{self.syndicated} syndicated copies; {self.seconds:.1f} s"
        )


@dataclass
class _Quote:
    """A quotation as a claim's summary needs it: no article text."""

    quotation_id: str
    article_id: str
    text: str
    speaker: str | None
    said_on: str | None
    outlet: str | None = None
    agency: str | None = None


@dataclass
class _Run:
    """What one update has learnt so far: new quotations, their vectors and index keys."""

    quotes: dict[str, _Quote] = field(default_factory=dict)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    new_keys: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # key -> (id, text, polarity)
    stored_vectors: dict[str, np.ndarray] = field(default_factory=dict)  # grouped quotations read while relating


def update_claims(
    store: object,
    *,
    rebuild: bool = False,
    quotation_ids: Sequence[str] | None = None,
    join_threshold: float = JOIN_THRESHOLD,
    related_threshold: float = RELATED_THRESHOLD,
    progress: Progress | None = None,
    notice: Notice | None = None,
) -> ClaimsSummary:
    """Group the quotations of ``store`` that are in no claim yet (all of them if ``rebuild``).

    ``quotation_ids`` narrows the update to quotations an ingest just stored;
    anything already grouped is skipped either way, so calling it twice is
    harmless.  Holds a lock file beside the database, so an ingest and a
    ``claims --update`` never group the same quotations at once.
    """
    started = time.perf_counter()
    with claims_lock(store):
        if rebuild:
            store.clear_claims()  # type: ignore[attr-defined]
            store.clear_syndication()  # type: ignore[attr-defined]
            quotation_ids = None
        rows = [_Quote(*r) for r in store.ungrouped_quotations(quotation_ids)]  # type: ignore[attr-defined]
        relinked = update_syndication(store, {r.article_id for r in rows} | _backfill(store))
        repair = store.claims_to_repair()  # type: ignore[attr-defined]
        refresh = store.claims_of_articles(sorted(relinked)) if relinked else set()  # type: ignore[attr-defined]
        changed = 0
        if rows or repair or refresh:
            changed = _update(store, rows, repair, refresh, join_threshold, related_threshold, progress, notice)
    quotations, claims, multi, syndicated = store.claims_overview()  # type: ignore[attr-defined]
    return ClaimsSummary(quotations, len(rows), claims, multi, syndicated, time.perf_counter() - started, changed)


def _backfill(store: object) -> set[str]:
    """Articles grouped before syndication was incremental (an older database): compared once, now."""
    return set(store.articles_to_sign())  # type: ignore[attr-defined]


class _Nearby:
    """``place``'s centroids, also noting the claims a new quotation comes within the related threshold of.

    Their lists of contradicting quotations may change: only such a quotation
    can enter a list, or push one out of the nearest ``3 × RELATED_LIMIT``.
    One search of twice the candidates serves both (the first ten place the
    quotation).  A claim found here keeps its centroid unless this update
    touches it later, and touched claims are related again anyway.
    """

    def __init__(self, inner: IndexedCentroids, threshold: float) -> None:
        self.inner = inner
        self.threshold = threshold
        self.near: dict[str, Group] = {}

    def nearest(self, vector: np.ndarray, k: int, floor: float = -1.0) -> list[tuple[Group, float]]:
        found = self.inner.nearest(vector, 2 * k, min(floor, self.threshold))
        self.near.update((g.id, g) for g, similarity in found if similarity >= self.threshold)
        return found[:k]

    def add(self, group: Group) -> None:
        self.inner.add(group)

    def moved(self, group: Group) -> None:
        self.inner.moved(group)


def _update(
    store: object,
    rows: list[_Quote],
    repair: list[str],
    refresh: set[str],
    join_threshold: float,
    related_threshold: float,
    progress: Progress | None,
    notice: Notice | None = None,
) -> int:
    run = _Run(quotes={r.quotation_id: r for r in rows})
    matrix = cached_embeddings(
        store, [r.text for r in rows], progress=(lambda d, t: progress("embed", d, t)) if progress else None
    )
    run.vectors = {r.quotation_id: matrix[i] for i, r in enumerate(rows)}
    items = [Item(r.quotation_id, r.text, r.speaker, polarity(r.text), r.said_on) for r in rows]
    indexes = open_indexes(store, _rebuilding(notice) if notice else None)
    centroids = IndexedCentroids(store, indexes)
    dropped = _repair(store, centroids, repair)
    nearby = _Nearby(centroids, related_threshold)
    # the membership step: pinned quotations (corrections) go where a person put them, the rest by similarity
    touched = {g.id: g for g in place_with_pins(store, items, matrix, nearby, centroids.load, join_threshold, dropped)}
    if progress:
        progress("group", len(items), len(items))
    _index_quotations(indexes, run, items)
    for g in centroids.load(claim_ids=sorted((set(repair) | refresh) - set(dropped))):
        touched.setdefault(g.id, g)
    members = _members(store, list(touched.values()), run)
    relate = [g for g in {**nearby.near, **touched}.values() if g.size >= 2]
    related = {g.id: _related(store, indexes, g, members, run, related_threshold) for g in relate}
    related = _changed_relations(store, related, touched)
    vectors = _member_vectors(store, members, run)
    groups, memberships = [], []
    for g in touched.values():
        quotes = members[g.id]
        claim = _claim(store, g, quotes, vectors)
        groups.append((claim, g.key, g.polarity, g.vector_sum.astype(np.float32).tobytes(), g.size, _words(g)))
        centre = g.centroid
        memberships += [(g.id, q.quotation_id, float(vectors[q.quotation_id] @ centre)) for q in quotes]
    new_quotations = [(key, qid, text_hash(text), pol) for key, (qid, text, pol) in run.new_keys.items()]
    generation = store.save_claim_groups(groups, memberships, new_quotations, related, dropped)  # type: ignore[attr-defined]
    indexes.save(generation, _merging(notice) if notice else None)
    if progress:
        progress("save", len(groups), len(groups))
    return len(set(touched) | set(related)) + len(dropped)


def _rebuilding(notice: Notice) -> Callable[[str, str], None]:
    def told(name: str, reason: str) -> None:
        notice(f"rebuilding the {name} index from the database ({reason}); this takes a while for a large ledger")

    return told


def _merging(notice: Notice) -> Callable[[str, int, int], None]:
    def told(name: str, delta: int, big: int) -> None:
        notice(f"merging {delta:,} new entries into the {name} index of {big:,} (once per 10 % growth)")

    return told


def _changed_relations(
    store: object, related: dict[str, list[tuple[str, str, float]]], touched: dict[str, Group]
) -> dict[str, list[tuple[str, str, float]]]:
    """Only the lists that differ from the stored ones (and those of claims written anyway)."""
    current = store.claim_relations([c for c in related if c not in touched])  # type: ignore[attr-defined]

    def same(a: list[tuple[str, str, float]], b: list[tuple[str, str, float]]) -> bool:
        return sorted((q, s, round(x, 5)) for q, s, x in a) == sorted((q, s, round(x, 5)) for q, s, x in b)

    return {c: links for c, links in related.items() if c in touched or not same(links, current.get(c, []))}


def _words(g: Group) -> str:
    return " ".join(sorted(g.words))


def _index_quotations(indexes: ClaimIndexes, run: _Run, items: list[Item]) -> None:
    """New quotations into the quotation index first: relating a claim must see them."""
    first = indexes.next_quotation_key
    for key, item in enumerate(items, start=first):
        run.new_keys[key] = (item.quotation_id, item.text, item.polarity)
    if items:
        vectors = np.stack([run.vectors[item.quotation_id] for item in items])
        indexes.quotations.add_many(np.arange(first, first + len(items)), vectors)
    indexes.next_quotation_key = first + len(items)


def _repair(store: object, centroids: IndexedCentroids, claim_ids: list[str]) -> list[str]:
    """Recompute the groups of claims whose members changed under them; returns those left empty."""
    if not claim_ids:
        return []
    rows = store.claim_member_rows(claim_ids)  # type: ignore[attr-defined]
    by_claim: dict[str, list[tuple]] = {c: [] for c in claim_ids}
    for r in rows:
        by_claim[r[0]].append(r)
    known = {g.id: g for g in centroids.load(claim_ids=claim_ids)}
    hashes = store.get_embeddings(sorted({text_hash(r[3]) for r in rows}), MODEL)  # type: ignore[attr-defined]
    dropped = []
    for claim_id, members in by_claim.items():
        if not members:
            dropped.append(claim_id)
            continue
        vectors = [np.frombuffer(hashes[text_hash(r[3])], np.float32) for r in members if text_hash(r[3]) in hashes]
        if len(vectors) < len(members):  # a member's embedding is missing (an old cache): compute them all
            vectors = list(cached_embeddings(store, [r[3] for r in members]))
        g = known.get(claim_id) or Group(claim_id, polarity(members[0][3]), np.zeros_like(vectors[0]))
        g.vector_sum = np.sum(vectors, axis=0).astype(np.float32)
        g.stored, g.members = len(members), []
        g.speakers = {r[4] for r in members if r[4]}
        g.words = set().union(*(content_words(r[3]) for r in members))
        centroids.put(g)
    return dropped


def _members(store: object, groups: list[Group], run: _Run) -> dict[str, list[_Quote]]:
    """Every affirming member of each group, stored ones from the store and new ones from this run, in date order."""
    stored = [g.id for g in groups if g.stored]
    out: dict[str, list[_Quote]] = {g.id: [] for g in groups}
    for claim_id, *fields in store.claim_member_rows(stored) if stored else []:  # type: ignore[attr-defined]
        out[claim_id].append(_Quote(*fields))
    for g in groups:
        out[g.id] += [run.quotes[m] for m in g.members]
        out[g.id].sort(key=lambda q: (q.said_on or "9999", q.quotation_id))
    return out


def _member_vectors(store: object, members: dict[str, list[_Quote]], run: _Run) -> dict[str, np.ndarray]:
    """Vectors of all members involved (new ones are at hand; stored ones come from the embeddings cache)."""
    out = dict(run.vectors)
    stored = [q for quotes in members.values() for q in quotes if q.quotation_id not in out]
    if stored:
        matrix = cached_embeddings(store, [q.text for q in stored])
        out.update({q.quotation_id: matrix[i] for i, q in enumerate(stored)})
    return out


def _related(
    store: object, indexes: ClaimIndexes, g: Group, members: dict[str, list[_Quote]], run: _Run, threshold: float
) -> list[tuple[str, str, float]]:
    """The claim's contradicting or hedging quotations, from the quotation index's nearest to its centroid.

    The index's half-precision similarities pick the candidates; the
    threshold and the stored similarity use the exact float32 ones, from the
    vectors at hand (new quotations) or the embeddings cache.
    """
    keys, _ = indexes.quotations.search(g.centroid, RELATED_LIMIT * 3)
    found = {int(k): run.new_keys[int(k)] for k in keys if int(k) in run.new_keys}
    stored = [int(k) for k in keys if int(k) not in found]
    for key, qid, text, pol in store.indexed_quotations(stored) if stored else []:  # type: ignore[attr-defined]
        found[key] = (qid, text, pol)
    vectors = _candidate_vectors(store, [found[int(k)] for k in keys if int(k) in found], run)
    centre = g.centroid
    nearest = [
        (qid, float(vectors[qid] @ centre), pol, text)
        for qid, text, pol in (found[int(k)] for k in keys if int(k) in found)
        if qid in vectors
    ]
    nearest.sort(key=lambda x: -x[1])
    member_ids = {q.quotation_id for q in members[g.id]} if g.id in members else _stored_members(store, g)
    links = filter_related(g, member_ids, nearest, threshold)
    pols = {qid: pol for qid, _, pol, _ in nearest}
    return [(qid, stance_toward(g.polarity, pols[qid]), similarity) for qid, similarity in links]


def _candidate_vectors(store: object, candidates: list[tuple[str, str, str]], run: _Run) -> dict[str, np.ndarray]:
    """float32 vectors of ``(quotation_id, text, polarity)`` candidates: this run's, else from the embeddings cache.

    Claims near each other share candidates, so what was read is kept for the rest of the run.
    """
    known = run.stored_vectors
    hashes = {qid: text_hash(text) for qid, text, _ in candidates if qid not in run.vectors and qid not in known}
    if hashes:
        blobs = store.get_embeddings(sorted(set(hashes.values())), MODEL)  # type: ignore[attr-defined]
        known.update({qid: np.frombuffer(blobs[h], np.float32) for qid, h in hashes.items() if h in blobs})
    out = {qid: run.vectors[qid] for qid, _, _ in candidates if qid in run.vectors}
    out.update({qid: known[qid] for qid, _, _ in candidates if qid in known})
    return out


def _stored_members(store: object, g: Group) -> set[str]:
    """Member ids of a claim this run did not touch (one near a new quotation)."""
    return {r[1] for r in store.claim_member_rows([g.id])} | set(g.members)  # type: ignore[attr-defined]


def _claim(store: object, g: Group, quotes: list[_Quote], vectors: dict[str, np.ndarray]) -> Claim:
    """The claim's summary row: canonical text (medoid), dates, speakers, outlets, reports, statements."""
    dates = sorted(q.said_on for q in quotes if q.said_on)
    ids = [q.quotation_id for q in quotes]
    canonical = quotes[ids.index(medoid(ids, vectors))]
    roots = store.syndication_roots([q.article_id for q in quotes])  # type: ignore[attr-defined]
    return Claim(
        id=g.id,
        text=canonical.text,
        quotation_ids=tuple(ids),
        first_said=dates[0] if dates else None,
        last_said=dates[-1] if dates else None,
        speakers=tuple(dict.fromkeys(q.speaker for q in quotes if q.speaker)),
        outlets=tuple(dict.fromkeys(x for q in quotes for x in (q.outlet, q.agency) if x)),
        reports=len(quotes),
        statements=len({roots[q.article_id] for q in quotes}),
    )
