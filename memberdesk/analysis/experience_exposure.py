"""Exposure records for experience studies, after actxps' ``expose_py`` / ``expose_cy``.

One record per policy per observed period (policy year or calendar year), with the exposure of
that period in years.

Conventions (DESIGN §4, actxps)
-------------------------------
* Policy year n runs from ``issue_date %m+% (n-1) years`` to the day before
  ``issue_date %m+% n years`` (both ends inclusive; ``%m+%`` clips 29 February to 28 February,
  see :mod:`memberdesk.analysis.policy_calendar`). Calendar year Y runs 1 January – 31 December.
* Observation runs from the issue date to the termination date (inclusive) or to the as-of date
  (inclusive). Policies issued on or after the as-of date are left out (actxps:
  ``issue_date < end_date``); a termination dated after the as-of date counts as in force.
* A partial period's exposure = days observed in it (both ends inclusive) ÷ days in the period.
* ``method="annual"`` (default, actxps' ``target_status``): a termination of a studied status
  gets a full period of exposure (1.0) in its last period; other terminations and policies still
  in force at the as-of date get partial exposure. ``method="distribution"``: every last period
  is partial, so the exposures of a policy add up to its observed days ÷ period days.

Difference from actxps, on purpose: for a policy issued on 29 February, actxps counts the
fraction of a year from 28 February (``issue_date - 1``) while labelling the period with the
clipped anniversaries, so a termination on 28 February of a common year lands at the end of the
earlier policy year with an exposure slightly above 1. Here that day is the first day of the next
policy year, as the period bounds say. All other dates give actxps' results.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from memberdesk.analysis import policy_calendar as cal
from memberdesk.core import schema
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError

Basis = Literal["policy_year", "calendar_year"]
Method = Literal["annual", "distribution"]
BASES: tuple[str, ...] = ("policy_year", "calendar_year")
METHODS: tuple[str, ...] = ("annual", "distribution")
TERMINATION_STATUSES: tuple[str, ...] = tuple(s for s in schema.POLICY_STATUSES if s != "in_force")


@dataclass(frozen=True)
class ExposureRecords:
    """Exposure records as parallel arrays (one element per policy-period).

    Attributes
    ----------
    policies
        The dataset's policies table (``ds.policies``, not copied); policies issued on or
        after the as-of date have no records.
    row
        Position of the record's policy in ``policies`` (records of a policy are consecutive).
    period
        Policy year (1, 2, …) or calendar year (e.g. 2023), per ``basis``.
    exposure
        Exposure in years (0 < exposure ≤ 1).
    actual
        1 on the last record of a policy that terminated with a studied status, else 0.
    """

    policies: pd.DataFrame
    row: npt.NDArray[np.int64]
    period: npt.NDArray[np.int64]
    exposure: npt.NDArray[np.float64]
    actual: npt.NDArray[np.int8]
    basis: str
    method: str
    target: tuple[str, ...]
    as_of: pd.Timestamp

    def period_bounds(self) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.datetime64]]:
        """(first day, last day) of each record's period, both inclusive (``datetime64[D]``)."""
        if self.basis == "calendar_year":
            return cal.from_civil(self.period, 1, 1), cal.from_civil(self.period, 12, 31)
        y, m, d = cal.civil(cal.to_days(self.policies["issue_date"])[self.row])
        return (cal.add_months_civil(y, m, d, 12 * (self.period - 1)),
                cal.add_months_civil(y, m, d, 12 * self.period) - cal.ONE_DAY)

    def to_frame(self, columns: Sequence[str] = ("policy_id",)) -> pd.DataFrame:
        """actxps-style table: the given policy columns, then the period, its bounds, the
        status in the period (``in_force`` except on a policy's termination record), the
        exposure and the actual (0/1)."""
        pol = self.policies
        out = {c: pol[c].to_numpy()[self.row] for c in columns if c in pol.columns}
        last = np.r_[self.row[1:] != self.row[:-1], True] if len(self.row) else np.zeros(0, bool)
        status = pol["exit_status"].to_numpy(dtype=object)[self.row]
        out["status"] = np.where(last, status, "in_force")
        out[self.basis] = self.period
        start, end = self.period_bounds()
        out["period_start"] = start.astype("datetime64[ns]")
        out["period_end"] = end.astype("datetime64[ns]")
        out["exposure"] = self.exposure
        out["actual"] = self.actual
        return pd.DataFrame(out)


def check_target(target: Sequence[str]) -> tuple[str, ...]:
    """The studied statuses, validated against the termination statuses of the schema."""
    statuses = tuple(dict.fromkeys(str(s).strip().lower() for s in target if str(s).strip()))
    if not statuses:
        raise AnalysisError("choose at least one termination status to study")
    unknown = [s for s in statuses if s not in TERMINATION_STATUSES]
    if unknown:
        raise AnalysisError(f"unknown target status {', '.join(map(repr, unknown))}; "
                            f"choose from {', '.join(TERMINATION_STATUSES)}", column="status")
    return statuses


def _dated_policies(ds: Dataset) -> pd.DataFrame:
    pol = ds.policies
    if pol is None or ds.generic or "issue_date" not in pol.columns:
        raise AnalysisError("an experience study needs a policies table with issue dates",
                            column="issue_date")
    return pol


def expose(ds: Dataset, *, target: Sequence[str] = schema.VOLUNTARY_EXIT_STATUSES,
           basis: str = "policy_year", method: str = "annual") -> ExposureRecords:
    """Expand the policies of ``ds`` into exposure records (see the module docstring).

    Parameters
    ----------
    ds
        The dataset; its as-of date ends the study.
    target
        Termination statuses studied (the "actual" decrements).
    basis
        ``"policy_year"`` or ``"calendar_year"``.
    method
        ``"annual"`` (full exposure for a studied termination's last period) or
        ``"distribution"`` (partial exposure for every last period).
    """
    if basis not in BASES:
        raise AnalysisError(f"unknown exposure basis {basis!r}; choose from {', '.join(BASES)}")
    if method not in METHODS:
        raise AnalysisError(f"unknown exposure method {method!r}; choose from {', '.join(METHODS)}")
    statuses = check_target(target)
    pol = _dated_policies(ds)
    as_of = cal.day(ds.as_of)
    issue_all = cal.to_days(pol["issue_date"])
    studied = np.flatnonzero(~np.isnat(issue_all) & (issue_all < as_of))
    issue = issue_all[studied]
    exit_ = cal.to_days(pol["exit_date"])[studied] if "exit_date" in pol.columns else \
        np.full(len(studied), np.datetime64("NaT"), "datetime64[D]")
    terminated = ~np.isnat(exit_)
    last = np.maximum(np.where(terminated, exit_, as_of), issue)  # (end before issue: 1 day)
    is_target = terminated & pol["exit_status"].isin(statuses).to_numpy()[studied]
    iy, im, iday = cal.civil(issue)
    ly = cal.years_of(last)

    # Dates are computed per policy (its last period, and for calendar years its first);
    # every other record is a whole period with exposure 1.
    if basis == "policy_year":
        years = ly - iy
        years -= (cal.add_months_civil(iy, im, iday, 12 * years) > last).astype(np.int64)
        n_periods = years + 1                      # the policy year holding ``last``
        start = cal.add_months_civil(iy, im, iday, 12 * years)
        end = cal.add_months_civil(iy, im, iday, 12 * (years + 1)) - cal.ONE_DAY
        last_part = _days(start, last) / _days(start, end)
        first_part = np.ones(len(issue))
        first_year = np.ones(len(issue), dtype=np.int64)
    else:
        n_periods = ly - iy + 1
        first_year = iy
        year_days = np.where(_is_leap(iy), 366, 365)
        first_part = _days(issue, cal.from_civil(iy, 12, 31)) / year_days
        last_from = np.maximum(cal.from_civil(ly, 1, 1), issue)
        last_part = _days(last_from, last) / np.where(_is_leap(ly), 366, 365)
    if method == "annual":
        last_part = np.where(is_target, 1.0, last_part)
    local, k = _expand(n_periods)
    is_last = k == n_periods[local] - 1
    exposure = np.ones(len(local))
    exposure[k == 0] = first_part
    exposure[is_last] = last_part
    actual = (is_last & is_target[local]).astype(np.int8)
    return ExposureRecords(pol, studied[local], first_year[local] + k, exposure, actual,
                           basis, method, statuses, ds.as_of)


def _days(first: npt.NDArray[np.datetime64], last: npt.NDArray[np.datetime64]) -> npt.NDArray[np.int64]:
    """Days from ``first`` to ``last``, both inclusive."""
    return (last - first).astype(np.int64) + 1


def _is_leap(y: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    return (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))


def _expand(n_periods: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Row numbers repeated ``n_periods`` times and the 0-based period counter within each."""
    n_periods = n_periods.astype(np.int64)
    row = np.repeat(np.arange(len(n_periods), dtype=np.int64), n_periods)
    first = np.cumsum(n_periods) - n_periods
    k = np.arange(len(row), dtype=np.int64) - np.repeat(first, n_periods)
    return row, k
