"""usearch against hnswlib on the cached claims states of bench/claims_scale.py (issue 14, the next step).

Usage: .venv/bin/python bench/claims_usearch.py [--sizes 10000 100000 1000000] [--cache DIR]
       [--dtypes f32 f16 i8] [--out DIR]
       .venv/bin/python bench/claims_usearch.py --saved [--sizes ...] [--merge 5000]
       .venv/bin/python bench/claims_usearch.py --breadths 32 48 64 96 128 [--sizes ...]

For each cached state (built by bench/claims_scale.py under ``--cache``) it
reads the claim centroids (the float32 sums in ``claim_groups``, made unit)
and the vectors of the 1,000 new quotations (the queries: 405 restatements of
stored claims, 495 new statements, 100 syndicated copies).  Then, on one
thread unless said otherwise:

- hnswlib: loading the saved centroid index, saving it, and the CPU cost of
  one search for the 20 nearest (what grouping asks) and of one insert;
- usearch, per scalar type (f32, f16, i8): building the same centroid index
  (HNSW degree 32, breadths 200/128, two threads), saving it, opening the file
  with ``Index.restore(view=True)`` (memory-mapped, nothing read) and with a
  full load, the CPU cost of one search on the view, the file size;
- the two-tier index: inserting the 1,000 queries into a small in-memory
  delta index (what an update writes instead of the big graph), searching
  it, saving it;
- recall@10 against exact inner-product search over all centroids: of the
  index's own order, and after re-ranking its 20 nearest by the exact float32
  similarity (what grouping does with the sums it reads anyway).

With ``--saved`` it measures the index files the product wrote instead
(``indexes-usearch-f16`` beside each state, left by bench/claims_scale.py):
opening both with the memory map, the CPU cost of one search of the claims
index (20 nearest, through both tiers) and of the quotations index (60
nearest), recall@10 of the claims index (its own order and re-ranked), and
what merging a delta costs: the big file loaded into memory, ``--merge``
vectors added (two threads), the file written again.

With ``--breadths`` it searches the saved big centroid file at each search
breadth given, to show what a narrower search would save and the recall it
would lose.

``cat /proc/loadavg`` is printed before each size: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

K, CANDIDATES = 10, 20


def centroids(db: Path) -> tuple[np.ndarray, np.ndarray]:
    """Keys and unit centroids of every claim in a cached state."""
    conn = sqlite3.connect(db)
    keys, sums = [], []
    for key, blob in conn.execute("SELECT key, vector_sum FROM claim_groups"):
        keys.append(key)
        sums.append(np.frombuffer(blob, np.float32))
    matrix = np.stack(sums)
    return np.array(keys, np.uint64), matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def queries(db: Path) -> np.ndarray:
    """The vectors of the new (ungrouped) quotations of a cached state."""
    from quotetrail.claims.embed import MODEL, text_hash

    conn = sqlite3.connect(db)
    texts = [r[0] for r in conn.execute("SELECT text FROM quotations WHERE article_id NOT LIKE 'a%'")]
    hashes = sorted({text_hash(t) for t in texts})
    marks = ",".join("?" * len(hashes))
    rows = conn.execute(f"SELECT vector FROM embeddings WHERE model = ? AND text_hash IN ({marks})", [MODEL, *hashes])
    return np.stack([np.frombuffer(r[0], np.float32) for r in rows])


def exact(keys: np.ndarray, matrix: np.ndarray, q: np.ndarray) -> list[set[int]]:
    out = []
    for a in range(0, len(q), 100):
        scores = q[a : a + 100] @ matrix.T
        out += [set(keys[row].tolist()) for row in np.argpartition(-scores, K, axis=1)[:, :K]]
    return out


def ground_truth(state: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[set[int]], dict[int, int]]:
    """A cached state's keys and centroids, its new quotations' vectors, their exact top 10, each key's row."""
    keys, matrix = centroids(state / "bench.db")
    q = queries(state / "bench.db")
    return keys, matrix, q, exact(keys, matrix, q), {int(k): i for i, k in enumerate(keys)}


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def recall(found: list[np.ndarray], truth: list[set[int]]) -> float:
    return sum(len(set(f[:K].tolist()) & t) for f, t in zip(found, truth, strict=True)) / (K * len(truth))


def reranked(found: list[np.ndarray], q: np.ndarray, position: dict[int, int], matrix: np.ndarray) -> list:
    out = []
    for f, v in zip(found, q, strict=True):
        rows = [position[int(k)] for k in f]
        order = np.argsort(-(matrix[rows] @ v), kind="stable")
        out.append(f[order])
    return out


def cpu_ms(fn, items) -> tuple[float, list]:
    started = time.process_time()
    out = [fn(x) for x in items]
    return (time.process_time() - started) * 1000 / len(items), out


def wall(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def hnswlib_row(state: Path, q: np.ndarray, truth: list[set[int]], work: Path) -> dict:
    import hnswlib

    index = hnswlib.Index(space="ip", dim=q.shape[1])
    load_s = wall(lambda: index.load_index(str(state / "bench.db.claims.index")))
    index.set_ef(128)
    index.set_num_threads(1)
    search_ms, found = cpu_ms(lambda v: index.knn_query(v[None, :], k=CANDIDATES)[0][0].astype(np.uint64), q)
    save_s = wall(lambda: index.save_index(str(work / "h.index")))
    size = (work / "h.index").stat().st_size / 1e6
    (work / "h.index").unlink()
    return {"load_s": load_s, "save_s": save_s, "search_ms": search_ms, "mb": size, "found": found}


def usearch_row(dtype: str, keys: np.ndarray, matrix: np.ndarray, q: np.ndarray, work: Path) -> dict:
    from usearch.index import Index

    def new() -> Index:
        return Index(ndim=matrix.shape[1], metric="ip", dtype=dtype, connectivity=32, expansion_add=200,
                     expansion_search=128)  # fmt: skip

    index = new()
    started, cpu = time.perf_counter(), time.process_time()
    index.add(keys, matrix, threads=2)
    build_s, build_cpu = time.perf_counter() - started, time.process_time() - cpu
    path = work / f"u-{dtype}.usearch"
    started = time.perf_counter()
    index.save(str(path))
    save_s = time.perf_counter() - started
    del index
    holder: dict = {}
    view_s = wall(lambda: holder.update(view=Index.restore(str(path), view=True)))
    load_s = wall(lambda: holder.update(full=Index.restore(str(path))))
    del holder["full"]
    view = holder["view"]
    view.expansion_search = 128
    search_ms, found = cpu_ms(lambda v: view.search(v, CANDIDATES, threads=1).keys, q)
    search_again_ms, _ = cpu_ms(lambda v: view.search(v, CANDIDATES, threads=1).keys, q)
    delta = new()
    insert_ms, _ = cpu_ms(lambda iv: delta.add(10**12 + iv[0], iv[1], threads=1), list(enumerate(q)))
    delta_search_ms, _ = cpu_ms(lambda v: delta.search(v, CANDIDATES, threads=1).keys, q)
    delta_path = work / "delta.usearch"
    delta_save_s = wall(lambda: delta.save(str(delta_path)))
    size = path.stat().st_size / 1e6
    path.unlink()
    delta_path.unlink()
    return {
        "build_s": build_s, "build_cpu_s": build_cpu, "save_s": save_s, "view_s": view_s, "load_s": load_s,
        "search_ms": search_ms, "search_again_ms": search_again_ms, "insert_delta_ms": insert_ms,
        "delta_search_ms": delta_search_ms, "delta_save_s": delta_save_s, "mb": size, "found": found,
    }  # fmt: skip


def saved(state: Path, merge: int, out: Path) -> None:
    """Per-operation costs on the index files the product saved for ``state`` (see the module docstring)."""
    import shutil

    from quotetrail.claims.index import NeighbourIndex

    folder = state / "indexes-usearch-f16"
    keys, matrix, q, truth, position = ground_truth(state)
    print(f"\n{state.name} quotations, saved usearch files: {len(keys):,} centroids; load average "
          f"{loadavg()}", flush=True)  # fmt: skip
    holder: dict = {}
    open_s = wall(lambda: holder.update(c=NeighbourIndex.load(folder / "bench.db.claims.index")))
    open_s += wall(lambda: holder.update(q=NeighbourIndex.load(folder / "bench.db.quotations.index")))
    claims, quotations = holder["c"], holder["q"]
    search_ms, found = cpu_ms(lambda v: claims.search(v, CANDIDATES)[0].astype(np.uint64), q)
    again_ms, _ = cpu_ms(lambda v: claims.search(v, CANDIDATES)[0], q)
    related_ms, _ = cpu_ms(lambda v: quotations.search(v, 60)[0], q[:300])
    print(
        f"  open both (memory map): {open_s:.3f} s; claims index: search {search_ms:.3f} ms (again {again_ms:.3f}),"
        f" recall@10 {recall(found, truth):.4f} (re-ranked {recall(reranked(found, q, position, matrix), truth):.4f});"
        f" quotations index ({quotations.big_count:,}): search of 60 {related_ms:.3f} ms",
        flush=True,
    )
    from usearch.index import Index

    rng = np.random.default_rng(14)
    for name, index in (("claims", claims), ("quotations", quotations)):
        work = Path(tempfile.mkdtemp(dir=out, prefix="claims-merge-"))
        started = time.perf_counter()
        full = Index.restore(str(index.big_path))
        load_s = time.perf_counter() - started
        extra = matrix[rng.integers(0, len(matrix), merge)] + rng.normal(0, 0.0135, (merge, matrix.shape[1]))
        extra = (extra / np.linalg.norm(extra, axis=1, keepdims=True)).astype(np.float32)
        started, cpu = time.perf_counter(), time.process_time()
        full.add(np.arange(10**12, 10**12 + merge, dtype=np.uint64), extra, threads=2)
        add_s, add_cpu = time.perf_counter() - started, time.process_time() - cpu
        save_s = wall(lambda full=full, work=work: full.save(str(work / "merged.usearch")))
        print(
            f"  merging {merge:,} into the {name} index of {index.big_count:,}: load {load_s:.1f} s, add {add_s:.1f} s"
            f" ({add_cpu * 1000 / merge:.2f} ms CPU each), save {save_s:.1f} s;"
            f" load average {loadavg()}",
            flush=True,
        )
        del full
        shutil.rmtree(work)


def breadths(state: Path, values: list[int]) -> None:
    """CPU cost and recall@10 of the saved big centroid file searched at each breadth (``expansion_search``)."""
    from usearch.index import Index

    keys, matrix, q, truth, position = ground_truth(state)
    index = Index.restore(str(state / "indexes-usearch-f16" / "bench.db.claims.index"), view=True)
    print(f"\n{state.name} quotations, {len(keys):,} centroids; load average "
          f"{loadavg()}", flush=True)  # fmt: skip
    for ef in values:
        index.expansion_search = ef
        cpu_ms(lambda v, index=index: index.search(v, CANDIDATES, threads=1), q[:200])  # warm the pages
        ms, found = cpu_ms(lambda v, index=index: index.search(v, CANDIDATES, threads=1).keys, q)
        print(
            f"  breadth {ef}: search {ms:.3f} ms CPU, recall@10 {recall(found, truth):.4f}"
            f" (re-ranked {recall(reranked(found, q, position, matrix), truth):.4f})",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/quotetrail-claims-scale"))
    parser.add_argument("--dtypes", nargs="+", default=["f32", "f16", "i8"])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()), help="Where index files are written.")
    parser.add_argument("--saved", action="store_true", help="Measure the index files the product saved.")
    parser.add_argument("--merge", type=int, default=5000, help="With --saved: vectors added in the merge measured.")
    parser.add_argument("--breadths", type=int, nargs="+", help="Sweep the search breadth of the saved centroid file.")
    args = parser.parse_args()
    if args.breadths:
        for n in args.sizes:
            breadths(args.cache / str(n), args.breadths)
        return
    if args.saved:
        for n in args.sizes:
            saved(args.cache / str(n), args.merge, args.out)
        return
    for n in args.sizes:
        state = args.cache / str(n)
        keys, matrix, q, truth, position = ground_truth(state)
        print(f"\n{n:,} quotations: {len(keys):,} centroids, {len(q)} queries; load average "
              f"{loadavg()}", flush=True)  # fmt: skip
        work = Path(tempfile.mkdtemp(dir=args.out, prefix="claims-usearch-"))
        try:
            h = hnswlib_row(state, q, truth, work)
        except ImportError:  # no longer a dependency: compared when installed
            h = None
        if h:
            print(
                f"  hnswlib f32: load {h['load_s']:.2f} s, save {h['save_s']:.2f} s, search {h['search_ms']:.3f} ms,"
                f" recall@10 {recall(h['found'], truth):.4f} (re-ranked"
                f" {recall(reranked(h['found'], q, position, matrix), truth):.4f}), {h['mb']:.0f} MB",
                flush=True,
            )
        for dtype in args.dtypes:
            u = usearch_row(dtype, keys, matrix, q, work)
            print(
                f"  usearch {dtype}: build {u['build_s']:.1f} s ({u['build_cpu_s']:.1f} s CPU, 2 threads),"
                f" save {u['save_s']:.2f} s, view {u['view_s']:.3f} s, full load {u['load_s']:.2f} s,"
                f" search on view {u['search_ms']:.3f} ms (again {u['search_again_ms']:.3f}),"
                f" recall@10 {recall(u['found'], truth):.4f} (re-ranked"
                f" {recall(reranked(u['found'], q, position, matrix), truth):.4f}), {u['mb']:.0f} MB;"
                f" delta of 1,000: insert {u['insert_delta_ms']:.3f} ms, search {u['delta_search_ms']:.3f} ms,"
                f" save {u['delta_save_s']:.3f} s; load average {loadavg()}",
                flush=True,
            )
        os.rmdir(work)


if __name__ == "__main__":
    main()
