"""Delayed entry (left truncation) on insurer tables: ``km --study-start DATE`` and the
Dataset's study start, checked against durations and entry times computed here from the raw
dates (R's Surv(entry, exit, event) convention: at risk on (entry, exit]); the estimator with
entry times is itself checked against R in test_km_reference_r.py."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.competing import cumulative_incidence
from memberdesk.analysis.km import kaplan_meier
from memberdesk.analysis.survival import km_by_segment
from memberdesk.cli import main
from memberdesk.core.dataset import Dataset

AS_OF = "2024-12-31"
START = "2023-01-01"
ROWS = [  # policy_id, channel, issue_date, end_date, status
    ("P1", "agency", "2019-03-01", "2022-06-30", "lapsed"),      # ended before start: out of window
    ("P2", "agency", "2020-01-15", "2023-01-01", "lapsed"),      # ended on the start date: out
    ("P3", "agency", "2021-05-01", "2023-08-01", "lapsed"),      # entry 610 d, exit 822 d, event
    ("P4", "bank", "2022-12-01", "", "in_force"),                # entry 31 d, censored at as-of
    ("P5", "bank", "2023-02-01", "2024-02-01", "surrendered"),   # issued after: entry 0, event
    ("P6", "bank", "2018-01-01", "2024-03-01", "death"),         # entry 1826 d, censored (death)
    ("P7", "agency", "2023-06-01", "", "in_force"),              # entry 0, censored
    ("P8", "agency", "2020-09-01", "2024-09-01", "lapsed"),      # entry 852 d, event
]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    frame = pd.DataFrame(ROWS, columns=["policy_id", "channel", "issue_date", "end_date", "status"])
    frame.to_csv(tmp_path / "policies.csv", index=False)
    return tmp_path / "policies.csv"


def _expected() -> pd.DataFrame:
    f = pd.DataFrame(ROWS, columns=["policy_id", "channel", "issue", "end", "status"])
    issue, end = pd.to_datetime(f["issue"]), pd.to_datetime(f["end"].replace("", None))
    start, as_of = pd.Timestamp(START), pd.Timestamp(AS_OF)
    stop = end.where(end.notna() & (end <= as_of), as_of)
    f["exit"] = (stop - issue).dt.days.astype(float)
    f["entry"] = (start - issue).dt.days.clip(lower=0).astype(float)
    f["event"] = f["status"].isin(["lapsed", "surrendered"]).astype(int)
    return f[~(end.notna() & (end <= start))]


def test_study_start_cli_days_matches_entry_estimator_and_counts_out_of_window(
        capsys: pytest.CaptureFixture[str], book: Path) -> None:
    exp = _expected()
    assert list(exp["policy_id"]) == ["P3", "P4", "P5", "P6", "P7", "P8"]
    np.testing.assert_array_equal(exp["entry"], [610, 31, 0, 1826, 0, 852])
    # the extract reaches the as-of (one anonymous service contact that day): an --as-of after
    # the data's last date would be capped there (issue 17 C.11)
    contacts = book.parent / "service_contacts.csv"
    contacts.write_text(f"contact_id,member_id,started_at,channel,handled_by\nX1,,{AS_OF},phone,human\n",
                        encoding="utf-8")
    assert main(["km", str(book), str(contacts), "--as-of", AS_OF, "--study-start", START,
                 "--unit", "days", "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["excluded"] == {"out_of_window": 2} and out["delayed_entry"] is True
    assert "2 rows ended on or before the study start" in captured.err
    ref = kaplan_meier(exp["exit"], exp["event"], entry=exp["entry"])
    g = out["groups"][0]
    np.testing.assert_allclose(g["timeline"], ref.timeline)
    np.testing.assert_allclose(g["survival"], ref.survival, atol=1e-15)
    np.testing.assert_array_equal(g["at_risk"], ref.at_risk)
    # hand check: at t = 365 (P5's surrender) at risk are P3 (entry 610: no), P4 (31 < 365 <=
    # 761), P5 (0, 365], P7 (0, 579) -> 3; S = 2/3
    i = g["timeline"].index(365.0)
    assert g["at_risk"][i] == 3 and g["survival"][i] == pytest.approx(2 / 3)


def test_study_start_by_segment_and_competing_risks(book: Path) -> None:
    from memberdesk.core.loader import load_dataset

    ds = load_dataset([book], as_of=pd.Timestamp(AS_OF)).with_study_start(START)
    assert isinstance(ds, Dataset) and ds.study_start == pd.Timestamp(START)
    res = km_by_segment(ds, "channel", unit="days")
    exp = _expected()
    for c in res.curves:
        part = exp[exp["channel"] == c.name]
        ref = kaplan_meier(part["exit"], part["event"], entry=part["entry"])
        np.testing.assert_allclose(c.survival, ref.survival)
    assert res.logrank is not None and res.excluded == {"out_of_window": 2}
    cr = cumulative_incidence(ds, unit="days")
    assert cr.delayed_entry and cr.excluded == {"out_of_window": 2}
    # all-cause survival of the Aalen-Johansen equals the KM of any exit under the same entry
    any_exit = exp["status"].ne("in_force") & exp["end"].ne("")
    ref = kaplan_meier(exp["exit"], any_exit.astype(int), entry=exp["entry"])
    np.testing.assert_allclose(cr.survival["survival"], ref.survival, atol=1e-12)
    assert "gray_test" not in cr.to_json()  # Gray's test has no delayed entry


def test_generic_entry_rejects_exit_not_after_entry_with_reason(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("T,E,start\n5,1,0\n6,0,2\n3,1,3\n4,1,\n8,1,1\n", encoding="utf-8")
    assert main(["km", str(path), "--duration", "T", "--event-col", "E", "--entry", "start",
                 "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["excluded"] == {"entry_missing": 1, "exit_not_after_entry": 1}
    assert out["groups"][0]["n"] == 3
    assert "exit not after entry" in captured.err
    ref = kaplan_meier([5, 6, 8], [1, 0, 1], entry=[0, 2, 1])
    np.testing.assert_allclose(out["groups"][0]["survival"], ref.survival)


def test_study_start_after_as_of_and_on_generic_tables_are_errors(
        capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path) -> None:
    assert main(["km", str(book), "--as-of", AS_OF, "--study-start", "2025-01-01"]) == 3
    assert "before the as-of" in capsys.readouterr().err
    path = tmp_path / "g.csv"
    path.write_text("T,E\n5,1\n6,0\n", encoding="utf-8")
    assert main(["km", str(path), "--duration", "T", "--event-col", "E", "--study-start", START]) == 3
    assert "--entry" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["km", str(book), "--study-start", "nope"])
    assert info.value.code == 2


def test_filter_bar_study_start_equals_dataset_study_start_and_survives_json(book: Path) -> None:
    from memberdesk.core.dataset import Filters
    from memberdesk.core.loader import load_dataset

    ds = load_dataset([book], as_of=pd.Timestamp(AS_OF))
    filters = Filters(study_start=pd.Timestamp(START))
    assert Filters.from_json(json.loads(json.dumps(filters.to_json()))) == filters
    assert ("study_start", START) in filters.describe_items()
    via_filter = km_by_segment(ds.with_filters(filters), unit="days")
    direct = km_by_segment(ds.with_study_start(START), unit="days")
    np.testing.assert_array_equal(via_filter.curves[0].survival, direct.curves[0].survival)
    assert via_filter.excluded == direct.excluded == {"out_of_window": 2}


def test_zero_duration_with_entry_zero_is_rejected_as_r_makes_it_na(tmp_path: Path) -> None:
    # R: Surv(0, 0, 1) is NA ("Stop time must be > start time"); the row is left out
    frame = pd.DataFrame({"duration": [0.0, 2.0, 3.0], "event": [1, 1, 0], "start": [0.0, 0.0, 1.0]})
    res = km_by_segment(frame, unit="days", entry="start")
    assert res.excluded == {"exit_not_after_entry": 1}
    assert res.curves[0].n == 2
    np.testing.assert_allclose(res.curves[0].survival, [1.0, 0.5, 0.5])  # hand: 2 at risk at 2


def test_a_date_column_as_entry_points_to_study_start(
        capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path) -> None:
    """`--entry issue_date` on an insurer table: the entry is a time since the start, not a
    date. It said "every row was rejected for its entry time ({'exit_not_after_entry': 8})"
    (the dates read as nanoseconds); now it names --study-start. Every row rejected on a
    generic table lists the counts as words, not a Python dict."""
    assert main(["km", str(book), "--as-of", AS_OF, "--entry", "issue_date"]) == 3
    err = capsys.readouterr().err
    assert "--entry issue_date holds dates" in err and "--study-start YYYY-MM-DD" in err
    path = tmp_path / "g.csv"
    path.write_text("T,E,start\n5,1,5\n6,0,7\n3,1,\n", encoding="utf-8")
    assert main(["km", str(path), "--duration", "T", "--event-col", "E", "--entry", "start"]) == 3
    err = capsys.readouterr().err
    assert "(entry_missing 1, exit_not_after_entry 2)" in err and "{" not in err
