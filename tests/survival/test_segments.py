"""Log-rank, pairwise tests, RMST, survival differences and km_by_segment on Datasets."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_waltons
from lifelines.statistics import logrank_test as ll_logrank_test
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import restricted_mean_survival_time

from memberdesk.analysis.survival import (
    holm_adjust,
    km_by_segment,
    logrank_test,
    pairwise_logrank,
    rmst_by_group,
    survival_difference,
)
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError


def _data(seed=0, n=900, k=4):
    rng = np.random.default_rng(seed)
    g = rng.choice([f"g{i}" for i in range(k)], n)
    scale = 8.0 + 3.0 * (np.searchsorted(sorted(set(g)), g))
    t = np.round(rng.exponential(scale))
    c = np.round(rng.uniform(0, 30, n))
    return np.minimum(t, c), (t <= c).astype(int), g


@pytest.mark.parametrize("k", [2, 3, 5])
def test_logrank_k_groups_matches_lifelines(k):
    d, e, g = _data(seed=k, k=k)
    ours = logrank_test(d, e, g)
    ref = multivariate_logrank_test(d, g, e)
    assert ours.test_statistic == pytest.approx(ref.test_statistic, rel=1e-10)
    assert ours.p_value == pytest.approx(ref.p_value, rel=1e-9)
    assert ours.degrees_of_freedom == k - 1
    assert ours.observed.sum() == e.sum()
    assert ours.expected.sum() == pytest.approx(e.sum())


def test_logrank_weighted_matches_lifelines():
    d, e, g = _data(seed=9, n=200, k=3)
    w = np.random.default_rng(9).integers(1, 4, d.size).astype(float)
    ref = multivariate_logrank_test(d, g, e, weights=w)
    assert logrank_test(d, e, g, weights=w).test_statistic == pytest.approx(ref.test_statistic, rel=1e-10)


def test_logrank_waltons():
    df = load_waltons()
    ref = multivariate_logrank_test(df["T"], df["group"], df["E"])
    assert logrank_test(df["T"], df["E"], df["group"]).test_statistic == pytest.approx(ref.test_statistic)


def test_pairwise_logrank_and_holm():
    d, e, g = _data(seed=2, k=3)
    table = pairwise_logrank(d, e, g)
    assert list(zip(table.group_a, table.group_b)) == [("g0", "g1"), ("g0", "g2"), ("g1", "g2")]
    for row in table.itertuples():
        m = (g == row.group_a) | (g == row.group_b)
        ref = ll_logrank_test(d[m & (g == row.group_a)], d[m & (g == row.group_b)],
                              e[m & (g == row.group_a)], e[m & (g == row.group_b)])
        assert row.test_statistic == pytest.approx(ref.test_statistic, rel=1e-9)
    # Holm by hand: p = (0.01, 0.04, 0.03) -> sorted 0.01*3, 0.03*2, max(0.04*1, 0.06) = 0.06
    np.testing.assert_allclose(holm_adjust([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])


def test_rmst_point_matches_lifelines_and_variance_by_hand():
    d, e, g = _data(seed=5, k=2)
    table = rmst_by_group(d, e, g, horizon=15.0)
    for row in table.itertuples():
        kmf = KaplanMeierFitter().fit(d[g == row.group], e[g == row.group])
        assert row.rmst == pytest.approx(restricted_mean_survival_time(kmf, 15.0), rel=1e-10)
    # Hand example: 2, 3, 3+, 5, 7+, 9 with tau = 6. S: 1 on [0,2), 5/6 on [2,3), 4/6 on
    # [3,5), 4/9 on [5,6]. RMST = 2 + 5/6 + 2*4/6 + 4/9 = 4.6111. A_i = area from t_i to 6:
    # A(2) = 5/6 + 8/6 + 4/9 = 2.6111, A(3) = 8/6 + 4/9 = 1.7778, A(5) = 4/9.
    # Var = A(2)^2/(6*5) + A(3)^2/(5*4) + A(5)^2/(3*2).
    hand = rmst_by_group([2, 3, 3, 5, 7, 9], [1, 1, 0, 1, 0, 1], ["a"] * 6, horizon=6)
    a2, a3, a5 = 5 / 6 + 8 / 6 + 4 / 9, 8 / 6 + 4 / 9, 4 / 9
    var = a2**2 / 30 + a3**2 / 20 + a5**2 / 6
    assert hand.loc[0, "rmst"] == pytest.approx(2 + 5 / 6 + 8 / 6 + 4 / 9)
    assert hand.loc[0, "se"] == pytest.approx(np.sqrt(var))
    ref, other = table.iloc[0], table.iloc[1]
    assert other.difference == pytest.approx(other.rmst - ref.rmst)
    assert other.difference_se == pytest.approx(np.hypot(other.se, ref.se))


def test_survival_difference_uses_greenwood():
    d, e, g = _data(seed=6, k=2)
    table = survival_difference(d, e, g, at=10.0, reference="g1")
    kms = {k: KaplanMeierFitter().fit(d[g == k], e[g == k]) for k in ("g0", "g1")}
    s0 = float(kms["g0"].predict(10.0))
    s1 = float(kms["g1"].predict(10.0))
    row = table.set_index("group").loc["g0"]
    assert row.difference == pytest.approx(s0 - s1, abs=1e-12)
    assert row.ci_lower < row.difference < row.ci_upper
    with pytest.raises(AnalysisError, match="reference"):
        survival_difference(d, e, g, at=10.0, reference="nope")


def test_logrank_needs_two_groups_and_events():
    with pytest.raises(AnalysisError, match="two groups"):
        logrank_test([1, 2, 3], [1, 0, 1], ["a", "a", "a"])
    with pytest.raises(AnalysisError, match="no events"):
        logrank_test([1, 2, 3], [0, 0, 0], ["a", "b", "a"])


def test_km_by_segment_on_dataset_matches_lifelines(dataset):
    res = km_by_segment(dataset, "channel")
    p = dataset.policies
    assert res.unit == "months" and [c.name for c in res.curves] == ["agency", "bank", "online"]
    for c in res.curves:
        part = p[p["channel"] == c.name]
        kmf = KaplanMeierFitter().fit(part["duration_months"], part["event"])
        np.testing.assert_allclose(c.survival, kmf.survival_function_.iloc[:, 0], atol=1e-9)
        defined = c.survival > 0  # S = 0: CI undefined (NaN, R's NA); lifelines says 0
        np.testing.assert_allclose(c.ci_upper[defined],
                                   kmf.confidence_interval_.iloc[:, 1][defined], atol=1e-9)
        assert np.isnan(c.ci_upper[~defined]).all()
        row = res.survival_at_times[(res.survival_at_times.group == c.name)
                                    & (res.survival_at_times.time == 24)].iloc[0]
        assert row.survival == pytest.approx(float(kmf.predict(24.0)))
        assert row.at_risk == (part["duration_months"] >= 24).sum()
    ref = multivariate_logrank_test(p["duration_months"], p["channel"], p["event"])
    assert res.logrank.test_statistic == pytest.approx(ref.test_statistic, rel=1e-10)
    # death / maturity are censored in the retention view
    assert sum(c.events for c in res.curves) == p["status"].isin(["lapsed", "surrendered"]).where(
        p["exit_status"] != "in_force", False).sum()


def test_km_json_shape_is_design_contract(dataset):
    out = json.loads(json.dumps(km_by_segment(dataset, "channel", unit="days").to_json()))
    # DESIGN §5 keys; "pairwise" (3+ groups, issue 16.3) is an additive field
    assert set(out) == {"unit", "groups", "logrank", "pairwise"} and out["unit"] == "days"
    assert {p["group_a"] for p in out["pairwise"]} == {"agency", "bank"}
    g = out["groups"][0]
    assert set(g) == {"name", "n", "events", "median", "timeline", "survival", "ci_lower",
                      "ci_upper", "at_risk"}
    assert isinstance(g["n"], int) and isinstance(g["at_risk"][0], int)
    assert len(g["timeline"]) == len(g["survival"]) == len(g["at_risk"])
    # DESIGN §5 keys plus the additive "test" naming the statistic (issue 16.3)
    assert set(out["logrank"]) == {"test_statistic", "degrees_of_freedom", "p_value", "test"}
    assert out["logrank"]["test"] == "logrank"
    overall = km_by_segment(dataset).to_json()
    assert overall["logrank"] is None and [x["name"] for x in overall["groups"]] == ["all"]


def test_missing_segment_values_dropped_as_r_and_counted_or_kept_on_request(generic_frame):
    # R's survfit/survdiff drop rows with NA in the grouping variable (na.action = na.omit)
    # (issue 10.6); the count is reported; missing="group" keeps them as their own group
    frame = generic_frame.copy()
    frame.loc[:9, "group"] = None
    res = km_by_segment(frame, "group", unit="days")
    assert [c.name for c in res.curves] == ["x", "y"]
    assert sum(c.n for c in res.curves) == len(frame) - 10
    assert res.excluded == {"missing_group": 10} and res.to_json()["excluded"] == {"missing_group": 10}
    kept = frame.iloc[10:]
    ref = multivariate_logrank_test(kept["duration"], kept["group"], kept["event"])
    assert res.logrank.test_statistic == pytest.approx(ref.test_statistic, rel=1e-10)
    assert logrank_test(frame["duration"], frame["event"], frame["group"]).test_statistic \
        == pytest.approx(ref.test_statistic, rel=1e-10)
    res = km_by_segment(frame, "group", unit="days", missing="group")
    assert [c.name for c in res.curves] == ["x", "y", "(missing)"]
    assert res.curve("(missing)").n == 10 and res.excluded == {}
    with pytest.raises(AnalysisError, match="nope") as info:
        km_by_segment(frame, "nope")
    assert info.value.column == "nope"


def test_generic_dataset_uses_raw_units(generic_frame):
    ds = Dataset(validated={"policies": generic_frame.assign(policy_id=range(len(generic_frame)))},
                 as_of=pd.Timestamp("2024-12-31"), generic=True)
    res = km_by_segment(ds, "group", unit=None)
    assert res.unit == "days"
    kmf = KaplanMeierFitter().fit(generic_frame["duration"][generic_frame.group == "x"],
                                  generic_frame["event"][generic_frame.group == "x"])
    np.testing.assert_allclose(res.curve("x").survival, kmf.survival_function_.iloc[:, 0], atol=1e-9)


def test_progress_and_cancel(dataset):
    class Stub:
        def __init__(self, cancel):
            self.fractions, self.cancel = [], cancel

        def fraction(self, x):
            self.fractions.append(x)

        def status(self, text):
            pass

        def cancelled(self):
            return self.cancel

    stub = Stub(False)
    km_by_segment(dataset, "channel", progress=stub)
    assert stub.fractions[-1] == 1.0
    from memberdesk.core.errors import Cancelled
    with pytest.raises(Cancelled):
        km_by_segment(dataset, "channel", progress=Stub(True))


def test_non_default_index_and_categorical_segment_order(generic_frame):
    frame = generic_frame.set_index(np.arange(len(generic_frame)) * 7 + 3)
    frame["band"] = pd.Categorical(np.where(frame["age"] < 40, "young", "old"),
                                   categories=["young", "old"], ordered=True)
    res = km_by_segment(frame, "band", unit="days")
    assert [c.name for c in res.curves] == ["young", "old"]
    assert res.curve("young").n == (frame["age"] < 40).sum()
