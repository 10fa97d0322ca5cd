"""p50/p95 of every page and API route on large ledgers (issue 14: pages and API bounded).

Usage: .venv/bin/python bench/pages.py --db LEDGER.db [--db OTHER.db] [--repeat 20]
                                      [--build 1000000 [--from-rows /tmp/quotetrail-scale/base.jsonl]]

Each route is called in process through the ASGI app (no network, one
process, as ``quotetrail serve`` answers), ``--repeat`` times with varying
parameters after one warm-up call; the page sizes are the app's own.  Deep
pages are reached as a user reaches them: by following ``next`` (a cursor)
from the first page.  ``--build N`` first writes a synthetic ledger of N
quotations with tests/scale_ledger.py where the database does not exist yet
(bench/scale.py makes ledgers from real extracted rows instead).

Also measured, for item 2 of the issue: the search facets counted over at
most 2,000 matches against a GROUP BY over every match.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

WORDS = ["Truppen", "Regierung", "Polizei", "Wahl", "Klima", "Ukraine", "Präsident", "Gesetz"]


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


def routes(client, words: list[str]) -> dict[str, Callable[[int], str]]:
    """Route name → URL for call i (parameters vary with i)."""
    speakers = client.get("/api/speakers", params={"limit": 20}).json()["speakers"] or [{"id": "x", "name": "x"}]
    claims = client.get("/api/claims", params={"limit": 10}).json()["claims"]
    articles = client.get("/api/articles", params={"limit": 10}).json()["articles"] or [{"id": "x"}]
    deep = {w: _follow(client, "/api/quotations", {"q": w, "limit": 1000}, 3) for w in words}
    deep_all = _follow(client, "/api/quotations", {"limit": 1000}, 20)
    speaker_deep = {s["id"]: _follow(client, f"/api/speakers/{s['id']}", {"limit": 1000}, 3) for s in speakers[:3]}

    def w(i: int) -> str:
        return quote(words[i % len(words)])

    def s(i: int) -> dict:
        return speakers[i % len(speakers)]

    def s3(i: int) -> str:
        return speakers[i % 3]["id"] if len(speakers) >= 3 else speakers[0]["id"]

    found = {
        "GET /": lambda i: "/",
        "GET /search?q=": lambda i: f"/search?q={w(i)}",
        "GET /search?q= page 61 (cursor)": lambda i: f"/search?q={w(i)}&after={deep[words[i % len(words)]]}",
        "GET /search?speaker=": lambda i: f"/search?speaker={quote(s(i)['name'])}",
        "GET /timeline?q=": lambda i: f"/timeline?q={w(i)}",
        "GET /timeline?speaker=": lambda i: f"/timeline?speaker={quote(s(i)['name'])}",
        "GET /speakers": lambda i: "/speakers",
        "GET /speakers?page=": lambda i: f"/speakers?page={1 + i % 30}",
        "GET /speaker/ID": lambda i: f"/speaker/{quote(s(i)['id'])}",
        "GET /speaker/ID deep (cursor)": lambda i: f"/speaker/{quote(s3(i))}?after={speaker_deep[s3(i)]}",
        "GET /article/ID": lambda i: f"/article/{articles[i % len(articles)]['id']}",
        "GET /claims": lambda i: "/claims",
        "GET /claims?q=": lambda i: f"/claims?q={w(i)}",
        "GET /claim/ID": lambda i: f"/claim/{claims[i % len(claims)]['id']}",
        "GET /api/quotations": lambda i: "/api/quotations",
        "GET /api/quotations?q=": lambda i: f"/api/quotations?q={w(i)}",
        "GET /api/quotations?speaker=": lambda i: f"/api/quotations?speaker={quote(s(i)['name'])}",
        "GET /api/quotations?after= (20k deep)": lambda i: f"/api/quotations?after={deep_all}",
        "GET /api/timeline?q=": lambda i: f"/api/timeline?q={w(i)}",
        "GET /api/speakers": lambda i: "/api/speakers",
        "GET /api/speakers/ID": lambda i: f"/api/speakers/{quote(s(i)['id'])}",
        "GET /api/speakers/ID/compare": lambda i: f"/api/speakers/{quote(s(i)['id'])}/compare",
        "GET /api/claims": lambda i: "/api/claims",
        "GET /api/claims/ID": lambda i: f"/api/claims/{claims[i % len(claims)]['id']}",
        "GET /api/claims/ID/compare": lambda i: f"/api/claims/{claims[i % len(claims)]['id']}/compare",
    }
    return found if claims else {k: v for k, v in found.items() if "claims/ID" not in k and "/claim/" not in k}


def _follow(client, url: str, params: dict, pages: int) -> str:
    """The cursor after ``pages`` pages of ``url`` (the last one reached if the list is shorter)."""
    cursor = ""
    for _ in range(pages):
        body = client.get(url, params={**params, **({"after": cursor} if cursor else {})}).json()
        if not body.get("next"):
            break
        cursor = body["next"]
    return quote(cursor)  # "" when the list is shorter than one page: after= then means the first page


def measure_routes(db: Path, repeat: int, words: list[str]) -> dict[str, tuple[float, float]]:
    from fastapi.testclient import TestClient

    from quotetrail.api import create_app
    from quotetrail.store.search import stem

    stem("Truppen")  # the lemmatiser's dictionary loads once per process (the app warms it at start-up)
    client = TestClient(create_app(db), base_url="http://127.0.0.1")
    out = {}
    for name, url in routes(client, words).items():

        def get(i: int, url: Callable[[int], str] = url, name: str = name) -> None:
            response = client.get(url(i))
            if response.status_code != 200:
                raise RuntimeError(f"{name} {url(i)}: {response.status_code} {response.text[:300]}")

        out[name] = timed(get, repeat)
    return out


def measure_facets(db: Path, repeat: int, words: list[str]) -> dict[str, tuple[float, float]]:
    """Facets over at most 2,000 matches (what the page does) against a GROUP BY over every match."""
    from quotetrail import query
    from quotetrail.store import open_store
    from quotetrail.store.search import fts_query

    store = open_store(db)
    full_sql = (
        "SELECT q.speaker, COUNT(*) FROM quotations q WHERE q.id IN"
        " (SELECT quotation_id FROM quotations_fts WHERE quotations_fts MATCH ?) GROUP BY q.speaker"
    )
    out = {
        "facets, 2,000 matches": timed(lambda i: query.facet_counts(store, text=words[i % len(words)]), repeat),
        "facets, GROUP BY all (speaker only)": timed(
            lambda i: store.conn.execute(full_sql, (fts_query(words[i % len(words)]),)).fetchall(), repeat
        ),
    }
    matches = {w: store.count_text_matches(w) for w in words}
    print(f"  matches per word: {matches}", flush=True)
    store.close()
    return out


def _quotation_values(r: dict) -> tuple:
    span = f"[[{r['start']}, {r['end']}]]"
    return (r["quotation_id"], r["article_id"], r["type"], span, r["speaker"], r["speaker_role"], r["said_on"],
            r["said_on_text"], r["start"], r["end"], r["text"], r["speaker_mention"], r["cue"], r["addressee"],
            r["said_on"] or "~")  # fmt: skip


def build_from_rows(db: Path, rows_file: Path, n: int) -> None:
    """A ledger of ``n`` real extracted rows (bench/scale.py's cache), replicated as bench/scale.py does.

    Written with ``executemany`` like tests/scale_ledger.py, in minutes where
    ``quotetrail load`` takes an hour at 1M on a busy machine: real texts,
    so the words of a search match as often as they do in real news.  No
    claims (bench/scale.py builds none either); speakers one per name.
    """
    import json
    import tempfile
    from functools import cache

    from quotetrail.store import open_store
    from quotetrail.store.search import stem_text
    from quotetrail.store.sqlite import name_family
    from scale import replicate

    base = [json.loads(line) for line in rows_file.read_text(encoding="utf-8").splitlines()]
    stems = cache(stem_text)
    with tempfile.TemporaryDirectory() as tmp:
        replicate(base, n, Path(tmp) / "rows.jsonl")
        rows = [json.loads(line) for line in (Path(tmp) / "rows.jsonl").open(encoding="utf-8")]
    store = open_store(db)
    conn = store.conn
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    articles = {r["article_id"]: r for r in rows}
    conn.executemany(
        "INSERT INTO articles(id, source, text, title, outlet, agency, published, language, ingested_at, has_text)"
        " VALUES (?,?,'',?,?,?,?,'de','2024-01-01',0)",
        [(a, r["source"], r["title"], r["outlet"], r["agency"], r["published"]) for a, r in articles.items()],
    )
    conn.executemany(
        "INSERT INTO quotations(id, article_id, type, spans, speaker, speaker_role, said_on, said_on_text, start,"
        ' "end", text, speaker_mention_text, cue_text, addressee_text, said_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
        [_quotation_values(r) for r in rows],
    )
    conn.executemany(
        "INSERT INTO quotations_fts(quotation_id, text, speaker, stems) VALUES (?,?,?,?)",
        [(r["quotation_id"], r["text"], r["speaker"] or "", stems(f"{r['text']} {r['speaker'] or ''}")) for r in rows],
    )
    counts: dict[str, int] = {}
    for r in rows:
        if r["speaker"]:
            counts[r["speaker"]] = counts.get(r["speaker"], 0) + 1
    conn.executemany(
        "INSERT INTO speakers(id, name, kind, variants, roles, quotation_count, family) VALUES (?,?,'person','[]','[]',?,?)",
        [(f"s{i:06d}", name, n, name_family(name)) for i, (name, n) in enumerate(counts.items())],
    )
    conn.execute("COMMIT")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, action="append", required=True)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--build", type=int, help="write a ledger of this size where --db is missing")
    parser.add_argument("--from-rows", type=Path, help="build from these real rows (bench/scale.py's base.jsonl)")
    args = parser.parse_args()
    for db in args.db:
        if not db.exists():
            if not args.build:
                parser.error(f"{db} does not exist (give --build N to write a synthetic ledger)")
            from scale_ledger import build_ledger

            started = time.perf_counter()
            if args.from_rows:
                build_from_rows(db, args.from_rows, args.build)
            else:
                build_ledger(db, args.build)
            print(f"[{db.name}] built {args.build} quotations in {time.perf_counter() - started:.0f} s", flush=True)
        from quotetrail.store import open_store

        store = open_store(db)
        size = store.count_quotations()
        store.close()
        print(f"[{db.name}] {size} quotations", flush=True)
        from quotetrail import query

        results = measure_routes(db, args.repeat, WORDS)
        if hasattr(query, "facet_counts"):  # absent before issue 14: the bench also measures the old code
            results |= measure_facets(db, args.repeat, WORDS)
        for name, (p50, p95) in results.items():
            print(f"[{db.name}] {name:<40} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms", flush=True)


if __name__ == "__main__":
    main()
