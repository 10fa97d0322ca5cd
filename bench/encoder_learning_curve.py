"""How much does the encoder tagger gain from more training documents?  (issue 16: is the data the limit?)

Usage: .venv/bin/python bench/encoder_learning_curve.py [--fractions 0.25,0.5,0.75,1] [--seed 16]
       [--work DIR] [--epochs-as-full]

Trains the shipped recipe (``training.py``: eight layers, bfloat16, 8 epochs)
on nested parts of the wikinews-quotes train split, a quarter, a half, three
quarters and all of it, and scores each model on dev in encoder mode, read
with the current rules (``QUOTETRAIL_MODELS`` points extraction at it).  The
parts are nested and fixed (of the documents in name order: every fourth,
then every second, then three of every four), so a larger part holds the
smaller ones.  ``--epochs-as-full`` trains a part for as many optimiser steps
as the whole split gets (8 / fraction epochs), to tell "fewer documents" from
"fewer steps": at 8 epochs a part gets fewer steps too, and on this corpus
that was half of what half the documents lost (docs/accuracy.md), so the
curve at 8 epochs overstates what more documents give.  A model already
trained in ``--work`` is scored, not trained again, so two processes with
different ``--fractions`` can share the two cores.  The last line fits Joint
F1 against log2(documents) and says how many documents that line would need
for Joint 0.80; a straight line on a log scale is the usual shape of such
curves (they bend down), and an extrapolation is no measurement.

Needs torch (``pip install -e '.[train]'``); about 10 minutes for a quarter on
one core of this machine, 40 for the whole split.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paths import corpus

TARGET = 0.80


def nested_order(names: list[str]) -> list[str]:
    """Every fourth name, then the second of each four, then the first and third after them: each prefix is a part."""
    return names[::4] + names[2::4] + names[1::4] + names[3::4]


def part(train: Path, fraction: float, folder: Path) -> Path:
    """A folder of links to the first ``fraction`` of the train documents in ``nested_order``."""
    names = nested_order(sorted(p.name for p in train.glob("*.json")))
    folder.mkdir(parents=True, exist_ok=True)
    for name in names[: round(fraction * len(names))]:
        link = folder / name
        if not link.exists():
            link.symlink_to(train / name)
    return folder


def trained(models: Path, epochs: int) -> bool:
    config = models / "encoder" / "encoder_tagger.json"
    return config.exists() and json.loads(config.read_text(encoding="utf-8")).get("epochs") == epochs


def score(models: Path, dev: Path) -> dict[str, float]:
    """Dev figures of the model in ``models``, read in encoder mode with the current rules."""
    os.environ["QUOTETRAIL_MODELS"] = str(models)
    os.environ["QUOTETRAIL_QUOTATIONS"] = "encoder"
    from quotetrail.evaluate.run import evaluate_corpus

    report = evaluate_corpus(dev).scores.report()
    types = report["per_type"]
    return {
        "joint": report["joint"][2],
        "roles": report["roles"][2],
        "messages": report["messages"][2],
        "speaker": report["per_role"]["speaker"][2],
        "FreeIndirect": types.get("FreeIndirect", (0, 0, 0))[2],
        "Reported": types.get("Reported", (0, 0, 0))[2],
    }


def fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least squares of Joint against log2(documents): (gain per doubling, intercept)."""
    xs = [math.log2(n) for n, _ in points]
    ys = [j for _, j in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    return slope, my - slope * mx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fractions", default="0.25,0.5,0.75,1")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "quotetrail-learning-curve")
    parser.add_argument("--epochs-as-full", action="store_true")
    args = parser.parse_args()
    from quotetrail.quotations.encoder import training

    train, dev = corpus("wikinews-quotes", "train"), corpus("wikinews-quotes", "dev")
    training.SEED = args.seed
    rows = []
    for fraction in (float(f) for f in args.fractions.split(",")):
        epochs = round(training.EPOCHS / fraction) if args.epochs_as_full else training.EPOCHS
        name = f"part-{fraction:g}-seed-{args.seed}-epochs-{epochs}"
        documents = part(train, fraction, args.work / f"train-{fraction:g}")
        models = args.work / name
        seconds = 0.0
        if not trained(models, epochs):
            started = time.perf_counter()
            training.train_encoder(
                documents, models / "encoder", log=lambda line: None, epochs=epochs, schedule_epochs=epochs
            )
            seconds = time.perf_counter() - started
        figures = score(models, dev)
        count = sum(1 for _ in documents.glob("*.json"))
        rows.append((count, epochs, seconds, figures))
        print(
            f"{count:4d} documents, {epochs:2d} epochs"
            + (f", trained in {seconds:.0f} s" if seconds else ", trained before")
            + ": "
            + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()),
            flush=True,
        )
    if len({n for n, *_ in rows}) >= 2:
        slope, intercept = fit([(n, f["joint"]) for n, _, _, f in rows])
        needed = 2 ** ((TARGET - intercept) / slope) if slope > 0 else math.inf
        print(f"Joint gains {slope:.3f} per doubling of the documents; the line reaches {TARGET} at about {needed:.0f}")


if __name__ == "__main__":
    main()
