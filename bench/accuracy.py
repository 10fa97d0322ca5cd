"""Quotation extraction on the wikinews-quotes dev split: predict, score, print the table.

Usage: .venv/bin/python bench/accuracy.py [--split dev] [--out DIR]
Writes the predictions in the corpus format to DIR (default: a temporary folder),
so they can also be fed to the corpus authors' own scorer.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paths import corpus
from quotetrail.evaluate.run import evaluate_corpus
from quotetrail.evaluate.score_quotes import format_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    gold = corpus("wikinews-quotes", args.split)
    out = args.out or Path(tempfile.mkdtemp(prefix="quotetrail-pred-"))
    started = time.perf_counter()
    run = evaluate_corpus(gold, out_dir=out)
    seconds = time.perf_counter() - started
    print(
        f"wikinews-quotes {args.split}: {run.documents} documents in {seconds:.1f} s ({run.documents / seconds:.1f} documents/s, one process)"
    )
    print(f"predictions written to {out}")
    print(format_report(run.scores.report()))


if __name__ == "__main__":
    main()
