"""A DuckDB book of N policies (issue #13 targets at 100M) generated inside DuckDB, analysed by
fresh ``memberdesk`` processes; wall time and peak RSS of each process (and its children).

Analyses and targets at 100M policies (2 GB peak RSS each):

=========================================  =======
KM by channel + log-rank (``km --by``)       20 s
13- and 25-month persistency                30 s  (two processes; time summed, RSS the larger)
all cockpit KPIs (``kpis``)                  60 s
experience study by policy year             60 s
=========================================  =======

The policies come from :mod:`bench_engine`'s generator SQL (the same book as its ``duckdb``
case); members (one per two policies: birth date, gender, region, tier) are added so the member
attributes and the KPIs that use them have data. The book is written once per size in DIR and
reused.

Usage: ``python benchmarks/bench_engine_100m.py 10000000 [--dir DIR] [--only km,kpis]``.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import FINAL_SQL, POLICIES_SQL, Failed, run  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

MEMBERS_SQL = """
SELECT 'M' || lpad(i::VARCHAR, 10, '0') AS member_id,
       DATE '1950-01-01' + (hash(i * 23) % 18000)::INT AS birth_date,
       (['F', 'M'])[1 + (hash(i * 29) % 2)::INT] AS gender,
       (['north', 'south', 'east', 'west', 'central'])[1 + (hash(i * 31) % 5)::INT] AS region,
       (['basic', 'silver', 'gold'])[1 + (hash(i * 37) % 3)::INT] AS tier
FROM range({n}) t(i)
"""

# (name, target seconds, list of argument lists: one fresh process each)
CASES: list[tuple[str, float, list[list[str]]]] = [
    ("km", 20.0, [["km", "{data}", "--by", "channel", "--json"]]),
    ("persistency", 30.0, [["persistency", "{data}", "--month", "13", "--json"],
                           ["persistency", "{data}", "--month", "25", "--json"]]),
    ("kpis", 60.0, [["kpis", "{data}", "--json"]]),
    ("experience", 60.0, [["experience", "{data}", "--basis", "policy_year", "--json"]]),
]
LABELS = {"km": "KM by channel + log-rank", "persistency": "13/25-month persistency",
          "kpis": "all cockpit KPIs", "experience": "experience study by policy year"}
TARGET_RSS_GB = 2.0


def generate(n: int, folder: Path) -> str:
    """The DuckDB book of ``n`` policies and ``ceil(n/2)`` members (written once, reused)."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"book100m_{n}.duckdb"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        con = duckdb.connect(str(tmp))
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"CREATE TABLE policies AS {FINAL_SQL.format(inner=POLICIES_SQL.format(n=n))}")
        con.execute(f"CREATE TABLE members AS {MEMBERS_SQL.format(n=(n + 1) // 2)}")
        con.close()
        tmp.rename(path)
    return f"duckdb://{path}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("rows", type=int, help="policies in the book")
    parser.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "memberdesk-bench"))
    parser.add_argument("--only", default="", help="comma-separated cases: km,persistency,kpis,"
                                                   "experience (default: all)")
    a = parser.parse_args()
    only = {c.strip() for c in a.only.split(",") if c.strip()}
    t0 = time.perf_counter()
    data = generate(a.rows, Path(a.dir))
    print(f"data: {data} ({time.perf_counter() - t0:.1f} s to generate or find)", flush=True)
    results = []
    for name, target, commands in CASES:
        if only and name not in only:
            continue
        wall, cpu, rss = 0.0, 0.0, 0.0
        try:
            for command in commands:
                w, c, r = run([part.format(data=data) for part in command])
                wall, cpu, rss = wall + w, cpu + c, max(rss, r)
        except Failed as exc:  # reported in the table; the other cases still run
            print(f"  {LABELS[name]}: FAILED ({exc})", flush=True)
            results.append((name, target, float("nan"), float("nan"), float("nan")))
            continue
        results.append((name, target, wall, cpu, rss))
        print(f"  {LABELS[name]}: {wall:.1f} s (cpu {cpu:.1f} s), {rss:.2f} GB", flush=True)
    print()
    print(f"{a.rows:,} policies, DuckDB book, fresh processes "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"| {'analysis':<32} | {'time':>8} | {'cpu':>8} | {'peak RSS':>8} | "
          f"{'target at 100M':<15} |")
    print(f"|{'-' * 34}|{'-' * 10}|{'-' * 10}|{'-' * 10}|{'-' * 17}|")
    for name, target, wall, cpu, rss in results:
        goal = f"{target:.0f} s, {TARGET_RSS_GB:.0f} GB"
        if wall != wall:  # failed: see the line printed above
            print(f"| {LABELS[name]:<32} | {'failed':>8} | {'':>8} | {'':>8} | {goal:<15} |")
            continue
        print(f"| {LABELS[name]:<32} | {wall:>6.1f} s | {cpu:>6.1f} s | {rss:>5.2f} GB | {goal:<15} |")

if __name__ == "__main__":
    main()
