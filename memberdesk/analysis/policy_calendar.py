"""Vectorised calendar arithmetic for policy anniversaries, policy months and calendar months.

Dates are numpy ``datetime64[D]`` arrays (whole days). Adding months follows lubridate's
``%m+%`` (the convention of actxps): the day of month is kept and clipped to the last day of the
target month, so 2020-02-29 + 12 months = 2021-02-28 and 2023-01-31 + 1 month = 2023-02-28.
No date rolls over into the next month.

Month indices count calendar months since 1970-01 (``0`` = January 1970), so that
``index // 12 + 1970`` is the year and ``index % 12 + 1`` the month.
"""
from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

DayArray = npt.NDArray[np.datetime64]
IntArray = npt.NDArray[np.int64]

ONE_DAY = np.timedelta64(1, "D")


def to_days(values: pd.Series | pd.DatetimeIndex | npt.ArrayLike) -> DayArray:
    """Dates as a ``datetime64[D]`` array (time of day dropped; NaT stays NaT)."""
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy(dtype="datetime64[ns]")
    return np.asarray(values, dtype="datetime64[ns]").astype("datetime64[D]")


def day(value: pd.Timestamp | str) -> np.datetime64:
    """One date as ``datetime64[D]``."""
    return np.datetime64(pd.Timestamp(value).date(), "D")


_TABLE_LIMIT = 400_000  # days (~1,100 years): beyond that, compute every element directly


def civil(dates: DayArray) -> tuple[IntArray, IntArray, IntArray]:
    """(year, month 1-12, day 1-31) of each date (no NaT).

    Integer arithmetic (H. Hinnant's ``civil_from_days``), much faster than numpy's calendar
    casts; for large arrays it is evaluated once per distinct day of the range and looked up.
    """
    days = dates.astype("datetime64[D]").view(np.int64)
    if days.size > 4096:
        lo, hi = int(days.min()), int(days.max())
        if hi - lo < _TABLE_LIMIT:
            y, m, d = _civil_days(np.arange(lo, hi + 1, dtype=np.int64))
            pos = days - lo
            return y[pos], m[pos], d[pos]
    return _civil_days(days)


def _civil_days(days: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = yoe + era * 400 + (m <= 2)
    return y, m, d


def from_civil(y: npt.ArrayLike, m: npt.ArrayLike, d: npt.ArrayLike) -> DayArray:
    """Dates from (year, month, day) components (H. Hinnant's ``days_from_civil``)."""
    y = np.asarray(y, dtype=np.int64)
    m = np.asarray(m, dtype=np.int64)
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + np.asarray(d, dtype=np.int64) - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return np.asarray((era * 146097 + doe - 719468).astype("datetime64[D]"))


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def days_in_month(y: IntArray, m: IntArray) -> IntArray:
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    return np.asarray(_MONTH_DAYS[m - 1] + ((m == 2) & leap), dtype=np.int64)


def add_months_civil(y: IntArray, m: IntArray, d: IntArray,
                     months: int | npt.ArrayLike) -> DayArray:
    """:func:`add_months` on (year, month, day) components already split by :func:`civil`."""
    total = y * 12 + (m - 1) + np.asarray(months, dtype=np.int64)
    y2, m2 = total // 12, total % 12 + 1
    return from_civil(y2, m2, np.minimum(d, days_in_month(y2, m2)))


def add_months(dates: DayArray, months: int | npt.ArrayLike) -> DayArray:
    """``dates %m+% months`` (lubridate): same day of month, clipped to the month's last day.

    ``dates`` must not contain NaT. ``months`` may be negative or an array (broadcast).
    """
    return add_months_civil(*civil(dates), months)


def add_years(dates: DayArray, years: int | npt.ArrayLike) -> DayArray:
    """``dates %m+% years(n)``: anniversaries, 29 February clipped to 28 February."""
    return add_months(dates, np.asarray(years, dtype=np.int64) * 12)


def month_index(dates: DayArray) -> IntArray:
    """Calendar month of each date as months since 1970-01 (NaT must be masked by the caller)."""
    y, m, _ = civil(dates)
    return (y - 1970) * 12 + m - 1


def month_start(index: npt.ArrayLike) -> DayArray:
    """First day of the calendar month with the given month index."""
    return np.asarray(index, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]")


def month_end(index: npt.ArrayLike) -> DayArray:
    """Last day of the calendar month with the given month index."""
    return month_start(np.asarray(index, dtype=np.int64) + 1) - ONE_DAY


def last_complete_month(as_of: pd.Timestamp) -> int:
    """Index of the latest calendar month whose last day is on or before ``as_of``."""
    idx = int(month_index(np.array([day(as_of)]))[0])
    return idx if month_end(idx) <= day(as_of) else idx - 1


def month_label(index: int) -> str:
    """``YYYY-MM`` label of a month index."""
    return f"{index // 12 + 1970:04d}-{index % 12 + 1:02d}"


def years_of(dates: DayArray) -> IntArray:
    """Calendar year of each date (no NaT)."""
    return civil(dates)[0]
