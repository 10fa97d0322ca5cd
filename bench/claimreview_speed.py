"""How long ``export --format claimreview`` takes on a large ledger, and how much memory it needs.

Usage: .venv/bin/python bench/claimreview_speed.py --db /tmp/cr.db [--build 1000000] [--ratings 100]

``--build N`` first writes a synthetic ledger of N quotations with
tests/scale_ledger.py (claims of about 25 quotations, one of 2 % of all
quotations), then gives every quotation left in no claim a claim of its own,
as real grouping leaves most quotations (the demo corpus: 83 claims for 93
quotations), and rates ``--ratings`` claims.  The export then runs in a
fresh process, writing to /dev/null, and reports its wall time, claims per
second and peak resident memory, so the figure is the export's alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def build(db: str, quotations: int, ratings: int) -> None:
    from quotetrail.ratings import rate_claim
    from quotetrail.store import open_store
    from scale_ledger import build_ledger

    started = time.perf_counter()
    built = build_ledger(db, quotations)
    store = open_store(db)
    conn = store.conn
    rows = conn.execute("SELECT id, text, speaker, said_on FROM quotations WHERE claim_id IS NULL").fetchall()
    with store.transaction():
        conn.executemany(
            "INSERT INTO claims(id, text, first_said, last_said, speakers, outlets, reports, statements, updated_at)"
            " VALUES (?,?,?,?,?,'[]',1,1,'2024-01-01')",
            [(f"s{q}", text, said, said, json.dumps([speaker] if speaker else [])) for q, text, speaker, said in rows],
        )
        conn.executemany(
            "INSERT INTO claim_members(claim_id, quotation_id, stance, similarity) VALUES (?,?,'affirms',1.0)",
            [(f"s{q}", q) for q, *_ in rows],
        )
        conn.executemany("UPDATE quotations SET claim_id = ? WHERE id = ?", [(f"s{q}", q) for q, *_ in rows])
    claim_ids = [r[0] for r in conn.execute("SELECT id FROM claims ORDER BY reports DESC, id LIMIT ?", (ratings,))]
    for i, claim_id in enumerate(claim_ids):
        rate_claim(store, claim_id, 1 + i % 5, "geprüft", "bench", f"https://check.example/{i}", "bench")
    print(
        f"built {quotations} quotations, {built.claims} grouped claims + {len(rows)} single ones, "
        f"{len(claim_ids)} ratings in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )


def peak_mb() -> int:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it does not carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return -1


def measure(db: str) -> None:
    """Run in a child process: the export to /dev/null, its time and peak memory as one JSON line."""
    from quotetrail.claimreview import write_claimreview
    from quotetrail.store import open_store

    store = open_store(db)
    before = peak_mb()
    started = time.perf_counter()
    with open("/dev/null", "w", encoding="utf-8") as sink:
        summary = write_claimreview(store, sink)
    seconds = time.perf_counter() - started
    peak = peak_mb()
    print(json.dumps({"claims": summary.claims, "reviews": summary.reviews, "seconds": round(seconds, 1),
                      "rss_before_mb": before, "rss_peak_mb": peak}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLite file or PostgreSQL URL")
    parser.add_argument("--build", type=int, help="first build a synthetic ledger of this many quotations")
    parser.add_argument("--ratings", type=int, default=100)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.db)
        return
    if args.build and not (Path(args.db).exists() or "://" in args.db):
        build(args.db, args.build, args.ratings)
    out = subprocess.run(
        [sys.executable, __file__, "--db", args.db, "--measure"], check=True, capture_output=True, text=True
    ).stdout
    result = json.loads(out)
    rate = result["claims"] / result["seconds"] if result["seconds"] else float("inf")
    print(
        f"{result['claims']} claims ({result['reviews']} with a ClaimReview) in {result['seconds']} s"
        f" = {rate:,.0f} claims/s; peak memory {result['rss_peak_mb']} MB ({result['rss_before_mb']} MB after start-up)"
    )


if __name__ == "__main__":
    main()
