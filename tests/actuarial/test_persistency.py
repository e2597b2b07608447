"""Persistency ratio (继续率) on the six-policy book, by hand, and properties on a random book.

13th month, as of 2025-01-31. The m-th month premium falls due at issue %m+% (m-1) months; the
cohort of a period is the policies whose due date falls in it; the test date is the end of the
13th policy month, issue %m+% 13 months - 1 day.

  A 2020-02-29: due 2021-02-28 (clipped), measured 2021-03-28; lapsed 2022-03-10 -> persists.
  B 2023-01-10: due 2024-01-10, measured 2024-02-09; in force -> persists (premium 2000).
  C 2023-01-05: surrendered after 10 days <= 15 -> excluded, free look.
  D 2023-03-20: 趸交 -> excluded, single premium.
  E 2023-02-14: death 2023-12-01 <= 2024-03-13 -> excluded, death.
  F 2023-06-30: due 2024-06-30, measured 2024-07-29; lapsed 2024-05-15 -> does not persist (800).

Year 2024 (policies issued in 2023): cohort B, F: premium 2000 / 2800 = 0.714286; count 1/2.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.persistency import is_single_premium, persistency, persistency_trend
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError


def test_year_periods_by_hand(six_book: Dataset) -> None:
    res = persistency(six_book, period="year")
    frame = res.frame.set_index("period")
    assert list(frame.index) == ["2021", "2022", "2023", "2024"]
    y24 = frame.loc["2024"]
    assert (y24["cohort_count"], y24["persisting_count"]) == (2, 1)
    assert y24["cohort_premium"] == 2800.0 and y24["persisting_premium"] == 2000.0
    assert y24["ratio_premium"] == pytest.approx(2000 / 2800)
    assert y24["ratio_count"] == 0.5
    assert (y24["excluded_single_premium"], y24["excluded_free_look"], y24["excluded_death"],
            y24["excluded_claim"]) == (1, 1, 1, 0)
    assert y24["cohort_issued_from"] == pd.Timestamp("2023-01-01")
    assert y24["cohort_issued_to"] == pd.Timestamp("2023-12-31")
    assert frame.loc["2021", "ratio_premium"] == 1.0                 # A persisted
    assert np.isnan(frame.loc["2022", "ratio_premium"])              # nobody issued in 2021


def test_period_is_reported_once_its_last_cohort_policy_is_measured(six_frame) -> None:
    # The 2024 cohort's last possible issue date 2023-12-31 is measured on
    # 2023-12-31 %m+% 13 months - 1 day = 2025-01-31 - 1 = 2025-01-30.
    pol = six_frame
    early = persistency(Dataset({"policies": pol}, as_of=pd.Timestamp("2025-01-29")),
                        period="year")
    assert list(early.frame["period"]) == ["2021", "2022", "2023"]
    on_time = persistency(Dataset({"policies": pol}, as_of=pd.Timestamp("2025-01-30")),
                          period="year")
    assert list(on_time.frame["period"])[-1] == "2024"


def test_month_periods_by_hand(six_book: Dataset) -> None:
    frame = persistency(six_book, period="month").frame.set_index("period")
    assert frame.loc["2024-01", "ratio_count"] == 1.0                # B persists, C free look
    assert frame.loc["2024-01", "excluded_free_look"] == 1
    assert frame.loc["2024-06", "ratio_premium"] == 0.0              # F lapsed before 07-29
    assert frame.index[-1] == "2024-12"


def test_25th_month(six_book: Dataset) -> None:
    # A: measured at 2020-02-29 %m+% 25 months - 1 day = 2022-03-28; lapsed 2022-03-10.
    frame = persistency(six_book, month=25, period="year").frame.set_index("period")
    assert frame.loc["2022", "cohort_count"] == 1
    assert frame.loc["2022", "ratio_premium"] == 0.0


def test_rolling12_latest_and_previous(six_book: Dataset) -> None:
    res = persistency(six_book)                         # rolling 12 months by default
    assert res.frame["period"].iloc[-1] == "12m to 2024-12"
    latest, previous = res.latest()
    # window to 2024-12 = issued 2023 (as the year 2024); window to 2024-11 = issued
    # 2022-12..2023-11: the same five policies.
    assert latest == pytest.approx(2000 / 2800) and previous == pytest.approx(2000 / 2800)
    assert res.latest(lag=12)[1] is None                # issued in 2022: nobody
    assert res.latest(measure="count")[0] == 0.5
    trend = persistency_trend(six_book)
    assert trend["ratio_premium"].iloc[-1] == pytest.approx(2000 / 2800)
    assert trend["period_end"].iloc[-1] == pd.Timestamp("2024-12-31")


def test_by_channel(six_book: Dataset) -> None:
    res = persistency(six_book, period="year", by="channel")
    y24 = res.frame[res.frame["period"] == "2024"].set_index("segment")
    assert list(y24.index) == ["All", "agency", "bank"]
    assert y24.loc["bank", "ratio_premium"] == 1.0                    # B
    assert y24.loc["agency", "ratio_premium"] == 0.0                  # F
    assert res.latest("bank")[0] is not None


def test_paid_claim_on_a_terminated_policy_is_excluded(six_book: Dataset, six_frame) -> None:
    claims = pd.DataFrame({"claim_id": ["K1", "K2"], "policy_id": ["F", "B"],
                           "reported_at": pd.to_datetime(["2024-05-01", "2024-03-01"]),
                           "status": ["paid", "paid"]})
    ds = Dataset({"policies": six_frame, "claims": claims}, as_of=six_book.as_of)
    y24 = persistency(ds, period="year").frame.set_index("period").loc["2024"]
    # F ended with a paid claim -> excluded; B has a paid claim but is in force -> stays.
    assert y24["excluded_claim"] == 1
    assert y24["cohort_count"] == 1 and y24["ratio_premium"] == 1.0


def test_free_look_boundary() -> None:
    pol = pd.DataFrame({
        "policy_id": ["X15", "X16"], "issue_date": pd.to_datetime(["2023-05-01"] * 2),
        "end_date": pd.to_datetime(["2023-05-16", "2023-05-17"]),   # 15 and 16 days
        "status": ["surrendered", "surrendered"], "annual_premium": [100.0, 100.0]})
    ds = Dataset({"policies": pol}, as_of=pd.Timestamp("2024-12-31"))
    row = persistency(ds, period="month").frame.set_index("period").loc["2024-05"]
    assert row["excluded_free_look"] == 1 and row["cohort_count"] == 1
    assert row["ratio_count"] == 0.0
    row = persistency(ds, period="month", free_look_days=16).frame.set_index("period")
    assert row.loc["2024-05", "excluded_free_look"] == 2


def test_month_end_clipping_of_the_measurement_date() -> None:
    # 2023-01-31 %m+% 13 months = 2024-02-29 (clipped) -> measured on 2024-02-28.
    pol = pd.DataFrame({
        "policy_id": ["on", "after"], "issue_date": pd.to_datetime(["2023-01-31"] * 2),
        "end_date": pd.to_datetime(["2024-02-28", "2024-02-29"]),
        "status": ["lapsed", "lapsed"], "annual_premium": [100.0, 300.0]})
    ds = Dataset({"policies": pol}, as_of=pd.Timestamp("2024-12-31"))
    row = persistency(ds, period="month").frame.set_index("period").loc["2024-01"]
    assert row["persisting_count"] == 1 and row["ratio_premium"] == pytest.approx(0.75)


def test_single_premium_words() -> None:
    words = pd.Series(["Single", "趸交", "一次交清", "lump sum", "One-off", "SP", "annual",
                       "月交", None, "monthly"])
    assert is_single_premium(words).tolist() == [True] * 6 + [False] * 4


def test_properties_on_a_random_book(make_policies) -> None:
    pol = make_policies(4000, seed=1)
    ds = Dataset({"policies": pol}, as_of=pd.Timestamp("2024-12-31"))
    months = persistency(ds, period="month", by="channel").frame
    years = persistency(ds, period="year", by="channel").frame
    rolling = persistency(ds, by="channel").frame
    for frame in (months, years, rolling):
        for col in ("ratio_premium", "ratio_count"):
            values = frame[col].dropna()
            assert ((values >= 0) & (values <= 1)).all()
    # a calendar year's cohort is the sum of its months' cohorts; segments add up to All
    m23 = months[months["period"].str.startswith("2023") & (months["segment"] == "All")]
    y23 = years[(years["period"] == "2023") & (years["segment"] == "All")].iloc[0]
    assert m23["cohort_count"].sum() == y23["cohort_count"]
    assert m23["persisting_premium"].sum() == pytest.approx(y23["persisting_premium"])
    seg = years[(years["period"] == "2023") & (years["segment"] != "All")]
    assert seg["cohort_premium"].sum() == pytest.approx(y23["cohort_premium"])
    r23 = rolling[(rolling["period"] == "12m to 2023-12") & (rolling["segment"] == "All")]
    assert r23["ratio_premium"].item() == pytest.approx(y23["ratio_premium"])
    # independent count of the 2023 cohort with pandas date offsets
    p = ds.policies
    issued_2022 = p["issue_date"].dt.year == 2022
    single = p["payment_frequency"] == "single"
    free_look = (p["exit_date"] - p["issue_date"]).dt.days <= 15
    measured = p["issue_date"] + pd.DateOffset(months=13) - pd.Timedelta(days=1)
    died = (p["exit_status"] == "death") & (p["exit_date"] <= measured)
    cohort = issued_2022 & ~single & ~free_look & ~died
    persists = cohort & ~(p["exit_date"] <= measured)
    assert y23["cohort_count"] == cohort.sum()
    assert y23["persisting_count"] == persists.sum()


def test_count_equals_premium_version_when_premiums_are_equal(make_policies) -> None:
    ds = Dataset({"policies": make_policies(2000, seed=2, equal_premium=True)},
                 as_of=pd.Timestamp("2024-12-31"))
    frame = persistency(ds, period="quarter").frame.dropna(subset=["ratio_count"])
    assert len(frame) > 0
    assert np.allclose(frame["ratio_count"], frame["ratio_premium"])


def test_bad_inputs(six_book: Dataset) -> None:
    with pytest.raises(AnalysisError) as info:
        persistency(six_book, by="colour")
    assert info.value.column == "colour"
    with pytest.raises(AnalysisError, match="period"):
        persistency(six_book, period="week")


def test_several_periods_in_one_pass_equal_separate_calls():
    # the report asks for the yearly table by channel and the whole-book rolling trend at once
    from memberdesk.analysis.persistency import persistency_for_periods

    rng = np.random.default_rng(0)
    n = 2000
    issue = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 2200, n), unit="D")
    end = issue + pd.to_timedelta(rng.integers(1, 2000, n), unit="D")
    ended = np.asarray(end <= pd.Timestamp("2024-12-31"))
    pol = pd.DataFrame({
        "policy_id": [f"P{i}" for i in range(n)],
        "channel": rng.choice(["agency", "bank"], n),
        "issue_date": issue,
        "end_date": pd.Series(end).where(ended).to_numpy(dtype="datetime64[ns]"),
        "status": np.where(ended, rng.choice(["lapsed", "death"], n), "in_force"),
        "annual_premium": rng.uniform(100, 900, n).round(2),
    })
    ds = Dataset(validated={"policies": pol}, as_of=pd.Timestamp("2024-12-31"))
    both = persistency_for_periods(ds, month=13, periods=("year", "rolling12"), by="channel")
    pd.testing.assert_frame_equal(both["year"].frame,
                                  persistency(ds, month=13, period="year", by="channel").frame)
    pd.testing.assert_frame_equal(both["rolling12"].segment(None),
                                  persistency(ds, month=13, period="rolling12").segment(None))
    assert len(both["year"].frame) > 3
