"""Cox model against R's survival package (issues 10 and 16).

Truth: tests/reference/r_cox_reference.json, written by tests/reference/r_cox_reference.R
(R 4.2 / survival 3.5) from R's bundled lung, veteran, rotterdam, colon, pbc and heart data
(CSV copies under tests/reference/data, written by R's write.csv). Covered: Efron and Breslow
coefficients, naive and robust (cluster=) SE, log-likelihood, concordance (within strata),
strata, counting-process delayed entry, NA rows left out (lung ECOG model: 227 of 228 rows),
and cox.zph's exact score test per term and global for every transform.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.cox import fit_cox

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
MODELS = json.loads((REFERENCE / "r_cox_reference.json").read_text(encoding="utf-8"))["models"]
TRANSFORMS = ("km", "rank", "identity", "log")


def _frame(model: dict) -> pd.DataFrame:
    df = pd.read_csv(REFERENCE / "data" / model["data"])  # pandas reads R's NA as missing
    return df.rename(columns={model["duration"]: "duration", model["event"]: "event"})


def _fit(model: dict, **options):
    return fit_cox(_frame(model), model["covariates"], strata=model["strata"] or None,
                   entry=model["entry"], cluster=model["cluster"], ties=model["ties"], **options)


@pytest.fixture(scope="module")
def fits() -> dict:
    return {name: _fit(m) for name, m in MODELS.items()}


@pytest.mark.parametrize("name", list(MODELS))
def test_coefficients_se_loglik_concordance_match_r(fits, name):
    model, res = MODELS[name], fits[name]
    assert res.n == model["n"] and res.events == model["events"]
    c = res.coefficients.set_index("covariate")
    assert sorted(c.index) == sorted(model["coef"])
    for cov, value in model["coef"].items():
        assert c.loc[cov, "coef"] == pytest.approx(value, rel=1e-6, abs=1e-8)
        assert c.loc[cov, "se"] == pytest.approx(model["se"][cov], rel=1e-6)
    assert res.log_likelihood == pytest.approx(model["loglik"], abs=1e-7)
    assert res.log_likelihood_null == pytest.approx(model["loglik_null"], abs=1e-7)
    assert res.concordance == pytest.approx(model["concordance"], abs=1e-9)
    assert res.strata == tuple(model["strata"]) and res.ties == model["ties"]


@pytest.mark.parametrize("name", [n for n, m in MODELS.items() if m["robust_se"]])
def test_robust_se_with_cluster_matches_r(fits, name):
    model, res = MODELS[name], fits[name]
    c = res.coefficients.set_index("covariate")
    for cov, value in model["robust_se"].items():
        assert c.loc[cov, "robust_se"] == pytest.approx(value, rel=1e-6)
        # CIs and p-values use the robust SE when clustering is on
        z = c.loc[cov, "coef"] / value
        assert c.loc[cov, "z"] == pytest.approx(z, rel=1e-6)
        assert c.loc[cov, "ci_upper"] == pytest.approx(np.exp(c.loc[cov, "coef"] + 1.959963984540054
                                                              * value), rel=1e-6)
    out = res.to_json()
    assert out["cluster"] == model["cluster"]
    assert all("robust_se" in row for row in out["coefficients"])


@pytest.mark.parametrize("transform", TRANSFORMS)
@pytest.mark.parametrize("name", list(MODELS))
def test_ph_test_is_r_cox_zph_exact(fits, name, transform):
    model = MODELS[name]
    res = fits[name] if transform == "km" else _fit(model, ph_transform=transform)
    assert res.ph_transform == transform and res.ph_method == "exact"
    got = res.ph_test.set_index("covariate")
    expected = model["zph"][transform]
    assert list(got.index) == [row["covariate"] for row in expected]  # terms, then global
    for row in expected:
        assert got.loc[row["covariate"], "df"] == row["df"]
        assert got.loc[row["covariate"], "test_statistic"] == pytest.approx(row["statistic"],
                                                                            rel=1e-6, abs=1e-9)
        assert got.loc[row["covariate"], "p_value"] == pytest.approx(row["p_value"], rel=1e-6,
                                                                     abs=1e-12)


def test_rows_with_a_missing_covariate_are_left_out_as_r():
    # lung: ph.ecog is NA in one of 228 rows; R fits 227 (na.omit)
    res = _fit(MODELS["lung_ecog"])
    assert res.n == 227 and res.n_dropped == 1
    assert [r.code for r in res.reasons] == ["missing_rows_left_out"]
    assert res.notes == ("1 rows with a missing covariate were left out",)
    assert res.to_json()["n"] == 227


def test_missing_categorical_and_strata_values_leave_the_row_out():
    # colon (death rows): differ is NA in 23 rows, nodes in 18; R fits 888 of 929
    res = _fit(MODELS["colon_strata_rx_differ"])
    assert res.n == 888 and res.n_dropped == 929 - 888
    frame = _frame(MODELS["veteran"]).astype({"celltype": object})
    frame.loc[:4, "celltype"] = None  # a missing categorical value is not a level of its own
    res = fit_cox(frame, ["karno", "celltype"])
    assert res.n == len(frame) - 5 and "celltype=(missing)" not in set(res.coefficients.covariate)


def test_old_approximation_is_a_named_option_and_differs():
    # rotterdam: the example of a verdict the approximation gets wrong
    model = MODELS["rotterdam"]
    exact = _fit(model).ph_test.set_index("covariate")
    approx = _fit(model, ph_method="approximate").ph_test.set_index("covariate")
    assert approx.loc["age", "test_statistic"] != pytest.approx(exact.loc["age", "test_statistic"],
                                                                 rel=0.01)
    assert "global" not in approx.index and "global" in exact.index


def test_bad_options_are_refused():
    from memberdesk.core.errors import AnalysisError

    model = MODELS["lung_ecog"]
    with pytest.raises(AnalysisError, match="ties must be one of efron, breslow"):
        _fit({**model, "ties": "exact"})
    with pytest.raises(AnalysisError, match="PH test transform must be one of"):
        _fit(model, ph_transform="sqrt")


@pytest.mark.parametrize("name", ["heart_entry_cluster", "lung_entry", "colon_strata_rx",
                                  "veteran"])
def test_concordance_sorting_path_matches_r(monkeypatch, name):
    # the divide-and-conquer path (used when times x distinct risks is large) on the same data
    from memberdesk.analysis import cox_concordance

    monkeypatch.setattr(cox_concordance, "TABLE_CELLS", 0)
    assert _fit(MODELS[name]).concordance == pytest.approx(MODELS[name]["concordance"], abs=1e-9)


def test_collapsed_rows_keep_robust_se_entry_and_ph_test(monkeypatch):
    # property: the same data fitted with collapsing switched off gives the same numbers
    # (identical rows, each kept in its own cluster, collapse into frequency-weighted ones)
    from memberdesk.analysis import cox as cox_module

    base = _frame(MODELS["heart_entry_cluster"])
    df = pd.concat([base] * 3, ignore_index=True)
    df["id"] = np.tile(base["id"].to_numpy(), 3)  # the copies of a row share its cluster
    args = dict(entry="start", cluster="id")
    collapsed = fit_cox(df, ["surgery", "transplant"], **args)
    monkeypatch.setattr(cox_module, "_identical_row_groups", lambda keys: None)
    plain = fit_cox(df, ["surgery", "transplant"], **args)
    cols = ["coef", "se", "robust_se"]
    np.testing.assert_allclose(collapsed.coefficients[cols], plain.coefficients[cols], rtol=1e-9)
    np.testing.assert_allclose(collapsed.ph_test["test_statistic"], plain.ph_test["test_statistic"],
                               rtol=1e-8)
    assert collapsed.concordance == pytest.approx(plain.concordance, abs=1e-12)
