"""`memberdesk experience --period/--study-start/--weight/--control` on the six-policy book
(conftest), as of 2025-01-31, worked by hand.

Calendar quarters of 2024 with the study starting 2024-01-01 (A, C and E ended before it and are
left out; annual method):
  B in force: every 2024 quarter whole (1 each), 2025Q1 Jan 1-31 = 31/90
  D in force: the same
  F 2023-06-30 -> lapsed 2024-05-15: 2024Q1 whole (1), 2024Q2 full (1: a studied lapse)
  2024Q1: 3, actual 0; 2024Q2: 3, actual 1; 2024Q3: 2; 2024Q4: 2; 2025Q1: 62/90.
Weighted by annual premium (B 2000, D 5000, F 800): 2024Q2 exposure 2000 + 5000 + 800 = 7800,
actual 800 (F's lapse), n_actual 1, weight 7800, weight_sq 2000² + 5000² + 800² = 29,640,000,
weight_n 3 records.
"""
from __future__ import annotations

import json

import pytest

from memberdesk.analysis.experience import experience_study
from memberdesk.cli import main


def run_json(capsys, *args: str) -> dict:
    code = main(["experience", *args, "--as-of", "2025-01-31", "--json"])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_calendar_quarters_with_a_study_start(book_csv, extract_day, capsys) -> None:
    out = run_json(capsys, str(book_csv), str(extract_day(book_csv.parent, "2025-01-31")),
                   "--basis", "calendar", "--period", "quarter",
                   "--study-start", "2024-01-01")
    rows = {r["calendar_quarter"]: r for r in out["rows"]}
    assert list(rows) == ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    assert [rows[q]["exposure"] for q in rows] == pytest.approx([3, 3, 2, 2, 62 / 90])
    assert [rows[q]["actual"] for q in rows] == [0, 1, 0, 0, 0]
    assert out["study_start"] == "2024-01-01"


def test_premium_weighted_quarter(book_csv, extract_day, capsys) -> None:
    out = run_json(capsys, str(book_csv), str(extract_day(book_csv.parent, "2025-01-31")),
                   "--basis", "calendar", "--period", "quarter",
                   "--study-start", "2024-01-01", "--weight", "annual_premium")
    q2 = next(r for r in out["rows"] if r["calendar_quarter"] == "2024Q2")
    assert q2["exposure"] == pytest.approx(7800.0)
    assert q2["actual"] == pytest.approx(800.0)
    assert q2["n_actual"] == 1
    assert q2["weight"] == pytest.approx(7800.0)
    assert q2["weight_sq"] == pytest.approx(2000.0 ** 2 + 5000.0 ** 2 + 800.0 ** 2)
    assert q2["weight_n"] == 3
    assert q2["rate"] == pytest.approx(800 / 7800)
    assert out["weight"] == "annual_premium"


def test_control_variables(six_book) -> None:
    # Rows split by exactly the control variables (period and channel): each row's rate is its
    # own control rate -> 1 (rows with no actual have a control rate 0: no A/E).
    res = experience_study(six_book, by=["channel"], control=["period", "channel"])
    rows = res.rows[res.rows["exposure"] > 0]
    assert list(rows["ae_control"].dropna()) == pytest.approx([1.0] * rows["ae_control"].notna().sum())
    assert rows["ae_control"].notna().any()
    # Control by channel, rows by policy year: the agency rate of the whole study is
    # Σ actual ÷ Σ exposure over agency records; a row's expected_control is that rate
    # averaged over its exposure, so Σ expected_control × exposure = Σ actual overall.
    res = experience_study(six_book, control=["channel"])
    total = (res.rows["expected_control"] * res.rows["exposure"]).sum()
    assert total == pytest.approx(res.rows["actual"].sum())


def test_bad_weight_is_a_data_error(book_csv, capsys) -> None:
    assert main(["experience", str(book_csv), "--weight", "nope", "--json"]) == 3
    assert "nope" in capsys.readouterr().err
    assert main(["experience", str(book_csv), "--study-start", "soon"]) == 2


def test_the_datasets_study_start_is_the_default(six_book) -> None:
    from dataclasses import replace

    import pandas as pd

    windowed = replace(six_book, study_start=pd.Timestamp("2024-01-01"))
    res = experience_study(windowed, basis="calendar", period="quarter")
    assert list(res.rows["exposure"]) == pytest.approx([3, 3, 2, 2, 62 / 90])
    assert res.study_start == pd.Timestamp("2024-01-01")


def test_too_many_records_is_refused_not_a_crash(six_book, monkeypatch) -> None:
    from memberdesk.analysis import experience_exposure
    from memberdesk.core.errors import AnalysisError

    # weekly periods of the six policies make well over 100 records: the guard says so
    monkeypatch.setattr(experience_exposure, "MAX_RECORDS", 100)
    with pytest.raises(AnalysisError, match="longer period"):
        experience_study(six_book, basis="policy", period="week")
    assert len(experience_study(six_book, basis="policy", period="year").rows) > 0
