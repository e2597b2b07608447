"""Cox on collapsed identical rows (frequency weights) equals the fit on the rows themselves.

Expected values come from lifelines fitted on the UNcollapsed records (lifelines' own weighted
Efron treats weights as non-frequency weights, so it is not the reference here).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.statistics import proportional_hazard_test
from lifelines.utils import concordance_index as ll_concordance

from memberdesk.analysis import cox as cox_module
from memberdesk.analysis import cox_concordance
from memberdesk.analysis.cox import fit_cox
from memberdesk.analysis.cox_engine import concordance_index

TIGHT = {"precision": 1e-12, "r_precision": 1e-14}


def _grouped_frame(n: int = 6000, seed: int = 0) -> pd.DataFrame:
    """Categorical covariates and whole-month durations: many identical records."""
    rng = np.random.default_rng(seed)
    channel = rng.choice(["agency", "bank", "online"], n, p=[0.5, 0.3, 0.2])
    product = rng.choice(["term", "whole"], n, p=[0.6, 0.4])
    region = rng.choice(["N", "S"], n)
    lin = np.select([channel == "bank", channel == "online"], [0.3, 0.7], 0.0) \
        + 0.4 * (product == "whole") - 0.2 * (region == "S")
    t = np.ceil(rng.exponential(30 * np.exp(-lin)))
    c = np.ceil(rng.uniform(1, 36, n))
    return pd.DataFrame({"duration": np.minimum(t, c), "event": (t <= c).astype(int),
                         "channel": channel, "product": product, "region": region})


def _lifelines_design(df: pd.DataFrame, refs: dict[str, str]) -> pd.DataFrame:
    dummies = pd.get_dummies(df[list(refs)], prefix_sep="=", dtype=float)
    dummies = dummies.drop(columns=[f"{c}={r}" for c, r in refs.items()])
    return pd.concat([df[["duration", "event"]], dummies], axis=1)


@pytest.fixture
def spy_groups(monkeypatch):
    calls = []
    original = cox_module._identical_row_groups

    def spy(keys):
        out = original(keys)
        calls.append(out)
        return out

    monkeypatch.setattr(cox_module, "_identical_row_groups", spy)
    return calls


def test_collapsed_fit_equals_lifelines_on_the_records(spy_groups):
    df = _grouped_frame()
    res = fit_cox(df, ["channel", "product", "region"], ph_method="approximate")
    assert spy_groups[-1] is not None and spy_groups[-1][1] < len(df) / 2  # rows were collapsed
    design = _lifelines_design(df, res.reference_levels)
    cph = CoxPHFitter().fit(design, "duration", "event", fit_options=TIGHT)
    ours = res.coefficients.set_index("covariate")
    names = list(cph.params_.index)
    np.testing.assert_allclose(ours.loc[names, "coef"], cph.params_[names], atol=1e-6)
    np.testing.assert_allclose(ours.loc[names, "se"], cph.standard_errors_[names], atol=1e-6)
    assert res.log_likelihood == pytest.approx(cph.log_likelihood_, abs=1e-6)
    assert res.concordance == pytest.approx(cph.concordance_index_, abs=1e-9)
    # PH test: residuals of tied event times numbered in record order, as lifelines does
    ph = proportional_hazard_test(cph, design, time_transform="rank").summary
    got = res.ph_test.set_index("covariate").loc[names, "test_statistic"]
    np.testing.assert_allclose(got, ph.loc[names, "test_statistic"], rtol=1e-6)
    assert res.n == len(df) and res.events == int(df["event"].sum())


def test_collapsed_strata_fit_equals_lifelines(spy_groups):
    df = _grouped_frame(seed=1)
    res = fit_cox(df, ["channel", "product"], strata="region")
    assert spy_groups[-1] is not None
    design = _lifelines_design(df, res.reference_levels).assign(region=df["region"])
    cph = CoxPHFitter().fit(design, "duration", "event", strata=["region"], fit_options=TIGHT)
    ours = res.coefficients.set_index("covariate")
    names = list(cph.params_.index)
    np.testing.assert_allclose(ours.loc[names, "coef"], cph.params_[names], atol=1e-6)
    np.testing.assert_allclose(ours.loc[names, "se"], cph.standard_errors_[names], atol=1e-6)
    assert res.log_likelihood == pytest.approx(cph.log_likelihood_, abs=1e-6)


def test_collapsing_does_not_change_the_result(monkeypatch):
    # property: the same data fitted with collapsing switched off gives the same numbers
    df = _grouped_frame(seed=2).assign(age=lambda d: np.where(d["region"] == "N", 40.0, 50.0)
                                       + (d["product"] == "term"))
    collapsed = fit_cox(df, ["channel", "age"])
    monkeypatch.setattr(cox_module, "_identical_row_groups", lambda keys: None)
    plain = fit_cox(df, ["channel", "age"])
    pd.testing.assert_frame_equal(collapsed.coefficients, plain.coefficients, atol=1e-9, rtol=0)
    assert collapsed.concordance == pytest.approx(plain.concordance, abs=1e-12)
    assert collapsed.log_likelihood == pytest.approx(plain.log_likelihood, abs=1e-8)
    np.testing.assert_allclose(collapsed.ph_test["test_statistic"],
                               plain.ph_test["test_statistic"], rtol=1e-7)


@pytest.mark.parametrize("table_cells", [0, cox_concordance.TABLE_CELLS])
@pytest.mark.parametrize("seed", [0, 1])
def test_weighted_concordance_equals_repeated_rows(monkeypatch, table_cells, seed):
    monkeypatch.setattr(cox_concordance, "TABLE_CELLS", table_cells)  # 0: the sorting path
    rng = np.random.default_rng(seed)
    n = 400
    d = np.round(rng.exponential(8, n))
    e = rng.integers(0, 2, n)
    risk = np.round(rng.normal(size=n), 1)  # many tied risks
    w = rng.integers(1, 5, n)
    expected = ll_concordance(np.repeat(d, w), -np.repeat(risk, w), np.repeat(e, w))
    assert concordance_index(d, risk, e, weights=w) == pytest.approx(expected, abs=1e-12)
    assert concordance_index(d, risk, e) == pytest.approx(ll_concordance(d, -risk, e), abs=1e-12)


def test_without_diagnostics_the_coefficients_are_the_same():
    df = _grouped_frame(seed=3)
    full = fit_cox(df, ["channel", "product"])
    bare = fit_cox(df, ["channel", "product"], diagnostics=False)
    pd.testing.assert_frame_equal(full.coefficients, bare.coefficients)
    assert bare.ph_test.empty and np.isnan(bare.concordance)
