"""Cancel really cancels the engine's query (issue #13, point 6): DuckDB interrupt,
PostgreSQL cancel request, Spark job-group cancel — each checked on a query that would run
for minutes, stopped well before."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from memberdesk.core.engine.connection import connect
from memberdesk.core.engine.urls import parse
from memberdesk.core.errors import Cancelled

# py4j (Spark's bridge to the JVM) leaves its gateway sockets to the garbage collector
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

LONG = {  # queries of several minutes at least on this machine
    "duckdb": "SELECT count(*) FROM range(100000) a, range(1000000) b WHERE a.range + b.range < 0",
    "postgres": "SELECT pg_sleep(600)",
    "spark": "SELECT count(*) FROM range(100000) a CROSS JOIN range(10000000) b WHERE a.id + b.id < 0",
}


def _cancel_after(conn, seconds: float) -> float:  # type: ignore[no-untyped-def]
    timer = threading.Timer(seconds, conn.cancel)
    timer.start()
    t0 = time.perf_counter()
    with pytest.raises(Cancelled):
        conn.arrow(LONG[conn.engine])
    timer.join()
    return time.perf_counter() - t0


def test_duckdb_query_interrupted(tmp_path: Path) -> None:
    conn = connect(parse(_empty_duckdb(tmp_path)))
    assert _cancel_after(conn, 1.0) < 30
    assert conn.arrow("SELECT 41 + 1 AS x").column(0).to_pylist() == [42]  # still usable
    conn.close()


def _empty_duckdb(tmp_path: Path) -> str:
    import duckdb

    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    return f"duckdb://{path}"


def test_postgres_query_cancelled(postgres) -> None:  # type: ignore[no-untyped-def]
    conn = connect(parse(postgres.url))
    assert _cancel_after(conn, 1.0) < 30
    assert conn.arrow("SELECT 41 + 1 AS x").column(0).to_pylist() == [42]
    conn.close()


def test_spark_job_group_cancelled(spark) -> None:  # type: ignore[no-untyped-def]
    conn = connect(parse("spark:local[2]"))
    assert _cancel_after(conn, 5.0) < 60
    assert conn.arrow("SELECT 41 + 1 AS x").column(0).to_pylist() == [42]
