"""The temporal tagger against KRAUTS gold, next to HeidelTime's output in the same folder.

Usage: .venv/bin/python bench/timex_accuracy.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paths import corpus
from quotetrail.cli_timex import score_folders, tag_timeml_folder


def main() -> None:
    root = corpus("krauts")
    gold = root / "KRAUTS_Dolomiten-42"
    out = Path(tempfile.mkdtemp(prefix="quotetrail-timex-"))
    started = time.perf_counter()
    n = tag_timeml_folder(root / "KRAUTS_Dolomiten-42_raw-text", out)
    seconds = time.perf_counter() - started
    ours = score_folders(gold, out)
    heideltime = score_folders(gold, root / "KRAUTS_Dolomiten-42_Heideltime")
    print(f"KRAUTS Dolomiten, {n} documents (tagged in {seconds:.1f} s including analysis)\n")
    print(f"{'':34}{'quotetrail':>12}{'HeidelTime':>12}")
    for subset in ("all", "needs_dct"):
        print(
            f"[{'all expressions' if subset == 'all' else 'expressions needing the DCT'}] gold {ours[subset]['gold']}"
        )
        for key, label in (
            ("strict_p", "strict P"),
            ("strict_r", "strict R"),
            ("strict_f1", "strict F1"),
            ("relaxed_p", "relaxed P"),
            ("relaxed_r", "relaxed R"),
            ("relaxed_f1", "relaxed F1"),
            ("type_accuracy", "type accuracy"),
            ("value_accuracy", "value accuracy"),
            ("value_f1", "value F1"),
        ):
            print(f"  {label:<32}{ours[subset][key]:>12.3f}{heideltime[subset][key]:>12.3f}")


if __name__ == "__main__":
    main()
