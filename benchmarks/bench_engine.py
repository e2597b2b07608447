"""Engine books at scale (issue #13): books generated inside DuckDB, analyses run as fresh
``memberdesk`` processes, wall time and peak RSS (of the process and its children) measured.

* ``parquet N``: a policies table of N rows written as one Parquet file, then
  ``memberdesk km FILE.parquet --by channel --json`` (target at 10M: <= 3 s, <= 0.6 GB).
* ``duckdb N``: a DuckDB book of N policies, then ``memberdesk km duckdb://BOOK --by channel``
  (KM + log-rank; target at 100M: <= 20 s, <= 2 GB).

Usage: ``python benchmarks/bench_engine.py parquet 10000000 [--dir DIR]``;
``python benchmarks/bench_engine.py duckdb 100000000 [--dir DIR]``. The data is generated once
per size in DIR (default: a temp folder) and reused.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

POLICIES_SQL = """
SELECT 'P' || lpad(i::VARCHAR, 10, '0') AS policy_id,
       'M' || lpad((i // 2)::VARCHAR, 10, '0') AS member_id,
       (['agency', 'broker', 'online', 'bancassurance', 'partner platform'])[1 + (hash(i) % 5)::INT] AS channel,
       (['term', 'whole life', 'annuity', 'health'])[1 + (hash(i + 1) % 4)::INT] AS product,
       DATE '2015-01-01' + (hash(i * 7) % 4000)::INT AS issue_date,
       (hash(i * 13) % 6000)::INT AS life_days,
       (['lapsed', 'surrendered', 'death', 'matured'])[1 + (hash(i * 17) % 4)::INT] AS exit_kind,
       round(500 + (hash(i * 19) % 100000) / 10.0, 2) AS annual_premium
FROM range({n}) t(i)
"""
FINAL_SQL = """
SELECT policy_id, member_id, channel, product, issue_date,
       CASE WHEN issue_date + life_days <= DATE '2026-06-30' THEN issue_date + life_days END AS end_date,
       CASE WHEN issue_date + life_days <= DATE '2026-06-30' THEN exit_kind ELSE 'in_force' END AS status,
       annual_premium
FROM ({inner})
"""


def generate(kind: str, n: int, folder: Path) -> str:
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    sql = FINAL_SQL.format(inner=POLICIES_SQL.format(n=n))
    if kind == "parquet":
        path = folder / f"policies_{n}.parquet"
        if not path.exists():
            con = duckdb.connect()
            con.execute(f"COPY ({sql}) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)")
            con.close()
        return str(path)
    path = folder / f"book_{n}.duckdb"
    if not path.exists():
        con = duckdb.connect(str(path))
        con.execute(f"CREATE TABLE policies AS {sql}")
        con.close()
    return f"duckdb://{path}"


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (GB) of ``memberdesk ARGS`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "memberdesk.cli", *args], cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"memberdesk {' '.join(args)} failed: {proc.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("parquet", "duckdb"))
    parser.add_argument("rows", type=int)
    parser.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "memberdesk-bench"))
    parser.add_argument("--repeats", type=int, default=3)
    a = parser.parse_args()
    t0 = time.perf_counter()
    data = generate(a.kind, a.rows, Path(a.dir))
    print(f"data: {data} ({time.perf_counter() - t0:.1f} s to generate or find)")
    best = min(run(["km", data, "--by", "channel", "--json"]) for _ in range(a.repeats))
    print(f"km --by channel --json, {a.rows:,} policies ({a.kind}): {best[0]:.2f} s, "
          f"peak RSS {best[1]:.2f} GB (best of {a.repeats}; RSS is the largest of all runs)")


if __name__ == "__main__":
    main()
