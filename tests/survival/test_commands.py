"""`memberdesk km` and `memberdesk cox` in-process: JSON contract, text output, exit codes."""
from __future__ import annotations

import json

import numpy as np
import pytest
from lifelines import KaplanMeierFitter

from memberdesk.cli import main


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    assert main(["sample", "-o", str(out), "--members", "400", "--seed", "3"]) == 0
    return out


@pytest.fixture
def generic_csv(tmp_path, generic_frame):
    path = tmp_path / "survival.csv"
    generic_frame.rename(columns={"duration": "tenure_weeks", "event": "lapsed"}).to_csv(path, index=False)
    return path, generic_frame


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_km_json_on_insurer_data(sample_dir, capsys):
    assert main(["km", str(sample_dir / "policies.csv"), "--by", "channel", "--json"]) == 0
    out = _json(capsys)
    assert out["unit"] == "months" and len(out["groups"]) >= 2
    assert out["logrank"]["degrees_of_freedom"] == len(out["groups"]) - 1
    for g in out["groups"]:
        assert g["survival"][0] == 1.0 and g["at_risk"][0] == g["n"]


def test_km_json_generic_table_in_raw_units_matches_lifelines(generic_csv, capsys):
    path, frame = generic_csv
    assert main(["km", str(path), "--duration", "tenure_weeks", "--event-col", "lapsed",
                 "--by", "group", "--json"]) == 0
    out = _json(capsys)
    assert out["unit"] == "days"
    x = next(g for g in out["groups"] if g["name"] == "x")
    part = frame[frame.group == "x"]
    kmf = KaplanMeierFitter().fit(part["duration"], part["event"])
    np.testing.assert_allclose(x["timeline"], kmf.timeline)
    np.testing.assert_allclose(x["survival"], kmf.survival_function_.iloc[:, 0], atol=1e-9)
    np.testing.assert_allclose(x["ci_lower"], kmf.confidence_interval_.iloc[:, 0], atol=1e-9)


def test_km_text_output_and_unknown_column_exit_3(sample_dir, capsys):
    assert main(["km", str(sample_dir / "policies.csv"), "--unit", "days"]) == 0
    text = capsys.readouterr().out
    assert "Kaplan-Meier retention (time in days)" in text and "median" in text
    assert main(["km", str(sample_dir / "policies.csv"), "--by", "nope"]) == 3
    assert "nope" in capsys.readouterr().err


def test_cox_json_and_text(sample_dir, capsys):
    args = ["cox", str(sample_dir / "policies.csv"), "--covariates", "channel,annual_premium"]
    assert main([*args, "--json"]) == 0
    out = _json(capsys)
    # DESIGN §5 keys, plus strata/ph_test and the other issue 10/16 additions
    assert {"n", "events", "coefficients", "concordance", "log_likelihood", "strata",
            "ph_test"} <= set(out)
    assert any(c["covariate"].startswith("channel=") for c in out["coefficients"])
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Proportional hazards check" in text and "Reference levels: channel=" in text


def test_cox_generic_and_bad_covariate(generic_csv, capsys):
    path, _ = generic_csv
    base = ["cox", str(path), "--duration", "tenure_weeks", "--event-col", "lapsed"]
    assert main([*base, "--covariates", "group,age", "--json"]) == 0
    assert [c["covariate"] for c in _json(capsys)["coefficients"]] in (["group=y", "age"], ["group=x", "age"])
    assert main([*base, "--covariates", "salary"]) == 3
    assert "salary" in capsys.readouterr().err
