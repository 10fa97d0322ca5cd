"""The search breadth of a saved neighbour index (issue 14): measured when the file is written, kept beside it.

A narrower search is cheaper; the breadth chosen must still find the true
neighbours of new vectors (recall@10 against exact search), and a file saved
before breadths were measured must be measured, not trusted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from quotetrail.claims import breadth
from quotetrail.claims.breadth import BREADTHS, CANDIDATES, calibrate
from quotetrail.claims.index import NeighbourIndex, _new_graph


def _clustered(rng: np.random.Generator, n: int, topics: int = 150) -> np.ndarray:
    centres = rng.normal(size=(topics, 384))
    vectors = centres[rng.integers(0, topics, n)] + rng.normal(scale=0.6, size=(n, 384))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture
def graph_and_vectors():
    rng = np.random.default_rng(5)
    vectors = _clustered(rng, 3000)
    graph = _new_graph(384)
    graph.add(np.arange(3000, dtype=np.uint64), vectors, threads=2)
    return graph, vectors


def test_the_breadth_chosen_finds_the_true_neighbours_of_new_vectors(graph_and_vectors, monkeypatch) -> None:
    """Searched at the measured breadth and re-ranked as grouping does, recall@10 of unseen queries is 0.99 or more."""
    graph, vectors = graph_and_vectors
    monkeypatch.setattr(breadth, "MIN_ELEMENTS", 0)
    chosen = calibrate(graph)
    assert chosen in BREADTHS
    rng = np.random.default_rng(99)  # queries the measurement never saw
    queries = vectors[rng.choice(3000, 300, replace=False)] + rng.normal(scale=0.02, size=(300, 384))
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    graph.expansion_search = chosen
    hits = 0
    for q in queries:
        exact = set(np.argsort(-(vectors @ q))[:10].tolist())
        found = graph.search(q, CANDIDATES, threads=1).keys.astype(np.int64)
        reranked = found[np.argsort(-(vectors[found] @ q))][:10]
        hits += len(exact & set(reranked.tolist()))
    assert hits / 3000 >= 0.99


def test_the_narrowest_breadth_that_reaches_the_recall_is_chosen(graph_and_vectors, monkeypatch) -> None:
    graph, _ = graph_and_vectors
    monkeypatch.setattr(breadth, "MIN_ELEMENTS", 0)
    monkeypatch.setattr(breadth, "RECALL", 0.0)
    assert calibrate(graph) == BREADTHS[0]
    monkeypatch.setattr(breadth, "RECALL", 1.01)  # never reached: the widest
    assert calibrate(graph) == BREADTHS[-1]
    assert graph.expansion_search == BREADTHS[-1]  # measuring leaves the graph as it found it


def test_a_small_graph_keeps_the_widest_breadth(graph_and_vectors, monkeypatch) -> None:
    graph, _ = graph_and_vectors
    monkeypatch.setattr(breadth, "RECALL", 0.0)  # any breadth would do: size alone decides
    assert len(graph) < breadth.MIN_ELEMENTS and calibrate(graph) == BREADTHS[-1]


def test_a_saved_index_is_searched_at_the_breadth_measured_when_it_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written: measured once; opened with its breadth: not measured again; opened without (an older file): measured."""
    monkeypatch.setattr(breadth, "MIN_ELEMENTS", 0)
    monkeypatch.setattr(breadth, "RECALL", 0.0)  # so the breadth differs from the default and its use shows
    calls: list[int] = []

    def counted(graph: object, seed: int = 14) -> int:
        calls.append(len(graph))  # type: ignore[arg-type]
        return calibrate(graph, seed)

    monkeypatch.setattr("quotetrail.claims.index.calibrate", counted)
    vectors = _clustered(np.random.default_rng(2), 500)
    path = tmp_path / "b.index"
    index = NeighbourIndex(narrow=True)
    index.add_many(np.arange(500), vectors)
    index.save(path)
    assert calls == [500] and index.breadth == BREADTHS[0] and index.big.expansion_search == BREADTHS[0]
    reopened = NeighbourIndex.load(path, breadth=index.breadth, narrow=True)
    assert calls == [500] and reopened.big.expansion_search == BREADTHS[0]
    older = NeighbourIndex.load(path, narrow=True)  # a sidecar without a breadth
    assert calls == [500, 500] and older.breadth == BREADTHS[0]
    assert older.search(vectors[3], 1)[0].tolist() == [3]
    wide = NeighbourIndex.load(path)  # the quotation index: sixty neighbours at a time, never narrowed
    assert calls == [500, 500] and wide.big.expansion_search == BREADTHS[-1]
