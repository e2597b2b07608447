"""Time the early-warning run (issue 14): 1M policies, 3M contacts, 10 segment columns.

Run: ``python benchmarks/bench_alerts.py [--policies N] [--contacts N]``. The book is the KPI
benchmark's generated book (:func:`bench_kpis.generate`) with six extra categorical policy
columns (branch, agent code, …) beside channel, product, region and tier: ten segment columns.
Prints the time to derive the Dataset's analysis views (shared with every page), the time of
:func:`compute_alerts` itself (target ≤ 5 s) — wall clock and CPU time (``process_time``: on a
shared machine the wall time depends on the load, the CPU time much less) —, per step (each
metric's units, then its counts by segment column, funnels and CUSUMs), the load average and
the peak memory.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_kpis import generate  # noqa: E402

from memberdesk.analysis.alerts import compute_alerts, load_rules  # noqa: E402
from memberdesk.core.dataset import Dataset  # noqa: E402

EXTRA = {"branch": 60, "agent_code": 400, "sales_team": 25, "campaign": 12, "province": 31,
         "bank_partner": 8}


def with_extra_columns(ds: Dataset, seed: int = 1) -> Dataset:
    rng = np.random.default_rng(seed)
    policies = ds.validated["policies"].copy()
    for name, levels in EXTRA.items():
        labels = np.array([f"{name[:2].upper()}{i:03d}" for i in range(levels)], dtype=object)
        policies[name] = labels[rng.integers(0, levels, len(policies))]
    return Dataset(validated={**ds.validated, "policies": policies}, as_of=ds.as_of)


class _StepTimer:
    """Progress stub that times each step (between its status message and its fraction):
    (wall seconds, CPU seconds)."""

    def __init__(self) -> None:
        self.steps: dict[str, tuple[float, float]] = {}
        self._name, self._t, self._c = "", time.perf_counter(), time.process_time()

    def status(self, text: str) -> None:
        self._name, self._t, self._c = text, time.perf_counter(), time.process_time()

    def fraction(self, x: float) -> None:
        self.steps[self._name] = (time.perf_counter() - self._t, time.process_time() - self._c)

    def cancelled(self) -> bool:
        return False


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--policies", type=int, default=1_000_000)
    ap.add_argument("--contacts", type=int, default=3_000_000)
    ap.add_argument("--benefits", type=int, default=2_000_000)
    args = ap.parse_args()
    t0 = time.perf_counter()
    ds = with_extra_columns(generate(args.policies, args.contacts, args.benefits))
    t1 = time.perf_counter()
    print(f"generate {args.policies:,} policies, {args.contacts:,} contacts: {t1 - t0:.1f} s")
    for name in ("policies", "members", "benefit_usage", "service_contacts", "claims"):
        getattr(ds, name)
    t2 = time.perf_counter()
    print(f"dataset views: {t2 - t1:.2f} s")
    rules = load_rules()
    timer = _StepTimer()
    load = os.getloadavg()[0]
    t2, c2 = time.perf_counter(), time.process_time()
    result = compute_alerts(ds, rules, progress=timer)
    t3, c3 = time.perf_counter(), time.process_time()
    print(f"segment columns ({len(result.columns)}): {', '.join(result.columns)}")
    for step, (wall, cpu) in timer.steps.items():
        print(f"  {step:<50} {wall:6.2f} s wall {cpu:6.2f} s CPU")
    print(f"compute_alerts: {t3 - t2:.2f} s wall, {c3 - c2:.2f} s CPU (target <= 5 s); "
          f"load average {load:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"{len(result.alerts)} alerts, {len(result.funnel):,} funnel points")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
