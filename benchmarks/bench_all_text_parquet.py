"""Time commands on an all-text Parquet folder against the typed folder of the same book (#13).

Run: ``python benchmarks/bench_all_text_parquet.py [--members N] [--out DIR]
[--commands km,kpis,persistency,alerts]``. Writes the sample book (``memberdesk sample``, N
members: 146,000 give ~200k policies) as CSV, then two Parquet folders of the same tables (the
premium payments left out: 2.3M rows at that size): ``typed`` (DuckDB's CSV typing: dates as
DATE, numbers as DOUBLE/BIGINT) and ``text`` (every column VARCHAR, as many warehouses export).
Each command runs as its own process (``memberdesk CMD FOLDER --json``); prints wall time, CPU
time of the child and its peak RSS per command and folder, and whether the two JSON outputs are
equal byte for byte (persistency's premium sums may differ in the last digits: DuckDB's
summation order). Figures: docs/engines.md, "All-text Parquet".
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

MEMBERDESK = str(Path(sys.executable).with_name("memberdesk"))  # the venv's console script

TABLES = ("members", "policies", "benefit_usage", "service_contacts", "claims")
ARGS = {"km": ["--by", "channel"]}


def write_folders(members: int, out: Path) -> dict[str, Path]:
    csv = out / "csv"
    if not (csv / "policies.csv").exists():
        subprocess.run([MEMBERDESK, "sample", "-o", str(csv), "--members",
                        str(members), "--no-excel", "-q"], check=True)
    folders = {"typed": out / "typed", "text": out / "text"}
    con = duckdb.connect()
    for kind, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True)
        text = ", all_varchar=true" if kind == "text" else ""
        for t in TABLES:
            con.execute(f"COPY (SELECT * FROM read_csv('{csv / (t + '.csv')}', header=true{text})) "
                        f"TO '{folder / (t + '.parquet')}' (FORMAT parquet)")
    con.close()
    return folders


def run(command: str, folder: Path, out: Path) -> tuple[float, float, float, bytes]:
    """(wall s, CPU s, peak RSS GB, stdout) of one command in its own process."""
    target = out / f"{command}.{folder.name}.json"
    start = time.perf_counter()
    with target.open("wb") as sink:
        proc = subprocess.Popen([MEMBERDESK, command, str(folder), *ARGS.get(command, []),
                                 "--json"], stdout=sink, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{command} {folder}: exit status {status}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024 ** 2, target.read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=146_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_all_text_parquet"))
    parser.add_argument("--commands", default="km,kpis,persistency,alerts")
    a = parser.parse_args()
    folders = write_folders(a.members, a.out)
    print(f"load average {os.getloadavg()[0]:.1f}; {a.members:,} members")
    for command in a.commands.split(","):
        outputs = {}
        for kind in ("typed", "text"):
            wall, cpu, rss, outputs[kind] = run(command, folders[kind], a.out)
            print(f"{command:12s} {kind:5s} wall {wall:7.1f} s  CPU {cpu:7.1f} s  "
                  f"peak RSS {rss:.2f} GB")
        print(f"{command:12s} outputs equal: {outputs['typed'] == outputs['text']}")


if __name__ == "__main__":
    main()
