"""Kaplan-Meier, quantiles, the weighted log-rank family and delayed entry against R.

The truth is tests/reference/r_km_reference.json, written by tests/reference/r_km_reference.R
(R 4.2.2, survival 3.5-3, cmprsk 2.2-11) from R's bundled lung, pbc, colon and veteran data
(exported to tests/reference/data/km_*.csv) and a constructed case where S(t) is exactly 0.5
over a flat stretch. R was asked for conf.type = "log-log" (MemberDesk's CI).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.km import kaplan_meier, nelson_aalen
from memberdesk.analysis.logrank import logrank_test, pairwise_logrank, rmst
from memberdesk.analysis.survival import km_by_segment
from memberdesk.cli import main

REF_DIR = Path(__file__).resolve().parents[1] / "reference"
REF = json.loads((REF_DIR / "r_km_reference.json").read_text(encoding="utf-8"))
DATA = REF_DIR / "data"

# dataset key -> (file, group column or None)
KM_CASES = {"lung_sex": ("lung", "sex"), "lung_ecog": ("lung", "ph_ecog"),
            "pbc_edema": ("pbc", "edema"), "colon_rx": ("colon", "rx"),
            "veteran_celltype": ("veteran", "celltype"), "half": ("half", "g"),
            "lung_all": ("lung", None)}


def _frame(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"km_{name}.csv").rename(columns={"time": "duration"})


def _list(values: object) -> list[float | None]:
    """jsonlite writes a length-1 vector as a scalar (auto_unbox)."""
    return list(values) if isinstance(values, list) else [values]  # type: ignore[list-item]


def _na(values: object) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in _list(values)], dtype=float)


def _inf(values: object) -> np.ndarray:
    """R's NA quantile (not reached) is MemberDesk's inf."""
    return np.array([np.inf if v is None else v for v in _list(values)], dtype=float)


def _assert_curve(curve, ref: dict) -> None:  # type: ignore[no-untyped-def]
    """Every R time point: at-risk, events, survival, CI (NA where R says NA)."""
    t = _na(ref["time"])
    idx = np.searchsorted(curve.timeline, t)
    np.testing.assert_array_equal(curve.timeline[idx], t)
    np.testing.assert_array_equal(curve.at_risk[idx], _na(ref["n_risk"]))
    np.testing.assert_array_equal(curve.observed[idx], _na(ref["n_event"]))
    np.testing.assert_allclose(curve.survival[idx], _na(ref["surv"]), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(curve.ci_lower[idx], _na(ref["lower"]), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(curve.ci_upper[idx], _na(ref["upper"]), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("case", sorted(KM_CASES))
def test_km_every_point_and_quantiles_match_r(case: str) -> None:
    file, by = KM_CASES[case]
    res = km_by_segment(_frame(file), by, unit="days", times=())
    ref = REF["km"][case]
    assert [c.name for c in res.curves] == list(ref)
    for curve in res.curves:
        r = ref[curve.name]
        _assert_curve(curve, r)
        q = r["quantiles"]
        for i, p in enumerate(q["probs"]):
            got = curve.quantile(1.0 - p)
            want = (_inf([q["quantile"][i]])[0], _inf([q["lower"][i]])[0], _inf([q["upper"][i]])[0])
            assert got == pytest.approx(want, abs=1e-9), (curve.name, p)
        assert curve.median == _inf([q["quantile"][1]])[0]


def test_pbc_edema_one_median_is_the_midpoint_299_not_334() -> None:
    # 20 patients, one death each at 264 and 334 with nothing between: S = 10/20 = 1/2 exactly
    # on [264, 334); R and SAS take the midpoint (264 + 334) / 2 = 299. The float product is
    # 0.5000000000000002, so lifelines (and the "first" rule on that product) says 334.
    pbc = _frame("pbc")
    part = pbc[pbc["edema"] == 1]
    curve = kaplan_meier(part["duration"], part["event"])
    assert curve.median == 299.0
    assert curve.survival_at([300])[0] == pytest.approx(0.5, abs=1e-15)
    from lifelines import KaplanMeierFitter

    lifelines_median = KaplanMeierFitter().fit(part["duration"], part["event"]).median_survival_time_
    assert kaplan_meier(part["duration"], part["event"], median_rule="first").median \
        == lifelines_median == 334.0
    assert REF["km"]["pbc_edema"]["1"]["quantiles"]["quantile"][1] == 299


def test_curve_ending_at_zero_has_missing_ci_and_upper_median_limit_not_reached() -> None:
    # "half" group b: 4 subjects, S reaches 0 at t = 4; R: lower = upper = NA there and the
    # median's upper limit NA ("not reached")
    half = _frame("half")
    b = kaplan_meier(half.loc[half.g == "b", "duration"], half.loc[half.g == "b", "event"])
    assert b.survival[-1] == 0 and np.isnan(b.ci_lower[-1]) and np.isnan(b.ci_upper[-1])
    assert b.median_ci_upper == np.inf
    assert REF["km"]["half"]["b"]["upper"][-1] is None


def test_near_equal_durations_are_one_time_point() -> None:
    # 0.1 + 0.2 = 0.30000000000000004: the same time as 0.3 (resolution 1e-9 of the unit), as
    # R's survfit (aeqSurv) treats it; hand count: 3 at risk, 2 events at 0.3 -> S = 1/3
    c = kaplan_meier([0.3, 0.1 + 0.2, 1.0], [1, 1, 0])
    np.testing.assert_array_equal(c.timeline, [0.0, 0.3, 1.0])
    np.testing.assert_array_equal(c.observed, [0, 2, 0])
    assert c.survival[1] == pytest.approx(1 / 3)


@pytest.mark.parametrize("case, file, by", [("lung_sex", "lung", "sex"), ("lung_ecog", "lung", "ph_ecog"),
                                            ("colon_rx", "colon", "rx"),
                                            ("veteran_celltype", "veteran", "celltype")])
def test_logrank_and_fh_1_0_equal_survdiff(case: str, file: str, by: str) -> None:
    f = _frame(file)
    for test, rho in (("logrank", "rho0"), ("fh:1,0", "rho1")):
        ref = REF["survdiff"][case][rho]
        got = logrank_test(f["duration"], f["event"], f[by], test=test)
        assert got.test_statistic == pytest.approx(ref["statistic"], rel=1e-6)
        assert got.degrees_of_freedom == ref["df"]
        assert got.p_value == pytest.approx(ref["p_value"], rel=1e-6)
        assert got.test == test


@pytest.mark.parametrize("case, file, by", [("lung_sex", "lung", "sex"), ("colon_rx", "colon", "rx"),
                                            ("veteran_celltype", "veteran", "celltype")])
@pytest.mark.parametrize("test", ["logrank", "wilcoxon", "tarone", "peto", "fh:1,0", "fh:0,1",
                                  "fh:1,1", "fh:0.5,2"])
def test_weighted_family_matches_sas_formulas_computed_in_r(case: str, file: str, by: str,
                                                            test: str) -> None:
    f = _frame(file)
    ref = REF["weighted"][case][test]
    got = logrank_test(f["duration"], f["event"], f[by], test=test)
    assert got.test_statistic == pytest.approx(ref["statistic"], rel=1e-6)
    assert got.p_value == pytest.approx(ref["p_value"], rel=1e-6, abs=1e-300)


@pytest.mark.parametrize("test, key", [("logrank", "veteran_celltype_rho0"),
                                       ("fh:1,0", "veteran_celltype_rho1")])
def test_pairwise_with_holm_matches_r(test: str, key: str) -> None:
    f = _frame("veteran")
    table = pairwise_logrank(f["duration"], f["event"], f["celltype"], test=test)
    ref = pd.DataFrame(REF["pairwise"][key])
    assert list(zip(table.group_a, table.group_b)) == list(zip(ref.group_a, ref.group_b))
    np.testing.assert_allclose(table.test_statistic, ref.statistic, rtol=1e-6)
    np.testing.assert_allclose(table.p_value_holm, ref.p_value_holm, rtol=1e-6)
    assert set(table["test"]) == {test}


def test_missing_group_dropped_as_r_in_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    # lung's ph.ecog has one NA: R's survdiff leaves that row out
    path = DATA / "km_lung.csv"
    argv = ["km", str(path), "--duration", "time", "--event-col", "event", "--by", "ph_ecog",
            "--test", "fh:1,0", "--json"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["excluded"] == {"missing_group": REF["survdiff"]["lung_ecog"]["n_dropped"]} == {"missing_group": 1}
    assert "1 rows with no ph_ecog value" in captured.err
    ref = REF["survdiff"]["lung_ecog"]["rho1"]
    assert out["logrank"]["test"] == "fh:1,0"
    assert out["logrank"]["test_statistic"] == pytest.approx(ref["statistic"], rel=1e-6)
    assert out["logrank"]["degrees_of_freedom"] == 3
    assert [g["name"] for g in out["groups"]] == ["0", "1", "2", "3"]
    assert main(argv[:-3] + ["--keep-missing", "--json"]) == 0
    kept = json.loads(capsys.readouterr().out)
    assert [g["name"] for g in kept["groups"]][-1] == "(missing)" and "excluded" not in kept


def test_cli_median_299_and_bad_test_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    path = DATA / "km_pbc.csv"
    assert main(["km", str(path), "--duration", "time", "--event-col", "event", "--by", "edema",
                 "--json"]) == 0
    groups = {g["name"]: g for g in json.loads(capsys.readouterr().out)["groups"]}
    assert groups["1"]["median"] == 299
    with pytest.raises(SystemExit) as info:
        main(["km", str(path), "--duration", "time", "--event-col", "event", "--test", "fh:x"])
    assert info.value.code == 2


# ---- delayed entry --------------------------------------------------------------------------

def test_left_truncated_km_matches_survfit_counting_process() -> None:
    f = pd.read_csv(DATA / "km_veteran_entry.csv")
    ref = REF["delayed_entry"]
    overall = kaplan_meier(f["exit"], f["event"], entry=f["entry"])
    _assert_curve(overall, ref["all"])
    q = ref["all"]["quantiles"]
    assert overall.quantile(0.5) == pytest.approx(
        (_inf(q["quantile"])[1], _inf(q["lower"])[1], _inf(q["upper"])[1]))
    for trt, part in f.groupby("trt"):
        _assert_curve(kaplan_meier(part["exit"], part["event"], entry=part["entry"]),
                      ref["by_trt"][str(trt)])
    na = nelson_aalen(f["exit"], f["event"], entry=f["entry"], smoothing=False)
    idx = np.searchsorted(na.timeline, ref["nelson_aalen"]["time"])
    np.testing.assert_allclose(na.cumulative_hazard[idx], ref["nelson_aalen"]["cumhaz"], rtol=1e-12)
    area, se = rmst(overall, 300.0)
    assert area == pytest.approx(ref["rmst_300"]["rmst"], rel=1e-9)
    assert se == pytest.approx(ref["rmst_300"]["se"], rel=1e-9)


def test_left_truncated_logrank_uses_entry_risk_sets(capsys: pytest.CaptureFixture[str]) -> None:
    f = pd.read_csv(DATA / "km_veteran_entry.csv")
    ref = REF["delayed_entry"]["logrank"]
    got = logrank_test(f["exit"], f["event"], f["trt"], entry=f["entry"])
    assert got.test_statistic == pytest.approx(ref["statistic"], rel=1e-6)
    # the CLI: --entry COL gives the same curves and test
    assert main(["km", str(DATA / "km_veteran_entry.csv"), "--duration", "exit", "--event-col",
                 "event", "--entry", "entry", "--by", "trt", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["delayed_entry"] is True
    assert out["logrank"]["test_statistic"] == pytest.approx(ref["statistic"], rel=1e-6)
    g1 = next(g for g in out["groups"] if g["name"] == "1")
    want = REF["delayed_entry"]["by_trt"]["1"]
    idx = np.searchsorted(g1["timeline"], want["time"])
    np.testing.assert_allclose(np.asarray(g1["survival"])[idx], want["surv"], rtol=1e-12)
    np.testing.assert_array_equal(np.asarray(g1["at_risk"])[idx], want["n_risk"])


def test_left_truncated_aalen_johansen_matches_multistate_survfit() -> None:
    from memberdesk.analysis.competing import cumulative_incidence

    f = pd.read_csv(DATA / "km_veteran_entry.csv")
    frame = pd.DataFrame({"duration": f["exit"].astype(float), "start": f["entry"],
                          "exit_status": f["cause"].replace({"censored": "in_force"})})
    res = cumulative_incidence(frame, causes=("lapsed", "death"), unit="days", entry="start")
    ref = REF["delayed_entry"]["aalen_johansen"]
    t = np.asarray(ref["time"], dtype=float)
    surv = res.survival.set_index("time")
    np.testing.assert_array_equal(surv.loc[t, "at_risk"], ref["n_risk"])
    for cause in ("lapsed", "death"):
        cif = res.cif(cause).set_index("time")["cif"]
        np.testing.assert_allclose(cif.loc[t], ref[cause], rtol=1e-10, atol=1e-13)
    assert res.delayed_entry and res.gray_test == ()


def test_km_json_pairwise_with_holm_matches_r(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["km", str(DATA / "km_veteran.csv"), "--duration", "time", "--event-col", "event",
                 "--by", "celltype", "--test", "fh:1,0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    ref = REF["pairwise"]["veteran_celltype_rho1"]
    assert [(r["group_a"], r["group_b"]) for r in out["pairwise"]] == \
        [(r["group_a"], r["group_b"]) for r in ref]
    np.testing.assert_allclose([r["test_statistic"] for r in out["pairwise"]],
                               [r["statistic"] for r in ref], rtol=1e-6)
    np.testing.assert_allclose([r["p_value_holm"] for r in out["pairwise"]],
                               [r["p_value_holm"] for r in ref], rtol=1e-6)
    assert {r["test"] for r in out["pairwise"]} == {"fh:1,0"}
