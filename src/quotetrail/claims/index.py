"""The nearest-neighbour indexes beside the database: claim centroids and grouped quotations.

Grouping asks, for every new quotation, for the ten claims with the nearest
centroid; relating asks, for a claim, for the sixty nearest quotations.  An
exact search is a matrix product over every claim or quotation, so both are
served by HNSW graphs from usearch (half-precision vectors, inner product on
unit vectors; the candidates' similarities are then computed again from the
float32 vectors, so thresholds see exact values).  Each index has two tiers
(``bench/claims_usearch.py`` and docs/claims.md measured why):

- the **big** index, a file written once and memory-mapped read-only
  (``Index.restore(view=True)``): opening it reads nothing, and an update
  never writes it;
- a small **delta** index in memory holding what was added since the big one
  was written, saved after each update (``.delta``, cheap because small);
- **tombstones**: keys of the big index hidden because their claim's centroid
  moved (``.tombstones``); a search skips them.

A search asks both tiers and merges.  When the delta holds a tenth of the big
index's elements, the save merges it into the big file (loaded into memory,
delta added, written again, memory-mapped again); when tombstones exceed a
third of all elements, the next opening rebuilds the index from the database.
Each index's sidecar (``.json``) records the claims generation of the database
it matches and the count of each tier; a missing or inconsistent file, another
generation (a crash between the database commit and the save, a copied
database), or a file of the older hnswlib format rebuilds it from the vectors
stored in the database.  A store without a file keeps its indexes in memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .breadth import BREADTHS, calibrate
from .embed import DIM, MODEL
from .group import Group

#: HNSW graph degree and breadths: recall@10 above 0.99 against exact search on the cached states of
#: bench/claims_scale.py at 10k, 100k and 1M quotations (bench/claims_usearch.py).  A big file is searched
#: at the breadth measured for it when it was written (``breadth.calibrate``); the delta at the widest.
CONNECTIVITY = 32
EXPANSION_ADD = 200
EXPANSION_SEARCH = BREADTHS[-1]
#: Stored scalars.  Half precision halves the memory each search walks and searched faster than f32 at 54,000
#: centroids (0.53 against 1.20 ms); int8 lost recall (0.98 at 10k after re-ranking) and is not used.
SCALAR = "f16"
LIBRARY = "usearch"
#: How far below the exact similarity the index's half-precision one can be: rounding both unit vectors to
#: half precision moves their dot product by at most about 1e-3 (2**-11 per factor); 0.01 leaves room.
FLOOR_MARGIN = 0.01
#: The delta is merged into the big index when it holds this share of the big index's elements.
MERGE_FRACTION = 0.1
_BATCH = 4096

#: ``merging(name, delta, big)``: called before a delta of ``delta`` entries is merged into a big index of ``big``.
Merging = Callable[[str, int, int], None]


def _usearch_index() -> type:
    """usearch's ``Index`` class, imported only after onnxruntime.

    Why: usearch's extension carries its own copy of the C++ standard library, and once it is
    loaded, importing onnxruntime crashes the process inside libstdc++'s ``std::codecvt``
    (usearch 2.26.6, onnxruntime 1.31.1; the other order works).  The encoder imports onnxruntime
    at the first article it reads, so a process that touched the claims index first (a correction
    in the web UI before the first upload, a test session) died at its next extraction.
    """
    with contextlib.suppress(ImportError):
        import onnxruntime  # noqa: F401

    from usearch.index import Index

    return Index


def _new_graph(dim: int) -> object:
    return _usearch_index()(
        ndim=dim,
        metric="ip",
        dtype=SCALAR,
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


def _view(path: Path) -> object:
    """The saved graph at ``path``, memory-mapped read-only: nothing is read until a search touches it."""
    graph = _usearch_index().restore(str(path), view=True)
    if graph is None:
        raise ValueError(f"{path}: not a usearch index")
    return graph


def _replace_with(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


class NeighbourIndex:
    """Keys and unit vectors; nearest by inner product (= cosine), over a read-only big tier and an in-memory delta.

    ``remove`` hides a key: a key of the delta is removed from it, a key of
    the big tier becomes a tombstone (never returned; the file is not
    touched).  Keys are never reused.

    ``narrow``: the big tier is searched at the narrowest breadth that keeps
    the recall (``breadth.calibrate``), measured when the file is written
    and recorded in the sidecar as ``breadth``; a file saved before breadths
    were measured (``breadth`` None) is measured when opened.  Grouping's
    centroid index is narrowed; the quotation index, asked for sixty
    neighbours at a time, keeps the widest breadth.
    """

    def __init__(
        self,
        dim: int = DIM,
        capacity: int = 0,
        path: Path | None = None,
        breadth: int | None = None,
        narrow: bool = False,
    ) -> None:
        self.dim = dim
        self.big: object | None = None  # the memory-mapped file, read-only
        self.big_path: Path | None = None
        self.delta = _new_graph(dim)
        self.hidden: set[int] = set()  # tombstones: keys of the big tier whose vector moved
        self.narrow = narrow
        self.breadth = EXPANSION_SEARCH
        if path is not None:
            self.big, self.big_path = _view(path), path
            if narrow:
                self.breadth = breadth if breadth in BREADTHS else calibrate(self.big)
            self.big.expansion_search = self.breadth  # type: ignore[attr-defined]
            delta, tombstones = _delta_path(path), _tombstones_path(path)
            if delta.exists():
                self.delta.load(str(delta))
            if tombstones.exists():
                self.hidden = set(np.fromfile(tombstones, dtype=np.uint64).tolist())

    @property
    def big_count(self) -> int:
        return len(self.big) if self.big is not None else 0  # type: ignore[arg-type]

    @property
    def delta_count(self) -> int:
        return len(self.delta)  # type: ignore[arg-type]

    @property
    def deleted(self) -> int:
        """Tombstones in the big tier."""
        return len(self.hidden)

    def __len__(self) -> int:
        """Keys that can be found (tombstones left out)."""
        return self.elements - self.deleted

    @property
    def elements(self) -> int:
        """Elements in both tiers, tombstones included."""
        return self.big_count + self.delta_count

    def remove(self, key: int) -> None:
        """Hide ``key``: O(1) for a key of the big tier (a tombstone), a real removal for one of the delta."""
        if self.delta_count and self.delta.contains(key):  # type: ignore[attr-defined]
            self.delta.remove(key)  # type: ignore[attr-defined]
        else:
            self.hidden.add(int(key))

    def add(self, key: int, vector: np.ndarray) -> None:
        """Add ``key``, or move its vector if it is there (a claim recomputed under its own key)."""
        self._vacate([int(key)])
        self.delta.add(int(key), np.asarray(vector, dtype=np.float32), threads=1)  # type: ignore[attr-defined]

    def add_many(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Bulk insert (rebuilding, new quotations), on every core."""
        if len(keys):
            keys = np.asarray(keys, dtype=np.uint64)
            self._vacate(keys.tolist())
            vectors = np.asarray(vectors, dtype=np.float32)
            self.delta.add(keys, vectors, threads=os.cpu_count() or 1)  # type: ignore[attr-defined]

    def _vacate(self, keys: list[int]) -> None:
        """Keys about to be added again: hidden in the big tier (until a merge replaces them), removed from the delta."""
        for key in keys:
            if self.big is not None and key not in self.hidden and self.big.contains(key):  # type: ignore[attr-defined]
                self.hidden.add(key)
            if self.delta_count and self.delta.contains(key):  # type: ignore[attr-defined]
                self.delta.remove(key)  # type: ignore[attr-defined]

    def search(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest keys and their similarities, most similar first (the index's half-precision values)."""
        k = min(k, len(self))
        if k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        vector = np.asarray(vector, dtype=np.float32)
        found: list[tuple[float, int]] = []
        if self.delta_count:
            m = self.delta.search(vector, min(k, self.delta_count), threads=1)  # type: ignore[attr-defined]
            found += zip((1.0 - m.distances).tolist(), m.keys.tolist(), strict=True)
        if self.big is not None:
            found += self._search_big(vector, k)
        found.sort(key=lambda x: -x[0])
        found = found[:k]
        return np.array([key for _, key in found], np.int64), np.array([s for s, _ in found], np.float32)

    def _search_big(self, vector: np.ndarray, k: int) -> list[tuple[float, int]]:
        """The ``k`` nearest live keys of the big tier: asks for more while tombstones crowd them out."""
        want = k + min(len(self.hidden), k)
        while True:
            m = self.big.search(vector, min(want, self.big_count), threads=1)  # type: ignore[attr-defined]
            live = [(1.0 - d, key) for d, key in zip(m.distances.tolist(), m.keys.tolist(), strict=True)]
            live = [x for x in live if x[1] not in self.hidden]
            if len(live) >= k or len(m.keys) < want or want >= self.big_count:
                return live[:k]
            want *= 4

    def save(self, path: Path, name: str = "index", merging: Merging | None = None) -> None:
        """Write the delta and the tombstones; merge the delta into the big file when it has grown to a tenth of it.

        With no big file yet (a new or rebuilt index) everything is written as the big file.
        """
        if self.big is None or self.big_path != path or self.delta_count > MERGE_FRACTION * self.big_count:
            if merging and self.big is not None:
                merging(name, self.delta_count, self.big_count)
            self._merge(path)
        if self.delta_count:
            _replace_with(_delta_path(path), lambda tmp: self.delta.save(str(tmp)))  # type: ignore[attr-defined]
        else:
            _delta_path(path).unlink(missing_ok=True)
        if self.hidden:
            tombstones = np.array(sorted(self.hidden), dtype=np.uint64)
            _replace_with(_tombstones_path(path), tombstones.tofile)
        else:
            _tombstones_path(path).unlink(missing_ok=True)

    def _merge(self, path: Path) -> None:
        """Big tier (loaded into memory) plus the delta, written to ``path`` and memory-mapped again."""
        if self.big is None:
            merged = self.delta
        else:
            merged = _usearch_index().restore(str(self.big_path))  # a full copy in memory: the view is read-only
            if self.delta_count:
                keys = np.asarray(self.delta.keys, dtype=np.uint64)  # type: ignore[attr-defined]
                vectors = np.vstack(self.delta.get(keys)).astype(np.float32)  # type: ignore[attr-defined]
                replaced = [k for k in keys.tolist() if k in self.hidden]  # keys of the big tier added again
                if replaced:
                    merged.remove(np.array(replaced, dtype=np.uint64))  # type: ignore[union-attr]
                    self.hidden -= set(replaced)
                merged.add(keys, vectors, threads=os.cpu_count() or 1)  # type: ignore[union-attr]
        self.breadth = calibrate(merged) if self.narrow else EXPANSION_SEARCH
        self.big = None  # unmapped before the file is replaced (Windows cannot replace a mapped file)
        _replace_with(path, lambda tmp: merged.save(str(tmp)))  # type: ignore[attr-defined]
        self.big, self.big_path = _view(path), path
        self.big.expansion_search = self.breadth  # type: ignore[attr-defined]
        self.delta = _new_graph(self.dim)

    @classmethod
    def load(cls, path: Path, dim: int = DIM, breadth: int | None = None, narrow: bool = False) -> NeighbourIndex:
        """The index saved at ``path``: big file memory-mapped, delta and tombstones read (``narrow``: see the class)."""
        return cls(dim, path=path, breadth=breadth, narrow=narrow)


def _delta_path(path: Path) -> Path:
    return path.with_name(path.name + ".delta")


def _tombstones_path(path: Path) -> Path:
    return path.with_name(path.name + ".tombstones")


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def _fill(index: NeighbourIndex, rows: Iterable[tuple[int, bytes]]) -> None:
    """Add ``(key, float32 blob)`` rows in batches: rebuilding from the database."""
    batch: list[tuple[int, bytes]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            _add_batch(index, batch)
            batch = []
    _add_batch(index, batch)


def _add_batch(index: NeighbourIndex, batch: list[tuple[int, bytes]]) -> None:
    if batch:
        keys = np.array([k for k, _ in batch], dtype=np.int64)
        vectors = np.stack([np.frombuffer(v, dtype=np.float32) for _, v in batch])
        index.add_many(keys, _unit(vectors))


def index_paths(store: object) -> tuple[Path, Path] | None:
    """Where a store's indexes live: beside its database file; None for an in-memory store."""
    path = getattr(store, "path", None)
    if path is None or str(path) in ("", ":memory:") or str(path).startswith("file::memory:"):
        return None
    return Path(f"{path}.claims.index"), Path(f"{path}.quotations.index")


@dataclass
class ClaimIndexes:
    """Both indexes, the next free keys, and where they are saved (None: kept in memory)."""

    centroids: NeighbourIndex
    quotations: NeighbourIndex
    next_claim_key: int
    next_quotation_key: int
    paths: tuple[Path, Path] | None
    store: object

    def save(self, generation: int, merging: Merging | None = None) -> None:
        """Save both after the database committed ``generation``; a crash between the two only costs a rebuild.

        Writes each delta and its tombstones; the big files only when a delta is merged (``merging`` is told).
        """
        if self.paths is None:
            _MEMORY[self.store] = (generation, self)
            return
        names = ("claims", "quotations")
        for index, path, name in zip((self.centroids, self.quotations), self.paths, names, strict=True):
            index.save(path, name, merging)
            meta = {
                "generation": generation,
                "count": index.elements,
                "big": index.big_count,
                "delta": index.delta_count,
                "deleted": index.deleted,
                "next_key": self.next_claim_key if index is self.centroids else self.next_quotation_key,
                "library": LIBRARY,
                "scalar": SCALAR,
                "dim": index.dim,
                "breadth": index.breadth,
            }
            _write_json(Path(f"{path}.json"), meta)


def _write_json(path: Path, data: dict[str, object]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


_MEMORY: weakref.WeakKeyDictionary[object, tuple[int, ClaimIndexes]] = weakref.WeakKeyDictionary()


#: A centroid index whose tombstones (moved centroids, see ``IndexedCentroids.moved``) exceed this share of
#: its elements is rebuilt from the database when opened: they cost file size and search time.
MAX_TOMBSTONES = 1 / 3

#: ``rebuilding(name, reason)``: an index is about to be rebuilt from the database, and why.
Rebuilding = Callable[[str, str], None]


def _tombstones_ok(index: NeighbourIndex) -> bool:
    return index.deleted <= MAX_TOMBSTONES * index.elements


def _load(path: Path, generation: int, narrow: bool = False) -> tuple[NeighbourIndex, int] | str:
    """The index saved at ``path`` and the next free key it recorded; or why it must be rebuilt."""
    try:
        meta = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no index file yet" if not path.exists() else "its description (.json) is missing or unreadable"
    if not path.exists():
        return "the index file is missing"
    if meta.get("library", "hnswlib") != LIBRARY or meta.get("scalar") != SCALAR:
        return f"the file is in the older {meta.get('library', 'hnswlib')} format"
    if meta.get("generation") != generation:
        return "it does not match the database (an interrupted update or a copied database)"
    if int(meta.get("deleted", 0)) > MAX_TOMBSTONES * int(meta.get("count", 0)):
        return "a third of its entries are moved centroids (compacting)"
    try:
        index = NeighbourIndex.load(path, int(meta.get("dim", DIM)), meta.get("breadth"), narrow)
    except (OSError, RuntimeError, ValueError):
        return "the index file cannot be read"
    if (index.big_count, index.delta_count, index.deleted) != (meta.get("big"), meta.get("delta"), meta.get("deleted")):
        return "its files do not match their description (an interrupted save)"
    return index, int(meta.get("next_key", 0))


def open_indexes(store: object, rebuilding: Rebuilding | None = None) -> ClaimIndexes:
    """The store's indexes, opened beside the database, or rebuilt from it when missing or stale.

    ``rebuilding(name, reason)`` is told before a rebuild from the database (minutes at a million quotations).
    """
    generation = store.claims_generation()  # type: ignore[attr-defined]
    next_claim, next_quotation = store.next_claim_keys()  # type: ignore[attr-defined]
    paths = index_paths(store)
    centroids: NeighbourIndex | None = None
    quotations: NeighbourIndex | None = None
    reasons = ["", ""]
    if paths is None:
        cached = _MEMORY.get(store)
        if cached and cached[0] == generation and _tombstones_ok(cached[1].centroids):
            indexes = cached[1]
            indexes.next_claim_key = max(next_claim, indexes.next_claim_key)  # never a tombstone's key
            indexes.next_quotation_key = next_quotation
            return indexes
    else:
        found = _load(paths[0], generation, narrow=True)
        if isinstance(found, str):
            reasons[0] = found
        else:  # a tombstone's key is in the index but in no claim: never hand it out again
            centroids, next_claim = found[0], max(next_claim, found[1])
        found = _load(paths[1], generation)
        if isinstance(found, str):
            reasons[1] = found
        else:
            quotations = found[0]
    if centroids is None:
        if rebuilding and reasons[0] and next_claim:
            rebuilding("claims", reasons[0])
        centroids = NeighbourIndex(narrow=True)
        _fill(centroids, store.iter_claim_centroids())  # type: ignore[attr-defined]
    if quotations is None:
        if rebuilding and reasons[1] and next_quotation:
            rebuilding("quotations", reasons[1])
        quotations = NeighbourIndex()
        _fill(quotations, store.iter_quotation_vectors(MODEL))  # type: ignore[attr-defined]
    return ClaimIndexes(centroids, quotations, next_claim, next_quotation, paths, store)


class IndexedCentroids:
    """The ``Centroids`` of ``group.place`` over the centroid index: claims read from the store as they come up."""

    def __init__(self, store: object, indexes: ClaimIndexes) -> None:
        self.store = store
        self.indexes = indexes
        self.groups: dict[int, Group] = {}
        self.keys: dict[str, int] = {}  # claim id -> key

    def nearest(self, vector: np.ndarray, k: int, floor: float = -1.0) -> list[tuple[Group, float]]:
        """The ``k`` nearest claims, with the exact float32 similarity of their centroids, most similar first.

        The index stores half-precision vectors: its order picks the
        candidates, the sums read from the store give the similarity that
        the join threshold is compared with.  Candidates whose half-precision
        similarity is more than ``FLOOR_MARGIN`` below ``floor`` are left out
        unread: most new statements have no claim near them, and reading the
        candidates' sums was 29-31 % of grouping at a million quotations.
        """
        keys, similarities = self.indexes.centroids.search(vector, k)
        keys = keys[similarities >= floor - FLOOR_MARGIN]
        missing = [int(key) for key in keys if int(key) not in self.groups]
        if missing:
            self.load(keys=missing)
        groups = [self.groups[int(key)] for key in keys if int(key) in self.groups]
        if not groups:
            return []
        scores = np.stack([g.centroid for g in groups]) @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-scores, kind="stable")
        return [(groups[i], float(scores[i])) for i in order]

    def load(self, *, keys: Sequence[int] = (), claim_ids: Sequence[str] = ()) -> list[Group]:
        """Groups by index key or claim id, read once and then kept (with what this run added to them).

        Returns the groups of ``claim_ids`` that exist.
        """
        rows = list(self.store.claim_groups(keys=list(keys))) if keys else []  # type: ignore[attr-defined]
        missing_ids = [c for c in claim_ids if c not in self.keys]
        if missing_ids:
            rows += self.store.claim_groups(claim_ids=missing_ids)  # type: ignore[attr-defined]
        for key, claim_id, polarity, vector_sum, size, speakers, words in rows:
            if key not in self.groups:
                vector = np.frombuffer(vector_sum, dtype=np.float32).copy()
                group = Group(claim_id, polarity, vector, [], set(speakers), set(words.split()), key, size)
                self.groups[key] = group
                self.keys[claim_id] = key
        return [self.groups[self.keys[c]] for c in claim_ids if c in self.keys]

    def add(self, group: Group) -> None:
        group.key = self.indexes.next_claim_key
        self.indexes.next_claim_key += 1
        self.put(group)

    def moved(self, group: Group) -> None:
        """The centroid moved: the old entry becomes a tombstone and the claim is indexed under a new key.

        A key of the big tier cannot be moved (the file is read-only), and
        moving a vector in place in an HNSW graph re-links its neighbours'
        neighbourhoods (with hnswlib at 54,000 claims: 3.9 ms of CPU against
        0.8 ms for tombstone and insert; bench/claims_scale.py, docs/claims.md).
        Moves (a quotation joining a claim) are four new quotations in ten.
        The claim's new key is written with it.
        """
        self.indexes.centroids.remove(group.key)
        del self.groups[group.key]
        group.key = -1
        self.put(group)

    def put(self, group: Group) -> None:
        """A group (new or recomputed) into the index and this run's groups."""
        if group.key < 0:
            group.key = self.indexes.next_claim_key
            self.indexes.next_claim_key += 1
        self.groups[group.key] = group
        self.keys[group.id] = group.key
        self.indexes.centroids.add(group.key, group.centroid)


@contextlib.contextmanager
def claims_lock(store: object) -> Iterator[None]:
    """One claims update at a time per database: a lock file beside a SQLite file, an advisory lock on PostgreSQL."""
    paths = index_paths(store)
    if paths is None:
        exclusive = getattr(store, "exclusive", None)  # a server database: its own lock across machines
        with exclusive("claims") if exclusive else contextlib.nullcontext():
            yield
        return
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; SQLite's own locking still keeps the file consistent
        yield
        return
    with open(f"{getattr(store, 'path')}.claims.lock", "a") as handle:  # noqa: B009 - path checked above
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
