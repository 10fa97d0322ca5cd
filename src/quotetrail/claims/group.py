"""Group quotations into claims: incremental leader clustering over sentence embeddings.

A quotation joins the claim whose centroid is most similar, if that
similarity (plus a small bonus when the claim already has the same speaker)
reaches ``join_threshold`` and both have the same polarity; otherwise it
starts a new claim.  New quotations join existing claims without touching the
rest, so adding 100 quotations to 10,000 costs 100 nearest-centroid lookups.
Thresholds are defaults measured in ``bench/claims_accuracy.py``; change them
there and re-run it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np

#: Cosine similarity of e5 embeddings above which two statements assert the same proposition.
#: Chosen precision-first on the 330 labelled pairs of bench/claims_accuracy.py (precision 0.99,
#: recall 0.56; 0.92 gives 0.87/0.76): a false merge puts words in someone's mouth, a missed one
#: only splits a history.  Re-run that script when changing it.
JOIN_THRESHOLD = 0.94
#: Similarity above which a quotation of another polarity is shown as contradicting or hedging a claim.
RELATED_THRESHOLD = 0.91
SPEAKER_BONUS = 0.02


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
    """A claim being built: its members and the running sum of their vectors."""

    id: str
    polarity: str
    vector_sum: np.ndarray
    members: list[str] = field(default_factory=list)
    speakers: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)

    @property
    def centroid(self) -> np.ndarray:
        norm = np.linalg.norm(self.vector_sum)
        return self.vector_sum / (norm or 1.0)


_WORD = re.compile(r"\w{5,}")


def content_words(text: str) -> set[str]:
    """Longer words, lower-cased and cut to a stem-like prefix: a cheap lexical signal."""
    return {w.lower()[:6] for w in _WORD.findall(text)}


def claim_id(first_quotation_id: str) -> str:
    return "c" + hashlib.sha1(first_quotation_id.encode()).hexdigest()[:11]


def assign(
    items: list[Item],
    vectors: np.ndarray,
    groups: list[Group],
    join_threshold: float = JOIN_THRESHOLD,
    speaker_bonus: float = SPEAKER_BONUS,
) -> list[Group]:
    """Add ``items`` (in date order) to ``groups``; returns the updated list. Pure apart from the groups passed in."""
    order = sorted(range(len(items)), key=lambda i: (items[i].said_on or "9999", items[i].quotation_id))
    centroids = (
        np.stack([g.centroid for g in groups]) if groups else np.zeros((0, vectors.shape[1] if len(vectors) else 384))
    )
    for i in order:
        item, vector = items[i], vectors[i]
        best, best_score = None, -1.0
        if len(groups):
            scores = centroids @ vector
            for index in np.argsort(-scores)[:10]:
                g = groups[int(index)]
                if g.polarity != item.polarity or not (g.words & content_words(item.text)):
                    continue
                score = float(scores[index]) + (speaker_bonus if item.speaker and item.speaker in g.speakers else 0.0)
                if score > best_score:
                    best, best_score = int(index), score
        if best is not None and best_score >= join_threshold:
            g = groups[best]
            g.vector_sum = g.vector_sum + vector
            g.members.append(item.quotation_id)
            g.words |= content_words(item.text)
            if item.speaker:
                g.speakers.add(item.speaker)
            centroids[best] = g.centroid
        else:
            g = Group(
                claim_id(item.quotation_id),
                item.polarity,
                vector.copy(),
                [item.quotation_id],
                {item.speaker} if item.speaker else set(),
                content_words(item.text),
            )
            groups.append(g)
            centroids = np.vstack([centroids, g.centroid[None, :]]) if len(centroids) else g.centroid[None, :]
    return groups


def related(
    groups: list[Group],
    items: dict[str, Item],
    vectors: dict[str, np.ndarray],
    threshold: float = RELATED_THRESHOLD,
    limit: int = 20,
    min_shared_words: int = 2,
) -> dict[str, list[tuple[str, float]]]:
    """For claims with at least two members: quotations of another polarity close to them.

    Closeness needs both signals: embedding similarity and at least
    ``min_shared_words`` content words shared with one of the claim's members.
    """
    big = [g for g in groups if len(g.members) >= 2]
    if not big or not vectors:
        return {}
    ids = list(vectors)
    matrix = np.stack([vectors[i] for i in ids])
    out: dict[str, list[tuple[str, float]]] = {}
    for g in big:
        scores = matrix @ g.centroid
        words = set().union(*(content_words(items[m].text) for m in g.members))
        found = [
            (ids[int(j)], float(scores[j]))
            for j in np.argsort(-scores)[: limit * 3]
            if scores[j] >= threshold
            and items[ids[int(j)]].polarity != g.polarity
            and ids[int(j)] not in g.members
            and len(content_words(items[ids[int(j)]].text) & words) >= min_shared_words
        ]
        if found:
            out[g.id] = found[:limit]
    return out


def medoid(member_ids: list[str], vectors: dict[str, np.ndarray]) -> str:
    """The member most similar to all others: the claim's most representative quotation."""
    if len(member_ids) <= 2:
        return member_ids[0]
    matrix = np.stack([vectors[m] for m in member_ids])
    return member_ids[int(np.argmax((matrix @ matrix.T).sum(axis=1)))]
