"""Audit of `memberdesk km` (issue 3): the CLI's JSON against lifelines called directly.

Durations are computed here independently from the raw CSV with pandas (DESIGN §4: as-of =
the latest date in any table of the book, event = lapsed/surrendered ended on or before it,
months = days / (365.25/12)); nothing is taken from the Dataset under test.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_waltons
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import median_survival_times

from memberdesk.analysis.survival import km_by_segment
from memberdesk.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
DATE_COLUMNS = {"policies.csv": ["issue_date", "end_date"], "claims.csv": ["reported_at", "settled_at"],
                "benefit_usage.csv": ["used_at"], "service_contacts.csv": ["started_at"],
                "members.csv": ["join_date"]}
KM_GROUP_KEYS = {"name", "n", "events", "median", "timeline", "survival", "ci_lower", "ci_upper",
                 "at_risk"}


def _run_json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def sample_durations() -> pd.DataFrame:
    """months, event, channel of the bundled sample book, computed from the raw CSV files."""
    latest = max(pd.to_datetime(pd.read_csv(SAMPLE / f)[c]).max()
                 for f, cols in DATE_COLUMNS.items() for c in cols)
    as_of = latest.normalize()
    p = pd.read_csv(SAMPLE / "policies.csv", parse_dates=["issue_date", "end_date"])
    p = p[p["issue_date"] <= as_of]
    ended = p["end_date"].notna() & (p["end_date"] <= as_of)
    stop = p["end_date"].where(ended, as_of)
    days = (stop - p["issue_date"]).dt.days.astype(float)
    return pd.DataFrame({"months": days / (365.25 / 12),
                         "event": (ended & p["status"].isin(["lapsed", "surrendered"])).astype(int),
                         "channel": p["channel"]})


def _assert_group_matches(group: dict, durations: pd.Series, events: pd.Series) -> None:
    kmf = KaplanMeierFitter().fit(durations, events)
    ci = kmf.confidence_interval_
    assert set(group) >= KM_GROUP_KEYS  # DESIGN §5 keys; additive fields allowed
    assert group["n"] == len(durations) and group["events"] == int(events.sum())
    np.testing.assert_allclose(group["timeline"], kmf.timeline, rtol=0, atol=1e-12)
    np.testing.assert_allclose(group["survival"], kmf.survival_function_.iloc[:, 0], rtol=0, atol=1e-12)
    # where S = 0 the log-log CI is undefined: null in the JSON (R's NA), [0, 0] in lifelines
    defined = np.asarray(group["survival"]) > 0
    lower = np.array([np.nan if v is None else v for v in group["ci_lower"]])
    upper = np.array([np.nan if v is None else v for v in group["ci_upper"]])
    assert np.isnan(lower[~defined]).all() and np.isnan(upper[~defined]).all()
    np.testing.assert_allclose(lower[defined], ci.iloc[:, 0][defined], rtol=0, atol=1e-12)
    np.testing.assert_allclose(upper[defined], ci.iloc[:, 1][defined], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(group["at_risk"], kmf.event_table["at_risk"].to_numpy())
    assert all(isinstance(v, int) for v in group["at_risk"])
    if np.isfinite(kmf.median_survival_time_):
        assert group["median"] == pytest.approx(kmf.median_survival_time_, abs=1e-12)
    else:
        assert group["median"] is None


def test_sample_book_by_channel_every_point_matches_lifelines(capsys, sample_durations):
    out = _run_json(capsys, ["km", str(SAMPLE), "--by", "channel", "--json"])
    # DESIGN §5 keys; "pairwise" (3+ groups, issue 16.3) is an additive field
    assert set(out) == {"unit", "groups", "logrank", "pairwise"} and out["unit"] == "months"
    assert [g["name"] for g in out["groups"]] == sorted(sample_durations["channel"].unique())
    for group in out["groups"]:
        part = sample_durations[sample_durations["channel"] == group["name"]]
        _assert_group_matches(group, part["months"], part["event"])
    lr = multivariate_logrank_test(sample_durations["months"], sample_durations["channel"],
                                   sample_durations["event"])
    # DESIGN §5 keys plus the additive "test" naming the statistic (issue 16.3)
    assert set(out["logrank"]) == {"test_statistic", "degrees_of_freedom", "p_value", "test"}
    assert out["logrank"]["test_statistic"] == pytest.approx(lr.test_statistic, rel=1e-12)
    assert out["logrank"]["degrees_of_freedom"] == lr.degrees_of_freedom == 4
    assert out["logrank"]["p_value"] == pytest.approx(lr.p_value, rel=1e-9)


def test_sample_book_survival_at_key_months_and_median_ci(sample_durations):
    """Survival at 12/24/36/60 months and the median CI, via the analysis (same Dataset path)."""
    from memberdesk.core.loader import load_dataset

    res = km_by_segment(load_dataset([SAMPLE]), "channel")
    for name in ("online", "partner platform"):
        part = sample_durations[sample_durations["channel"] == name]
        kmf = KaplanMeierFitter().fit(part["months"], part["event"])
        rows = res.survival_at_times[res.survival_at_times["group"] == name]
        np.testing.assert_allclose(rows["survival"], kmf.survival_function_at_times([12, 24, 36, 60]),
                                   atol=1e-12)
        for t, at_risk in zip(rows["time"], rows["at_risk"]):
            assert at_risk == int((part["months"] >= t).sum())
        curve = res.curve(name)
        lo, hi = median_survival_times(kmf.confidence_interval_).to_numpy().ravel()
        assert (curve.median_ci_lower, curve.median_ci_upper) == (pytest.approx(lo), pytest.approx(hi))


@pytest.fixture(scope="module")
def waltons_csv(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    frame = load_waltons()
    path = tmp_path_factory.mktemp("waltons") / "waltons.csv"
    frame.to_csv(path, index=False)
    return path, frame


@pytest.mark.parametrize("unit_args", [[], ["--unit", "days"]])
def test_generic_waltons_matches_lifelines(capsys, waltons_csv, unit_args):
    path, frame = waltons_csv
    out = _run_json(capsys, ["km", str(path), "--duration", "T", "--event-col", "E", "--by", "group",
                             "--json", *unit_args])
    assert out["unit"] == "days"
    for group in out["groups"]:
        part = frame[frame["group"] == group["name"]]
        _assert_group_matches(group, part["T"], part["E"])
    # published in lifelines' docs (Survival analysis with lifelines, logrank_test on waltons)
    assert out["logrank"]["test_statistic"] == pytest.approx(122.25, abs=0.005)
    assert out["logrank"]["degrees_of_freedom"] == 1


def test_waltons_median_ci_as_lifelines():
    frame = load_waltons()
    res = km_by_segment(frame.rename(columns={"T": "duration", "E": "event"}), "group", unit="days")
    for name, (med, lo, hi) in {"control": (58, 56, 60), "miR-137": (26, 19, 29)}.items():
        c = res.curve(name)
        assert (c.median, c.median_ci_lower, c.median_ci_upper) == (med, lo, hi)


# ---- bad inputs --------------------------------------------------------------------------------

def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_unknown_by_column_exit_3_names_it(capsys, tmp_path):
    assert main(["km", str(SAMPLE), "--by", "no_such_col"]) == 3
    assert "no_such_col" in capsys.readouterr().err


def test_one_group_has_no_logrank(capsys, tmp_path):
    path = _write(tmp_path / "g.csv", ["T,E,g"] + [f"{i + 1},{i % 2},same" for i in range(12)])
    out = _run_json(capsys, ["km", str(path), "--duration", "T", "--event-col", "E", "--by", "g",
                             "--json"])
    assert len(out["groups"]) == 1 and out["logrank"] is None


def test_all_censored_groups_survival_one_no_median(capsys, tmp_path):
    path = _write(tmp_path / "c.csv", ["T,E,g"] + [f"{i + 1},0,{'ab'[i % 2]}" for i in range(12)])
    out = _run_json(capsys, ["km", str(path), "--duration", "T", "--event-col", "E", "--by", "g",
                             "--json"])
    for g in out["groups"]:
        assert g["events"] == 0 and g["median"] is None and set(g["survival"]) == {1.0}
    assert out["logrank"] is None  # nothing to compare


def test_event_column_with_no_usable_value_is_exit_3_naming_the_column(capsys, tmp_path):
    path = _write(tmp_path / "bad.csv", ["T,E"] + [f"{i + 1},{2 + i % 3}" for i in range(6)])
    assert main(["km", str(path), "--duration", "T", "--event-col", "E"]) == 3
    err = capsys.readouterr().err
    assert "E" in err.split(":", 1)[1] and "event" in err.lower()


def test_negative_or_bad_rows_are_not_dropped_silently(capsys, tmp_path):
    """Rows with a negative duration or a non-0/1 event are rejected by validation; the km
    command must say so on stderr (DESIGN §3: nothing is dropped silently)."""
    rows = ["T,E"] + [f"{i - 2},{i % 2}" for i in range(10)] + ["5,7"]
    path = _write(tmp_path / "neg.csv", rows)
    assert main(["km", str(path), "--duration", "T", "--event-col", "E", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["groups"][0]["n"] == 11 - 3
    assert "3" in captured.err and "rejected" in captured.err


def test_cox_on_a_table_whose_every_row_is_rejected_names_the_column(capsys, tmp_path):
    path = _write(tmp_path / "bad.csv", ["T,E,x"] + [f"{i + 1},{2 + i % 3},{i}" for i in range(6)])
    assert main(["cox", str(path), "--duration", "T", "--event-col", "E", "--covariates", "x"]) == 3
    assert "column 'E'" in capsys.readouterr().err
