"""Cohort retention matrix: issue cohorts × months since issue (docs/conventions.md).

Conventions
-----------
* Months are calendar months. A policy issued in month M is "in month 0" until the end of M;
  column k is the end of calendar month M + k (the policy's own issue month, so quarter cohorts
  mix policies measured at different month ends).
* A cell is the share of the cohort (by count, or by annual premium) still in force at the end of
  that month: any termination (lapse, surrender, death, maturity, other) dated on or before that
  month end removes the policy. A termination after the as-of date counts as in force.
* A cell is blank (NaN) when that month end is after the as-of date for the cohort's last issue
  month (the last month of the cohort period), i.e. not yet fully observed. A cohort's month 0
  is therefore blank while its issue month (quarter) has not ended by the as-of date.
* Rows run over every month (quarter) from the first issue to the last, so the axis is regular;
  a period with no issues has size 0 and a blank row.
* ``by``: one triangle per level of a policy-view column (a policy column, or a member column
  through the policy's member, as for Kaplan-Meier), besides the whole book's. Levels are
  ordered and named as Kaplan-Meier's segments (:func:`memberdesk.analysis.frames.segment_labels`);
  policies with no value form a last ``"(missing)"`` group, so the group sizes add up to the
  whole book. Every group has the whole book's months axis (``max_months``, else the whole
  book's longest span) and as-of date, so the triangles line up; its rows run from its own
  first issue to its own last. A group is exactly the matrix of the book restricted to its
  policies (same as-of, same ``max_months``). More than
  :data:`memberdesk.analysis.survival.MAX_SEGMENTS` levels are refused, as Kaplan-Meier does.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis import policy_calendar as cal
from memberdesk.analysis.frames import segment_labels
from memberdesk.analysis.survival import MAX_SEGMENTS
from memberdesk.core.book import COUNT_COLUMN, _check_columns
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, ensure
from memberdesk.core.reasons import Reason

COHORTS: tuple[str, ...] = ("month", "quarter")
WEIGHTS: tuple[str, ...] = ("count", "premium")


@dataclass(frozen=True)
class CohortMatrix:
    """Retention shares per issue cohort.

    Attributes
    ----------
    shares
        Rows = cohort labels (``YYYY-MM`` or ``YYYYQn``, oldest first), columns = months since
        issue 0..N (ints); values in [0, 1], NaN where not fully observed.
    sizes
        Policies per cohort; ``premium``: annual premium per cohort (missing premium = 0).
    cohort_start, cohort_end
        First and last issue date of each cohort period.
    by, groups
        With ``by``: the column and one ``(level name, matrix)`` per level in level order, each
        on this matrix's months axis (see the module docstring); else None and ``()``.
    """

    shares: pd.DataFrame
    sizes: pd.Series
    premium: pd.Series
    cohort_start: pd.Series
    cohort_end: pd.Series
    cohort: str
    weight: str
    as_of: pd.Timestamp
    by: str | None = None
    groups: tuple[tuple[str, CohortMatrix], ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The matrix with the cohort size (policies) and premium as the first columns."""
        frame = self.shares.copy()
        frame.columns = [f"m{k}" for k in frame.columns]
        frame.insert(0, "premium", self.premium)
        frame.insert(0, "policies", self.sizes)
        frame.index.name = "cohort"
        return frame

    def to_json(self) -> dict[str, Any]:
        """``{"as_of", "cohort", "weight", "months": [int], "rows": [{"cohort", "cohort_start",
        "cohort_end", "policies", "premium", "shares": [float|null per month]}]}`` (docs/cli.md);
        with ``by`` also ``"by"`` and ``"groups": [{"name", <the same fields>}]``."""
        out: dict[str, Any] = {
            "as_of": self.as_of.date().isoformat(), "cohort": self.cohort, "weight": self.weight,
            "months": [int(m) for m in self.shares.columns],
            "rows": [{"cohort": str(label), "cohort_start": self.cohort_start.iloc[i],
                      "cohort_end": self.cohort_end.iloc[i], "policies": int(self.sizes.iloc[i]),
                      "premium": float(self.premium.iloc[i]),
                      "shares": self.shares.iloc[i].to_numpy(dtype=float)}
                     for i, label in enumerate(self.shares.index)]}
        if self.by is not None:
            out["by"] = self.by
            out["groups"] = [{"name": name, **group.to_json()} for name, group in self.groups]
        return out

    def to_long(self) -> pd.DataFrame:
        """Tidy form: cohort, months_since_issue, share (observed cells only)."""
        long = self.shares.stack().reset_index()
        long.columns = ["cohort", "months_since_issue", "share"]
        return long


def cohort_retention(ds: Dataset, *, cohort: str = "month", weight: str = "count",
                     max_months: int | None = None,
                     progress: Progress | None = None, by: str | None = None) -> CohortMatrix:
    """Retention triangle of issue cohorts (see the module docstring).

    Parameters
    ----------
    cohort
        ``"month"`` or ``"quarter"`` of issue.
    weight
        ``"count"`` (share of policies) or ``"premium"`` (share of annual premium).
    max_months
        Last column (months since issue); default: the longest observed span.
    by
        A policy-view column (e.g. ``"channel"``, or the member's ``"region"``): the result also
        holds one triangle per level of it (``groups``), on the whole book's months axis.
        An unknown column, or more than ``MAX_SEGMENTS`` levels, is an :class:`AnalysisError`.
    """
    prog = ensure(progress)
    _check_arguments(ds, cohort, weight, max_months, by)
    prog.status("Building cohort retention")
    rec = _records(ds, by)
    whole = _matrix(rec.issue_month, rec.exited, rec.exit_month, rec.premium, rec.n, cohort,
                    weight, max_months, ds.as_of, prog)
    if by is None or rec.segment is None:
        return whole
    codes, names = segment_labels(rec.segment)
    if len(names) > MAX_SEGMENTS:
        raise AnalysisError(Reason("segment_too_many", column=by, n=len(names),
                                   limit=MAX_SEGMENTS), column=by)  # (km's reason)
    # every group on the whole book's months axis, so the triangles line up
    months = max_months if max_months is not None else max(len(whole.shares.columns) - 1, 0)
    groups = []
    for g, name in enumerate(names):
        k = codes == g
        groups.append((name, _matrix(rec.issue_month[k], rec.exited[k], rec.exit_month[k],
                                     rec.premium[k], rec.n[k], cohort, weight, months, ds.as_of,
                                     prog)))
    return replace(whole, by=by, groups=tuple(groups))


def _check_arguments(ds: Dataset, cohort: str, weight: str, max_months: int | None,
                     by: str | None) -> None:
    """Raise an :class:`AnalysisError` for an option out of range or a column the policies lack."""
    if cohort not in COHORTS:
        raise AnalysisError(f"unknown cohort period {cohort!r}; choose month or quarter")
    if weight not in WEIGHTS:
        raise AnalysisError(f"unknown weight {weight!r}; choose count or premium")
    if max_months is not None and max_months < 0:
        raise AnalysisError("max_months must be 0 or more")
    book = getattr(ds, "book", None)
    columns = book.policies(ds).columns if book is not None and not ds.generic else \
        (None if ds.policies is None else ds.policies.columns)
    if columns is None or ds.generic or "issue_date" not in columns:
        raise AnalysisError(Reason("cohorts_needs_issue_dates"),
                            column="issue_date")
    if weight == "premium" and "annual_premium" not in columns:
        raise AnalysisError(Reason("cohorts_premium_needs_column"),
                            column="annual_premium")
    if by is not None:
        _check_columns(list(columns), [by])


@dataclass(frozen=True)
class _Records:
    """Per-record issue and exit months (months since 1970-01), whether exited, annual premium
    and policy count ``n``: a record is a policy, or an engine group of ``n`` policies with its
    premium sum; ``segment`` holds the ``by`` value of each record (None without ``by``)."""

    issue_month: np.ndarray
    exited: np.ndarray
    exit_month: np.ndarray
    premium: np.ndarray
    n: np.ndarray
    segment: pd.Series | None


def _records(ds: Dataset, by: str | None) -> _Records:
    book = getattr(ds, "book", None)
    if book is not None:
        # engine book (issue #13): one GROUP BY [by x] issue month x exit month; each group's
        # count and premium sum are frequency weights of the same computation (exact)
        from memberdesk.core.engine import aggregates

        g = aggregates.cohort_counts(book, ds) if by is None else \
            aggregates.cohort_counts_by(book, ds, by)
        issue_month = (g["issue_year"].to_numpy() - 1970) * 12 + g["issue_mon"].to_numpy() - 1
        exit_year, exit_mon = g["exit_year"].to_numpy(), g["exit_mon"].to_numpy()
        exited = ~np.isnan(exit_year)
        exit_month = np.zeros(len(g), dtype=np.int64)
        exit_month[exited] = ((exit_year[exited] - 1970) * 12 + exit_mon[exited] - 1).astype(np.int64)
        return _Records(issue_month, exited, exit_month, g["premium"].to_numpy(dtype=float),
                        g[COUNT_COLUMN].to_numpy(dtype=float), None if by is None else g[by])
    pol = ds.policies
    assert pol is not None
    issue_dates = cal.to_days(pol["issue_date"])
    ok = ~np.isnat(issue_dates)
    issue_month = cal.month_index(issue_dates[ok])
    exit_dates = cal.to_days(pol["exit_date"])[ok] if "exit_date" in pol.columns else \
        np.full(len(issue_month), np.datetime64("NaT"), "datetime64[D]")
    premium = pol["annual_premium"].fillna(0.0).to_numpy(dtype=float)[ok] \
        if "annual_premium" in pol.columns else np.zeros(len(issue_month))
    exited = ~np.isnat(exit_dates)
    exit_month = np.zeros(len(issue_month), dtype=np.int64)
    exit_month[exited] = cal.month_index(exit_dates[exited])
    return _Records(issue_month, exited, exit_month, premium, np.ones(len(issue_month)),
                    None if by is None else pol[by][ok])


def _matrix(issue_month: np.ndarray, exited: np.ndarray, exit_month: np.ndarray,
            premium: np.ndarray, n: np.ndarray, cohort: str, weight: str,
            max_months: int | None, as_of: pd.Timestamp, prog: Any) -> CohortMatrix:
    """The matrix from per-record issue and exit months, premiums and policy counts ``n`` (a
    record is a policy, or an engine group of ``n`` policies with its premium sum)."""
    last_obs = cal.last_complete_month(as_of)
    size = 1 if cohort == "month" else 3
    if len(issue_month) == 0:
        return _empty(cohort, weight, as_of)
    cohort_first = issue_month - issue_month % size      # first month of the cohort period
    c0 = int(cohort_first.min())
    c_idx = (cohort_first - c0) // size
    n_coh = int(c_idx.max()) + 1
    cohort_last = c0 + np.arange(n_coh) * size + size - 1  # last issue month of each cohort
    span = max(last_obs - int(cohort_last[0]), 0)
    n_cols = (span if max_months is None else max_months) + 1
    # Month ends survived: in force at the end of months M..E-1 where E is the exit month.
    survived = np.where(exited, exit_month - issue_month, n_cols)
    survived = np.clip(survived, 0, n_cols)
    w = premium if weight == "premium" else n
    counts = np.bincount(c_idx * (n_cols + 1) + survived, weights=w,
                         minlength=n_coh * (n_cols + 1)).reshape(n_coh, n_cols + 1)
    # in force at end of column k = weight with survived > k
    alive = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1][:, 1:]
    total = counts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = alive / total[:, None]
    observed = cohort_last[:, None] + np.arange(n_cols)[None, :] <= last_obs
    share = np.where(observed & (total[:, None] > 0), share, np.nan)
    labels = [_label(int(c0 + i * size), cohort) for i in range(n_coh)]
    index = pd.Index(labels, name="cohort")
    sizes = np.rint(np.bincount(c_idx, weights=n, minlength=n_coh)).astype(np.int64)
    prem = np.bincount(c_idx, weights=premium, minlength=n_coh)
    starts = cal.month_start(c0 + np.arange(n_coh) * size).astype("datetime64[ns]")
    ends = cal.month_end(cohort_last).astype("datetime64[ns]")
    prog.fraction(1.0)
    return CohortMatrix(
        shares=pd.DataFrame(share, index=index, columns=pd.RangeIndex(n_cols, name="month")),
        sizes=pd.Series(sizes, index=index, name="policies"),
        premium=pd.Series(prem, index=index, name="premium"),
        cohort_start=pd.Series(starts, index=index, name="cohort_start"),
        cohort_end=pd.Series(ends, index=index, name="cohort_end"),
        cohort=cohort, weight=weight, as_of=as_of)


def _label(month_idx: int, cohort: str) -> str:
    if cohort == "month":
        return cal.month_label(month_idx)
    return f"{month_idx // 12 + 1970}Q{month_idx % 12 // 3 + 1}"


def _empty(cohort: str, weight: str, as_of: pd.Timestamp) -> CohortMatrix:
    index = pd.Index([], name="cohort", dtype=object)
    return CohortMatrix(pd.DataFrame(index=index, columns=pd.RangeIndex(0, name="month"),
                                     dtype=float),
                        pd.Series([], index=index, dtype=np.int64, name="policies"),
                        pd.Series([], index=index, dtype=float, name="premium"),
                        pd.Series([], index=index, dtype="datetime64[ns]"),
                        pd.Series([], index=index, dtype="datetime64[ns]"),
                        cohort, weight, as_of)
