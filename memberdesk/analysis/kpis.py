"""Management cockpit KPIs (经营管理驾驶舱): one number per KPI, its previous value and a trend.

Time convention (one rule for every KPI)
----------------------------------------
Each KPI is a function K(t) of a cut-off date t, evaluated exactly as if the data were loaded
with as-of = t (records starting after t left out, terminations and settlements after t not
yet happened):

* **stocks** (in-force members, policies, premium; median policy lifetime) are the state at t;
* **flows and rates** (new business, lapse rate, benefit usage, service rates, CSAT, claim
  settlement) are computed over the trailing 12 months (t − 12 months, t].

``value`` = K(as_of); ``previous`` = K(as_of − 12 months), so for flows the previous period is
the 12 months before the current one; ``trend`` = K at 12 points: the month-ends of the 11
months before the as-of month, then as-of itself (all month-ends when as-of is one). "− 12
months" is calendar arithmetic, snapped to the month-end when as-of is a month-end.

The previous value and the trend are computed with vectorised shortcuts (cumulative day
counts, one mask per cut-off) rather than 13 recomputations; a test checks them against
``ds.with_as_of(t)``. A KPI whose table or column is missing is None with a ``reason``, never
an error.

Engine books (DuckDB, PostgreSQL, Spark, Parquet)
-------------------------------------------------
On a book kept in an engine every KPI is computed from ``GROUP BY`` answers
(:mod:`memberdesk.core.engine.kpi_counts`), never from the accepted rows, with the same
formulas: policies by issue day × exit bucket × event (in force, new business, premium,
voluntary exits and the central exposure, whose per-policy overlaps are sums of whole days),
terminated policies by exit bucket × duration × event plus the censored issue days (the
Kaplan-Meier median lifetime on counts, :func:`km_median_counts`), per-member bit masks of
the cut-offs in force and of the windows with a benefit use (members, usage rate), contact
flag sums by day (service rates), claims by reported × settled date (settlement median), and
the persistency function's own engine route. Counts are exact and the floats equal the row
path's (tests/engines/test_kpi_counts.py).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from memberdesk.analysis.benefits import member_in_force_matrix, usage_rate_series
from memberdesk.analysis.claims import km_median_binned
from memberdesk.analysis.metrics import get_metric
from memberdesk.analysis.service import (
    CSAT_THRESHOLD,
    RATE_FORMULAS,
    SUM_COLUMNS,
    missing_columns_reason,
    rates_from_sums,
    to_days,
    window_rate_series,
)
from memberdesk.core import schema
from memberdesk.core.dataset import Dataset
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.reasons import Reason

if TYPE_CHECKING:
    from memberdesk.core.engine.book import EngineBook

KPI_IDS: tuple[str, ...] = (
    "in_force_members", "in_force_policies", "in_force_premium", "new_business_policies",
    "new_business_premium", "persistency_13", "persistency_25", "lapse_rate_annualised",
    "median_policy_lifetime_months", "benefit_usage_rate", "bot_replacement_rate",
    "human_connection_rate", "csat", "median_claim_settlement_days",
)
TREND_POINTS = 12
PERIOD_MONTHS = 12

# Reason shown when a KPI's inputs exist but it is undefined at as-of.
EMPTY_REASONS: dict[str, Reason] = {
    "lapse_rate_annualised": Reason("no_exposure_12m"),
    "median_policy_lifetime_months": Reason("median_not_reached"),
    "benefit_usage_rate": Reason("no_in_force_members"),
    "bot_replacement_rate": Reason("no_contacts_12m"),
    "human_connection_rate": Reason("no_human_queue_12m"),
    "csat": Reason("no_rated_12m"),
    "median_claim_settlement_days": Reason("no_claims_settled_12m"),
    "persistency_13": Reason("no_persistency_cohort", month=13),
    "persistency_25": Reason("no_persistency_cohort", month=25),
}


def months_before(t: pd.Timestamp, months: int) -> pd.Timestamp:
    """``t`` minus calendar months, snapped to the month-end when ``t`` is a month-end."""
    out = pd.Timestamp(t) - pd.DateOffset(months=months)
    return out + pd.offsets.MonthEnd(0) if pd.Timestamp(t).is_month_end else out


def trend_dates(as_of: pd.Timestamp, points: int = TREND_POINTS) -> pd.DatetimeIndex:
    """Month-ends of the ``points − 1`` months before the as-of month, then as-of."""
    month = pd.Timestamp(as_of).to_period("M")
    ends = [(month - k).to_timestamp(how="end").normalize() for k in range(points - 1, 0, -1)]
    return pd.DatetimeIndex([*ends, pd.Timestamp(as_of).normalize()])


@dataclass(frozen=True, eq=False)
class KPI:
    """One cockpit figure. ``trend`` is indexed by cut-off date (see module doc); NaN where
    the KPI is undefined. ``reason`` says why ``value`` is None."""

    id: str
    name: str
    value: float | None
    previous: float | None
    unit: str
    trend: pd.Series
    reason: Reason | None = None

    @property
    def change(self) -> float | None:
        return None if self.value is None or self.previous is None else self.value - self.previous


@dataclass(frozen=True, eq=False)
class KPIResult:
    """All cockpit KPIs at ``as_of``; ``previous_as_of`` is the comparison cut-off."""

    as_of: pd.Timestamp
    previous_as_of: pd.Timestamp
    kpis: tuple[KPI, ...]

    def __getitem__(self, kpi_id: str) -> KPI:
        for k in self.kpis:
            if k.id == kpi_id:
                return k
        raise KeyError(f"unknown KPI {kpi_id!r}; known: {', '.join(k.id for k in self.kpis)}")

    def to_json(self) -> dict[str, object]:
        """Exactly docs/cli.md: ``{"as_of", "kpis": [{"id", "name", "value", "unit", "previous"}]}``."""
        return {"as_of": self.as_of.date().isoformat(),
                "kpis": [{"id": k.id, "name": k.name, "value": k.value, "unit": k.unit,
                          "previous": k.previous} for k in self.kpis]}

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"id": k.id, "name": k.name, "value": k.value,
                              "previous": k.previous, "change": k.change, "unit": k.unit,
                              "reason": k.reason} for k in self.kpis])

    def trend_frame(self) -> pd.DataFrame:
        """Long table: ``id``, ``date``, ``value``."""
        parts = [pd.DataFrame({"id": k.id, "date": k.trend.index, "value": k.trend.to_numpy()})
                 for k in self.kpis]
        return pd.concat(parts, ignore_index=True)


def usage_rate_trend(ds: Dataset) -> pd.DataFrame | None:
    """The benefit-usage-rate KPI at its trend dates: members in force at each month-end who
    used a benefit in the 12 months to it ÷ members in force then, at the 12 month-ends up to
    as-of (``month_end`` as ``YYYY-MM``, ``usage_rate``). None when policies or usage lack
    member ids or policies lack issue dates (the KPI's reasons)."""
    engine = _engine_book(ds)
    if engine is not None:
        return _engine_usage_trend(engine, ds)
    p, usage = ds.policies, ds.benefit_usage
    if p is None or usage is None or "member_id" not in p.columns or "member_id" not in usage.columns \
            or "issue_date" not in p.columns:
        return None
    ends_ts = trend_dates(pd.Timestamp(ds.as_of))
    ends = to_days(pd.Series(ends_ts))
    starts = to_days(pd.Series([months_before(t, PERIOD_MONTHS) for t in ends_ts]))
    ids, in_force = member_in_force_matrix(p, ends)
    rate, _users = usage_rate_series(ids, in_force, usage, starts, ends)
    return pd.DataFrame({"month_end": [t.strftime("%Y-%m") for t in ends_ts], "usage_rate": rate})


Series = tuple[np.ndarray, Reason | None]  # values at every cut-off, or why it is undefined


class _Book:
    """Arrays extracted once from the Dataset, shared by the KPI functions."""

    def __init__(self, ds: Dataset, cutoffs: pd.DatetimeIndex) -> None:
        self.ds = ds
        self.cutoffs = cutoffs
        self.ends = to_days(pd.Series(cutoffs))
        self.starts = to_days(pd.Series([months_before(t, PERIOD_MONTHS) for t in cutoffs]))
        self.engine = _engine_book(ds)
        self.policy_reason: Reason | None = None
        self.p: pd.DataFrame = pd.DataFrame()
        if self.engine is not None:  # aggregates only (_Counts): the rows are never read
            from memberdesk.core.engine import kpi_counts

            columns = kpi_counts.columns(self.engine, ds, schema.POLICIES)
            if columns is None:
                self.policy_reason = Reason("no_table", table="policies")
            elif "issue_date" not in columns:
                self.policy_reason = Reason("generic_policies")
            return
        p = ds.policies
        if p is None:
            self.policy_reason = Reason("no_table", table="policies")
        elif ds.generic or "issue_date" not in p.columns:
            self.policy_reason = Reason("generic_policies")
        # the KPI functions read ``p`` only when ``policy_reason`` is None
        if p is not None:
            self.p = p

    @cached_property
    def issue(self) -> np.ndarray:
        return to_days(self.p["issue_date"])

    @cached_property
    def exit(self) -> np.ndarray:
        return to_days(self.p["exit_date"]) if "exit_date" in self.p.columns else np.full(len(self.p), np.nan)

    @cached_property
    def in_force(self) -> np.ndarray:
        """bool [policy, cut-off]."""
        return np.stack([(self.issue <= t) & ~(self.exit <= t) for t in self.ends], axis=1)

    @cached_property
    def new(self) -> np.ndarray:
        return np.stack([(self.issue > s) & (self.issue <= t)
                         for s, t in zip(self.starts, self.ends)], axis=1)

    @cached_property
    def members(self) -> tuple[pd.Index, np.ndarray]:
        return member_in_force_matrix(self.p, self.ends, self.in_force)

    @cached_property
    def service(self) -> dict[str, np.ndarray]:
        return window_rate_series(self.ds.service_contacts, self.starts, self.ends)


def _count(mask: np.ndarray) -> np.ndarray:
    return np.asarray(mask.sum(axis=0), dtype=float)


def _premium(b: _Book, mask: np.ndarray) -> Series:
    if "annual_premium" not in b.p.columns:
        return np.array([]), Reason("missing_column", table="policies", column="annual_premium")
    prem = b.p["annual_premium"].to_numpy(dtype=float)
    if len(prem) and np.isnan(prem).all():
        return np.array([]), Reason("empty_column", table="policies", column="annual_premium")
    return np.nan_to_num(prem) @ mask.astype(float), None  # empty premiums count as 0


def _members(b: _Book) -> Series:
    if "member_id" not in b.p.columns:
        return np.array([]), Reason("missing_column", table="policies", column="member_id")
    return _count(b.members[1]), None


def _lapse_rate(b: _Book) -> Series:
    """Voluntary exits in the window ÷ policy-years in force in the window (central rate)."""
    event = b.p["event"].to_numpy(dtype=bool)
    out = np.full(len(b.ends), np.nan)
    for j, (s, t) in enumerate(zip(b.starts, b.ends)):
        stop = np.fmin(b.exit, t)
        exposure = np.clip(stop - np.maximum(b.issue, s), 0, None).sum() / schema.DAYS_PER_YEAR
        events = (event & (b.exit > s) & (b.exit <= t)).sum()
        out[j] = events / exposure if exposure > 0 else np.nan
    return out, None


def _median_lifetime(b: _Book) -> Series:
    """KM median of policy duration (months) at each cut-off; event = ds.event_statuses."""
    event = b.p["event"].to_numpy(dtype=bool)
    out = np.full(len(b.ends), np.nan)
    for j, t in enumerate(b.ends):
        live = b.issue <= t
        days = np.fmin(b.exit, t)[live] - b.issue[live]
        out[j] = km_median_binned(days.astype(np.int64), (event & (b.exit <= t))[live])
    return out / schema.DAYS_PER_MONTH, None


def _usage_rate(b: _Book) -> Series:
    usage = b.ds.benefit_usage
    if usage is None:
        return np.array([]), Reason("no_table", table="benefit_usage")
    if "member_id" not in b.p.columns or "member_id" not in usage.columns:
        return np.array([]), Reason("member_ids_needed", table="benefit_usage")
    if "used_at" not in usage.columns:  # a use without its date cannot be placed in a window
        return np.array([]), Reason("missing_column", table="benefit_usage", column="used_at")
    ids, matrix = b.members
    rate, _ = usage_rate_series(ids, matrix, usage, b.starts, b.ends)
    return rate, None


def _service(b: _Book, rate: str) -> Series:
    reason = missing_columns_reason(b.ds.service_contacts, rate)
    return (np.array([]), reason) if reason else (b.service[rate], None)


def _settlement_median(b: _Book) -> Series:
    claims = b.ds.claims
    if claims is None:
        return np.array([]), Reason("no_table", table="claims")
    if "reported_at" not in claims.columns or "settled_at" not in claims.columns:
        return np.array([]), Reason("missing_column", table="claims", column="reported_at, settled_at")
    reported = to_days(claims["reported_at"])
    settled = to_days(claims["settled_at"])
    out = np.full(len(b.ends), np.nan)
    for j, (s, t) in enumerate(zip(b.starts, b.ends)):
        w = (reported > s) & (reported <= t)
        done = settled[w] <= t
        days = np.where(done, settled[w], t) - reported[w]
        ok = days >= 0
        out[j] = km_median_binned(days[ok].astype(np.int64), done[ok])
    return out, None


def _persistency(b: _Book, month: int) -> Series:
    """Premium persistency of the latest rolling-12-month evaluation period fully measured at
    each cut-off (:func:`memberdesk.analysis.persistency.persistency`, one call at as-of).

    A period is fully measured at t when its last cohort policy's measurement date (end of its
    ``month``-th policy month: ``cohort_issued_to`` + ``month`` months − 1 day) is on or before
    t; its ratio no longer changes after that, so the previous and trend values are read off
    the as-of result (re-deriving the Dataset at each cut-off would cost seconds on 1M
    policies). One difference from re-loading at t: the first rolling window of the data is
    reported only once 12 due months exist, so near the start of the data K(t) is None where a
    re-load at t would report a partial first window.
    """
    try:
        from memberdesk.analysis.persistency import persistency
    except ImportError:
        return np.array([]), Reason("not_available")
    out = np.full(len(b.ends), np.nan)
    frame = persistency(b.ds, month=month, period="rolling12").segment(None)
    if len(frame) == 0:
        return out, None
    measured = to_days(pd.Series([pd.Timestamp(t) + pd.DateOffset(months=month) - pd.Timedelta(days=1)
                                  for t in frame["cohort_issued_to"]]))
    ratio = frame["ratio_premium"].to_numpy(dtype=float)
    order = np.argsort(frame["period_end"].to_numpy())
    for j, t in enumerate(b.ends):
        done = order[measured[order] <= t]
        if done.size:
            out[j] = ratio[done[-1]]
    return out, None


def _kpi_functions() -> dict[str, Callable[[_Book], Series]]:
    return {
        "in_force_members": _members,
        "in_force_policies": lambda b: (_count(b.in_force), None),
        "in_force_premium": lambda b: _premium(b, b.in_force),
        "new_business_policies": lambda b: (_count(b.new), None),
        "new_business_premium": lambda b: _premium(b, b.new),
        "persistency_13": lambda b: _persistency(b, 13),
        "persistency_25": lambda b: _persistency(b, 25),
        "lapse_rate_annualised": _lapse_rate,
        "median_policy_lifetime_months": _median_lifetime,
        "benefit_usage_rate": _usage_rate,
        "bot_replacement_rate": lambda b: _service(b, "bot_replacement_rate"),
        "human_connection_rate": lambda b: _service(b, "human_connection_rate"),
        "csat": lambda b: _service(b, "csat"),
        "median_claim_settlement_days": _settlement_median,
    }


# ---- engine books: the same KPIs from aggregates computed in the engine --------------------------

def _engine_book(ds: Dataset) -> EngineBook | None:
    """The engine book behind ``ds`` (None for a book loaded from files)."""
    book: EngineBook | None = getattr(ds, "book", None)
    return book if book is not None and not ds.generic else None


def km_median_counts(days: np.ndarray, events: np.ndarray, counts: np.ndarray) -> float:
    """:func:`memberdesk.analysis.claims.km_median_binned` on grouped rows: ``counts[i]``
    durations of ``days[i]`` whole days, ``events[i]`` (0/1) whether they are exits. The same
    arithmetic on the same integer counts (frequency weights), so the same float; NaN when no
    duration is counted or S(t) stays above 0.5."""
    n = np.asarray(counts, dtype=float)
    keep = n > 0
    d, n = np.asarray(days, dtype=np.int64)[keep], n[keep]
    if d.size == 0:
        return float("nan")
    size = int(d.max()) + 1
    removed = np.bincount(d, weights=n, minlength=size)
    deaths = np.bincount(d, weights=n * np.asarray(events, dtype=float)[keep], minlength=size)
    at_risk = n.sum() - np.concatenate(([0.0], np.cumsum(removed)[:-1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(at_risk > 0, 1.0 - deaths / np.where(at_risk > 0, at_risk, 1), 1.0)
    surv = np.cumprod(factor)
    hit = np.flatnonzero(surv <= 0.5)
    return float(hit[0]) if hit.size else float("nan")


class _Counts:
    """The KPI aggregates of an engine book, each asked once (:mod:`kpi_counts`).

    ``bounds``: the sorted distinct window boundaries (days); cut-off ``j`` is boundary
    ``c[j]`` and its window start boundary ``a[j]``, so a date in bucket ``k`` (the number of
    boundaries before it) is on or before ``t_j`` iff ``k ≤ c[j]`` and after ``s_j`` iff
    ``k > a[j]``."""

    def __init__(self, b: _Book, engine: EngineBook) -> None:
        self.b = b
        self.engine = engine
        self.bounds = np.unique(np.concatenate([b.starts, b.ends]))
        self.c = np.searchsorted(self.bounds, b.ends)
        self.a = np.searchsorted(self.bounds, b.starts)

    def dates(self, days: np.ndarray) -> list[Any]:
        from memberdesk.core.engine.kpi_counts import day_to_date

        return [day_to_date(x) for x in days]

    @cached_property
    def issue(self) -> pd.DataFrame:
        from memberdesk.core.engine import kpi_counts

        return kpi_counts.policy_issue_counts(self.engine, self.b.ds, self.dates(self.bounds))

    @cached_property
    def policy_columns(self) -> list[str]:
        from memberdesk.core.engine import kpi_counts

        return kpi_counts.columns(self.engine, self.b.ds, schema.POLICIES) or []

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(issue day, exit bucket (NaN: none), n) of the issue-count groups."""
        g = self.issue
        return to_days(g["issue_date"]), g["k_exit"].to_numpy(dtype=float), \
            g["n"].to_numpy(dtype=np.int64)

    def in_force(self) -> np.ndarray:
        """bool [group, cut-off]: the group's policies are in force at the cut-off."""
        issue, k_exit, _ = self.arrays()
        return np.stack([(issue <= t) & ~(k_exit <= c) for t, c in zip(self.b.ends, self.c)], axis=1)

    def new(self) -> np.ndarray:
        issue, _, _ = self.arrays()
        return np.stack([(issue > s) & (issue <= t) for s, t in zip(self.b.starts, self.b.ends)],
                        axis=1)

    def count(self, mask: np.ndarray) -> Series:
        n = self.issue["n"].to_numpy(dtype=np.int64)
        return np.asarray(n @ mask.astype(np.int64), dtype=float), None

    def premium(self, mask: np.ndarray) -> Series:
        if "annual_premium" not in self.policy_columns:
            return np.array([]), Reason("missing_column", table="policies", column="annual_premium")
        g = self.issue
        if int(g["n"].sum()) and int(g["premium_n"].sum()) == 0:
            return np.array([]), Reason("empty_column", table="policies", column="annual_premium")
        return g["premium"].to_numpy(dtype=float) @ mask.astype(float), None

    def lapse_rate(self) -> Series:
        """As :func:`_lapse_rate`: the window's overlap ``min(exit, t) − max(issue, s)``
        (clipped at 0) summed per group from its issue day, count and summed durations."""
        issue, k_exit, n = self.arrays()
        g = self.issue
        event = g["event"].to_numpy(dtype=np.int64) == 1
        duration = g["duration"].to_numpy(dtype=np.int64)
        out = np.full(len(self.b.ends), np.nan)
        if np.isnan(issue).any():  # the row path's sum is NaN then
            return out, None
        iday = issue.astype(np.int64)
        exited = ~np.isnan(k_exit)
        k = np.where(exited, k_exit, -1).astype(np.int64)
        for j, (s, t) in enumerate(zip(self.b.starts, self.b.ends)):
            si, ti, a, c = int(s), int(t), self.a[j], self.c[j]
            open_to_t = ~exited | (k > c)  # exit missing or after t: the overlap runs to t
            lo = np.maximum(iday, si)
            to_t = n * np.clip(ti - lo, 0, None)
            # exit on or before t: issue after s -> exit - issue; else exit - s when exit > s
            to_exit = np.where(iday > si, duration,
                               np.where(k > a, duration + n * (iday - si), 0))
            exposure = int(np.where(open_to_t, to_t, to_exit).sum()) / schema.DAYS_PER_YEAR
            events = int(n[event & exited & (k > a) & (k <= c)].sum())
            out[j] = events / exposure if exposure > 0 else np.nan
        return out, None

    @cached_property
    def exits(self) -> pd.DataFrame:
        from memberdesk.core.engine import kpi_counts

        return kpi_counts.exit_duration_counts(self.engine, self.b.ds, self.dates(self.bounds))

    def median_lifetime(self) -> Series:
        """As :func:`_median_lifetime`: at ``t``, the exits on or before it (their durations
        and events) and the other policies issued by then, censored at ``t − issue``."""
        issue, k_exit, n = self.arrays()
        e = self.exits
        e_k = e["k_exit"].to_numpy(dtype=np.int64)
        e_days = e["duration_days"].to_numpy(dtype=np.int64)
        e_event = e["event"].to_numpy(dtype=np.int64)
        e_n = e["n"].to_numpy(dtype=np.int64)
        out = np.full(len(self.b.ends), np.nan)
        for j, (t, c) in enumerate(zip(self.b.ends, self.c)):
            censored = (issue <= t) & ~(k_exit <= c)
            done = e_k <= c
            days = np.concatenate([(t - issue[censored]).astype(np.int64), e_days[done]])
            events = np.concatenate([np.zeros(int(censored.sum()), dtype=np.int64), e_event[done]])
            counts = np.concatenate([n[censored], e_n[done]])
            out[j] = km_median_counts(days, events, counts)
        return out / schema.DAYS_PER_MONTH, None

    @cached_property
    def member_counts(self) -> tuple[np.ndarray, np.ndarray | None]:
        from memberdesk.core.engine import kpi_counts

        usage = self.usage_reason() is None
        return kpi_counts.member_counts(self.engine, self.b.ds, self.dates(self.b.starts),
                                        self.dates(self.b.ends), usage)

    def members(self) -> Series:
        if "member_id" not in self.policy_columns:
            return np.array([]), Reason("missing_column", table="policies", column="member_id")
        return self.member_counts[0].astype(float), None

    def usage_reason(self) -> Reason | None:
        from memberdesk.core.engine import kpi_counts

        usage = kpi_counts.columns(self.engine, self.b.ds, schema.BENEFIT_USAGE)
        if usage is None:
            return Reason("no_table", table="benefit_usage")
        if "member_id" not in self.policy_columns or "member_id" not in usage:
            return Reason("member_ids_needed", table="benefit_usage")
        if "used_at" not in usage:
            return Reason("missing_column", table="benefit_usage", column="used_at")
        return None

    def usage_rate(self) -> Series:
        reason = self.usage_reason()
        if reason is not None:
            return np.array([]), reason
        members, users = self.member_counts
        assert users is not None
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(members > 0, users / np.where(members > 0, members, 1), np.nan)
        return rate, None

    @cached_property
    def contacts(self) -> pd.DataFrame | None:
        from memberdesk.core.engine import kpi_counts

        return kpi_counts.contact_day_sums(self.engine, self.b.ds, CSAT_THRESHOLD)

    def service_reason(self, rate: str) -> Reason | None:
        """:func:`missing_columns_reason` from the table's columns and its row count."""
        from memberdesk.core.engine import kpi_counts

        columns = kpi_counts.columns(self.engine, self.b.ds, schema.SERVICE_CONTACTS)
        if columns is None or self.contacts is None:
            return Reason("no_table", table="service_contacts")
        if int(self.contacts["contacts"].sum()) == 0:
            return Reason("no_rows_to_as_of", table="service_contacts")
        missing = [c for c in RATE_FORMULAS[rate][2] if c not in columns]
        if missing:
            return Reason("missing_column", table="service_contacts", column=", ".join(missing))
        return None

    @cached_property
    def service(self) -> dict[str, np.ndarray]:
        """As :func:`window_rate_series`: each window's flag sums over the days in it."""
        from memberdesk.core.engine import kpi_counts

        k = len(self.b.ends)
        frame = self.contacts
        columns = kpi_counts.columns(self.engine, self.b.ds, schema.SERVICE_CONTACTS) or []
        if frame is None or int(frame["contacts"].sum()) == 0 or "started_at" not in columns:
            return {rate: np.full(k, np.nan) for rate in RATE_FORMULAS} | {"contacts": np.zeros(k)}
        day = to_days(frame["day"])
        dated = ~np.isnan(day)
        sums = {}
        for col in SUM_COLUMNS:
            v = frame[col].to_numpy(dtype=np.int64)[dated]
            sums[col] = np.array([v[(day[dated] > s) & (day[dated] <= t)].sum()
                                  for s, t in zip(self.b.starts, self.b.ends)], dtype=np.int64)
        available = {rate: self.service_reason(rate) is None for rate in RATE_FORMULAS}
        out = dict(rates_from_sums(sums, available))
        out["contacts"] = sums["contacts"]
        return out  # type: ignore[return-value]

    def service_rate(self, rate: str) -> Series:
        reason = self.service_reason(rate)
        return (np.array([]), reason) if reason else (self.service[rate], None)

    def settlement_median(self) -> Series:
        """As :func:`_settlement_median` on claims counted by reported × settled date."""
        from memberdesk.core.engine import kpi_counts

        columns = kpi_counts.columns(self.engine, self.b.ds, schema.CLAIMS)
        if columns is None:
            return np.array([]), Reason("no_table", table="claims")
        if "reported_at" not in columns or "settled_at" not in columns:
            return np.array([]), Reason("missing_column", table="claims",
                                        column="reported_at, settled_at")
        frame = kpi_counts.claim_date_counts(self.engine, self.b.ds,
                                             *self.dates(np.array([self.b.starts.min(),
                                                                   self.b.ends.max()])))
        out = np.full(len(self.b.ends), np.nan)
        if frame is None:
            return out, None
        reported, settled = to_days(frame["reported_at"]), to_days(frame["settled_at"])
        n = frame["n"].to_numpy(dtype=np.int64)
        for j, (s, t) in enumerate(zip(self.b.starts, self.b.ends)):
            w = (reported > s) & (reported <= t)
            done = settled[w] <= t
            days = np.where(done, settled[w], t) - reported[w]
            ok = days >= 0
            out[j] = km_median_counts(days[ok].astype(np.int64), done[ok], n[w][ok])
        return out, None


def _engine_persistency(b: _Book, month: int) -> Series:
    """:func:`_persistency` on an engine book. The first time either is asked for, the 13- and
    25-month counts of persistency's engine route are computed by one query
    (:func:`memberdesk.core.engine.aggregates.prefetch_persistency`: one scan instead of two)
    and each is taken by its :func:`persistency` call; when the view has no issue date,
    nothing is fetched."""
    if "persistency_prefetched" not in b.__dict__:
        b.__dict__["persistency_prefetched"] = True
        from memberdesk.core.engine import aggregates

        ds, engine = b.ds, b.engine
        if engine is not None and not ds.generic \
                and "issue_date" in aggregates.policy_view(engine, ds).columns:
            aggregates.prefetch_persistency(engine, ds, (13, 25), ds.assumptions.free_look_days)
    return _persistency(b, month)


def _engine_kpi_functions() -> dict[str, Callable[[_Book], Series]]:
    def counts(b: _Book) -> _Counts:
        if "counts" not in b.__dict__:
            assert b.engine is not None
            b.__dict__["counts"] = _Counts(b, b.engine)
        found: _Counts = b.__dict__["counts"]
        return found

    return {
        "in_force_members": lambda b: counts(b).members(),
        "in_force_policies": lambda b: counts(b).count(counts(b).in_force()),
        "in_force_premium": lambda b: counts(b).premium(counts(b).in_force()),
        "new_business_policies": lambda b: counts(b).count(counts(b).new()),
        "new_business_premium": lambda b: counts(b).premium(counts(b).new()),
        "persistency_13": lambda b: _engine_persistency(b, 13),  # its own engine route
        "persistency_25": lambda b: _engine_persistency(b, 25),
        "lapse_rate_annualised": lambda b: counts(b).lapse_rate(),
        "median_policy_lifetime_months": lambda b: counts(b).median_lifetime(),
        "benefit_usage_rate": lambda b: counts(b).usage_rate(),
        "bot_replacement_rate": lambda b: counts(b).service_rate("bot_replacement_rate"),
        "human_connection_rate": lambda b: counts(b).service_rate("human_connection_rate"),
        "csat": lambda b: counts(b).service_rate("csat"),
        "median_claim_settlement_days": lambda b: counts(b).settlement_median(),
    }


def _engine_usage_trend(engine: EngineBook, ds: Dataset) -> pd.DataFrame | None:
    """:func:`usage_rate_trend` of an engine book, from :func:`kpi_counts.member_counts`."""
    ends_ts = trend_dates(pd.Timestamp(ds.as_of))
    b = _Book(ds, ends_ts)
    c = _Counts(b, engine)
    if b.policy_reason is not None or c.usage_reason() is not None:
        return None
    rate, _ = c.usage_rate()
    return pd.DataFrame({"month_end": [t.strftime("%Y-%m") for t in ends_ts], "usage_rate": rate})


POLICY_FREE = {"bot_replacement_rate", "human_connection_rate", "csat",
               "median_claim_settlement_days"}


def compute_kpis(ds: Dataset, *, progress: Progress | None = None) -> KPIResult:
    """Every cockpit KPI at ``ds.as_of`` with its previous value and 12-point trend (see the
    module docstring for the time convention; units and formulas in the metrics registry).
    On an engine book the KPIs come from aggregates computed in the engine (module doc)."""
    prog = ensure(progress)
    as_of = pd.Timestamp(ds.as_of).normalize()
    previous = months_before(as_of, PERIOD_MONTHS)
    trend = trend_dates(as_of)
    book = _Book(ds, pd.DatetimeIndex([previous, *trend]))
    functions = _kpi_functions() if book.engine is None else _engine_kpi_functions()
    kpis = []
    for i, kpi_id in enumerate(KPI_IDS):
        check_cancelled(progress)
        prog.status(f"KPIs: {kpi_id}")
        metric = get_metric(kpi_id)
        reason = None if kpi_id in POLICY_FREE else book.policy_reason
        values = np.array([])
        if reason is None:
            values, reason = functions[kpi_id](book)
        if reason is not None or len(values) == 0:
            values = np.full(len(book.ends), np.nan)
        value, prev = _finite(values[-1]), _finite(values[0])
        if value is None and reason is None:
            reason = EMPTY_REASONS.get(kpi_id, Reason("no_data_at_as_of"))
        kpis.append(KPI(kpi_id, metric.name_en, value, prev, metric.unit,
                        pd.Series(values[1:], index=trend, name=kpi_id, dtype=float), reason))
        prog.fraction((i + 1) / len(KPI_IDS))
    return KPIResult(as_of, previous, tuple(kpis))


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None
