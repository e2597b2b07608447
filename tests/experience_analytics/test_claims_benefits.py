"""Claims settlement and benefits on the hand-worked book, and immortal-time bias."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.benefits import benefit_retention, benefit_usage, time_to_first_use
from memberdesk.analysis.claims import claim_settlement, km_median_binned
from memberdesk.core.dataset import Dataset
from memberdesk.core.reasons import Reason


def test_settlement_km_and_paid_ratios(books) -> None:
    res = claim_settlement(books())
    s = res.summary.set_index("segment")
    # all claims: K5 20e, K1 3e, K2 10e, K3 30e, K4 open since 2024-12-01 -> censored at 30.
    # S(3) = 4/5, S(10) = 4/5*3/4 = 3/5, S(20) = 3/5*2/3 = 2/5 -> median 20
    assert s.loc["all", "median_days"] == 20
    assert s.loc["all", "within_5_days"] == pytest.approx(1 - 4 / 5)
    assert s.loc["all", "within_10_days"] == pytest.approx(1 - 3 / 5)
    # at 30: K3 event and K4 censored, at risk 2 -> S(30) = 2/5 * 1/2
    assert s.loc["all", "within_30_days"] == pytest.approx(1 - 1 / 5)
    # settled K1 (1000/800), K2 (500/500), K3 (2000/0), K5 (400/400)
    assert s.loc["all", "paid_ratio_amount"] == pytest.approx((800 + 500 + 0 + 400) / (1000 + 500 + 2000 + 400))
    assert s.loc["all", "paid_ratio_count"] == pytest.approx(3 / 4)
    # product via policy: life = P1 (K1, K3); health = P3 (K2, K4), P2 (K5)
    assert s.loc["life", "claims"] == 2 and s.loc["health", "open"] == 1
    assert s.loc["life", "paid_ratio_count"] == pytest.approx(1 / 2)


def test_settlement_without_claims_has_reason(books) -> None:
    res = claim_settlement(books("policies"))
    assert res.summary.empty and res.reason == Reason("no_table", table="claims")
    assert str(res.reason) == "no claims loaded"


def test_binned_median_agrees_with_lifelines() -> None:
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(0)
    for n in (7, 50, 400):
        days = rng.integers(0, 60, n)
        events = rng.random(n) < 0.7
        kmf = KaplanMeierFitter().fit(days, events)
        expected = kmf.median_survival_time_
        got = km_median_binned(days, events)
        assert (np.isinf(expected) and np.isnan(got)) or got == expected


def test_usage_tables_and_ratios(books) -> None:
    res = benefit_usage(books(), by="region")
    seg = res.segments.set_index("segment")
    # in force M1 (north), M2 (south), M4 (south); 2024 uses by them: M1 x2 (cost 250)
    assert seg.loc["all", "in_force_members"] == 3 and seg.loc["all", "users"] == 1
    assert seg.loc["all", "uses_per_100_members"] == pytest.approx(100 * 2 / 3)
    assert seg.loc["all", "cost_per_member"] == pytest.approx(250 / 3)
    assert seg.loc["north", "usage_rate"] == 1.0 and seg.loc["south", "usage_rate"] == 0.0
    by_benefit = res.by_benefit.set_index("benefit")
    # window uses: M1 checkup, M1 consult, M5 checkup, M9 consult (all members)
    assert by_benefit.loc["checkup", "uses"] == 2 and by_benefit.loc["consult", "users"] == 2
    monthly = res.monthly.set_index(["month", "benefit"])
    assert monthly.loc[("2023-11", "consult"), "cost"] == 50


def test_usage_by_policy_segment_counts_member_per_product(books) -> None:
    seg = benefit_usage(books(), by="product").segments.set_index("segment")
    # in-force policies: P1 life (M1), P3 health (M2), P5 life (M4)
    assert seg.loc["life", "in_force_members"] == 2 and seg.loc["life", "users"] == 1
    assert seg.loc["health", "in_force_members"] == 1 and seg.loc["health", "users"] == 0


def test_time_to_first_use(books) -> None:
    res = time_to_first_use(books())
    assert res.origin == "join_date"
    # members joined by as-of: M1..M5, M9 (M6 joins 2025). Users: M1 (2024-03-10, joined
    # 2022-01-01), M2 used 2023-11-20 before joining 2024-01-01 -> time 0, M5, M9.
    assert res.members == 6 and res.users == 4
    curve = res.curves["all"]
    assert curve.survival_at([0.0])[0] == pytest.approx(5 / 6)


def _immortal_time_book() -> Dataset:
    """Using a benefit changes nothing: every policy lapses at the same constant hazard. Each
    member would use a benefit at a random time in the first 3 years — if still in force."""
    rng = np.random.default_rng(0)
    n = 3000
    issue = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D")
    life = rng.exponential(365.25 * 4, n)
    use_at = rng.uniform(0, 365.25 * 3, n)
    end = issue + pd.to_timedelta(np.floor(life), "D")
    as_of = pd.Timestamp("2024-12-31")
    ended = end <= as_of
    ids = [f"M{i}" for i in range(n)]
    policies = pd.DataFrame({"policy_id": [f"P{i}" for i in range(n)], "member_id": ids,
                             "issue_date": issue, "end_date": pd.Series(end).where(ended),
                             "status": np.where(ended, "lapsed", "in_force")})
    used = use_at < life
    usage = pd.DataFrame({"member_id": np.array(ids)[used],
                          "used_at": (issue + pd.to_timedelta(np.floor(use_at), "D"))[used],
                          "benefit": "checkup"})
    return Dataset(validated={"policies": policies, "benefit_usage": usage}, as_of=as_of)


def test_landmark_removes_immortal_time_bias() -> None:
    res = benefit_retention(_immortal_time_book(), landmark_months=12, horizon_months=24)
    c = res.comparison.set_index("analysis")
    # naive: users look far more loyal although benefits have no effect
    assert c.loc["naive", "hazard_ratio"] < 0.6
    assert c.loc["naive", "survival_difference"] > 0.15
    # landmark: no effect, as simulated (CI covers 1, survival gap small)
    assert c.loc["landmark", "hr_ci_lower"] < 1.0 < c.loc["landmark", "hr_ci_upper"]
    assert abs(c.loc["landmark", "survival_difference"]) < 0.05
    # landmark keeps only policies in force at 12 months
    book = _immortal_time_book()
    assert c.loc["landmark", ["users", "non_users"]].sum() == (book.policies["duration_months"] > 12).sum()
