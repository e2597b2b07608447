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

# The civil arithmetic (and month addition) lives in core, shared with the engine aggregates and
# the sample simulation; re-exported here for the analysis modules that use ``cal.<name>``.
from memberdesk.core.calendar import DayArray as DayArray
from memberdesk.core.calendar import IntArray as IntArray
from memberdesk.core.calendar import add_months as add_months
from memberdesk.core.calendar import add_months_civil as add_months_civil
from memberdesk.core.calendar import civil as civil
from memberdesk.core.calendar import from_civil as from_civil

ONE_DAY = np.timedelta64(1, "D")


def to_days(values: pd.Series | pd.DatetimeIndex | npt.ArrayLike) -> DayArray:
    """Dates as a ``datetime64[D]`` array (time of day dropped; NaT stays NaT)."""
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy(dtype="datetime64[ns]")
    return np.asarray(values, dtype="datetime64[ns]").astype("datetime64[D]")


def day(value: pd.Timestamp | str) -> np.datetime64:
    """One date as ``datetime64[D]``."""
    return np.datetime64(pd.Timestamp(value).date(), "D")


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
