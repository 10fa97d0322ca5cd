"""Polarity of a statement: does it assert, deny or hedge its proposition?

A restatement of "NATO has no plans to send troops" denies sending troops;
"troops could be sent" or "cannot be ruled out" hedges it.  Grouping only
joins quotations of the same polarity, and relates the others to a claim as
contradicting or hedging it.  Negation and modality cues are data
(``data/stance_cues.tsv``).  "nicht ausschließen" is a hedge, not a denial:
the two negations cancel, which is why hedges are checked first.  Several
negations in one statement ("keine Truppen … und keine Pläne") still deny.
"""

from __future__ import annotations

import re
from functools import cache

from ..lexicons import load_lexicon


@cache
def _cues() -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
    negation, hedge = [], []
    for row in load_lexicon("stance_cues"):
        pattern = re.compile(rf"(?<!\w){re.escape(row['cue'])}(?!\w)", re.IGNORECASE)
        (hedge if row["stance"] == "hedge" else negation).append(pattern)
    return negation, hedge


def polarity(text: str) -> str:
    """``hedge``, ``negative`` or ``positive`` for a statement's main proposition."""
    negation, hedge = _cues()
    if any(p.search(text) for p in hedge):
        return "hedge"
    return "negative" if any(p.search(text) for p in negation) else "positive"


def stance_toward(claim_polarity: str, quotation_polarity: str) -> str:
    """Stance of a related quotation toward a claim: affirms, denies or hedges."""
    if quotation_polarity == "hedge":
        return "hedges" if claim_polarity != "hedge" else "affirms"
    if claim_polarity == "hedge":
        return "affirms" if quotation_polarity == "positive" else "denies"
    return "affirms" if quotation_polarity == claim_polarity else "denies"
