"""``python -m quotetrail.spark extract INPUT... OUTPUT``: the entry file to give ``spark-submit``.

spark-submit runs a Python file, not a console script; this file (inside the
installed package, or copied out as ``driver.py``) runs ``quotetrail spark``
with the arguments that follow it, on the master spark-submit chose.
"""

from quotetrail.cli_spark import spark

if __name__ == "__main__":
    spark(prog_name="quotetrail spark")
