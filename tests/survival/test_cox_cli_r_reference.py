"""`memberdesk cox ... --json` on CSVs written by R's write.csv, against R's coxph/cox.zph.

Truth: tests/reference/r_cox_reference.json (tests/reference/r_cox_reference.R). The CSVs hold
R's own "NA" tokens, so the lung ECOG model must use 227 of 228 rows, as R.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from memberdesk.cli import main

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
MODELS = json.loads((REFERENCE / "r_cox_reference.json").read_text(encoding="utf-8"))["models"]


def _argv(model: dict, *extra: str) -> list[str]:
    argv = ["cox", str(REFERENCE / "data" / model["data"]), "--duration", model["duration"],
            "--event-col", model["event"], "--covariates", ",".join(model["covariates"]),
            "--ties", model["ties"], "--json", *extra]
    if model["strata"]:
        argv += ["--strata", ",".join(model["strata"])]
    if model["cluster"]:
        argv += ["--cluster", model["cluster"]]
    if model["entry"]:
        argv += ["--entry", model["entry"]]
    return argv


def _run(capsys, argv: list[str]) -> tuple[dict, str]:
    assert main(argv) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


@pytest.mark.parametrize("name", list(MODELS))
def test_cli_json_matches_r(capsys, name):
    model = MODELS[name]
    out, _ = _run(capsys, _argv(model))
    assert out["n"] == model["n"] and out["events"] == model["events"]
    assert out["strata"] == model["strata"] and out["ties"] == model["ties"]
    rows = {r["covariate"]: r for r in out["coefficients"]}
    assert sorted(rows) == sorted(model["coef"])
    for cov, value in model["coef"].items():
        assert rows[cov]["coef"] == pytest.approx(value, rel=1e-6, abs=1e-8)
        assert rows[cov]["se"] == pytest.approx(model["se"][cov], rel=1e-6)
        if model["robust_se"]:
            assert rows[cov]["robust_se"] == pytest.approx(model["robust_se"][cov], rel=1e-6)
        else:
            assert "robust_se" not in rows[cov]
    assert out["log_likelihood"] == pytest.approx(model["loglik"], abs=1e-7)
    assert out["concordance"] == pytest.approx(model["concordance"], abs=1e-9)
    assert out["ph_transform"] == "km" and out["ph_method"] == "exact"
    assert [r["covariate"] for r in out["ph_test"]] == [r["covariate"] for r in model["zph"]["km"]]
    for got, want in zip(out["ph_test"], model["zph"]["km"]):
        assert set(got) == {"covariate", "statistic", "df", "p_value"}
        assert got["df"] == want["df"]
        assert got["statistic"] == pytest.approx(want["statistic"], rel=1e-6, abs=1e-9)
        assert got["p_value"] == pytest.approx(want["p_value"], rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("transform", ["rank", "identity", "log"])
def test_cli_ph_transform_option(capsys, transform):
    model = MODELS["veteran"]
    out, _ = _run(capsys, _argv(model, "--ph-transform", transform))
    assert out["ph_transform"] == transform
    for got, want in zip(out["ph_test"], model["zph"][transform]):
        assert got["covariate"] == want["covariate"]
        assert got["statistic"] == pytest.approx(want["statistic"], rel=1e-6)


def test_lung_na_row_left_out_and_said(capsys):
    # R's write.csv wrote NA for the one missing ph.ecog: R fits 227 rows; so must we, saying so
    out, err = _run(capsys, _argv(MODELS["lung_ecog"]))
    assert out["n"] == 227 and out["n_dropped"] == 1
    assert [n["code"] for n in out["notes"]] == ["missing_rows_left_out"]
    assert "1 rows with a missing covariate were left out" in err
    assert not any(r["covariate"].startswith("ph_ecog=") for r in out["coefficients"])


def test_rows_with_exit_not_after_entry_are_rejected_with_a_reason(capsys, tmp_path):
    # heart: make two rows end at their entry; R would refuse them (stop must be > start)
    src = (REFERENCE / "data" / "cox_heart.csv").read_text(encoding="utf-8").splitlines()
    header = src[0].split(",")
    start, stop = header.index('"start"'), header.index('"stop"')
    lines = [src[0]]
    for i, line in enumerate(src[1:]):
        cells = line.split(",")
        if i in (0, 1):
            cells[start] = cells[stop]
        lines.append(",".join(cells))
    path = tmp_path / "heart_bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    model = MODELS["heart_entry_breslow"]
    out, err = _run(capsys, ["cox", str(path), "--duration", "stop", "--event-col", "event",
                             "--entry", "start", "--covariates", ",".join(model["covariates"]),
                             "--json"])
    assert out["n"] == model["n"] - 2 and out["n_rejected"] == 2
    assert "entry_rejected" in [n["code"] for n in out["notes"]]
    assert "rejected" in err


def test_text_output_names_strata_robust_se_and_ph_transform(capsys):
    model = MODELS["colon_cluster"]
    argv = [a for a in _argv(model) if a != "--json"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "strata: etype" in text and "robust" in text
    assert "cox.zph exact test, km transform" in text and "global" in text


def test_bad_strata_column_is_a_data_error(capsys):
    model = MODELS["lung_ecog"]
    assert main(_argv(model, "--strata", "nope")) == 3
    assert "nope" in capsys.readouterr().err
