"""Speed of quotation finding, encoder mode (``--tagger encoder``) against the CRF path, per core.

Usage: .venv/bin/python bench/encoder_speed.py [--articles 20]

Articles: ~435-word texts, consecutive wikinews-quotes dev texts joined in
pairs, as bench/ingest_speed.py makes them.  The analysis (tokens, sentences)
is done once beforehand and not counted: the figures are for finding
quotations and their roles.  BLAS runs on one thread, and time is counted as
CPU time of this process, so the figure is per core even on a busy machine
(wall time is printed beside it).  The tokenizer's word cache is filled
before any variant runs, as it is after the first articles of an ingest
(filling it costs about 5 % the first time).  Variants measured: the engine (onnxruntime
int8, the default when installed; numpy; onnxruntime float32), the encoder over
every sentence (the default) or over the candidate sentences only, and the batch size.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from threadpoolctl import threadpool_limits

from _paths import CORPORA
from quotetrail.analyse import analyse
from quotetrail.model import Article, Doc
from quotetrail.quotations import find_quotations
from quotetrail.quotations.encoder import ort_engine, tagger
from quotetrail.quotations.encoder.tagger import load_model


def articles(n: int) -> list[Article]:
    """~435-word articles: consecutive dev texts joined in pairs (bench/ingest_speed.py's recipe)."""
    paths = sorted((CORPORA / "wikinews-quotes" / "dev").glob("*.json"))
    texts = [json.loads(p.read_text(encoding="utf-8"))["originalText"] for p in paths]
    pairs = list(zip(texts[::2], texts[1::2], strict=False))[:n]
    return [Article(id=f"dev{i}", source="bench", text=a + "\n\n" + b, language="de") for i, (a, b) in enumerate(pairs)]


def measure(label: str, docs: list[Doc], run: Callable[[Doc], object]) -> float:
    """Articles per CPU-second (one thread) of ``run`` over ``docs``; prints wall time too."""
    run(docs[0])  # warm caches (tokenizer, model load)
    cpu, wall = time.process_time(), time.perf_counter()
    for doc in docs:
        run(doc)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    rate = len(docs) / cpu
    print(
        f"  {label}: {rate:.1f} articles/s per core ({1000 * cpu / len(docs):.0f} ms CPU, {1000 * wall / len(docs):.0f} ms wall each)"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=20)
    args = parser.parse_args()
    items = articles(args.articles)
    words = sum(len(a.text.split()) for a in items) / len(items)
    docs = [analyse(a) for a in items]
    model = load_model()
    if model is None:
        raise SystemExit("the encoder model is not installed (src/quotetrail/models/encoder/)")
    for doc in docs:  # the tokenizer's word cache filled, as in a long ingest, so variants compare fairly
        model.tokenizer.pieces(doc.text)
    print(f"{len(docs)} articles of {words:.0f} words on average; BLAS on one thread, CPU time")
    with threadpool_limits(limits=1):
        measure("CRF path (--tagger crf)", docs, lambda d: find_quotations(d, "crf"))
        engine = "onnxruntime int8" if ort_engine.available() else "numpy"
        measure(f"encoder ({engine}, the default), every sentence, one window at a time", docs, encoder)
        with patch.object(tagger, "ENGINE", "numpy"):
            measure("encoder (numpy), every sentence, one window at a time", docs, encoder)
        if ort_engine.available():
            with patch.object(tagger, "ENGINE", "onnxruntime"):
                measure("encoder (onnxruntime float32), every sentence, one window at a time", docs, encoder)
        with patch.object(tagger, "BATCH", 8):
            measure(f"encoder ({engine}), every sentence, windows in batches of 8", docs, encoder)
        with patch.object(tagger, "CANDIDATES_ONLY", True):
            measure(f"encoder ({engine}), candidate sentences only, one window at a time", docs, encoder)


def encoder(doc: Doc) -> object:
    return find_quotations(doc, "encoder")


if __name__ == "__main__":
    main()
