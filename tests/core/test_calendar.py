"""The one month addition (memberdesk.core.calendar.add_months) against hand calculations and
against Python's own calendar (datetime + calendar.monthrange, an independent implementation),
and the callers that now share it (policy_calendar, engine aggregates, sample simulation,
sample payments)."""
from __future__ import annotations

import calendar as pycal
import datetime as dt

import numpy as np
import pytest

from memberdesk.analysis import policy_calendar
from memberdesk.core.calendar import add_months
from memberdesk.core.engine import aggregates
from memberdesk.sample import payments, simulation


def _d(text: str) -> np.datetime64:
    return np.datetime64(text, "D")


@pytest.mark.parametrize(("start", "months", "want"), [
    ("2023-01-31", 1, "2023-02-28"),    # 31 Jan + 1 month: February 2023 has 28 days
    ("2024-01-31", 1, "2024-02-29"),    # ... 29 days in the leap year 2024
    ("2024-02-29", 12, "2025-02-28"),   # 29 Feb + 12 months: no 29 Feb in 2025
    ("2024-02-29", 48, "2028-02-29"),   # four years on, a leap year again
    ("2023-03-31", -1, "2023-02-28"),   # backwards, clipped the same way
    ("2023-08-31", 1, "2023-09-30"),    # 30-day month
    ("2023-12-15", 1, "2024-01-15"),    # across a year end, the day kept
    ("2100-01-31", 1, "2100-02-28"),    # 2100 is not a leap year (divisible by 100)
    ("2000-01-31", 1, "2000-02-29"),    # 2000 is (divisible by 400)
])
def test_hand_calculations(start: str, months: int, want: str) -> None:
    assert add_months(np.array([_d(start)]), months)[0] == _d(want)


def _python_add_months(day: dt.date, months: int) -> dt.date:
    """Independent reference: the target month from whole-month arithmetic, the day clipped to
    ``calendar.monthrange``'s month length."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, min(day.day, pycal.monthrange(year, month + 1)[1]))


def test_property_against_python_calendar() -> None:
    rng = np.random.default_rng(0)
    days = rng.integers(_d("1800-01-01").astype(np.int64), _d("2400-01-01").astype(np.int64),
                        20_000).astype("datetime64[D]")
    months = rng.integers(-600, 600, len(days))
    got = add_months(days, months)                 # > 4096 dates: the look-up-table path
    want = [_python_add_months(d.astype(dt.date), int(m)) for d, m in zip(days, months)]
    assert [g.astype(dt.date) for g in got] == want
    small = add_months(days[:50], months[:50])     # the direct path
    assert [g.astype(dt.date) for g in small] == want[:50]


def test_nat_stays_nat() -> None:
    days = np.array(["2023-01-31", "NaT", "2024-02-29"], dtype="datetime64[D]")
    out = add_months(days, 1)
    assert np.isnat(out[1])
    assert [str(x) for x in out[[0, 2]]] == ["2023-02-28", "2024-03-29"]


def test_every_caller_is_the_shared_function() -> None:
    """The analysis calendar and the engine aggregates re-export it; the sample's day-number
    form and payment schedule give the same dates."""
    assert policy_calendar.add_months is add_months
    assert aggregates.add_months is add_months
    days = np.array(["2023-01-31", "2024-02-29", "2023-07-01"], dtype="datetime64[D]")
    want = np.array(["2024-02-29", "2025-03-29", "2024-08-01"], dtype="datetime64[D]")
    assert (add_months(days, 13) == want).all()
    assert list(simulation.add_months(days.astype(np.int64), 13)) == list(want.astype(np.int64))
    assert "_add_months" not in vars(payments)
