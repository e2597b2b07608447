"""Benchmark lapse-risk scoring (issue 15) on a generated sample book (default ~1,000,000
policies, i.e. 730,000 members).

    python benchmarks/bench_scoring.py [--members N] [--horizon 12]

Times, on a Dataset built in memory from :func:`memberdesk.sample.generate_book` (loading files
is benchmarked elsewhere):

* end to end: snapshots + Cox and GBM fits + out-of-time validation + refit + scoring
  (target <= 60 s and <= 3 GB peak RSS at 1M policies);
* scoring alone with the saved model (JSON file written and read back; target <= 5 s).

Peak memory is the process's peak resident set size (``ru_maxrss``), which includes the
generated book itself (reported separately before the pipeline runs).
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from memberdesk.analysis.scoring.model_file import load_model, save_model
from memberdesk.analysis.scoring.score import run_scoring, score_saved
from memberdesk.core.dataset import Dataset
from memberdesk.sample import generate_book


def peak_rss_gb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / (1024 ** 2) if sys.platform != "darwin" else kb / 1024 ** 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=730_000)
    parser.add_argument("--horizon", type=int, default=12, choices=(3, 6, 12))
    args = parser.parse_args()
    t0 = time.perf_counter()
    book = generate_book(members=args.members, seed=0)
    ds = Dataset(validated=book, as_of=pd.Timestamp("2026-06-30"))
    n = len(book["policies"])
    print(f"book: {args.members:,} members, {n:,} policies, generated in "
          f"{time.perf_counter() - t0:.1f} s; peak RSS so far {peak_rss_gb():.2f} GB")

    t = time.perf_counter()
    result = run_scoring(ds, args.horizon, "auto")
    end_to_end = time.perf_counter() - t
    v = result.validation
    assert v is not None
    print(f"end to end: {end_to_end:.1f} s (target 60 s), peak RSS {peak_rss_gb():.2f} GB "
          f"(target 3 GB); scored {len(result.scores):,} policies; chosen {v.chosen} "
          f"({v.reason}); AUC cox {v.metrics['cox'].auc:.3f} gbm {v.metrics['gbm'].auc:.3f} "
          f"baseline {v.metrics['baseline'].auc:.3f}")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        save_model(result, path)
        t = time.perf_counter()
        saved = load_model(path)
        again = score_saved(ds, saved.scorer, saved.validation)
        alone = time.perf_counter() - t
    print(f"scoring with the saved model: {alone:.1f} s (target 5 s); "
          f"{len(again.scores):,} policies; peak RSS {peak_rss_gb():.2f} GB")


if __name__ == "__main__":
    main()
