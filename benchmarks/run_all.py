"""Run every benchmark script in this folder, one process each, and print their output.

Usage: ``python benchmarks/run_all.py [name-substring]``. Benchmarks generate their data in
memory or a temp folder; nothing is written to the repository.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    pattern = sys.argv[1] if len(sys.argv) > 1 else ""
    failed = 0
    for script in sorted(here.glob("bench_*.py")):
        if pattern not in script.name:
            continue
        print(f"=== {script.name}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)])
        print(f"=== {script.name}: exit {rc}, {time.perf_counter() - t0:.1f} s wall\n", flush=True)
        failed += rc != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
