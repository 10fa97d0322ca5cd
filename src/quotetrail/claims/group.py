"""Group quotations into claims: incremental leader clustering over sentence embeddings.

A quotation joins the claim whose centroid is most similar, if that
similarity (plus a small bonus when the claim already has the same speaker)
reaches ``join_threshold``, both have the same polarity and they share a
content word; otherwise it starts a new claim.  Only the ten nearest
centroids are looked at, so where they come from is pluggable: an exact
matrix product here (``ExactCentroids``, the reference, fine for tens of
thousands) or the approximate-nearest-neighbour index kept beside the
database (``index.py``), which keeps the cost per new quotation nearly flat
up to millions.  Thresholds are defaults measured in
``bench/claims_accuracy.py``; change them there and re-run it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

#: Cosine similarity of e5 embeddings above which two statements assert the same proposition.
#: Chosen precision-first on the 330 labelled pairs of bench/claims_accuracy.py (precision 0.99,
#: recall 0.56; 0.92 gives 0.87/0.76): a false merge puts words in someone's mouth, a missed one
#: only splits a history.  Re-run that script when changing it.
JOIN_THRESHOLD = 0.94
#: Similarity above which a quotation of another polarity is shown as contradicting or hedging a claim.
RELATED_THRESHOLD = 0.91
SPEAKER_BONUS = 0.02
#: Centroids looked at per quotation: the nearest ten by cosine, then the gates.
CANDIDATES = 10
#: A claim shows at most this many contradicting or hedging quotations, taken from the 3 × nearest.
RELATED_LIMIT = 20
RELATED_SHARED_WORDS = 2
DIM = 384


@dataclass
class Item:
    """What grouping needs to know about one quotation."""

    quotation_id: str
    text: str
    speaker: str | None
    polarity: str
    said_on: str | None


@dataclass
class Group:
    """A claim being built: its members and the running sum of their vectors.

    A group read back from the store lists only the members added in this run;
    ``stored`` counts the others, so ``size`` is the claim's whole membership.
    """

    id: str
    polarity: str
    vector_sum: np.ndarray
    members: list[str] = field(default_factory=list)
    speakers: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)
    key: int = -1
    stored: int = 0

    @property
    def centroid(self) -> np.ndarray:
        norm = np.linalg.norm(self.vector_sum)
        return (self.vector_sum / (norm or 1.0)).astype(np.float32)

    @property
    def size(self) -> int:
        return self.stored + len(self.members)


class Centroids(Protocol):
    """Where the nearest claims of a vector are found; told when a claim is added or its centroid moves.

    ``nearest`` may leave out candidates whose similarity is below ``floor``:
    the caller has no use for them, and an index can then skip reading them.
    """

    def nearest(self, vector: np.ndarray, k: int, floor: float = -1.0) -> list[tuple[Group, float]]: ...

    def add(self, group: Group) -> None: ...

    def moved(self, group: Group) -> None: ...


class ExactCentroids:
    """All centroids in one float32 matrix (grown by doubling): exact search, the reference."""

    def __init__(self, groups: Iterable[Group] = (), dim: int = DIM) -> None:
        self.groups: list[Group] = []
        self.matrix = np.zeros((64, dim), dtype=np.float32)
        for g in groups:
            self.add(g)

    def nearest(self, vector: np.ndarray, k: int, floor: float = -1.0) -> list[tuple[Group, float]]:
        n = len(self.groups)
        if not n:
            return []
        scores = self.matrix[:n] @ vector
        top = np.argpartition(-scores, k)[:k] if n > k else np.arange(n)
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.groups[int(i)], float(scores[i])) for i in top]

    def add(self, group: Group) -> None:
        if len(self.groups) == len(self.matrix):
            self.matrix = np.vstack([self.matrix, np.zeros_like(self.matrix)])
        group.key = len(self.groups)
        self.matrix[group.key] = group.centroid
        self.groups.append(group)

    def moved(self, group: Group) -> None:
        self.matrix[group.key] = group.centroid


_WORD = re.compile(r"\w{5,}")


def content_words(text: str) -> set[str]:
    """Longer words, lower-cased and cut to a stem-like prefix: a cheap lexical signal."""
    return {w.lower()[:6] for w in _WORD.findall(text)}


def claim_id(first_quotation_id: str) -> str:
    return "c" + hashlib.sha1(first_quotation_id.encode()).hexdigest()[:11]


def grouping_order(items: Sequence[Item]) -> list[int]:
    """Date order, undated last: a claim is seeded by its earliest statement whatever order quotations arrive in."""
    return sorted(range(len(items)), key=lambda i: (items[i].said_on or "9999", items[i].quotation_id))


def best_claim(
    item: Item, words: set[str], candidates: list[tuple[Group, float]], speaker_bonus: float
) -> tuple[Group | None, float]:
    """The candidate with the best score among those passing the polarity and lexical gates."""
    best, best_score = None, -1.0
    for g, similarity in candidates:
        if g.polarity != item.polarity or not (g.words & words):
            continue
        score = similarity + (speaker_bonus if item.speaker and item.speaker in g.speakers else 0.0)
        if score > best_score:
            best, best_score = g, score
    return best, best_score


def place(
    items: Sequence[Item],
    vectors: np.ndarray,
    centroids: Centroids,
    join_threshold: float = JOIN_THRESHOLD,
    speaker_bonus: float = SPEAKER_BONUS,
) -> list[Group]:
    """Put ``items`` into claims (joining or starting them) in date order; returns the groups touched, in order."""
    touched: dict[str, Group] = {}
    for i in grouping_order(items):
        item, vector = items[i], vectors[i]
        words = content_words(item.text)
        floor = join_threshold - (speaker_bonus if item.speaker else 0.0)  # no candidate below can be joined
        g, score = best_claim(item, words, centroids.nearest(vector, CANDIDATES, floor), speaker_bonus)
        if g is not None and score >= join_threshold:
            g.vector_sum = g.vector_sum + vector
            g.members.append(item.quotation_id)
            g.words |= words
            if item.speaker:
                g.speakers.add(item.speaker)
            centroids.moved(g)
        else:
            g = Group(
                claim_id(item.quotation_id),
                item.polarity,
                vector.astype(np.float32).copy(),
                [item.quotation_id],
                {item.speaker} if item.speaker else set(),
                words,
            )
            centroids.add(g)
        touched[g.id] = g
    return list(touched.values())


def assign(
    items: list[Item],
    vectors: np.ndarray,
    groups: list[Group],
    join_threshold: float = JOIN_THRESHOLD,
    speaker_bonus: float = SPEAKER_BONUS,
) -> list[Group]:
    """Add ``items`` to ``groups`` by exact search; returns the updated list (the groups passed in, then new ones)."""
    centroids = ExactCentroids(groups, vectors.shape[1] if len(vectors) else DIM)
    place(items, vectors, centroids, join_threshold, speaker_bonus)
    return centroids.groups


def filter_related(
    group: Group,
    member_ids: set[str],
    nearest: Iterable[tuple[str, float, str, str]],
    threshold: float = RELATED_THRESHOLD,
    limit: int = RELATED_LIMIT,
    min_shared_words: int = RELATED_SHARED_WORDS,
) -> list[tuple[str, float]]:
    """Quotations of another polarity close to a claim, from its nearest ``(id, similarity, polarity, text)``.

    Closeness needs both signals: embedding similarity and at least
    ``min_shared_words`` content words shared with one of the claim's members.
    """
    found = [
        (qid, similarity)
        for qid, similarity, polarity, text in nearest
        if similarity >= threshold
        and polarity != group.polarity
        and qid not in member_ids
        and len(content_words(text) & group.words) >= min_shared_words
    ]
    return found[:limit]


def related(
    groups: list[Group],
    items: dict[str, Item],
    vectors: dict[str, np.ndarray],
    threshold: float = RELATED_THRESHOLD,
    limit: int = RELATED_LIMIT,
    min_shared_words: int = RELATED_SHARED_WORDS,
) -> dict[str, list[tuple[str, float]]]:
    """For claims with at least two members: quotations of another polarity close to them (exact search)."""
    big = [g for g in groups if len(g.members) >= 2]
    if not big or not vectors:
        return {}
    ids = list(vectors)
    matrix = np.stack([vectors[i] for i in ids])
    out: dict[str, list[tuple[str, float]]] = {}
    for g in big:
        scores = matrix @ g.centroid
        nearest = [
            (ids[int(j)], float(scores[j]), items[ids[int(j)]].polarity, items[ids[int(j)]].text)
            for j in np.argsort(-scores, kind="stable")[: limit * 3]
        ]
        found = filter_related(g, set(g.members), nearest, threshold, limit, min_shared_words)
        if found:
            out[g.id] = found
    return out


def medoid(member_ids: list[str], vectors: dict[str, np.ndarray]) -> str:
    """The member most similar to all others: the claim's most representative quotation.

    Σ_j v_i·v_j = v_i·(Σ_j v_j), so one matrix-vector product finds it: linear,
    not quadratic, in the claim's size.
    """
    if len(member_ids) <= 2:
        return member_ids[0]
    matrix = np.stack([vectors[m] for m in member_ids])
    return member_ids[int(np.argmax(matrix @ matrix.sum(axis=0)))]
