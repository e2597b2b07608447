"""Parsing of raw cells: dates, numbers, booleans, vocabularies, text (core/normalize/)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from memberdesk.core import normalize, schema


@pytest.mark.parametrize("text", ["2021-03-01", "2021/3/1", "2021/03/01", "20210301", "2021年3月1日",
                                  "2021.3.1", "2021-3-1", " 2021-03-01 ", "2021-03-01 13:45:00",
                                  "2021/3/1 8:05", "2021-03-01T13:45:00Z", "44256", "44256.75",
                                  "2021年03月01日"])
def test_every_date_format_reads_as_1_march_2021(text: str) -> None:
    # Excel serial 44256: days since 1899-12-30 -> 2021-03-01 (=DATE(2021,3,1) in Excel).
    dates, bad = normalize.parse_dates(pa.array([text]))
    assert dates.iloc[0] == pd.Timestamp("2021-03-01")
    assert not bad[0]


def test_mixed_formats_in_one_column_and_empty_cells() -> None:
    values = pa.array(["2021-03-01", "2022/12/31", None, "", "20200229", "2019年7月4日", "43831"])
    dates, bad = normalize.parse_dates(values)
    expected = ["2021-03-01", "2022-12-31", None, None, "2020-02-29", "2019-07-04", "2020-01-01"]
    assert list(dates) == [pd.Timestamp(e) if e else pd.NaT for e in expected]
    assert not bad.any()
    assert dates.dtype == "datetime64[ns]"


@pytest.mark.parametrize("text", ["2021-02-30", "2021/13/01", "hello", "12345", "20211341",
                                  "2021-03-01x", "9999-12-31", "99999"])
def test_unreadable_dates_are_flagged_not_guessed(text: str) -> None:
    dates, bad = normalize.parse_dates(pa.array([text, "2021-01-01"]))
    assert pd.isna(dates.iloc[0]) and bad[0]
    assert not bad[1]


def test_python_dates_and_datetimes_from_workbooks() -> None:
    cells = pd.Series([dt.datetime(2021, 3, 1, 17, 30), dt.date(2020, 1, 2), 44256.0, None],
                      dtype=object)
    dates, bad = normalize.parse_dates(cells)
    assert list(dates[:3]) == [pd.Timestamp("2021-03-01"), pd.Timestamp("2020-01-02"),
                               pd.Timestamp("2021-03-01")]
    assert pd.isna(dates[3]) and not bad.any()


def test_datetime_series_is_normalised_to_midnight() -> None:
    s = pd.Series(pd.to_datetime(["2021-03-01 10:00", None]))
    dates, bad = normalize.parse_dates(s)
    assert dates.iloc[0] == pd.Timestamp("2021-03-01") and pd.isna(dates.iloc[1])


@pytest.mark.parametrize(("text", "value"), [
    ("1234.5", 1234.5), ("¥1,234.50", 1234.5), ("￥1,234.50", 1234.5), ("$5", 5.0),
    ("RMB 100", 100.0), ("100元", 100.0), ("12%", 0.12), ("(1,000)", -1000.0), ("-3", -3.0),
    ("１２３", 123.0), ("1 000", 1000.0),
])
def test_number_forms(text: str, value: float) -> None:
    nums, bad = normalize.parse_numbers(pa.array([text]))
    assert nums[0] == pytest.approx(value)
    assert not bad[0]


def test_unreadable_numbers_flagged_and_empty_is_missing() -> None:
    nums, bad = normalize.parse_numbers(pa.array(["abc", "", None, "12"]))
    assert np.isnan(nums[:3]).all() and nums[3] == 12
    assert bad.tolist() == [True, False, False, False]


@pytest.mark.parametrize("word", schema.TRUE_WORDS + ("YES", "True", " Y "))
def test_true_words(word: str) -> None:
    flags, bad = normalize.parse_bools(pa.array([word]))
    assert flags.iloc[0] is True or flags.iloc[0] == True  # noqa: E712 (pandas BooleanDtype)
    assert not bad[0]


@pytest.mark.parametrize("word", schema.FALSE_WORDS + ("NO", "False"))
def test_false_words(word: str) -> None:
    flags, bad = normalize.parse_bools(pa.array([word]))
    assert flags.iloc[0] == False  # noqa: E712
    assert not bad[0]


def test_bool_unreadable_and_dtype() -> None:
    flags, bad = normalize.parse_bools(pa.array(["maybe", None, "是"]))
    assert str(flags.dtype) == "boolean"
    assert pd.isna(flags.iloc[0]) and pd.isna(flags.iloc[1]) and flags.iloc[2] == True  # noqa: E712
    assert bad.tolist() == [True, False, False]


def test_every_policy_status_synonym_maps_to_its_status() -> None:
    words = [w for ws in schema.STATUS_SYNONYMS.values() for w in ws]
    expected = [k for k, ws in schema.STATUS_SYNONYMS.items() for _ in ws]
    got, bad = normalize.parse_policy_status(pa.array(words))
    assert list(got) == expected and not bad.any()


@pytest.mark.parametrize(("text", "status"), [("IN FORCE", "in_force"), ("In-Force", "in_force"),
                                              ("Lapsed", "lapsed"), ("退保", "surrendered"),
                                              ("身故", "death"), ("满期", "matured"),
                                              ("有效", "in_force")])
def test_status_case_and_spelling(text: str, status: str) -> None:
    got, bad = normalize.parse_policy_status(pa.array([text]))
    assert got[0] == status and not bad[0]


def test_unknown_status_flagged() -> None:
    got, bad = normalize.parse_policy_status(pa.array(["zombie", None]))
    assert got[0] is None and bad.tolist() == [True, False]


def test_claim_status_and_handled_by() -> None:
    words = [w for ws in schema.CLAIM_STATUS_SYNONYMS.values() for w in ws]
    expected = [k for k, ws in schema.CLAIM_STATUS_SYNONYMS.items() for _ in ws]
    got, bad = normalize.parse_claim_status(pa.array(words))
    assert list(got) == expected and not bad.any()
    words = [w for ws in schema.HANDLED_BY_SYNONYMS.values() for w in ws]
    expected = [k for k, ws in schema.HANDLED_BY_SYNONYMS.items() for _ in ws]
    got, bad = normalize.parse_handled_by(pa.array([w.upper() for w in words]))
    assert list(got) == expected and not bad.any()


def test_clean_text_ids_from_workbook_floats_and_blanks() -> None:
    got = normalize.clean_text(pd.Series([12345.0, "  abc ", "", None, "007"], dtype=object))
    assert got.tolist() == ["12345", "abc", None, None, "007"]
    assert normalize.clean_text(pa.array(["a", "a", None]), repetitive=True).tolist() == ["a", "a", None]


def test_extra_columns_numeric_or_text() -> None:
    assert normalize.extra_column(pa.array(["1", "2.5", ""])).tolist()[:2] == [1.0, 2.5]
    assert normalize.extra_column(pa.array(["007", "2"])).tolist() == ["007", "2"]
    assert normalize.extra_column(pa.array(["gold", "2"])).tolist() == ["gold", "2"]


@pytest.mark.parametrize("text", ["1.234,5", "12,34", "1,2345", "1 234,5", "inf", "-inf",
                                  "Infinity", "¥1,23"])
def test_ambiguous_or_infinite_numbers_are_flagged_not_guessed(text: str) -> None:
    # "1.234,5" used to read as 1.2345 and "1 234,5" as 12345 (commas stripped anywhere);
    # "inf" used to be accepted as an amount. A comma only separates groups of three digits.
    nums, bad = normalize.parse_numbers(pa.array([text, "7"]))
    assert np.isnan(nums[0]) and bad.tolist() == [True, False]


@pytest.mark.parametrize("token", ["NaN", "nan", "NULL", "null", "None", "N/A", "#N/A", "NaT",
                                   " <NA> "])
def test_null_tokens_are_missing_not_unreadable(token: str) -> None:
    # Exports write NaN/NULL/#N/A for empty cells: missing values, never a rejection.
    cells = pa.array([token, "x"])
    assert normalize.parse_numbers(pa.array([token, "1"]))[1].tolist() == [False, False]
    assert np.isnan(normalize.parse_numbers(pa.array([token, "1"]))[0][0])
    dates, bad = normalize.parse_dates(pa.array([token, "2021-03-01"]))
    assert pd.isna(dates.iloc[0]) and bad.tolist() == [False, False]
    words, bad = normalize.parse_policy_status(pa.array([token, "有效"]))
    assert words.tolist() == [None, "in_force"] and bad.tolist() == [False, False]
    flags, bad = normalize.parse_bools(pa.array([token, "是"]))
    assert pd.isna(flags.iloc[0]) and bad.tolist() == [False, False]
    assert normalize.clean_text(cells).tolist() == [None, "x"]
    # a word merely starting like a token is text
    assert normalize.clean_text(pa.array(["Nonesuch"])).tolist() == ["Nonesuch"]


def test_infinite_floats_become_missing_text_without_warnings() -> None:
    # Parquet float columns holding inf used to raise "invalid value encountered in cast".
    out = normalize.as_string_array(pa.array([1.0, np.inf, -np.inf, np.nan, 2.5]))
    assert out.to_pylist() == ["1", None, None, None, "2.5"]
