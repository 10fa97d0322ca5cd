"""Ledgers of 10k, 100k and 1M quotations: how every page, query and update grows with the database.

Usage: .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--work DIR] [--repeat 20]

How the ledgers are made (issue 14): the wikinews-quotes train and dev texts
are extracted once (real quotations, speakers, dates), exported, then
replicated with shifted dates, new ids and varied speakers, and written into
each database with ``quotetrail load`` (its time is reported too).

What is measured, on each size, p50 and p95 over ``--repeat`` runs with
varying parameters: the store queries behind the CLI, the API and the pages
(in-process through the ASGI app, no network), one article ingested into the
ledger (time and peak memory, in a fresh process), export of the whole
ledger (time and peak memory, in a fresh process) and the growth factor per
tenfold.  Claims are measured by bench/claims_speed.py.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the base rows and the one-article ingest on the CRF path (--fast) unless the environment names a tagger, as
# the README's figures were measured; the encoder adds its extraction time (bench/encoder_speed.py)
os.environ.setdefault("QUOTETRAIL_QUOTATIONS", "crf")
from _paths import corpus
from quotetrail.evaluate.wikinews import read_corpus
from quotetrail.ledgerfile import row_from_dict
from quotetrail.model import QUOTATION_TYPES
from quotetrail.pipeline import extract
from quotetrail.store import open_store

CLI = [str(Path(sys.executable).with_name("quotetrail"))]


def base_rows(cache: Path) -> list[dict]:
    """The real ledger rows of wikinews-quotes train + dev, extracted once and cached."""
    if cache.exists():
        return [json.loads(line) for line in cache.read_text(encoding="utf-8").splitlines()]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "base.db")
        for split in ("train", "dev"):
            for doc in read_corpus(corpus("wikinews-quotes", split)):
                store.add_extraction(extract(doc.article()))
        rows = [r.export_dict() for r in store.iter_ledger()]
    cache.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"extracted {len(rows)} base quotations in {time.perf_counter() - started:.0f} s", flush=True)
    return rows


def _shift(date: str | None, years: int) -> str | None:
    if not date:
        return date
    year = int(date[:4]) - years
    rest = date[4:]
    if rest[3:] == "-29" and rest[1:3] == "02":  # no leap-day trouble
        rest = rest[:-3] + "-28"
    return f"{year:04d}{rest}"


def replicate(rows: list[dict], n: int, path: Path) -> None:
    """``n`` ledger rows as JSONL: copy k of a row gets new ids, dates k % 20 years earlier, a varied speaker."""
    written = 0
    with path.open("w", encoding="utf-8") as out:
        copy = 0
        while written < n:
            for row in rows:
                if written >= n:
                    break
                new = dict(row)
                if copy:
                    tag = f"{copy}"
                    new["article_id"] = hashlib.sha1(f"{row['article_id']}|{tag}".encode()).hexdigest()[:16]
                    new["quotation_id"] = hashlib.sha1(f"{row['quotation_id']}|{tag}".encode()).hexdigest()[:16]
                    new["source"] = f"{row['source']}#copy{tag}"
                    new["published"] = _shift(row["published"], copy % 20)
                    new["said_on"] = _shift(row["said_on"], copy % 20)
                    if row["speaker"] and copy % 3:
                        new["speaker"] = f"{row['speaker']} {copy % 97}"
                out.write(json.dumps(new, ensure_ascii=False) + "\n")
                written += 1
            copy += 1


def timed(fn: Callable[[int], object], repeat: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``fn(i)`` for i in range(repeat), after one warm-up call."""
    fn(0)
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def run_cli(*args: str) -> tuple[float, float, str]:
    """Seconds, peak memory (MB) and output of one CLI call in a fresh process."""
    command = ["/usr/bin/time", "-f", "%M", *CLI, *args]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    peak_kb = int(done.stderr.strip().splitlines()[-1]) if done.stderr.strip() else 0
    if done.returncode not in (0, 3):
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
    return seconds, peak_kb / 1000, done.stdout + done.stderr


_INGEST_ONE = """
import resource, statistics, sys, time
from pathlib import Path
from quotetrail.ingest_job import ingest_paths
from quotetrail.store import open_store
db, folder = sys.argv[1], Path(sys.argv[2])
store = open_store(db)
times = []
for i in range(6):  # the first warms the models up and is not counted
    article = folder / f"{i}.txt"
    article.write_text(
        f" date 2024-05-22\\n„Wir bleiben dabei, Nummer {i} {time.time()}“, sagte Jens Stoltenberg am Mittwoch.",
        encoding="utf-8",
    )
    started = time.perf_counter()
    ingest_paths(store, [article])
    times.append(time.perf_counter() - started)
print(statistics.median(times[1:]), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000)
"""


def ingest_one_by_one(db: Path, folder: Path) -> tuple[float, float]:
    """Median seconds to ingest one new article into ``db`` (models warm) and the process's peak MB."""
    folder.mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", _INGEST_ONE, str(db), str(folder)], capture_output=True, text=True, check=True
    )
    seconds, peak = done.stdout.split()
    return float(seconds), float(peak)


def measure(db: Path, repeat: int, words: list[str], speakers: list[str]) -> dict[str, tuple[float, float]]:
    from fastapi.testclient import TestClient

    from quotetrail.api import create_app

    store = open_store(db)
    results: dict[str, tuple[float, float]] = {}
    results["count all"] = timed(lambda i: store.count_quotations(), repeat)
    results["list first page"] = timed(lambda i: store.quotations(limit=50), repeat)
    results["list page by speaker"] = timed(
        lambda i: store.quotations(speaker=speakers[i % len(speakers)], limit=50), repeat
    )
    results["list page by date range"] = timed(
        lambda i: store.quotations(since=f"{2000 + i % 20}", until=f"{2001 + i % 20}-06", limit=50), repeat
    )
    results["full-text search page"] = timed(lambda i: store.quotations(text=words[i % len(words)], limit=50), repeat)
    deep = store.quotations(limit=1, offset=max(0, store.count_quotations() - 100))
    from quotetrail.store.sqlite import encode_cursor

    cursor = encode_cursor(deep[0]) if deep else None
    results["deep page by cursor"] = timed(lambda i: store.quotations(limit=50, after=cursor), repeat)
    client = TestClient(create_app(db), base_url="http://127.0.0.1")
    pages = {
        "GET /": lambda i: "/",
        "GET /search?q=": lambda i: f"/search?q={words[i % len(words)]}",
        "GET /timeline?q=": lambda i: f"/timeline?q={words[i % len(words)]}",
        "GET /speakers": lambda i: "/speakers",
        "GET /claims": lambda i: "/claims",
        "GET /api/quotations?speaker=": lambda i: f"/api/quotations?speaker={speakers[i % len(speakers)]}",
        "GET /api/quotations?q=": lambda i: f"/api/quotations?q={words[i % len(words)]}",
        "GET /search?type=": lambda i: f"/search?type={QUOTATION_TYPES[i % len(QUOTATION_TYPES)]}",
        "GET /api/quotations?min_quote_conf": lambda i: f"/api/quotations?min_quote_confidence={0.5 + i % 5 / 10}",
        "GET /search?q=&min_quote_conf": lambda i: f"/search?q={words[i % len(words)]}&min_quote_confidence=0.9",
        "GET /api/speakers": lambda i: "/api/speakers",
        "GET /api/claims": lambda i: "/api/claims",
    }
    for name, url in pages.items():

        def get(i: int, url: Callable[[int], str] = url, name: str = name) -> None:
            response = client.get(url(i))
            if response.status_code >= 500:
                raise RuntimeError(f"{name}: {response.status_code}")

        results[name] = timed(get, repeat)
    store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "quotetrail-scale")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = base_rows(args.work / "base.jsonl")
    for r in rows[:50]:
        row_from_dict(r)  # the base rows are valid export rows
    words = ["Truppen", "Regierung", "Polizei", "Wahl", "Klima", "Ukraine", "Präsident", "Gesetz"]
    speakers = sorted({r["speaker"] for r in rows if r["speaker"]})[:: max(1, len(rows) // 400)][:20]
    sizes = [int(s) for s in args.sizes.split(",")]
    table: dict[int, dict[str, tuple[float, float]]] = {}
    other: dict[int, dict[str, str]] = {}
    for size in sizes:
        db = args.work / f"ledger-{size}.db"
        export = args.work / f"ledger-{size}.jsonl"
        if not db.exists():
            replicate(rows, size, export)
            seconds, peak, _ = run_cli("--db", str(db), "load", str(export))
            print(f"[{size}] load: {seconds:.1f} s, peak {peak:.0f} MB", flush=True)
            other.setdefault(size, {})["load"] = f"{seconds:.1f} s, {peak:.0f} MB"
        table[size] = measure(db, args.repeat, words, speakers)
        out = args.work / f"export-{size}.jsonl"
        seconds, peak, _ = run_cli("--db", str(db), "export", "-o", str(out))
        lines = sum(1 for _ in out.open(encoding="utf-8"))
        other.setdefault(size, {})["export"] = f"{seconds:.1f} s, {peak:.0f} MB, {lines} rows"
        out.unlink()
        big = ingest_one_by_one(db, args.work / "one")
        empty = args.work / "empty.db"
        for stale in args.work.glob("empty.db*"):
            stale.unlink()
        small = ingest_one_by_one(empty, args.work / "one")
        other[size]["ingest one article"] = (
            f"median {big[0] * 1000:.0f} ms, peak {big[1]:.0f} MB; into an empty ledger {small[0] * 1000:.0f} ms,"
            f" {small[1]:.0f} MB (difference {1000 * (big[0] - small[0]):+.0f} ms, {big[1] - small[1]:+.0f} MB)"
        )
        for name, (p50, p95) in table[size].items():
            print(f"[{size}] {name:<32} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms", flush=True)
        for name, value in other[size].items():
            print(f"[{size}] {name:<32} {value}", flush=True)
    if len(sizes) > 1:
        print("\ngrowth of p95 per tenfold (1.0 = flat):")
        for name in table[sizes[0]]:
            factors = []
            for a, b in itertools.pairwise(sizes):
                tenfolds = max(1e-9, (len(str(b)) - len(str(a))))
                factors.append((table[b][name][1] / max(table[a][name][1], 0.01)) ** (1 / tenfolds))
            print(f"  {name:<32} " + "  ".join(f"×{f:.2f}" for f in factors))


if __name__ == "__main__":
    main()
