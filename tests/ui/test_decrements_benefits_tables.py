"""Decrements table at the exact horizons (12/24/36/60 months), and the benefits usage-rate
chart without a segment: a monthly trend instead of one wide bar."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from memberdesk.analysis.competing import CompetingRisksResult
from memberdesk.core.dataset import Dataset

AS_OF = pd.Timestamp("2024-12-31")


def dataset(n: int = 600) -> Dataset:
    rng = np.random.default_rng(0)
    issue = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 2200, n), unit="D")
    end = issue + pd.to_timedelta(rng.exponential(1400, n).astype(int), unit="D")
    ended = end <= AS_OF
    cause = rng.choice(["lapsed", "surrendered", "death"], n, p=[0.7, 0.2, 0.1])
    policies = pd.DataFrame({
        "policy_id": [f"P{i}" for i in range(n)], "member_id": [f"M{i % 450}" for i in range(n)],
        "product": "term", "channel": np.where(rng.random(n) < 0.5, "agency", "online"),
        "issue_date": issue, "end_date": pd.Series(end).where(ended).to_numpy(),
        "status": np.where(ended, cause, "in_force"), "annual_premium": 1000.0,
        "payment_frequency": "annual"})
    m = 1500
    usage = pd.DataFrame({
        "member_id": [f"M{i}" for i in rng.integers(0, 450, m)],
        "benefit": rng.choice(["check-up", "dental"], m),
        "used_at": pd.Timestamp("2022-06-01") + pd.to_timedelta(rng.integers(0, 940, m), unit="D")})
    members = pd.DataFrame({"member_id": [f"M{i}" for i in range(450)]})
    return Dataset(validated={"policies": policies, "members": members, "benefit_usage": usage},
                   as_of=AS_OF)


def _result(incidence: dict[str, list[float]], time: list[float]) -> CompetingRisksResult:
    rows = pd.concat([pd.DataFrame({"group": "all", "cause": cause, "time": time, "cif": values,
                                    "ci_lower": values, "ci_upper": values})
                      for cause, values in incidence.items()], ignore_index=True)
    return CompetingRisksResult(unit="months", by=None, causes=tuple(incidence), groups=("all",),
                                incidence=rows, survival=pd.DataFrame())


def test_the_horizon_table_reads_the_step_function_at_the_horizons() -> None:
    """The page's 1/2/3/5-year table is the analysis result's (CompetingRisksResult.horizon_table)."""
    res = _result({"lapsed": [0.01, 0.05, 0.07, 0.10, 0.12], "death": [0.0, 0.001, 0.001, 0.002, 0.004]},
                  [0.5, 11.99, 12.5, 23.98, 30.0])
    out = res.horizon_table("all")
    # 12 -> value at 11.99 (last time <= 12); 24 -> value at 23.98; 36, 60 > last time: left out
    assert out["time"].tolist() == [12.0, 24.0]
    assert out["years"].tolist() == [1.0, 2.0]
    assert out["lapsed"].tolist() == [0.05, 0.10]
    assert out["death"].tolist() == [0.001, 0.002]
    early = _result({"lapsed": [0.2, 0.3]}, [13.0, 40.0]).horizon_table("all")
    assert early["time"].tolist() == [12.0, 24.0, 36.0] and early["lapsed"].tolist() == [0.0, 0.2, 0.2]


def test_decrements_table_shows_the_requested_horizons(show_page) -> None:
    page = show_page("decrements", dataset())
    assert page.message_text() == ""
    model = page.model
    cols = list(model.frame().columns)
    shown = [model.data(model.index(r, cols.index("time"))) for r in range(model.rowCount())]
    assert shown == ["12", "24", "36", "60"]
    assert [model.data(model.index(r, cols.index("years"))) for r in range(model.rowCount())] == \
        ["1", "2", "3", "5"]
    chart = page.chart.data_frame()
    for r, h in enumerate((12, 24, 36, 60)):
        want = chart.loc[chart["time"] <= h, "all_causes"].iloc[-1]
        got = model.data(model.index(r, cols.index("all_causes")), Qt.ItemDataRole.UserRole)
        assert got == pytest.approx(want, rel=1e-12)  # the analysis sums the causes; the chart stacks them
        assert model.data(model.index(r, cols.index("all_causes"))).endswith("%")


def test_benefits_usage_rate_without_segment_is_a_monthly_trend(qtbot, show_page) -> None:
    ds = dataset()
    page = show_page("benefits", ds)
    assert page.message_text() == ""
    frame = page.rate.data_frame()
    assert not page.rate.bar_items() and page.rate.curve_items()  # a line, not one wide bar
    assert len(frame) == 12 and frame["month_end"].iloc[-1] == "2024-12"
    # last point by hand: members with a policy in force at as-of who used a benefit in the
    # 12 months to it (2023-12-31, 2024-12-31], divided by members in force at as-of
    p = ds.policies
    live = (p["issue_date"] <= AS_OF) & ~(p["end_date"] <= AS_OF)
    in_force = set(p.loc[live, "member_id"])
    u = ds.benefit_usage
    recent = u[(u["used_at"] > pd.Timestamp("2023-12-31")) & (u["used_at"] <= AS_OF)]
    users = in_force & set(recent["member_id"])
    assert frame["usage_rate"].iloc[-1] == len(users) / len(in_force)
    # a segment gives one bar per segment again
    page.segment.setCurrentIndex(page.segment.findData("channel"))
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    assert len(page.rate.bar_items()) == 1 and set(page.rate.data_frame()["segment"]) >= {"agency", "online"}
