"""Spark extract speed against single-process ingest on the same texts, and the row-for-row identity check.

Usage: .venv/bin/python bench/spark_speed.py [--splits dev train]

In one run, on the wikinews-quotes files of the given splits (default: dev
and train, 850 articles, so that a job is long enough to measure):

1. single process: ``ingest`` (no claims) into a new database, then ``export``;
2. Spark ``local[1]`` and ``local[2]``: start-up measured apart (the
   SparkSession, then a one-file job that starts the Python workers and
   loads their models), then the timed extract of every file;
3. articles/s for the three, the scaling efficiency of local[2] over
   local[1] (1.0 = twice as fast on two cores), and Spark's overhead against
   the single process on one core;
4. the identity check: each Spark ``quotations/`` must equal the export row
   for row, on all the files and on the dev split alone.

The machine's load average is printed beside each figure: other work on the
two cores slows every run.  The CPU time of each run is printed too (this
process and, for Spark, every process it started: the JVM and the Python
workers), so the cost per article can be compared however busy the machine
was.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _paths import corpus
from quotetrail.ingest_job import ingest_paths
from quotetrail.ledgerfile import write_ledger
from quotetrail.spark.job import ExtractOptions, ExtractSummary, run_extract, spark_session
from quotetrail.spark.output import dataset_rows
from quotetrail.store import open_store

QUIET = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"}


def _name(master: str) -> str:
    """A folder name for a master: brackets would be read as a glob by Spark's file system."""
    return master.replace("[", "").replace("]", "")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree_cpu() -> dict[str, float]:
    """CPU seconds (user + system) of this process and its live descendants, by program name."""
    totals: dict[str, float] = {}
    todo, tick = [os.getpid()], os.sysconf("SC_CLK_TCK")
    while todo:
        pid = todo.pop()
        try:
            name, fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        name = name.split("(", 1)[1]
        values = fields.split()
        totals[name] = totals.get(name, 0.0) + (int(values[11]) + int(values[12])) / tick
        todo += _children(pid)
    return totals


def cpu_since(before: dict[str, float]) -> tuple[float, str]:
    """CPU seconds used since ``before``, in all, and as 'name N s' per program."""
    now = tree_cpu()
    used = {name: now[name] - before.get(name, 0.0) for name in now}
    parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sorted(used.items()) if seconds >= 0.05)
    return sum(used.values()), parts


def rss_mb(pid: int) -> float:
    """Resident memory of a live process in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def single_process(inputs: list[Path], work: Path) -> tuple[float, list[dict], int]:
    """Ingest + export in this process; returns (seconds for ingest, exported rows, articles)."""
    store = open_store(work / "single.db")
    started, cpu = time.perf_counter(), tree_cpu()
    summary = ingest_paths(store, inputs)
    seconds, (cpu, _) = time.perf_counter() - started, cpu_since(cpu)
    write_ledger(store.iter_ledger(), "parquet", work / "single.parquet")
    rows = pq.read_table(str(work / "single.parquet")).to_pylist()
    print(
        f"single process: {summary.articles} articles in {seconds:.1f} s = {summary.articles / seconds:.1f} articles/s; "
        f"CPU {cpu:.1f} s = {1000 * cpu / summary.articles:.0f} ms per article ({load()})"
    )
    return seconds, rows, summary.articles


def spark_run(master: str, inputs: list[Path], warm_up: Path, work: Path) -> ExtractSummary:
    """One Spark master: start-up apart, then the timed extract; the session is stopped after."""
    started = time.perf_counter()
    spark = spark_session(master, f"bench {master}", QUIET)
    session = time.perf_counter() - started
    try:
        warm = run_extract(spark, [str(warm_up)], str(work / f"warm-{_name(master)}"))
        cpu = tree_cpu()
        summary = run_extract(spark, [str(p) for p in inputs], str(work / _name(master)), ExtractOptions())
        cpu, parts = cpu_since(cpu)
        memory = max((rss_mb(pid) for pid in summary.worker_pids), default=0.0)
    finally:
        spark.stop()
    rate = summary.articles / summary.seconds
    print(
        f"spark {master}: start-up {session:.1f} s for the session + {warm.seconds:.1f} s for a one-file job "
        f"(Python workers started, models loaded {warm.model_loadings} times)"
    )
    print(
        f"  {summary.articles} articles in {summary.seconds:.1f} s = {rate:.1f} articles/s "
        f"(reading and extraction {summary.extract_seconds:.1f} s, writing {summary.seconds - summary.extract_seconds:.1f} s; "
        f"{summary.partitions} partitions, models loaded {summary.model_loadings} more times); "
        f"CPU {cpu:.1f} s = {1000 * cpu / summary.articles:.0f} ms per article [{parts}] ({load()})"
    )
    print(f"  largest Python worker: {memory:.0f} MB resident")
    return summary


def identical(label: str, spark_rows: list[dict], exported: list[dict], dev: str) -> bool:
    same = spark_rows == exported
    dev_spark = [r for r in spark_rows if r["source"].startswith(dev)]
    dev_export = [r for r in exported if r["source"].startswith(dev)]
    print(
        f"  {label}: {len(spark_rows)} quotations, {'identical' if same else 'DIFFERENT'} to the export row for row; "
        f"dev alone: {len(dev_spark)} rows, {'identical' if dev_spark == dev_export else 'DIFFERENT'}"
    )
    return same and dev_spark == dev_export


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", nargs="+", default=["dev", "train"])
    args = parser.parse_args()
    inputs = [corpus("wikinews-quotes", split) for split in args.splits]
    dev = str(corpus("wikinews-quotes", "dev"))
    warm_up = Path(__file__).resolve().parents[1] / "examples"
    warm_up = sorted(warm_up.glob("*.txt"))[0]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        single_seconds, exported, n = single_process(inputs, work)
        one = spark_run("local[1]", inputs, warm_up, work)
        two = spark_run("local[2]", inputs, warm_up, work)
        single_rate, one_rate, two_rate = n / single_seconds, one.articles / one.seconds, two.articles / two.seconds
        print(
            f"scaling efficiency local[2] over local[1]: {two_rate / one_rate / 2:.2f} "
            f"(speed-up {two_rate / one_rate:.2f} on 2 cores); local[1] runs at {one_rate / single_rate:.2f}x "
            f"the single process; local[2] at {two_rate / single_rate:.2f}x"
        )
        print("identity with ingest + export:")
        ok = identical("local[1]", dataset_rows(work / "local1", "quotations"), exported, dev)
        ok = identical("local[2]", dataset_rows(work / "local2", "quotations"), exported, dev) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
