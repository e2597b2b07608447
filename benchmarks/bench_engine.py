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


class Failed(Exception):
    """A ``memberdesk`` process exited with a non-zero status: the message names the status,
    time, peak RSS and its stderr's last line; ``stderr`` holds all of it."""

    def __init__(self, message: str, stderr: str) -> None:
        super().__init__(message)
        self.stderr = stderr


def run(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (GB) of ``memberdesk ARGS`` in a
    fresh process (its own and its waited-for children's resource usage, from wait4: the CPU
    time says how much work was done when other jobs share the machine and stretch the wall
    time). Raises :class:`Failed` when the process fails."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "memberdesk.cli", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        last = (err.strip().splitlines() or [""])[-1]
        raise Failed(f"exit {proc.returncode} after {wall:.0f} s, "
                     f"{usage.ru_maxrss / 1024 / 1024:.2f} GB: {last}", err)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024 / 1024


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
    try:
        load = "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "load average unknown"
    print(f"machine: {os.cpu_count()} CPUs, {load} before the runs")
    try:
        runs = [run(["km", data, "--by", "channel", "--json"]) for _ in range(a.repeats)]
    except Failed as exc:
        raise SystemExit(f"memberdesk km {data} --by channel --json failed: {exc.stderr}") from exc
    label = f"km --by channel --json, {a.rows:,} policies ({a.kind})"
    for i, (wall, cpu, rss) in enumerate(runs, start=1):
        print(f"  run {i}: {wall:.2f} s wall, {cpu:.2f} s CPU, peak RSS {rss:.2f} GB")
    first = runs[0]
    best = min(runs)
    print(f"{label}: first run {first[0]:.2f} s ({first[1]:.2f} s CPU, {first[2]:.2f} GB); "
          f"best of {a.repeats} {best[0]:.2f} s ({best[1]:.2f} s CPU); "
          f"peak RSS {max(r[2] for r in runs):.2f} GB (largest run)")


if __name__ == "__main__":
    main()
