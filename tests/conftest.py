"""Shared fixtures: where the demo corpus lives, a helper to build articles from German text, and the stores.

Storage tests run against both stores: ``store_url`` (and ``new_db`` for
several databases in one test) is parametrised over a SQLite file and a
fresh database in one throwaway PostgreSQL cluster per test session
(``tests/pgcluster.py``).  Without PostgreSQL's server binaries the
PostgreSQL half is skipped saying how to get them; in CI (``CI`` set) it
fails instead, so CI never passes without testing PostgreSQL.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from quotetrail.analyse import analyse
from quotetrail.model import Article, Doc

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CORPORA = ROOT.parent / "shared" / "corpora"


def make_doc(text: str, published: str | None = "2024-05-22") -> Doc:
    """An analysed article from a German text of our own."""
    return analyse(Article(id="t", source="test.txt", text=text, published=published, language="de"))


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


STORES = ["sqlite", "postgresql"]
_numbers = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    """One PostgreSQL cluster for the whole session (7 s to start; a database per test is cheap)."""
    from pgcluster import HOW_TO_GET, find_binaries, start_cluster

    if find_binaries() is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must test PostgreSQL: {HOW_TO_GET}")
        pytest.skip(HOW_TO_GET)
    cluster = start_cluster()
    yield cluster
    from quotetrail.store.connect import dispose_engines

    dispose_engines()
    cluster.stop()


def _database_maker(kind: str, folder: Path, request: pytest.FixtureRequest) -> Callable[[str], str]:
    if kind == "sqlite":
        return lambda name="t": str(folder / f"{name}_{next(_numbers)}.db")
    cluster = request.getfixturevalue("pg_cluster")
    made: list[str] = []

    def make(name: str = "t") -> str:
        url = cluster.create_database(f"{name}_{next(_numbers)}".lower())
        made.append(url)
        return url

    def forget() -> None:  # give the connections back: one session makes hundreds of databases
        from quotetrail.store.connect import dispose_engines

        for url in made:
            dispose_engines(url)

    request.addfinalizer(forget)
    return make


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def new_db(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Make fresh, empty databases of this test's kind: ``new_db("name")`` → a SQLite path or a PostgreSQL URL."""
    return _database_maker(store_kind, tmp_path, request)


@pytest.fixture
def store_url(new_db: Callable[[str], str]) -> str:
    """One fresh, empty database: a SQLite file, then a PostgreSQL database."""
    return new_db("t")


@pytest.fixture(scope="module", params=STORES)
def module_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
    """``new_db`` for module-scoped fixtures (a ledger built once and read by many tests)."""
    return _database_maker(request.param, tmp_path_factory.mktemp("db"), request)
