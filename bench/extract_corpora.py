"""Extract every real text in ../shared/corpora and count what goes wrong.

Usage: .venv/bin/python bench/extract_corpora.py [--dump FILE] [--only NAME ...]

Why: the fuzzing tests (tests/test_fuzz.py) make up adversarial text; this
runs the texts people actually wrote through the same readers a user's
ingest or evaluation uses, and extraction must not raise on any of them:

- wikinews-quotes train and dev: the corpus reader (as ``predict`` and
  ``bench/accuracy.py`` read it), and the same text again through the
  plain-text reader and cleaning (as ``quotetrail ingest`` would read a
  ``.txt`` file);
- krauts: the raw-text TimeML documents (as ``quotetrail timex`` reads them);
- seeds: the ``*.txt`` articles through ``read_paths`` (as ``quotetrail ingest``).

Prints per corpus the articles, quotations, date mentions, errors (each with
a one-line reproducer) and articles/s.  With ``--dump`` every extraction is
written one line per article, so that two runs (before and after a change
that must not change results) can be compared with ``cmp``.

``--scaling SIZE ...`` instead extracts one article of each size (in characters),
made by joining wikinews-quotes train texts, each in a fresh process, and
prints CPU seconds (first with every word new, as a new article meets them;
again with the word analyses memoised; again without the dates stage),
seconds per 100 kB and peak memory: cost that grows faster than the size
shows at once.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paths import corpus
from quotetrail.clean import clean_article
from quotetrail.dates.timeml import read_timeml
from quotetrail.evaluate.wikinews import read_corpus
from quotetrail.ingest import read_paths
from quotetrail.ingest.text import parse_text
from quotetrail.model import Article, Extraction, Problem
from quotetrail.pipeline import extract

#: An article to extract, or the reason it could not even be read; and how to reproduce it.
Item = tuple[str, Article | Problem | Exception]


@dataclass
class Tally:
    """What one corpus gave."""

    articles: int = 0
    quotations: int = 0
    dates: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def _wikinews(split: str) -> Iterator[Item]:
    for doc in read_corpus(corpus("wikinews-quotes", split)):
        yield f"read_corpus: {doc.path.name}", doc.article()


def _wikinews_as_text(split: str) -> Iterator[Item]:
    for doc in read_corpus(corpus("wikinews-quotes", split)):
        where = f"parse_text+clean_article: {doc.path.name}"
        try:
            yield where, clean_article(replace(parse_text(doc.text, doc.path.name), published=doc.published))
        except Exception as err:  # a reader error is a finding too
            yield where, err


def _krauts() -> Iterator[Item]:
    for path in sorted(corpus("krauts", "KRAUTS_Dolomiten-42_raw-text").iterdir()):
        where = f"read_timeml: {path.name}"
        try:
            doc = read_timeml(path)
        except Exception as err:
            yield where, err
            continue
        yield where, Article(id=path.name, source=str(path), text=doc.text, published=doc.dct, language="de")


def _seeds() -> Iterator[Item]:
    paths = sorted(corpus("seeds").glob("*.txt"))
    for item in read_paths(paths):
        where = f"read_paths: {Path(item.path if isinstance(item, Problem) else item.source).name}"
        yield where, item


SOURCES: dict[str, Callable[[], Iterator[Item]]] = {
    "wikinews-train": lambda: _wikinews("train"),
    "wikinews-dev": lambda: _wikinews("dev"),
    "wikinews-train-as-text": lambda: _wikinews_as_text("train"),
    "wikinews-dev-as-text": lambda: _wikinews_as_text("dev"),
    "krauts": _krauts,
    "seeds": _seeds,
}


def _last_frame(err: BaseException) -> str:
    frames = traceback.extract_tb(err.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f" at {Path(last.filename).name}:{last.lineno} ({last.name})"


def _dump_line(where: str, extraction: Extraction) -> str:
    return f"{where}\t{extraction.quotations!r}\t{extraction.dates!r}\t{extraction.mentions!r}\n"


def run(name: str, items: Iterator[Item], dump: TextIO | None) -> Tally:
    """Extract every article of one corpus, timing extraction only."""
    tally = Tally()
    for where, item in items:
        if isinstance(item, Problem):
            tally.errors.append(f"{where}: {item.stage}: {item.reason}")
            continue
        if isinstance(item, Exception):
            tally.errors.append(f"{where}: {type(item).__name__}: {item}{_last_frame(item)}")
            continue
        started = time.perf_counter()
        try:
            extraction = extract(item)
        except Exception as err:
            tally.errors.append(f"{where}: extract raised {type(err).__name__}: {err}{_last_frame(err)}")
            continue
        finally:
            tally.seconds += time.perf_counter() - started
        tally.articles += 1
        tally.quotations += len(extraction.quotations)
        tally.dates += len(extraction.dates)
        if dump is not None:
            dump.write(f"{name}\t" + _dump_line(where, extraction))
    return tally


def _joined_text(size: int) -> str:
    """wikinews-quotes train texts joined as paragraphs up to ``size`` characters: one long article."""
    parts: list[str] = []
    length = 0
    while length < size:
        for path in sorted(corpus("wikinews-quotes", "train").glob("*.json")):
            text = json.loads(path.read_text(encoding="utf-8"))["originalText"]
            parts.append(text)
            length += len(text) + 2
            if length >= size:
                break
    return "\n\n".join(parts)[:size]


def _one_size(size: int) -> None:
    """Extract one article of ``size`` characters in this process and print the figures as JSON."""
    extract(Article(id="warm", source="warm", text="„Gut“, sagte er am Montag.", language="de"))
    article = Article(id="big", source="big", text=_joined_text(size), published="2020-01-01", language="de")
    figures: dict[str, float] = {"size": size}
    # first with every word new to the memoised analyses (as a new article meets them), then again
    for name, skip in (("cold", frozenset()), ("no_dates", frozenset({"dates"})), ("warm", frozenset())):
        started = time.process_time()
        extraction = extract(article, skip)
        figures[name] = time.process_time() - started
    figures["quotations"] = len(extraction.quotations)
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def scaling(sizes: list[int]) -> None:
    """``_one_size`` for each size in a fresh process (so peak memory is the article's own)."""
    print(
        f"{'characters':>10} {'quotations':>10} {'CPU s':>7} {'s/100kB':>8} {'again':>7} {'no dates':>8} {'peak MB':>8}"
    )
    for size in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one-size", str(size)], capture_output=True, text=True, check=True
        ).stdout
        f = json.loads(out.strip().splitlines()[-1])
        print(
            f"{size:>10} {f['quotations']:>10.0f} {f['cold']:>7.1f} {f['cold'] / size * 1e5:>8.2f} "
            f"{f['warm']:>7.1f} {f['no_dates']:>8.1f} {f['peak_mb']:>8.0f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dump", type=Path, help="write every extraction to this file, one line per article")
    parser.add_argument("--only", nargs="+", choices=sorted(SOURCES), help="run only these corpora")
    parser.add_argument("--scaling", nargs="+", type=int, metavar="SIZE", help="time one article of each size")
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_size:
        _one_size(args.one_size)
        return
    if args.scaling:
        scaling(args.scaling)
        return
    extract(Article(id="warm", source="warm", text="„Gut“, sagte er am Montag.", language="de"))  # load models
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    total_errors = 0
    try:
        print(f"{'corpus':<24} {'articles':>8} {'quotations':>10} {'dates':>6} {'errors':>6} {'articles/s':>10}")
        for name, source in SOURCES.items():
            if args.only and name not in args.only:
                continue
            tally = run(name, source(), dump)
            rate = tally.articles / tally.seconds if tally.seconds else 0.0
            print(
                f"{name:<24} {tally.articles:>8} {tally.quotations:>10} {tally.dates:>6} "
                f"{len(tally.errors):>6} {rate:>10.1f}",
                flush=True,
            )
            for error in tally.errors:
                print(f"    {error}")
            total_errors += len(tally.errors)
    finally:
        if dump is not None:
            dump.close()
    print(f"{total_errors} errors")
    sys.exit(1 if total_errors else 0)


if __name__ == "__main__":
    main()
