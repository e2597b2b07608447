"""Time the sample-book generator at scale: generation in memory, CSV writing, the workbook.

Usage: ``python benchmarks/bench_sample.py [members ...]`` (default 5,000 50,000 200,000).
Writes into a temporary folder (deleted afterwards); prints seconds, rows and peak memory.
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from memberdesk.core import schema
from memberdesk.sample import generate_book
from memberdesk.sample.writers import write_csv, write_gb18030_policies, write_workbook


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(members: int, with_workbook: bool) -> None:
    t0 = time.perf_counter()
    book = generate_book(members=members, seed=0)
    t_gen = time.perf_counter() - t0
    rows = {name: len(frame) for name, frame in book.items()}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t0 = time.perf_counter()
        for name in schema.TABLES:
            write_csv(book[name], out / f"{name}.csv")
        write_gb18030_policies(book[schema.POLICIES], out / "policies_zh.csv")
        t_csv = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in out.iterdir())
        t_xlsx = float("nan")
        if with_workbook:
            t0 = time.perf_counter()
            write_workbook(book, out / "book.xlsx")
            t_xlsx = time.perf_counter() - t0
    print(f"{members:>8,} members: generate {t_gen:6.2f} s | CSV {t_csv:6.2f} s ({size / 1e6:.1f} MB)"
          f" | xlsx {t_xlsx:6.2f} s | peak RSS {_peak_mb():,.0f} MB")
    print("          rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))


def main() -> int:
    sizes = [int(a) for a in sys.argv[1:]] or [5_000, 50_000, 200_000]
    for members in sizes:
        run(members, with_workbook=members <= 50_000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
