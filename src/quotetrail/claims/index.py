"""The nearest-neighbour indexes beside the database: claim centroids and grouped quotations.

Grouping asks, for every new quotation, for the ten claims with the nearest
centroid; relating asks, for a claim, for the sixty nearest quotations.  An
exact search is a matrix product over every claim or quotation, so both are
served by HNSW graphs from hnswlib (float32, inner product on unit vectors;
``bench/claims_neighbours.py`` measured recall@10 above 0.999 against exact
search; why hnswlib and not faiss or usearch is in docs/claims.md).  The graphs are
kept in files beside the database (``quotetrail.db.claims.index`` and
``quotetrail.db.quotations.index``), updated as claims are created and
centroids move (a moved centroid gets a new key; its old entry is a
tombstone until the index is rebuilt), and saved after each update.  Each file's sidecar
(``.json``) records the claims generation of the database it matches; a
missing file or another generation (a crash between the database commit and
the save, a copied database) rebuilds it from the vectors stored in the
database.  A store without a file keeps its indexes in memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .embed import DIM, MODEL
from .group import Group

#: HNSW graph degree and breadths: recall@10 0.9997 against exact search on the bench at 10k and 100k vectors,
#: 0.999 after 10 % of the centroids moved (bench/claims_neighbours.py).
CONNECTIVITY = 32
EXPANSION_ADD = 200
EXPANSION_SEARCH = 128
_BATCH = 4096


class NeighbourIndex:
    """Keys and unit vectors; nearest by inner product (= cosine).  Adding a key again moves its vector.

    ``remove`` marks a key deleted: it is never returned, but stays in the
    graph as a waypoint (a tombstone) until the index is rebuilt.
    """

    def __init__(self, dim: int = DIM, capacity: int = 1024, path: Path | None = None) -> None:
        import hnswlib

        self.dim = dim
        self.index = hnswlib.Index(space="ip", dim=dim)
        if path is None:
            self.index.init_index(max_elements=capacity, M=CONNECTIVITY, ef_construction=EXPANSION_ADD)
        else:
            self.index.load_index(str(path))
        self.index.set_ef(EXPANSION_SEARCH)
        self.index.set_num_threads(1)
        self.deleted = 0  # tombstones among the elements

    def __len__(self) -> int:
        """Keys that can be found (tombstones left out)."""
        return self.elements - self.deleted

    @property
    def elements(self) -> int:
        """Elements in the graph, tombstones included (what the saved file holds)."""
        return self.index.get_current_count()

    def remove(self, key: int) -> None:
        """Mark ``key`` deleted: O(1), unlike moving its vector (which re-links its whole neighbourhood)."""
        self.index.mark_deleted(key)
        self.deleted += 1

    def _room(self, extra: int) -> None:
        needed = self.elements + extra
        if needed > self.index.get_max_elements():
            self.index.resize_index(max(needed, 2 * self.index.get_max_elements()))

    def add(self, key: int, vector: np.ndarray) -> None:
        self._room(1)
        self.index.add_items(np.asarray(vector, dtype=np.float32)[None, :], [key])

    def add_many(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Bulk insert (rebuilding), on every core."""
        if len(keys):
            self._room(len(keys))
            self.index.set_num_threads(os.cpu_count() or 1)
            self.index.add_items(np.asarray(vectors, dtype=np.float32), np.asarray(keys, dtype=np.uint64))
            self.index.set_num_threads(1)

    def search(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest keys and their similarities, most similar first."""
        k = min(k, len(self))
        if k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        labels, distances = self.index.knn_query(np.asarray(vector, dtype=np.float32)[None, :], k=k)
        return labels[0].astype(np.int64), (1.0 - distances[0]).astype(np.float32)

    def save(self, path: Path) -> None:
        self.index.save_index(str(path))

    @classmethod
    def load(cls, path: Path, dim: int = DIM) -> NeighbourIndex:
        return cls(dim, path=path)


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

    def save(self, generation: int) -> None:
        """Save both after the database committed ``generation``; a crash between the two only costs a rebuild."""
        if self.paths is None:
            _MEMORY[self.store] = (generation, self)
            return
        for index, path in zip((self.centroids, self.quotations), self.paths, strict=True):
            tmp = path.with_name(path.name + ".tmp")
            index.save(tmp)
            os.replace(tmp, path)
            meta = {
                "generation": generation,
                "count": index.elements,
                "deleted": index.deleted,
                "next_key": self.next_claim_key if index is self.centroids else self.next_quotation_key,
                "library": "hnswlib",
                "dim": index.dim,
            }
            _write_json(Path(f"{path}.json"), meta)


def _write_json(path: Path, data: dict[str, object]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


_MEMORY: weakref.WeakKeyDictionary[object, tuple[int, ClaimIndexes]] = weakref.WeakKeyDictionary()


#: A centroid index whose tombstones (moved centroids, see ``IndexedCentroids.moved``) exceed this share of
#: its elements is rebuilt from the database when opened: they cost memory, file size and search time.
MAX_TOMBSTONES = 1 / 3


def _tombstones_ok(index: NeighbourIndex) -> bool:
    return index.deleted <= MAX_TOMBSTONES * index.elements


def _load(path: Path, generation: int) -> tuple[NeighbourIndex, int] | None:
    """The index saved at ``path`` and the next free key it recorded, if it matches the database's generation."""
    try:
        meta = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("generation") != generation or not path.exists():
        return None
    deleted = int(meta.get("deleted", 0))  # files saved before tombstones have none
    if deleted > MAX_TOMBSTONES * int(meta.get("count", 0)):  # compacted by a rebuild
        return None
    try:
        index = NeighbourIndex.load(path, int(meta.get("dim", DIM)))
    except (OSError, RuntimeError, ValueError):
        return None
    index.deleted = deleted
    return (index, int(meta.get("next_key", 0))) if index.elements == meta.get("count") else None


def open_indexes(store: object) -> ClaimIndexes:
    """The store's indexes, loaded from beside the database, or rebuilt from it when missing or stale."""
    generation = store.claims_generation()  # type: ignore[attr-defined]
    next_claim, next_quotation = store.next_claim_keys()  # type: ignore[attr-defined]
    paths = index_paths(store)
    if paths is None:
        cached = _MEMORY.get(store)
        if cached and cached[0] == generation and _tombstones_ok(cached[1].centroids):
            indexes = cached[1]
            indexes.next_claim_key = max(next_claim, indexes.next_claim_key)  # never a tombstone's key
            indexes.next_quotation_key = next_quotation
            return indexes
        centroids, quotations = None, None
    else:
        centroids, quotations = None, None
        if found := _load(paths[0], generation):
            # a tombstone's key is in the index but in no claim: never hand it out again
            centroids, next_claim = found[0], max(next_claim, found[1])
        if found := _load(paths[1], generation):
            quotations = found[0]
    if centroids is None:
        centroids = NeighbourIndex()
        _fill(centroids, store.iter_claim_centroids())  # type: ignore[attr-defined]
    if quotations is None:
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

    def nearest(self, vector: np.ndarray, k: int) -> list[tuple[Group, float]]:
        keys, scores = self.indexes.centroids.search(vector, k)
        found = [(int(key), float(s)) for key, s in zip(keys, scores, strict=True)]
        missing = [key for key, _ in found if key not in self.groups]
        if missing:
            self.load(keys=missing)
        return [(self.groups[key], s) for key, s in found if key in self.groups]

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

        hnswlib can move a vector in place, but that re-links its neighbours'
        neighbourhoods: at 54,000 claims it cost 3.9 ms of CPU against 0.8 ms
        for tombstone and insert (bench/claims_scale.py, docs/claims.md), and
        moves (a quotation joining a claim) are four new quotations in ten.
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
