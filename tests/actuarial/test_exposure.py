"""Exposure records (actxps conventions) checked by hand on the six-policy book.

Day counts: a period's days = end − start + 1; observed days likewise, both ends inclusive.
Anniversaries add years with 29 February clipped to 28 February (lubridate ``%m+%``).
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.experience_exposure import expose
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError

# Policy-year records, annual method, as of 2025-01-31 (target lapsed, surrendered):
# A 2020-02-29 lapsed 2022-03-10:
#   PY1 2020-02-29..2021-02-27 (365 d) 1;  PY2 2021-02-28..2022-02-27 (365 d) 1;
#   PY3 2022-02-28..2023-02-27: lapse on 2022-03-10, a studied status -> full 1, actual 1.
# B 2023-01-10 in force: PY1 1; PY2 2024-01-10..2025-01-09 (366 d) 1;
#   PY3 2025-01-10..2026-01-09 (365 d), observed 2025-01-10..2025-01-31 = 22 d -> 22/365.
# C 2023-01-05 surrendered 2023-01-15: PY1 full 1, actual 1.
# D 2023-03-20 in force: PY1 2023-03-20..2024-03-19 (366 d) 1;
#   PY2 2024-03-20..2025-03-19 (365 d), observed to 2025-01-31:
#   12+30+31+30+31+31+30+31+30+31+31 = 318 d -> 318/365.
# E 2023-02-14 death 2023-12-01 (not studied): PY1 2023-02-14..2024-02-13 (365 d), observed
#   15+31+30+31+30+31+31+30+31+30+1 = 291 d -> 291/365.
# F 2023-06-30 lapsed 2024-05-15: PY1 2023-06-30..2024-06-29 (366 d): full 1, actual 1.
EXPECTED_ANNUAL = {
    ("A", 1): 1.0, ("A", 2): 1.0, ("A", 3): 1.0,
    ("B", 1): 1.0, ("B", 2): 1.0, ("B", 3): 22 / 365,
    ("C", 1): 1.0,
    ("D", 1): 1.0, ("D", 2): 318 / 365,
    ("E", 1): 291 / 365,
    ("F", 1): 1.0,
}


def _by_key(frame: pd.DataFrame, period: str) -> dict[tuple[str, int], float]:
    return {(r.policy_id, int(getattr(r, period))): r.exposure for r in frame.itertuples()}


def test_policy_year_exposures_by_hand(six_book: Dataset) -> None:
    frame = expose(six_book).to_frame()
    assert _by_key(frame, "policy_year") == pytest.approx(EXPECTED_ANNUAL)
    actual = {(r.policy_id, r.policy_year) for r in frame.itertuples() if r.actual}
    assert actual == {("A", 3), ("C", 1), ("F", 1)}
    a = frame[frame["policy_id"] == "A"]
    # 29 February issue: anniversaries on 28 February in common years.
    assert list(a["period_start"].dt.strftime("%Y-%m-%d")) == ["2020-02-29", "2021-02-28",
                                                                "2022-02-28"]
    assert list(a["period_end"].dt.strftime("%Y-%m-%d")) == ["2021-02-27", "2022-02-27",
                                                              "2023-02-27"]
    assert list(a["status"]) == ["in_force", "in_force", "lapsed"]


def test_distribution_method_gives_partial_exposure_to_studied_exits(six_book: Dataset) -> None:
    frame = expose(six_book, method="distribution").to_frame()
    got = _by_key(frame, "policy_year")
    # A: PY3 observed 2022-02-28..2022-03-10 = 11 d of 365.
    # (actxps measures from issue - 1 = 28 Feb and gets 10/365: see experience_exposure.)
    assert got[("A", 3)] == pytest.approx(11 / 365)
    # C: 2023-01-05..2023-01-15 = 11 d of 365; F: 2023-06-30..2024-05-15 = 321 d of 366.
    assert got[("C", 1)] == pytest.approx(11 / 365)
    assert got[("F", 1)] == pytest.approx(321 / 366)
    assert got[("E", 1)] == pytest.approx(291 / 365)


def test_calendar_year_exposures_by_hand(six_book: Dataset) -> None:
    frame = expose(six_book, basis="calendar_year").to_frame()
    got = _by_key(frame, "calendar_year")
    expected = {
        # A: 2020-02-29..2020-12-31 = 307 d of 366; 2021 full; 2022 lapse (studied) -> 1.
        ("A", 2020): 307 / 366, ("A", 2021): 1.0, ("A", 2022): 1.0,
        # B: 2023-01-10..12-31 = 356 d; 2024 full; 2025-01-01..01-31 = 31 d.
        ("B", 2023): 356 / 365, ("B", 2024): 1.0, ("B", 2025): 31 / 365,
        ("C", 2023): 1.0,                                   # surrendered: full year
        # D: 2023-03-20..12-31 = 287 d; 2024 full; 31 d in 2025.
        ("D", 2023): 287 / 365, ("D", 2024): 1.0, ("D", 2025): 31 / 365,
        ("E", 2023): 291 / 365,                             # death: partial
        # F: 2023-06-30..12-31 = 185 d; lapsed 2024 -> 1.
        ("F", 2023): 185 / 365, ("F", 2024): 1.0,
    }
    assert got == pytest.approx(expected)


def test_policies_issued_on_or_after_as_of_are_left_out() -> None:
    pol = pd.DataFrame({"policy_id": ["X", "Y"],
                        "issue_date": pd.to_datetime(["2024-12-30", "2024-12-31"]),
                        "end_date": pd.to_datetime([None, None]),
                        "status": ["in_force", "in_force"]})
    frame = expose(Dataset({"policies": pol}, as_of=pd.Timestamp("2024-12-31"))).to_frame()
    assert list(frame["policy_id"]) == ["X"]
    # 2024-12-30..2024-12-31 = 2 d of 365 (2024-12-30..2025-12-29).
    assert frame["exposure"].iloc[0] == pytest.approx(2 / 365)


def test_termination_after_as_of_counts_as_in_force() -> None:
    pol = pd.DataFrame({"policy_id": ["X"], "issue_date": pd.to_datetime(["2023-07-01"]),
                        "end_date": pd.to_datetime(["2025-03-01"]), "status": ["lapsed"]})
    frame = expose(Dataset({"policies": pol}, as_of=pd.Timestamp("2024-06-30"))).to_frame()
    # PY1 2023-07-01..2024-06-30 (366 d) fully observed to the as-of date, no actual.
    assert list(frame["exposure"]) == [1.0]
    assert frame["actual"].sum() == 0


def _add_years(d: date, n: int) -> date:
    """Reference anniversary arithmetic with the standard library (29 Feb -> 28 Feb)."""
    try:
        return d.replace(year=d.year + n)
    except ValueError:
        return d.replace(year=d.year + n, day=28)


def test_distribution_exposures_add_up_to_observed_days_over_period_days(
        random_book: Dataset) -> None:
    """Σ exposures (distribution method) = Σ over policies and their policy years of observed
    days ÷ days in that policy year, with a standard-library reference loop."""
    records = expose(random_book, method="distribution")
    pol = records.policies
    pol = pol[pol["issue_date"] < random_book.as_of]          # issued on as-of: left out
    assert len(pol) < len(records.policies)
    as_of = random_book.as_of.date()
    reference = 0.0
    for issue, exit_ in zip(pol["issue_date"], pol["exit_date"]):
        start, last = issue.date(), (as_of if pd.isna(exit_) else exit_.date())
        n = 0
        while _add_years(start, n) <= last:
            b, e = _add_years(start, n), _add_years(start, n + 1) - timedelta(days=1)
            reference += ((min(e, last) - b).days + 1) / ((e - b).days + 1)
            n += 1
    assert records.exposure.sum() == pytest.approx(reference, rel=1e-12)
    # and per policy, exposure × period days adds up to the observed days exactly
    frame = records.to_frame()
    period_days = (frame["period_end"] - frame["period_start"]).dt.days + 1
    observed = (frame["exposure"] * period_days).groupby(frame["policy_id"]).sum()
    last = pol["exit_date"].fillna(random_book.as_of)
    want = pd.Series(((last - pol["issue_date"]).dt.days + 1).to_numpy(), index=pol["policy_id"])
    assert np.allclose(observed.loc[want.index].to_numpy(), want.to_numpy())


def test_annual_method_only_changes_studied_terminations(random_book: Dataset) -> None:
    annual = expose(random_book).to_frame()
    dist = expose(random_book, method="distribution").to_frame()
    changed = ~np.isclose(annual["exposure"], dist["exposure"])
    assert annual.loc[changed, "actual"].eq(1).all()
    assert (annual.loc[annual["actual"] == 1, "exposure"] == 1.0).all()
    assert ((annual["exposure"] > 0) & (annual["exposure"] <= 1)).all()


def test_unknown_target_status_is_rejected(six_book: Dataset) -> None:
    with pytest.raises(AnalysisError, match="unknown target status 'lapse'"):
        expose(six_book, target=["lapse"])
    with pytest.raises(AnalysisError, match="in_force"):
        expose(six_book, target=["in_force"])


def test_generic_dataset_is_rejected() -> None:
    pol = pd.DataFrame({"policy_id": ["X"], "duration": [3.0], "event": [True]})
    ds = Dataset({"policies": pol}, as_of=pd.Timestamp("2024-12-31"), generic=True)
    with pytest.raises(AnalysisError, match="issue dates"):
        expose(ds)
