"""Aggregate questions pushed down to the engine (issue #13): the ``GROUP BY`` queries behind
the exact aggregate routes of Cox, persistency, cohorts and experience exposures.

Everything here builds on the policy view of :mod:`memberdesk.core.engine.rules` (the single
definition of exit status, duration, event, as-of window and filters): a query groups that
view and only counts leave the engine. The statistics that consume the counts live in
:mod:`memberdesk.analysis` (numpy on the aggregates).

Conventions
-----------
* Counts are integers (``n``), exact; durations are whole days (``duration_days``), months
  are computed by the caller from them, so the engine and the file path give the same floats.
* Covariate kinds follow the view's types: text columns are *categorical*; numeric, true/false
  and date columns are *numeric-like* and count as *banded* when they hold at most ``limit``
  distinct values (checked by one ``COUNT(DISTINCT)`` query), else *continuous*.
"""
from __future__ import annotations

import datetime as dt
import functools
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from memberdesk.core import schema
from memberdesk.core.book import COUNT_COLUMN, CellAnswer, _check_columns
from memberdesk.core.calendar import add_months as add_months
from memberdesk.core.dataset import AGE_BANDS, PREMIUM_BANDS, Dataset
from memberdesk.core.engine import rules
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason

if TYPE_CHECKING:
    from memberdesk.core.engine.book import EngineBook

_MEMBER_ATTRIBUTES = ("gender", "region", "tier", "birth_date", "age", "join_date")
_AGE_COLUMNS = ("age_at_issue", "age_band")


def policy_view(book: EngineBook, ds: Dataset, columns: Sequence[str] = ()) -> ir.Table:
    """The policy view of :func:`rules.policy_view` for a query that uses ``columns`` — without
    the members join when neither those columns nor the active filters need a member attribute.

    Both are the same rows: the join is a left join on the accepted member ids, which are
    unique (a repeated id is rejected), so it neither adds nor drops a policy; it only brings
    the member attributes and the age derived from a member's birth date. Leaving it out when
    unused makes a scan of the book several times cheaper (measured at 10M policies in DuckDB:
    2.7 s instead of 14 s for a GROUP BY)."""
    p, members = book.accepted(schema.POLICIES), book.accepted(schema.MEMBERS)
    if p is None or members is None:
        return book.policies(ds)
    lean = rules.policy_view(p, None, as_of=ds.as_of.date(), event_statuses=ds.event_statuses,
                             filters=ds.filters)
    added = {c for c in _MEMBER_ATTRIBUTES if c in members.columns and c not in p.columns}
    f = ds.filters
    needed = [*columns, *(c for c in ("region", "tier") if getattr(f, c))]
    if any(c not in lean.columns for c in needed) \
            or (added & {"birth_date", "age"} and any(c in _AGE_COLUMNS for c in needed)):
        return book.policies(ds)
    return lean


BAND_ORDER = {"premium_band": [b[2] for b in PREMIUM_BANDS], "age_band": [b[2] for b in AGE_BANDS]}


def to_frame(table: pa.Table) -> pd.DataFrame:
    """An aggregate's Arrow table as pandas: true/false columns as nullable booleans (as the
    validated frames hold them), decimals as floats, bands as ordered categoricals, dates as datetime64[ns]."""
    frame = table.to_pandas(date_as_object=False)
    for name, typ in zip(table.column_names, table.schema.types):
        if pa.types.is_boolean(typ):
            frame[name] = pd.array(table.column(name).to_pylist(), dtype="boolean")
        elif pa.types.is_decimal(typ):  # e.g. PostgreSQL's EXTRACT (issue_year): a number
            column = table.column(name)
            frame[name] = column.cast(pa.int64()).to_pandas().astype("Int64") if typ.scale == 0 \
                else column.cast(pa.float64()).to_pandas()
        elif pa.types.is_date(typ) or pa.types.is_timestamp(typ):
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
        if name in BAND_ORDER:
            frame[name] = pd.Categorical(frame[name], categories=BAND_ORDER[name], ordered=True)
    return pd.DataFrame(frame)


def continuous_columns(book: EngineBook, ds: Dataset, columns: Sequence[str], limit: int
                       ) -> tuple[str, ...]:
    """The non-text columns of the policy view holding more than ``limit`` distinct values
    (one query for all of them; text columns are categorical and never continuous)."""
    view = policy_view(book, ds, columns)
    _check_columns(view.columns, columns)
    numeric = [c for c in dict.fromkeys(columns) if not view.schema()[c].is_string()]
    if not numeric:
        return ()
    expr = view.aggregate(**{f"d{i}": view[c].nunique() for i, c in enumerate(numeric)})
    row = book.run(expr).to_pylist()[0]
    return tuple(c for i, c in enumerate(numeric) if int(row[f"d{i}"] or 0) > limit)


def covariate_cells(book: EngineBook, ds: Dataset, columns: Sequence[str], limit: int) -> CellAnswer:
    """Counts by covariate cell × ``duration_days`` × ``event`` (Cox from frequency weights),
    unless a non-text column has more than ``limit`` distinct values (``continuous``)."""
    continuous = continuous_columns(book, ds, columns, limit)
    if continuous:
        return CellAnswer(None, continuous)
    view = policy_view(book, ds, columns)
    keys = [*dict.fromkeys(columns), "duration_days", "event"]
    expr = view.group_by(keys).aggregate(**{COUNT_COLUMN: view.count()})
    frame = to_frame(book.run(expr))
    if len(frame) == 0:
        raise AnalysisError(Reason("no_policies"))
    frame["event"] = frame["event"].astype(np.int8)
    frame[COUNT_COLUMN] = frame[COUNT_COLUMN].astype(np.int64)
    return CellAnswer(frame)



# ---- persistency (status basis) ------------------------------------------------------------------

def persistency_counts(book: EngineBook, ds: Dataset, month: int, free_look_days: int,
                       by: str | None) -> pd.DataFrame:
    """Policies (``n``) and annual premium (``premium``, missing as 0) by issue year and month
    (``issue_year``, ``issue_mon`` 1-12) × ``by`` × payment frequency × ``exit_status`` × the
    flags of the m-th month persistency rules (:mod:`memberdesk.analysis.persistency`):

    * ``ended_by``: terminated (:func:`rules.is_terminated`) on or before the measurement date
      ``issue %m+% month - 1 day``, i.e. before ``issue %m+% month`` (the day of month clipped
      to the target month's end);
    * ``free_look``: terminated within ``free_look_days`` days of issue (``duration_days``);
    * ``waived``: status ``waived``; ``paid_claim``: the policy holds a claim of
      :attr:`Dataset.claims` with status paid at as-of (in-window; a settlement after as-of
      leaves it open; under active filters only the claims of the filters' member scope,
      :func:`kpi_counts.member_scope`: a claim without a member id, or under another member
      than the scope's, does not count, as on the file path).

    Policies without an issue date are left out (as the file path does).

    The engine groups by ``issue_date``, the status and a duration class instead of computing
    calendar months per row (year/month/day extraction of two dates per policy was most of the
    query): null when not terminated; the exact days from issue to exit when they fall in the
    window ``[lo, hi]`` of the spans ``issue %m+% month − issue`` over every issue date
    (:func:`month_span_window`: 390–397 days for 13 months); below it (``-1``/``-2``: ended
    by any measurement date) or above it (``-3``/``-4``: ended after any), with or without the
    free-look condition. The flags follow from these per group on the client
    (:func:`_persistency_flags`), exactly as per policy; exit status and ``waived`` from the
    status and termination (:func:`rules.exit_status_values`)."""
    key = _persistency_key(ds, month, free_look_days, by)
    kept = _PREFETCHED.get(book, {}).pop(key, None)
    if kept is not None:
        return kept
    return _persistency_frames(book, ds, (month,), free_look_days, by)[month]


# frames of persistency_counts computed ahead (prefetch_persistency), each taken once
_PREFETCHED: weakref.WeakKeyDictionary[EngineBook, dict[tuple[Any, ...], pd.DataFrame]] = \
    weakref.WeakKeyDictionary()


def _persistency_key(ds: Dataset, month: int, free_look_days: int, by: str | None
                     ) -> tuple[Any, ...]:
    return (ds.as_of, ds.filters, tuple(ds.event_statuses), month, free_look_days, by)


def prefetch_persistency(book: EngineBook, ds: Dataset, months: Sequence[int],
                         free_look_days: int, by: str | None = None) -> None:
    """Compute :func:`persistency_counts` for several ``months`` in one query (one scan: one
    duration class per month) and keep each frame for the next call with the same arguments,
    which takes it (the cockpit's 13- and 25-month KPIs)."""
    frames = _persistency_frames(book, ds, tuple(dict.fromkeys(months)), free_look_days, by)
    kept = _PREFETCHED.setdefault(book, {})
    for month, frame in frames.items():
        kept[_persistency_key(ds, month, free_look_days, by)] = frame


def persistency_view(book: EngineBook, ds: Dataset, columns: Sequence[str]) -> ir.Table:
    """The policy view the persistency routes group (status and collected basis, and the
    alerts' 13/25-month cells): the view with ``columns`` (checked), policies with an issue
    date, and, when the book has claims, left-joined to the distinct ids of the policies with a
    paid claim as ``_paid_id`` (null: none) — the claims of ``Dataset.claims`` (in-window,
    member-scoped), paid and settled by as-of (or not settled), as the file path looks at."""
    v = policy_view(book, ds, columns)
    _check_columns(v.columns, list(columns))
    v = v.filter(v.issue_date.notnull())
    claims = book.accepted(schema.CLAIMS)
    if claims is None or "policy_id" not in claims.columns or "status" not in claims.columns \
            or "policy_id" not in v.columns:
        return v
    from memberdesk.core.engine import kpi_counts  # it builds on this module

    c = kpi_counts.member_table(book, ds, schema.CLAIMS)
    assert c is not None
    is_paid = c.status == "paid"
    if "settled_at" in c.columns:
        is_paid = is_paid & (c.settled_at.isnull() | (c.settled_at <= ibis.literal(ds.as_of.date())))
    ids = c.filter(is_paid & c.policy_id.notnull()).select(_paid_id=c.policy_id).distinct()
    return v.left_join(ids, v.policy_id == ids._paid_id)


def persistency_keys(v: ir.Table, as_of: dt.date, months: Sequence[int],
                     free_look_days: int) -> dict[str, ir.Value]:
    """The persistency routes' group keys of the policy view ``v``: per month m its duration
    class ``_d{m}`` (null while in force at ``as_of``; the exact days from issue to exit inside
    :func:`month_span_window`; -1/-2 below it within/after the free look, -3/-4 above it), then
    ``issue_date``, ``status`` and ``payment_frequency`` (when there is one)."""
    terminated = rules.is_terminated(rules.end_date(v), as_of)
    d = v.duration_days  # issue to exit when terminated
    free = ibis.literal(int(free_look_days))

    def lit(x: int) -> ir.IntegerValue:
        return ibis.literal(x, type="int32")

    keys: dict[str, ir.Value] = {}
    for month in months:
        lo, hi = month_span_window(month)
        keys[f"_d{month}"] = ibis.cases((~terminated, ibis.null("int32")),
                                        (d < lo, ibis.ifelse(d <= free, lit(-1), lit(-2))),
                                        (d > hi, ibis.ifelse(d <= free, lit(-3), lit(-4))),
                                        else_=d.cast("int32"))
    keys["issue_date"] = v.issue_date
    keys["status"] = v.status
    if "payment_frequency" in v.columns:
        keys["payment_frequency"] = v.payment_frequency
    return keys


def _persistency_frames(book: EngineBook, ds: Dataset, months: tuple[int, ...],
                        free_look_days: int, by: str | None) -> dict[int, pd.DataFrame]:
    """:func:`persistency_counts` for each of ``months`` from one ``GROUP BY``."""
    v = persistency_view(book, ds, () if by is None else (by,))
    keys: dict[str, ir.Value] = {}
    if "_paid_id" in v.columns:
        keys["paid_claim"] = v._paid_id.notnull()
    keys.update(persistency_keys(v, ds.as_of.date(), months, free_look_days))
    if by is not None:
        keys["segment"] = v[by]
    premium = v.annual_premium.fill_null(0.0) if "annual_premium" in v.columns \
        else ibis.literal(0.0)
    grouped = v.mutate(**keys, _premium=premium)
    expr = grouped.group_by(list(keys)).aggregate(**{COUNT_COLUMN: grouped.count(),
                                                    "premium": grouped._premium.sum()})
    counts = to_frame(book.run(expr))
    out = {}
    for month in months:
        frame = counts.drop(columns=[f"_d{m}" for m in months if m != month]) \
            .rename(columns={f"_d{month}": "_d"})
        frame = _persistency_flags(frame, month, free_look_days)
        if "payment_frequency" not in frame.columns:
            frame["payment_frequency"] = pd.Series([None] * len(frame), dtype=object)
        if "paid_claim" not in frame.columns:
            frame["paid_claim"] = False
        frame[COUNT_COLUMN] = frame[COUNT_COLUMN].astype(np.int64)
        frame["paid_claim"] = frame["paid_claim"].fillna(False).astype(bool)
        frame["premium"] = frame["premium"].astype(float)
        if by is not None and by in BAND_ORDER:
            frame["segment"] = pd.Categorical(frame["segment"], categories=BAND_ORDER[by],
                                              ordered=True)
        out[month] = frame
    return out


@functools.cache
def month_span_window(month: int) -> tuple[int, int]:
    """The least and greatest ``issue %m+% month − issue`` in days over every issue date (the
    Gregorian calendar repeats every 400 years, so one cycle holds every case): (390, 397) for
    13 months, (755, 762) for 25."""
    days = np.arange(np.datetime64("2000-01-01"), np.datetime64("2400-01-01"))
    span = (add_months(days, month) - days).astype(np.int64)
    return int(span.min()), int(span.max())


def _persistency_flags(frame: pd.DataFrame, month: int, free_look_days: int) -> pd.DataFrame:
    """The flags of :func:`persistency_counts` from its groups' issue date, status and duration
    class ``_d`` (see there), one value per group as the file path's per-policy rules give."""
    cls = frame["_d"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    terminated = ~np.isnan(cls)
    issue = pd.to_datetime(frame["issue_date"]).to_numpy(dtype="datetime64[D]")
    span = (add_months(issue, month) - issue).astype(np.int64)
    exact = terminated & (cls >= 0)
    days = np.where(exact, cls, 0).astype(np.int64)
    status = frame["status"].to_numpy(dtype=object)
    out = frame.drop(columns=["_d", "status", "issue_date"])
    out["issue_year"] = issue.astype("datetime64[Y]").astype(np.int64) + 1970
    out["issue_mon"] = issue.astype("datetime64[M]").astype(np.int64) % 12 + 1
    out["exit_status"] = rules.exit_status_values(status, terminated)
    out["waived"] = status == "waived"
    out["free_look"] = np.isin(cls, (-1, -3)) | (exact & (days <= free_look_days))
    out["ended_by"] = np.isin(cls, (-1, -2)) | (exact & (days < span))
    return out


# ---- persistency (collected basis) -----------------------------------------------------------

# amounts equal within half a cent count as paid in full (collected_persistency._CENT)
_CENT = 0.005


def collected_persistency_counts(book: EngineBook, ds: Dataset, month: int, free_look_days: int,
                                 grace_days: int, by: str | None) -> pd.DataFrame:
    """:func:`persistency_counts` on the collected basis: the same groups and flags, with the
    premium_payments instalments summed per policy **in the engine** (one ``GROUP BY
    policy_id`` joined back to the policy view) and then per group, so no row leaves it.

    Per policy (:func:`memberdesk.analysis.collected_persistency.instalments`): the in-window
    rows (due on or before as-of) whose ``due_date`` falls in policy month 1 (``issue`` to the
    day before ``issue %m+% 1``) or month m (``issue %m+% (m-1)`` to the day before
    ``issue %m+% m``; ``%m+%`` clips to the month's end, as the engines' ``date + INTERVAL``
    does); ``amount`` missing as 0; a row counts as paid in grace when ``paid_date`` is on or
    before as-of and at most ``grace_days`` days after ``due_date``.

    Extra group keys: ``no_first`` (no row due in policy month 1) and ``paid_full`` (month-m
    amount due > 0 and paid in grace to within half a cent). Extra sums: ``first_due`` (amount
    due in month 1), ``due`` (in month m), ``paid_grace`` (month m, paid in grace). ``premium``
    stays the annual premium. Raises :class:`AnalysisError` (``persistency_no_payments``)
    without a premium_payments table holding policy_id, due_date and amount."""
    pay = book.accepted(schema.PREMIUM_PAYMENTS)
    if pay is None or not {"policy_id", "due_date", "amount"} <= set(pay.columns):
        raise AnalysisError(Reason("persistency_no_payments"), column="premium_payments")
    v = persistency_view(book, ds, () if by is None else (by,))
    as_of = ds.as_of.date()
    keys: dict[str, ir.Value] = {}
    sums = _instalment_sums(pay, v.view(), month, grace_days, as_of)
    v = v.left_join(sums, v.policy_id == sums._inst_id)
    if "_paid_id" in v.columns:
        keys["paid_claim"] = v._paid_id.notnull()
    class_keys = persistency_keys(v, as_of, (month,), free_look_days)
    keys.update({("_d" if k == f"_d{month}" else k): e for k, e in class_keys.items()})
    if by is not None:
        keys["segment"] = v[by]
    first_due = v._first_due.fill_null(0.0)
    due = v._due.fill_null(0.0)
    paid = v._paid_grace.fill_null(0.0)
    keys["no_first"] = v._first_rows.fill_null(0) == 0
    keys["paid_full"] = (due > 0) & (paid >= due - _CENT)
    premium = v.annual_premium.fill_null(0.0) if "annual_premium" in v.columns \
        else ibis.literal(0.0)
    grouped = v.mutate(**keys, _premium=premium, _fd=first_due, _du=due, _pg=paid)
    expr = grouped.group_by(list(keys)).aggregate(
        **{COUNT_COLUMN: grouped.count(), "premium": grouped._premium.sum(),
           "first_due": grouped._fd.sum(), "due": grouped._du.sum(),
           "paid_grace": grouped._pg.sum()})
    frame = _persistency_flags(to_frame(book.run(expr)), month, free_look_days)
    if "payment_frequency" not in frame.columns:
        frame["payment_frequency"] = pd.Series([None] * len(frame), dtype=object)
    if "paid_claim" not in frame.columns:
        frame["paid_claim"] = False
    frame[COUNT_COLUMN] = frame[COUNT_COLUMN].astype(np.int64)
    for col in ("paid_claim", "no_first", "paid_full"):
        frame[col] = frame[col].fillna(False).astype(bool)
    for col in ("premium", "first_due", "due", "paid_grace"):
        frame[col] = pd.to_numeric(frame[col]).astype(float)
    if by is not None and by in BAND_ORDER:
        frame["segment"] = pd.Categorical(frame["segment"], categories=BAND_ORDER[by],
                                          ordered=True)
    return frame


def _instalment_sums(pay: ir.Table, v: ir.Table, month: int, grace_days: int,
                     as_of: Any) -> ir.Table:
    """Per policy of ``v`` with in-window premium_payments rows: ``_inst_id`` (policy id),
    ``_first_rows``, ``_first_due``, ``_due``, ``_paid_grace`` (see
    :func:`collected_persistency_counts`); one ``GROUP BY policy_id`` in the engine."""
    cut = ibis.literal(as_of)
    p = rules.in_window(schema.PREMIUM_PAYMENTS, pay, as_of)
    issues = v.select(_iid=v.policy_id, _issue=v.issue_date)
    j = p.inner_join(issues, p.policy_id == issues._iid)
    issue = j._issue
    due_date = j.due_date
    amount = j.amount.cast("float64").fill_null(0.0)
    in_first = (due_date >= issue) & (due_date < issue + ibis.interval(months=1))
    in_m = (due_date >= issue + ibis.interval(months=month - 1)) \
        & (due_date < issue + ibis.interval(months=month))
    if "paid_date" in j.columns:
        paid_date = j.paid_date
        in_grace = in_m & paid_date.notnull() & (paid_date <= cut) \
            & (paid_date.delta(due_date, unit="day") <= grace_days)
    else:
        in_grace = ibis.literal(False)
    zero = ibis.literal(0.0)
    t = j.mutate(_f=in_first.fill_null(False), _m=in_m.fill_null(False),
                 _g=in_grace.fill_null(False), _a=amount)
    return t.group_by(_inst_id=t._iid).aggregate(
        _first_rows=ibis.ifelse(t._f, 1, 0).sum(),
        _first_due=ibis.ifelse(t._f, t._a, zero).sum(),
        _due=ibis.ifelse(t._m, t._a, zero).sum(),
        _paid_grace=ibis.ifelse(t._g, t._a, zero).sum())


# ---- cohort retention ------------------------------------------------------------------------------

def cohort_counts(book: EngineBook, ds: Dataset) -> pd.DataFrame:
    """Policies (``n``) and annual premium (``premium``, missing as 0) by issue year and month
    (``issue_year``, ``issue_mon``) × exit year and month (``exit_year``, ``exit_mon``: null
    while in force at as-of, i.e. exit status ``in_force`` in :func:`rules.policy_view`; the
    exit is the end date otherwise). Policies without an issue date are left out."""
    return cohort_counts_by(book, ds, None)


def cohort_counts_by(book: EngineBook, ds: Dataset, by: str | None) -> pd.DataFrame:
    """:func:`cohort_counts` with the policy-view column ``by`` (a policy column, or a member
    column through the members join) among the keys: its missing values are a null group.
    An unknown column is an :class:`AnalysisError` naming it and the view's columns."""
    keys = [] if by is None else [by]
    v = policy_view(book, ds, keys)
    _check_columns(v.columns, keys)
    v = v.filter(v.issue_date.notnull())
    terminated = v.exit_status != "in_force"
    if "end_date" in v.columns:
        exit_year = ibis.ifelse(terminated, v.end_date.year(), ibis.null("int32"))
        exit_mon = ibis.ifelse(terminated, v.end_date.month(), ibis.null("int32"))
    else:
        exit_year = exit_mon = ibis.null("int32")
    premium = v.annual_premium.fill_null(0.0) if "annual_premium" in v.columns \
        else ibis.literal(0.0)
    g = v.mutate(issue_year=v.issue_date.year(), issue_mon=v.issue_date.month(),
                 exit_year=exit_year, exit_mon=exit_mon, _premium=premium)
    # (by = issue_year: one key, the same values)
    group = list(dict.fromkeys([*keys, "issue_year", "issue_mon", "exit_year", "exit_mon"]))
    expr = g.group_by(group).aggregate(
        **{COUNT_COLUMN: g.count(), "premium": g._premium.sum()})
    frame = to_frame(book.run(expr))
    for col in ("issue_year", "issue_mon", COUNT_COLUMN):
        frame[col] = frame[col].astype(np.int64)
    for col in ("exit_year", "exit_mon"):
        frame[col] = frame[col].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    frame["premium"] = frame["premium"].astype(float)
    return frame


# ---- experience study: exposures by policy year ------------------------------------------------

def _leap(y: ir.IntegerValue) -> ir.BooleanValue:
    return ((y % 4) == 0) & (((y % 100) != 0) | ((y % 400) == 0))


def _policy_year(issue: ir.DateValue, last: ir.DateValue
                 ) -> tuple[ir.IntegerValue, ir.IntegerValue, ir.IntegerValue]:
    """(k, d_obs, d_year) of :func:`policy_year_counts` for a policy issued on ``issue`` whose
    last observed day is ``last`` (on or after the issue)."""
    iy, im, iday = issue.year(), issue.month(), issue.day()
    ly, lm, ld = last.year(), last.month(), last.day()

    def day_in(y: ir.IntegerValue) -> ir.IntegerValue:  # the anniversary's day in year y
        return ibis.ifelse((im == 2) & (iday == 29) & ~_leap(y), 28, iday)

    k = (ly - iy) - ibis.ifelse(lm < im, 1, 0) - ibis.ifelse((lm == im) & (ld < day_in(ly)), 1, 0)
    y0 = iy + k
    start = ibis.date(y0, im, day_in(y0))
    nxt = ibis.date(y0 + 1, im, day_in(y0 + 1))
    return k, last.delta(start, unit="day") + 1, nxt.delta(start, unit="day")


def policy_year_counts(book: EngineBook, ds: Dataset, keys: Sequence[str],
                       target: Sequence[str]) -> pd.DataFrame:
    """Policies (``n``) by ``keys`` × the policy year of their last observed day (``k``,
    0-based) × days observed in it (``d_obs``) × days in it (``d_year``) × ``is_target`` —
    what the exposure records of a policy-year experience study
    (:mod:`memberdesk.analysis.experience_exposure`) are made of.

    Studied policies: issued before as-of. The last observed day is the exit (end date, when
    terminated per :func:`rules.is_terminated`) or as-of, at least the issue date. Policy year
    k runs from ``issue %m+% 12k`` to the day before ``issue %m+% 12(k+1)`` (a 29 February
    issue's anniversary is 28 February in common years); ``is_target``: terminated with a
    status in ``target``."""
    v = policy_view(book, ds, keys)
    _check_columns(v.columns, keys)
    as_of = ds.as_of.date()
    cut = ibis.literal(as_of)
    v = v.filter(v.issue_date.notnull() & (v.issue_date < cut))
    end = rules.end_date(v)
    terminated = rules.is_terminated(end, as_of)
    stop = ibis.ifelse(terminated, end, cut)
    k, d_obs, d_year = _policy_year(v.issue_date, ibis.ifelse(stop < v.issue_date, v.issue_date, stop))
    t = v.mutate(k=k, d_obs=d_obs, d_year=d_year,
                 is_target=(terminated & v.exit_status.isin(list(target))).fill_null(False))
    group = [*dict.fromkeys(keys), "k", "d_obs", "d_year", "is_target"]
    expr = t.group_by(group).aggregate(**{COUNT_COLUMN: t.count()})
    frame = to_frame(book.run(expr))
    for col in ("k", "d_obs", "d_year", COUNT_COLUMN):
        frame[col] = frame[col].astype(np.int64)
    frame["is_target"] = frame["is_target"].fillna(False).astype(bool)
    return frame
