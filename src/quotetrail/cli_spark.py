"""Spark commands: ``spark extract`` (see docs/spark.md); PySpark is imported only when one runs."""

from __future__ import annotations

from pathlib import Path

import click

from .faults import DEFAULT_TIME_BUDGET
from .ingest import DEFAULT_MAX_BYTES
from .spark.output import DATASETS


@click.group()
def spark() -> None:
    """Run quotetrail on Apache Spark, for archives one machine cannot finish (needs quotetrail[spark] and Java)."""


@spark.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT... OUTPUT")
@click.option(
    "--master", help="Spark master URL (local[2], yarn, k8s://...); default: what spark-submit gives, else local[*]."
)
@click.option("--partitions", type=click.IntRange(min=1), help="Tasks to split the inputs into (default: 4 per core).")
@click.option(
    "--max-bytes", type=int, default=DEFAULT_MAX_BYTES, show_default=True, help="Largest single file accepted."
)
@click.option(
    "--time-budget",
    type=click.FloatRange(min=0),
    default=DEFAULT_TIME_BUDGET,
    show_default=True,
    help="Seconds one article may take to extract before it is recorded as an error (0: no limit).",
)
@click.option("--overwrite", is_flag=True, help="Replace the datasets of an existing OUTPUT.")
@click.option(
    "--claims/--no-claims",
    "group_claims",
    default=True,
    show_default=True,
    help="Also group the quotations into claims (claims/, embeddings/ and the claim_id column).",
)
@click.option(
    "--embeddings-from",
    help="An earlier OUTPUT/embeddings dataset: texts embedded there are not embedded again.",
)
@click.pass_context
def extract(
    ctx: click.Context,
    inputs: tuple[str, ...],
    master: str | None,
    partitions: int | None,
    max_bytes: int,
    time_budget: float,
    overwrite: bool,
    group_claims: bool,
    embeddings_from: str | None,
) -> None:
    """Extract every article under INPUT (folders, files, globs, Parquet) into Parquet datasets in OUTPUT.

    OUTPUT gets articles/, quotations/ (the export schema) and errors/ (one row per input that failed;
    the job goes on with the rest), and with --claims claims/ and embeddings/; `quotetrail load OUTPUT`
    puts them into a database. Exit status as `ingest`: 0 all stored, 3 some inputs failed, 1 nothing stored.
    """
    from .spark.claims import ClaimOptions
    from .spark.job import ExtractOptions, SparkUnavailable, run_extract, spark_session
    from .spark.worker import Settings

    if len(inputs) < 2:
        raise click.UsageError("give at least one INPUT and the OUTPUT folder")
    *sources, output = inputs
    if not overwrite and any((Path(output) / name).exists() for name in DATASETS):
        raise click.ClickException(f"{output} already holds a result: give --overwrite to replace it")
    options = ExtractOptions(
        partitions=partitions,
        settings=Settings(max_bytes=max_bytes, time_budget=time_budget or None),
        overwrite=overwrite,
        claims=ClaimOptions(embeddings_from=embeddings_from) if group_claims else None,
    )
    try:
        session = spark_session(master, "quotetrail extract")
    except SparkUnavailable as err:
        raise click.ClickException(str(err)) from err
    try:
        summary = run_extract(session, sources, output, options)
    except Exception as err:
        if type(err).__name__ == "AnalysisException" and "already exists" in str(err):
            raise click.ClickException(f"{output} already holds a result: give --overwrite to replace it") from err
        raise
    finally:
        session.stop()
    click.echo(summary.line())
    ctx.exit(summary.exit_code)


COMMANDS: list[click.Command] = [spark]
