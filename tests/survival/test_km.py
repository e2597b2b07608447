"""Kaplan-Meier and Nelson-Aalen: hand-worked values, lifelines agreement, properties."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter, NelsonAalenFitter
from lifelines.datasets import load_waltons
from lifelines.utils import median_survival_times

from memberdesk.analysis.survival import kaplan_meier, nelson_aalen
from memberdesk.core.errors import AnalysisError


def _assert_matches_lifelines(durations, events, weights=None):
    """Every point as lifelines, except where S = 0: there the log-log CI is undefined and
    MemberDesk reports NaN (R's NA) where lifelines reports [0, 0]. The median by lifelines'
    first-time rule (``median_rule="first"``); R's midpoint rule is tested against R."""
    kmf = KaplanMeierFitter().fit(durations, events, weights=weights)
    curve = kaplan_meier(durations, events, weights=weights, median_rule="first")
    np.testing.assert_allclose(curve.timeline, kmf.timeline, rtol=0, atol=0)
    np.testing.assert_allclose(curve.survival, kmf.survival_function_.iloc[:, 0], rtol=0, atol=1e-9)
    ci = kmf.confidence_interval_.to_numpy()
    defined = curve.survival > 0
    np.testing.assert_allclose(curve.ci_lower[defined], ci[defined, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(curve.ci_upper[defined], ci[defined, 1], rtol=0, atol=1e-9)
    assert np.isnan(curve.ci_lower[~defined]).all() and np.isnan(curve.ci_upper[~defined]).all()
    et = kmf.event_table
    np.testing.assert_allclose(curve.at_risk, et["at_risk"])
    np.testing.assert_allclose(curve.observed, et["observed"])
    np.testing.assert_allclose(curve.censored, et["censored"])
    assert curve.median == kmf.median_survival_time_
    # lifelines reads the median's CI off CI curves that are 0 where S = 0; with NaN there the
    # upper limit can only differ when the upper curve first reaches 0.5 at such a point
    med_ci = median_survival_times(kmf.confidence_interval_).to_numpy()[0]
    assert curve.median_ci_lower == med_ci[0]
    upper_hits = np.flatnonzero(ci[:, 1] <= 0.5)
    if upper_hits.size and defined[upper_hits[0]]:
        assert curve.median_ci_upper == med_ci[1]
    else:
        assert curve.median_ci_upper == np.inf
    return curve


def test_six_policy_hand_worked_example():
    # durations (months) 2, 3, 3+, 5, 7+, 9 ; event 1 = lapse, 0 = censored (+)
    #  t   n at risk  d  c   S(t)
    #  0       6      0  0   1
    #  2       6      1  0   1 * (1 - 1/6)     = 5/6
    #  3       5      1  1   5/6 * (1 - 1/5)   = 4/6
    #  5       3      1  0   4/6 * (1 - 1/3)   = 4/9
    #  7       2      0  1   4/9
    #  9       1      1  0   4/9 * (1 - 1/1)   = 0
    # Greenwood at 5: 1/(6*5) + 1/(5*4) + 1/(3*2) = 0.25
    # log(-log) CI at 5: v = log(4/9) = -0.8109302; z sqrt(G)/v = 1.959964*0.5/v = -1.2084665
    #   lower = exp(-exp(log(-v) + 1.2084665)) = 0.0661868, upper = exp(-exp(log(-v) - 1.2084665)) = 0.7849084
    # at 2: G = 1/30, lower 0.2731228, upper 0.9747124. Median: first S <= 0.5 -> t = 5.
    c = kaplan_meier([2, 3, 3, 5, 7, 9], [1, 1, 0, 1, 0, 1])
    np.testing.assert_allclose(c.timeline, [0, 2, 3, 5, 7, 9])
    np.testing.assert_allclose(c.survival, [1, 5 / 6, 4 / 6, 4 / 9, 4 / 9, 0], atol=1e-12)
    np.testing.assert_array_equal(c.at_risk, [6, 6, 5, 3, 2, 1])
    np.testing.assert_array_equal(c.observed, [0, 1, 1, 1, 0, 1])
    np.testing.assert_array_equal(c.censored, [0, 0, 1, 0, 1, 0])
    assert c.greenwood[3] == pytest.approx(0.25)
    assert c.ci_lower[3] == pytest.approx(0.0661868, abs=1e-7)
    assert c.ci_upper[3] == pytest.approx(0.7849084, abs=1e-7)
    assert c.ci_lower[1] == pytest.approx(0.2731228, abs=1e-7)
    assert c.ci_upper[1] == pytest.approx(0.9747124, abs=1e-7)
    assert c.median == 5.0
    assert (c.n, c.events) == (6, 4)
    # step function: S(4.9) = S(3) = 4/6, before the first event 1, at-risk counts duration >= t
    np.testing.assert_allclose(c.survival_at([0, 1.9, 4.9, 5, 100]), [1, 1, 4 / 6, 4 / 9, 0])
    np.testing.assert_array_equal(c.at_risk_at([0, 3, 3.5, 9, 10]), [6, 5, 3, 1, 0])
    counts = c.interval_counts([3, 6, 12])
    np.testing.assert_array_equal(counts["events"], [2, 1, 1])
    np.testing.assert_array_equal(counts["censored"], [1, 0, 1])
    np.testing.assert_array_equal(counts["at_risk"], [6, 3, 2])  # entering: all; > 3; > 6


def test_waltons_matches_lifelines_every_point():
    df = load_waltons()
    for _, part in df.groupby("group"):
        _assert_matches_lifelines(part["T"].to_numpy(), part["E"].to_numpy())
    _assert_matches_lifelines(df["T"].to_numpy(), df["E"].to_numpy())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_ties_and_zero_durations_match_lifelines(seed):
    rng = np.random.default_rng(seed)
    d = np.round(rng.exponential(12, 800))  # many ties, some zeros
    e = (rng.random(800) < 0.6).astype(int)
    curve = _assert_matches_lifelines(d, e)
    assert curve.timeline[0] == 0


def test_curve_reaching_zero_matches_lifelines():
    _assert_matches_lifelines(np.array([1.0, 2, 3, 4]), np.array([1, 0, 1, 1]))


def test_count_weights_equal_expanded_rows_and_lifelines():
    rng = np.random.default_rng(3)
    d = rng.integers(1, 30, 60).astype(float)
    e = rng.integers(0, 2, 60)
    w = rng.integers(1, 5, 60).astype(float)
    weighted = _assert_matches_lifelines(d, e, weights=w)
    expanded = kaplan_meier(np.repeat(d, w.astype(int)), np.repeat(e, w.astype(int)))
    np.testing.assert_allclose(weighted.survival, expanded.survival, atol=1e-12)
    np.testing.assert_allclose(weighted.ci_lower, expanded.ci_lower, atol=1e-12)


def test_nelson_aalen_matches_lifelines():
    rng = np.random.default_rng(4)
    d = np.round(rng.exponential(8, 500))
    e = (rng.random(500) < 0.7).astype(int)
    for smoothing in (True, False):
        naf = NelsonAalenFitter(nelson_aalen_smoothing=smoothing).fit(d, e)
        na = nelson_aalen(d, e, smoothing=smoothing)
        np.testing.assert_allclose(na.timeline, naf.timeline)
        np.testing.assert_allclose(na.cumulative_hazard, naf.cumulative_hazard_.iloc[:, 0], atol=1e-9)
        ci = naf.confidence_interval_.to_numpy()
        np.testing.assert_allclose(na.ci_lower, ci[:, 0], atol=1e-9)
        np.testing.assert_allclose(na.ci_upper, ci[:, 1], atol=1e-9)


def test_all_censored_gives_survival_one_and_no_median():
    c = kaplan_meier([1, 2, 3], [0, 0, 0])
    np.testing.assert_array_equal(c.survival, 1.0)
    np.testing.assert_array_equal(c.ci_lower, 1.0)
    assert c.median == np.inf and c.to_json()["median"] is None


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.booleans()), min_size=1, max_size=60),
       st.randoms(use_true_random=False))
def test_properties_monotone_bounded_ci_brackets_order_invariant(rows, rnd):
    d = np.array([r[0] for r in rows], dtype=float)
    e = np.array([r[1] for r in rows], dtype=int)
    c = kaplan_meier(d, e)
    assert np.all(np.diff(c.survival) <= 1e-15)
    assert np.all((c.survival >= 0) & (c.survival <= 1))
    defined = c.survival > 0  # the CI is undefined (NaN) exactly where S = 0
    assert np.isnan(c.ci_lower[~defined]).all() and np.isnan(c.ci_upper[~defined]).all()
    assert np.all(c.ci_lower[defined] <= c.survival[defined] + 1e-12)
    assert np.all(c.survival[defined] <= c.ci_upper[defined] + 1e-12)
    perm = list(range(len(rows)))
    rnd.shuffle(perm)
    shuffled = kaplan_meier(d[perm], e[perm])
    np.testing.assert_array_equal(shuffled.timeline, c.timeline)
    np.testing.assert_allclose(shuffled.survival, c.survival, atol=0)
    np.testing.assert_allclose(shuffled.ci_upper, c.ci_upper, atol=0)


@pytest.mark.parametrize("durations, events, match", [
    ([1, -2], [1, 0], "negative"),
    ([1, np.nan], [1, 0], "missing"),
    ([1, 2], [1, 2], "0/1"),
    ([1, 2, 3], [1, 0], "differ"),
    ([], [], "no records"),
])
def test_bad_inputs_raise_clear_errors(durations, events, match):
    with pytest.raises(AnalysisError, match=match):
        kaplan_meier(np.array(durations, dtype=float), np.array(events, dtype=float))


def test_interval_table_is_json_ready():
    c = kaplan_meier(pd.Series([1.5, 2.5, 2.5]), pd.Series([True, False, True]))
    j = c.to_json()
    assert j["at_risk"] == [3, 3, 2] and isinstance(j["at_risk"][0], int)
    assert j["n"] == 3 and j["events"] == 2


@pytest.mark.parametrize("dof", [1, 2, 3, 4, 5, 8, 11])
@pytest.mark.parametrize("x", [0.0, 1e-6, 0.3, 2.0, 7.5, 40.0, 300.0])
def test_chi2_and_normal_tails_match_scipy(dof, x):
    # the CLI avoids importing scipy.stats at start-up; scipy is the independent reference
    from scipy import stats

    from memberdesk.analysis.km import chi2_sf, normal_quantile, normal_sf

    assert chi2_sf(x, dof) == pytest.approx(stats.chi2.sf(x, dof), rel=1e-12, abs=1e-300)
    assert normal_sf(np.array([x / 10]))[0] == pytest.approx(stats.norm.sf(x / 10), rel=1e-12)
    assert normal_quantile(0.975) == pytest.approx(stats.norm.ppf(0.975), rel=1e-14)
