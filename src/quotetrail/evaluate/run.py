"""Run the extractor over a wikinews-quotes corpus and score it (``predict`` / ``eval wikinews``)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from ..model import Quotation
from ..pipeline import extract
from .score_quotes import Group, Scores, score_documents
from .wikinews import CorpusDocument, read_corpus, to_annotation


@dataclass
class Run:
    """Scores of one run, with its speed."""

    scores: Scores
    documents: int
    seconds: float


def predict_document(doc: CorpusDocument) -> list[Quotation]:
    """The pipeline's quotations for one corpus document."""
    return list(extract(doc.article()).quotations)


def _group_from_annotation(ann: dict) -> Group:
    parts = {
        p: tuple(sorted(set((ann.get(p) or {}).get("tokenIds") or ())))
        for p in ("quote", "speaker", "cue", "frame", "addressee")
    }
    return Group(parts, ann.get("type"), ann.get("medium"))


def gold_groups(doc: CorpusDocument) -> list[Group]:
    return [
        Group({p: tuple(sorted(set(ids))) for p, ids in q.token_ids.items()}, q.type, q.medium) for q in doc.quotations
    ]


def evaluate_corpus(gold_dir: Path, pred_dir: Path | None = None, out_dir: Path | None = None) -> Run:
    """Score predictions (read from ``pred_dir``, or made now) against ``gold_dir``.

    With ``out_dir`` the predictions made now are also written there in the corpus format.
    """
    from .wikinews import write_prediction

    started = time.perf_counter()
    pairs = []
    n = 0
    for doc in read_corpus(gold_dir):
        n += 1
        if pred_dir is not None:
            path = pred_dir / doc.path.name
            annotations = json.loads(path.read_text(encoding="utf-8"))["annotations"] if path.exists() else []
            sys_groups = [_group_from_annotation(a) for a in annotations]
        else:
            quotations = predict_document(doc)
            if out_dir is not None:
                write_prediction(doc, quotations, out_dir)
            sys_groups = [_group_from_annotation(to_annotation(doc, q, i)) for i, q in enumerate(quotations)]
        pairs.append((sys_groups, gold_groups(doc)))
    return Run(score_documents(pairs), n, time.perf_counter() - started)
