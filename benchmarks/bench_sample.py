"""Time the sample-book generator at scale.

Two modes:

``python benchmarks/bench_sample.py [members ...]`` (default 5,000 50,000 200,000): in this
process, generation in memory, CSV writing and (up to 50,000 members) the workbook, each timed.

``python benchmarks/bench_sample.py --command MEMBERS [--excel] [--python-path DIR]``: the whole
``memberdesk sample -o TMP --members MEMBERS`` command as a user runs it, in a child process:
wall time, CPU time (user + system) and the child's peak RSS (``wait4``), plus the size of what
it wrote. ``--excel`` passes ``--excel`` (the workbook above 50,000 members); ``--python-path
DIR`` runs the ``memberdesk`` package found in DIR instead (e.g. an older commit unpacked with
``git archive COMMIT memberdesk | tar -x -C DIR``) to measure before/after the same way.
Writes into a temporary folder (deleted afterwards).
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

from memberdesk.core import schema
from memberdesk.sample import generate_book
from memberdesk.sample.writers import write_csv, write_gb18030_policies, write_workbook

_CLI = "import sys; from memberdesk.cli import main; sys.exit(main())"


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


def run_command(members: int, excel: bool, python_path: str | None) -> None:
    """``memberdesk sample`` end to end in a child process: wall, CPU, peak RSS."""
    env = dict(os.environ)
    if python_path:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [python_path, env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "book"
        args = [sys.executable, "-c", _CLI, "sample", "-o", str(out), "--members", str(members)]
        if excel:
            args.append("--excel")
        t0 = time.perf_counter()
        with (Path(tmp) / "stderr.txt").open("w") as err:  # progress lines, kept off the table
            # cwd = the temporary folder: `python -c` puts the cwd first on sys.path, which
            # would otherwise shadow --python-path with the checkout's memberdesk
            proc = subprocess.Popen(args, env=env, cwd=tmp, stdout=subprocess.DEVNULL,
                                    stderr=err)
            _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        files = [p for p in out.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        xlsx = any(p.suffix == ".xlsx" for p in files)
        code = os.waitstatus_to_exitcode(status)
        if code:
            print((Path(tmp) / "stderr.txt").read_text()[-2000:], file=sys.stderr)
    print(f"sample --members {members:,}{' --excel' if excel else ''}"
          f"{f' (code from {python_path})' if python_path else ''}: exit {code} | "
          f"wall {wall:,.1f} s | CPU {usage.ru_utime + usage.ru_stime:,.1f} s | "
          f"peak RSS {usage.ru_maxrss / 1024:,.0f} MB | {len(files)} files, {size / 1e6:,.0f} MB"
          f"{', workbook included' if xlsx else ', no workbook'} | "
          f"load average {os.getloadavg()[0]:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("members", nargs="*", type=int)
    parser.add_argument("--command", type=int, metavar="MEMBERS",
                        help="time the whole `memberdesk sample` command in a child process")
    parser.add_argument("--excel", action="store_true", help="with --command: pass --excel")
    parser.add_argument("--python-path", metavar="DIR",
                        help="with --command: run the memberdesk package found in DIR")
    args = parser.parse_args()
    if args.command:
        run_command(args.command, args.excel, args.python_path)
        return 0
    for members in args.members or [5_000, 50_000, 200_000]:
        run(members, with_workbook=members <= 50_000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
