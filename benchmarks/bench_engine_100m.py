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

Two books are measured (``--books raw,imported``, default both): the generated book itself
(*raw*: every process validates it on opening) and the book ``memberdesk import
duckdb://RAW -o IMPORTED`` writes from it (*imported*: the validation stored in the book is
used, no validation scan; docs/engines.md, "Trusted books"). The import is timed once, as a
fresh process, when the imported book is missing or was written under other rules; its line
reads ``  import (engine): W s (cpu C s), R GB``. Each book's results are printed as a table of
its own under a line naming the book.

Usage: ``python benchmarks/bench_engine_100m.py 10000000 [--dir DIR] [--only km,kpis]
[--books raw,imported]``.
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


def imported_book(raw: str, folder: Path, n: int) -> tuple[str, tuple[float, float, float] | None]:
    """The book ``memberdesk import`` writes from ``raw`` (DIR/book100m_N_imported.duckdb),
    imported again when missing or stale (other rules: it would be validated on opening);
    returns its URL and the import's (wall, cpu, peak RSS GB), None when reused."""
    path = folder / f"book100m_{n}_imported.duckdb"
    if path.exists() and trusted(path) == "":
        return f"duckdb://{path}", None
    path.unlink(missing_ok=True)
    measured = run(["import", raw, "-o", str(path)])
    why = trusted(path)
    if why:
        print(f"  warning: the imported book is not trusted ({why}): the analyses validate it",
              flush=True)
    return f"duckdb://{path}", measured


def trusted(path: Path) -> str:
    """'' when opening ``path`` uses its stored validation, else why not (the report's line)."""
    import duckdb

    sys.path.insert(0, str(ROOT))
    from memberdesk.core.engine.book import BOOK_TABLE, open_book, rules_version

    con = duckdb.connect(str(path), read_only=True)
    try:  # other rules: opening would validate the whole book here, so say it first
        stored = {r for (r,) in con.execute(f"SELECT DISTINCT rules FROM {BOOK_TABLE}").fetchall()}
    except duckdb.Error as exc:
        return f"no stored validation ({exc})"
    finally:
        con.close()
    if stored != {rules_version()}:
        return "written under other validation rules"
    ds = open_book(f"duckdb://{path}")
    try:
        if ds.book is not None and ds.book.trusted:
            return ""
        return "; ".join(str(m) for m in ds.report.messages) or "no stored validation"
    finally:
        if ds.book is not None:
            ds.book.close()


def measure(data: str, only: set[str]) -> list[tuple[str, float, float, float, float]]:
    """Each case (``only``: a subset) as fresh processes on ``data``; prints a line per case."""
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
    return results


def table(rows: int, book: str, results: list[tuple[str, float, float, float, float]]) -> None:
    print()
    print(f"{rows:,} policies, DuckDB book ({book}), fresh processes "
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


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("rows", type=int, help="policies in the book")
    parser.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "memberdesk-bench"))
    parser.add_argument("--only", default="", help="comma-separated cases: km,persistency,kpis,"
                                                   "experience (default: all)")
    parser.add_argument("--books", default="raw,imported",
                        help="comma-separated: raw (the generated book), imported (written from "
                             "it by memberdesk import; default: both)")
    a = parser.parse_args()
    only = {c.strip() for c in a.only.split(",") if c.strip()}
    books = [b.strip() for b in a.books.split(",") if b.strip()]
    if any(b not in ("raw", "imported") for b in books):
        parser.error("--books takes raw and/or imported")
    t0 = time.perf_counter()
    data = generate(a.rows, Path(a.dir))
    print(f"data: {data} ({time.perf_counter() - t0:.1f} s to generate or find)", flush=True)
    tables = []
    for book in books:
        url = data
        if book == "imported":
            try:
                url, measured = imported_book(data, Path(a.dir), a.rows)
            except Failed as exc:
                print(f"  import (engine): FAILED ({exc})", flush=True)
                continue
            if measured is None:
                print(f"  import (engine): reused {url}", flush=True)
            else:
                w, c, r = measured
                print(f"  import (engine): {w:.1f} s (cpu {c:.1f} s), {r:.2f} GB", flush=True)
        print(f"book: {book} {url}", flush=True)
        tables.append((book, measure(url, only)))
    for book, results in tables:
        table(a.rows, book, results)


if __name__ == "__main__":
    main()
