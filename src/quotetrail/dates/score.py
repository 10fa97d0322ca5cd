"""Score time expressions the TempEval-3 way: extraction, type and value.

Extraction P/R/F1 counts expressions by span: strict needs the same span,
relaxed any overlap.  On the relaxed matches, type accuracy and value
accuracy are the share with the same type/value, and value F1 (TempEval-3's
main figure) is relaxed F1 × value accuracy, i.e. a prediction counts only if
it overlaps a gold expression *and* has its value.  Everything is also
reported for the expressions that need the document creation time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .timeml import Timex as ScoredTimex

_ABSOLUTE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class TimexScores:
    gold: int = 0
    predicted: int = 0
    strict: int = 0
    relaxed: int = 0
    type_ok: int = 0
    value_ok: int = 0
    subsets: dict[str, TimexScores] = field(default_factory=dict)

    def add(self, gold: list[ScoredTimex], pred: list[ScoredTimex]) -> None:
        self.gold += len(gold)
        self.predicted += len(pred)
        used: set[int] = set()
        for g in gold:
            best = None
            for j, p in enumerate(pred):
                if j in used or p.end <= g.start or p.start >= g.end:
                    continue
                if best is None or (p.start, p.end) == (g.start, g.end):
                    best = j
            if best is None:
                continue
            used.add(best)
            p = pred[best]
            self.relaxed += 1
            self.strict += (p.start, p.end) == (g.start, g.end)
            self.type_ok += p.type == g.type
            self.value_ok += (p.value or "") == (g.value or "")

    @staticmethod
    def _f(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    def figures(self) -> dict[str, float]:
        sp = self.strict / self.predicted if self.predicted else 0.0
        sr = self.strict / self.gold if self.gold else 0.0
        rp = self.relaxed / self.predicted if self.predicted else 0.0
        rr = self.relaxed / self.gold if self.gold else 0.0
        value_acc = self.value_ok / self.relaxed if self.relaxed else 0.0
        type_acc = self.type_ok / self.relaxed if self.relaxed else 0.0
        rf = self._f(rp, rr)
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "strict_p": sp,
            "strict_r": sr,
            "strict_f1": self._f(sp, sr),
            "relaxed_p": rp,
            "relaxed_r": rr,
            "relaxed_f1": rf,
            "type_accuracy": type_acc,
            "value_accuracy": value_acc,
            "value_f1": rf * value_acc,
        }


def needs_dct(value: str | None, text: str) -> bool:
    """Whether a gold expression could only be resolved with the creation time."""
    if not value or value.startswith("P") or value.endswith("_REF") or value.startswith("XXXX"):
        return False
    return not re.search(r"\d{4}", text)


def score(pairs: Iterable[tuple[list[ScoredTimex], list[ScoredTimex]]]) -> dict[str, dict[str, float]]:
    """Overall figures and figures for DCT-dependent expressions."""
    overall, relative = TimexScores(), TimexScores()
    for gold, pred in pairs:
        overall.add(gold, pred)
        gold_rel = [g for g in gold if needs_dct(g.value, g.text)]
        pred_rel = [
            p for p in pred if any(p.start < g.end and p.end > g.start for g in gold_rel) or needs_dct(p.value, p.text)
        ]
        relative.add(gold_rel, pred_rel)
    return {"all": overall.figures(), "needs_dct": relative.figures()}
