"""How each outlet reported a claim or a speaker: type, wording, omissions and framing terms.

The wording diff is word-level (difflib) against the claim's canonical text,
so a reader sees at a glance what an outlet left out or added.  Framing terms
come from ``data/framing_terms.tsv`` and are looked for in the article around
the quotation (300 characters either side) and in the whole article.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from ..lexicons import load_lexicon
from ..model import LedgerRow

WINDOW = 300


@dataclass(frozen=True)
class OutletReport:
    """One outlet's report of a statement."""

    outlet: str
    said_on: str | None
    type: str
    speaker: str | None
    text: str
    diff: str  # words as in the canonical text, [-left out-] and {+added+}
    segments: tuple[tuple[str, str], ...]  # the same diff as (op, words), for rendering
    omitted: tuple[str, ...]
    framing_near: tuple[str, ...]
    framing_article: tuple[str, ...]
    stance: str
    article_id: str
    quotation_id: str


@cache
def _framing() -> list[tuple[str, str, re.Pattern[str]]]:
    return [
        (row["group"], row["term"], re.compile(rf"(?<!\w){re.escape(row['term'])}\w*", re.IGNORECASE))
        for row in load_lexicon("framing_terms")
    ]


def framing_terms(text: str) -> tuple[str, ...]:
    """Framing terms found in ``text``, as ``term (group)``, longest first so "Kiew-Regime" beats "Regime"."""
    found: list[str] = []
    taken: list[tuple[int, int]] = []
    for group, term, pattern in sorted(_framing(), key=lambda t: -len(t[1])):
        for m in pattern.finditer(text):
            if any(m.start() < b and m.end() > a for a, b in taken):
                continue
            taken.append(m.span())
            label = f"{term} ({group})"
            if label not in found:
                found.append(label)
    return tuple(found)


def diff_segments(canonical: str, text: str) -> list[tuple[str, str]]:
    """Word-level diff as ``(op, words)`` pairs, op one of ``equal``, ``delete`` (left out), ``insert`` (added)."""
    a, b = canonical.split(), text.split()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", " ".join(a[i1:i2])))
        if op in ("delete", "replace"):
            out.append(("delete", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(("insert", " ".join(b[j1:j2])))
    return out


def word_diff(canonical: str, text: str) -> tuple[str, tuple[str, ...]]:
    """A readable word diff of ``text`` against ``canonical`` and the canonical words it leaves out."""
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    segments = diff_segments(canonical, text)
    omitted = tuple(w for op, words in segments if op == "delete" for w in words.split())
    return " ".join(marks[op].format(words) for op, words in segments), omitted


def compare_rows(
    rows: list[LedgerRow], canonical: str, articles: dict[str, str], stance: dict[str, str] | None = None
) -> list[OutletReport]:
    """One OutletReport per row; ``articles`` maps article ids to their text."""
    reports = []
    for r in rows:
        text = articles.get(r.article_id, "")
        near = text[max(0, r.start - WINDOW) : r.end + WINDOW]
        diff, omitted = word_diff(canonical, r.text)
        reports.append(
            OutletReport(
                segments=tuple(diff_segments(canonical, r.text)),
                outlet=" / ".join(x for x in (r.outlet, r.agency) if x) or r.source.rsplit("/", 1)[-1],
                said_on=r.said_on,
                type=r.type,
                speaker=r.speaker,
                text=r.text,
                diff=diff,
                omitted=omitted,
                framing_near=framing_terms(near),
                framing_article=framing_terms(text),
                stance=(stance or {}).get(r.quotation_id, "affirms"),
                article_id=r.article_id,
                quotation_id=r.quotation_id,
            )
        )
    return reports


def compare_claim(store: object, claim_id: str) -> tuple[object, list[OutletReport]] | None:
    """The claim and how each outlet reported each of its statements."""
    claim = store.claim(claim_id)  # type: ignore[attr-defined]
    if claim is None:
        return None
    members = store.claim_members(claim_id)  # type: ignore[attr-defined]
    stance = {qid: s for qid, s, _ in members}
    rows = store.ledger_rows([m[0] for m in members])  # type: ignore[attr-defined]
    articles = {r.article_id: store.article(r.article_id).text for r in rows}  # type: ignore[attr-defined]
    return claim, compare_rows(rows, claim.text, articles, stance)


def compare_speaker(store: object, name: str) -> list[OutletReport]:
    """How each outlet reported a speaker's statements (diffed against the first report of each claim)."""
    from ..query import speaker_statements

    rows = speaker_statements(store, name)  # type: ignore[arg-type]
    articles = {r.article_id: store.article(r.article_id).text for r in rows}  # type: ignore[attr-defined]
    first_by_claim: dict[str | None, str] = {}
    out = []
    for r in rows:
        canonical = first_by_claim.setdefault(r.claim_id or r.quotation_id, r.text)
        out += compare_rows([r], canonical, articles)
    return out
