"""Benchmark lapse-risk scoring (issue 15) on a generated sample book (default 730,000
members, about 1,000,000 policies).

    python benchmarks/bench_scoring.py [--members N] [--horizon 12] [--cache DIR]

The book is generated once in a child process and cached as Parquet files (the generator's
own peak memory does not count); this process reads the tables into a Dataset and times:

* end to end: snapshots + Cox and GBM fits + out-of-time validation + refit + scoring
  (target <= 60 s and <= 3 GB peak RSS at 1M policies);
* scoring alone with the saved model (JSON written, read back and applied; target <= 5 s).

Peak memory is this process's peak resident set size (``ru_maxrss``), which includes the
tables read (the five that scoring uses; reported before the pipeline runs). CPU seconds are
reported beside wall time: on a shared machine the wall time also measures the others.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

SCORING_TABLES = ("policies", "members", "benefit_usage", "service_contacts", "claims")


def cpu_seconds() -> float:
    """User + system CPU time of this process (and its threads): on a shared, busy machine the
    wall time mostly measures the other processes."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def peak_rss_gb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / (1024 ** 2) if sys.platform != "darwin" else kb / 1024 ** 3


def _generate(members: int, folder: str) -> None:
    from memberdesk.sample import generate_book

    for name, frame in generate_book(members=members, seed=0).items():
        frame.to_parquet(Path(folder) / f"{name}.parquet", index=False)


def book_tables(members: int, cache: Path) -> dict[str, pd.DataFrame]:
    folder = cache / f"scoring_book_{members}"
    if not (folder / "policies.parquet").exists():
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(target=_generate,
                                                              args=(members, str(folder)))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit("generating the book failed")
        print(f"book generated in {time.perf_counter() - t:.1f} s (child process), cached in {folder}")
    # the tables scoring reads (premium payments, 11M rows at this size, are not used)
    return {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))
            if p.stem in SCORING_TABLES}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--members", type=int, default=730_000)
    parser.add_argument("--horizon", type=int, default=12, choices=(3, 6, 12))
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "memberdesk-bench")
    args = parser.parse_args()
    from memberdesk.analysis.scoring.model_file import load_model, save_model
    from memberdesk.analysis.scoring.score import run_scoring, score_saved
    from memberdesk.core.dataset import Dataset

    tables = book_tables(args.members, args.cache)
    ds = Dataset(validated=tables, as_of=pd.Timestamp("2026-06-30"))
    print(f"book: {args.members:,} members, {len(tables['policies']):,} policies; peak RSS after "
          f"reading the tables {peak_rss_gb():.2f} GB")

    t, c = time.perf_counter(), cpu_seconds()
    result = run_scoring(ds, args.horizon, "auto")
    end_to_end, end_to_end_cpu = time.perf_counter() - t, cpu_seconds() - c
    v = result.validation
    assert v is not None
    print(f"end to end: {end_to_end:.1f} s wall, {end_to_end_cpu:.1f} s CPU (target 60 s), "
          f"peak RSS {peak_rss_gb():.2f} GB "
          f"(target 3 GB); scored {len(result.scores):,} policies; chosen {v.chosen} "
          f"({v.reason}); AUC cox {v.metrics['cox'].auc:.3f} gbm {v.metrics['gbm'].auc:.3f} "
          f"baseline {v.metrics['baseline'].auc:.3f}")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        save_model(result, path)
        t, c = time.perf_counter(), cpu_seconds()
        saved = load_model(path)
        again = score_saved(ds, saved.scorer, saved.validation)
        alone, alone_cpu = time.perf_counter() - t, cpu_seconds() - c
    print(f"scoring with the saved model: {alone:.1f} s wall, {alone_cpu:.1f} s CPU (target 5 s); "
          f"{len(again.scores):,} policies; peak RSS {peak_rss_gb():.2f} GB")


if __name__ == "__main__":
    main()
