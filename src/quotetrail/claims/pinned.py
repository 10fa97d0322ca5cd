"""Grouping that respects the claim a person put a quotation in (``correct --claim`` / ``--new-claim``).

The membership step of ``build.update_claims``: quotations without a pin
are placed by ``group.place`` as always; a pinned one skips the nearest-
neighbour search and goes where its correction says (``corrections.pins``),
so the move holds after ``claims --update``, ``claims --rebuild`` and a
re-ingest.  Claims of their own are made first, so that later quotations
may join them as they would any claim; moves into a named claim come after
the others are placed, since in a rebuild the target claim forms in the
same run.  A claim of one's own is closed to similarity: others join it
only by a correction.  A pin whose target cannot be found is orphaned and
its quotation placed by similarity.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..corrections.pins import (
    Pin,
    anchors_of,
    claim_pins,
    moved_after,
    orphan_pins,
    placed_claim_entries,
    stored_claim_of,
)
from .group import Centroids, Group, Item, claim_id, content_words, place


def own_claim_id(pin: Pin) -> str:
    """The id of the claim a person made for one quotation: never that of the claim it left (which it may
    have seeded) nor of an earlier claim of its own, and the same after a rebuild or a move to another ledger."""
    return claim_id(f"{pin.quotation_id}|own|{pin.at}")


def place_with_pins(
    store: object,
    items: Sequence[Item],
    vectors: np.ndarray,
    centroids: Centroids,
    load: object,
    join_threshold: float,
    dropped: Sequence[str] = (),
) -> list[Group]:
    """``group.place`` with pinned quotations put where the log says; the groups touched, in order.

    ``load(claim_ids=[...])`` reads stored claims as groups (``IndexedCentroids.load``).
    ``dropped``: claims this update deletes (left without members).  A claim
    of one's own emptied by an undo is among them, its centroid still in the
    index: the quotation must not rejoin it by similarity.
    """
    every = claim_pins(store)
    emptied = {own_claim_id(p) for p in placed_claim_entries(store) if p.new} & set(dropped)
    closed = _Closed(centroids, {own_claim_id(p) for p in every.values() if p.new} | emptied)
    if not every:
        return place(items, vectors, closed, join_threshold)
    pins = {item.quotation_id: every[item.quotation_id] for item in items if item.quotation_id in every}
    touched: dict[str, Group] = {}
    texts = {item.quotation_id: item.text for item in items}
    by_id = {item.quotation_id: i for i, item in enumerate(items)}
    for pin in sorted((p for p in pins.values() if p.new), key=lambda p: p.correction_id):
        i = by_id[pin.quotation_id]
        g = Group(own_claim_id(pin), items[i].polarity, np.zeros_like(vectors[i]))
        _join(g, items[i], vectors[i])
        centroids.add(g)
        touched[g.id] = g
    free = [i for i, item in enumerate(items) if item.quotation_id not in pins]
    touched.update((g.id, g) for g in place([items[i] for i in free], vectors[free], closed, join_threshold))
    waiting = sorted((p for p in pins.values() if not p.new), key=lambda p: p.correction_id)
    while waiting:  # a target may be the claim another pinned quotation joins in this run
        placed = []
        for pin in waiting:
            g = _target(store, pin, every, touched, load, texts)
            if g is not None:
                i = by_id[pin.quotation_id]
                _join(g, items[i], vectors[i])
                centroids.moved(g)
                touched[g.id] = g
                placed.append(pin)
        if not placed:
            break
        waiting = [p for p in waiting if p not in placed]
    if waiting:
        orphan_pins(store, [p.correction_id for p in waiting])
        rest = [by_id[p.quotation_id] for p in waiting]
        touched.update((g.id, g) for g in place([items[i] for i in rest], vectors[rest], closed, join_threshold))
    return list(touched.values())


class _Closed:
    """Centroids without the claims a person made for one quotation: nobody joins those by similarity
    (only by ``correct --claim``), so ``--new-claim`` holds the same after an update and a rebuild."""

    def __init__(self, inner: Centroids, closed: set[str]) -> None:
        self.inner = inner
        self.closed = closed

    def nearest(self, vector: np.ndarray, k: int, floor: float = -1.0) -> list[tuple[Group, float]]:
        return [(g, s) for g, s in self.inner.nearest(vector, k, floor) if g.id not in self.closed]

    def add(self, group: Group) -> None:
        self.inner.add(group)

    def moved(self, group: Group) -> None:
        self.inner.moved(group)


def _join(g: Group, item: Item, vector: np.ndarray) -> None:
    g.vector_sum = g.vector_sum + vector
    g.members.append(item.quotation_id)
    g.words |= content_words(item.text)
    if item.speaker:
        g.speakers.add(item.speaker)


def _target(
    store: object, pin: Pin, every: dict[str, Pin], touched: dict[str, Group], load: object, texts: dict[str, str]
) -> Group | None:
    """The group a pin names: one of this run's (holding most of its anchors, else by id or text), else a
    stored claim."""
    anchors, moved = anchors_of(pin, every), moved_after(pin, every) | {pin.quotation_id}
    counts = [(len(set(anchors) & set(g.members)), g) for g in touched.values()]
    best = max(counts, key=lambda c: c[0], default=(0, None))
    if best[0]:
        return best[1]
    if pin.claim_id in touched:
        return touched[pin.claim_id]
    for g in touched.values():
        if any(texts.get(m) == pin.text for m in g.members if m not in moved):
            return g
    found = stored_claim_of(store, pin, anchors, moved)
    if found is None:
        return None
    if found in touched:
        return touched[found]
    groups = load(claim_ids=[found])  # type: ignore[operator]
    return groups[0] if groups else None
