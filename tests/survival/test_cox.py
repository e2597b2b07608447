"""Cox model: lifelines agreement, published Rossi values, encoding and refusals."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.datasets import load_rossi
from lifelines.statistics import proportional_hazard_test
from lifelines.utils import concordance_index as ll_concordance

from memberdesk.analysis.cox import fit_cox, ph_verdict
from memberdesk.analysis.cox_engine import concordance_index
from memberdesk.core.errors import AnalysisError

ROSSI_COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
# lifelines stops Newton-Raphson at its default precision (1e-7 on the step norm), which can
# leave a coefficient ~2e-6 short of the maximum; comparisons at 1e-6 use a converged fit.
TIGHT = {"precision": 1e-12, "r_precision": 1e-14}


@pytest.fixture(scope="module")
def rossi():
    return load_rossi()


@pytest.fixture(scope="module")
def rossi_fit(rossi):
    # the old Grambsch-Therneau approximation: lifelines computes that one (the exact test,
    # the default, is checked against R in test_cox_r_reference.py)
    return fit_cox(rossi.rename(columns={"week": "duration", "arrest": "event"}), ROSSI_COVARIATES,
                   ph_method="approximate")


def test_rossi_published_coefficients(rossi_fit):
    # lifelines documentation, "Survival regression" (CoxPHFitter on load_rossi, Efron ties):
    # fin -0.38 (se 0.19), age -0.06 (0.02), prio 0.09 (0.03), concordance 0.64,
    # partial log-likelihood -658.75. Same values as R coxph (Fox & Weisberg, 2018 appendix).
    c = rossi_fit.coefficients.set_index("covariate")
    assert c.loc["fin", "coef"] == pytest.approx(-0.379, abs=5e-4)
    assert c.loc["age", "coef"] == pytest.approx(-0.057, abs=5e-4)
    assert c.loc["prio", "coef"] == pytest.approx(0.091, abs=6e-4)
    assert c.loc["fin", "se"] == pytest.approx(0.19, abs=5e-3)
    assert rossi_fit.log_likelihood == pytest.approx(-658.75, abs=5e-3)
    assert rossi_fit.concordance == pytest.approx(0.64, abs=5e-3)


def test_rossi_matches_lifelines_to_1e6(rossi, rossi_fit):
    cph = CoxPHFitter().fit(rossi, "week", "arrest", fit_options=TIGHT)
    c = rossi_fit.coefficients.set_index("covariate").loc[ROSSI_COVARIATES]
    s = cph.summary.loc[ROSSI_COVARIATES]
    np.testing.assert_allclose(c["coef"], s["coef"], atol=1e-6)
    np.testing.assert_allclose(c["se"], s["se(coef)"], atol=1e-6)
    np.testing.assert_allclose(c["p_value"], s["p"], atol=1e-6)
    np.testing.assert_allclose(c["ci_lower"], s["exp(coef) lower 95%"], rtol=1e-6)
    np.testing.assert_allclose(c["ci_upper"], s["exp(coef) upper 95%"], rtol=1e-6)
    assert rossi_fit.log_likelihood == pytest.approx(cph.log_likelihood_, abs=1e-6)
    assert rossi_fit.concordance == pytest.approx(cph.concordance_index_, abs=1e-12)
    ph = proportional_hazard_test(cph, rossi, time_transform="rank").summary
    ours = rossi_fit.ph_test.set_index("covariate").loc[ph.index]
    np.testing.assert_allclose(ours["test_statistic"], ph["test_statistic"], rtol=1e-6)
    assert rossi_fit.n == 432 and rossi_fit.events == 114


def test_categorical_one_hot_against_most_frequent_level_matches_lifelines():
    rng = np.random.default_rng(0)
    n = 1500
    channel = rng.choice(["agency", "bank", "online"], n, p=[0.5, 0.3, 0.2])
    age = rng.normal(45, 10, n)
    lin = np.select([channel == "bank", channel == "online"], [0.4, 0.8], 0.0) - 0.02 * (age - 45)
    t = np.round(rng.exponential(20 * np.exp(-lin)), 1)
    c = rng.uniform(0, 40, n).round(1)
    df = pd.DataFrame({"duration": np.minimum(t, c), "event": (t <= c).astype(int),
                       "channel": channel, "age": age})
    res = fit_cox(df, ["channel", "age"])
    assert res.reference_levels == {"channel": "agency"}
    assert list(res.coefficients.covariate) == ["channel=bank", "channel=online", "age"]
    dummies = pd.get_dummies(df["channel"], prefix="channel", prefix_sep="=", dtype=float)
    ll_df = pd.concat([df[["duration", "event", "age"]],
                       dummies[["channel=bank", "channel=online"]]], axis=1)
    cph = CoxPHFitter().fit(ll_df, "duration", "event", fit_options=TIGHT)
    ours = res.coefficients.set_index("covariate")
    for name in ["channel=bank", "channel=online", "age"]:
        assert ours.loc[name, "coef"] == pytest.approx(cph.params_[name], abs=1e-6)
        assert ours.loc[name, "se"] == pytest.approx(cph.standard_errors_[name], abs=1e-6)
    assert res.concordance == pytest.approx(cph.concordance_index_, abs=1e-12)


def test_strata_match_lifelines(rossi):
    res = fit_cox(rossi.rename(columns={"week": "duration", "arrest": "event"}),
                  ["fin", "age", "prio"], strata="race")
    # lifelines fits every column not named as strata/duration/event; refit on the same set
    cph = CoxPHFitter().fit(rossi[["week", "arrest", "fin", "age", "prio", "race"]], "week",
                            "arrest", strata=["race"], fit_options=TIGHT)
    np.testing.assert_allclose(res.coefficients.set_index("covariate").loc[["fin", "age", "prio"], "coef"],
                               cph.params_.loc[["fin", "age", "prio"]], atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1])
def test_concordance_with_ties_matches_lifelines(seed):
    rng = np.random.default_rng(seed)
    n = 700
    d = np.round(rng.exponential(10, n))
    e = rng.integers(0, 2, n)
    risk = rng.normal(size=n)
    risk[: n // 3] = np.round(risk[: n // 3])  # tied predictions
    assert concordance_index(d, risk, e) == pytest.approx(ll_concordance(d, -risk, e), abs=1e-12)


def test_json_is_design_contract(rossi_fit):
    out = json.loads(json.dumps(rossi_fit.to_json()))
    assert {"n", "events", "coefficients", "concordance", "log_likelihood", "strata",
            "ph_test"} <= set(out)
    assert set(out["coefficients"][0]) == {"covariate", "coef", "se", "hazard_ratio", "ci_lower",
                                           "ci_upper", "p_value"}
    row = out["coefficients"][0]
    assert row["hazard_ratio"] == pytest.approx(np.exp(row["coef"]))
    assert row["ci_lower"] < row["hazard_ratio"] < row["ci_upper"]


def test_ph_verdicts_in_plain_words():
    assert ph_verdict(0.41) == "proportional hazards look reasonable (p = 0.41)"
    assert ph_verdict(0.003) == ("effect changes over time (p < 0.01): read the hazard ratio "
                                 "as an average")
    assert ph_verdict(0.03).startswith("effect changes over time (p = 0.03)")


def _frame(n=400, seed=3):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"duration": rng.exponential(10, n).round(1),
                         "event": rng.integers(0, 2, n), "age": rng.normal(40, 8, n),
                         "channel": rng.choice(["a", "b"], n),
                         "issued": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D")})


@pytest.mark.parametrize("covariates, match, column", [
    (["nope"], "unknown column 'nope'", "nope"),
    (["issued"], "is a date", "issued"),
    (["const"], "same value in every row", "const"),
    (["single"], "single value", "single"),
    (["age", "age2"], "collinear: 'age2' is determined by 'age'", "age2"),
    (["channel", "is_b"], "collinear", "is_b"),
    (["ident"], "at most 50 levels", "ident"),
])
def test_refusals_name_the_column(covariates, match, column):
    df = _frame()
    df = df.assign(const=1.0, single="x", age2=2 * df["age"] + 3,
                   is_b=(df["channel"] == "b").astype(float), ident=[f"id{i}" for i in range(len(df))])
    with pytest.raises(AnalysisError, match=match) as info:
        fit_cox(df, covariates)
    assert info.value.column == column


def test_too_few_events_and_no_covariates():
    df = _frame(n=60).assign(event=0)
    df.loc[:4, "event"] = 1
    with pytest.raises(AnalysisError, match="too few events to fit a Cox model: 5 events"):
        fit_cox(df, ["age"])
    with pytest.raises(AnalysisError, match="at least one covariate"):
        fit_cox(_frame(), [])


def test_separation_is_a_convergence_error():
    df = _frame(n=300)
    df["event"] = (df["channel"] == "b").astype(int)  # nobody in channel a lapses
    with pytest.raises(AnalysisError, match="did not converge") as info:
        fit_cox(df, ["channel", "age"])
    assert info.value.column == "channel"


def test_missing_numeric_rows_are_dropped_and_counted():
    df = _frame()
    df.loc[:9, "age"] = np.nan
    res = fit_cox(df, ["age", "channel"])
    assert res.n_dropped == 10 and res.n == len(df) - 10
    assert any("left out" in note for note in res.notes)


def test_dataset_input(dataset):
    res = fit_cox(dataset, ["channel", "annual_premium"])
    p = dataset.policies
    assert res.n == len(p) and res.events == int(p["event"].sum())
    assert res.reference_levels["channel"] == p["channel"].value_counts().index[0]
