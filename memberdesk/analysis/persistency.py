"""Persistency ratio (继续率), 13th and 25th month, per evaluation period and segment (docs/conventions.md).

Definitions (``month`` = 13 or 25, or any m ≥ 2)
-----------------------------------------------
* Policy month k of a policy runs from ``issue_date %m+% (k-1) months`` to the day before
  ``issue_date %m+% k months`` (``%m+%`` clips to the month's end: a 31 January issue has its
  2nd policy month from 28/29 February). So the m-th policy month **starts** on the m-th month
  premium's due date ``issue_date %m+% (m-1) months`` and **ends** on
  ``issue_date %m+% m months - 1 day`` (the measurement date).
* **Cohort of an evaluation period**: the policies whose m-th month premium falls due (whose
  m-th policy month begins) within the period. Because ``%m+%`` never leaves the calendar month,
  this is exactly the policies issued in the same months m-1 months earlier: for calendar year
  2024 and m = 13, the policies issued in 2023 (docs/conventions.md: "for a calendar year: those issued in the
  year before it"); for the month 2024-03, those issued in 2023-03.
* **Excluded** from the cohort, each policy counted under the first reason that applies:
  ``single_premium`` (payment_frequency reads single / 趸交 / 一次交清 / lump sum / one-off, any
  case), ``free_look`` (terminated within ``free_look_days`` days of issue: end − issue ≤
  free_look_days, any status), ``death`` (status death, ended on or before the measurement
  date), ``claim`` (ended on or before the measurement date and holds a claim with status paid,
  when the claims table is loaded), ``waived`` (status ``waived``/免缴: premiums waived; the
  schema has no waiver date, so a waiver at any time before the as-of date excludes the
  policy), ``status_<s>`` for each status ``s`` the caller adds (``exclude_statuses``: ended
  with that status on or before the measurement date), and on the collected basis
  ``no_first_instalment`` (no premium_payments row due in policy month 1, so no denominator).
  Each reason's count and premium (the basis' premium: annual premium on the status basis,
  amount due in policy month 1 on the collected basis) is reported: the exclusion waterfall.
* **Persisting**: a cohort policy still in force at the end of its m-th policy month, i.e. not
  terminated on or before the measurement date (a termination dated on that day counts as not
  persisting; a termination after the as-of date counts as in force, docs/conventions.md).
* ``ratio_premium`` = persisting annual premium ÷ cohort annual premium (missing premiums count
  as 0); ``ratio_count`` = persisting policies ÷ cohort policies. Empty cohorts give NaN.
* **Collected basis** (``basis="collected"``, 实收保费 继续率; see
  :mod:`memberdesk.analysis.collected_persistency`): the same cohort (plus the
  ``no_first_instalment`` exclusion); ``cohort_premium`` = amount due for the instalments due in
  policy month 1; ``persisting_premium`` = amount paid for the instalments due in policy month m,
  paid within ``grace_days`` of their due date and on or before the as-of date;
  ``persisting_count`` = policies whose month-m instalments are paid in full that way. A period
  is reported once its last cohort policy's grace period has ended (as-of − grace_days plays
  the role of the as-of date in the rule below).
* **Reported periods**: calendar months, quarters, years, or rolling 12-month windows (labelled
  by their last month), restricted to periods whose every cohort policy's measurement date is on
  or before the as-of date. As the last cohort policies of a period are measured up to a month
  after its end, the latest reported period usually ends one month before the as-of month.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis import policy_calendar as cal
from memberdesk.core import labels
from memberdesk.core.book import COUNT_COLUMN
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.reasons import Reason

ALL_SEGMENTS = "All"
PERIODS: tuple[str, ...] = ("rolling12", "month", "quarter", "year")
BASES: tuple[str, ...] = ("status", "collected")
EXCLUSION_REASONS: tuple[str, ...] = ("single_premium", "free_look", "death", "claim", "waived")
NO_FIRST_INSTALMENT = "no_first_instalment"
SINGLE_PREMIUM_PATTERN = re.compile(r"single|趸|lump|one[\s_\-]*off|一次|^sp$", re.IGNORECASE)


@dataclass(frozen=True)
class PersistencyResult:
    """Persistency per period and segment.

    ``frame`` columns: ``period`` (label), ``period_start``, ``period_end`` (dates, inclusive),
    ``cohort_issued_from``, ``cohort_issued_to`` (the issue dates of the cohort), ``segment``
    (``"All"`` for the whole book, else a level of ``by``), ``cohort_count``,
    ``cohort_premium``, ``persisting_count``, ``persisting_premium``, ``ratio_premium``,
    ``ratio_count``, then per exclusion reason ``excluded_<reason>`` (policies) and
    ``excluded_<reason>_premium``; on the collected basis also ``due_premium`` (amount due in
    policy month m). Sorted by period, with ``All`` first in each period.
    """

    frame: pd.DataFrame
    month: int
    period: str
    by: str | None
    free_look_days: int
    as_of: pd.Timestamp
    basis: str = "status"
    grace_days: int = 60
    reasons: tuple[str, ...] = EXCLUSION_REASONS

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def segment(self, segment: str | None = None) -> pd.DataFrame:
        """The rows of one segment (None = the whole book), in period order."""
        label = ALL_SEGMENTS if segment is None else segment
        return self.frame[self.frame["segment"] == label].reset_index(drop=True)

    def latest(self, segment: str | None = None, *, measure: str = "premium",
               lag: int = 1) -> tuple[float | None, float | None]:
        """(latest ratio, ratio ``lag`` periods earlier), None where not available.

        For ``period="rolling12"`` the default ``lag=1`` compares with the window ending one
        month earlier; ``lag=12`` with the window a year earlier.
        """
        if measure not in ("premium", "count"):
            raise AnalysisError(f"unknown persistency measure {measure!r}: premium or count")
        values = self.segment(segment)[f"ratio_{measure}"].to_numpy(dtype=float)

        def at(i: int) -> float | None:
            return None if i < 0 or i >= len(values) or np.isnan(values[i]) else float(values[i])

        return at(len(values) - 1), at(len(values) - 1 - lag)

    def exclusions(self, period: str | None = None) -> dict[str, dict[str, float]]:
        """The exclusion waterfall of one period (default: the latest) for the whole book:
        ``{reason: {"policies": n, "premium": p}}`` in the order the reasons are applied."""
        rows = self.segment(None)
        if period is not None:
            rows = rows[rows["period"] == period]
        if rows.empty:
            return {r: {"policies": 0, "premium": 0.0} for r in self.reasons}
        last = rows.iloc[-1]
        return {r: {"policies": int(last[f"excluded_{r}"]),
                    "premium": float(last[f"excluded_{r}_premium"])} for r in self.reasons}

    def to_json(self) -> dict[str, Any]:
        """The ``persistency --json`` object (docs/cli.md Extensions): rows of the whole book, or
        of each ``by`` segment (keyed by the column) when split; ``exclusions`` is the
        waterfall of the latest period. Rows also carry their dates and numerators."""
        frame = self.frame if self.by is None else \
            self.frame[self.frame["segment"] != ALL_SEGMENTS]
        rows = []
        for r in frame.to_dict("records"):
            item: dict[str, Any] = {"period": r["period"]}
            if self.by is not None:
                item[self.by] = r["segment"]
            item.update({
                "cohort_policies": int(r["cohort_count"]),
                "cohort_premium": float(r["cohort_premium"]),
                "persistency_premium": _finite(r["ratio_premium"]),
                "persistency_count": _finite(r["ratio_count"]),
                "persisting_policies": int(r["persisting_count"]),
                "persisting_premium": float(r["persisting_premium"]),
            })
            for col in ("period_start", "period_end", "cohort_issued_from", "cohort_issued_to"):
                item[col] = pd.Timestamp(r[col]).date().isoformat()
            if "due_premium" in r:
                item["due_premium"] = float(r["due_premium"])
            rows.append(item)
        latest = self.segment(None)
        return {"as_of": self.as_of.date().isoformat(), "month": self.month,
                "basis": self.basis, "period": self.period, "by": self.by,
                "grace_days": self.grace_days if self.basis == "collected" else None,
                "rows": rows, "exclusions": self.exclusions(),
                "exclusions_period": None if latest.empty else str(latest["period"].iloc[-1])}


def persistency(ds: Dataset, *, month: int = 13, period: str = "rolling12",
                by: str | None = None, free_look_days: int | None = None, basis: str = "status",
                grace_days: int | None = None, exclude_statuses: Sequence[str] = (),
                progress: Progress | None = None) -> PersistencyResult:
    """m-th month persistency of ``ds`` per evaluation period (see the module docstring).

    Parameters
    ----------
    month
        Policy month measured (13 or 25 usually).
    period
        ``"rolling12"`` (12-month windows ending at each month: the trend), ``"month"``,
        ``"quarter"`` or ``"year"`` (calendar periods).
    by
        Policy column to split by (channel above all); None = whole book only.
    free_look_days
        Length of the free-look (犹豫期) period in days (None: ``ds.assumptions``, 15 by
        default).
    basis
        ``"status"`` (annual premium in force at the end of policy month m) or
        ``"collected"`` (premium collected for policy month m; needs premium_payments).
    grace_days
        Collected basis: days after a due date within which a payment counts (None:
        ``ds.assumptions``, 60 by default).
    exclude_statuses
        Further termination statuses excluded from the cohort (e.g. ``("matured",)``).
    """
    return persistency_for_periods(ds, month=month, periods=(period,), by=by,
                                   free_look_days=free_look_days, basis=basis,
                                   grace_days=grace_days, exclude_statuses=exclude_statuses,
                                   progress=progress)[period]


def persistency_for_periods(ds: Dataset, *, month: int = 13,
                            periods: Sequence[str] = ("year", "rolling12"), by: str | None = None,
                            free_look_days: int | None = None, basis: str = "status",
                            grace_days: int | None = None, exclude_statuses: Sequence[str] = (),
                            progress: Progress | None = None) -> dict[str, PersistencyResult]:
    """:func:`persistency` for several ``periods`` from one pass over the policies (the
    per-policy flags and monthly counts are shared); the whole-book rows (segment
    ``ALL_SEGMENTS``) do not depend on ``by``."""
    prog = ensure(progress)
    if free_look_days is None:
        free_look_days = ds.assumptions.free_look_days
    if grace_days is None:
        grace_days = ds.assumptions.grace_days
    for period in periods:
        if period not in PERIODS:
            raise AnalysisError(f"unknown persistency period {period!r}; choose from "
                                f"{', '.join(PERIODS)}")
    if month < 2:
        raise AnalysisError(Reason("persistency_month_too_small"))
    if basis not in BASES:
        raise AnalysisError(f"unknown persistency basis {basis!r}; choose from {', '.join(BASES)}")
    if grace_days < 0:
        raise AnalysisError(Reason("persistency_negative_grace"))
    book = getattr(ds, "book", None)
    if book is not None and not ds.generic:
        # every filter, member filters included, is applied in the engine's counts; on the
        # collected basis the instalments are summed per policy in the engine too
        return _from_engine_counts(book, ds, month, periods, by, free_look_days, grace_days,
                                   exclude_statuses, prog, basis=basis)
    pol = ds.policies
    if pol is None or ds.generic or "issue_date" not in pol.columns:
        raise AnalysisError(Reason("persistency_no_issue_dates"), column="issue_date")
    if by is not None and by not in pol.columns:
        raise AnalysisError(Reason("split_unknown_column"), column=by)
    if pol["issue_date"].isna().any():              # (validated tables have none: no copy)
        pol = pol[pol["issue_date"].notna()]
    prog.status("Measuring persistency")
    offset = month - 1
    measured_by = ds.as_of - pd.Timedelta(days=grace_days) if basis == "collected" else ds.as_of
    last_month = _last_measured_month(measured_by, month)
    issue = cal.to_days(pol["issue_date"])
    due = cal.month_index(issue) + offset
    seg_codes, seg_levels = _segments(pol, by)
    flags, reasons = policy_flags(ds, pol, issue, month, free_look_days, basis=basis,
                                  grace_days=grace_days, exclude_statuses=exclude_statuses)
    check_cancelled(progress)

    has_premium = basis == "collected" or "annual_premium" in pol
    out = _tabulate(due, seg_codes, seg_levels, flags, reasons, last_month, offset, periods,
                    has_premium, prog)
    return {period: PersistencyResult(frame, month, period, by, free_look_days, ds.as_of, basis,
                                      grace_days, reasons) for period, frame in out.items()}


def _tabulate(due: np.ndarray, seg_codes: np.ndarray, seg_levels: list[Any],
              flags: dict[str, np.ndarray], reasons: tuple[str, ...], last_month: int,
              offset: int, periods: Sequence[str], has_premium: bool, prog: Any
              ) -> dict[str, pd.DataFrame]:
    """Each period's frame from per-record due months, segment codes and measure weights (a
    record is a policy, or a group of policies counted by the engine with its summed weights)."""
    if len(due) == 0 or due.min() > last_month:
        return {period: _empty_frame(reasons) for period in periods}
    first = int(due.min())
    n_months = last_month - first + 1
    n_seg = len(seg_levels) + 1                 # row 0 = the whole book
    in_range = due <= last_month
    key_all = due[in_range] - first
    key_seg = (seg_codes[in_range] + 1) * n_months + key_all
    table = {}
    for name, weights in flags.items():
        w = weights[in_range]
        table[name] = (np.bincount(key_seg, w, minlength=n_seg * n_months)
                       .reshape(n_seg, n_months))
        table[name][0] = np.bincount(key_all, w, minlength=n_months)
    prog.fraction(0.7)
    out = {}
    for period in periods:
        out[period] = _period_frame(table, _period_bounds(period, first, last_month), first,
                                    offset, [ALL_SEGMENTS, *seg_levels], reasons,
                                    has_premium=has_premium)
    prog.fraction(1.0)
    return out


def _from_engine_counts(book: Any, ds: Dataset, month: int, periods: Sequence[str],
                        by: str | None, free_look_days: int, grace_days: int,
                        exclude_statuses: Sequence[str], prog: Any, *, basis: str = "status"
                        ) -> dict[str, PersistencyResult]:
    """Persistency of an engine book from its counts by issue month × segment × payment
    frequency × exit status × rule flags (:func:`memberdesk.core.engine.aggregates.
    persistency_counts`, one ``GROUP BY`` in the engine): each group's exclusion reason and
    persistence follow from its flags as :func:`exclusion_codes` and :func:`policy_flags`
    decide them per policy, and its count and premium sum are the measures' weights (exact).

    On the collected basis the groups also split by ``no_first`` (no instalment due in policy
    month 1: the ``no_first_instalment`` exclusion) and ``paid_full`` (month m collected in
    full within the grace period), and carry the sums of the instalment amounts
    (:func:`memberdesk.core.engine.aggregates.collected_persistency_counts`): the premium is
    the amount due in month 1, the persisting premium the month-m amount paid in grace."""
    from memberdesk.core.engine import aggregates

    prog.status("Measuring persistency")
    view = book.policies(ds)
    if "issue_date" not in view.columns:
        raise AnalysisError(Reason("persistency_no_issue_dates"), column="issue_date")
    if by is not None and by not in view.columns:
        raise AnalysisError(Reason("split_unknown_column"), column=by)
    collected = basis == "collected"
    g = aggregates.collected_persistency_counts(book, ds, month, free_look_days, grace_days, by) \
        if collected else aggregates.persistency_counts(book, ds, month, free_look_days, by)
    reasons = exclusion_reasons(basis, exclude_statuses)
    offset = month - 1
    measured_by = ds.as_of - pd.Timedelta(days=grace_days) if collected else ds.as_of
    last_month = _last_measured_month(measured_by, month)
    due = (g["issue_year"].to_numpy() - 1970) * 12 + g["issue_mon"].to_numpy() - 1 + offset
    seg_codes, seg_levels = _segments(g.rename(columns={"segment": by}) if by else g, by)
    exit_status = g["exit_status"].to_numpy(dtype=object)
    ended_by = g["ended_by"].to_numpy(dtype=bool)
    tests: dict[str, np.ndarray] = {
        "single_premium": is_single_premium(g["payment_frequency"]),
        "free_look": g["free_look"].to_numpy(dtype=bool),
        "death": ended_by & (exit_status == "death"),
        "claim": ended_by & g["paid_claim"].to_numpy(dtype=bool),
        "waived": g["waived"].to_numpy(dtype=bool) | (exit_status == "waived"),
        NO_FIRST_INSTALMENT: g["no_first"].to_numpy(dtype=bool) if collected
        else np.zeros(len(g), bool),
    }
    code = np.full(len(g), -1, dtype=np.int64)
    for i, reason in enumerate(reasons):
        hit = tests[reason] if reason in tests else \
            ended_by & (exit_status == reason.removeprefix("status_"))
        code[(code < 0) & hit] = i
    n = g[COUNT_COLUMN].to_numpy(dtype=float)
    cohort = code < 0
    if collected:
        premium = g["first_due"].to_numpy(dtype=float)
        flags = {"cohort_count": n * cohort, "cohort_premium": premium * cohort,
                 "persisting_count": n * (cohort & g["paid_full"].to_numpy(dtype=bool)),
                 "persisting_premium": g["paid_grace"].to_numpy(dtype=float) * cohort,
                 "due_premium": g["due"].to_numpy(dtype=float) * cohort}
    else:
        premium = g["premium"].to_numpy(dtype=float)
        persisting = cohort & ~ended_by
        flags = {"cohort_count": n * cohort, "cohort_premium": premium * cohort,
                 "persisting_count": n * persisting, "persisting_premium": premium * persisting}
    for i, reason in enumerate(reasons):
        hit = code == i
        flags[f"excluded_{reason}"] = n * hit
        flags[f"excluded_{reason}_premium"] = premium * hit
    out = _tabulate(due, seg_codes, seg_levels, flags, reasons, last_month, offset, periods,
                    collected or "annual_premium" in view.columns, prog)
    return {period: PersistencyResult(frame, month, period, by, free_look_days, ds.as_of,
                                      basis, grace_days, reasons)
            for period, frame in out.items()}


def persistency_trend(ds: Dataset, month: int = 13, by: str | None = None, *,
                      free_look_days: int | None = None,
                      progress: Progress | None = None) -> pd.DataFrame:
    """The rolling-12-month series for charts: ``period_end``, ``period``, ``segment``,
    ``ratio_premium``, ``ratio_count``, ``cohort_count``, one row per month and segment."""
    res = persistency(ds, month=month, period="rolling12", by=by,
                      free_look_days=free_look_days, progress=progress)
    return res.frame[["period_end", "period", "segment", "ratio_premium", "ratio_count",
                      "cohort_count"]].reset_index(drop=True)


# ---- internals ------------------------------------------------------------------------------

def is_single_premium(values: pd.Series) -> np.ndarray:
    """True where a payment frequency means single premium (趸交)."""
    codes, uniques = pd.factorize(values)             # few distinct words: test each once
    hits = np.array([bool(SINGLE_PREMIUM_PATTERN.search(str(u).strip())) for u in uniques]
                    + [False], dtype=bool)
    return hits[codes]


def exclusion_reasons(basis: str, exclude_statuses: Sequence[str] = ()) -> tuple[str, ...]:
    """The exclusion reasons in the order they are applied."""
    extra = tuple(f"status_{s}" for s in dict.fromkeys(exclude_statuses))
    tail = (NO_FIRST_INSTALMENT,) if basis == "collected" else ()
    return (*EXCLUSION_REASONS, *extra, *tail)


def exclusion_codes(ds: Dataset, pol: pd.DataFrame, issue: np.ndarray, month: int,
                    free_look_days: int, reasons: Sequence[str],
                    no_first_instalment: np.ndarray | None = None) -> np.ndarray:
    """Per policy, the index in ``reasons`` of the first exclusion that applies (-1: in the
    cohort). See the module docstring for each reason."""
    measured = cal.add_months(issue, month) - cal.ONE_DAY
    exit_ = cal.to_days(pol["exit_date"]) if "exit_date" in pol.columns else \
        np.full(len(pol), np.datetime64("NaT"), "datetime64[D]")
    terminated = ~np.isnat(exit_)
    ended_by = terminated & (exit_ <= measured)
    exit_status = pol["exit_status"].to_numpy(dtype=object)
    raw_status = pol["status"].to_numpy(dtype=object) if "status" in pol.columns else exit_status
    tests: dict[str, np.ndarray] = {
        "single_premium": is_single_premium(pol["payment_frequency"])
        if "payment_frequency" in pol.columns else np.zeros(len(pol), bool),
        "free_look": terminated & ((exit_ - issue).astype(np.int64) <= free_look_days),
        "death": ended_by & (exit_status == "death"),
        "claim": ended_by & _has_paid_claim(ds, pol),
        "waived": (raw_status == "waived") | (exit_status == "waived"),
        NO_FIRST_INSTALMENT: np.zeros(len(pol), bool) if no_first_instalment is None
        else no_first_instalment,
    }
    code = np.full(len(pol), -1, dtype=np.int64)
    for i, reason in enumerate(reasons):
        hit = tests[reason] if reason in tests else \
            ended_by & (exit_status == reason.removeprefix("status_"))
        code[(code < 0) & hit] = i
    return code


def policy_flags(ds: Dataset, pol: pd.DataFrame, issue: np.ndarray, month: int,
                 free_look_days: int, *, basis: str = "status", grace_days: int = 60,
                 exclude_statuses: Sequence[str] = ()
                 ) -> tuple[dict[str, np.ndarray], tuple[str, ...]]:
    """Per-policy weights for each measure (0/1 counts and premiums) and the exclusion reasons
    (in order) that the ``excluded_*`` measures follow."""
    reasons = exclusion_reasons(basis, exclude_statuses)
    if basis == "collected":
        from memberdesk.analysis.collected_persistency import instalments

        inst = instalments(ds, pol, issue, month, grace_days)
        code = exclusion_codes(ds, pol, issue, month, free_look_days, reasons,
                               no_first_instalment=inst.first_rows == 0)
        cohort = code < 0
        premium = inst.first_due
        flags = {"cohort_count": cohort.astype(float), "cohort_premium": premium * cohort,
                 "persisting_count": (cohort & inst.paid_in_full).astype(float),
                 "persisting_premium": inst.paid_in_grace * cohort,
                 "due_premium": inst.due * cohort}
    else:
        code = exclusion_codes(ds, pol, issue, month, free_look_days, reasons)
        cohort = code < 0
        measured = cal.add_months(issue, month) - cal.ONE_DAY
        exit_ = cal.to_days(pol["exit_date"]) if "exit_date" in pol.columns else \
            np.full(len(pol), np.datetime64("NaT"), "datetime64[D]")
        persisting = cohort & ~(~np.isnat(exit_) & (exit_ <= measured))
        premium = pol["annual_premium"].fillna(0.0).to_numpy(dtype=float) \
            if "annual_premium" in pol.columns else np.zeros(len(pol))
        flags = {"cohort_count": cohort.astype(float), "cohort_premium": premium * cohort,
                 "persisting_count": persisting.astype(float),
                 "persisting_premium": premium * persisting}
    for i, reason in enumerate(reasons):
        hit = code == i
        flags[f"excluded_{reason}"] = hit.astype(float)
        flags[f"excluded_{reason}_premium"] = premium * hit
    return flags, reasons


def _has_paid_claim(ds: Dataset, pol: pd.DataFrame) -> np.ndarray:
    claims = ds.claims
    if claims is None or "policy_id" not in claims.columns or "status" not in claims.columns:
        return np.zeros(len(pol), bool)
    paid = claims.loc[claims["status"] == "paid", "policy_id"].dropna().unique()
    return pol["policy_id"].isin(paid).to_numpy(dtype=bool)


def _segments(pol: pd.DataFrame, by: str | None) -> tuple[np.ndarray, list[Any]]:
    if by is None:
        return np.full(len(pol), -1, dtype=np.int64), []
    values = pol[by].astype(object).where(pol[by].notna(), "(missing)")
    codes, uniques = pd.factorize(values, sort=True)
    levels: list[Any] = list(uniques)
    # bands and tiers in their natural order (core.labels.VALUE_ORDERS), else as sorted
    ordered = labels.ordered_values(levels)
    if ordered != levels:
        rank = np.array([ordered.index(u) for u in levels], dtype=np.int64)
        codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], codes)
        levels = list(ordered)
    return codes.astype(np.int64), levels


def _last_measured_month(as_of: pd.Timestamp, month: int) -> int:
    """Latest due month whose whole cohort is measured by ``as_of``: the policy issued on the
    last day of the issue month is measured last."""
    as_of_day = cal.day(as_of)
    t = int(cal.month_index(np.array([as_of_day]))[0])
    while True:
        issue_last = cal.month_end(np.array([t - (month - 1)]))
        if cal.add_months(issue_last, month)[0] - cal.ONE_DAY <= as_of_day:
            return t
        t -= 1


def _period_bounds(period: str, first: int, last: int) -> list[tuple[str, int, int]]:
    """(label, first month index, last month index) of each reported period."""
    out: list[tuple[str, int, int]] = []
    if period == "month":
        return [(cal.month_label(t), t, t) for t in range(first, last + 1)]
    if period == "rolling12":
        start = min(first + 11, last)
        return [(f"12m to {cal.month_label(t)}", t - 11, t) for t in range(start, last + 1)]
    size = 3 if period == "quarter" else 12
    for s in range(first - first % size, last + 1, size):
        e = s + size - 1
        if e > last:
            break
        year = s // 12 + 1970
        out.append((f"{year}Q{s % 12 // 3 + 1}" if size == 3 else str(year), s, e))
    return out


def _period_frame(table: dict[str, np.ndarray], bounds: list[tuple[str, int, int]], first: int,
                  offset: int, segments: list[Any], reasons: Sequence[str], *,
                  has_premium: bool) -> pd.DataFrame:
    if not bounds:
        return _empty_frame(reasons)
    # Plain slice sums (not prefix-sum differences): a fully persisting cohort then gives
    # persisting == cohort exactly, and ratios never leave [0, 1] by rounding.
    slices = [slice(max(s - first, 0), e - first + 1) for _, s, e in bounds]
    n_p, n_s = len(bounds), len(segments)
    data: dict[str, Any] = {
        "period": np.repeat([b[0] for b in bounds], n_s),
        "period_start": np.repeat(cal.month_start([b[1] for b in bounds]), n_s),
        "period_end": np.repeat(cal.month_end([b[2] for b in bounds]), n_s),
        "cohort_issued_from": np.repeat(cal.month_start([b[1] - offset for b in bounds]), n_s),
        "cohort_issued_to": np.repeat(cal.month_end([b[2] - offset for b in bounds]), n_s),
        "segment": np.tile(np.array(segments, dtype=object), n_p),
    }
    for name, values in table.items():
        data[name] = np.stack([values[:, sl].sum(axis=1) for sl in slices]).reshape(-1)
    frame = pd.DataFrame(data)
    for col in ("period_start", "period_end", "cohort_issued_from", "cohort_issued_to"):
        frame[col] = frame[col].astype("datetime64[ns]")
    for col in ("cohort_count", "persisting_count", *(f"excluded_{r}" for r in reasons)):
        frame[col] = frame[col].round().astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["ratio_count"] = np.where(frame["cohort_count"] > 0,
                                        frame["persisting_count"] / frame["cohort_count"], np.nan)
        frame["ratio_premium"] = np.where(frame["cohort_premium"] > 0,
                                          frame["persisting_premium"] / frame["cohort_premium"],
                                          np.nan) if has_premium else np.nan
    return frame[_frame_columns(reasons, "due_premium" in table)]


def _frame_columns(reasons: Sequence[str] = EXCLUSION_REASONS,
                   collected: bool = False) -> list[str]:
    return ["period", "period_start", "period_end", "cohort_issued_from", "cohort_issued_to",
            "segment", "cohort_count", "cohort_premium", "persisting_count",
            "persisting_premium", "ratio_premium", "ratio_count",
            *(["due_premium"] if collected else []),
            *(f"excluded_{r}" for r in reasons), *(f"excluded_{r}_premium" for r in reasons)]


def _empty_frame(reasons: Sequence[str] = EXCLUSION_REASONS) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=float)
                          for c in _frame_columns(reasons, NO_FIRST_INSTALMENT in reasons)})
    for col in ("period_start", "period_end", "cohort_issued_from", "cohort_issued_to"):
        frame[col] = frame[col].astype("datetime64[ns]")
    frame[["period", "segment"]] = frame[["period", "segment"]].astype(object)
    return frame


def _finite(value: Any) -> float | None:
    f = float(value)
    return f if np.isfinite(f) else None
