"""The monitored series of the contact, claim and benefit-usage metrics on an engine book, from
``GROUP BY`` answers (issue #13 point 1: no contact, claim, usage or policy row is pulled to the
client).

Each function returns *cells*: one row per segment value (``segment``, null when missing or
unmatched), risk class (``risk``, likewise), cohort month (``month``, months since 1970-01)
with ``n`` (units in the denominator) and ``x`` (units in the numerator) — what
:func:`memberdesk.analysis.alerts.engine._count` turns into the funnels and CUSUMs exactly as
on the rows (each cell weighs its ``n``). The units and flags are those of
:mod:`.monitored`, written in the engine:

* contacts (:func:`contact_cells`): the rows of :attr:`Dataset.service_contacts`
  (:func:`kpi_counts.member_table`), the flags of :func:`kpi_counts.contact_flag_exprs`
  (the file path's :func:`memberdesk.analysis.service.flag_arrays`), month of ``started_at``;
* claims (:func:`claim_cells`): the rows of :attr:`Dataset.claims`
  (:func:`kpi_counts.claims_view`), late when settled (on or before as-of) more than 30 days
  after the report or still open more than 30 days after it, month of ``reported_at``;
* benefit usage (:func:`usage_cells`): the members holding a policy of the view; per member
  the bit mask of the monitored months at whose end one of their policies is in force
  (``BIT_OR`` of each policy's months from its issue month up to, excluding, its exit month)
  and the mask of the months with a use; the counts of members with bit j set give ``n`` and
  ``x`` of month j.

Segments follow the order of :class:`.monitored.SegmentSource`: a column of the unit's own
table, for claims their policy's, else the member's (:attr:`Dataset.members`: in-window members
passing the region/tier filters), else the member's earliest-issued policy's (issue dates
missing last). Ties between a member's earliest policies are broken by the smallest policy id
here and by file row order on the file path: the same segment whenever the tied policies agree
(an engine has no row order).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from memberdesk.core import schema
from memberdesk.core.engine import kpi_counts, rules
from memberdesk.core.engine.aggregates import policy_view, to_frame

MAX_MONTHS = kpi_counts.MAX_CUTOFFS  # months packed as bits of a BIGINT mask (per member)


def month_of(day: ir.Value) -> ir.IntegerValue:
    """Months since 1970-01 of a date or timestamp (null when null)."""
    return ((day.year() - 1970) * 12 + day.month() - 1).cast("int64")


def table_columns(book: Any, ds: Any, table: str) -> list[str] | None:
    """Columns of a table's analysis view (no query run); None without the table."""
    return kpi_counts.columns(book, ds, table)


def _members(book: Any, ds: Any) -> ir.Table | None:
    """:attr:`Dataset.members`: in-window members passing the region/tier filters, with
    ``age`` (whole years at as-of, a float: ``floor(days / DAYS_PER_YEAR)``) derived from
    ``birth_date`` where the table has no age."""
    members = book.accepted(schema.MEMBERS)
    if members is None:
        return None
    m = rules.in_window(schema.MEMBERS, members, ds.as_of.date())
    if "birth_date" in m.columns:
        days = ibis.literal(ds.as_of.date()).delta(m.birth_date.cast("date"), unit="day")
        derived = (days.cast("float64") / schema.DAYS_PER_YEAR).floor().cast("float64")
        m = m.mutate(age=m.age.cast("float64").fill_null(derived) if "age" in m.columns
                     else derived)
    for name in ("region", "tier"):
        values = getattr(ds.filters, name)
        if values and name in m.columns:
            m = m.filter(m[name].cast("string").isin(list(values)))
    return m


def member_columns(book: Any, ds: Any) -> list[str] | None:
    """Columns of :attr:`Dataset.members` (``age`` added when derived); None without the
    table. No query is run."""
    cols = kpi_counts.columns(book, ds, schema.MEMBERS)
    if cols is None:
        return None
    return [*cols, "age"] if "birth_date" in cols and "age" not in cols else cols


def _first_policy(book: Any, ds: Any, column: str) -> ir.Table:
    """Per member id of the policy view: ``_fid`` and ``_fval`` (``column`` of the member's
    earliest-issued policy, issue dates missing last, ties by the smallest policy id)."""
    v = policy_view(book, ds, (column,))
    v = v.filter(v.member_id.notnull())
    order = [v.issue_date.isnull(), v.issue_date]
    if "policy_id" in v.columns:
        order.append(v.policy_id)
    rank = ibis.row_number().over(group_by=v.member_id, order_by=order)
    ranked = v.mutate(_rank=rank)
    ranked = ranked.filter(ranked._rank == 0)
    return ranked.select(_fid=ranked.member_id, _fval=ranked[column])


def segment_source(book: Any, ds: Any, entity: str, own: list[str], column: str) -> str | None:
    """Where ``column`` of an entity's unit comes from: ``own``, ``policies`` (a claim's
    policy), ``members`` or ``first_policy``; None when unreachable (as
    :meth:`.monitored.SegmentSource.route`)."""
    if column in own and entity != "members":
        return "own"
    if entity == "policies":
        return None
    view = kpi_counts.columns(book, ds, schema.POLICIES)
    members = member_columns(book, ds)
    if entity == "claims" and view is not None and column in view and "policy_id" in own:
        return "policies"
    has_member = entity == "members" or "member_id" in own
    if has_member and members is not None and column in members:
        return "members"
    if has_member and view is not None and column in view and "member_id" in view \
            and "issue_date" in view:
        return "first_policy"
    return None


def _attach(book: Any, ds: Any, t: ir.Table, entity: str, own: list[str], column: str | None,
            name: str) -> ir.Table | None:
    """``t`` with the column ``name``: the unit's ``column`` (null when missing or unmatched;
    a null literal when ``column`` is None). None when the column is unreachable."""
    if column is None:
        return t.mutate(**{name: ibis.null("string")})
    source = segment_source(book, ds, entity, own, column)
    if source is None:
        return None
    key = t._mid if entity == "members" else None
    if source == "own":
        return t.mutate(**{name: t[column]})
    if source == "policies":
        v = policy_view(book, ds, ("policy_id", column))
        ids = v.select(_pid=v.policy_id, _val=v[column])
        out = t.left_join(ids, t.policy_id == ids._pid)
        return out.mutate(**{name: out._val}).drop("_pid", "_val")
    if source == "members":
        m = _members(book, ds)
        assert m is not None
        ids = m.select(_pid=m.member_id, _val=m[column])
        joined = t.left_join(ids, (key if key is not None else t.member_id) == ids._pid)
        return joined.mutate(**{name: joined._val}).drop("_pid", "_val")
    first = _first_policy(book, ds, column)
    joined = t.left_join(first, (key if key is not None else t.member_id) == first._fid)
    return joined.mutate(**{name: joined._fval}).drop("_fid", "_fval")


def _cells(book: Any, t: ir.Table, grouped: bool) -> pd.DataFrame:
    """Group ``t`` (with ``_seg``, ``_risk``, ``_month``, ``_n``, ``_x`` 0/1) into cells."""
    keys = ["_seg", "_risk", "_month"] if grouped else ["_month"]
    expr = t.group_by(keys).aggregate(n=t._n.sum(), x=t._x.sum(), rows=t.count())
    frame = _answer(book, expr).rename(columns={"_seg": "segment", "_risk": "risk",
                                                     "_month": "month"})
    return _tidy(frame, grouped)


def _answer(book: Any, expr: ir.Table) -> pd.DataFrame:
    """:func:`to_frame` of a query whose segment and risk keys (``_seg``, ``_risk``) are kept
    as the engine's values (Python objects, None when null): an integer key with a null stays
    integer (2018, not 2018.0), as the file path's levels are."""
    table = book.run(expr)
    frame = to_frame(table)
    for name in ("_seg", "_risk"):
        if name in table.column_names:
            frame[name] = pd.Series(table.column(name).to_pylist(), dtype=object,
                                    index=frame.index)
    return frame


def _tidy(frame: pd.DataFrame, grouped: bool) -> pd.DataFrame:
    if not grouped:
        frame["segment"] = pd.Series([None] * len(frame), dtype=object)
        frame["risk"] = pd.Series([None] * len(frame), dtype=object)
    frame["month"] = pd.to_numeric(frame["month"]).astype("Float64").to_numpy(
        dtype=float, na_value=np.nan)
    for col in ("n", "x", "rows"):
        frame[col] = frame[col].fillna(0).astype(np.int64)
    return frame


def _segmented(book: Any, ds: Any, t: ir.Table, entity: str, own: list[str],
               column: str | None, risk: str | None) -> ir.Table | None:
    seg = _attach(book, ds, t, entity, own, column, "_seg")
    if seg is None:
        return None
    return _attach(book, ds, seg, entity, own, risk, "_risk")


CONTACT_METRICS = ("bot_transfer_rate", "human_connection_rate", "unresolved_contact_rate", "csat")


def contact_cells(book: Any, ds: Any, metric: str, satisfied_at: float, column: str | None,
                  risk: str | None, cache: dict[Any, pd.DataFrame | None] | None = None
                  ) -> pd.DataFrame | None:
    """Cells of a contact metric (:data:`CONTACT_METRICS`) by ``column`` and ``risk`` (None:
    not split); None when ``column`` is unreachable. ``rows``: contacts with a start date
    (with or without a unit in the denominator), for the "no complete month" test.

    One query answers the four metrics (``n_<metric>``, ``x_<metric>`` per cell); with a
    ``cache`` (one alerts run) it is asked once per ``column``, ``risk`` and threshold."""
    key = ("contacts", column, risk, satisfied_at)
    if cache is not None and key in cache:
        every = cache[key]
    else:
        every = _contact_cells(book, ds, satisfied_at, column, risk)
        if cache is not None:
            cache[key] = every
    if every is None:
        return None
    return every[["segment", "risk", "month", "rows"]].assign(
        n=every[f"n_{metric}"].to_numpy(), x=every[f"x_{metric}"].to_numpy())


def _contact_cells(book: Any, ds: Any, satisfied_at: float, column: str | None,
                   risk: str | None) -> pd.DataFrame | None:
    t = kpi_counts.member_table(book, ds, schema.SERVICE_CONTACTS)
    assert t is not None
    own = list(t.columns)
    f = kpi_counts.contact_flag_exprs(t, satisfied_at)
    pairs = {"bot_transfer_rate": (f["bot_contacts"] & ~f["bot_not_transferred"], f["bot_contacts"]),
             "human_connection_rate": (f["connected"], f["human_queue"]),
             "unresolved_contact_rate": (f["resolved_known"] & ~f["resolved"], f["resolved_known"]),
             "csat": (f["satisfied"], f["rated"])}
    flags: dict[str, ir.Value] = {}
    for metric, (x, n) in pairs.items():
        flags[f"_n_{metric}"] = ibis.ifelse(n, 1, 0)
        flags[f"_x_{metric}"] = ibis.ifelse(x & n, 1, 0)
    t = t.filter(t.started_at.notnull())
    t = t.mutate(_month=month_of(t.started_at), **flags)
    grouped = column is not None or risk is not None
    if grouped:
        seg = _segmented(book, ds, t, "service_contacts", own, column, risk)
        if seg is None:
            return None
        t = seg
    keys = ["_seg", "_risk", "_month"] if grouped else ["_month"]
    expr = t.group_by(keys).aggregate(rows=t.count(), **{name[1:]: t[name].sum() for name in flags})
    frame = _answer(book, expr).rename(columns={"_seg": "segment", "_risk": "risk",
                                                     "_month": "month"})
    for name in flags:
        frame[name[1:]] = frame[name[1:]].fillna(0).astype(np.int64)
    frame["n"] = frame["x"] = 0
    return _tidy(frame, grouped)


def _finish(book: Any, ds: Any, t: ir.Table, entity: str, own: list[str], column: str | None,
            risk: str | None) -> pd.DataFrame | None:
    if column is None and risk is None:
        return _cells(book, t, False)
    seg = _segmented(book, ds, t, entity, own, column, risk)
    return None if seg is None else _cells(book, seg, True)


def claim_cells(book: Any, ds: Any, as_of: dt.date, limit_days: int, column: str | None,
                risk: str | None) -> pd.DataFrame | None:
    """Cells of ``claims_settled_after_30_days`` (``limit_days`` = 30): units are the claims
    with a report date, ``x`` those settled (on or before as-of) more than ``limit_days``
    after the report, or open and reported more than ``limit_days`` before as-of."""
    t = kpi_counts.claims_view(book, ds)
    assert t is not None
    own = list(t.columns)
    cut = ibis.literal(as_of)
    settled = ibis.ifelse(t.settled_at > cut, ibis.null("date"), t.settled_at.cast("date"))
    reported = t.reported_at.cast("date")
    late = ibis.ifelse(settled.isnull(), cut.delta(reported, unit="day"),
                       settled.delta(reported, unit="day")) > limit_days
    t = t.filter(t.reported_at.notnull())
    t = t.mutate(_month=month_of(t.reported_at), _n=ibis.literal(1),
                 _x=ibis.ifelse(late.fill_null(False), 1, 0))
    return _finish(book, ds, t, "claims", own, column, risk)


def _pow2(k: ir.IntegerValue, m: int) -> ir.IntegerValue:
    return k.cases(*((i, ibis.literal(1 << i, type="int64")) for i in range(m + 1)),
                   else_=ibis.literal(0, type="int64"))


def usage_cells(book: Any, ds: Any, first: int, n_months: int, column: str | None,
                risk: str | None) -> pd.DataFrame | None:
    """Cells of ``benefit_usage_rate_monthly`` over the months ``first .. first + n_months -
    1`` (at most :data:`MAX_MONTHS`): ``n`` members with a policy in force at the month's end,
    ``x`` those of them with a use dated in the month (``rows`` = ``n``)."""
    if n_months > MAX_MONTHS:
        raise ValueError(f"at most {MAX_MONTHS} months")
    v = policy_view(book, ds)
    v = v.filter(v.member_id.notnull())
    end = rules.end_date(v)
    exit_ = ibis.ifelse(rules.is_terminated(end, ds.as_of.date()), end, ibis.null("date"))

    def position(day: ir.Value) -> ir.IntegerValue:
        pos = month_of(day) - first
        clipped = ibis.greatest(ibis.least(pos, n_months), 0)
        return ibis.ifelse(day.isnull(), ibis.literal(n_months, type="int64"),
                           clipped.cast("int64"))

    p = v.mutate(_lo=position(v.issue_date), _hi=position(exit_))
    p = p.mutate(_mask=ibis.ifelse(p._hi > p._lo, _pow2(p._hi, n_months) - _pow2(p._lo, n_months),
                                   ibis.literal(0, type="int64")))
    members = p.group_by(_mid=p.member_id).aggregate(_in=kpi_counts._bit_or(p._mask))
    u = kpi_counts.member_table(book, ds, schema.BENEFIT_USAGE)
    assert u is not None
    u = u.filter(u.member_id.notnull() & u.used_at.notnull())
    u = u.mutate(_pos=month_of(u.used_at) - first)
    u = u.filter((u._pos >= 0) & (u._pos < n_months))
    u = u.mutate(_bit=_pow2(u._pos, n_months))
    uses = u.group_by(_uid=u.member_id).aggregate(_used=kpi_counts._bit_or(u._bit))
    m = members.left_join(uses, members._mid == uses._uid).drop("_uid")
    m = m.mutate(_both=m._in & m._used.fill_null(0))
    grouped = column is not None or risk is not None
    if grouped:
        seg = _segmented(book, ds, m, "members", [], column, risk)
        if seg is None:
            return None
        m = seg
    aggs: dict[str, ir.Value] = {}
    for j in range(n_months):
        bit = ibis.literal(1 << j, type="int64")
        aggs[f"n{j}"] = m.count(where=(m._in & bit) != 0)
        aggs[f"x{j}"] = m.count(where=(m._both & bit) != 0)
    expr = m.group_by(["_seg", "_risk"]).aggregate(**aggs) if grouped else m.aggregate(**aggs)
    wide = _answer(book, expr)
    parts = []
    for j in range(n_months):
        part = pd.DataFrame({
            "segment": wide["_seg"].to_numpy(dtype=object) if grouped else [None] * len(wide),
            "risk": wide["_risk"].to_numpy(dtype=object) if grouped else [None] * len(wide),
            "month": float(first + j), "n": wide[f"n{j}"].fillna(0).to_numpy(np.int64),
            "x": wide[f"x{j}"].fillna(0).to_numpy(np.int64)})
        parts.append(part)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["segment", "risk", "month", "n", "x"])
    out["rows"] = out["n"]
    return out[out["n"] > 0].reset_index(drop=True)


def extra_columns(book: Any, ds: Any, max_levels: int) -> list[str]:
    """:func:`.monitored.extra_segment_columns` of an engine book: the non-canonical policy
    columns (in the accepted table's order) of the policy view that are neither floating
    point nor dates, with 2..``max_levels`` distinct non-missing values in the view (one
    aggregate query)."""
    accepted = book.accepted(schema.POLICIES)
    if accepted is None:
        return []
    canonical = set(schema.TABLE_SPECS[schema.POLICIES].column_names)
    v = book.policies(ds)
    candidates = []
    for col in accepted.columns:
        if col in canonical or col not in v.columns:
            continue
        typ = v[col].type()
        if typ.is_floating() or typ.is_decimal() or typ.is_temporal():
            continue
        candidates.append(col)
    if not candidates:
        return []
    row = book.run(v.aggregate(**{f"c{i}": v[c].nunique() for i, c in enumerate(candidates)})
                   ).to_pylist()[0]
    return [c for i, c in enumerate(candidates) if 2 <= int(row[f"c{i}"] or 0) <= max_levels]


def reachable(book: Any, ds: Any, column: str) -> bool:
    """A column of one of the tables the alerts read (no query run)."""
    for table in (schema.POLICIES, schema.MEMBERS, schema.SERVICE_CONTACTS, schema.CLAIMS,
                  schema.BENEFIT_USAGE):
        cols = member_columns(book, ds) if table == schema.MEMBERS \
            else kpi_counts.columns(book, ds, table)
        if cols is not None and column in cols:
            return True
    return False


def persistency_cells(book: Any, ds: Any, month: int, free_look_days: int, column: str | None,
                      risk: str | None, cache: dict[Any, Any] | None = None,
                      months: tuple[int, ...] = (13, 25)) -> pd.DataFrame:
    """:func:`_persistency_cells` of one ``month``; with a ``cache`` (one alerts run) every
    month of ``months`` comes from one query (one duration class per month), asked once per
    column, risk class and free-look days."""
    wanted = tuple(dict.fromkeys((*months, month))) if cache is not None else (month,)
    key = ("persistency", column, risk, free_look_days)
    if cache is not None and key in cache and month in cache[key]:
        return cache[key][month]  # type: ignore[no-any-return]
    frames = _persistency_cells(book, ds, wanted, free_look_days, column, risk)
    if cache is not None:
        cache[key] = frames
    return frames[month]


def _persistency_cells(book: Any, ds: Any, months: tuple[int, ...], free_look_days: int,
                       column: str | None, risk: str | None) -> dict[int, pd.DataFrame]:
    """Cells of ``persistency_13_count`` / ``_25`` (per month of ``months``: 13 / 25) by due
    month (issue month + month − 1): ``n`` policies in the cohort, ``x`` those persisting,
    ``rows`` all policies with an issue date. The groups and flags are those of the persistency
    analysis on an engine book (:func:`memberdesk.core.engine.aggregates.persistency_counts`,
    status basis): the same query with the segment and the risk class as keys, and each
    group's exclusion decided as :func:`memberdesk.analysis.persistency.exclusion_codes` does
    per policy."""
    from memberdesk.core.engine.aggregates import persistency_keys, persistency_view

    used = tuple(c for c in (column, risk) if c is not None)
    v = persistency_view(book, ds, used)
    keys: dict[str, ir.Value] = {}
    if "_paid_id" in v.columns:
        keys["paid_claim"] = v._paid_id.notnull()
    keys.update(persistency_keys(v, ds.as_of.date(), months, free_look_days))
    keys["_seg"] = v[column] if column is not None else ibis.null("string")
    keys["_risk"] = v[risk] if risk is not None else ibis.null("string")
    grouped = v.mutate(**keys)
    expr = grouped.group_by(list(keys)).aggregate(_count=grouped.count())
    answer = _answer(book, expr)
    return {month: _persistency_month(answer.drop(columns=[f"_d{m}" for m in months if m != month])
                                      .rename(columns={f"_d{month}": "_d"}), month,
                                      free_look_days) for month in months}


def _persistency_month(frame: pd.DataFrame, month: int, free_look_days: int) -> pd.DataFrame:
    """The cells of one month from the groups of :func:`_persistency_cells` (its ``_d``)."""
    from memberdesk.analysis.persistency import exclusion_reasons, is_single_premium
    from memberdesk.core.engine.aggregates import _persistency_flags

    g = _persistency_flags(frame, month, free_look_days)
    reasons = exclusion_reasons("status")
    exit_status = g["exit_status"].to_numpy(dtype=object)
    ended_by = g["ended_by"].to_numpy(dtype=bool)
    frequency = g["payment_frequency"] if "payment_frequency" in g.columns \
        else pd.Series([None] * len(g), dtype=object)
    paid_claim = g["paid_claim"].fillna(False).to_numpy(dtype=bool) if "paid_claim" in g.columns \
        else np.zeros(len(g), bool)
    tests: dict[str, np.ndarray] = {
        "single_premium": is_single_premium(frequency),
        "free_look": g["free_look"].to_numpy(dtype=bool),
        "death": ended_by & (exit_status == "death"),
        "claim": ended_by & paid_claim,
        "waived": g["waived"].to_numpy(dtype=bool) | (exit_status == "waived"),
    }
    code = np.full(len(g), -1, dtype=np.int64)
    for i, reason in enumerate(reasons):
        hit = tests[reason] if reason in tests else \
            ended_by & (exit_status == reason.removeprefix("status_"))
        code[(code < 0) & hit] = i
    count = g["_count"].to_numpy(dtype=np.int64)
    cohort = code < 0
    frame = pd.DataFrame({
        "segment": g["_seg"].to_numpy(dtype=object), "risk": g["_risk"].to_numpy(dtype=object),
        "month": ((g["issue_year"].to_numpy(np.int64) - 1970) * 12
                  + g["issue_mon"].to_numpy(np.int64) - 1 + month - 1).astype(float),
        "n": count * cohort, "x": count * (cohort & ~ended_by), "rows": count})
    return frame.groupby(["segment", "risk", "month"], dropna=False, sort=False,
                         as_index=False)[["n", "x", "rows"]].sum()


def undated_policies(book: Any, ds: Any) -> int:
    """Policies of the view without an issue date (one count)."""
    v = book.policies(ds)
    return int(book.run(v.aggregate(n=v.issue_date.isnull().sum())).to_pylist()[0]["n"] or 0)


def policies_behind(book: Any, ds: Any, column: str, segment: str, first_month: str,
                    last_month: str, limit: int, detail: tuple[str, ...],
                    missing: str) -> pd.DataFrame | None:
    """:func:`.monitored.policies_behind` of an engine book: the engine filters, sorts and
    limits, so at most ``limit`` policy rows leave it. None when ``column`` or the issue date
    is not a policy column (the caller returns its empty frame). ``missing``: the level name
    of a missing value."""
    v = book.policies(ds)
    if column not in v.columns or "issue_date" not in v.columns:
        return None
    end = rules.end_date(v)
    v = v.mutate(exit_date=ibis.ifelse(rules.is_terminated(end, ds.as_of.date()), end,
                                       ibis.null("date")))

    def index(label: str) -> int:
        year, mon = label.split("-")
        return (int(year) - 1970) * 12 + int(mon) - 1

    month = month_of(v.issue_date)
    value = v[column]
    if value.type().is_boolean():
        same = value == (segment == "True")
    else:
        same = value.cast("string") == segment
    if segment == missing:
        same = value.isnull() | same
    keep = v.filter(same.fill_null(False) & (month >= index(first_month))
                    & (month <= index(last_month)))
    cols = [c for c in detail if c in keep.columns]
    expr = keep.order_by([ibis.desc(keep.issue_date), keep.policy_id]).limit(limit).select(cols)
    return to_frame(book.run(expr)).reset_index(drop=True)
