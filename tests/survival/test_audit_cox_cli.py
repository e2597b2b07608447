"""Audit of `memberdesk cox`, parametric fits and competing risks (issue 3) against lifelines
called directly on independently prepared data."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import (
    AalenJohansenFitter,
    CoxPHFitter,
    ExponentialFitter,
    LogLogisticFitter,
    LogNormalFitter,
    WeibullFitter,
)
from lifelines.datasets import load_rossi
from lifelines.statistics import proportional_hazard_test

from memberdesk.analysis.competing import cumulative_incidence
from memberdesk.analysis.cox import fit_cox
from memberdesk.analysis.parametric import fit_parametric
from memberdesk.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
ROSSI_COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
COEF_KEYS = {"covariate", "coef", "se", "hazard_ratio", "ci_lower", "ci_upper", "p_value"}


def _run_json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def rossi_csv(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    frame = load_rossi()
    path = tmp_path_factory.mktemp("rossi") / "rossi.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_rossi_cli_matches_lifelines_to_1e6(capsys, rossi_csv):
    path, frame = rossi_csv
    out = _run_json(capsys, ["cox", str(path), "--duration", "week", "--event-col", "arrest",
                             "--covariates", ",".join(ROSSI_COVARIATES), "--json"])
    assert {"n", "events", "coefficients", "concordance", "log_likelihood", "strata",
            "ph_test"} <= set(out)  # issue 10: strata and the exact PH test added
    cph = CoxPHFitter().fit(frame, "week", "arrest")
    s = cph.summary
    assert out["n"] == 432 and out["events"] == 114
    assert [c["covariate"] for c in out["coefficients"]] == ROSSI_COVARIATES
    for c in out["coefficients"]:
        assert set(c) == COEF_KEYS
        row = s.loc[c["covariate"]]
        assert c["coef"] == pytest.approx(row["coef"], rel=1e-6, abs=1e-9)
        assert c["se"] == pytest.approx(row["se(coef)"], rel=1e-6)
        assert c["hazard_ratio"] == pytest.approx(row["exp(coef)"], rel=1e-6)
        assert c["ci_lower"] == pytest.approx(row["exp(coef) lower 95%"], rel=1e-6)
        assert c["ci_upper"] == pytest.approx(row["exp(coef) upper 95%"], rel=1e-6)
        assert c["p_value"] == pytest.approx(row["p"], rel=1e-5)
    assert out["concordance"] == pytest.approx(cph.concordance_index_, abs=1e-12)
    assert out["log_likelihood"] == pytest.approx(cph.log_likelihood_, abs=1e-6)


def test_rossi_ph_test_matches_lifelines_rank_transform():
    frame = load_rossi()
    # the old approximation, now an explicitly named option (issue 10: exact test by default)
    res = fit_cox(frame.rename(columns={"week": "duration", "arrest": "event"}), ROSSI_COVARIATES,
                  ph_method="approximate")
    cph = CoxPHFitter().fit(frame, "week", "arrest")
    ref = proportional_hazard_test(cph, frame, time_transform="rank").summary
    ph = res.ph_test.set_index("covariate")
    for name in ROSSI_COVARIATES:
        assert ph.loc[name, "test_statistic"] == pytest.approx(ref.loc[name, "test_statistic"], rel=1e-5)
        assert ph.loc[name, "p_value"] == pytest.approx(ref.loc[name, "p"], rel=1e-5)
    assert "changes over time" in ph.loc["age", "verdict"]          # p = 0.0007
    assert "reasonable" in ph.loc["fin", "verdict"]                 # p = 0.90


@pytest.fixture(scope="module")
def sample_frame() -> pd.DataFrame:
    """months, event, channel, annual_premium of the sample book from the raw CSVs."""
    dates = {"policies.csv": ["issue_date", "end_date"], "claims.csv": ["reported_at", "settled_at"],
             "benefit_usage.csv": ["used_at"], "service_contacts.csv": ["started_at"],
             "members.csv": ["join_date"]}
    as_of = max(pd.to_datetime(pd.read_csv(SAMPLE / f)[c]).max()
                for f, cols in dates.items() for c in cols).normalize()
    p = pd.read_csv(SAMPLE / "policies.csv", parse_dates=["issue_date", "end_date"])
    ended = p["end_date"].notna() & (p["end_date"] <= as_of)
    days = (p["end_date"].where(ended, as_of) - p["issue_date"]).dt.days
    return pd.DataFrame({"T": days / (365.25 / 12),
                         "E": (ended & p["status"].isin(["lapsed", "surrendered"])).astype(int),
                         "channel": p["channel"], "annual_premium": p["annual_premium"],
                         "status": np.where(ended, p["status"], "in_force")})


def test_categorical_one_hot_against_most_frequent_level(capsys, sample_frame):
    out = _run_json(capsys, ["cox", str(SAMPLE), "--covariates", "channel,annual_premium", "--json"])
    reference = sample_frame["channel"].value_counts().idxmax()
    assert reference == "agency"
    levels = sorted(set(sample_frame["channel"]) - {reference})
    names = [c["covariate"] for c in out["coefficients"]]
    assert names == [f"channel={lv}" for lv in levels] + ["annual_premium"]
    dummies = pd.get_dummies(sample_frame["channel"], prefix="channel", prefix_sep="=",
                             dtype=float).drop(columns=f"channel={reference}")
    x = pd.concat([sample_frame[["T", "E", "annual_premium"]], dummies], axis=1)
    # tight tolerance so the reference is the maximum itself (lifelines' default stops ~1e-6
    # relative short of it on annual_premium)
    cph = CoxPHFitter().fit(x, "T", "E", fit_options={"precision": 1e-12, "max_steps": 100})
    for c in out["coefficients"]:
        assert c["coef"] == pytest.approx(cph.params_[c["covariate"]], rel=1e-6)
        assert c["se"] == pytest.approx(cph.standard_errors_[c["covariate"]], rel=1e-6)
    assert out["n"] == len(sample_frame) and out["events"] == int(sample_frame["E"].sum())
    assert out["concordance"] == pytest.approx(cph.concordance_index_, abs=1e-9)
    assert out["log_likelihood"] == pytest.approx(cph.log_likelihood_, abs=1e-6)


# ---- bad inputs --------------------------------------------------------------------------------

@pytest.fixture
def generic_csv(tmp_path) -> Path:
    rng = np.random.default_rng(0)
    n = 60
    frame = pd.DataFrame({"T": rng.integers(1, 50, n), "E": rng.integers(0, 2, n),
                          "const": 7, "ident": [f"x{i}" for i in range(n)],
                          "num": rng.random(n), "grp": np.where(np.arange(n) % 2, "a", "b")})
    frame["twice"] = frame["num"] * 2
    path = tmp_path / "gen.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("covariates", "column"), [
    ("const", "const"),          # constant covariate
    ("ident", "ident"),          # text with a level per row: not a usable covariate
    ("nope", "nope"),            # unknown column
    ("num,twice", "twice"),      # collinear
])
def test_bad_covariates_exit_3_naming_the_column(capsys, generic_csv, covariates, column):
    assert main(["cox", str(generic_csv), "--duration", "T", "--event-col", "E",
                 "--covariates", covariates]) == 3
    assert f"column {column!r}" in capsys.readouterr().err


def test_missing_covariates_is_a_usage_error(capsys, generic_csv):
    with pytest.raises(SystemExit) as exc:
        main(["cox", str(generic_csv), "--duration", "T", "--event-col", "E"])
    assert exc.value.code == 2
    assert "--covariates" in capsys.readouterr().err


def test_no_events_is_exit_3(capsys, tmp_path):
    path = tmp_path / "none.csv"
    path.write_text("T,E,g\n" + "".join(f"{i + 1},0,{'ab'[i % 2]}\n" for i in range(30)))
    assert main(["cox", str(path), "--duration", "T", "--event-col", "E", "--covariates", "g"]) == 3
    assert "too few events" in capsys.readouterr().err


# ---- parametric and competing risks -----------------------------------------------------------

@pytest.mark.filterwarnings("ignore")
def test_parametric_aic_bic_and_projection_beyond_data_match_lifelines(sample_frame):
    res = fit_parametric(sample_frame.rename(columns={"T": "duration", "E": "event"}),
                         horizon_months=180)
    d = np.where(sample_frame["T"] <= 0, 0.5 / (365.25 / 12), sample_frame["T"])
    e = sample_frame["E"].to_numpy()
    fits = res.fits.set_index("model")
    aics = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, fitter in [("exponential", ExponentialFitter), ("weibull", WeibullFitter),
                             ("lognormal", LogNormalFitter), ("loglogistic", LogLogisticFitter)]:
            f = fitter().fit(d, e)
            k = len(f._fitted_parameter_names)
            aics[name] = f.AIC_
            assert fits.loc[name, "aic"] == pytest.approx(f.AIC_, rel=1e-9)
            assert fits.loc[name, "bic"] == pytest.approx(k * np.log(len(d)) - 2 * f.log_likelihood_,
                                                          rel=1e-9)
            proj = res.projection(name).set_index("time")["survival"]
            assert proj.index.max() == 180 > sample_frame["T"].max()
            # optimiser tolerance: lifelines' own weighted vs unweighted fits differ ~1e-5
            np.testing.assert_allclose(proj.loc[[60.0, 120.0, 180.0]],
                                       f.survival_function_at_times([60, 120, 180]), atol=5e-5)
    assert fits.index[fits["best"]].tolist() == [min(aics, key=aics.get)]


def test_aalen_johansen_matches_lifelines_tie_free_and_adds_up():
    rng = np.random.default_rng(0)
    n = 400
    t = rng.exponential(10, n)
    cause = rng.choice([0, 1, 2, 3], n, p=[0.3, 0.35, 0.2, 0.15])
    status = np.array(["in_force", "lapsed", "surrendered", "death"])[cause]
    res = cumulative_incidence(pd.DataFrame({"duration": t, "exit_status": status}),
                               causes=("lapsed", "surrendered", "death"))
    for name, code in (("lapsed", 1), ("surrendered", 2), ("death", 3)):
        aj = AalenJohansenFitter(calculate_variance=True).fit(t, cause, event_of_interest=code)
        ours = res.cif(name).set_index("time")
        ref_t = aj.cumulative_density_.index
        np.testing.assert_allclose(ours["cif"].reindex(ref_t), aj.cumulative_density_.iloc[:, 0],
                                   atol=1e-12)
        ci = aj.confidence_interval_
        # lifelines leaves the CI NaN where the CIF is 0 and at the last time (n = d)
        defined = ci.notna().all(axis=1).to_numpy()
        cif = ours["cif"].reindex(ref_t).to_numpy()
        assert ((cif == 0) | (np.arange(len(cif)) == len(cif) - 1))[~defined].all()
        np.testing.assert_allclose(ours["ci_lower"].reindex(ref_t)[defined], ci.iloc[defined, 0],
                                   atol=1e-9)
        np.testing.assert_allclose(ours["ci_upper"].reindex(ref_t)[defined], ci.iloc[defined, 1],
                                   atol=1e-9)
    total = res.incidence.groupby("time")["cif"].sum()
    surv = res.survival.set_index("time")["survival"].reindex(total.index)
    np.testing.assert_allclose(surv + total, 1.0, atol=1e-12)
