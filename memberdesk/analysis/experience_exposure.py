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

from dataclasses import dataclass
from typing import Literal, Sequence

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
        The studied policies (issued before as-of), in the order ``row`` refers to.
    row
        Position of the record's policy in ``policies``.
    period
        Policy year (1, 2, …) or calendar year (e.g. 2023), per ``basis``.
    period_start, period_end
        Period bounds, both inclusive (``datetime64[D]``).
    exposure
        Exposure in years (0 < exposure ≤ 1).
    actual
        1 on the last record of a policy that terminated with a studied status, else 0.
    """

    policies: pd.DataFrame
    row: npt.NDArray[np.int64]
    period: npt.NDArray[np.int64]
    period_start: npt.NDArray[np.datetime64]
    period_end: npt.NDArray[np.datetime64]
    exposure: npt.NDArray[np.float64]
    actual: npt.NDArray[np.int8]
    basis: str
    method: str
    target: tuple[str, ...]
    as_of: pd.Timestamp

    def to_frame(self, columns: Sequence[str] = ("policy_id",)) -> pd.DataFrame:
        """actxps-style table: the given policy columns, then the period, its bounds, the
        status in the period (``in_force`` except on a policy's termination record) and the
        exposure."""
        pol = self.policies
        out = {c: pol[c].to_numpy()[self.row] for c in columns if c in pol.columns}
        last = np.r_[self.row[1:] != self.row[:-1], True] if len(self.row) else np.zeros(0, bool)
        status = pol["exit_status"].to_numpy(dtype=object)[self.row]
        out["status"] = np.where(last, status, "in_force")
        out[self.basis] = self.period
        out["period_start"] = self.period_start.astype("datetime64[ns]")
        out["period_end"] = self.period_end.astype("datetime64[ns]")
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


def studied_policies(ds: Dataset) -> pd.DataFrame:
    """Policies of ``ds`` that enter an experience study: dated, issued before the as-of date."""
    pol = ds.policies
    if pol is None or ds.generic or "issue_date" not in pol.columns:
        raise AnalysisError("an experience study needs a policies table with issue dates",
                            column="issue_date")
    keep = pol["issue_date"].notna() & (pol["issue_date"] < ds.as_of.normalize())
    return pol[keep].reset_index(drop=True)


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
    pol = studied_policies(ds)
    as_of = cal.day(ds.as_of)
    issue = cal.to_days(pol["issue_date"])
    exit_ = cal.to_days(pol["exit_date"]) if "exit_date" in pol.columns else \
        np.full(len(pol), np.datetime64("NaT"), "datetime64[D]")
    terminated = ~np.isnat(exit_)
    last = np.where(terminated, exit_, as_of)
    is_target = terminated & pol["exit_status"].isin(statuses).to_numpy()

    if basis == "policy_year":
        years = cal.years_of(last) - cal.years_of(issue)
        years -= (cal.add_years(issue, years) > last).astype(np.int64)
        n_periods = years + 1                      # the policy year holding ``last``
        row, k = _expand(n_periods)                # k = 0, 1, … within a policy
        start = cal.add_years(issue[row], k)
        end = cal.add_years(issue[row], k + 1) - cal.ONE_DAY
        period = k + 1
        observed_from = start
    else:
        first_year = cal.years_of(issue)
        n_periods = cal.years_of(last) - first_year + 1
        row, k = _expand(n_periods)
        period = first_year[row] + k
        start = ((period - 1970).astype("datetime64[Y]")).astype("datetime64[D]")
        end = ((period - 1970 + 1).astype("datetime64[Y]")).astype("datetime64[D]") - cal.ONE_DAY
        observed_from = np.maximum(start, issue[row])
    is_last = k == n_periods[row] - 1
    observed_to = np.where(is_last, last[row], end)
    days = (observed_to - observed_from).astype(np.int64) + 1
    exposure = days / ((end - start).astype(np.int64) + 1)
    actual = (is_last & is_target[row]).astype(np.int8)
    if method == "annual":
        exposure[actual == 1] = 1.0
    return ExposureRecords(pol, row, period.astype(np.int64), start, end, exposure, actual,
                           basis, method, statuses, ds.as_of)


def _expand(n_periods: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Row numbers repeated ``n_periods`` times and the 0-based period counter within each."""
    n_periods = n_periods.astype(np.int64)
    row = np.repeat(np.arange(len(n_periods), dtype=np.int64), n_periods)
    first = np.cumsum(n_periods) - n_periods
    k = np.arange(len(row), dtype=np.int64) - np.repeat(first, n_periods)
    return row, k
