"""Fuzz extraction for as long as asked, with the strategies and checks of tests/test_fuzz.py.

Usage: .venv/bin/python bench/fuzz.py [MINUTES | --minutes MINUTES] [--batch N] [--reader] [--fragments N]

Why a bench as well as the tests: CI runs a few dozen derandomised examples
so the suite stays fast; finding new crashes takes many thousands of fresh
random ones.  Each batch is a new random run of Hypothesis, which shrinks
every failure it finds to a minimal text.  At the end every distinct failure
(kind of exception and where it was raised) is printed once, with the
shortest text that caused it as a one-line reproducer to paste into a
regression test.  Slow inputs count as failures: more than 2 s of CPU per
10 kB (at least 2 s), the ceiling the issue sets.

``--reader`` sends the texts through the plain-text reader and cleaning first,
as ``quotetrail ingest`` reads a .txt file.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import test_fuzz as fuzz  # noqa: E402
from quotetrail.model import Article  # noqa: E402
from quotetrail.pipeline import extract  # noqa: E402

#: CPU seconds allowed per 10 kB of text (and at least this for shorter texts).
SECONDS_PER_10KB = 2.0


class TooSlow(AssertionError):
    """An article took longer than the issue's ceiling."""


@dataclass
class Failure:
    """One kind of failure and the shortest article that showed it."""

    kind: str
    message: str
    article: Article
    seen: int = 1


def _where(err: BaseException) -> str:
    """``file:line (function)`` of the innermost frame inside quotetrail, else the innermost frame."""
    frames = traceback.extract_tb(err.__traceback__)
    own = [f for f in frames if "quotetrail" in f.filename and "test_fuzz" not in f.filename]
    frame = (own or frames or [None])[-1]
    return f"{Path(frame.filename).name}:{frame.lineno} ({frame.name})" if frame else "?"


def _check(article: Article) -> None:
    """Extract, check the contract and the time ceiling."""
    started = time.process_time()
    extraction = extract(article)
    seconds = time.process_time() - started
    fuzz.check_extraction(extraction)
    ceiling = SECONDS_PER_10KB * max(1.0, len(article.text) / fuzz.TEN_KB)
    if seconds > ceiling:
        raise TooSlow(f"{len(article.text)} characters took {seconds:.1f} s of CPU (ceiling {ceiling:.1f} s)")


def _articles(reader: bool, fragments: int) -> st.SearchStrategy[Article]:
    if not reader:
        return fuzz.articles(fragments)
    texts = fuzz.adversarial_text(fragments)
    return st.builds(fuzz.through_reader, texts, fuzz.PUBLISHED).filter(lambda a: a is not None)


def run(minutes: float, batch: int, reader: bool, fragments: int = 25) -> dict[str, Failure]:
    """Batches of fresh random examples until ``minutes`` have passed; the failures by kind."""
    failures: dict[str, Failure] = {}
    examples = 0

    def property_(article: Article) -> None:
        nonlocal examples
        examples += 1
        try:
            _check(article)
        except Exception as err:
            kind = f"{type(err).__name__} at {_where(err)}"
            known = failures.get(kind)
            if known is None:
                failures[kind] = Failure(kind, str(err)[:300], article)
            else:
                known.seen += 1
                if len(article.text) < len(known.article.text):
                    known.article, known.message = article, str(err)[:300]
            raise

    test = settings(
        max_examples=batch,
        deadline=None,
        database=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        report_multiple_bugs=True,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )(given(_articles(reader, fragments))(property_))
    deadline = time.monotonic() + minutes * 60
    batches = 0
    while time.monotonic() < deadline:
        batches += 1
        try:
            test()
        except BaseException as err:  # Hypothesis raises the (shrunk) failures; they are recorded above
            if isinstance(err, KeyboardInterrupt):
                break
        print(f"batch {batches}: {examples} examples, {len(failures)} kinds of failure", flush=True)
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("minutes", nargs="?", type=float, help="how long to fuzz (default 5)")
    parser.add_argument("--minutes", dest="minutes_option", type=float, help="the same, as an option")
    parser.add_argument("--batch", type=int, default=200, help="examples per Hypothesis run (default 200)")
    parser.add_argument("--reader", action="store_true", help="read each text as a .txt file first")
    parser.add_argument("--fragments", type=int, default=25, help="most pieces in one text (default 25)")
    args = parser.parse_args()
    minutes = args.minutes_option or args.minutes or 5.0
    failures = run(minutes, args.batch, args.reader, args.fragments)
    for failure in failures.values():
        a = failure.article
        print(f"\n{failure.kind} (seen {failure.seen} times): {failure.message}")
        print(
            "  reproduce: from quotetrail.model import Article; from quotetrail.pipeline import extract; "
            f"extract(Article(id='f', source='f', text={a.text!r}, published={a.published!r}, language='de'))"
        )
    print(f"\n{len(failures)} kinds of failure")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
