"""Time the actuarial analyses on a generated book of 1M policies (10 years of issues).

Usage: ``python benchmarks/bench_actuarial.py [N]``. Prints wall times (best of
two) and peak memory (tracemalloc, numpy/pandas allocations, separate run) per step; targets: cohort matrix < 0.2 s,
experience study by policy year < 3 s. The Dataset's derived policies table is built once first (it is
cached and shared by every analysis in the app), and timed separately.
"""
from __future__ import annotations

import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.cohorts import cohort_retention
from memberdesk.analysis.experience import experience_study
from memberdesk.analysis.persistency import persistency
from memberdesk.core.dataset import Dataset


def generate(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lo = pd.Timestamp("2015-01-01")
    issue = lo + pd.to_timedelta(rng.integers(0, 3652, n), unit="D")
    end = issue + pd.to_timedelta(rng.exponential(1500, n).astype(np.int64), unit="D")
    ended = rng.random(n) < 0.6
    status = np.where(ended, rng.choice(["lapsed", "surrendered", "death", "matured"], n,
                                        p=[0.6, 0.25, 0.1, 0.05]), "in_force")
    return pd.DataFrame({
        "policy_id": np.char.add("P", np.arange(n).astype(str)).astype(object),
        "issue_date": issue,
        "end_date": pd.Series(end).where(ended).to_numpy(),
        "status": status.astype(object),
        "annual_premium": rng.gamma(2.0, 1500.0, n).round(2),
        "payment_frequency": rng.choice(["annual", "monthly", "single"], n,
                                        p=[0.6, 0.3, 0.1]).astype(object),
        "channel": rng.choice(["agency", "bank", "online", "broker"], n).astype(object),
        "product": rng.choice(["term", "whole life", "critical illness"], n).astype(object),
    })


def timed(label: str, fn: Callable[[], Any], target: float | None = None, *,
          repeat: bool = True) -> Any:
    """Time ``fn`` (best of two untraced runs when ``repeat``), then measure its peak memory in
    a traced run (tracemalloc slows allocation, so it is not timed)."""
    times = []
    for _ in range(2 if repeat else 1):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    elapsed = min(times)
    peak = 0
    if repeat:
        tracemalloc.start()
        fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    verdict = "" if target is None else ("  OK" if elapsed < target else f"  SLOW (> {target} s)")
    memory = f"peak {peak / 2**20:7.1f} MiB" if repeat else " " * 17
    print(f"{label:<44} {elapsed:7.3f} s   {memory}{verdict}", flush=True)
    return result


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(f"{n:,} policies, issued 2015-2024, as of 2024-12-31")
    frame = generate(n)
    ds = Dataset(validated={"policies": frame}, as_of=pd.Timestamp("2024-12-31"))
    import scipy.stats  # noqa: F401  (one-off import, ~1 s, not the analyses' cost)
    timed("Dataset.policies (derived table, once)", lambda: ds.policies, repeat=False)
    timed("cohort_retention month/count", lambda: cohort_retention(ds), 0.2)
    timed("cohort_retention quarter/premium",
          lambda: cohort_retention(ds, cohort="quarter", weight="premium"), 0.2)
    res = timed("experience_study by policy year", lambda: experience_study(ds), 3.0)
    print(f"    {len(res.rows)} rows, total exposure {res.totals['exposure'].iloc[0]:,.0f} years")
    timed("experience_study by policy year × channel",
          lambda: experience_study(ds, by=["channel"]), 3.0)
    expected = pd.DataFrame({"policy_year": np.arange(1, 12), "rate": np.linspace(0.2, 0.05, 11)})
    timed("experience_study + expected table", lambda: experience_study(ds, expected=expected),
          3.0)
    timed("experience_study by calendar year",
          lambda: experience_study(ds, basis="calendar_year"), 3.0)
    timed("persistency 13th month, rolling 12", lambda: persistency(ds))
    timed("persistency 13th month, by channel, month",
          lambda: persistency(ds, period="month", by="channel"))
    timed("persistency 25th month, year", lambda: persistency(ds, month=25, period="year"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
