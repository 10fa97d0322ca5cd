"""How widely a saved HNSW graph is searched: the narrowest breadth that still finds the true neighbours.

A search's cost grows with its breadth (usearch's ``expansion_search``: how
many candidates it keeps while walking the graph), and so does its recall.
The breadth a graph needs is not a constant: on the claims states of
``bench/claims_scale.py`` a breadth of 48 found 0.995 of the true ten nearest
centroids at 534,000 claims, where 6,000 claims needed 96 for the same, and
at 534,000 claims a search at 128 cost 2.5 times one at 48
(``bench/claims_usearch.py --breadths``; docs/claims.md).  A fixed breadth
therefore pays for the hardest graph on every graph, and at a million
quotations it paid the most where the graph no longer fits in the CPU cache.

So each big graph is measured once, when it is written: some of its own
vectors, each moved off its node by noise to about 0.97 cosine (a restatement
of a stored claim lies near it, not on it), are searched at each breadth of
``BREADTHS``; the twenty found are re-ranked as grouping re-ranks them, and
the ten best are compared with the exact ten nearest, computed by brute force
over the whole graph.  The narrowest breadth whose recall reaches ``RECALL``
is kept in the index's sidecar.  Ties count as found: two claims seeded by the
same sentence have the same centroid, and either answers the query.
Tombstoned entries (moved centroids) take part like the others: they are a
small share, and a merge measures again.

Why these queries: on the 1M state of ``bench/claims_scale.py`` they gave
recall 0.983 / 0.988 / 0.995 / 0.996 / 0.997 at the five breadths, and the
bench's 1,000 new quotations 0.989 / 0.994 / 0.994 / 0.998 / 0.998 (after
re-ranking): close, and lower, so a breadth chosen on them keeps the recall on
real queries.  Searching the graph's own vectors with themselves left out
said 0.997 already at 32, where the new quotations found 0.989: too kind.
"""

from __future__ import annotations

import numpy as np

#: Breadths tried, narrowest first; the last is used when none reaches ``RECALL`` (and for small graphs).
BREADTHS: tuple[int, ...] = (32, 48, 64, 96, 128)
#: Recall@10 a breadth must reach on the sample: what issue 14 asks of the bench's new quotations (the sample's
#: queries are the harder ones, see above).
RECALL = 0.99
#: Graphs smaller than this keep the widest breadth: they fit in the CPU cache, so a narrower search saves
#: little, and a sample of them says little.
MIN_ELEMENTS = 20_000
#: Vectors searched per breadth, neighbours compared, candidates re-ranked (grouping asks for twenty).
SAMPLE = 300
K = 10
CANDIDATES = 20
_CHUNK = 32_768
_TIE = 1e-4  # half-precision similarities of equal centroids differ by rounding only
#: Noise per dimension moving a sampled vector off its node: about 0.97 cosine to it in 384 dimensions.
NOISE = 0.0135


def kth_similarity(graph: object, keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """The ``K``-th best exact similarity of each query over every vector of ``graph`` (brute force, in chunks).

    Only the threshold is kept: a found candidate counts when it is at least as similar (ties included).
    """
    best = np.full((len(queries), K), -np.inf, dtype=np.float32)
    for at in range(0, len(keys), _CHUNK):
        chunk = keys[at : at + _CHUNK]
        vectors = np.asarray(graph.get(chunk), dtype=np.float32)  # type: ignore[attr-defined]
        sims = queries @ vectors.T
        best = np.partition(np.concatenate([best, sims], axis=1), -K, axis=1)[:, -K:]
    return best.min(axis=1)


def recall_at(graph: object, breadth: int, queries: np.ndarray, kth: np.ndarray) -> float:
    """Recall@``K`` of ``graph`` searched at ``breadth``, its ``CANDIDATES`` re-ranked by exact similarity."""
    graph.expansion_search = breadth  # type: ignore[attr-defined]
    hits = 0
    for query, threshold in zip(queries, kth.tolist(), strict=True):
        found = graph.search(query, CANDIDATES, threads=1).keys  # type: ignore[attr-defined]
        sims = np.asarray(graph.get(found), dtype=np.float32) @ query  # type: ignore[attr-defined]
        top = np.sort(sims)[::-1][:K]
        hits += int((top >= threshold - _TIE).sum())
    return hits / (K * len(queries))


def calibrate(graph: object, seed: int = 14) -> int:
    """The narrowest breadth of ``BREADTHS`` at which ``graph`` finds ``RECALL`` of the true ten nearest."""
    size = len(graph)  # type: ignore[arg-type]
    if size < MIN_ELEMENTS:
        return BREADTHS[-1]
    keys = np.asarray(graph.keys, dtype=np.uint64)  # type: ignore[attr-defined]
    rng = np.random.default_rng(seed)
    sample = np.asarray(graph.get(rng.choice(keys, size=min(SAMPLE, size), replace=False)), dtype=np.float32)  # type: ignore[attr-defined]
    moved = sample + rng.normal(0.0, NOISE, sample.shape).astype(np.float32)
    queries = moved / np.linalg.norm(moved, axis=1, keepdims=True)
    kth = kth_similarity(graph, keys, queries)
    try:
        for breadth in BREADTHS[:-1]:
            if recall_at(graph, breadth, queries, kth) >= RECALL:
                return breadth
        return BREADTHS[-1]
    finally:
        graph.expansion_search = BREADTHS[-1]  # type: ignore[attr-defined]
