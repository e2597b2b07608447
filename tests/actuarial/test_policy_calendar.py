"""Calendar arithmetic against pandas (an independent implementation of month addition with
end-of-month clipping, as lubridate's %m+%)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis import policy_calendar as cal

DAYS = np.arange(np.datetime64("1960-01-01"), np.datetime64("2041-01-01"))


def test_civil_round_trip_matches_pandas() -> None:
    y, m, d = cal.civil(DAYS)
    ref = pd.DatetimeIndex(DAYS.astype("datetime64[ns]"))
    assert (y == ref.year).all() and (m == ref.month).all() and (d == ref.day).all()
    assert (cal.from_civil(y, m, d) == DAYS).all()
    small = DAYS[:100]                              # the direct (non-table) path
    assert (cal.civil(small)[2] == ref.day[:100]).all()


@pytest.mark.parametrize("months", [-25, -1, 1, 12, 13, 24, 25, 48])
def test_add_months_matches_pandas_date_offset(months: int) -> None:
    want = (pd.DatetimeIndex(DAYS.astype("datetime64[ns]")) + pd.DateOffset(months=months))
    assert (cal.add_months(DAYS, months) == want.to_numpy().astype("datetime64[D]")).all()


def test_clipping_examples() -> None:
    d = np.array(["2020-02-29", "2023-01-31"], dtype="datetime64[D]")
    assert list(cal.add_years(d, 1).astype(str)) == ["2021-02-28", "2024-01-31"]
    assert list(cal.add_years(d, 4).astype(str)) == ["2024-02-29", "2027-01-31"]
    assert list(cal.add_months(d, 1).astype(str)) == ["2020-03-29", "2023-02-28"]


def test_month_helpers() -> None:
    assert (cal.month_index(DAYS) == DAYS.astype("datetime64[M]").astype(np.int64)).all()
    assert cal.month_label(int(cal.month_index(np.array(["2024-02-10"], "datetime64[D]"))[0])) \
        == "2024-02"
    assert str(cal.month_end(np.array([649]))[0]) == "2024-02-29"
    assert cal.month_label(cal.last_complete_month(pd.Timestamp("2024-12-31"))) == "2024-12"
    assert cal.month_label(cal.last_complete_month(pd.Timestamp("2024-12-30"))) == "2024-11"
