"""``quotetrail spark extract``: the archive-scale ingest as one Spark job.

The job is: list the inputs on the driver (``inputs.plan_inputs``), read and
extract in the executors (``worker``: ``pipeline.try_extract`` per article,
models loaded once per worker process), keep the first copy of an article
found twice (by content id, in input order, as ``ingest`` keeps it), and
write three Parquet datasets:

- ``articles/``: one row per article stored (``rows.ARTICLE_FIELDS``), in input order;
- ``quotations/``: the export schema exactly (``model.EXPORT_FIELDS``, as
  ``ledgerfile`` writes it), in the export's date order;
- ``errors/``: one row per input that failed (``rows.ERROR_FIELDS``): a file,
  a line or an article; the job goes on with the rest.

The extraction results are kept (memory and disk) between the three writes,
so every article is extracted once.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from .claims import ClaimOptions, ClaimsSummary
from .inputs import InputPlan, plan_inputs, shown_path
from .rows import ARTICLE_FIELDS, ERROR_FIELDS, QUOTATION_FIELDS
from .worker import Counters, Settings, extract_files, extract_rows

#: Settings every quotetrail Spark session gets (a cluster's own spark-defaults still apply to the rest).
SESSION_CONF: dict[str, str] = {
    "spark.python.worker.reuse": "true",  # one Python process serves many tasks: models load once per process
    "spark.sql.parquet.compression.codec": "zstd",  # as `quotetrail export` writes Parquet
    "spark.sql.session.timeZone": "UTC",
}


class SparkUnavailable(RuntimeError):
    """PySpark or Java is missing: the message says what to install."""


def check_spark() -> None:
    """Raise ``SparkUnavailable`` unless PySpark can be imported and a Java runtime found."""
    try:
        import pyspark  # noqa: F401
    except ImportError as err:
        raise SparkUnavailable("PySpark is not installed: pip install 'quotetrail[spark]'") from err
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))):
        raise SparkUnavailable("no Java runtime found (Spark 4 needs Java 17 or 21): install one or set JAVA_HOME")


def spark_session(master: str | None = None, app_name: str = "quotetrail", conf: dict[str, str] | None = None) -> Any:
    """A SparkSession with quotetrail's settings; ``master`` None leaves it to spark-submit (or local[*]).

    On a local master started from here the Python workers are this very
    interpreter, so they import the same quotetrail as the driver; under
    spark-submit, ``spark.pyspark.python`` says which Python the executors run.
    """
    check_spark()
    from pyspark.sql import SparkSession

    settings = dict(SESSION_CONF)
    # --tagger and --models: executors on other machines extract the same way (the models folder must be
    # at the same path there, as the inputs are)
    for variable in ("QUOTETRAIL_QUOTATIONS", "QUOTETRAIL_MODELS"):
        if os.environ.get(variable):
            settings[f"spark.executorEnv.{variable}"] = os.environ[variable]
    launched_here = "PYSPARK_GATEWAY_PORT" not in os.environ  # not under spark-submit: this process starts Spark
    if (master or "local").startswith("local") and launched_here:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if master and master.startswith("local"):  # one machine: the driver talks to itself over loopback only
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        settings |= {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    for key, value in {**settings, **(conf or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _struct(names: tuple[str, ...]) -> Any:
    """Text columns, but for the types the export's Parquet schema gives (``ledgerfile._parquet_schema``)."""
    import pyarrow as pa
    from pyspark.sql import types as T

    from ..ledgerfile import _parquet_schema

    exported = {f.name: f.type for f in _parquet_schema()}
    kinds = {
        pa.int64(): T.LongType(),
        pa.float64(): T.DoubleType(),
        pa.string(): T.StringType(),
        pa.bool_(): T.BooleanType(),
    }
    return T.StructType([T.StructField(n, kinds.get(exported.get(n), T.StringType()), True) for n in names])


def record_schema() -> Any:
    """The schema of the worker's records (``worker.Record``)."""
    from pyspark.sql import types as T

    return T.StructType(
        [
            T.StructField("file_no", T.LongType(), False),
            T.StructField("item_no", T.LongType(), False),
            T.StructField("article", _struct(ARTICLE_FIELDS), True),
            T.StructField("quotations", T.ArrayType(_struct(QUOTATION_FIELDS), False), False),
            T.StructField("error", _struct(ERROR_FIELDS), True),
        ]
    )


@dataclass
class ExtractSummary:
    """What a Spark extract did, with the proof that models loaded once per worker process."""

    files: int = 0
    articles: int = 0
    duplicates: int = 0
    quotations: int = 0
    not_german: int = 0  # articles stored without extraction: their language is not German
    errors: int = 0
    partitions: int = 0
    model_loadings: int = 0
    worker_pids: set[int] = field(default_factory=set)
    seconds: float = 0.0
    extract_seconds: float = 0.0  # listing, reading and extraction, before the writes
    claims: ClaimsSummary | None = None

    def line(self) -> str:
        return (
            f"{self.files} files read: {self.articles} articles ({self.duplicates} repeated copies left out); "
            f"{self.quotations} quotations; {self.errors} errors; "
            + (f"{self.not_german} not in German, stored unanalysed; " if self.not_german else "")
            + f"{self.partitions} partitions, "
            f"models loaded {self.model_loadings} times in {len(self.worker_pids)} worker processes; "
            f"{self.seconds:.1f} s"
        ) + (f"\n{self.claims.line()}" if self.claims else "")

    @property
    def exit_code(self) -> int:
        """As ``ingest``: 0 all stored, 3 some inputs failed, 1 nothing stored."""
        if self.articles == 0:
            return 1
        return 3 if self.errors else 0


@dataclass(frozen=True)
class ExtractOptions:
    """The options of one Spark extract."""

    partitions: int | None = None  # default: 4 tasks per core of the cluster
    settings: Settings = field(default_factory=Settings)
    overwrite: bool = False
    claims: ClaimOptions | None = None  # group claims too (claims/, embeddings/, claim_id filled)


def _counters(sc: Any) -> Counters:
    from pyspark.accumulators import AccumulatorParam

    class PidSet(AccumulatorParam):  # the distinct pids of the Python workers that ran tasks
        def zero(self, value: set[int]) -> set[int]:
            return set()

        def addInPlace(self, value1: set[int], value2: set[int]) -> set[int]:
            value1 |= value2
            return value1

    return Counters(loadings=sc.accumulator(0), pids=sc.accumulator(set(), PidSet()))


def _remote_parquet(spark: Any, plan: InputPlan) -> list[tuple[int, str]]:
    """Files of the Parquet URIs as Spark lists them, numbered after the local inputs; bad URIs become problems."""
    from ..model import Problem

    found: list[str] = []
    for uri in plan.remote_parquet:
        try:
            found += sorted(spark.read.parquet(uri).inputFiles())
        except Exception as err:  # Spark's AnalysisException and friends: the URI is reported, the job goes on
            plan.problems.append((plan.size, Problem(uri, "read", f"not readable as Parquet ({err})"[:500])))
    start = plan.size
    return [(start + i, uri) for i, uri in enumerate(found)]


def _records(spark: Any, plan: InputPlan, options: ExtractOptions, counters: Counters) -> Any:
    """Every output record as one DataFrame: the files', the Parquet rows' and the listing's problems."""
    sc = spark.sparkContext
    partitions = options.partitions or max(1, 4 * sc.defaultParallelism)
    # the dedup window and the sorts shuffle: as many tasks as for extraction, not Spark's fixed 200
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    schema = record_schema()
    parts: list[Any] = []
    if plan.files:
        files = sc.parallelize(plan.files, min(partitions, len(plan.files)))
        parts.append(files.mapPartitions(partial(extract_files, settings=options.settings, counters=counters)))
    tables = [("file://" + os.path.abspath(path), n) for n, path in plan.parquet]
    tables += [(uri, n) for n, uri in _remote_parquet(spark, plan)]
    if tables:
        reader = spark.read.option("mergeSchema", "true")  # archives written at different times gain columns
        df = reader.parquet(*[uri for uri, _ in tables]).select("*", "_metadata.file_path", "_metadata.row_index")
        df = df.withColumnRenamed("file_path", "_file").withColumnRenamed("row_index", "_row").repartition(partitions)
        ordinals = {shown_path(uri): n for uri, n in tables}
        parts.append(
            df.rdd.mapPartitions(partial(extract_rows, ordinals=ordinals, settings=options.settings, counters=counters))
        )
    listed = [(n, 0, None, [], (p.path, p.stage, p.reason, p.error, p.fingerprint)) for n, p in plan.problems]
    records = spark.createDataFrame(listed, schema)
    for rdd in parts:
        records = records.unionByName(spark.createDataFrame(rdd, schema))
    return records


@dataclass(frozen=True)
class Written:
    """What ``_write`` wrote: articles kept (those not in German among them), quotations, errors, claims."""

    articles: int
    quotations: int
    not_german: int
    errors: int
    claims: ClaimsSummary | None


def _write(spark: Any, records: Any, output: str, mode: str, claims: ClaimOptions | None) -> Written:
    """Write the datasets and count what they hold."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    first = Window.partitionBy("article.id").orderBy("file_no", "item_no")
    kept = (
        records.where(F.col("article").isNotNull())
        .withColumn("_copy", F.row_number().over(first))
        .where(F.col("_copy") == 1)
        .drop("_copy")
        .persist()
    )
    articles = kept.orderBy("file_no", "item_no").select("article.*")
    articles.write.mode(mode).parquet(f"{output}/articles")
    quotations = kept.select(F.explode("quotations").alias("q")).select("q.*")
    grouped = None
    if claims is not None:
        from .claims import group_claims

        quotations, found, vectors, grouped = group_claims(spark, quotations, claims)
        found.write.mode(mode).parquet(f"{output}/claims")
        vectors.write.mode(mode).parquet(f"{output}/embeddings")
    order = [F.coalesce(F.col("said_on"), F.lit("~")), "article_id", "start", "quotation_id"]
    quotations.select(*QUOTATION_FIELDS).orderBy(*order).write.mode(mode).parquet(f"{output}/quotations")
    errors = records.where(F.col("error").isNotNull()).orderBy("file_no", "item_no").select("error.*")
    errors.write.mode(mode).parquet(f"{output}/errors")
    language = F.col("article.language")
    not_german = F.when(language.isNotNull() & (language != "de"), 1).otherwise(0)
    counts = kept.agg(F.count("*"), F.sum(F.size("quotations")), F.sum(not_german)).first()
    n_errors = records.where(F.col("error").isNotNull()).count()
    kept.unpersist()
    return Written(int(counts[0]), int(counts[1] or 0), int(counts[2] or 0), n_errors, grouped)


def run_extract(spark: Any, inputs: list[str], output: str, options: ExtractOptions | None = None) -> ExtractSummary:
    """Extract every article under ``inputs`` into the three datasets under ``output``."""
    from pyspark import StorageLevel

    options = options or ExtractOptions()
    started = time.perf_counter()
    plan = plan_inputs(inputs)
    counters = _counters(spark.sparkContext)
    records = _records(spark, plan, options, counters).persist(StorageLevel.MEMORY_AND_DISK)
    partitions = records.rdd.getNumPartitions()
    try:
        read = records.where("article IS NOT NULL").count()
        extracted = time.perf_counter()
        mode = "overwrite" if options.overwrite else "error"
        written = _write(spark, records, output, mode, options.claims)
    finally:
        records.unpersist()
    return ExtractSummary(
        files=len(plan.files) + len(plan.parquet) + len(plan.remote_parquet),
        articles=written.articles,
        duplicates=read - written.articles,
        quotations=written.quotations,
        not_german=written.not_german,
        errors=written.errors,
        partitions=partitions,
        model_loadings=counters.loadings.value,
        worker_pids=set(counters.pids.value),
        seconds=time.perf_counter() - started,
        extract_seconds=extracted - started,
        claims=written.claims,
    )


__all__ = [
    "SESSION_CONF",
    "ExtractOptions",
    "ExtractSummary",
    "SparkUnavailable",
    "check_spark",
    "record_schema",
    "run_extract",
    "spark_session",
]
