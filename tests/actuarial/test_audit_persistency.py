"""Audit of persistency and the cohort matrix (issue 3) on the bundled sample book, recomputed
here with plain pandas from the raw CSV files.

Persistency definition checked (DESIGN §4 with the implementer's documented reading): the
cohort of a period is the regular-premium policies whose m-th month premium falls due in the
period (issued m-1 months earlier), measured at the end of their m-th policy month
(issue + m months - 1 day, month-end clipped); excluded: single premium, free-look (ended within
``free_look_days`` of issue), death or a paid claim ended by the measurement date.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.cohorts import cohort_retention
from memberdesk.analysis.persistency import persistency
from memberdesk.core.loader import load_dataset

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
AS_OF = pd.Timestamp("2026-06-30")   # the latest date in the sample book (validate --json)


@pytest.fixture(scope="module")
def ds():
    data = load_dataset([SAMPLE])
    assert data.as_of == AS_OF
    return data


@pytest.fixture(scope="module")
def book() -> tuple[pd.DataFrame, set[str]]:
    p = pd.read_csv(SAMPLE / "policies.csv", parse_dates=["issue_date", "end_date"])
    p = p[p["issue_date"] <= AS_OF].copy()
    p["ended"] = p["end_date"].notna() & (p["end_date"] <= AS_OF)
    claims = pd.read_csv(SAMPLE / "claims.csv", parse_dates=["reported_at"])
    paid = set(claims.loc[(claims["status"] == "paid") & (claims["reported_at"] <= AS_OF), "policy_id"])
    return p, paid


def by_hand(book, month: int, issued_from: str, issued_to: str, *, free_look: int = 15,
            channel: str | None = None) -> dict[str, float]:
    p, paid = book
    q = p[(p["issue_date"] >= issued_from) & (p["issue_date"] <= issued_to)]
    if channel is not None:
        q = q[q["channel"] == channel]
    measured = pd.Series([d + pd.DateOffset(months=month) - pd.Timedelta(days=1)
                          for d in q["issue_date"]], index=q.index)
    single = q["payment_frequency"] == "single"
    fl = ~single & q["ended"] & ((q["end_date"] - q["issue_date"]).dt.days <= free_look)
    ended_by = q["ended"] & (q["end_date"] <= measured)
    death = ~single & ~fl & ended_by & (q["status"] == "death")
    claim = ~single & ~fl & ~death & ended_by & q["policy_id"].isin(paid)
    cohort = ~(single | fl | death | claim)
    persisting = cohort & ~ended_by
    prem = q["annual_premium"]
    return {"cohort_count": int(cohort.sum()), "persisting_count": int(persisting.sum()),
            "cohort_premium": prem[cohort].sum(), "persisting_premium": prem[persisting].sum(),
            "excluded_single_premium": int(single.sum()), "excluded_free_look": int(fl.sum()),
            "excluded_death": int(death.sum()), "excluded_claim": int(claim.sum()),
            "ratio_premium": prem[persisting].sum() / prem[cohort].sum(),
            "ratio_count": persisting.sum() / cohort.sum()}


def _row(result, period: str, segment: str = "All") -> pd.Series:
    f = result.frame
    rows = f[(f["period"] == period) & (f["segment"] == segment)]
    assert len(rows) == 1, (period, segment)
    return rows.iloc[0]


def _check(row: pd.Series, expected: dict[str, float]) -> None:
    for key, value in expected.items():
        assert row[key] == pytest.approx(value, rel=1e-12, abs=1e-9), key


@pytest.mark.parametrize("month", [13, 25])
@pytest.mark.parametrize("year", [2021, 2024])
def test_calendar_year_by_hand(ds, book, month, year):
    res = persistency(ds, month=month, period="year", by="channel")
    issued = year - (month - 1) // 12
    _check(_row(res, str(year)), by_hand(book, month, f"{issued}-01-01", f"{issued}-12-31"))
    _check(_row(res, str(year), "online"),
           by_hand(book, month, f"{issued}-01-01", f"{issued}-12-31", channel="online"))


def test_exclusions_actually_occur_in_the_checked_cohort(book):
    h = by_hand(book, 13, "2023-01-01", "2023-12-31")
    assert h["excluded_single_premium"] > 0 and h["excluded_death"] + h["excluded_claim"] > 0


def test_months_quarter_and_rolling_window_by_hand(ds, book):
    monthly = persistency(ds, month=13, period="month")
    _check(_row(monthly, "2023-02"), by_hand(book, 13, "2022-02-01", "2022-02-28"))
    # the last reported month: every policy of its cohort is measured by the as-of date
    assert monthly.frame["period"].iloc[-1] == "2026-05"
    _check(_row(monthly, "2026-05"), by_hand(book, 13, "2025-05-01", "2025-05-31"))
    rolling = persistency(ds, month=13)
    assert rolling.frame["period"].iloc[-1] == "12m to 2026-05"
    _check(_row(rolling, "12m to 2026-05"), by_hand(book, 13, "2024-06-01", "2025-05-31"))
    quarter = persistency(ds, month=13, period="quarter", free_look_days=30)
    _check(_row(quarter, "2024Q3"), by_hand(book, 13, "2023-07-01", "2023-09-30", free_look=30))


# ---- cohort retention matrix -----------------------------------------------------------------

def _share(book, lo: str, hi: str, k_end: pd.Timestamp | list, weight: str = "count") -> float:
    p, _ = book
    q = p[(p["issue_date"] >= lo) & (p["issue_date"] <= hi)]
    ends = q["issue_date"].apply(lambda d: (d + pd.offsets.MonthEnd(0)) + pd.offsets.MonthEnd(k_end))
    alive = ~(q["ended"] & (q["end_date"] <= ends))
    w = q["annual_premium"] if weight == "premium" else pd.Series(1.0, index=q.index)
    return float(w[alive].sum() / w.sum())


@pytest.mark.parametrize("weight", ["count", "premium"])
def test_month_cohort_cells_by_hand(ds, book, weight):
    m = cohort_retention(ds, weight=weight)
    for label, lo, hi in [("2019-03", "2019-03-01", "2019-03-31"),
                          ("2024-11", "2024-11-01", "2024-11-30")]:
        for k in (0, 1, 12, 18):
            assert m.shares.loc[label, k] == pytest.approx(_share(book, lo, hi, k, weight), rel=1e-12)
    # 2026-01 cohort: the end of 2026-06 (k = 5) is observed at the 2026-06-30 as-of, k = 6 not
    assert m.shares.loc["2026-01", 5] == pytest.approx(_share(book, "2026-01-01", "2026-01-31", 5, weight))
    assert np.isnan(m.shares.loc["2026-01", 6])
    assert m.sizes.loc["2019-03"] == len(book[0][(book[0]["issue_date"] >= "2019-03-01")
                                                 & (book[0]["issue_date"] <= "2019-03-31")])


def test_quarter_cohort_cells_by_hand(ds, book):
    m = cohort_retention(ds, cohort="quarter")
    for k in (0, 2, 12):
        assert m.shares.loc["2022Q2", k] == pytest.approx(_share(book, "2022-04-01", "2022-06-30", k))
    # 2026Q1: its last issue month (March) + 3 = June 2026 is observed, + 4 is not
    assert not np.isnan(m.shares.loc["2026Q1", 3]) and np.isnan(m.shares.loc["2026Q1", 4])
