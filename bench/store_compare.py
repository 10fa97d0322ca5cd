"""SQLite and PostgreSQL side by side, in one run: ingest, storing alone, and the main queries.

Usage: .venv/bin/python bench/store_compare.py [--pg postgresql://…] [--quotations 50000] [--repeat 20]

Without ``--pg`` a throwaway PostgreSQL cluster is started (tests/pgcluster.py:
a Unix socket, fsync off, as in the tests; a production server with fsync on
commits slower).  Three figures per store:

- ingest: the five demo articles and the 150 wikinews-quotes dev texts,
  ``ingest_paths`` end to end (extraction is the same work on both: the
  texts are ingested once before into a scratch store so that the word
  analyses are memoised and the two timed runs are comparable);
- store: the same extractions written with ``add_extraction`` alone (one
  transaction per article): what the database itself costs;
- queries: on a synthetic ledger (tests/scale_ledger.py, ``--quotations``)
  the first page and count of the ledger, a frequent and a rare word, a
  speaker, the claims and speakers lists, one claim's reports: the median
  of ``--repeat`` runs each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _paths import ROOT, corpus
from quotetrail.ingest import read_paths
from quotetrail.ingest_job import ingest_paths
from quotetrail.model import Article, Extraction
from quotetrail.pipeline import try_extract
from quotetrail.store import Store, open_store


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warm: the first run pays for plans and caches
    return statistics.median(timed(action) for _ in range(repeat)) * 1000


def ingest_figures(targets: dict[str, str], inputs: list[Path]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ingest_paths(open_store(Path(tmp) / "warm.db"), inputs)  # memoise the word analyses once
    extractions = []
    for item in read_paths(inputs):
        if isinstance(item, Article):
            result = try_extract(item)
            if isinstance(result, Extraction):
                extractions.append(result)
    for kind, (ingest_target, store_target) in targets.items():
        store = open_store(ingest_target)
        seconds = timed(lambda store=store: ingest_paths(store, inputs))
        articles, quotations = store.count_articles(), store.count_quotations()
        print(
            f"{kind:10} ingest: {articles} articles, {quotations} quotations in {seconds:.1f} s"
            f" = {articles / seconds:.1f} articles/s"
        )
        writer = open_store(store_target)
        seconds = timed(lambda writer=writer: [writer.add_extraction(e) for e in extractions])
        print(
            f"{kind:10} store:  {len(extractions)} extractions with add_extraction in {seconds * 1000:.0f} ms"
            f" = {seconds * 1000 / max(1, len(extractions)):.1f} ms per article"
        )


def _cases(store: Store) -> dict[str, Callable[[], object]]:
    """The queries behind the web pages and the API, on one store."""
    claim = store.claim_summaries(limit=1)[0].id
    names = store.speaker_names("Stoltenberg")
    return {
        "ledger page (date order)": lambda: store.ledger_page(limit=50),
        "count all": lambda: store.count_ledger(),
        "search frequent word (Truppen)": lambda: store.ledger_page(limit=50, text="Truppen"),
        "count frequent word": lambda: store.count_ledger(text="Truppen"),
        "search rare words (Nummer 1234)": lambda: store.ledger_page(limit=50, text="Nummer 1234"),
        "speaker page (Stoltenberg)": lambda: store.ledger_page(limit=50, speaker="Stoltenberg"),
        "speaker's quotations (merged)": lambda: store.speaker_quotations(names, limit=50),
        "dates 2010..2012": lambda: store.ledger_page(limit=50, since="2010", until="2012"),
        "speakers page": lambda: store.speakers(limit=50),
        "claims page": lambda: store.claim_summaries(limit=50),
        "one claim's reports": lambda: store.claim_statements(claim, limit=50),
        "facets of a search": lambda: store.facet_values(text="Truppen"),
    }


def query_figures(targets: dict[str, str], quotations: int, repeat: int) -> None:
    from scale_ledger import build_ledger

    rows: dict[str, dict[str, float]] = {}
    for kind, target in targets.items():
        seconds = timed(lambda target=target: build_ledger(target, quotations))
        print(f"{kind:10} synthetic ledger of {quotations:,} quotations written in {seconds:.1f} s")
        rows[kind] = {name: median_ms(action, repeat) for name, action in _cases(open_store(target)).items()}
    kinds = list(rows)
    print(f"\nmedian of {repeat} runs, ms, {quotations:,} quotations")
    print(f"{'query':34}" + "".join(f"{k:>12}" for k in kinds))
    for name in rows[kinds[0]]:
        print(f"{name:34}" + "".join(f"{rows[k][name]:12.2f}" for k in kinds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL server URL whose databases may be created (default: throwaway)")
    parser.add_argument("--quotations", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    cluster = None
    if args.pg is None:
        from pgcluster import start_cluster

        cluster = start_cluster()
    try:

        def database(name: str) -> str:
            if cluster is not None:
                return cluster.create_database(name)
            import psycopg

            with psycopg.connect(args.pg.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
            return args.pg.rsplit("/", 1)[0] + "/" + name

        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            inputs = [ROOT / "examples", corpus("wikinews-quotes", "dev")]
            ingest_figures(
                {
                    "sqlite": (str(folder / "ingest.db"), str(folder / "store.db")),
                    "postgresql": (database("bench_ingest"), database("bench_store")),
                },
                inputs,
            )
            query_figures(
                {"sqlite": str(folder / "queries.db"), "postgresql": database("bench_queries")},
                args.quotations,
                args.repeat,
            )
    finally:
        if cluster is not None:
            from quotetrail.store.connect import dispose_engines

            dispose_engines()
            cluster.stop()


if __name__ == "__main__":
    main()
