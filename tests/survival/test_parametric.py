"""Parametric projections: the count-weighted fits equal lifelines on every row."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from lifelines import ExponentialFitter, LogLogisticFitter, LogNormalFitter, WeibullFitter

from memberdesk.analysis.parametric import MODELS, ZERO_DURATION_MONTHS, fit_parametric
from memberdesk.core.errors import AnalysisError

FITTERS = {"exponential": ExponentialFitter, "weibull": WeibullFitter,
           "lognormal": LogNormalFitter, "loglogistic": LogLogisticFitter}
# lifelines' default L-BFGS-B tolerances leave parameters ~1e-5 apart depending on the
# starting point; both sides are compared at the optimum, so tighten them for the reference.
TIGHT = {"gtol": 1e-12, "ftol": 1e-15, "maxiter": 2000}


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    n = 1200
    t = rng.weibull(0.8, n) * 60
    c = rng.uniform(1, 120, n)
    days = np.ceil(np.minimum(t, c) * 30.4375)  # whole days -> many tied durations
    return pd.DataFrame({"duration": days / 30.4375, "event": (t <= c).astype(int)})


@pytest.fixture(scope="module")
def result(frame):
    return fit_parametric(frame, horizon_months=120)


@pytest.mark.parametrize("model", MODELS)
def test_weighted_fit_equals_unweighted_lifelines(frame, result, model):
    ref = FITTERS[model]().fit(frame["duration"], frame["event"], fit_options=TIGHT)
    row = result.fits.set_index("model").loc[model]
    for name, value in ref.params_.items():
        assert row.parameters[name] == pytest.approx(value, rel=1e-5, abs=1e-6)
    assert row.log_likelihood == pytest.approx(ref.log_likelihood_, abs=1e-6)
    k = len(ref.params_)
    assert row.aic == pytest.approx(ref.AIC_, abs=1e-5)
    assert row.bic == pytest.approx(k * np.log(len(frame)) - 2 * ref.log_likelihood_, abs=1e-5)
    proj = result.projection(model).set_index("time")
    times = np.array([12.0, 60.0, 120.0])
    np.testing.assert_allclose(proj.loc[times, "survival"], ref.survival_function_at_times(times),
                               atol=1e-5)
    ref_ci = FITTERS[model]().fit(frame["duration"], frame["event"], timeline=times,
                                  fit_options=TIGHT).confidence_interval_survival_function_
    np.testing.assert_allclose(proj.loc[times, ["ci_lower", "ci_upper"]], ref_ci, atol=1e-4)


def test_best_model_by_aic_and_weibull_wins_on_weibull_data(result):
    assert result.fits["best"].sum() == 1
    assert result.best_model == result.fits.loc[result.fits["aic"].idxmin(), "model"]
    assert result.best_model == "weibull"  # data were simulated from a Weibull
    w = result.fits.set_index("model").loc["weibull", "parameters"]
    assert w["rho_"] == pytest.approx(0.8, abs=0.05)


def test_projection_shape_and_json(result):
    proj = result.projection("weibull")
    assert proj["time"].iloc[0] == 0 and proj["time"].iloc[-1] == 120
    assert proj["survival"].iloc[0] == 1.0
    assert np.all(np.diff(proj["survival"]) <= 0)
    assert np.all(proj["ci_lower"] <= proj["survival"] + 1e-12)
    out = json.loads(json.dumps(result.to_json()))
    assert out["best_model"] == "weibull" and len(out["models"]) == 4
    assert result.km.survival[0] == 1.0 and result.km.n == 1200


def test_zero_durations_and_bad_inputs():
    df = pd.DataFrame({"duration": [0.0, 1, 2, 3, 4, 5, 6, 7], "event": [1, 1, 0, 1, 1, 0, 1, 1]})
    res = fit_parametric(df, models=("exponential",))
    ref = ExponentialFitter().fit(df["duration"].replace(0.0, ZERO_DURATION_MONTHS), df["event"],
                                  fit_options=TIGHT)
    assert res.fits.loc[0, "parameters"]["lambda_"] == pytest.approx(ref.lambda_, rel=1e-6)
    with pytest.raises(AnalysisError, match="unknown model 'gamma'"):
        fit_parametric(df, models=("gamma",))
    with pytest.raises(AnalysisError, match="no events"):
        fit_parametric(df.assign(event=0))


def test_dataset_input_uses_months(dataset):
    res = fit_parametric(dataset, horizon_months=60, models=("exponential", "weibull"))
    p = dataset.policies
    assert res.unit == "months" and res.n == len(p) and res.events == int(p["event"].sum())
    # exponential MLE in closed form: lambda_ (scale) = total time / events
    lam = np.where(p["duration_months"] <= 0, ZERO_DURATION_MONTHS, p["duration_months"]).sum() / p["event"].sum()
    assert res.fits.set_index("model").loc["exponential", "parameters"]["lambda_"] == pytest.approx(lam, rel=1e-5)
