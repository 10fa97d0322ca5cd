"""Spot syndicated near-copies: one agency story printed by several outlets.

Articles are compared by Jaccard similarity of their word 5-gram shingles,
with an inverted index over a hashed sample of shingles so that only articles
sharing text are compared.  A copy links to the earliest published version;
its quotations are then further reports of the same statements, not new ones.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

_WORD = re.compile(r"\w+")
THRESHOLD = 0.5


def shingles(text: str, n: int = 5) -> set[int]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {hash(" ".join(words[i : i + n])) for i in range(max(0, len(words) - n + 1))}


def find_syndicated(
    articles: Iterable[tuple[str, str | None, str]], threshold: float = THRESHOLD
) -> list[tuple[str, str, float]]:
    """``(copy id, original id, similarity)`` for ``(id, published, text)`` articles that are near-copies."""
    items = sorted(articles, key=lambda a: (a[1] or "9999", a[0]))
    sets = {a[0]: shingles(a[2]) for a in items}
    index: dict[int, list[str]] = defaultdict(list)
    links: list[tuple[str, str, float]] = []
    for article_id, _, _ in items:
        mine = sets[article_id]
        if not mine:
            continue
        sample = {h for h in mine if h % 8 == 0} or mine
        candidates: dict[str, int] = defaultdict(int)
        for h in sample:
            for other in index.get(h, ()):
                candidates[other] += 1
        best = None
        for other in candidates:
            theirs = sets[other]
            jaccard = len(mine & theirs) / len(mine | theirs)
            if jaccard >= threshold and (best is None or jaccard > best[1]):
                best = (other, jaccard)
        if best:
            links.append((article_id, best[0], round(best[1], 3)))
        for h in sample:
            index[h].append(article_id)
    return links
