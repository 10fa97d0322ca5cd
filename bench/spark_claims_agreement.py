"""How far the Spark claim grouping agrees with the single machine's, on the wikinews-quotes dev corpus.

Usage: .venv/bin/python bench/spark_claims_agreement.py [--splits dev] [--master local[2]]

The single machine: ``ingest`` with claims (``claims.update_claims``) into a
new database, then the export's ``claim_id`` per quotation.  Spark:
``spark extract`` with claims on the same files.  "Same claim" is a relation
on pairs of quotations; with the single machine as the reference, pairwise
precision is the share of Spark's same-claim pairs that the single machine
also has, recall the share of the single machine's pairs that Spark finds.
Also printed: how many quotations sit in exactly the same set of
co-members in both, and the claims reported more than once by each.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paths import corpus
from quotetrail.claims.embed import text_hash
from quotetrail.claims.stance import polarity
from quotetrail.ingest_job import ingest_paths
from quotetrail.spark.claims import ClaimOptions, ClaimsSummary
from quotetrail.spark.job import ExtractOptions, run_extract, spark_session
from quotetrail.spark.output import dataset_rows
from quotetrail.store import open_store


def same_claim_pairs(claim_of: dict[str, str | None]) -> set[tuple[str, str]]:
    """Every pair of quotations (smaller id first) given the same claim."""
    members: dict[str, list[str]] = defaultdict(list)
    for qid, claim in claim_of.items():
        if claim:
            members[claim].append(qid)
    return {pair for ids in members.values() for pair in combinations(sorted(ids), 2)}


def co_members(claim_of: dict[str, str | None]) -> dict[str, frozenset[str]]:
    members: dict[str, set[str]] = defaultdict(set)
    for qid, claim in claim_of.items():
        members[claim or qid].add(qid)
    return {qid: frozenset(members[claim or qid]) for qid, claim in claim_of.items()}


def single_machine(inputs: list[Path], work: Path) -> dict[str, str | None]:
    store = open_store(work / "single.db")
    started = time.perf_counter()
    summary = ingest_paths(store, inputs, group_claims=True)
    print(f"single machine: {summary.quotations} quotations, {summary.claims} ({time.perf_counter() - started:.0f} s)")
    return {r.quotation_id: r.claim_id for r in store.iter_ledger()}


def on_spark(inputs: list[Path], work: Path, master: str) -> tuple[dict[str, str | None], ClaimsSummary]:
    spark = spark_session(
        master, "claims agreement", {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"}
    )
    try:
        summary = run_extract(spark, [str(p) for p in inputs], str(work / "out"), ExtractOptions(claims=ClaimOptions()))
    finally:
        spark.stop()
    print(f"spark {master}: {summary.line()}")
    assert summary.claims is not None
    return {r["quotation_id"]: r["claim_id"] for r in dataset_rows(work / "out", "quotations")}, summary.claims


def blocking_recall(output: Path, found: int, threshold: float) -> None:
    """Close pairs the cells found against every same-polarity pair at least ``threshold`` similar (exact)."""
    vectors = {r["text_hash"]: np.asarray(r["vector"], np.float32) for r in dataset_rows(output, "embeddings")}
    texts = [r["text"] for r in dataset_rows(output, "quotations")]
    matrix = np.stack([vectors[text_hash(t)] for t in texts])
    signs = np.array([polarity(t) for t in texts])
    scores = matrix @ matrix.T
    exact = sum(1 for i, j in zip(*np.nonzero(scores >= threshold), strict=True) if i < j and signs[i] == signs[j])
    print(f"blocking: {found} of the {exact} same-polarity pairs at least {threshold:.2f} similar found by the cells")


def report(reference: dict[str, str | None], spark: dict[str, str | None]) -> None:
    if set(reference) != set(spark):
        print(f"the quotations differ: {len(set(reference) ^ set(spark))} in one run only")
    ref_pairs, spark_pairs = same_claim_pairs(reference), same_claim_pairs(spark)
    both = ref_pairs & spark_pairs
    precision = len(both) / len(spark_pairs) if spark_pairs else 1.0
    recall = len(both) / len(ref_pairs) if ref_pairs else 1.0
    print(
        f"same-claim pairs: single machine {len(ref_pairs)}, Spark {len(spark_pairs)}, both {len(both)}: "
        f"pairwise precision {precision:.3f}, recall {recall:.3f}"
    )
    ref_sets, spark_sets = co_members(reference), co_members(spark)
    same = sum(ref_sets[q] == spark_sets.get(q) for q in ref_sets)
    print(
        f"quotations with exactly the same co-members: {same} of {len(ref_sets)} ({same / max(len(ref_sets), 1):.1%})"
    )
    for label, claim_of in (("single machine", reference), ("Spark", spark)):
        sizes = defaultdict(int)
        for claim in claim_of.values():
            if claim:
                sizes[claim] += 1
        print(f"  {label}: {len(sizes)} claims, {sum(n > 1 for n in sizes.values())} reported more than once")
    for a, b in sorted(spark_pairs ^ ref_pairs)[:10]:
        print(f"  differs: {a} {b} (in {'Spark' if (a, b) in spark_pairs else 'the single machine'} only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", nargs="+", default=["dev"])
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    inputs = [corpus("wikinews-quotes", split) for split in args.splits]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        reference = single_machine(inputs, work)
        spark, summary = on_spark(inputs, work, args.master)
        blocking_recall(work / "out", summary.pairs, ClaimOptions().block_threshold)
        report(reference, spark)


if __name__ == "__main__":
    main()
