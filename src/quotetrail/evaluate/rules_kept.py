"""Which quotations the rules find does a tagger's output leave out? (issue 16)

The rules (``rules.find_direct``: quotes in marks, split and colon quotes,
cue-less quote paragraphs; ``rules.find_indirect``: dass- and Konjunktiv I
clauses, *laut X*, *X zufolge*, *wie X mitteilte*) are precise where a
tagger is unsure, so the encoder mode adds what they find beside it.  A rule
quotation still goes missing when an overlapping quotation of the tagger
covers less of it; ``bench/rules_kept.py`` counts those on the corpus and
says, from the gold annotation, which of the two was right.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Doc, Quotation, Span
from ..quotations.rules import find_direct, find_indirect


def characters(spans: Iterable[Span]) -> set[int]:
    """The character offsets ``spans`` cover."""
    return {i for s in spans for i in range(s.start, s.end)}


def rule_quotations(doc: Doc) -> list[Quotation]:
    """What the direct and indirect rules find in ``doc``, before any tagger."""
    return [*find_direct(doc), *find_indirect(doc)]


def lost_rule_quotations(doc: Doc, output: list[Quotation]) -> list[Quotation]:
    """The rules' quotations of which ``output`` covers less than half the characters."""
    covered = characters(s for q in output for s in q.spans)
    lost = []
    for q in rule_quotations(doc):
        chars = characters(q.spans)
        if chars and len(chars & covered) < len(chars) / 2:
            lost.append(q)
    return lost
