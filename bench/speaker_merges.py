"""How long ``speakers merge`` and ``speakers split`` take when a name has about 10,000 quotations.

Usage: .venv/bin/python bench/speaker_merges.py [--quotations 104000] [--postgres] [--work DIR]

A synthetic ledger (tests/scale_ledger.py; "Jens Stoltenberg" under his full
name has about 9.6 % of the quotations, so 104,000 give about 10,000) is
written into a fresh SQLite file, and with ``--postgres`` also into a
database of a throwaway PostgreSQL cluster (tests/pgcluster.py).  Then
"Jens Stoltenberg" is merged into "Olaf Scholz" and split again, each timed
from the call to the speakers table brought up to date; each is one
transaction writing one log entry per quotation.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from quotetrail.corrections import history
from quotetrail.ingest_job import refresh_derived
from quotetrail.speaker_merges import merge_speakers, split_speaker
from quotetrail.store import open_store
from scale_ledger import build_ledger


def measure(target: str, quotations: int) -> None:
    """Build the ledger at ``target``, then time one merge and one split of its most quoted name."""
    started = time.perf_counter()
    build_ledger(target, quotations)
    built = time.perf_counter() - started
    store = open_store(target)
    refresh_derived(store)  # the speakers table as an ingest leaves it
    started = time.perf_counter()
    merge = merge_speakers(store, "Jens Stoltenberg", "Olaf Scholz", "bench", "bench")
    merged = time.perf_counter() - started
    started = time.perf_counter()
    split = split_speaker(store, "Jens Stoltenberg", "bench", "bench")
    split_time = time.perf_counter() - started
    assert merge.quotations == split.quotations == len(history(store)) // 2
    print(
        f"{store.dialect.name}: {quotations:,} quotations (built in {built:.1f} s); "
        f"merge of {merge.quotations:,} quotations ('Jens Stoltenberg' into 'Olaf Scholz') "
        f"{merged:.2f} s, split {split_time:.2f} s"
    )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quotations", type=int, default=104_000)
    parser.add_argument("--postgres", action="store_true", help="Also on a throwaway PostgreSQL cluster.")
    parser.add_argument("--work", type=Path, help="Folder for the SQLite file (default: a temporary one).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.work or Path(tmp)
        measure(str(folder / "merge-bench.db"), args.quotations)
    if args.postgres:
        from pgcluster import start_cluster

        cluster = start_cluster()
        try:
            measure(cluster.create_database("merge_bench"), args.quotations)
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
