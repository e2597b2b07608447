"""The fast paths of parsing and validation (raw cells cast as they are, emptiness checked on
distinct values, the generic policies view assembled without copies) give exactly what the
careful text path gives, on messy inputs. Expected values are worked out by hand from the
rules in DESIGN §2–§3 (empty/null tokens are missing, never bad)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from memberdesk.core import normalize
from memberdesk.core.dataset import Dataset
from memberdesk.core.loader import load_dataset

TODAY = dt.date(2025, 1, 1)


def _both(cells: list[str | None]) -> list[object]:
    """The same cells as a raw pyarrow string array (fast path) and a Python list (text path:
    :func:`normalize.as_string_array` first)."""
    return [pa.array(cells, type=pa.string()), list(cells)]


@pytest.mark.parametrize("form", [0, 1])
def test_numbers_plain_cells_with_nan_and_inf(form: int) -> None:
    # every cell casts, so the fast path takes it; NaN/nan/-nan are null tokens (missing),
    # nAn is not a null token and inf is not an amount: both unreadable.
    cells = ["1.5", "-2", "NaN", "nan", "-nan", "inf", "nAn", None, "1e3"]
    out, bad = normalize.parse_numbers(_both(cells)[form])
    np.testing.assert_array_equal(out, [1.5, -2, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, 1000])
    assert bad.tolist() == [False, False, False, False, False, True, True, False, False]


@pytest.mark.parametrize("form", [0, 1])
def test_numbers_messy_cells_fall_back(form: int) -> None:
    cells = [" 3 ", "", "abc", "1,234", "NULL", "-4"]
    out, bad = normalize.parse_numbers(_both(cells)[form])
    np.testing.assert_array_equal(out, [3, np.nan, np.nan, 1234, np.nan, -4])
    assert bad.tolist() == [False, False, True, False, False, False]


@pytest.mark.parametrize("form", [0, 1])
def test_bools_distinct_values(form: int) -> None:
    cells = ["1", "0", "x", "2", "", "NaN", " yes ", None, "1 "]
    flags, bad = normalize.parse_bools(_both(cells)[form])
    assert flags.dtype == "boolean"
    assert flags.tolist() == [True, False, pd.NA, pd.NA, pd.NA, pd.NA, True, pd.NA, True]
    assert bad.tolist() == [False, False, True, True, False, False, False, False, False]


@pytest.mark.parametrize("form", [0, 1])
def test_dates_distinct_values(form: int) -> None:
    cells = ["2021-03-01", " 2021-03-01 ", "2021/3/1", "bad", "", "NaT", "2021-02-30", None]
    days, bad = normalize.parse_dates(_both(cells)[form])
    d = pd.Timestamp("2021-03-01")
    assert days.tolist()[:3] == [d, d, d]
    assert days.iloc[3:].isna().all()
    assert bad.tolist() == [False, False, False, True, False, False, True, False]


@pytest.mark.parametrize("form", [0, 1])
def test_categories_trimmed_and_emptied(form: int) -> None:
    out = normalize.clean_text(_both([" a", "a ", "", "NULL", None, "b"])[form], repetitive=True)
    assert out.tolist() == ["a", "a", None, None, None, "b"]


@pytest.mark.parametrize("cells, expected", [
    (["1", "2.5", "NaN"], [1.0, 2.5, np.nan]),            # fast path, NaN token missing
    (["1", "inf"], [1.0, np.inf]),                         # a number column keeps inf
    (["1", " 2 ", ""], [1.0, 2.0, np.nan]),                # spaces/blank: careful path
    (["007", "1"], ["007", "1"]),                          # leading zero: an id, kept as text
    (["-01", "5"], ["-01", "5"]),
    (["NaN", "nan"], [None, None]),                        # nothing but empties: text
    (["a", "1"], ["a", "1"]),
])
@pytest.mark.parametrize("form", [0, 1])
def test_extra_columns(cells: list[str], expected: list[object], form: int) -> None:
    out = normalize.extra_column(_both(cells)[form])
    if isinstance(expected[0], float):
        assert out.dtype == float
        np.testing.assert_array_equal(out, expected)
    else:
        assert out.dtype == object and out.tolist() == expected


MESSY = """T,E,channel,premium
10,1,agency,100
-5,0,agency,200
7.5,2,broker,
NaN,1,broker,50
3,x,online,1e2
4,,online,7
 6 ,true,agency,8
0,0,,9
"""


def test_generic_load_of_messy_rows(tmp_path) -> None:
    f = tmp_path / "messy.csv"
    f.write_text(MESSY)
    ds = load_dataset([f], duration_col="T", event_col="E", today=TODAY)
    v = ds.validated["policies"]
    # accepted: file rows 2 (10,1), 8 (" 6 ",true) and 9 (0,0); the header is row 1
    assert v["policy_id"].tolist() == ["2", "8", "9"]
    assert v["duration"].tolist() == [10.0, 6.0, 0.0]
    assert v["event"].dtype == "boolean" and v["event"].tolist() == [True, True, False]
    assert v["channel"].tolist() == ["agency", "agency", None]
    assert v["premium"].dtype == float and v["premium"].tolist() == [100.0, 8.0, 9.0]
    rej = ds.report.rejected.sort_values("row")
    assert rej["row"].tolist() == [3, 4, 5, 6, 7]
    assert rej["column"].tolist() == ["T", "E", "T", "E", "E"]
    # an empty event is an unreadable yes/no; an empty duration a missing date
    assert rej["reason"].tolist() == ["negative_amount", "unparseable_bool", "missing_date",
                                      "unparseable_bool", "unparseable_bool"]
    assert rej["value"].tolist() == ["-5", "2", "NaN", "x", None]  # the cell as written
    assert set(rej["file"]) == {str(f)}
    table = ds.report.tables[0]
    assert (table.read, table.accepted, table.rejected) == (8, 3, 5)

    p = ds.policies
    assert list(p.columns) == ["policy_id", "duration", "event", "channel", "premium",
                               "exit_status", "duration_days", "duration_months"]
    assert p["event"].dtype == "boolean"  # the source's event column is kept
    assert p["exit_status"].tolist() == ["lapsed", "lapsed", "in_force"]
    assert p["duration_days"].tolist() == [10.0, 6.0, 0.0]
    np.testing.assert_allclose(p["duration_months"], np.array([10.0, 6.0, 0.0]) / (365.25 / 12))


def test_generic_policies_view_keeps_premium_band_and_missing_events() -> None:
    frame = pd.DataFrame({"policy_id": ["a", "b", "c"], "duration": [1.0, 2.0, 3.0],
                          "event": pd.array([True, None, False], dtype="boolean"),
                          "annual_premium": [500.0, 5000.0, np.nan]})
    ds = Dataset(validated={"policies": frame}, as_of=pd.Timestamp("2024-12-31"), generic=True)
    p = ds.policies
    assert p["exit_status"].tolist() == ["lapsed", "in_force", "in_force"]  # missing: no event
    assert "premium_band" in p.columns and p["premium_band"].isna().tolist() == [False, False, True]
    assert p["premium_band"].iloc[0] != p["premium_band"].iloc[1]
    assert p["policy_id"].tolist() == ["a", "b", "c"] and len(p) == 3


def test_only_wanted_extra_columns_are_kept(tmp_path) -> None:
    f = tmp_path / "messy.csv"
    f.write_text(MESSY)
    full = load_dataset([f], duration_col="T", event_col="E", today=TODAY)
    some = load_dataset([f], duration_col="T", event_col="E", today=TODAY, extra_columns=("channel",))
    assert list(some.validated["policies"].columns) == ["policy_id", "duration", "event", "channel"]
    pd.testing.assert_frame_equal(some.validated["policies"],
                                  full.validated["policies"].drop(columns=["premium"]))
    # the rejected rows are the same; each carries its own row's cells, so the rows read
    # without an unwanted extra column lack that cell (issue 17 C.16: rows keep their values)
    assert "premium" in full.report.rejected.columns
    pd.testing.assert_frame_equal(some.report.rejected,
                                  full.report.rejected.drop(columns=["premium"]))
    # a name that is no column of the data (derived or unknown): every extra is kept
    other = load_dataset([f], duration_col="T", event_col="E", today=TODAY,
                         extra_columns=("premium_band",))
    assert list(other.validated["policies"].columns) == list(full.validated["policies"].columns)


@pytest.mark.parametrize("text, rows, ids", [
    ("policy_id,issue_date\nP1,2021-03-01\nP2,2021-03-02", [2, 3], ["P1", "P2"]),   # no final newline
    ("policy_id,issue_date\nP1,2021-03-01\n   \nP2,2021-03-02\n", [2, 4], ["P1", "P2"]),  # spaces line
    ("policy_id,issue_date\r\nP1,2021-03-01\r\n\r\nP2,2021-03-02\r\n", [2, 4], ["P1", "P2"]),
    ("policy_id,issue_date\nP1,2021-03-01\n,\nP2,2021-03-02\n \n", [2, 4], ["P1", "P2"]),
])
def test_row_numbers_without_counting_lines(tmp_path, text: str, rows: list[int], ids: list[str]) -> None:
    from memberdesk.core.identify import read_file

    f = tmp_path / "policies.csv"
    f.write_bytes(text.encode())
    (raw,) = read_file(f).tables
    assert raw.rows.tolist() == rows  # spreadsheet rows: header = 1, blank rows not records
    assert raw.data.column("policy_id").to_pylist() == ids


@pytest.mark.parametrize("ids, expected", [
    (["a", "b", "c"], False), (["a", "b", "b"], True),   # already in order: neighbours tell
    (["c", "a", "c"], True), (["b", "a"], False),         # out of order: sorted first
    (["a", None, "a"], True), ([None, None], False), (["x"], False),  # missing ids never clash
])
def test_duplicate_id_check(ids: list[str | None], expected: bool) -> None:
    from memberdesk.core.validation import _has_duplicates

    assert _has_duplicates(pa.array(ids, type=pa.string())) is expected
