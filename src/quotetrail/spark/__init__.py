"""quotetrail on Apache Spark: archives too large for one machine (issue 18).

``job.run_extract`` is ``ingest`` + ``export`` as one Spark job: the same
readers and the same fault-isolated ``pipeline.try_extract`` run in the
executors, and the output is Parquet (``articles/``, ``quotations/`` with
the export schema, ``errors/``) that ``quotetrail load`` reads.  PySpark is
an optional dependency (``pip install 'quotetrail[spark]'``); nothing here
imports it until a job starts.  See docs/spark.md.
"""

from .rows import ARTICLE_FIELDS, ERROR_FIELDS, QUOTATION_FIELDS, extraction_to_rows

__all__ = ["ARTICLE_FIELDS", "ERROR_FIELDS", "QUOTATION_FIELDS", "extraction_to_rows"]
