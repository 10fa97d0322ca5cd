"""Speaker accuracy by entity on wikinews-quotes (issue 15): does our speaker name whom the gold names?

Usage: .venv/bin/python bench/speaker_accuracy.py [--split dev] [--model crf|encoder]

Speaker F1 (``bench/accuracy.py``) compares the *words* of the speaker
mention: "Stoltenberg" against a gold "Nato-Generalsekretär Jens
Stoltenberg" two sentences back scores nothing, though both name one man.
This figure asks the reader's question instead.  Among the gold quotations
that have a gold speaker, the share for which the speaker we give (after
resolution: ``speaker``, a canonical name) names the same entity as the gold
speaker mention.  A gold quotation is paired with ours as the corpus scorer
pairs them (``score_quotes.pair_groups``); one we missed counts as wrong.
Our speaker names the gold entity when

- the gold mention, resolved by the same resolver in the same article
  (``speakers.resolve_mention``, pronouns by grammatical role), gives our
  name (case-insensitive), or
- the gold mention's words contain our name's last word ("der EU-Kommissar …,
  Ján Figeľ" and "Ján Figeľ"), or
- our mention shares words with the gold mention.

Then a calibration table: among the paired quotations we give a speaker,
the share naming the gold entity per ``speaker_confidence`` bucket, which
says whether the web UI's "(unsicher)" below 0.6 marks the right ones.

A second share also counts a quotation whose mention covers the gold words but
which we could not resolve to a name ("ein Sprecher"): the mention is right,
the name is not given.  The resolver judges the gold side too, so a pronoun it
resolves wrongly can count against a right answer or for a wrong one: the
figure is a guide, not a gold standard; the hand-checked demo table
(tests/test_speakers_demo.py) is the exact check.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paths import corpus
from quotetrail.analyse import analyse
from quotetrail.evaluate.run import _group_from_annotation, gold_groups
from quotetrail.evaluate.score_quotes import pair_groups
from quotetrail.evaluate.wikinews import CorpusDocument, read_corpus, to_annotation
from quotetrail.model import Doc, Quotation, Span
from quotetrail.quotations import find_quotations
from quotetrail.speakers import resolve_speakers
from quotetrail.speakers.chains import ArticleState


def _tokens_of(doc: CorpusDocument, ids: Sequence[int]) -> Span | None:
    if not ids:
        return None
    return Span(doc.token_starts[min(ids)], doc.token_ends[max(ids)])


def score_document(corpus_doc: CorpusDocument, doc: Doc, resolved: list[Quotation]) -> Counter:
    """Counts for one document: ``gold`` (gold quotations with a speaker), ``named`` (our speaker names the
    gold entity) and ``mention`` (named, or our unresolved mention covers the gold words)."""
    counts: Counter = Counter()
    state = ArticleState(doc, resolved)
    ours = [_group_from_annotation(to_annotation(corpus_doc, q, i)) for i, q in enumerate(resolved)]
    gold = gold_groups(corpus_doc)
    for si, gi in pair_groups(ours, gold):
        if gi is None:
            continue
        if not gold[gi].parts["speaker"]:
            if si is not None and resolved[si].speaker is not None:  # we name someone where the gold names nobody
                counts[f"given:{bucket(resolved[si].speaker_confidence)}"] += 1
            continue
        counts["gold"] += 1
        if si is None:
            continue
        same, shared = names_gold_entity(
            state, corpus_doc, resolved[si], ours[si].parts["speaker"], gold[gi].parts["speaker"]
        )
        counts["named"] += same
        counts["mention"] += same or shared
        if resolved[si].speaker is not None:
            counts[f"given:{bucket(resolved[si].speaker_confidence)}"] += 1
            counts[f"right:{bucket(resolved[si].speaker_confidence)}"] += same
    return counts


#: Confidence buckets for the calibration table; 0.6 is where the web UI starts marking "(unsicher)".
BUCKETS = (0.0, 0.5, 0.6, 0.8, 0.9, 1.01)


def bucket(confidence: float | None) -> str:
    """The ``[low, high)`` bucket of a speaker confidence, as its label."""
    value = 0.0 if confidence is None else confidence
    low, high = next((a, b) for a, b in pairwise(BUCKETS) if value < b)
    return f"{low:.1f}-{min(high, 1.0):.1f}"


def names_gold_entity(
    state: ArticleState, corpus_doc: CorpusDocument, q: Quotation, our_ids: Sequence[int], gold_ids: Sequence[int]
) -> tuple[bool, bool]:
    """``(our speaker names the gold entity, our mention shares words with the gold mention)``."""
    shared = bool(set(gold_ids) & set(our_ids))
    if q.speaker is None:
        return False, shared
    span = _tokens_of(corpus_doc, sorted(gold_ids))
    assert span is not None
    gold_text = corpus_doc.text[span.start : span.end]
    gold_name = state.resolve(span, None)[0]
    last_word = q.speaker.split()[-1].casefold()
    same = (
        (gold_name is not None and gold_name.casefold() == q.speaker.casefold())
        or last_word in gold_text.casefold().split()
        or shared
    )
    return same, shared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--model", choices=["crf", "encoder"], default="encoder")
    args = parser.parse_args()
    os.environ["QUOTETRAIL_QUOTATIONS"] = args.model
    started = time.perf_counter()
    total: Counter = Counter()
    documents = 0
    for corpus_doc in read_corpus(corpus("wikinews-quotes", args.split)):
        doc = analyse(corpus_doc.article())
        resolved, _ = resolve_speakers(doc, find_quotations(doc))
        total += score_document(corpus_doc, doc, resolved)
        documents += 1
    seconds = time.perf_counter() - started
    gold = total["gold"] or 1
    print(f"[{args.model}] wikinews-quotes {args.split}: {documents} documents, {seconds:.1f} s")
    print(f"gold quotations with a gold speaker: {total['gold']}")
    print(f"our speaker names the gold entity:   {total['named'] / gold:.3f} ({total['named']})")
    print(f"... or our mention covers it:        {total['mention'] / gold:.3f} ({total['mention']})")
    print("calibration: of the paired quotations we give a speaker, the share naming the gold entity,")
    print("by speaker_confidence (a gold quotation without a speaker counts as wrong):")
    for low, high in pairwise(BUCKETS):
        label = bucket(low)
        n = total[f"given:{label}"]
        share = f"{total[f'right:{label}'] / n:.2f}" if n else "-"
        mark = "  (marked unsicher in the UI)" if high <= 0.6 else ""
        print(f"  {label}: {share} of {n}{mark}")


if __name__ == "__main__":
    main()
