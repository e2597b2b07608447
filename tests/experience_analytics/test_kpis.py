"""Cockpit KPIs on the hand-worked book of conftest.py (as-of 2024-12-31, previous 2023-12-31).

In force at 2024-12-31: P1 (M1), P3 (M2), P5 (M4, issued that day). P2 lapsed 2024-06-30, P4
surrendered 2023-08-31, P6 died 2024-03-31, P7 is issued after as-of (out of window).
In force at 2023-12-31: P1, P2 (M1) and P6 (M5).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.kpis import KPI_IDS, compute_kpis, months_before, trend_dates
from memberdesk.analysis.metrics import get_metric
from memberdesk.core.dataset import Dataset

DPY = 365.25
AS_OF = pd.Timestamp("2024-12-31")


@pytest.fixture(scope="module")
def result(books):
    return compute_kpis(books())


def test_stocks_at_as_of_and_previous(result) -> None:
    assert (result["in_force_policies"].value, result["in_force_policies"].previous) == (3, 3)
    assert (result["in_force_members"].value, result["in_force_members"].previous) == (3, 2)
    assert result["in_force_premium"].value == 1000 + 500 + 800
    assert result["in_force_premium"].previous == 1000 + 2000 + 1500


def test_new_business_flows(result) -> None:
    # 12 months to 2024-12-31: P3 (2024-02-01) and P5 (2024-12-31); before: P2 (2023-03-01)
    assert (result["new_business_policies"].value, result["new_business_policies"].previous) == (2, 1)
    assert result["new_business_premium"].value == 500 + 800
    assert result["new_business_premium"].previous == 2000


def test_lapse_rate_is_events_per_policy_year(result) -> None:
    # 2024: P2 lapsed; exposure days from 2023-12-31: P1 366, P2 182, P3 334 (from 2024-02-01),
    # P6 91 (to 2024-03-31), P5 0.
    assert result["lapse_rate_annualised"].value == pytest.approx(1 / ((366 + 182 + 334 + 91) / DPY))
    # 2023: P4 surrendered; P1 365, P2 305 (from 2023-03-01), P4 243 (to 2023-08-31), P6 365.
    assert result["lapse_rate_annualised"].previous == pytest.approx(1 / ((365 + 305 + 243 + 365) / DPY))


def test_median_lifetime_by_km(result) -> None:
    # durations (days): P5 0c, P3 334c, P4 456e, P2 487e, P1 1081c, P6 1185c (death censored)
    # S(456) = 3/4, S(487) = 3/4 * 2/3 = 1/2 -> median 487 days
    assert result["median_policy_lifetime_months"].value == pytest.approx(487 / (DPY / 12))
    # at 2023-12-31 only P4 lapsed among 3+ at risk: never reaches 0.5
    assert result["median_policy_lifetime_months"].previous is None


def test_benefit_usage_rate(result) -> None:
    # in force M1, M2, M4; users in 2024: M1, M5 (not in force), M9 (no policy) -> 1/3
    assert result["benefit_usage_rate"].value == pytest.approx(1 / 3)
    # 2023-12-31: in force M1, M5; 2023 users: M2 (not in force) -> 0/2
    assert result["benefit_usage_rate"].previous == 0.0


def test_service_rates(result) -> None:
    # 2024 contacts C1..C6: bot & not transferred = C1, C3, C6 (missing = not transferred) -> 3/6
    assert result["bot_replacement_rate"].value == pytest.approx(3 / 6)
    # human queue C2 (transferred), C4, C5; connected C2, C5 -> 2/3
    assert result["human_connection_rate"].value == pytest.approx(2 / 3)
    # rated C1 5, C2 4, C3 2, C5 3 -> 2/4
    assert result["csat"].value == pytest.approx(2 / 4)
    # 2023: only C7 (bot, not transferred, rated 5); no human queue -> None, not an error
    assert result["bot_replacement_rate"].previous == 1.0
    assert result["human_connection_rate"].previous is None
    assert result["csat"].previous == 1.0


def test_claim_settlement_median(result) -> None:
    # 2024 claims: K1 3d, K2 10d, K3 30d settled, K4 open 30d (censored). S(3)=3/4, S(10)=1/2
    assert result["median_claim_settlement_days"].value == 10
    assert result["median_claim_settlement_days"].previous == 20  # K5 alone: 20 days


def test_persistency_hand(result) -> None:
    # 25th month, latest rolling year measured by as-of: due 2023-12..2024-11, issued
    # 2021-12..2022-11: P1 (1000, in force) and P4 (3000, surrendered 2023-08-31) -> 1000/4000
    assert result["persistency_25"].value == pytest.approx(1000 / 4000)
    # 13th month, issued 2022-12..2023-11: P2 (lapsed 2024-06-30, after its 13th month) -> 1
    assert result["persistency_13"].value == 1.0
    # a year earlier: latest window measured by 2023-12-31 has due months 2022-12..2023-11,
    # issued 2021-12..2022-11: P1, P4 (surrendered 2023-08-31, after its 13th month) -> 1
    assert result["persistency_13"].previous == 1.0
    # 25th month: the first complete rolling window (due 2023-01..2023-12) is measured only on
    # 2024-01-30, so there is no previous value; the trend picks it up from January 2024:
    # issued 2021-01..2021-12 = P6 (died after its 25th month) -> 1
    assert result["persistency_25"].previous is None
    assert result["persistency_25"].trend[pd.Timestamp("2024-01-31")] == 1.0
    # from 2024-07-31 the window due 2023-07..2024-06 (issued 2021-07..2022-06: P1, P4) -> 0.25
    assert result["persistency_25"].trend[pd.Timestamp("2024-07-31")] == pytest.approx(0.25)


def test_units_and_names_come_from_registry(result) -> None:
    assert [k.id for k in result.kpis] == list(KPI_IDS)
    for k in result.kpis:
        assert k.unit == get_metric(k.id).unit
        assert k.name == get_metric(k.id).name_en
    assert result["in_force_premium"].unit == "CNY"
    assert result["median_claim_settlement_days"].unit == "days"


def test_to_json_is_exactly_the_contract(result) -> None:
    out = result.to_json()
    assert set(out) == {"as_of", "kpis"} and out["as_of"] == "2024-12-31"
    for row in out["kpis"]:
        assert set(row) == {"id", "name", "value", "unit", "previous"}
        assert row["value"] is None or isinstance(row["value"], float)
    hq = next(r for r in out["kpis"] if r["id"] == "human_connection_rate")
    assert hq["previous"] is None


def test_trend_points_are_month_ends_ending_at_as_of() -> None:
    dates = trend_dates(pd.Timestamp("2024-12-31"))
    assert len(dates) == 12 and dates[0] == pd.Timestamp("2024-01-31")
    assert dates[1] == pd.Timestamp("2024-02-29") and dates[-1] == pd.Timestamp("2024-12-31")
    mid = trend_dates(pd.Timestamp("2024-06-15"))
    assert mid[-2] == pd.Timestamp("2024-05-31") and mid[-1] == pd.Timestamp("2024-06-15")
    assert months_before(pd.Timestamp("2024-02-29"), 12) == pd.Timestamp("2023-02-28")
    assert months_before(pd.Timestamp("2024-04-30"), 2) == pd.Timestamp("2024-02-29")


def test_trend_equals_reloading_at_each_cut_off(result, books) -> None:
    """Vectorised trend values == the KPI of the data re-windowed with as-of = t."""
    ds = books()
    for t in result["in_force_policies"].trend.index[::3]:
        at_t = compute_kpis(ds.with_as_of(t))
        for kpi in result.kpis:
            if kpi.id.startswith("persistency"):
                continue  # read off one as-of result; checked by hand above
            expected = at_t[kpi.id].value
            got = kpi.trend[t]
            if expected is None:
                assert np.isnan(got), (kpi.id, t)
            else:
                assert got == pytest.approx(expected), (kpi.id, t)


def test_previous_equals_value_a_year_earlier(result, books) -> None:
    earlier = compute_kpis(books().with_as_of(pd.Timestamp("2023-12-31")))
    for kpi in result.kpis:
        if kpi.id.startswith("persistency"):
            continue  # read off the as-of result: see test_persistency_hand
        assert kpi.previous == (None if earlier[kpi.id].value is None
                                else pytest.approx(earlier[kpi.id].value)), kpi.id


def test_missing_optional_tables_give_reasons_not_errors(books) -> None:
    res = compute_kpis(books("policies"))
    assert res["in_force_policies"].value == 3
    for kpi_id, words in [("benefit_usage_rate", "no benefit usage"),
                          ("bot_replacement_rate", "no service contacts"),
                          ("human_connection_rate", "no service contacts"),
                          ("csat", "no service contacts"),
                          ("median_claim_settlement_days", "no claims")]:
        assert res[kpi_id].value is None and words in str(res[kpi_id].reason)
        assert res[kpi_id].trend.isna().all()


def test_missing_columns_and_only_contacts(books) -> None:
    ds = books("service_contacts")
    contacts = ds.validated["service_contacts"].drop(columns=["connected", "satisfaction"])
    res = compute_kpis(Dataset(validated={"service_contacts": contacts}, as_of=AS_OF))
    assert res["in_force_policies"].value is None and "no policies" in str(res["in_force_policies"].reason)
    assert res["bot_replacement_rate"].value == pytest.approx(0.5)
    assert "connected" in str(res["human_connection_rate"].reason)
    assert "satisfaction" in str(res["csat"].reason)
    pol = books("policies").validated["policies"].drop(columns=["annual_premium", "member_id"])
    res = compute_kpis(Dataset(validated={"policies": pol}, as_of=AS_OF))
    assert "annual_premium" in str(res["in_force_premium"].reason)
    assert "member_id" in str(res["in_force_members"].reason)
    assert res["in_force_policies"].value == 3


def test_generic_survival_table_has_no_dated_kpis() -> None:
    frame = pd.DataFrame({"policy_id": ["a", "b"], "duration": [3.0, 5.0], "event": [True, False]})
    res = compute_kpis(Dataset(validated={"policies": frame}, as_of=AS_OF, generic=True))
    assert res["in_force_policies"].value is None
    assert "generic" in str(res["in_force_policies"].reason)


def test_progress_and_cancel(books) -> None:
    from memberdesk.core.errors import Cancelled

    class Stub:
        def __init__(self, stop: bool) -> None:
            self.fractions: list[float] = []
            self.stop = stop

        def fraction(self, x: float) -> None:
            self.fractions.append(x)

        def status(self, text: str) -> None:
            pass

        def cancelled(self) -> bool:
            return self.stop

    stub = Stub(False)
    compute_kpis(books(), progress=stub)
    assert stub.fractions[-1] == 1.0 and stub.fractions == sorted(stub.fractions)
    with pytest.raises(Cancelled):
        compute_kpis(books(), progress=Stub(True))


def test_premium_kpis_without_any_premium_have_a_reason_not_zero(books) -> None:
    # Every annual_premium empty used to show an in-force premium of 0 (a wrong figure).
    pol = books("policies").validated["policies"].assign(annual_premium=np.nan)
    res = compute_kpis(Dataset(validated={"policies": pol}, as_of=AS_OF))
    for kpi_id in ("in_force_premium", "new_business_premium"):
        assert res[kpi_id].value is None and "annual_premium is empty" in str(res[kpi_id].reason)
    assert res["in_force_policies"].value == 3
