"""Benchmark the survival engine on generated policies (default 1,000,000).

    python benchmarks/bench_survival.py [--rows N] [--skip-lifelines] [--lifelines-rows N]

Prints wall time and peak traced memory (tracemalloc) of: Kaplan-Meier for 6 segments with the
log-rank test (target < 0.15 s), the four parametric fits (target < 1 s), Aalen-Johansen with
CIs (target < 1 s), and the Cox model with 12 covariates, next to lifelines' CoxPHFitter on the
same data. Data are generated here (whole-day durations in months, as a Dataset produces).
"""
from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.competing import cumulative_incidence
from memberdesk.analysis.cox import fit_cox
from memberdesk.analysis.parametric import fit_parametric
from memberdesk.analysis.survival import km_by_segment

DAYS_PER_MONTH = 365.25 / 12


def make_policies(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    channel = rng.choice(["agency", "bank", "broker", "online", "partner", "direct"], n)
    product = rng.choice(["term", "whole_life", "annuity"], n, p=[0.5, 0.3, 0.2])
    gender = rng.choice(["F", "M"], n)
    age = rng.normal(42, 11, n).round()
    premium = rng.gamma(2.0, 1500.0, n).round(2)
    x = rng.normal(size=(n, 5))
    lin = (0.3 * (channel == "online") + 0.2 * (channel == "partner") - 0.01 * (age - 42)
           - 0.1 * np.log(premium) + x[:, 0] * 0.2 - x[:, 1] * 0.1)
    life = rng.weibull(0.9, n) * 2500 * np.exp(-lin)
    follow = rng.uniform(1, 3650, n)
    days = np.ceil(np.minimum(life, follow))
    ended = life <= follow
    status = np.where(ended, rng.choice(["lapsed", "surrendered", "death", "matured", "other"], n,
                                        p=[0.55, 0.25, 0.1, 0.07, 0.03]), "in_force")
    frame = pd.DataFrame({
        "duration": days / DAYS_PER_MONTH,
        "event": np.isin(status, ["lapsed", "surrendered"]).astype(np.int8),
        "exit_status": status, "channel": channel, "product": product, "gender": gender,
        "age": age, "annual_premium": premium,
    })
    for k in range(5):
        frame[f"score{k}"] = x[:, k]
    return frame


def measure(label: str, fn: Callable[[], Any], target: float | None = None,
            trace: bool = True, repeat: int = 1) -> float:
    """Best of ``repeat`` timed runs without tracing, then one traced run for peak memory
    (tracemalloc slows code that makes many small allocations, e.g. autograd, several-fold)."""
    elapsed = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        elapsed = min(elapsed, time.perf_counter() - t0)
    peak_text = "      n/a"
    if trace:
        tracemalloc.start()
        fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak_text = f"{peak / 2**20:>9.1f}"
    goal = "" if target is None else f"  (target < {target:g} s: {'ok' if elapsed < target else 'MISSED'})"
    print(f"{label:<44}{elapsed:>9.3f} s   peak {peak_text} MiB{goal}", flush=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-lifelines", action="store_true")
    parser.add_argument("--repeat", type=int, default=3,
                        help="Cox timings are the best of this many runs (shared machines)")
    parser.add_argument("--lifelines-rows", type=int, default=None,
                        help="rows for the lifelines Cox comparison (default: --rows)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    data = make_policies(args.rows)
    print(f"generated {len(data):,} policies in {time.perf_counter() - t0:.1f} s "
          f"({int(data['event'].sum()):,} lapses/surrenders)\n")
    covariates = ["channel", "product", "gender", "age", "annual_premium", "score0", "score1",
                  "score2"]  # 5 + 2 + 1 + 5 numeric-ish = 12 design columns

    km_by_segment(data.head(1000), "channel", unit="months")  # warm imports
    measure("KM, 6 segments + log-rank", lambda: km_by_segment(data, "channel", unit="months"), 0.15)
    measure("parametric: 4 models + projections", lambda: fit_parametric(data, horizon_months=120), 1.0)
    measure("Aalen-Johansen with CIs (overall)", lambda: cumulative_incidence(data), 1.0)
    measure("Aalen-Johansen with CIs (6 segments)", lambda: cumulative_incidence(data, by="channel"), 1.0)
    holder: dict[str, Any] = {}
    ours = measure("Cox, 12 covariates (memberdesk)",
                   lambda: holder.__setitem__("res", fit_cox(data, covariates)), trace=False,
                   repeat=args.repeat)
    res = holder["res"]
    print(f"    {len(res.coefficients)} coefficients, concordance {res.concordance:.4f}")
    grouped = ["channel", "product", "gender"]
    measure("Cox, 3 categorical covariates (collapsed rows)", lambda: fit_cox(data, grouped),
            trace=False, repeat=args.repeat)
    if args.skip_lifelines:
        return
    from lifelines import CoxPHFitter

    rows = args.lifelines_rows or args.rows
    sub = data.head(rows)
    design = pd.get_dummies(sub[covariates], columns=["channel", "product", "gender"], dtype=float)
    keep = ["duration", "event", *[c for c in design.columns]]
    design = pd.concat([sub[["duration", "event"]], design], axis=1)[keep]
    # drop the reference (most frequent) level of each categorical, as memberdesk does
    for col, ref in res.reference_levels.items():
        design = design.drop(columns=f"{col}_{ref}")
    print(f"    (lifelines design matrix {design.shape[0]:,} x {design.shape[1] - 2})", flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = measure(f"Cox, 12 covariates (lifelines, {rows:,} rows)",
                         lambda: holder.__setitem__("ll", CoxPHFitter().fit(design, "duration", "event")),
                         trace=False, repeat=args.repeat)
    if rows == args.rows:
        ll = holder["ll"]
        ours_coef = res.coefficients.set_index("covariate")["coef"]
        names = {c: c.replace("=", "_") for c in ours_coef.index}
        diff = max(abs(ours_coef[c] - ll.params_[names[c]]) for c in ours_coef.index)
        print(f"    max |coef difference| vs lifelines: {diff:.2e}; time ratio ours/lifelines "
              f"{ours / theirs:.2f}")


if __name__ == "__main__":
    main()
