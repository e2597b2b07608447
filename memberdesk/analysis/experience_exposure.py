"""Exposure records for experience studies, after actxps' ``expose_p*`` / ``expose_c*``.

One record per policy per observed period — policy or calendar years, quarters, months or weeks
(actxps ``expose_py/pq/pm/pw``, ``expose_cy/cq/cm/cw``) — with the exposure of that period in
the period's unit (a whole quarter = 1 for quarterly exposures).

Conventions (docs/conventions.md, actxps)
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

Periods: policy period n (length L = 12, 3 or 1 months, or 7 days) runs from
``issue_date %m+% (n-1)·L`` to the day before ``issue_date %m+% n·L``. Calendar quarters and
months are the calendar's; calendar weeks run Sunday to Saturday (actxps). Period values:
policy periods 1, 2, …; calendar years as the year; calendar quarters, months and weeks as an
index (quarters/months/weeks since 1970-01-01; weeks since Sunday 1970-01-04), labelled
``2023Q2``, ``2023-04`` and the week's first day by :func:`period_labels`.

Study start (actxps ``start_date``): policies that ended on or before it are left out; with
policy periods only the periods beginning on or after it are kept (a policy period straddling the
study start is left out whole, as actxps does); with calendar periods a policy's first period
starts at max(issue, study start) and is partly exposed.

Differences from actxps, on purpose (each shows only on the dates named):
* Calendar weeks: for a first day (issue or study start) falling on a Sunday actxps starts the
  week before and adds a zero-exposure record; here the first week is the one holding that
  Sunday (same exposures, one record fewer).
* Policy months, quarters and years of a policy issued on the 29th-31st: actxps counts the
  periods from ``issue_date - 1`` while labelling them with clipped monthiversaries, so a
  termination on the first day of a clipped period can land at the end of the previous period
  with an exposure slightly above 1. Here the period bounds decide (see below for 29 February).

Difference from actxps, on purpose: for a policy issued on 29 February, actxps counts the
fraction of a year from 28 February (``issue_date - 1``) while labelling the period with the
clipped anniversaries, so a termination on 28 February of a common year lands at the end of the
earlier policy year with an exposure slightly above 1. Here that day is the first day of the next
policy year, as the period bounds say. All other dates give actxps' results.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from memberdesk.analysis import policy_calendar as cal
from memberdesk.analysis.segment_codes import encode_segments
from memberdesk.core import schema
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason

Basis = Literal["policy", "calendar"]
Method = Literal["annual", "distribution"]
KINDS: tuple[str, ...] = ("policy", "calendar")
PERIODS: tuple[str, ...] = ("year", "quarter", "month", "week")
BASES: tuple[str, ...] = tuple(f"{k}_{p}" for k in KINDS for p in PERIODS)
METHODS: tuple[str, ...] = ("annual", "distribution")
# Termination statuses an experience study can count (a waiver is no exit).
TERMINATION_STATUSES: tuple[str, ...] = tuple(s for s in schema.POLICY_STATUSES
                                              if s not in ("in_force", "waived"))
_MONTHS = {"year": 12, "quarter": 3, "month": 1}
# ~0.5 GB of record arrays: weekly periods over a large book would exhaust memory first
MAX_RECORDS = 30_000_000
_EPOCH_SUNDAY = np.datetime64("1970-01-04", "D")


def split_basis(basis: str, period: str | None = None) -> tuple[str, str]:
    """(kind, period length) of a basis name: ``policy_year`` -> (policy, year); ``policy`` with
    ``period="quarter"`` -> (policy, quarter). Raises AnalysisError for unknown names."""
    kind, _, length = basis.partition("_")
    if period is not None and (not length or length == "year"):
        length = period
    length = length or "year"
    if kind not in KINDS or length not in PERIODS:
        raise AnalysisError(f"unknown exposure basis {basis!r} / period {period!r}; choose a "
                            f"basis from {', '.join(KINDS)} and a period from {', '.join(PERIODS)}")
    return kind, length


@dataclass(frozen=True)
class ExposureRecords:
    """Exposure records as parallel arrays (one element per policy-period).

    Attributes
    ----------
    policies
        The policies frame the records index (``ds.policies``, not copied); policies issued on
        or after the as-of date have no records.
    row
        Position of the record's policy in ``policies`` (records of a policy are consecutive).
    period
        Policy period (1, 2, …) or calendar period index (see the module docstring).
    exposure
        Exposure in periods (0 < exposure ≤ 1).
    actual
        1 on the last record of a policy that terminated with a studied status, else 0.
    basis
        ``policy_year``, ``policy_quarter``, …, ``calendar_week`` (the period column name).
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
    study_start: pd.Timestamp | None = None

    @property
    def kind(self) -> str:
        return split_basis(self.basis)[0]

    @property
    def length(self) -> str:
        return split_basis(self.basis)[1]

    def period_bounds(self) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.datetime64]]:
        """(first day, last day) of each record's period, both inclusive (``datetime64[D]``)."""
        if self.kind == "calendar":
            return calendar_bounds(self.period, self.length)
        issue = cal.to_days(self.policies["issue_date"])[self.row]
        return policy_bounds(issue, self.period - 1, self.length)

    def to_frame(self, columns: Sequence[str] = ("policy_id",)) -> pd.DataFrame:
        """actxps-style table: the given policy columns, then the period, its bounds, the
        status in the period (``in_force`` except on a policy's termination record), the
        exposure and the actual (0/1)."""
        pol = self.policies
        out = {c: pol[c].to_numpy()[self.row] for c in columns if c in pol.columns}
        last = np.r_[self.row[1:] != self.row[:-1], True] if len(self.row) else np.zeros(0, bool)
        status = pol["exit_status"].to_numpy(dtype=object)[self.row]
        out["status"] = np.where(last & ~np.isnat(cal.to_days(pol["exit_date"])[self.row]),
                                 status, "in_force")
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
        raise AnalysisError(Reason("experience_no_target"))
    unknown = [s for s in statuses if s not in TERMINATION_STATUSES]
    if unknown:
        raise AnalysisError(f"unknown target status {', '.join(map(repr, unknown))}; "
                            f"choose from {', '.join(TERMINATION_STATUSES)}", column="status")
    return statuses


def _dated_policies(ds: Dataset) -> pd.DataFrame:
    pol = ds.policies
    if pol is None or ds.generic or "issue_date" not in pol.columns:
        raise AnalysisError(Reason("experience_no_issue_dates"), column="issue_date")
    return pol


def expose(ds: Dataset, *, target: Sequence[str] = schema.VOLUNTARY_EXIT_STATUSES,
           basis: str = "policy_year", method: str = "annual", period: str | None = None,
           study_start: pd.Timestamp | str | None = None) -> ExposureRecords:
    """Expand the policies of ``ds`` into exposure records (see the module docstring).

    Parameters
    ----------
    ds
        The dataset; its as-of date ends the study.
    target
        Termination statuses studied (the "actual" decrements).
    basis
        ``"policy"`` / ``"calendar"`` or a full name such as ``"policy_year"``,
        ``"calendar_quarter"``.
    method
        ``"annual"`` (full exposure for a studied termination's last period) or
        ``"distribution"`` (partial exposure for every last period).
    period
        ``"year"``, ``"quarter"``, ``"month"`` or ``"week"`` (overrides the basis' own).
    study_start
        First day of the study (actxps ``start_date``); None = from issue.
    """
    return expose_policies(_dated_policies(ds), ds.as_of, target=target, basis=basis,
                           method=method, period=period, study_start=study_start)


def expose_policies(pol: pd.DataFrame, as_of: pd.Timestamp, *,
                    target: Sequence[str] = schema.VOLUNTARY_EXIT_STATUSES,
                    basis: str = "policy_year", method: str = "annual",
                    period: str | None = None,
                    study_start: pd.Timestamp | str | None = None) -> ExposureRecords:
    """:func:`expose` on a policies frame (the ``Dataset.policies`` view or a subset of it)."""
    kind, length = split_basis(basis, period)
    if method not in METHODS:
        raise AnalysisError(f"unknown exposure method {method!r}; choose from {', '.join(METHODS)}")
    statuses = check_target(target)
    end = cal.day(as_of)
    start = None if study_start is None else cal.day(study_start)
    if start is not None and start > end:
        raise AnalysisError(Reason("experience_study_start_after_as_of"))
    issue_all = cal.to_days(pol["issue_date"])
    exit_all = cal.to_days(pol["exit_date"]) if "exit_date" in pol.columns else \
        np.full(len(pol), np.datetime64("NaT"), "datetime64[D]")
    keep = ~np.isnat(issue_all) & (issue_all < end)
    if start is not None:
        keep &= np.isnat(exit_all) | (exit_all > start)
    studied = np.flatnonzero(keep)
    issue = issue_all[studied]
    exit_ = exit_all[studied]
    terminated = ~np.isnat(exit_)
    last = np.maximum(np.where(terminated, exit_, end), issue)  # (end before issue: 1 day)
    is_target = terminated & pol["exit_status"].isin(statuses).to_numpy()[studied]
    if kind == "policy":
        first_k, n_periods, first_part, last_part = _policy_parts(issue, last, length, start)
    else:
        first_k, n_periods, first_part, last_part = _calendar_parts(issue, last, length, start)
    total = int(n_periods.sum())
    if total > MAX_RECORDS:
        raise AnalysisError(Reason("experience_too_many_records", total=total, limit=MAX_RECORDS))
    if method == "annual":
        last_part = np.where(is_target, 1.0, last_part)
    local, k = _expand(n_periods)
    is_last = k == n_periods[local] - 1
    exposure = np.ones(len(local))
    exposure[k == 0] = first_part[n_periods > 0]
    exposure[is_last] = last_part[n_periods > 0]
    actual = (is_last & is_target[local]).astype(np.int8)
    name = f"{kind}_{length}"
    return ExposureRecords(pol, studied[local], first_k[local] + k, exposure, actual, name,
                           method, statuses, pd.Timestamp(as_of),
                           None if study_start is None else pd.Timestamp(study_start))


def policy_bounds(issue: npt.NDArray[np.datetime64], k: npt.NDArray[np.int64] | int,
                  length: str) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.datetime64]]:
    """First and last day of the 0-based policy period ``k`` of policies issued on ``issue``."""
    k = np.asarray(k, dtype=np.int64)
    if length == "week":
        first = issue + 7 * k * cal.ONE_DAY
        return first, first + 6 * cal.ONE_DAY
    step = _MONTHS[length]
    y, m, d = cal.civil(issue)
    return (cal.add_months_civil(y, m, d, step * k),
            cal.add_months_civil(y, m, d, step * (k + 1)) - cal.ONE_DAY)


def _policy_index(issue: npt.NDArray[np.datetime64], day: npt.NDArray[np.datetime64],
                  length: str) -> npt.NDArray[np.int64]:
    """0-based policy period holding ``day`` (≥ issue)."""
    if length == "week":
        return ((day - issue).astype(np.int64) // 7).astype(np.int64)
    step = _MONTHS[length]
    iy, im, _ = cal.civil(issue)
    dy, dm, _ = cal.civil(day)
    k = ((dy - iy) * 12 + (dm - im)) // step
    start, _ = policy_bounds(issue, k, length)
    return k - (start > day).astype(np.int64)


def _policy_parts(issue: npt.NDArray[np.datetime64], last: npt.NDArray[np.datetime64],
                  length: str, start: np.datetime64 | None
                  ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64],
                             npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(first period 1-based, number of periods, first and last record exposure)."""
    k_last = _policy_index(issue, last, length)
    k_first = np.zeros(len(issue), dtype=np.int64)
    if start is not None:
        # the first period beginning on or after the study start (actxps keeps no other)
        later = issue < start
        s = np.where(later, start, issue)
        k_s = _policy_index(issue, s, length)
        begins, _ = policy_bounds(issue, k_s, length)
        k_first = np.where(later, k_s + (begins < s), 0)
    n_periods = np.maximum(k_last - k_first + 1, 0)
    p_start, p_end = policy_bounds(issue, k_last, length)
    last_part = _days(p_start, last) / _days(p_start, p_end)
    return k_first + 1, n_periods, np.ones(len(issue)), last_part


def calendar_index(day: npt.NDArray[np.datetime64], length: str) -> npt.NDArray[np.int64]:
    """Calendar period holding each day: year, or quarter/month/week index (module docstring)."""
    if length == "week":
        return ((day - _EPOCH_SUNDAY).astype(np.int64) // 7).astype(np.int64)
    y, m, _ = cal.civil(day)
    if length == "year":
        return y
    months = (y - 1970) * 12 + m - 1
    return months // 3 if length == "quarter" else months


def calendar_bounds(index: npt.NDArray[np.int64], length: str
                    ) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.datetime64]]:
    """First and last day of calendar periods given by :func:`calendar_index`."""
    index = np.asarray(index, dtype=np.int64)
    if length == "week":
        first = _EPOCH_SUNDAY + 7 * index * cal.ONE_DAY
        return first, first + 6 * cal.ONE_DAY
    if length == "year":
        return cal.from_civil(index, 1, 1), cal.from_civil(index, 12, 31)
    months = index * 3 if length == "quarter" else index
    size = 3 if length == "quarter" else 1
    return cal.month_start(months), cal.month_end(months + size - 1)


def _calendar_parts(issue: npt.NDArray[np.datetime64], last: npt.NDArray[np.datetime64],
                    length: str, start: np.datetime64 | None
                    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64],
                               npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    first = issue if start is None else np.maximum(issue, start)
    i_first = calendar_index(first, length)
    i_last = calendar_index(last, length)
    n_periods = np.maximum(i_last - i_first + 1, 0)
    f_start, f_end = calendar_bounds(i_first, length)
    l_start, l_end = calendar_bounds(i_last, length)
    first_part = _days(first, f_end) / _days(f_start, f_end)
    last_part = _days(l_start, last) / _days(l_start, l_end)
    # a single period: observed from first to last
    last_part = np.where(n_periods == 1, _days(first, last) / _days(l_start, l_end), last_part)
    return i_first, n_periods, first_part, last_part


def period_labels(values: npt.ArrayLike, basis: str) -> list[Any]:
    """Readable labels of period values: policy periods and calendar years as integers,
    calendar quarters ``2023Q2``, months ``2023-04``, weeks their first day ``2023-04-02``."""
    kind, length = split_basis(basis)
    v = np.asarray(values, dtype=np.int64)
    if kind == "policy" or length == "year":
        return [int(x) for x in v]
    if length == "quarter":
        return [f"{x // 4 + 1970}Q{x % 4 + 1}" for x in v]
    if length == "month":
        return [cal.month_label(int(x)) for x in v]
    first, _ = calendar_bounds(v, length)
    return [str(d) for d in first.astype("datetime64[D]")]


def _days(first: npt.NDArray[np.datetime64], last: npt.NDArray[np.datetime64]) -> npt.NDArray[np.int64]:
    """Days from ``first`` to ``last``, both inclusive."""
    return (last - first).astype(np.int64) + 1


def _expand(n_periods: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Row numbers repeated ``n_periods`` times and the 0-based period counter within each."""
    n_periods = n_periods.astype(np.int64)
    row = np.repeat(np.arange(len(n_periods), dtype=np.int64), n_periods)
    first = np.cumsum(n_periods) - n_periods
    k = np.arange(len(row), dtype=np.int64) - np.repeat(first, n_periods)
    return row, k


def policy_year_table(ds: Dataset, keys: Sequence[str], *,
                      target: Sequence[str] = schema.VOLUNTARY_EXIT_STATUSES,
                      method: str = "annual") -> pd.DataFrame | None:
    """Exposure and actual terminations by policy year × ``keys`` from an engine book's counts
    (:func:`memberdesk.core.engine.aggregates.policy_year_counts`, one ``GROUP BY`` in the
    engine), or None when ``ds`` has no engine book (use :func:`expose` on the rows).

    The frame is that of :func:`memberdesk.analysis.experience_aggregate.aggregate` on
    ``expose(ds, target=target, basis="policy_year", method=method)`` without a weight:
    ``policy_year`` (1, 2, …), ``keys``, ``exposure``, ``actual``, ``n_actual``; one row per
    (policy year, key values) holding a record. A group of n policies whose last observed day
    falls in policy year k+1 (0-based k) after d_obs of its D days stands for n records of
    exposure 1 in years 1..k and n records of d_obs/D (1 for a studied termination under the
    annual method) in year k+1, where the n terminations of a studied status are counted: the
    same records as :func:`expose` (exact; exposures summed in another order, so equal within
    floating-point rounding). No study start (a study start keeps the row route)."""
    book = getattr(ds, "book", None)
    if book is None:
        return None
    from memberdesk.core.engine import aggregates

    if method not in METHODS:
        raise AnalysisError(f"unknown exposure method {method!r}; choose from {', '.join(METHODS)}")
    statuses = check_target(target)
    keys = list(dict.fromkeys(keys))
    g = aggregates.policy_year_counts(book, ds, keys, statuses)
    n = g["n"].to_numpy(dtype=float)
    k = g["k"].to_numpy(dtype=np.int64)
    tgt = g["is_target"].to_numpy(dtype=bool)
    part = g["d_obs"].to_numpy(dtype=np.int64) / g["d_year"].to_numpy(dtype=np.int64)
    if method == "annual":
        part = np.where(tgt, 1.0, part)
    segments = encode_segments(g, keys)
    seg, n_seg = segments.codes, segments.n_segments
    years = int(k.max()) + 2 if len(k) else 1          # columns: policy years 0 (unused) .. max
    full = np.zeros((n_seg, years + 1))                 # difference arrays over policy years
    cover = np.zeros((n_seg, years + 1))
    np.add.at(full, (seg, np.ones_like(k)), n)           # years 1..k fully exposed
    np.add.at(full, (seg, k + 1), -n)
    np.add.at(cover, (seg, np.ones_like(k)), 1.0)        # years 1..k+1 hold a record
    np.add.at(cover, (seg, k + 2), -1.0)
    exposure = np.cumsum(full, axis=1)[:, :years]
    present = np.cumsum(cover, axis=1)[:, :years] > 0
    np.add.at(exposure, (seg, k + 1), n * part)
    actual = np.zeros((n_seg, years))
    np.add.at(actual, (seg, k + 1), n * tgt)
    year_idx, seg_idx = np.nonzero(present.T)            # ordered by policy year, then segment
    out: dict[str, Any] = {"policy_year": year_idx.astype(np.int64)}
    out.update(segments.decode(seg_idx, keys))
    out["exposure"] = exposure[seg_idx, year_idx]
    out["actual"] = actual[seg_idx, year_idx].round().astype(np.int64)
    out["n_actual"] = out["actual"].copy()
    return pd.DataFrame(out)
