"""Are the quotations the rules find still found by the encoder tagger? (issue 16)

Usage: .venv/bin/python bench/rules_kept.py [--split dev] [--examples]

Issue 16 asks that no quotation found by the rules be lost to the encoder
without a reason.  For each quotation the rules find in an article
(``quotetrail.evaluate.rules_kept``), this counts whether the encoder mode's
output covers at least half of its characters, and prints those it does not
cover with what the gold annotation (for the corpus) has there: no quotation
(the rule was wrong), or one whose characters the encoder's quotations there
match better than the rule's (the encoder cut the rule's over-long span to
the gold one), or worse (a real loss).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paths import corpus
from quotetrail.analyse import analyse
from quotetrail.evaluate.rules_kept import characters, lost_rule_quotations, rule_quotations
from quotetrail.ingest import read_paths
from quotetrail.model import Article
from quotetrail.quotations import find_quotations

ROOT = Path(__file__).resolve().parents[1]


def overlap_f1(ours: set[int], gold: set[int]) -> float:
    """Character overlap of two quotations as F1."""
    shared = len(ours & gold)
    return 2 * shared / (len(ours) + len(gold)) if shared else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--examples", action="store_true", help="the demo articles instead of the corpus")
    args = parser.parse_args()
    os.environ["QUOTETRAIL_QUOTATIONS"] = "encoder"
    counts: Counter = Counter()
    if args.examples:
        items = [(a, None) for a in read_paths([ROOT / "examples"]) if isinstance(a, Article)]
    else:
        from quotetrail.evaluate.wikinews import read_corpus

        items = [(d.article(), d) for d in read_corpus(corpus("wikinews-quotes", args.split))]
    for article, corpus_doc in items:
        doc = analyse(article)
        output = find_quotations(doc, "encoder")
        counts["rules"] += len(rule_quotations(doc))
        lost = lost_rule_quotations(doc, output)
        golds = [characters(g.quote) for g in corpus_doc.quotations] if corpus_doc else []
        for q in lost:
            chars = characters(q.spans)
            there = [g for g in golds if g & chars]
            ours = characters(s for o in output for s in o.spans if characters(o.spans) & chars)
            if not there:
                verdict = "gold has no quotation there"
            elif max(overlap_f1(ours, g) for g in there) > max(overlap_f1(chars, g) for g in there):
                verdict = "gold has one there, closer to the encoder's"
            else:
                verdict = "gold has one there, closer to the rule's"
            counts[f"lost, {verdict}" if corpus_doc else "lost"] += 1
            where = Path(article.source).name if corpus_doc is None else article.id
            print(f"{where}\t{q.type}\t{verdict if corpus_doc else ''}\t{q.text(article.text)[:100]!r}")
    for key, value in counts.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
