"""Time the Excel report on a generated book of 1,000,000 policies (target < 10 s).

    python benchmarks/bench_report.py [--policies N] [--lang en|zh_CN] [--keep OUT.xlsx]

Prints the time of each sheet (analysis + writing), the total and the peak memory (RSS).
Data are generated in memory with a fixed seed; nothing is written but the report (in a
temporary folder unless --keep).
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from memberdesk.core.dataset import Dataset
from memberdesk.report.workbook import write_report

AS_OF = pd.Timestamp("2024-12-31")


def generate(n_policies: int, seed: int = 0) -> Dataset:
    """A five-table book: n policies, n/2 members, n benefit uses, n contacts, n/20 claims."""
    rng = np.random.default_rng(seed)
    n_members = n_policies // 2
    member_ids = pd.Index(np.char.add("M", np.arange(n_members).astype(str))).astype(object)
    members = pd.DataFrame({
        "member_id": member_ids.to_numpy(),
        "birth_date": pd.Timestamp("1950-01-01") + pd.to_timedelta(
            rng.integers(0, 365 * 50, n_members), unit="D"),
        "gender": rng.choice(np.array(["F", "M"], dtype=object), n_members),
        "region": rng.choice(np.array(["North", "South", "East", "West"], dtype=object), n_members),
        "tier": rng.choice(np.array(["gold", "silver", "bronze"], dtype=object), n_members),
    })
    issue = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 365 * 10, n_policies),
                                                         unit="D")
    end = issue + pd.to_timedelta(rng.exponential(1500, n_policies).round(), unit="D")
    ended = np.asarray(end <= AS_OF)
    status = np.where(ended, rng.choice(np.array(["lapsed", "surrendered", "death", "matured"],
                                                 dtype=object), n_policies, p=[.6, .25, .1, .05]),
                      "in_force").astype(object)
    policies = pd.DataFrame({
        "policy_id": np.char.add("P", np.arange(n_policies).astype(str)).astype(object),
        "member_id": member_ids.to_numpy()[rng.integers(0, n_members, n_policies)],
        "product": rng.choice(np.array(["Term Life", "Whole Life", "Critical Illness",
                                        "Annuity"], dtype=object), n_policies),
        "channel": rng.choice(np.array(["agency", "bank", "online", "broker"], dtype=object),
                              n_policies),
        "issue_date": issue,
        "end_date": pd.Series(end).where(ended).to_numpy(dtype="datetime64[ns]"),
        "status": status,
        "annual_premium": rng.uniform(300, 20000, n_policies).round(2),
        "payment_frequency": rng.choice(np.array(["annual", "monthly", "single"], dtype=object),
                                        n_policies, p=[.6, .35, .05]),
    })
    n_use = n_policies
    usage = pd.DataFrame({
        "member_id": member_ids.to_numpy()[rng.integers(0, n_members, n_use)],
        "benefit": rng.choice(np.array(["health check-up", "online consultation",
                                        "second opinion", "hospital appointment"], dtype=object),
                              n_use),
        "used_at": AS_OF - pd.to_timedelta(rng.integers(0, 1500, n_use), unit="D"),
        "cost": rng.uniform(20, 500, n_use).round(2),
    })
    n_contacts = n_policies
    handled = rng.choice(np.array(["bot", "human"], dtype=object), n_contacts, p=[.8, .2])
    contacts = pd.DataFrame({
        "contact_id": np.char.add("C", np.arange(n_contacts).astype(str)).astype(object),
        "member_id": member_ids.to_numpy()[rng.integers(0, n_members, n_contacts)],
        "started_at": AS_OF - pd.to_timedelta(rng.integers(0, 1000, n_contacts), unit="D"),
        "channel": rng.choice(np.array(["app", "phone", "WeChat", "web"], dtype=object), n_contacts),
        "handled_by": handled,
        "transferred_to_human": pd.array((handled == "bot") & (rng.random(n_contacts) < .17),
                                         dtype="boolean"),
        "connected": pd.array(rng.random(n_contacts) < .987, dtype="boolean"),
        "wait_seconds": rng.exponential(30, n_contacts).round(),
        "resolved": pd.array(rng.random(n_contacts) < .8, dtype="boolean"),
        "satisfaction": rng.integers(1, 6, n_contacts).astype(float),
        "topic": rng.choice(np.array(["billing", "claims", "benefits"], dtype=object), n_contacts),
    })
    n_claims = n_policies // 20
    pick = rng.integers(0, n_policies, n_claims)
    reported = AS_OF - pd.to_timedelta(rng.integers(1, 1000, n_claims), unit="D")
    open_ = rng.random(n_claims) < .1
    claims = pd.DataFrame({
        "claim_id": np.char.add("K", np.arange(n_claims).astype(str)).astype(object),
        "policy_id": policies["policy_id"].to_numpy()[pick],
        "member_id": policies["member_id"].to_numpy()[pick],
        "reported_at": reported,
        "settled_at": pd.Series(reported + pd.to_timedelta(rng.integers(0, 60, n_claims), unit="D"))
        .where(~open_).to_numpy(dtype="datetime64[ns]"),
        "status": np.where(open_, "open", rng.choice(np.array(["paid", "declined"], dtype=object),
                                                     n_claims, p=[.85, .15])).astype(object),
        "amount_claimed": rng.uniform(1000, 100000, n_claims).round(2),
    })
    claims["amount_paid"] = np.where(claims["status"] == "paid", claims["amount_claimed"] * .9, 0.)
    return Dataset(validated={"members": members, "policies": policies, "benefit_usage": usage,
                              "service_contacts": contacts, "claims": claims}, as_of=AS_OF)


class TimingProgress:
    """Progress that records when each sheet's status line appears."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def fraction(self, x: float) -> None:
        pass

    def status(self, text: str) -> None:
        if text.startswith("Report:"):
            self.marks.append((text[len("Report: "):], time.perf_counter()))

    def cancelled(self) -> bool:
        return False


# The analyses the report calls (module, function): timed separately from the report's own work.
ANALYSES: tuple[tuple[str, str], ...] = (
    ("kpis", "compute_kpis"), ("survival", "km_by_segment"), ("persistency", "persistency"),
    ("persistency", "persistency_for_periods"),
    ("cohorts", "cohort_retention"), ("cox", "fit_cox"), ("parametric", "fit_parametric"),
    ("competing", "cumulative_incidence"), ("experience", "experience_study"),
    ("benefits", "benefit_usage"), ("benefits", "benefit_retention"),
    ("service", "service_summary"), ("claims", "claim_settlement"),
)


def time_analyses() -> dict[str, float]:
    """Wrap each analysis function (the report looks them up at call time) with a timer."""
    import functools
    import importlib

    spent: dict[str, float] = {}
    depth = [0]  # analyses call each other (kpis -> persistency): count the outermost only
    for module, name in ANALYSES:
        try:
            mod = importlib.import_module(f"memberdesk.analysis.{module}")
        except ImportError:
            continue
        fn = getattr(mod, name, None)
        if fn is None:
            continue

        @functools.wraps(fn)
        def timed(*a, _fn=fn, _key=f"{module}.{name}", **k):  # type: ignore[no-untyped-def]
            s = time.perf_counter()
            depth[0] += 1
            try:
                return _fn(*a, **k)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    spent[_key] = spent.get(_key, 0.0) + time.perf_counter() - s

        setattr(mod, name, timed)
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=1_000_000)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--keep", metavar="OUT.xlsx")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    ds = generate(args.policies)
    _ = ds.policies  # derive durations outside the timed report, as the app has them already
    print(f"generated {args.policies:,} policies in {time.perf_counter() - t0:.1f} s")
    spent = time_analyses()
    progress = TimingProgress()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.keep) if args.keep else Path(tmp) / "report.xlsx"
        start = time.perf_counter()
        write_report(ds, out, lang=args.lang, progress=progress)
        total = time.perf_counter() - start
        size = out.stat().st_size
    marks = [*progress.marks, ("end", start + total)]
    for (name, t), (_, t_next) in zip(marks, marks[1:]):
        print(f"  {name:<14} {t_next - t:6.2f} s")
    analyses = sum(spent.values())
    for key, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"    analysis {key:<32} {seconds:6.2f} s")
    print(f"analyses {analyses:.2f} s; report's own work (tables, charts, saving) "
          f"{total - analyses:.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"report: {total:.2f} s (target < 10 s), {size / 1e6:.1f} MB, peak RSS {peak:,.0f} MB")
    return 0 if total < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
