"""Time the cockpit KPIs on a generated book: 1M policies, 3M contacts, 2M benefit events.

Run: ``python benchmarks/bench_kpis.py [--policies N]``. Prints the time to derive the
Dataset's analysis views (windowing, durations, member join — shared by every page), the time
of :func:`compute_kpis` itself (target < 3 s), and the process's peak memory.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memberdesk.analysis.kpis import compute_kpis  # noqa: E402
from memberdesk.core.dataset import Dataset  # noqa: E402

AS_OF = pd.Timestamp("2024-12-31")


def _dates(rng: np.random.Generator, start: str, days: int, n: int) -> pd.Series:
    return pd.Series(pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, n), "D"))


def generate(n_policies: int, n_contacts: int, n_benefits: int, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    n_members = int(n_policies * 0.6)
    member_ids = np.array([f"M{i:07d}" for i in range(n_members)], dtype=object)
    members = pd.DataFrame({"member_id": member_ids,
                            "region": rng.choice(np.array(["north", "south", "east", "west"], dtype=object), n_members),
                            "tier": rng.choice(np.array(["basic", "silver", "gold"], dtype=object), n_members),
                            "join_date": _dates(rng, "2015-01-01", 3600, n_members)})
    issue = _dates(rng, "2015-01-01", 3650, n_policies)
    life = pd.to_timedelta(np.floor(rng.exponential(365.25 * 12, n_policies)), "D")
    end = issue + life
    ended = end <= AS_OF
    status = np.where(rng.random(n_policies) < 0.85, "lapsed", "death")
    status = np.where(rng.random(n_policies) < 0.5, "surrendered", status)
    policies = pd.DataFrame({
        "policy_id": np.array([f"P{i:08d}" for i in range(n_policies)], dtype=object),
        "member_id": member_ids[rng.integers(0, n_members, n_policies)],
        "product": rng.choice(np.array(["term", "whole_life", "health", "annuity"], dtype=object), n_policies),
        "channel": rng.choice(np.array(["agency", "bank", "online"], dtype=object), n_policies),
        "issue_date": issue, "end_date": end.where(ended),
        "status": np.where(ended, status, "in_force").astype(object),
        "annual_premium": rng.gamma(2.0, 3000.0, n_policies),
        "payment_frequency": np.where(rng.random(n_policies) < 0.1, "single", "annual").astype(object),
    })
    bot = rng.random(n_contacts) < 0.9
    transferred = bot & (rng.random(n_contacts) < 0.08)
    queue = ~bot | transferred
    contacts = pd.DataFrame({
        "contact_id": np.arange(n_contacts).astype(str).astype(object),
        "member_id": pd.Series(member_ids[rng.integers(0, n_members, n_contacts)]).where(rng.random(n_contacts) > 0.1),
        "started_at": _dates(rng, "2022-01-01", 1096, n_contacts),
        "channel": rng.choice(np.array(["app", "web", "phone", "wechat"], dtype=object), n_contacts),
        "handled_by": np.where(bot, "bot", "human").astype(object),
        "transferred_to_human": pd.array(transferred, dtype="boolean"),
        "connected": pd.array(np.where(queue, rng.random(n_contacts) < 0.987, False), dtype="boolean"),
        "wait_seconds": np.where(queue, rng.exponential(40, n_contacts), np.nan),
        "resolved": pd.array(rng.random(n_contacts) < 0.9, dtype="boolean"),
        "satisfaction": np.where(rng.random(n_contacts) < 0.3, rng.integers(1, 6, n_contacts), np.nan),
        "topic": rng.choice(np.array(["billing", "claims", "policy", "benefits"], dtype=object), n_contacts),
    })
    usage = pd.DataFrame({
        "member_id": member_ids[rng.integers(0, n_members, n_benefits)],
        "benefit": rng.choice(np.array(["checkup", "consult", "second_opinion", "appointment"], dtype=object),
                              n_benefits),
        "used_at": _dates(rng, "2020-01-01", 1827, n_benefits),
        "cost": rng.gamma(2.0, 100.0, n_benefits),
    })
    n_claims = n_policies // 10
    reported = _dates(rng, "2020-01-01", 1827, n_claims)
    settled = reported + pd.to_timedelta(np.floor(rng.exponential(12, n_claims)), "D")
    claims = pd.DataFrame({
        "claim_id": np.arange(n_claims).astype(str).astype(object),
        "policy_id": policies["policy_id"].to_numpy()[rng.integers(0, n_policies, n_claims)],
        "reported_at": reported, "settled_at": settled.where(settled <= AS_OF),
        "status": np.where(settled <= AS_OF, "paid", "open").astype(object),
        "amount_claimed": rng.gamma(2.0, 5000.0, n_claims),
    })
    claims["amount_paid"] = claims["amount_claimed"] * 0.9
    return Dataset(validated={"members": members, "policies": policies, "benefit_usage": usage,
                              "service_contacts": contacts, "claims": claims}, as_of=AS_OF)


class _StepTimer:
    """Progress stub that times each KPI (between its status message and its fraction)."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}
        self._name, self._t = "", time.perf_counter()

    def status(self, text: str) -> None:
        self._name, self._t = text, time.perf_counter()

    def fraction(self, x: float) -> None:
        self.steps[self._name] = time.perf_counter() - self._t

    def cancelled(self) -> bool:
        return False


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--policies", type=int, default=1_000_000)
    ap.add_argument("--contacts", type=int, default=3_000_000)
    ap.add_argument("--benefits", type=int, default=2_000_000)
    args = ap.parse_args()
    t0 = time.perf_counter()
    ds = generate(args.policies, args.contacts, args.benefits)
    t1 = time.perf_counter()
    print(f"generate {args.policies:,} policies, {args.contacts:,} contacts, "
          f"{args.benefits:,} benefit events: {t1 - t0:.1f} s")
    for name in ("policies", "members", "benefit_usage", "service_contacts", "claims"):
        getattr(ds, name)
    t2 = time.perf_counter()
    print(f"Dataset analysis views (shared by all pages): {t2 - t1:.2f} s")
    timer = _StepTimer()
    result = compute_kpis(ds, progress=timer)
    t3 = time.perf_counter()
    print(f"compute_kpis: {t3 - t2:.2f} s (target < 3 s); slowest steps:")
    for name, secs in sorted(timer.steps.items(), key=lambda kv: -kv[1])[:5]:
        print(f"    {name:34s} {secs:.2f} s")
    for k in result.kpis:
        print(f"  {k.id:32s} {k.value if k.value is None else round(k.value, 4)!s:>14}  "
              f"prev {k.previous if k.previous is None else round(k.previous, 4)!s:>14}")
    fresh = Dataset(validated=ds.validated, as_of=ds.as_of)
    t4 = time.perf_counter()
    compute_kpis(fresh)
    print(f"compute_kpis on a fresh Dataset (views included): {time.perf_counter() - t4:.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
