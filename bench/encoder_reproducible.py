"""Does training the encoder tagger twice give the same bytes?  (issue 16: fixed seeds, reproducible weights)

Usage: .venv/bin/python bench/encoder_reproducible.py [--documents 40] [--epochs 1]

Trains twice, one after the other, on the first ``--documents`` documents of
the wikinews-quotes train split with the shipped recipe (``training.py``: one
thread, seed 16, the shipped layer split), and compares the written weight
files byte for byte.  A full run takes about an hour; a small one exercises
every step of the same code (example building, the frozen features, batching,
shuffling, dropout, the optimiser and the export), so equal bytes here mean
the recipe has no unseeded or thread-dependent step.  Needs torch
(``pip install -e '.[train]'``).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
import time
from pathlib import Path

from _paths import corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    from quotetrail.quotations.encoder.training import train_encoder

    train = corpus("wikinews-quotes", "train")
    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "train"
        subset.mkdir()
        for path in sorted(train.glob("*.json"))[: args.documents]:
            shutil.copy(path, subset / path.name)
        digests = []
        for run in (1, 2):
            started = time.perf_counter()
            target = train_encoder(subset, Path(tmp) / f"run{run}", log=lambda _: None, epochs=args.epochs)
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            digests.append(digest)
            print(f"run {run}: {time.perf_counter() - started:.0f} s, sha256 {digest[:16]}", flush=True)
    same = digests[0] == digests[1]
    print(
        f"{args.documents} documents, {args.epochs} epoch(s): the two runs wrote {'the same' if same else 'DIFFERENT'} weights"
    )


if __name__ == "__main__":
    main()
