"""Dates from text cells: ISO and Chinese forms (2021-03-01, 2021/3/1, 2021年3月1日), compact
20210301 and Excel serial numbers; typed date/timestamp columns by their calendar day."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from memberdesk.core.normalize.cells import distinct_values, is_empty
from memberdesk.core.normalize.typed import is_temporal, plain_array, typed_days

EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
EXCEL_SERIAL_RANGE = (20_000.0, 80_000.0)  # 1954-10-03 .. 2119-01-08

_YMD = (r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
        r"(?:(?:[ T]|\s+).*)?$")
_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:\.0+)?$"
_SERIAL = r"^\d{5}(?:\.\d*)?$"


def _ymd_to_days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970 as datetime64[D]; NaT where the calendar date does not exist."""
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31) & (y >= 1700) & (y <= 2261)
    y, m, d = np.where(ok, y, 1970), np.where(ok, m, 1), np.where(ok, d, 1)
    month = (y - 1970) * 12 + (m - 1)
    first = month.astype("datetime64[M]").astype("datetime64[D]")
    days = first + (d - 1).astype("timedelta64[D]")
    ok &= days.astype("datetime64[M]") == first.astype("datetime64[M]")  # no 31 Feb
    return np.where(ok, days, np.datetime64("NaT"))


def _extract_ymd(arr: pa.Array, pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """Dates from cells matching ``pattern`` (groups y, m, d); returns (days, matched)."""
    ext = pc.extract_regex(arr, pattern)
    matched = np.asarray(pc.fill_null(pc.is_valid(ext), False), dtype=bool)
    out = np.full(len(arr), np.datetime64("NaT"), dtype="datetime64[D]")
    if matched.any():
        idx = np.flatnonzero(matched)
        sub = ext.filter(pa.array(matched))
        parts = [np.asarray(pc.cast(sub.field(k), pa.int64()), dtype=np.int64) for k in "ymd"]
        out[idx] = _ymd_to_days(*parts)
    return out, matched


def parse_dates(values: object) -> tuple[pd.Series, np.ndarray]:
    """Parse a column of dates; the time of day is dropped.

    Accepted, mixed freely within one column: ``2021-03-01``, ``2021/3/1``, ``2021.3.1``,
    ``20210301``, ``2021年3月1日``, any of these followed by a time, and Excel serial numbers
    20000–80000 (days since 1899-12-30, fraction = time of day).

    Returns
    -------
    (dates, bad)
        ``datetime64[ns]`` Series (NaT where empty or unreadable) and the unreadable mask.
    """
    if isinstance(values, pd.Series) and pd.api.types.is_datetime64_any_dtype(values.dtype):
        s = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
        return s.dt.normalize().astype("datetime64[ns]").reset_index(drop=True), np.zeros(len(s), bool)
    arr = plain_array(values)
    if is_temporal(arr):
        assert arr is not None
        days = typed_days(arr)
        outside = (days < np.datetime64("1700-01-01")) | (days >= np.datetime64("2262-01-01"))
        bad = outside & ~np.isnat(days)
        return pd.Series(np.where(outside, np.datetime64("NaT"), days).astype("datetime64[ns]")), bad
    # Dates repeat a lot: parse each distinct text once, then spread by the codes.
    codes, distinct = distinct_values(values)
    distinct_days = _parse_distinct_dates(distinct)
    bad_u = ~is_empty(distinct) & np.isnat(distinct_days)
    days = np.append(distinct_days.astype("datetime64[ns]"), np.datetime64("NaT", "ns"))[codes]
    bad = np.append(bad_u, False)[codes]
    return pd.Series(days), bad


def _parse_distinct_dates(arr: pa.Array) -> np.ndarray:
    """datetime64[D] per cell of ``arr`` (NaT when empty or unreadable)."""
    empty = is_empty(arr)
    # Fast path: ISO dates, optionally followed by a time.
    first10 = pc.utf8_slice_codeunits(arr, 0, 10)
    head = pc.strptime(first10, format="%Y-%m-%d", unit="s", error_is_null=True)
    sep = pc.utf8_slice_codeunits(arr, 10, 11)
    # strptime rolls 2021-02-30 over to March: insist the date prints back as written.
    exists = pc.equal(pc.strftime(head, format="%Y-%m-%d"), first10)
    iso = pc.and_(exists, pc.is_in(sep, value_set=pa.array(["", " ", "T"])))
    iso_mask = np.asarray(pc.fill_null(iso, False), dtype=bool)
    days, matched = _extract_ymd(arr.filter(pa.array(~iso_mask)), _YMD) if (~iso_mask).any() \
        else (np.empty(0, "datetime64[D]"), np.empty(0, bool))
    days_all = np.full(len(arr), np.datetime64("NaT"), dtype="datetime64[D]")
    matched_all = iso_mask.copy()
    days_all[iso_mask] = np.asarray(head.filter(pa.array(iso_mask)).cast(pa.timestamp("s")),
                                    dtype="datetime64[s]").astype("datetime64[D]")
    days_all[~iso_mask] = days
    matched_all[~iso_mask] = matched
    days, matched = days_all, matched_all
    rest = ~matched & ~empty
    if rest.any():
        sub_idx = np.flatnonzero(rest)
        sub = arr.filter(pa.array(rest))
        d2, m2 = _extract_ymd(sub, _COMPACT)
        days[sub_idx[m2]] = d2[m2]
        matched[sub_idx[m2]] = True
        serial_mask = np.asarray(pc.fill_null(pc.match_substring_regex(sub, _SERIAL), False), dtype=bool) & ~m2
        if serial_mask.any():
            nums = np.asarray(pc.cast(sub.filter(pa.array(serial_mask)), pa.float64()), dtype=float)
            lo, hi = EXCEL_SERIAL_RANGE
            in_range = (nums >= lo) & (nums <= hi)
            target = sub_idx[serial_mask]
            serial_days = EXCEL_EPOCH + np.floor(np.where(in_range, nums, 0)).astype("timedelta64[D]")
            days[target[in_range]] = serial_days[in_range]
            matched[target[in_range]] = True
    # datetime64[ns] spans 1677..2262; anything outside (e.g. 9999-12-31) is unreadable here.
    outside = (days < np.datetime64("1700-01-01")) | (days >= np.datetime64("2262-01-01"))
    return np.where(outside, np.datetime64("NaT"), days)
