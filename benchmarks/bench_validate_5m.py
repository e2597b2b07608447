"""Validate a generated 5M-row policies CSV with `memberdesk validate`: time and peak memory.

    python benchmarks/bench_validate_5m.py [--rows 5000000] [--keep]

Target (issue #11, 2-core machine): peak resident memory below 1.5 GB (it was 3.2 GB at
10 s). The CSV (~450 MB) is written in chunks into a temporary folder (deleted afterwards
unless ``--keep``), then validated by the CLI in a child process, so the figure is the
validation's own peak RSS (``getrusage(RUSAGE_CHILDREN).ru_maxrss``), not the generator's.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HEADER = ("policy_id,member_id,product,channel,issue_date,end_date,status,annual_premium,"
          "sum_assured,payment_frequency\n")
CHUNK = 500_000


def write_csv(path: Path, rows: int, seed: int = 0) -> None:
    """``rows`` policies, a few of them bad (about 0.1 %: unreadable dates, negative premiums,
    duplicate ids), written chunk by chunk with pyarrow's CSV writer."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    with path.open("wb") as fh:
        fh.write(HEADER.encode())
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            issue = np.datetime64("2015-01-01") + rng.integers(0, 3000, n)
            ended = rng.random(n) < 0.4
            end = pa.array(issue + rng.integers(10, 600, n)).cast(pa.string())
            end = pc.if_else(pa.array(ended), end, "")
            issue_s = pc.if_else(pa.array(rng.random(n) < 0.001), "2021-02-30",
                                 pa.array(issue).cast(pa.string()))
            premium = pa.array(rng.gamma(2.0, 2000.0, n).round(2)).cast(pa.string())
            premium = pc.if_else(pa.array(rng.random(n) < 0.001), "-5", premium)
            ids = pc.binary_join_element_wise(
                "P", pc.utf8_lpad(pa.array(np.arange(start, start + n)).cast(pa.string()), 9, "0"), "")
            ids = pc.if_else(pa.array(rng.random(n) < 0.0005), "P000000000", ids)
            members = pc.binary_join_element_wise(
                "M", pc.utf8_lpad(pa.array(rng.integers(0, rows, n)).cast(pa.string()), 9, "0"), "")
            table = pa.table({
                "policy_id": ids, "member_id": members,
                "product": pa.array(rng.choice(["Term Life", "Whole Life", "Critical Illness",
                                                "Annuity"], n)),
                "channel": pa.array(rng.choice(["agency", "bancassurance", "online", "broker"], n)),
                "issue_date": issue_s, "end_date": end,
                "status": pa.array(np.where(ended, rng.choice(["lapsed", "surrendered", "death"], n),
                                            "in_force")),
                "annual_premium": premium,
                "sum_assured": pa.array(rng.integers(10, 100, n) * 10_000).cast(pa.string()),
                "payment_frequency": pa.array(rng.choice(["annual", "monthly", "single"], n)),
            })
            pacsv.write_csv(table, fh, options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated CSV")
    parser.add_argument("--generate", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:  # the generator runs in its own process: its memory is not measured
        write_csv(Path(args.generate), args.rows)
        return 0
    folder = Path(tempfile.mkdtemp(prefix="memberdesk-bench-5m-"))
    path = folder / "policies.csv"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--generate", str(path), "--rows", str(args.rows)],
                   check=True)
    print(f"generated {args.rows:,} rows ({path.stat().st_size / 2**20:,.0f} MiB) in "
          f"{time.perf_counter() - t0:.1f} s")
    generator_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "memberdesk.cli", "validate", str(path), "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = child.communicate()
    seconds = time.perf_counter() - t0
    # ru_maxrss of RUSAGE_CHILDREN is the largest child's: validate's when above the generator's
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if peak_mb <= generator_peak:
        print(f"(validate's peak is at most the generator's, {generator_peak:,.0f} MB)")
    if child.returncode != 0:
        print(err, file=sys.stderr)
        return child.returncode
    (table,) = json.loads(out)["tables"]
    print(f"validate: {seconds:.1f} s, peak RSS {peak_mb:,.0f} MB (target < 1,500 MB); "
          f"read {table['read']:,}, accepted {table['accepted']:,}, rejected {table['rejected']:,} "
          f"{table['reasons']}")
    if args.keep:
        print(f"kept {path}")
    else:
        path.unlink()
        folder.rmdir()
    return 0 if peak_mb < 1500 else 1


if __name__ == "__main__":
    sys.exit(main())
