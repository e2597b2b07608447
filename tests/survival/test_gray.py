"""Gray's test and cumulative incidence against R's cmprsk (tests/reference/r_km_reference.R:
``cuminc(pbc$time, pbc$status, group)$Tests`` with status 1 = transplant, 2 = death), through
the Python API and ``memberdesk decrements --json``."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.competing import cumulative_incidence
from memberdesk.cli import main

REF_DIR = Path(__file__).resolve().parents[1] / "reference"
REF = json.loads((REF_DIR / "r_km_reference.json").read_text(encoding="utf-8"))["gray"]
PBC = REF_DIR / "data" / "km_pbc.csv"
LABELS = {"1": "transplant", "2": "death"}


def _pbc_frame() -> pd.DataFrame:
    f = pd.read_csv(PBC)
    status = f["status"].map({0: "in_force", 1: "transplant", 2: "death"})
    return pd.DataFrame({"duration": f["time"].astype(float), "exit_status": status,
                         "sex": f["sex"], "edema": f["edema"]})


@pytest.mark.parametrize("by, key", [("sex", "pbc_sex"), ("edema", "pbc_edema")])
def test_gray_test_per_cause_matches_cmprsk(by: str, key: str) -> None:
    res = cumulative_incidence(_pbc_frame(), by=by, causes=("transplant", "death"), unit="days")
    got = {g.cause: g for g in res.gray_test}
    for ref in REF[key]:
        g = got[LABELS[ref["cause"]]]
        assert g.statistic == pytest.approx(ref["statistic"], rel=1e-4)
        assert g.degrees_of_freedom == ref["df"]
        assert g.p_value == pytest.approx(ref["p_value"], rel=1e-4, abs=1e-12)


def test_cumulative_incidence_matches_cmprsk_timepoints() -> None:
    res = cumulative_incidence(_pbc_frame(), causes=("transplant", "death"), unit="days")
    cif = REF["pbc_cif"]
    at = res.at_times(cif["times"])
    for cause in ("transplant", "death"):
        got = at[at["cause"] == cause]["cif"].to_numpy()
        np.testing.assert_allclose(got, cif[cause], rtol=1e-10, atol=1e-12)


def test_decrements_cli_generic_table_with_cause_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decrements", str(PBC), "--duration", "time", "--cause-col", "status",
                 "--cause-labels", "1=transplant,2=death", "--by", "edema", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["causes"] == ["transplant", "death"]
    assert [g["name"] for g in out["groups"]] == ["0", "0.5", "1"]
    got = {g["cause"]: g for g in out["gray_test"]}
    assert set(got["death"]) == {"cause", "statistic", "df", "p_value"}
    for ref in REF["pbc_edema"]:
        g = got[LABELS[ref["cause"]]]
        assert g["statistic"] == pytest.approx(ref["statistic"], rel=1e-4)
        assert g["df"] == ref["df"] == 2


def test_decrements_cli_rejects_bad_rows_with_reasons_and_bad_labels_exit_2(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("T,C,g\n1,1,a\n2,2,b\n3,0,a\n-1,1,b\n4,x,a\n5,7,b\n6,1,b\n", encoding="utf-8")
    assert main(["decrements", str(path), "--duration", "T", "--cause-col", "C",
                 "--cause-labels", "1=lapsed,2=death", "--by", "g", "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    # kept: rows 1, 2, 3 and 7 (4 rows); rejected: -1 duration, 'x' cause, unlabelled code 7
    assert sum(len(g["timeline"]) > 0 for g in out["groups"]) == 2
    assert "duration_invalid" in captured.err and "cause_invalid" in captured.err
    assert "cause_unlabelled" in captured.err
    with pytest.raises(SystemExit) as info:
        main(["decrements", str(path), "--duration", "T", "--cause-col", "C",
              "--cause-labels", "one=lapsed"])
    assert info.value.code == 2


def test_decrements_cli_insurer_sample_has_gray_test(capsys: pytest.CaptureFixture[str]) -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_data"
    assert main(["decrements", str(sample), "--by", "channel", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["unit"] == "months" and len(out["groups"]) >= 2
    assert {g["cause"] for g in out["gray_test"]} <= set(out["causes"])
    assert all(g["df"] == len(out["groups"]) - 1 for g in out["gray_test"])
