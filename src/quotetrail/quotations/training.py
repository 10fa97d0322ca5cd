"""Train the quotation tagger from a wikinews-quotes split (``quotetrail train``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..analyse import analyse
from ..evaluate.wikinews import GoldQuotation, read_corpus
from ..model import Doc
from .learned import models_dir, train


def training_examples(folder: Path) -> Iterator[tuple[Doc, list[GoldQuotation]]]:
    for doc in read_corpus(folder):
        yield analyse(doc.article()), list(doc.quotations)


def train_from_corpus(train_dir: Path, out_dir: Path | None = None, **params: float) -> Path:
    """Analyse every training document and fit the CRFs; returns the model folder."""
    target = out_dir or models_dir()
    train(training_examples(train_dir), target, **params)  # type: ignore[arg-type]
    return target
