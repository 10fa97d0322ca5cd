"""Spot syndicated near-copies: one agency story printed by several outlets.

Articles are compared by Jaccard similarity of their word 5-gram shingles; a
copy links to the most similar earlier version (earliest published first),
and its quotations are then further reports of the same statements, not new
ones.

``find_syndicated`` compares a batch of articles with each other (the
reference).  ``update_syndication`` is what an update runs: each article is
compared once, when its quotations are first grouped, and only with the
articles that share a MinHash LSH band with it (datasketch MinHash, 126
permutations in 42 bands of 3; the band keys are kept in the database, so a
new article costs a few index lookups, not a pass over every article).  The
candidates' Jaccard similarity is then computed exactly from their text, so
the links are those of the full comparison whenever LSH finds the pair: with
bands of 3 it finds a pair at Jaccard 0.5 (the threshold) with probability
0.996, at 0.6 with 0.99999.  An article older than copies already linked
becomes their original if it is more similar than the one they have.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np

_WORD = re.compile(r"\w+")
THRESHOLD = 0.5
BANDS, ROWS = 42, 3
NUM_PERM = BANDS * ROWS


def shingles(text: str, n: int = 5) -> set[str]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {" ".join(words[i : i + n]) for i in range(max(0, len(words) - n + 1))}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def sort_key(article_id: str, published: str | None) -> str:
    """Earliest published first, undated last, then by id: which of two copies is the original."""
    return f"{published or '9999'}\x01{article_id}"  # \x01, not \x00: PostgreSQL text holds no NUL


def find_syndicated(
    articles: Iterable[tuple[str, str | None, str]], threshold: float = THRESHOLD
) -> list[tuple[str, str, float]]:
    """``(copy id, original id, similarity)`` for ``(id, published, text)`` articles that are near-copies.

    Compares every pair that shares a shingle: the reference for ``update_syndication``.
    """
    items = sorted(articles, key=lambda a: sort_key(a[0], a[1]))
    sets = {a[0]: shingles(a[2]) for a in items}
    index: dict[str, list[str]] = defaultdict(list)
    links: list[tuple[str, str, float]] = []
    for article_id, _, _ in items:
        mine = sets[article_id]
        candidates = dict.fromkeys(other for h in mine for other in index.get(h, ()))
        best = _best(mine, {other: sets[other] for other in candidates}, threshold)
        if best:
            links.append((article_id, best[0], round(best[1], 3)))
        for h in mine:
            index[h].append(article_id)
    return links


def _best(mine: set[str], others: dict[str, set[str]], threshold: float) -> tuple[str, float] | None:
    best = None
    for other, theirs in others.items():
        similarity = jaccard(mine, theirs)
        if similarity >= threshold and (best is None or similarity > best[1]):
            best = (other, similarity)
    return best


@cache
def _permutations() -> np.ndarray:
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32").permutations


#: Odd 64-bit multipliers that fold a band's three minimum hashes and its number into one key.
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93], dtype=np.uint64)


def band_keys(shingle_set: set[str]) -> list[int]:
    """MinHash LSH band keys of a shingle set: two sets share a key with probability 1 - (1 - J³)⁴²."""
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, permutations=_permutations(), scheme="affine32")
    m.update_batch([s.encode() for s in shingle_set])
    rows = m.hashvalues.astype(np.uint64).reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):
        keys = rows @ _MIX[:ROWS] + np.arange(BANDS, dtype=np.uint64) * _MIX[ROWS]
    return keys.view(np.int64).tolist()


class _Texts:
    """Shingle sets of candidate articles, read from the store once per update."""

    def __init__(self, store: object) -> None:
        self.store = store
        self.sets: dict[str, set[str]] = {}

    def get(self, article_ids: Sequence[str]) -> dict[str, set[str]]:
        missing = [a for a in article_ids if a not in self.sets]
        if missing:
            for article_id, text in self.store.syndication_texts(missing).items():  # type: ignore[attr-defined]
                self.sets[article_id] = shingles(text)
        return {a: self.sets[a] for a in article_ids if a in self.sets}


def update_syndication(store: object, article_ids: Iterable[str], threshold: float = THRESHOLD) -> set[str]:
    """Compare the not yet compared of ``article_ids`` with their LSH candidates; returns the copies relinked."""
    new = sorted(store.unsigned_articles(list(article_ids)), key=lambda a: sort_key(a[0], a[1]))  # type: ignore[attr-defined]
    if not new:
        return set()
    texts = _Texts(store)
    batch_bands: dict[int, list[tuple[str, str]]] = defaultdict(list)
    signed: list[tuple[str, str, list[int]]] = []
    links: dict[str, tuple[str, float]] = {}
    for article_id, published, text in new:
        key = sort_key(article_id, published)
        mine = shingles(text)
        texts.sets[article_id] = mine
        keys = band_keys(mine) if mine else []
        candidates = dict(store.syndication_candidates(keys)) if keys else {}  # type: ignore[attr-defined]
        candidates.update(c for k in keys for c in batch_bands.get(k, ()))
        candidates.pop(article_id, None)
        sets = texts.get(list(candidates))
        earlier = {c: s for c, s in sets.items() if candidates[c] < key}
        best = _best(mine, earlier, threshold)
        if best:
            links[article_id] = (best[0], round(best[1], 3))
        later = [c for c in sets if candidates[c] > key]
        current = store.syndication_links(later)  # type: ignore[attr-defined]
        current.update({c: links[c] for c in later if c in links})
        for c in later:
            similarity = round(jaccard(mine, sets[c]), 3)
            if similarity >= threshold and similarity > current.get(c, ("", -1.0))[1]:
                links[c] = (article_id, similarity)
        signed.append((article_id, key, keys))
        for k in keys:
            batch_bands[k].append((article_id, key))
    store.add_syndication_signatures(signed, [(c, o, s) for c, (o, s) in links.items()])  # type: ignore[attr-defined]
    return set(links)
