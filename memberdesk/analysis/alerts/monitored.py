"""The monitored metrics (预警指标): per-row numerators, denominators and cohort months.

Every monitored metric is a proportion x ÷ n over monthly cohorts, so that its limits are
honest (binomial). Each builder below returns, for the rows of one entity table (policies,
members, contacts or claims), the cohort month of each counted unit (months since 1970-01),
whether it is in the denominator (``n``) and in the numerator (``x``), and the latest
**complete** cohort month at the as-of date — the last month whose every unit's outcome is
observed (e.g. for the 6-month early lapse rate, the last issue month whose last day plus six
months is on or before the as-of date). Later, incomplete months are never monitored.

=============================  ============  ============================================
metric                         cohort month  numerator ÷ denominator
=============================  ============  ============================================
free_look_cancellation_rate    issue         voluntary exit (lapsed, surrendered) within the
                                             free-look days of issue ÷ policies issued
early_lapse_rate_3m / _6m      issue         voluntary exit after the free-look period and
                                             before issue %m+% 3 (6) months ÷ policies issued
first_year_surrender_rate      issue         surrendered after the free-look period and before
                                             the first anniversary ÷ policies issued
persistency_13_count / _25     13th (25th)   persisting ÷ cohort, exactly as
                               month due     :mod:`memberdesk.analysis.persistency` (count basis)
benefit_usage_rate_monthly     calendar      members in force at the month end who used a
                                             benefit in the month ÷ members in force then
bot_transfer_rate              started       bot contacts transferred to a human ÷ bot contacts
human_connection_rate          started       connected ÷ human-queue contacts
unresolved_contact_rate        started       not resolved ÷ contacts with an outcome recorded
csat                           started       rated 4 or 5 ÷ rated contacts
claims_settled_after_30_days   reported      settled more than 30 days after the report, or
                                             still open more than 30 days after it ÷ claims
=============================  ============  ============================================

Segments: a metric is split by a column of its own table, else by the member's attribute
(members table, via ``member_id``), else — for members, contacts and claims — by the column of
the member's earliest-issued policy (claims: of the claim's own policy first). Missing values
form the segment ``"(missing)"``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from memberdesk.analysis import policy_calendar as cal
from memberdesk.analysis.alerts.rules import MetricRule
from memberdesk.analysis.persistency import _last_measured_month, policy_flags
from memberdesk.analysis.service import flag_arrays
from memberdesk.core import schema
from memberdesk.core.dataset import Dataset
from memberdesk.core.reasons import Reason

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Entity = Literal["policies", "members", "service_contacts", "claims"]
MISSING_LEVEL = "(missing)"
SETTLEMENT_DAYS = 30


# Why a metric cannot be computed: a reason code of the one catalogue (``no_table`` {table},
# ``missing_column`` {table, column}, ``generic_policies``, ``no_complete_month``).
Unavailable = Reason


@dataclass(frozen=True, eq=False)
class MetricRows:
    """The counted units of one metric: ``row`` indexes the entity's rows (None = unit i is
    row i), ``month`` their cohort month index, ``x``/``n`` their numerator/denominator flags
    (every unit is in the denominator when ``n`` is None), ``last_month`` the latest complete
    cohort month."""

    entity: Entity
    month: IntArray
    x: BoolArray
    n: BoolArray | None
    last_month: int
    row: IntArray | None = None


@dataclass(frozen=True)
class MonitoredMetric:
    id: str
    entity: Entity
    build: Callable[[Dataset, MetricRule], MetricRows | Unavailable]


def _days(frame: pd.DataFrame, column: str) -> npt.NDArray[np.datetime64]:
    return cal.to_days(frame[column])


def _month_end_plus(as_of: np.datetime64, lag: Callable[[Any], Any]) -> int:
    """Latest month t with lag(month_end(t)) <= as_of."""
    t = int(cal.month_index(np.array([as_of]))[0])
    while lag(cal.month_end(np.array([t])))[0] > as_of:
        t -= 1
    return t


def _policy_base(ds: Dataset, needs: tuple[str, ...] = ("end_date", "status")
                 ) -> tuple[pd.DataFrame, Any, Any, Any] | Unavailable:
    p = ds.policies
    if p is None:
        return Reason("no_table", table="policies")
    if ds.generic or "issue_date" not in p.columns:
        return Reason("generic_policies")
    for col in needs:
        if col not in ds.validated[schema.POLICIES].columns:
            return Reason("missing_column", table="policies", column=col)
    issue = _days(p, "issue_date")
    exit_ = _days(p, "exit_date")
    status = p["exit_status"].to_numpy(dtype=object)
    return p, issue, exit_, status


def early_exit_last_month(as_of: pd.Timestamp, months: int, free_look_days: int) -> int:
    """Latest complete issue month of an exit-within metric: within the free-look days
    (``months`` = 0) or within ``months`` months of issue."""
    if months == 0:
        return _month_end_plus(cal.day(as_of), lambda d: d + np.timedelta64(free_look_days, "D"))
    return _month_end_plus(cal.day(as_of), lambda d: cal.add_months(d, months) - cal.ONE_DAY)


def _early_exit(months: int, statuses: tuple[str, ...]) -> Callable[[Dataset, MetricRule], MetricRows | Unavailable]:
    def build(ds: Dataset, rule: MetricRule) -> MetricRows | Unavailable:
        base = _policy_base(ds)
        if isinstance(base, Unavailable):
            return base
        _, issue, exit_, status = base
        free_look_days = rule.free_look_days
        ok = ~np.isnat(issue)
        safe = np.where(ok, issue, np.datetime64("1970-01-01"))
        last = early_exit_last_month(ds.as_of, months, free_look_days)
        if months == 0:
            horizon: Any = safe + np.timedelta64(free_look_days + 1, "D")
        else:
            horizon = cal.add_months(safe, months)
        exited = ~np.isnat(exit_) & (exit_ < horizon) & np.isin(status, statuses)
        if months:  # free-look cancellations (犹豫期撤单) are their own metric, not early exits
            exited &= (exit_ - safe).astype(np.int64) > free_look_days
        month = np.where(ok, cal.month_index(safe), -1)
        return MetricRows("policies", month, exited & ok, ok, last)
    return build


def _persistency(month_no: int) -> Callable[[Dataset, MetricRule], MetricRows | Unavailable]:
    def build(ds: Dataset, rule: MetricRule) -> MetricRows | Unavailable:
        base = _policy_base(ds)
        if isinstance(base, Unavailable):
            return base
        pol, issue, _, _ = base
        ok = ~np.isnat(issue)
        if not ok.all():
            return Reason("missing_column", table="policies", column="issue_date")
        flags, _ = policy_flags(ds, pol, issue, month_no, rule.free_look_days)
        due = cal.month_index(issue) + month_no - 1
        cohort = flags["cohort_count"] > 0
        return MetricRows("policies", due, flags["persisting_count"] > 0, cohort,
                          _last_measured_month(ds.as_of, month_no))
    return build


def _benefit_usage(ds: Dataset, rule: MetricRule) -> MetricRows | Unavailable:
    base = _policy_base(ds, ("end_date",))
    if isinstance(base, Unavailable):
        return base
    pol, issue, exit_, _ = base
    usage = ds.benefit_usage
    if usage is None:
        return Reason("no_table", table="benefit_usage")
    for table, frame in (("policies", pol), ("benefit_usage", usage)):
        if "member_id" not in frame.columns:
            return Reason("missing_column", table=table, column="member_id")
    if "used_at" not in usage.columns:
        return Reason("missing_column", table="benefit_usage", column="used_at")
    member, ids = _member_codes(pol)
    last = cal.last_complete_month(ds.as_of)
    months = np.arange(last - rule.history_months - rule.window_months + 2, last + 1)
    in_force = _in_force_months(member, len(ids), issue, exit_, int(months[0]), len(months))
    used = np.zeros_like(in_force)
    when = _days(usage, "used_at")
    who = ids.get_indexer(pd.Index(usage["member_id"]))
    ok = (who >= 0) & ~np.isnat(when)
    idx = cal.month_index(np.where(ok, when, np.datetime64("1970-01-01"))) - months[0]
    ok &= (idx >= 0) & (idx < len(months))
    used[who[ok], idx[ok]] = True
    row, j = np.nonzero(in_force)
    return MetricRows("members", months[j], used[row, j], None, last, row.astype(np.int64))


def _in_force_months(member: IntArray, n_members: int, issue: npt.NDArray[np.datetime64],
                     exit_: npt.NDArray[np.datetime64], first: int, n_months: int) -> BoolArray:
    """in_force[m, t]: member m holds a policy in force at the end of month ``first + t``.

    A policy is in force at a month end e when issued on or before e and not exited on or
    before e (NaT issue: never; NaT exit: still in force). Since ``d <= month_end(t)`` exactly
    when ``month_index(d) <= t``, a policy covers the month positions from its issue month up
    to (excluding) its exit month; the members' coverage is a union of such intervals, counted
    with a difference array (one ``bincount`` per bound) and a cumulative sum.
    """
    stride = n_months + 1

    def position(days: npt.NDArray[np.datetime64]) -> IntArray:
        known = ~np.isnat(days)
        idx = cal.month_index(np.where(known, days, np.datetime64("1970-01-01"))) - first
        return np.where(known, np.clip(idx, 0, n_months), n_months).astype(np.int64)

    lo, hi = position(issue), position(exit_)
    keep = (member >= 0) & (lo < hi)
    base = member[keep].astype(np.int64) * stride
    size = n_members * stride
    cover = np.bincount(base + lo[keep], minlength=size)
    cover -= np.bincount(base + hi[keep], minlength=size)
    cover = cover.reshape(n_members, stride)
    np.cumsum(cover, axis=1, out=cover)
    return np.asarray(cover[:, :n_months] > 0)


def _member_codes(pol: pd.DataFrame) -> tuple[IntArray, pd.Index]:
    """(position of each policy's member in the members entity, -1 when missing; the members
    entity's ids, exactly :func:`_member_index`: distinct non-missing ids in order of first
    appearance) in one hash pass, shared within an alerts run (:func:`run_cache`)."""
    cache = _RUN_CACHE.get()
    hit = None if cache is None else cache.get("member_codes")
    if hit is not None and hit[0] is pol:
        return hit[1]  # type: ignore[no-any-return]
    codes, ids = pd.factorize(pol["member_id"].to_numpy())
    out = (codes.astype(np.int64), pd.Index(ids))
    if cache is not None:
        cache["member_codes"] = (pol, out)
    return out


def _member_index(ds: Dataset) -> pd.Index:
    """The member ids of the members entity: those holding a policy."""
    pol = ds.policies
    assert pol is not None
    return pd.Index(pd.unique(pol["member_id"].dropna().to_numpy()))


_CONTACT_RATES: dict[str, tuple[tuple[str, ...], Callable[[dict[str, Any]], tuple[Any, Any]]]] = {
    "bot_transfer_rate": (("handled_by", "transferred_to_human"),
                          lambda f: (f["bot_contacts"] & ~f["bot_not_transferred"], f["bot_contacts"])),
    "human_connection_rate": (("handled_by", "transferred_to_human", "connected"),
                              lambda f: (f["connected"], f["human_queue"])),
    "unresolved_contact_rate": (("resolved",),
                                lambda f: (f["resolved_known"] & ~f["resolved"], f["resolved_known"])),
    "csat": (("satisfaction",), lambda f: (f["satisfied"], f["rated"])),
}


_RUN_CACHE: ContextVar[dict[str, Any] | None] = ContextVar("alerts_run_cache", default=None)


@contextmanager
def run_cache() -> Iterator[None]:
    """Within one alerts run, let the metric builders share what they derive from the same
    table (the contacts' months and flags serve four metrics); nothing outlives the run."""
    token = _RUN_CACHE.set({})
    try:
        yield
    finally:
        _RUN_CACHE.reset(token)


def _contact_base(c: pd.DataFrame) -> tuple[BoolArray, IntArray, dict[str, Any]]:
    """(started_at known, contact month (-1 when unknown), :func:`flag_arrays`) of the
    contacts, shared by the contact metrics of one run (:func:`run_cache`)."""
    cache = _RUN_CACHE.get()
    hit = None if cache is None else cache.get("contacts")
    if hit is not None and hit[0] is c:
        return hit[1]  # type: ignore[no-any-return]
    started = _days(c, "started_at")
    ok = ~np.isnat(started)
    month = np.where(ok, cal.month_index(np.where(ok, started, np.datetime64("1970-01-01"))), -1)
    base = (ok, month, flag_arrays(c))
    if cache is not None:
        cache["contacts"] = (c, base)
    return base


def _contacts(metric: str) -> Callable[[Dataset, MetricRule], MetricRows | Unavailable]:
    needs, pick = _CONTACT_RATES[metric]

    def build(ds: Dataset, rule: MetricRule) -> MetricRows | Unavailable:
        c = ds.service_contacts
        if c is None:
            return Reason("no_table", table="service_contacts")
        for col in ("started_at", *needs):
            if col not in c.columns:
                return Reason("missing_column", table="service_contacts", column=col)
        ok, month, flags = _contact_base(c)
        x, n = pick(flags)
        return MetricRows("service_contacts", month, x & ok, n & ok,
                          cal.last_complete_month(ds.as_of))
    return build


def _claims_late(ds: Dataset, rule: MetricRule) -> MetricRows | Unavailable:
    c = ds.claims
    if c is None:
        return Reason("no_table", table="claims")
    for col in ("reported_at", "settled_at"):
        if col not in c.columns:
            return Reason("missing_column", table="claims", column=col)
    reported, settled = _days(c, "reported_at"), _days(c, "settled_at")
    ok = ~np.isnat(reported)
    as_of = cal.day(ds.as_of)
    limit = np.timedelta64(SETTLEMENT_DAYS, "D")
    late = np.where(np.isnat(settled), as_of - reported > limit, settled - reported > limit)
    month = np.where(ok, cal.month_index(np.where(ok, reported, np.datetime64("1970-01-01"))), -1)
    last = _month_end_plus(as_of, lambda d: d + limit)
    return MetricRows("claims", month, late & ok, ok, last)


MONITORED: tuple[MonitoredMetric, ...] = (
    MonitoredMetric("free_look_cancellation_rate", "policies",
                    _early_exit(0, schema.VOLUNTARY_EXIT_STATUSES)),
    MonitoredMetric("early_lapse_rate_3m", "policies", _early_exit(3, schema.VOLUNTARY_EXIT_STATUSES)),
    MonitoredMetric("early_lapse_rate_6m", "policies", _early_exit(6, schema.VOLUNTARY_EXIT_STATUSES)),
    MonitoredMetric("first_year_surrender_rate", "policies", _early_exit(12, ("surrendered",))),
    MonitoredMetric("persistency_13_count", "policies", _persistency(13)),
    MonitoredMetric("persistency_25_count", "policies", _persistency(25)),
    MonitoredMetric("benefit_usage_rate_monthly", "members", _benefit_usage),
    MonitoredMetric("bot_transfer_rate", "service_contacts", _contacts("bot_transfer_rate")),
    MonitoredMetric("human_connection_rate", "service_contacts", _contacts("human_connection_rate")),
    MonitoredMetric("unresolved_contact_rate", "service_contacts", _contacts("unresolved_contact_rate")),
    MonitoredMetric("csat", "service_contacts", _contacts("csat")),
    MonitoredMetric("claims_settled_after_30_days", "claims", _claims_late),
)
MONITORED_IDS: tuple[str, ...] = tuple(m.id for m in MONITORED)


class SegmentSource:
    """Codes a segment column for every row of each entity (cached).

    A column found on another table is factorised there (members, the members' first
    policies, policies: small next to 3M contacts) and its codes are carried over by row
    positions, computed once per entity and table.
    """

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self._cache: dict[tuple[str, str], tuple[IntArray, list[Any]] | None] = {}
        self._positions: dict[tuple[str, str], IntArray] = {}
        self._factorised: dict[tuple[str, str], tuple[IntArray, list[Any]]] = {}
        self._key_codes: dict[tuple[str, str], tuple[IntArray, pd.Index]] = {}
        self._safe: dict[tuple[str, str], tuple[IntArray, BoolArray | None]] = {}
        self._indexes: dict[str, pd.Index] = {}

    @cached_property
    def _policy_members(self) -> tuple[IntArray, pd.Index] | None:
        """:func:`_member_codes` of the policies view, hashed once for both uses below."""
        p = self.ds.policies
        if p is None or "member_id" not in p.columns:
            return None
        return _member_codes(p)

    @cached_property
    def member_ids(self) -> pd.Index:
        pm = self._policy_members
        return _member_index(self.ds) if pm is None else pm[1]

    @cached_property
    def _first_policy(self) -> tuple[pd.Index, IntArray] | None:
        """Member ids and the row (in the policies view) of each one's earliest-issued policy
        (ties: the first row)."""
        p = self.ds.policies
        pm = self._policy_members
        if p is None or pm is None or "issue_date" not in p.columns:
            return None
        order = np.argsort(p["issue_date"].to_numpy(), kind="stable")
        codes = pm[0][order]
        seen = codes >= 0
        _, first = np.unique(codes[seen], return_index=True)   # ids 0..k-1 each occur
        return pm[1], order[np.flatnonzero(seen)[first]].astype(np.int64)

    def _source_index(self, source: str, frame: pd.DataFrame, key: str) -> pd.Index:
        """The key column of a lookup table as an Index, kept so that its hash table is
        built once for every entity looking into it."""
        if source not in self._indexes:
            self._indexes[source] = pd.Index(frame[key])
        return self._indexes[source]

    def _sources(self) -> dict[str, tuple[pd.DataFrame | None, str]]:
        """Lookup tables: name -> (frame whose columns are read, key column)."""
        return {"members": (self.ds.members, "member_id"),
                "first_policy": (self.ds.policies if self._first_policy is not None else None, ""),
                "policies": (self.ds.policies, "policy_id")}

    def _entity_keys(self, entity: Entity, key: str) -> Any:
        if entity == "members":
            return self.member_ids
        frame = self.ds.service_contacts if entity == "service_contacts" else self.ds.claims
        return None if frame is None or key not in frame.columns else frame[key].to_numpy()

    def _position(self, entity: Entity, source: str) -> IntArray | None:
        frame, key = self._sources()[source]
        if frame is None or (key and key not in frame.columns):
            return None
        entity_key = "policy_id" if source == "policies" else "member_id"
        keys = self._entity_keys(entity, entity_key)
        if keys is None:
            return None
        if (entity, source) not in self._positions:
            # the entity's keys are hashed once (factorised) and only their distinct values
            # are looked up in each source: 3M contacts hold far fewer distinct members
            key_codes, distinct = self._keys(entity, entity_key, keys)
            if source == "first_policy":
                assert self._first_policy is not None
                ids, rows = self._first_policy
                at = ids.get_indexer(distinct)
                found = np.where(at >= 0, rows[np.where(at >= 0, at, 0)], -1) if len(rows) \
                    else np.full(len(at), -1)
            else:
                found = self._source_index(source, frame, key).get_indexer(distinct)
            found = np.asarray(found, dtype=np.int64)
            pos = found[key_codes] if len(found) else np.full(len(key_codes), -1, np.int64)
            self._positions[(entity, source)] = np.asarray(pos, dtype=np.int64)
        return self._positions[(entity, source)]

    def _keys(self, entity: Entity, key: str, keys: Any) -> tuple[IntArray, pd.Index]:
        """(code per entity row, distinct keys) of the entity's ``key`` column; missing keys
        are a value of their own, looked up like any other (as ``get_indexer`` would)."""
        if (entity, key) not in self._key_codes:
            codes, distinct = pd.factorize(np.asarray(keys), use_na_sentinel=False)
            self._key_codes[(entity, key)] = (codes.astype(np.int64), pd.Index(distinct))
        return self._key_codes[(entity, key)]

    def _safe_position(self, entity: Entity, source: str, pos: IntArray
                       ) -> tuple[IntArray, BoolArray | None]:
        """(positions with unmatched rows sent to row 0, mask of the unmatched rows or None
        when every row matched), once per entity and source for all its columns."""
        if (entity, source) not in self._safe:
            unmatched = pos < 0
            if unmatched.any():
                self._safe[(entity, source)] = (np.where(unmatched, 0, pos), unmatched)
            else:
                self._safe[(entity, source)] = (pos, None)
        return self._safe[(entity, source)]

    def _is_shared(self, codes: IntArray) -> bool:
        """Whether ``codes`` is a cached factorisation (never to be changed in place)."""
        return any(codes is c for c, _ in self._factorised.values())

    def _factorise(self, source: str, column: str) -> tuple[IntArray, list[Any]]:
        source = "policies" if source == "first_policy" else source   # same rows
        if (source, column) not in self._factorised:
            frame = self._sources()[source][0]
            assert frame is not None
            codes, uniques = pd.factorize(frame[column].to_numpy(dtype=object), sort=True)
            self._factorised[(source, column)] = (codes.astype(np.int64), list(uniques))
        return self._factorised[(source, column)]

    def _via(self, entity: Entity, column: str) -> tuple[IntArray, list[Any]] | None:
        """Codes of ``column`` carried from another table (the order in the module doc)."""
        order = ["policies"] if entity == "claims" else []
        order += ["members", "first_policy"]
        for source in order:
            frame = self._sources()[source][0]
            if frame is None or column not in frame.columns:
                continue
            pos = self._position(entity, source)
            if pos is None:
                continue
            codes, levels = self._factorise(source, column)
            if not len(codes):
                return np.full(len(pos), -1, np.int64), levels
            safe, unmatched = self._safe_position(entity, source, pos)
            out = codes[safe]
            if unmatched is not None:
                out[unmatched] = -1
            return out, levels
        return None

    def _raw(self, entity: Entity, column: str) -> tuple[IntArray, list[Any]] | None:
        ds = self.ds
        own = ds.policies if entity == "policies" else None if entity == "members" else \
            ds.service_contacts if entity == "service_contacts" else ds.claims
        if entity == "policies" and own is not None and column in own.columns:
            return self._factorise("policies", column)   # shared with members' first policies
        if own is not None and column in own.columns:
            codes, uniques = pd.factorize(own[column].to_numpy(dtype=object), sort=True)
            return codes.astype(np.int64), list(uniques)
        if entity == "policies":
            return None
        return self._via(entity, column)

    def codes(self, entity: Entity, column: str) -> tuple[IntArray, list[Any]] | None:
        """(code per entity row, levels) with missing values as the last level
        :data:`MISSING_LEVEL` when there are any; None when the column is not reachable."""
        key = (entity, column)
        if key not in self._cache:
            raw = self._raw(entity, column)
            if raw is None:
                self._cache[key] = None
            else:
                codes, uniques = raw
                levels = [str(u) for u in uniques]
                missing = codes < 0
                if missing.any():
                    codes = codes.copy() if self._is_shared(codes) else codes
                    codes[missing] = len(levels)
                    levels.append(MISSING_LEVEL)
                self._cache[key] = (codes, levels)
        return self._cache[key]


def extra_segment_columns(ds: Dataset, max_levels: int) -> list[str]:
    """Non-canonical categorical policy columns (branch, agent code …) with 2..max_levels values."""
    p = ds.policies
    if p is None:
        return []
    canonical = set(schema.TABLE_SPECS[schema.POLICIES].column_names)
    source = ds.validated.get(schema.POLICIES)
    out = []
    for col in (source.columns if source is not None else []):
        if col in canonical or col not in p.columns:
            continue
        series = p[col]
        if pd.api.types.is_float_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        if 2 <= series.nunique(dropna=True) <= max_levels:
            out.append(col)
    return out


POLICY_DETAIL_COLUMNS = ("policy_id", "member_id", "product", "channel", "issue_date",
                         "exit_date", "exit_status", "annual_premium")


def policies_behind(ds: Dataset, column: str, segment: str, first_month: str, last_month: str,
                    limit: int = 500) -> pd.DataFrame:
    """The policies of segment ``column = segment`` issued in the months ``first_month`` ..
    ``last_month`` (``YYYY-MM``), for a look behind a policy metric's alert (at most ``limit``
    rows, most recent issue first). Empty when the column is not a policy column."""
    p = ds.policies
    if p is None or column not in p.columns or "issue_date" not in p.columns:
        return pd.DataFrame(columns=list(POLICY_DETAIL_COLUMNS))
    values = p[column].astype(object).where(p[column].notna(), MISSING_LEVEL).astype(str)
    month = p["issue_date"].dt.strftime("%Y-%m")
    keep = (values == str(segment)) & (month >= first_month) & (month <= last_month)
    cols = [c for c in POLICY_DETAIL_COLUMNS if c in p.columns]
    return p.loc[keep, cols].sort_values("issue_date", ascending=False).head(limit).reset_index(drop=True)
