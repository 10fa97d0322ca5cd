"""Score predicted quotations against gold, the way the corpus authors do, plus diagnostics.

Per document, gold and predicted quotations are paired one-to-one by the
F1 overlap of their quote tokens (Hungarian assignment; equal type and
medium break ties; as in the authors' scorer every quotation is paired while
both sides have some left, even at zero overlap).  For each pair (and each
unpaired quotation against an empty one) token precision and recall are
computed per role; Messages, Roles and Joint average those per-pair values
over all pairs (macro), skipping undefined ones, and F1 is their harmonic
mean.  Beyond the authors' figures: per-role and per-type scores and a type
confusion table, to see where errors come from.  A type's score (keyed by the
gold type, or ours for a spurious quotation) counts every part, as Joint does;
``per_type_quote`` counts the quote's words alone, so a type's detection and
boundaries can be told apart from its roles.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

PARTS: tuple[str, ...] = ("quote", "addressee", "cue", "frame", "speaker")
ROLE_PARTS = PARTS[1:]


@dataclass(frozen=True)
class Group:
    """A quotation as the scorer sees it: token ids per part, type and medium."""

    parts: Mapping[str, Sequence[int]]
    type: str | None = None
    medium: str | None = None


EMPTY = Group({p: () for p in PARTS})


def _overlap_f1(gold: set[int], sys: set[int]) -> float:
    both = len(gold & sys)
    if not both:
        return 0.0
    p, r = both / len(sys), both / len(gold)
    return 2 * p * r / (p + r)


def pair_groups(sys: Sequence[Group], gold: Sequence[Group]) -> list[tuple[int | None, int | None]]:
    """One-to-one pairs ``(sys index, gold index)``, unpaired ones with ``None`` on the other side."""
    pairs: list[tuple[int | None, int | None]] = []
    if sys and gold:
        scores = np.zeros((len(gold), len(sys)))
        for i, g in enumerate(gold):
            gq = set(g.parts.get("quote", ()))
            for j, s in enumerate(sys):
                overlap = _overlap_f1(gq, set(s.parts.get("quote", ())))
                bonus = (0.01 if g.type == s.type else 0.0) + (0.001 if g.medium == s.medium else 0.0)
                scores[i, j] = overlap + (bonus if overlap > 0 else 0.0)
        rows, cols = linear_sum_assignment(scores, maximize=True)
        pairs = [(int(c), int(r)) for r, c in zip(rows, cols, strict=True)]
    used_sys = {s for s, _ in pairs}
    used_gold = {g for _, g in pairs}
    pairs += [(j, None) for j in range(len(sys)) if j not in used_sys]
    pairs += [(None, i) for i in range(len(gold)) if i not in used_gold]
    return pairs


@dataclass
class Scores:
    """Accumulated per-pair precision/recall values and counts."""

    precision: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    recall: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    by_type_p: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    by_type_r: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    quote_by_type_p: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    quote_by_type_r: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    confusion: Counter = field(default_factory=Counter)
    counts: Counter = field(default_factory=Counter)

    def add_pair(self, sys: Group, gold: Group) -> None:
        kind = gold.type if gold is not EMPTY else sys.type
        for part in PARTS:
            g = set(gold.parts.get(part, ()))
            s = set(sys.parts.get(part, ()))
            tp = len(g & s)
            if s:
                self.precision[part].append(tp / len(s))
                self.by_type_p[str(kind)].append(tp / len(s))
                if part == "quote":
                    self.quote_by_type_p[str(kind)].append(tp / len(s))
            if g:
                self.recall[part].append(tp / len(g))
                self.by_type_r[str(kind)].append(tp / len(g))
                if part == "quote":
                    self.quote_by_type_r[str(kind)].append(tp / len(g))
        self.confusion[(gold.type if gold is not EMPTY else "—", sys.type if sys is not EMPTY else "—")] += 1
        self.counts[
            "pairs" if sys is not EMPTY and gold is not EMPTY else ("missed" if sys is EMPTY else "spurious")
        ] += 1

    @staticmethod
    def _prf(p_values: Iterable[float], r_values: Iterable[float]) -> tuple[float, float, float]:
        p_list, r_list = list(p_values), list(r_values)
        p = sum(p_list) / len(p_list) if p_list else 0.0
        r = sum(r_list) / len(r_list) if r_list else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    def summary(self, parts: Sequence[str]) -> tuple[float, float, float]:
        return self._prf(
            (v for part in parts for v in self.precision[part]), (v for part in parts for v in self.recall[part])
        )

    def report(self) -> dict[str, object]:
        out: dict[str, object] = {
            "messages": self.summary(("quote",)),
            "roles": self.summary(ROLE_PARTS),
            "joint": self.summary(PARTS),
            "per_role": {p: self.summary((p,)) for p in PARTS},
            "per_type": {
                t: self._prf(self.by_type_p[t], self.by_type_r[t])
                for t in sorted(set(self.by_type_p) | set(self.by_type_r))
            },
            "per_type_quote": {
                t: self._prf(self.quote_by_type_p[t], self.quote_by_type_r[t])
                for t in sorted(set(self.quote_by_type_p) | set(self.quote_by_type_r))
            },
            "confusion": {f"{g} -> {s}": n for (g, s), n in sorted(self.confusion.items())},
            "counts": dict(self.counts),
        }
        return out


def score_documents(pairs_by_doc: Iterable[tuple[Sequence[Group], Sequence[Group]]]) -> Scores:
    """Score ``(system groups, gold groups)`` per document into one Scores."""
    scores = Scores()
    for sys, gold in pairs_by_doc:
        for si, gi in pair_groups(sys, gold):
            scores.add_pair(sys[si] if si is not None else EMPTY, gold[gi] if gi is not None else EMPTY)
    return scores


def format_report(report: Mapping[str, object]) -> str:
    """A readable table of the report."""
    lines = [f"{'':<22}{'P':>7}{'R':>7}{'F1':>7}"]
    for key in ("messages", "roles", "joint"):
        p, r, f = report[key]  # type: ignore[misc]
        lines.append(f"{key.capitalize():<22}{p:7.3f}{r:7.3f}{f:7.3f}")
    lines.append("")
    for part, (p, r, f) in report["per_role"].items():  # type: ignore[union-attr]
        lines.append(f"  role {part:<17}{p:7.3f}{r:7.3f}{f:7.3f}")
    lines.append("")
    for kind, (p, r, f) in report["per_type"].items():  # type: ignore[union-attr]
        lines.append(f"  type {kind:<17}{p:7.3f}{r:7.3f}{f:7.3f}")
    lines.append("  the quote's words alone (no roles):")
    for kind, (p, r, f) in report.get("per_type_quote", {}).items():  # type: ignore[union-attr]
        lines.append(f"  type {kind:<17}{p:7.3f}{r:7.3f}{f:7.3f}")
    lines.append("")
    lines.append("Type confusion (gold -> predicted): count")
    for key, n in report["confusion"].items():  # type: ignore[union-attr]
        lines.append(f"  {key:<40}{n:5d}")
    lines.append(f"Pairs: {report['counts']}")
    return "\n".join(lines)
