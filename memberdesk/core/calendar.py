"""Civil calendar arithmetic on whole days: the one month addition every layer uses.

Dates are numpy ``datetime64[D]`` arrays (whole days, proleptic Gregorian). Adding months
follows lubridate's ``%m+%`` (the convention of actxps): the day of month is kept and clipped to
the last day of the target month, so 2020-02-29 + 12 months = 2021-02-28 and
2023-01-31 + 1 month = 2023-02-28. No date rolls over into the next month. ``months`` may be
negative.

The arithmetic is integer (H. Hinnant's ``civil_from_days`` / ``days_from_civil``), much faster
than numpy's calendar casts. :mod:`memberdesk.analysis.policy_calendar` (policy anniversaries,
month indices), the engine aggregates (:mod:`memberdesk.core.engine.aggregates`) and the sample
book simulation (:mod:`memberdesk.sample`) all call :func:`add_months` here.
"""
from __future__ import annotations

import numpy as np
import numpy.typing as npt

DayArray = npt.NDArray[np.datetime64]
IntArray = npt.NDArray[np.int64]

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
    """Number of days (28-31) of month ``m`` (1-12) of year ``y`` (Gregorian leap years)."""
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    return np.asarray(_MONTH_DAYS[m - 1] + ((m == 2) & leap), dtype=np.int64)


def add_months_civil(y: IntArray, m: IntArray, d: IntArray,
                     months: int | npt.ArrayLike) -> DayArray:
    """:func:`add_months` on (year, month, day) components already split by :func:`civil`."""
    total = y * 12 + (m - 1) + np.asarray(months, dtype=np.int64)
    y2, m2 = total // 12, total % 12 + 1
    return from_civil(y2, m2, np.minimum(d, days_in_month(y2, m2)))


def add_months(dates: npt.ArrayLike, months: int | npt.ArrayLike) -> DayArray:
    """``dates %m+% months`` (lubridate): same day of month, clipped to the month's last day.

    Parameters
    ----------
    dates
        Dates, converted to ``datetime64[D]`` (whole days). NaT stays NaT.
    months
        Whole months to add (may be negative); an int or an array broadcast against ``dates``.

    Returns
    -------
    numpy.ndarray
        ``datetime64[D]`` dates of the broadcast shape.
    """
    days = np.asarray(dates, dtype="datetime64[D]")
    if days.size and np.isnat(days.min()):   # min() is NaT when any element is (one pass)
        nat = np.isnat(days)
        shifted = add_months_civil(*civil(np.where(nat, np.datetime64(0, "D"), days)), months)
        return np.asarray(np.where(nat, np.datetime64("NaT", "D"), shifted))
    return add_months_civil(*civil(days), months)
