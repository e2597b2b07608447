"""The cockpit KPIs' aggregate questions pushed down to the engine (issue #13).

:func:`memberdesk.analysis.kpis.compute_kpis` evaluates every KPI at a list of cut-off dates
``t_j`` (and trailing windows ``(s_j, t_j]``). On an engine book each KPI is computed from the
``GROUP BY`` answers below instead of the accepted rows; only counts and sums leave the engine.
The policy rows are those of :func:`rules.policy_view` (as-of window, exit status, duration,
event, filters), read through :func:`aggregates.policy_view` (no members join when unused).

Conventions
-----------
* The cut-off and window boundaries are passed as ``bounds``: sorted distinct dates
  ``b_0 < … < b_{m-1}``. A date ``x`` is summarised by its *bucket* ``k(x)`` = the number of
  boundaries before it (``b_i < x``), so ``x ≤ b_i`` ⇔ ``k(x) ≤ i`` and ``x > b_i`` ⇔
  ``k(x) > i``: every comparison of the KPIs with a boundary is a comparison of buckets.
* The exit date of a policy is its end date when terminated at as-of (exit status not
  ``in_force``), else missing; a missing exit has no bucket (null).
* Counts (``n``) are exact integers; day sums are integers; premium sums are floats (missing
  premiums as 0, as the file path's ``nan_to_num``).
* Dates come back as ``datetime64[ns]`` (NaT when missing), as in the validated frames.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from memberdesk.core import schema
from memberdesk.core.book import COUNT_COLUMN
from memberdesk.core.dataset import Dataset
from memberdesk.core.engine import rules
from memberdesk.core.engine.aggregates import policy_view, to_frame

if TYPE_CHECKING:
    from memberdesk.core.engine.book import EngineBook

_EPOCH = dt.date(1970, 1, 1)
MAX_CUTOFFS = 62  # cut-offs packed as bits of a BIGINT mask (per member)


def day_to_date(day: float) -> dt.date:
    """Days since 1970-01-01 (a whole number) as a date."""
    return _EPOCH + dt.timedelta(days=int(day))


def _bucket(x: ir.DateValue, bounds: Sequence[dt.date],
            null_when: ir.BooleanValue | None = None) -> ir.IntegerValue:
    """``k(x)``: the number of ``bounds`` (sorted) before ``x``; null when ``null_when`` holds
    (default: when ``x`` is null)."""
    cases = [(x <= ibis.literal(b), ibis.literal(i, type="int16")) for i, b in enumerate(bounds)]
    return ibis.cases((x.isnull() if null_when is None else null_when, ibis.null("int16")),
                      *cases, else_=ibis.literal(len(bounds), type="int16"))


def _exit_bucket(v: ir.Table, bounds: Sequence[dt.date], as_of: dt.date) -> ir.IntegerValue:
    """:func:`_bucket` of the exit date: null while in force at as-of (exit status
    ``in_force``: not :func:`rules.is_terminated`), else the bucket of the end date (a
    terminated policy's exit). Termination is read from the end date, not from the view's
    exit status (a CASE over texts an engine may evaluate for every comparison)."""
    return _bucket(rules.end_date(v), bounds, ~_terminated(v, as_of))


def _terminated(v: ir.Table, as_of: dt.date) -> ir.BooleanValue:
    """:func:`rules.is_terminated` of the view's end date (exit status not ``in_force``)."""
    return rules.is_terminated(rules.end_date(v), as_of)


def _dates(frame: pd.DataFrame, column: str) -> None:
    frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")


def policy_issue_counts(book: EngineBook, ds: Dataset, bounds: Sequence[dt.date]) -> pd.DataFrame:
    """Policies of the view by ``issue_date`` × ``k_exit`` (bucket of the exit date, NaN when
    not terminated at as-of) × ``event`` (0/1): ``n`` policies, ``premium`` (sum of annual
    premium, missing as 0; 0 without the column), ``premium_n`` (non-missing premiums) and
    ``duration`` (sum of ``duration_days``, the whole days from issue to exit for terminated
    policies; the groups with a ``k_exit`` hold terminated policies only).

    What in force, new business, premium, voluntary exits and central exposure at every
    cut-off are made of (the issue day is kept whole: the exposure and the median lifetime
    need ``t − issue``)."""
    v = policy_view(book, ds)
    has_premium = "annual_premium" in v.columns
    premium = v.annual_premium.fill_null(0.0) if has_premium else ibis.literal(0.0)
    counted = ibis.ifelse(v.annual_premium.notnull(), 1, 0) if has_premium else ibis.literal(0)
    g = v.mutate(k_exit=_exit_bucket(v, bounds, ds.as_of.date()), _premium=premium, _premium_n=counted,
                 _duration=ibis.ifelse(_terminated(v, ds.as_of.date()), v.duration_days, 0))
    expr = g.group_by(["issue_date", "k_exit", "event"]).aggregate(
        **{COUNT_COLUMN: g.count(), "premium": g._premium.sum(), "premium_n": g._premium_n.sum(),
           "duration": g._duration.sum()})
    frame = to_frame(book.run(expr))
    _dates(frame, "issue_date")
    frame["k_exit"] = frame["k_exit"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    for col in ("event", COUNT_COLUMN, "premium_n", "duration"):
        frame[col] = frame[col].fillna(0).astype(np.int64)
    frame["premium"] = frame["premium"].fillna(0.0).astype(float)
    return frame


def exit_duration_counts(book: EngineBook, ds: Dataset, bounds: Sequence[dt.date]) -> pd.DataFrame:
    """Terminated policies of the view by ``k_exit`` (bucket of the exit date) ×
    ``duration_days`` (issue to exit, whole days) × ``event``: ``n`` — the uncensored part of
    the Kaplan-Meier lifetimes at every cut-off on or after the exit."""
    v = policy_view(book, ds)
    v = v.filter(_terminated(v, ds.as_of.date()))
    g = v.mutate(k_exit=_exit_bucket(v, bounds, ds.as_of.date()))
    expr = g.group_by(["k_exit", "duration_days", "event"]).aggregate(**{COUNT_COLUMN: g.count()})
    frame = to_frame(book.run(expr))
    for col in ("k_exit", "duration_days", "event", COUNT_COLUMN):
        frame[col] = frame[col].astype(np.int64)
    return frame


def _mask(conditions: Sequence[ir.BooleanValue]) -> ir.IntegerValue:
    """``Σ_j 2^j · [conditions[j]]`` as a BIGINT."""
    total: ir.IntegerValue = ibis.literal(0, type="int64")
    for j, cond in enumerate(conditions):
        total = total + ibis.ifelse(cond.fill_null(False), ibis.literal(1 << j, type="int64"),
                                    ibis.literal(0, type="int64"))
    return total


@ibis.udf.agg.builtin(name="bit_or")  # type: ignore[untyped-decorator]
def _bit_or(arg: int) -> int:  # type: ignore[empty-body]
    """The bitwise OR of a BIGINT column (``BIT_OR`` in DuckDB, PostgreSQL and Spark; Ibis
    has no Spark rule for its own ``bit_or``)."""


def _pow2(k: ir.IntegerValue, m: int) -> ir.IntegerValue:
    """``2^k`` for ``k`` in 0..m (a CASE over the small integers: portable, no shift)."""
    return k.cases(*((i, ibis.literal(1 << i, type="int64")) for i in range(m + 1)),
                   else_=ibis.literal(0, type="int64"))


def member_counts(book: EngineBook, ds: Dataset, starts: Sequence[dt.date],
                  ends: Sequence[dt.date], usage: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Members (distinct non-missing ``member_id``) with a policy of the view in force at each
    ``ends[j]`` (issued on or before it, exit missing or after it), and — with ``usage`` — how
    many of them have a benefit use (in-window ``benefit_usage`` row of theirs) dated in
    ``(starts[j], ends[j]]``.

    One pass per table: each policy gets the bit mask of the cut-offs at which it is in force,
    each use the mask of the windows holding it; ``BIT_OR`` per member gives the member's masks
    (the member is in force at ``t_j`` when any of their policies is), and one more aggregate
    counts the members with bit j set. Returns (members, users or None) as int arrays."""
    if len(ends) > MAX_CUTOFFS:
        raise ValueError(f"at most {MAX_CUTOFFS} cut-offs")
    if list(ends) != sorted(set(ends)):
        raise ValueError("the cut-offs must be distinct and sorted")
    v = policy_view(book, ds)
    # in force at ends[j] <=> first <= j < last, with first = the cut-offs before the issue
    # date and last = those before the exit date (all when there is none): bits first..last-1
    first = _bucket(v.issue_date, ends)
    last = _exit_bucket(v, ends, ds.as_of.date()).fill_null(len(ends))
    # no filter before the grouping: an engine inlines a filter on computed columns and then
    # computes the buckets and the cleaned member id twice (the filter's and the key's); a
    # policy in force at no cut-off (or without issue date) adds 0 to its member's mask, and
    # members without bits or id are not counted below
    p = v.mutate(_first=first, _last=last)
    p = p.mutate(_mask=ibis.ifelse(p._last > p._first,
                                   _pow2(p._last, len(ends)) - _pow2(p._first, len(ends)),
                                   ibis.literal(0, type="int64")))
    members = p.group_by(_mid=p.member_id).aggregate(_in=_bit_or(p._mask))
    used: ir.IntegerValue | None = None
    if usage:
        u = rules.in_window(schema.BENEFIT_USAGE, _accepted(book, schema.BENEFIT_USAGE),
                            ds.as_of.date())
        day = u.used_at
        windows = [(day > ibis.literal(s)) & (day <= ibis.literal(t)) for s, t in zip(starts, ends)]
        u = u.filter(u.member_id.notnull()).mutate(_mask=_mask(windows))
        u = u.filter(u._mask != 0)
        uses = u.group_by(_uid=u.member_id).aggregate(_used=_bit_or(u._mask))
        members = members.left_join(uses, members._mid == uses._uid)
        used = members._in & members._used.fill_null(0)
    aggs: dict[str, ir.Value] = {}
    for j in range(len(ends)):
        bit = ibis.literal(1 << j, type="int64")
        aggs[f"m{j}"] = members.count(where=members._mid.notnull() & ((members._in & bit) != 0))
        if used is not None:
            aggs[f"u{j}"] = members.count(where=members._mid.notnull() & ((used & bit) != 0))
    row = book.run(members.aggregate(**aggs)).to_pylist()[0]
    counts = np.array([int(row[f"m{j}"] or 0) for j in range(len(ends))], dtype=np.int64)
    users = None if used is None else \
        np.array([int(row[f"u{j}"] or 0) for j in range(len(ends))], dtype=np.int64)
    return counts, users


def _accepted(book: EngineBook, table: str) -> ir.Table:
    t = book.accepted(table)
    if t is None:
        raise KeyError(table)
    return t


def member_scope(book: EngineBook, ds: Dataset) -> ir.Table | None:
    """The member ids (column ``_scope_id``, distinct) the member tables are restricted to
    under the active filters, as :meth:`Dataset._member_scope`: the in-window members passing
    the region/tier filters, intersected with (or, without a member filter, replaced by) the
    members of the filtered policies when a policy filter is active. None: no restriction."""
    f = ds.filters
    if not f.active:
        return None
    ids: ir.Table | None = None
    members = book.accepted(schema.MEMBERS)
    if (f.region or f.tier) and members is not None:
        m = rules.in_window(schema.MEMBERS, members, ds.as_of.date())
        for name in ("region", "tier"):
            values = getattr(f, name)
            if values and name in m.columns:
                m = m.filter(m[name].cast("string").isin(list(values)))
        ids = m.select(_scope_id=m.member_id)
    policy_filter = bool(f.product or f.channel or f.issue_from is not None or f.issue_to is not None)
    if policy_filter or ids is None:
        v = policy_view(book, ds, ("member_id",)) if book.accepted(schema.POLICIES) is not None \
            else None
        if v is not None and "member_id" in v.columns:
            pol = v.filter(v.member_id.notnull()).select(_scope_id=v.member_id).distinct()
            ids = pol if ids is None else ids.semi_join(pol, ids._scope_id == pol._scope_id)
    return None if ids is None else ids.distinct()


def member_table(book: EngineBook, ds: Dataset, table: str) -> ir.Table | None:
    """The in-window rows of a member table (``benefit_usage``, ``service_contacts``,
    ``claims``) restricted to :func:`member_scope` when the table has member ids."""
    t = book.accepted(table)
    if t is None:
        return None
    t = rules.in_window(table, t, ds.as_of.date())
    scope = member_scope(book, ds)
    if scope is not None and "member_id" in t.columns:
        t = t.semi_join(scope, t.member_id == scope._scope_id)
    return t


def contact_day_sums(book: EngineBook, ds: Dataset, satisfied_at: float) -> pd.DataFrame | None:
    """The in-window, member-scoped service contacts by ``started_at`` (NaT: undated) with
    the sums of the per-contact flags of :func:`memberdesk.analysis.service.flag_arrays`
    (same names: ``contacts``, ``bot_contacts``, ``bot_not_transferred``, ``human_queue``,
    ``connected``, ``resolved_known``, ``resolved``, ``rated``, ``satisfied``; a missing
    yes/no counts as no, an absent column as all no). ``satisfied_at``: the CSAT threshold.
    None without a service contacts table."""
    t = member_table(book, ds, schema.SERVICE_CONTACTS)
    if t is None:
        return None
    flags = contact_flag_exprs(t, satisfied_at)
    day = t.started_at if "started_at" in t.columns else ibis.null("date")
    g = t.mutate(_day=day, **{f"_{k}": ibis.ifelse(f, 1, 0) for k, f in flags.items()})
    expr = g.group_by("_day").aggregate(**{k: g[f"_{k}"].sum() for k in flags})
    frame = to_frame(book.run(expr)).rename(columns={"_day": "day"})
    _dates(frame, "day")
    for k in flags:
        frame[k] = frame[k].fillna(0).astype(np.int64)
    return frame


def contact_flag_exprs(t: ir.Table, satisfied_at: float) -> dict[str, ir.BooleanValue]:
    """The per-contact flags of :func:`memberdesk.analysis.service.flag_arrays` as Ibis
    expressions over a service contacts table ``t`` (same names; a missing yes/no counts as
    no, an absent column as all no). ``satisfied_at``: the CSAT threshold."""
    cols = t.columns
    no = ibis.literal(False)

    def flag(name: str) -> ir.BooleanValue:
        return t[name].fill_null(False) if name in cols else no

    handled = t.handled_by if "handled_by" in cols else ibis.null("string")
    is_bot = (handled == "bot").fill_null(False)
    is_human = (handled == "human").fill_null(False)
    transferred = flag("transferred_to_human")
    queue = is_human | transferred
    known = t.resolved.notnull() if "resolved" in cols else no
    sat = t.satisfaction.cast("float64") if "satisfaction" in cols else ibis.null("float64")
    rated = sat.notnull() & ~sat.isnan() if "satisfaction" in cols else no
    flags: dict[str, ir.BooleanValue] = {
        "contacts": ibis.literal(True), "bot_contacts": is_bot,
        "bot_not_transferred": is_bot & ~transferred, "human_queue": queue,
        "connected": queue & flag("connected"), "resolved_known": known,
        "resolved": known & flag("resolved"), "rated": rated,
        "satisfied": rated & (sat >= satisfied_at).fill_null(False),
    }
    return flags


def _contacts_by(book: EngineBook, ds: Dataset, by: str | None, member_column: bool
                 ) -> ir.Table | None:
    """:func:`member_table` of the service contacts with ``_seg``: the contact's ``by`` (a
    contacts column, or with ``member_column`` its member's ``by`` among ``Dataset.members`` —
    in-window members passing the region/tier filters — null when anonymous or unknown).
    ``by`` None: the contacts without ``_seg`` (the whole book)."""
    t = member_table(book, ds, schema.SERVICE_CONTACTS)
    if t is None or by is None:
        return t
    if not member_column:
        return t.mutate(_seg=t[by])
    members = book.accepted(schema.MEMBERS)
    assert members is not None
    m = rules.in_window(schema.MEMBERS, members, ds.as_of.date())
    for name in ("region", "tier"):
        values = getattr(ds.filters, name)
        if values and name in m.columns:
            m = m.filter(m[name].cast("string").isin(list(values)))
    m = m.select(_mid=m.member_id, _seg=m[by])  # member ids are unique once accepted
    return t.left_join(m, t.member_id == m._mid).drop("_mid")


def contact_levels(book: EngineBook, ds: Dataset, by: str, member_column: bool) -> int:
    """The number of groups ``service --by`` would make: distinct ``by`` values of the
    contacts (:func:`_contacts_by`), plus one when some contact has none. One scan."""
    t = _contacts_by(book, ds, by, member_column)
    if t is None:
        return 0
    row = book.run(t.aggregate(levels=t._seg.nunique(),
                               empty=ibis.ifelse(t._seg.isnull(), 1, 0).sum())).to_pylist()[0]
    return int(row["levels"] or 0) + (1 if (row["empty"] or 0) > 0 else 0)


def contact_segment_sums(book: EngineBook, ds: Dataset, satisfied_at: float, by: str | None,
                         member_column: bool, window_start: dt.date) -> dict[str, pd.DataFrame] | None:
    """The service contacts' answers for ``service [--by]`` (:func:`_contacts_by`), each keyed
    by ``_seg`` (null: no value; absent when ``by`` is None: the whole book), ``_y``/``_m``
    (year and month of ``started_at``; null: undated) and, for the first two, ``_w`` (dated
    after ``window_start``: in the trailing window):

    * ``sums``: the flag sums of :func:`contact_flag_exprs` (``contacts``, …, ``satisfied``);
    * ``waits``: human-queue contacts with a ``wait_seconds`` by that value: ``n``;
    * ``channel``, ``topic``: contacts by that column (null kept): ``n``.

    A frame whose column the table lacks is absent. None without a service contacts table."""
    t = _contacts_by(book, ds, by, member_column)
    if t is None:
        return None
    cols = t.columns
    flags = contact_flag_exprs(t, satisfied_at)
    day = t.started_at if "started_at" in cols else ibis.null("date")
    t = t.mutate(_y=day.year(), _m=day.month(),
                 _w=(day > ibis.literal(window_start)).fill_null(False),
                 _queue=flags["human_queue"])
    seg = [] if by is None else ["_seg"]
    keys = [*seg, "_y", "_m", "_w"]
    g = t.mutate(**{f"_{k}": ibis.ifelse(f, 1, 0) for k, f in flags.items()})
    out = {"sums": g.group_by(keys).aggregate(**{k: g[f"_{k}"].sum() for k in flags})}
    if "wait_seconds" in cols:
        w = t.filter(t._queue & t.wait_seconds.notnull() & ~t.wait_seconds.isnan())
        out["waits"] = w.group_by([*keys, "wait_seconds"]).aggregate(n=w.count())
    for col in ("channel", "topic"):
        if col in cols:
            out[col] = t.group_by([*seg, "_y", "_m", col]).aggregate(n=t.count())
    frames = {}
    for name, expr in out.items():
        frame = to_frame(book.run(expr))
        for k in ("_y", "_m"):
            frame[k] = pd.to_numeric(frame[k]).astype("Float64").astype(float)
        frames[name] = frame
    return frames


def claims_view(book: EngineBook, ds: Dataset, by: str | None = None) -> ir.Table | None:
    """The rows of :attr:`Dataset.claims` (``settled_at`` not yet blanked after as-of): the
    in-window, member-scoped claims and, under active filters, those without a policy id or on
    a policy of the filtered view. With ``by`` (a column of the policy view) each claim also
    gets ``_seg``: its policy's ``by`` (null without a policy id or when the policy is not in
    the view). None without a claims table."""
    t = member_table(book, ds, schema.CLAIMS)
    if t is None:
        return None
    scoped = ds.filters.active and "policy_id" in t.columns \
        and book.accepted(schema.POLICIES) is not None
    if not scoped and by is None:
        return t
    v = policy_view(book, ds, ("policy_id",) if by is None else ("policy_id", by))
    ids = (v.select(_pid=v.policy_id) if by is None
           else v.select(_pid=v.policy_id, _seg=v[by])).distinct()  # policy ids are unique
    t = t.left_join(ids, t.policy_id == ids._pid)
    if scoped:
        t = t.filter(t.policy_id.isnull() | t._pid.notnull())
    return t.drop("_pid")


def claim_settlement_counts(book: EngineBook, ds: Dataset, by: str | None) -> pd.DataFrame | None:
    """The claims of :func:`claims_view` (its ``_seg`` with ``by``) by ``_seg`` × ``days`` ×
    ``settled``, what :func:`memberdesk.analysis.claims.claim_settlement` is made of.

    ``settled`` (0/1): a ``settled_at`` on or before as-of; ``days``: whole days from
    ``reported_at`` to the settlement, or to as-of when open (null without a report date;
    negative when settled before reported). Per group: ``n`` claims, ``paid`` (``status`` is
    ``paid``; 0 without the column), ``both`` (claims with both amounts), ``claimed`` and
    ``paid_amount`` (sums of ``amount_claimed`` and ``amount_paid`` over those claims; 0.0
    without the columns). None without a claims table."""
    t = claims_view(book, ds, by)
    if t is None:
        return None
    cols = t.columns
    cut = ibis.literal(ds.as_of.date())
    settled_at = t.settled_at if "settled_at" in cols else ibis.null("date")
    settled = (settled_at <= cut).fill_null(False)
    reported = t.reported_at if "reported_at" in cols else ibis.null("date")
    days = ibis.ifelse(settled, settled_at, cut).delta(reported, unit="day")
    zero = ibis.literal(0.0)
    if {"amount_claimed", "amount_paid"} <= set(cols):
        claimed, paid = t.amount_claimed.cast("float64"), t.amount_paid.cast("float64")
        both = (claimed.notnull() & ~claimed.isnan() & paid.notnull() & ~paid.isnan()) \
            .fill_null(False)
    else:
        claimed = paid = zero
        both = ibis.literal(False)
    g = t.mutate(days=days, settled=ibis.ifelse(settled, 1, 0),
                 _paid=ibis.ifelse((t.status == "paid").fill_null(False), 1, 0)
                 if "status" in cols else ibis.literal(0),
                 _both=ibis.ifelse(both, 1, 0), _claimed=ibis.ifelse(both, claimed, zero),
                 _paid_amount=ibis.ifelse(both, paid, zero))
    keys = ([] if by is None else ["_seg"]) + ["days", "settled"]
    expr = g.group_by(keys).aggregate(**{COUNT_COLUMN: g.count(), "paid": g._paid.sum(),
                                         "both": g._both.sum(), "claimed": g._claimed.sum(),
                                         "paid_amount": g._paid_amount.sum()})
    frame = to_frame(book.run(expr))
    frame["days"] = pd.to_numeric(frame["days"]).astype("Float64").to_numpy(dtype=float,
                                                                             na_value=np.nan)
    for col in ("settled", COUNT_COLUMN, "paid", "both"):
        frame[col] = frame[col].fillna(0).astype(np.int64)
    for col in ("claimed", "paid_amount"):
        frame[col] = frame[col].fillna(0.0).astype(float)
    if by is not None and t._seg.type().is_integer():  # as the validated frames hold them
        frame["_seg"] = frame["_seg"].astype("Int64")
    return frame


def claim_date_counts(book: EngineBook, ds: Dataset, after: dt.date, until: dt.date
                      ) -> pd.DataFrame | None:
    """Claims of :attr:`Dataset.claims` reported in ``(after, until]`` by ``reported_at`` ×
    ``settled_at`` (NaT when not settled by as-of: a settlement after as-of is blanked):
    ``n``. The claims are in-window, member-scoped and, under active filters, those without a
    policy id or on a policy of the filtered view. None without a claims table."""
    t = claims_view(book, ds)
    if t is None:
        return None
    cut = ibis.literal(ds.as_of.date())
    t = t.filter((t.reported_at > ibis.literal(after)) & (t.reported_at <= ibis.literal(until)))
    settled = ibis.ifelse(t.settled_at > cut, ibis.null("date"), t.settled_at)
    g = t.mutate(_settled=settled)
    expr = g.group_by(["reported_at", "_settled"]).aggregate(**{COUNT_COLUMN: g.count()})
    frame = to_frame(book.run(expr)).rename(columns={"_settled": "settled_at"})
    _dates(frame, "reported_at")
    _dates(frame, "settled_at")
    frame[COUNT_COLUMN] = frame[COUNT_COLUMN].astype(np.int64)
    return frame


def columns(book: EngineBook, ds: Dataset, table: str) -> list[str] | None:
    """The columns of a table's analysis view (the policy view for policies), None when the
    book has no such table. No query is run."""
    if table == schema.POLICIES:
        return None if book.accepted(table) is None else list(book.policies(ds).columns)
    t = book.accepted(table)
    return None if t is None else list(t.columns)


def row_count(book: EngineBook, ds: Dataset, table: str) -> int:
    """Rows of a member table's analysis view (in-window, member-scoped)."""
    t = member_table(book, ds, table)
    return 0 if t is None else int(book.run(t.aggregate(n=t.count())).to_pylist()[0]["n"])


# ---- benefit usage (memberdesk benefits, the Benefits page and sheet) ------------------------

def _usage_cost(t: ir.Table) -> ir.FloatingValue:
    """A benefit use's ``cost`` as a float, null when missing (or NaN; null without the
    column): SUM and COUNT skip it, as the file path's sums skip NaN costs."""
    if "cost" not in t.columns:
        return ibis.null("float64")
    c = t.cost.cast("float64")
    return ibis.ifelse(c.isnan().fill_null(False), ibis.null("float64"), c)


def benefit_usage_counts(book: EngineBook, ds: Dataset, window_start: dt.date
                         ) -> dict[str, pd.DataFrame] | None:
    """The benefit uses of :attr:`Dataset.benefit_usage` (in-window, member-scoped: see
    :func:`member_table`) counted for :func:`memberdesk.analysis.benefits.benefit_usage`:

    * ``monthly``: by ``_y``/``_m`` (year and month of ``used_at``; null: undated) × ``_b``;
    * ``window``: the uses dated after ``window_start`` (and on or before as-of) by ``_b``.

    ``_b`` is the benefit as text, ``"(missing)"`` when missing and ``"(all)"`` without the
    column (the file path's names). Per group: ``n`` uses, ``users`` (distinct non-missing
    member ids: ``COUNT(DISTINCT)``), ``cost`` (sum of the non-missing costs) and ``costed``
    (how many there are). None without a benefit usage table."""
    t = member_table(book, ds, schema.BENEFIT_USAGE)
    if t is None:
        return None
    benefit = t.benefit.cast("string").fill_null("(missing)") if "benefit" in t.columns \
        else ibis.literal("(all)")
    g = t.mutate(_b=benefit, _cost=_usage_cost(t), _y=t.used_at.year(), _m=t.used_at.month())
    aggs = {COUNT_COLUMN: g.count(), "users": g.member_id.nunique(), "cost": g._cost.sum(),
            "costed": g._cost.count()}
    w = g.filter(g.used_at > ibis.literal(window_start))
    w_aggs = {COUNT_COLUMN: w.count(), "users": w.member_id.nunique(), "cost": w._cost.sum(),
              "costed": w._cost.count()}
    frames = {"monthly": to_frame(book.run(g.group_by(["_y", "_m", "_b"]).aggregate(**aggs))),
              "window": to_frame(book.run(w.group_by("_b").aggregate(**w_aggs)))}
    for frame in frames.values():
        for col in (COUNT_COLUMN, "users", "costed"):
            frame[col] = frame[col].fillna(0).astype(np.int64)
        frame["cost"] = pd.to_numeric(frame["cost"]).astype(float)
    for k in ("_y", "_m"):
        frames["monthly"][k] = pd.to_numeric(frames["monthly"][k]).astype("Float64") \
            .to_numpy(dtype=float, na_value=np.nan)
    return frames


def benefit_segment_counts(book: EngineBook, ds: Dataset, window_start: dt.date,
                           by: str | None = None, member_column: bool = False) -> pd.DataFrame:
    """In-force members at as-of and their benefit uses in ``(window_start, as_of]``, per
    segment, for :func:`memberdesk.analysis.benefits.benefit_usage`.

    The in-force members are the distinct non-missing ``member_id`` of the policy view's
    policies issued on or before as-of and not terminated at it. With ``by`` each gets
    ``_seg``: with ``member_column`` their ``by`` among :attr:`Dataset.members` (in-window
    members passing the region/tier filters; members without one are left out), else the
    ``by`` of each of their in-force policies (a member under every level they hold, null
    kept; a level whose in-force policies have no member id has 0 members). Each (member,
    segment) pair is joined to the member's uses in the window (:func:`member_table`,
    grouped by member in the engine) and the pairs are counted per
    ``_seg``: ``members``, ``users`` (members with a use), ``uses``, ``cost`` (sum of the
    non-missing costs) and ``costed`` (their number). One row without ``by``."""
    as_of = ds.as_of.date()
    v = policy_view(book, ds, ("member_id",) if by is None or member_column else ("member_id", by))
    live = v.filter((v.issue_date <= ibis.literal(as_of)) & ~_terminated(v, as_of))
    if by is None:
        pairs = live.filter(live.member_id.notnull()).select(_mid=live.member_id).distinct()
    elif member_column:
        members = _accepted(book, schema.MEMBERS)
        m = rules.in_window(schema.MEMBERS, members, as_of)
        for name in ("region", "tier"):
            values = getattr(ds.filters, name)
            if values and name in m.columns:
                m = m.filter(m[name].cast("string").isin(list(values)))
        m = m.filter(m[by].notnull()).select(_attr_id=m.member_id, _seg=m[by])
        ids = live.filter(live.member_id.notnull()).select(_mid=live.member_id).distinct()
        pairs = ids.inner_join(m, ids._mid == m._attr_id).select("_mid", "_seg")
    else:  # every level of an in-force policy, even one whose policies have no member id
        pairs = live.select(_mid=live.member_id, _seg=live[by]).distinct()
    u = member_table(book, ds, schema.BENEFIT_USAGE)
    if u is None:
        raise KeyError(schema.BENEFIT_USAGE)
    u = u.filter(u.member_id.notnull() & (u.used_at > ibis.literal(window_start)))
    u = u.mutate(_cost=_usage_cost(u))
    per_member = u.group_by(_uid=u.member_id).aggregate(_uses=u.count(), _cost=u._cost.sum(),
                                                       _costed=u._cost.count())
    j = pairs.left_join(per_member, pairs._mid == per_member._uid)
    aggs = {"members": j.count(where=j._mid.notnull()), "users": j.count(where=j._uid.notnull()),
            "uses": j._uses.sum(), "cost": j._cost.sum(), "costed": j._costed.sum()}
    expr = j.aggregate(**aggs) if by is None else j.group_by("_seg").aggregate(**aggs)
    frame = to_frame(book.run(expr))
    for col in ("members", "users", "uses", "costed"):
        frame[col] = pd.to_numeric(frame[col]).fillna(0).astype(np.int64)  # SUM: PG numeric
    frame["cost"] = pd.to_numeric(frame["cost"]).astype(float)
    if by is not None and not member_column and v[by].type().is_integer():
        frame["_seg"] = frame["_seg"].astype("Int64")  # as the validated frames hold them
    return frame


def benefit_retention_counts(book: EngineBook, ds: Dataset, landmark_days: float
                             ) -> pd.DataFrame | None:
    """The policies of the view by ``duration_days`` × ``event`` × ``ever`` × ``early``: ``n``,
    for :func:`memberdesk.analysis.benefits.benefit_retention`.

    ``ever`` (0/1): the policy's member has a benefit use (:func:`member_table`: in-window,
    member-scoped, dated) dated from the issue date to ``duration_days`` after it (both
    inclusive); ``early``: one dated at most ``landmark_days`` (a number of days: the whole
    days up to it count) after the issue date as well. A policy without member id or
    duration is a non-user. The uses are joined to the policies of their member in the engine
    (distinct member × day first); only the counts leave it. None without a benefit usage
    table."""
    u = member_table(book, ds, schema.BENEFIT_USAGE)
    if u is None:
        return None
    u = u.filter(u.member_id.notnull() & u.used_at.notnull()) \
        .select(_uid=u.member_id, _day=u.used_at).distinct()
    v = policy_view(book, ds, ("member_id", "policy_id"))
    p = v.select(_pid=v.policy_id, _mid=v.member_id, _issue=v.issue_date,
                 duration_days=v.duration_days, event=v.event)
    diff = u._day.delta(p._issue, unit="day")
    j = p.left_join(u, (p._mid == u._uid) & (diff >= 0) & (diff <= p.duration_days))
    last_early = ibis.literal(int(np.floor(landmark_days)), type="int64")
    early = ibis.ifelse(j._day.delta(j._issue, unit="day") <= last_early, 1, 0)
    g = j.mutate(_ever=ibis.ifelse(j._uid.notnull(), 1, 0), _early=early.fill_null(0))
    per_policy = g.group_by(["_pid", "duration_days", "event"]).aggregate(
        ever=g._ever.max(), early=g._early.max())
    expr = per_policy.group_by(["duration_days", "event", "ever", "early"]).aggregate(
        **{COUNT_COLUMN: per_policy.count()})
    frame = to_frame(book.run(expr))
    frame["duration_days"] = pd.to_numeric(frame["duration_days"]).astype("Float64") \
        .to_numpy(dtype=float, na_value=np.nan)
    for col in ("event", "ever", "early", COUNT_COLUMN):
        frame[col] = frame[col].fillna(0).astype(np.int64)
    return frame


def first_use_counts(book: EngineBook, ds: Dataset, by: str | None = None
                     ) -> tuple[str, pd.DataFrame] | None:
    """Members by ``_seg`` × ``days`` × ``used``: ``n``, for
    :func:`memberdesk.analysis.benefits.time_to_first_use`, and the start's name.

    The start is each member's ``join_date`` among :attr:`Dataset.members` (in-window members
    passing the region/tier filters) when one of them has one (``"join_date"``), else the
    earliest ``issue_date`` of their policies of the view (``"first_issue_date"``); members
    without a start are left out. ``used`` (0/1): the member has a dated use
    (:func:`member_table`); ``days``: whole days from the start to the first use, or to
    as-of when none, 0 when negative. ``_seg``: the member's ``by`` among the members (null
    when none; only with ``by``). None when no start can be had (neither a members'
    ``join_date`` nor policies with member ids and issue dates)."""
    members = book.accepted(schema.MEMBERS)
    if members is not None:  # Dataset.members: not restricted by the policy filters
        members = rules.in_window(schema.MEMBERS, members, ds.as_of.date())
        for name in ("region", "tier"):
            values = getattr(ds.filters, name)
            if values and name in members.columns:
                members = members.filter(members[name].cast("string").isin(list(values)))
    start: ir.Table | None = None
    origin = "join_date"
    if members is not None and "join_date" in members.columns:
        known = members.filter(members.join_date.notnull())
        if int(book.run(known.aggregate(n=known.count())).to_pylist()[0]["n"]) > 0:
            start = known.select(_mid=known.member_id, _start=known.join_date)
    if start is None:
        cols = columns(book, ds, schema.POLICIES)
        if cols is None or "member_id" not in cols or "issue_date" not in cols:
            return None
        v = policy_view(book, ds, ("member_id",))
        first = v.filter(v.member_id.notnull()).group_by(_mid=v.member_id) \
            .aggregate(_start=v.issue_date.min())
        start, origin = first.filter(first._start.notnull()), "first_issue_date"
    u = member_table(book, ds, schema.BENEFIT_USAGE)
    if u is None:
        raise KeyError(schema.BENEFIT_USAGE)
    uses = u.filter(u.member_id.notnull() & u.used_at.notnull()) \
        .group_by(_uid=u.member_id).aggregate(_first=u.used_at.min())
    j = start.left_join(uses, start._mid == uses._uid)
    end = ibis.coalesce(j._first, ibis.literal(ds.as_of.date()))
    days = end.delta(j._start, unit="day")
    j = j.mutate(days=ibis.ifelse(days < 0, 0, days), used=ibis.ifelse(j._first.notnull(), 1, 0))
    keys = ["days", "used"]
    if by is not None:
        assert members is not None
        attr = members.select(_aid=members.member_id, _seg=members[by])
        j = j.left_join(attr, j._mid == attr._aid)
        keys = ["_seg", *keys]
    frame = to_frame(book.run(j.group_by(keys).aggregate(**{COUNT_COLUMN: j.count()})))
    for col in ("days", "used", COUNT_COLUMN):
        frame[col] = frame[col].astype(np.int64)
    return origin, frame
