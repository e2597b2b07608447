"""Experience study (rates, CI, A/E, credibility, JSON) on the six-policy book, by hand.

Policy-year exposures (annual method) from test_exposure.py:
  PY1: A 1 + B 1 + C 1 + D 1 + E 291/365 + F 1 = 5 + 291/365 = 5.797260; actual C, F = 2
  PY2: A 1 + B 1 + D 318/365 = 2.871233; actual 0
  PY3: A 1 + B 22/365 = 1.060274; actual A = 1
"""
from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from scipy.stats import binom

from memberdesk.analysis.experience import credibility_y, experience_study, read_expected_table
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError, DataError

PY1, PY2, PY3 = 5 + 291 / 365, 2 + 318 / 365, 1 + 22 / 365
Y = 1536.5835  # (Φ⁻¹(0.975) / 0.05)² = (1.959964 / 0.05)² = 39.19928² = 1536.58


def test_credibility_standard_matches_the_published_constant() -> None:
    # Φ⁻¹(0.975) = 1.959964 (standard normal tables) -> y = 1536.58
    assert credibility_y(0.95, 0.05) == pytest.approx(Y, abs=1e-3)
    # p = 0.90, r = 0.05: Φ⁻¹(0.95) = 1.644854 -> (32.89707)² = 1082.22
    assert credibility_y(0.90, 0.05) == pytest.approx(1082.217, abs=1e-2)


def test_rates_and_credibility_by_policy_year(six_book: Dataset) -> None:
    res = experience_study(six_book)
    rows = res.rows.set_index("policy_year")
    assert list(rows.index) == [1, 2, 3]
    assert rows["exposure"].tolist() == pytest.approx([PY1, PY2, PY3])
    assert rows["actual"].tolist() == [2, 0, 1]
    assert rows.loc[1, "rate"] == pytest.approx(2 / PY1)              # 0.344991
    # Z = min(1, sqrt(2 / (1536.58 × (1 − 0.344991)))) = sqrt(2 / 1006.47) = 0.044577
    assert rows.loc[1, "credibility"] == pytest.approx(0.044577, abs=1e-6)
    assert rows.loc[2, "credibility"] == 0.0
    # PY3 rate = 1 / 1.060274 = 0.943152: Z = sqrt(1 / (1536.58 × 0.056848)) = sqrt(1 / 87.352)
    #   = 0.106996
    assert rows.loc[3, "credibility"] == pytest.approx(
        math.sqrt(1 / (Y * (1 - 1 / PY3))), rel=1e-6)
    assert rows.loc[3, "credibility"] == pytest.approx(0.106996, abs=1e-6)
    total = res.totals.iloc[0]
    assert total["exposure"] == pytest.approx(PY1 + PY2 + PY3)
    assert total["actual"] == 3
    assert res.rows["expected"].isna().all() and res.rows["ae"].isna().all()


def test_rate_interval_is_actxps_binomial_quantile(six_book: Dataset) -> None:
    row = experience_study(six_book).rows.iloc[0]
    # actxps exp_stats(conf_int = TRUE): qbinom(0.025 / 0.975, exposure, q_obs) / exposure,
    # exposure rounded to whole trials: n = round(5.797) = 6, p = 0.344991.
    p = 2 / PY1
    assert row["rate_lower"] == pytest.approx(binom.ppf(0.025, 6, p) / PY1)
    assert row["rate_upper"] == pytest.approx(binom.ppf(0.975, 6, p) / PY1)
    assert row["rate_lower"] <= row["rate"] <= row["rate_upper"]


def test_actual_to_expected_with_a_hand_table(six_book: Dataset) -> None:
    table = pd.DataFrame({"policy_year": [1, 2, 3], "rate": [0.10, 0.05, 0.20]})
    res = experience_study(six_book, expected=table)
    rows = res.rows.set_index("policy_year")
    assert rows["expected"].tolist() == pytest.approx([0.10, 0.05, 0.20])
    assert rows.loc[1, "ae"] == pytest.approx((2 / PY1) / 0.10)        # 3.449905
    assert rows.loc[2, "ae"] == 0.0
    # Total expected claims = 0.10×5.797260 + 0.05×2.871233 + 0.20×1.060274 = 0.935342;
    # A/E = 3 / 0.935342 = 3.207381.
    total = res.totals.iloc[0]
    assert total["expected_claims"] == pytest.approx(0.935342, abs=1e-6)
    assert total["ae"] == pytest.approx(3.207381, abs=1e-6)


def test_expected_by_segment_is_exposure_weighted(six_book: Dataset) -> None:
    # PY1 exposure: agency A, C, D, F = 4; bank B + E = 1 + 291/365.
    table = pd.DataFrame({"policy_year": [1, 1, 2, 2, 3, 3],
                          "channel": ["agency", "bank"] * 3,
                          "rate": [0.2, 0.1, 0.2, 0.1, 0.2, 0.1]})
    res = experience_study(six_book, expected=table)
    py1 = res.rows.set_index("policy_year").loc[1]
    assert py1["expected"] == pytest.approx((0.2 * 4 + 0.1 * (1 + 291 / 365)) / PY1)
    by_channel = experience_study(six_book, by=["channel"], expected=table).rows
    agency1 = by_channel[(by_channel["policy_year"] == 1) & (by_channel["channel"] == "agency")]
    assert agency1["exposure"].item() == pytest.approx(4.0)
    assert agency1["actual"].item() == 2                                # C and F
    assert agency1["ae"].item() == pytest.approx((2 / 4) / 0.2)


def test_missing_expected_rate_leaves_expected_blank(six_book: Dataset) -> None:
    table = pd.DataFrame({"policy_year": [1, 2], "rate": [0.1, 0.1]})
    res = experience_study(six_book, expected=table)
    rows = res.rows.set_index("policy_year")
    assert math.isnan(rows.loc[3, "expected"]) and math.isnan(rows.loc[3, "ae"])
    assert math.isnan(res.totals["expected"].iloc[0])


def test_calendar_year_basis(six_book: Dataset) -> None:
    res = experience_study(six_book, basis="calendar_year")
    rows = res.rows.set_index("calendar_year")
    # 2023: B 356/365 + C 1 + D 287/365 + E 291/365 + F 185/365; actual C.
    assert rows.loc[2023, "exposure"] == pytest.approx(1 + (356 + 287 + 291 + 185) / 365)
    assert rows.loc[2023, "actual"] == 1
    assert rows.loc[2020, "exposure"] == pytest.approx(307 / 366)
    assert rows.loc[2024, "exposure"] == pytest.approx(3.0)             # B, D full; F lapsed
    assert rows.loc[2024, "actual"] == 1


def test_target_choice_changes_actuals(six_book: Dataset) -> None:
    res = experience_study(six_book, target=["death"])
    rows = res.rows.set_index("policy_year")
    # PY1: A, B, D full; E's death is now studied: full; C and F's exits now partial
    # exposure: C 11/365, F 321/366; A's lapse in PY3 11/365.
    assert rows.loc[1, "actual"] == 1
    assert rows.loc[1, "exposure"] == pytest.approx(4 + 11 / 365 + 321 / 366)
    assert rows.loc[3, "exposure"] == pytest.approx(11 / 365 + 22 / 365)


def test_json_matches_the_cli_contract(six_book: Dataset) -> None:
    table = pd.DataFrame({"policy_year": [1, 2], "rate": [0.1, 0.1]})
    obj = experience_study(six_book, by=["channel"], expected=table).to_json()
    json.dumps(obj)                                  # plain JSON types only
    assert obj["as_of"] == "2025-01-31"
    assert obj["target"] == ["lapsed", "surrendered"]
    first = obj["rows"][0]
    assert list(first) == ["policy_year", "channel", "exposure", "actual", "rate", "expected",
                           "ae", "credibility"]
    assert first["policy_year"] == 1 and first["channel"] == "agency"
    assert isinstance(first["actual"], int) and isinstance(first["exposure"], float)
    py3 = [r for r in obj["rows"] if r["policy_year"] == 3]
    assert all(r["expected"] is None and r["ae"] is None for r in py3)


def test_total_row_in_frame(six_book: Dataset) -> None:
    frame = experience_study(six_book, by=["channel"]).to_frame(with_total=True)
    assert frame.iloc[-1]["policy_year"] == "Total"
    assert frame.iloc[-1]["actual"] == 3


def test_unknown_by_column_is_a_clear_error(six_book: Dataset) -> None:
    with pytest.raises(AnalysisError) as info:
        experience_study(six_book, by=["colour"])
    assert info.value.column == "colour"


def test_unknown_target_status_is_a_clear_error(six_book: Dataset) -> None:
    with pytest.raises(AnalysisError, match="unknown target status 'lapses'"):
        experience_study(six_book, target=["lapses"])


def test_expected_frame_without_rate_is_rejected(six_book: Dataset) -> None:
    with pytest.raises(AnalysisError, match="'rate'"):
        experience_study(six_book, expected=pd.DataFrame({"policy_year": [1], "q": [0.1]}))
    with pytest.raises(AnalysisError) as info:
        experience_study(six_book, expected=pd.DataFrame({"policy_year": [1], "region": ["x"],
                                                          "rate": [0.1]}))
    assert info.value.column == "region"


def test_read_expected_table(tmp_path) -> None:
    path = tmp_path / "expected.csv"
    path.write_text("Policy Year,Channel,Rate\n1,agency,0.1\n1,bank,0.05\n2,agency,0.08\n",
                    encoding="utf-8")
    table = read_expected_table(path)
    assert list(table.columns) == ["policy_year", "channel", "rate"]
    assert table["policy_year"].tolist() == [1, 1, 2]
    assert table["rate"].tolist() == pytest.approx([0.1, 0.05, 0.08])


@pytest.mark.parametrize("text, message, row, column", [
    ("year,rate\n1,0.1\n", "needs a 'policy_year' column", None, "policy_year"),
    ("policy_year,q\n1,0.1\n", "needs a 'rate' column", None, "rate"),
    ("policy_year,rate\n1,0.1\n2,abc\n", "'abc' is not a number", 3, "rate"),
    ("policy_year,rate\n1.5,0.1\n", "not a whole number", 2, "policy_year"),
    ("policy_year,rate\n1,0.1\n1,0.2\n", "already have a rate", 3, "policy_year"),
    ("policy_year,rate\n", "no rows", None, None),
])
def test_bad_expected_tables_raise_data_errors(tmp_path, text, message, row, column) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=message) as info:
        read_expected_table(path)
    assert info.value.file == str(path)
    assert info.value.row == row and info.value.column == column


def test_missing_expected_file(tmp_path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        read_expected_table(tmp_path / "nope.csv")
