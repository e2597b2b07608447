"""Cohort retention matrix on the six-policy book, by hand, and properties on a random book.

As of 2025-01-31, the last complete month is 2025-01. Column k = end of calendar month
(issue month + k). Any termination dated on or before that month end removes the policy.

  2020-02: A, lapsed 2022-03 = issue month + 25 -> in force at ends of k = 0..24, out at 25.
  2023-01: B (in force, 2000) and C (surrendered 2023-01-15, 1500): C out from k = 0.
  2023-02: E, death 2023-12 = + 10 -> out from k = 10.
  2023-06: F, lapsed 2024-05 = + 11 -> out from k = 11.
Cells are observed while cohort month + k <= 2025-01: 2023-01 up to k = 24.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.cohorts import cohort_retention
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError


def test_month_cohorts_by_hand(six_book: Dataset) -> None:
    m = cohort_retention(six_book)
    s = m.shares
    assert s.columns[-1] == 59                         # 2020-02 .. 2025-01 = 59 months
    assert (s.loc["2020-02", :24] == 1.0).all() and (s.loc["2020-02", 25:] == 0.0).all()
    assert (s.loc["2023-01", :24] == 0.5).all()
    assert s.loc["2023-01", 25:].isna().all()           # 2023-01 + 25 = 2025-02: not observed
    assert s.loc["2023-02", 9] == 1.0 and s.loc["2023-02", 10] == 0.0
    assert s.loc["2023-06", 10] == 1.0 and s.loc["2023-06", 11] == 0.0
    assert s.loc["2023-06", 19] == 0.0 and np.isnan(s.loc["2023-06", 20])
    assert m.sizes["2023-01"] == 2 and m.premium["2023-01"] == 3500.0
    assert m.sizes["2020-03"] == 0 and s.loc["2020-03"].isna().all()


def test_premium_weights(six_book: Dataset) -> None:
    s = cohort_retention(six_book, weight="premium").shares
    assert s.loc["2023-01", 0] == pytest.approx(2000 / 3500)


def test_quarter_cohorts_by_hand(six_book: Dataset) -> None:
    # 2023Q1 = B, C (2023-01), E (2023-02), D (2023-03), each measured from its own month.
    m = cohort_retention(six_book, cohort="quarter")
    q1 = m.shares.loc["2023Q1"]
    assert q1[0] == 0.75                               # C gone
    assert q1[9] == 0.75 and q1[10] == 0.5             # E gone at its month 10
    assert q1[22] == 0.5 and np.isnan(q1[23])          # last issue month 2023-03 + 22 = 2025-01
    prem = cohort_retention(six_book, cohort="quarter", weight="premium").shares.loc["2023Q1"]
    assert prem[10] == pytest.approx((2000 + 5000) / 9700)


def test_max_months_and_frame(six_book: Dataset) -> None:
    m = cohort_retention(six_book, max_months=12)
    assert list(m.shares.columns) == list(range(13))
    frame = m.to_frame()
    assert list(frame.columns[:3]) == ["policies", "premium", "m0"]
    long = m.to_long()
    assert not long["share"].isna().any()


def test_properties_on_a_random_book(make_policies) -> None:
    pol = make_policies(5000, seed=3, start="2021-01-01")
    ds = Dataset({"policies": pol}, as_of=pd.Timestamp("2024-06-15"))   # last month 2024-05
    m = cohort_retention(ds)
    s = m.shares.to_numpy()
    observed = ~np.isnan(s)
    assert ((s[observed] >= 0) & (s[observed] <= 1)).all()
    # non-increasing along each row
    diffs = np.diff(np.where(observed, s, 0.0), axis=1)
    assert (diffs[observed[:, 1:]] <= 1e-12).all()
    # blank exactly where cohort month + k is after 2024-05
    cohort_month = pd.PeriodIndex(m.shares.index, freq="M")
    last = pd.Period("2024-05", freq="M")
    for i, cm in enumerate(cohort_month):
        n_obs = (last - cm).n + 1
        assert observed[i, :n_obs].all() and not observed[i, n_obs:].any()
    # one cell recomputed directly with pandas: 2022-03 cohort at k = 7 (end of 2022-10)
    p = ds.policies
    members = p[p["issue_date"].dt.to_period("M") == pd.Period("2022-03", freq="M")]
    alive = members["exit_date"].isna() | (members["exit_date"] > pd.Timestamp("2022-10-31"))
    assert m.shares.loc["2022-03", 7] == pytest.approx(alive.mean())


def test_count_equals_premium_when_premiums_are_equal(make_policies) -> None:
    ds = Dataset({"policies": make_policies(2000, seed=4, equal_premium=True)},
                 as_of=pd.Timestamp("2024-12-31"))
    a = cohort_retention(ds).shares.to_numpy()
    b = cohort_retention(ds, weight="premium").shares.to_numpy()
    assert np.allclose(a, b, equal_nan=True)


def test_bad_inputs(six_book: Dataset) -> None:
    with pytest.raises(AnalysisError, match="cohort period"):
        cohort_retention(six_book, cohort="week")
    with pytest.raises(AnalysisError, match="weight"):
        cohort_retention(six_book, weight="sum_assured")
