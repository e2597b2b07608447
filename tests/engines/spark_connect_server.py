"""A Spark Connect server for the tests (``tests/engines/test_spark_connect.py``): run as
``python spark_connect_server.py PORT WORK_DIR PARQUET...``.

A local Spark session (``local[2]``) with the Spark Connect plugin listening on
127.0.0.1:PORT (the connect jar ships with pyspark 4), warehouse and Derby home under WORK_DIR.
Each Parquet file becomes the managed table ``book.<file stem>``. Prints ``READY`` when the
tables are written, then serves until its standard input closes, and stops the session.
"""
from __future__ import annotations

import sys
from pathlib import Path


def main(port: str, work: str, files: list[str]) -> None:
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("memberdesk-connect-tests")
             .config("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin")
             .config("spark.connect.grpc.binding.address", "127.0.0.1")
             .config("spark.connect.grpc.binding.port", port)
             .config("spark.ui.enabled", "false")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.shuffle.partitions", "4")
             .config("spark.sql.warehouse.dir", str(Path(work) / "warehouse"))
             .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={Path(work) / 'derby'}")
             .getOrCreate())
    try:
        spark.sql("CREATE DATABASE IF NOT EXISTS book")
        for f in files:
            spark.read.parquet(f).write.mode("overwrite").saveAsTable(f"book.{Path(f).stem}")
        print("READY", flush=True)
        sys.stdin.read()  # until the test closes the pipe
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
