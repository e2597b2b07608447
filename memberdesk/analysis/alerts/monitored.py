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

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, cast

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
    cohort month.

    ``runs`` (benefit usage: members × months) switches to the *run* encoding, far fewer units
    than one per member and month: ``runs`` 0 = a numerator unit (one member-month in ``x``)
    at its month; 1 = a run of denominator months starts at its month; 2 = the run stops at
    its month (it covers [start, stop); a stop may be the month after the last one). ``x`` is
    then ``runs == 0`` and ``n`` None.
    """

    entity: Entity
    month: IntArray
    x: BoolArray
    n: BoolArray | None
    last_month: int
    row: IntArray | None = None
    runs: npt.NDArray[np.int8] | None = None


@dataclass(frozen=True)
class MonitoredMetric:
    id: str
    entity: Entity
    build: Callable[[Dataset, MetricRule], MetricRows | Unavailable]


def _days(frame: pd.DataFrame, column: str) -> npt.NDArray[np.datetime64]:
    return cal.to_days(frame[column])


def _month_index(days: npt.NDArray[np.datetime64]) -> IntArray:
    """:func:`policy_calendar.month_index` of many dates (no NaT): evaluated once per day of
    their range and looked up (one gather instead of the calendar's three)."""
    d = np.asarray(days, dtype="datetime64[D]").view(np.int64)
    if d.size > 4096:
        lo, hi = int(d.min()), int(d.max())
        if hi - lo < 400_000:
            table = cal.month_index(np.arange(lo, hi + 1).astype("datetime64[D]"))
            return np.asarray(table[d - lo], dtype=np.int64)
    return np.asarray(cal.month_index(d.astype("datetime64[D]")), dtype=np.int64)


def _month_end_plus(as_of: np.datetime64, lag: Callable[[Any], Any]) -> int:
    """Latest month t with lag(month_end(t)) <= as_of."""
    t = int(cal.month_index(np.array([as_of]))[0])
    while lag(cal.month_end(np.array([t])))[0] > as_of:
        t -= 1
    return t


def monitored_months(rule: MetricRule) -> int:
    """Number of cohort months a metric is counted over: the ``history_months`` latest
    months and the ``window_months - 1`` before them (the first windows of the history)."""
    return rule.history_months + rule.window_months - 1


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
    issue, exit_, month = _policy_days(p)
    status = p["exit_status"].to_numpy(dtype=object)
    return p, issue, exit_, status


def _policy_days(p: pd.DataFrame) -> tuple[Any, Any, IntArray]:
    """(issue day, exit day, issue month index (meaningless where the issue day is NaT)) of
    every policy, derived once per alerts run (:func:`run_cache`) for the six policy metrics."""
    cache = _RUN_CACHE.get()
    hit = None if cache is None else cache.get("policy_days")
    if hit is not None and hit[0] is p:
        return hit[1]  # type: ignore[no-any-return]
    issue = _days(p, "issue_date")
    exit_ = _days(p, "exit_date")
    month = _month_index(np.where(np.isnat(issue), np.datetime64("1970-01-01"), issue))
    out = (issue, exit_, month)
    if cache is not None:
        cache["policy_days"] = (p, out)
    return out


def _issue_months(p: pd.DataFrame) -> IntArray:
    return _policy_days(p)[2]


def _cohort_rows(cohort_month: IntArray, last: int, rule: MetricRule,
                 known: BoolArray | None = None) -> IntArray:
    """Rows (with a ``known`` cohort month) whose cohort month is one of the metric's
    monitored months (the latest :func:`monitored_months` months up to ``last``): only these
    are ever counted, so the per-policy rules are evaluated on them alone."""
    first = last - monitored_months(rule) + 1
    take = (cohort_month >= first) & (cohort_month <= last)
    if known is not None:
        take &= known
    return np.flatnonzero(take).astype(np.int64)


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
        pol, issue_all, exit_all, status_all = base
        free_look_days = rule.free_look_days
        last = early_exit_last_month(ds.as_of, months, free_look_days)
        month_all = _issue_months(pol)
        rows = _cohort_rows(month_all, last, rule, ~np.isnat(issue_all))
        issue, exit_, status = issue_all[rows], exit_all[rows], status_all[rows]
        if months == 0:
            horizon: Any = issue + np.timedelta64(free_look_days + 1, "D")
        else:
            horizon = cal.add_months(issue, months)
        exited = ~np.isnat(exit_) & (exit_ < horizon) & np.isin(status, statuses)
        if months:  # free-look cancellations (犹豫期撤单) are their own metric, not early exits
            exited &= (exit_ - issue).astype(np.int64) > free_look_days
        return MetricRows("policies", month_all[rows], exited, None, last, rows)
    return build


def _persistency(month_no: int) -> Callable[[Dataset, MetricRule], MetricRows | Unavailable]:
    def build(ds: Dataset, rule: MetricRule) -> MetricRows | Unavailable:
        base = _policy_base(ds)
        if isinstance(base, Unavailable):
            return base
        pol, issue, _, _ = base
        if np.isnat(issue).any():
            return Reason("missing_column", table="policies", column="issue_date")
        due = _issue_months(pol) + (month_no - 1)
        last = _last_measured_month(ds.as_of, month_no)
        # persistency's own per-policy flags, on the policies due in the monitored months only
        rows = _cohort_rows(due, last, rule)
        flags, _ = policy_flags(ds, pol.take(rows), issue[rows], month_no, rule.free_look_days)
        cohort = flags["cohort_count"] > 0
        return MetricRows("policies", due[rows], flags["persisting_count"] > 0, cohort, last, rows)
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
    n_months = monitored_months(rule)
    first = last - n_months + 1
    run_member, run_start, run_stop = _in_force_runs(member, issue, exit_, first, n_months,
                                                     _issue_months(pol))
    when = _days(usage, "used_at")
    known = ~np.isnat(when)
    idx = _month_index(np.where(known, when, np.datetime64("1970-01-01"))) - first
    # only the uses in the monitored months are looked up (their member ids hashed)
    take = np.flatnonzero(known & (idx >= 0) & (idx < n_months))
    who = np.asarray(ids.get_indexer(pd.Index(usage["member_id"].to_numpy()[take])), np.int64)
    hit = who >= 0
    # the used member-months (once each, in order) that fall in one of the member's runs
    seen = np.zeros(len(ids) * n_months, bool)
    seen[who[hit] * n_months + idx[take[hit]]] = True
    used = np.flatnonzero(seen)
    x_row, x_at = used // n_months, used % n_months
    stride = n_months + 1
    run = np.searchsorted(run_member * stride + run_start, x_row * stride + x_at, side="right") - 1
    safe = np.maximum(run, 0)
    inside = (run >= 0) & (run_member[safe] == x_row) & (x_at < run_stop[safe])
    x_row, x_at = x_row[inside], x_at[inside]
    # run encoding (MetricRows): the used member-months, each run's start and its stop
    runs = np.concatenate([np.zeros(len(x_row), np.int8), np.ones(len(run_member), np.int8),
                           np.full(len(run_member), 2, np.int8)])
    return MetricRows("members", first + np.concatenate([x_at, run_start, run_stop]),
                      runs == 0, None, last, np.concatenate([x_row, run_member, run_member]), runs)


def _in_force_runs(member: IntArray, issue: npt.NDArray[np.datetime64],
                   exit_: npt.NDArray[np.datetime64], first: int, n_months: int,
                   issue_month: IntArray | None = None) -> tuple[IntArray, IntArray, IntArray]:
    """(member, start, stop) of each maximal run of month positions (0 = month ``first``,
    ``n_months`` of them) at whose month end the member holds a policy in force; a run covers
    the positions [start, stop). Sorted by member and start.

    A policy is in force at a month end e when issued on or before e and not exited on or
    before e (NaT issue: never; NaT exit: still in force). Since ``d <= month_end(t)`` exactly
    when ``month_index(d) <= t``, a policy covers the month positions from its issue month up
    to (excluding) its exit month, clipped to the months. A member's runs are the union of
    their policies' intervals: sorted by member and start, a new run begins where an interval
    starts after the furthest stop so far (adjacent intervals join). ``issue_month``: the
    issue dates' month indices when already known (unused where the issue date is NaT).
    """
    def position(days: npt.NDArray[np.datetime64], month: IntArray | None = None) -> IntArray:
        known = ~np.isnat(days)
        if month is None:
            month = _month_index(np.where(known, days, np.datetime64("1970-01-01")))
        return np.where(known, np.clip(month - first, 0, n_months), n_months).astype(np.int64)

    lo, hi = position(issue, issue_month), position(exit_)
    keep = np.flatnonzero((member >= 0) & (lo < hi))
    stride = n_months + 1
    who = member[keep].astype(np.int64)
    order = np.argsort(who * stride + lo[keep], kind="stable")
    who, lo, hi = who[order], lo[keep][order], hi[keep][order]
    # furthest stop so far within the member: offsetting by the member makes one running
    # maximum serve all members (an earlier member's values are all below this member's)
    reach = np.maximum.accumulate(who * stride + hi) - who * stride
    new = np.ones(len(who), bool)
    new[1:] = (who[1:] != who[:-1]) | (lo[1:] > reach[:-1])
    begin = np.flatnonzero(new)
    end = np.append(begin[1:] - 1, len(who) - 1) if len(begin) else begin
    return who[begin], lo[begin], reach[end]


def _in_force_months(member: IntArray, n_members: int, issue: npt.NDArray[np.datetime64],
                     exit_: npt.NDArray[np.datetime64], first: int, n_months: int) -> BoolArray:
    """in_force[m, t]: member m holds a policy in force at the end of month ``first + t`` —
    the runs of :func:`_in_force_runs` as a matrix (for checks and small books)."""
    who, start, stop = _in_force_runs(member, issue, exit_, first, n_months)
    stride = n_months + 1
    cover = np.bincount(who * stride + start, minlength=n_members * stride)
    cover -= np.bincount(who * stride + stop, minlength=n_members * stride)
    cover = np.cumsum(cover.reshape(n_members, stride), axis=1)
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
    month = np.where(ok, _month_index(np.where(ok, started, np.datetime64("1970-01-01"))), -1)
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
    month = np.where(ok, _month_index(np.where(ok, reported, np.datetime64("1970-01-01"))), -1)
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
    """The segment columns of each entity, coded once per table (cached for a run).

    A column of the entity's own table is factorised there; a column found on another table
    (members, the members' earliest-issued policies, policies: small next to 3M contacts) is
    factorised on that table and reached through row positions (entity row → that table's row),
    computed once per entity and table. Only the entity rows that some metric counts
    (:meth:`restrict`; all when not given) are coded: their key column (e.g. the contacts'
    member ids) is hashed for those rows alone. Codes are held in the smallest integer type
    and gathered for the counted units directly (:meth:`units`), never spread over every
    entity row per column.

    Every coding keeps a trailing "missing" code (the level :data:`MISSING_LEVEL`, listed when
    a missing value or an unmatched row exists). A level that no counted unit has counts zero
    everywhere and never shows in a result (funnel points, monthly rows and alerts all need
    units).
    """

    def __init__(self, ds: Dataset, needed: Mapping[Entity, IntArray] | None = None) -> None:
        self.ds = ds
        self._needed = dict(needed or {})
        self._routes: dict[tuple[str, str], tuple[str, CodeArray, list[str]] | None] = {}
        self._positions: dict[tuple[str, str], tuple[IntArray, bool] | None] = {}
        self._raw: dict[tuple[str, str], tuple[IntArray, npt.NDArray[Any]]] = {}
        self._factorised: dict[tuple[str, str], tuple[CodeArray, list[str], bool]] = {}
        self._key_codes: dict[tuple[str, str], tuple[IntArray, pd.Index]] = {}
        self._ids_at: dict[Entity, IntArray] = {}
        self._indexes: dict[str, pd.Index] = {}

    def restrict(self, needed: Mapping[Entity, IntArray]) -> None:
        """Code only these rows of each entity (sorted row numbers; the other rows are never
        counted). Must come before any entity is coded."""
        assert not self._positions and not self._routes and not self._key_codes
        self._needed = dict(needed)

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
        (ties: the first row; issue dates NaT last, as a stable sort by issue date puts them)."""
        p = self.ds.policies
        pm = self._policy_members
        if p is None or pm is None or "issue_date" not in p.columns:
            return None
        codes, ids = pm
        seen = np.flatnonzero(codes >= 0)
        who = codes[seen]
        issue = p["issue_date"].to_numpy(dtype="datetime64[ns]")[seen].view(np.int64)
        nat = np.datetime64("NaT").astype("datetime64[ns]").view(np.int64)
        issue = np.where(issue == nat, np.iinfo(np.int64).max, issue)
        earliest = np.full(len(ids), np.iinfo(np.int64).max, np.int64)
        np.minimum.at(earliest, who, issue)
        tie = np.flatnonzero(issue == earliest[who])
        first = np.full(len(ids), len(p), np.int64)
        np.minimum.at(first, who[tie], seen[tie].astype(np.int64))
        return ids, first

    def _table(self, name: str) -> pd.DataFrame | None:
        return self.ds.members if name == "members" else self.ds.policies

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

    def _own(self, entity: Entity) -> pd.DataFrame | None:
        ds = self.ds
        return ds.policies if entity == "policies" else None if entity == "members" else \
            ds.service_contacts if entity == "service_contacts" else ds.claims

    def _entity_keys(self, entity: Entity, key: str) -> Any:
        if entity == "members":
            return self.member_ids
        frame = self._own(entity)
        return None if frame is None or key not in frame.columns else frame[key].to_numpy()

    @cached_property
    def _members_table(self) -> tuple[IntArray, pd.Index, IntArray]:
        """(row of the members table for each members-entity id, -1 when none; the table's
        other ids — members without a policy — as an Index, and their rows). The table's ids
        are looked up among the policyholders' ids, hashed already; only the others are
        hashed again."""
        frame = self.ds.members
        assert frame is not None
        table_ids = frame["member_id"].to_numpy()
        at = np.asarray(self.member_ids.get_indexer(pd.Index(table_ids)), np.int64)
        hit = np.flatnonzero(at >= 0)
        rows = np.full(len(self.member_ids), len(frame), np.int64)
        np.minimum.at(rows, at[hit], hit)                      # the first row of each id
        rows[rows == len(frame)] = -1
        other = np.flatnonzero(at < 0)
        return rows, pd.Index(table_ids[other]), other.astype(np.int64)

    def _in_member_ids(self, entity: Entity, keys: Any) -> IntArray:
        """Position of each needed key of the entity among the members entity's ids (the
        policyholders' ids: their hash table serves every entity)."""
        if entity not in self._ids_at:
            self._ids_at[entity] = np.asarray(self.member_ids.get_indexer(keys), np.int64)
        return self._ids_at[entity]

    def _by_member_ids(self, entity: Entity, source: str, keys: Any) -> IntArray:
        """Row of the members table (``source`` "members") or of the first policy for each
        needed key of the entity (-1: none), through the policyholders' ids."""
        at = self._in_member_ids(entity, keys)
        safe = np.where(at >= 0, at, 0)
        if source == "first_policy":
            assert self._first_policy is not None
            first_rows = self._first_policy[1]
            if not len(first_rows):
                return np.full(len(at), -1, np.int64)
            return np.asarray(np.where(at >= 0, first_rows[safe], -1), dtype=np.int64)
        rows, others, other_rows = self._members_table
        found = np.where(at >= 0, rows[safe], -1) if len(rows) else np.full(len(at), -1, np.int64)
        rest = np.flatnonzero(at < 0)
        if rest.size and len(others):
            o = np.asarray(others.get_indexer(pd.Index(np.asarray(keys)[rest])), np.int64)
            found[rest] = np.where(o >= 0, other_rows[np.where(o >= 0, o, 0)], -1)
        return np.asarray(found, dtype=np.int64)

    def _position(self, entity: Entity, source: str) -> tuple[IntArray, bool] | None:
        """(row of ``source``'s table for each entity row — its length, the trailing missing
        code's slot, when unmatched or not needed —, whether a needed row is unmatched)."""
        if (entity, source) in self._positions:
            return self._positions[(entity, source)]
        out: tuple[IntArray, bool] | None = None
        frame, key = self._sources()[source]
        entity_key = "policy_id" if source == "policies" else "member_id"
        keys = None if frame is None or (key and key not in frame.columns) else \
            self._entity_keys(entity, entity_key)
        if frame is not None and keys is not None:
            size = len(frame)
            rows = self._needed.get(entity)
            if entity == "members" and source == "first_policy":
                assert self._first_policy is not None
                every = self._first_policy[1]       # member ids are the first-policy ids
                local = every if rows is None else every[rows]
            elif entity == "members" and source == "members" and self._policy_members is not None:
                every = self._members_table[0]
                local = every if rows is None else every[rows]
            elif source != "policies" and self._policy_members is not None:
                # a contact's (claim's) member: its needed keys looked up once among the
                # policyholders' ids, for both the members table and the first policy
                local = self._by_member_ids(entity, source, keys if rows is None
                                            else np.asarray(keys)[rows])
            else:
                # the needed keys are hashed once (factorised) and only their distinct values
                # are looked up in the source's key column
                key_codes, distinct = self._keys(entity, entity_key, keys, rows)
                found = np.asarray(self._source_index(source, frame, key).get_indexer(distinct),
                                   np.int64)
                local = found[key_codes] if len(found) else np.full(len(key_codes), -1, np.int64)
            local = np.where(np.asarray(local) < 0, size, local).astype(np.int64)
            unmatched = bool((local == size).any())
            if rows is None:
                out = (local, unmatched)
            else:
                pos = np.full(len(keys), size, np.int64)
                pos[rows] = local
                out = (pos, unmatched)
        self._positions[(entity, source)] = out
        return out

    def _keys(self, entity: Entity, key: str, keys: Any, rows: IntArray | None
              ) -> tuple[IntArray, pd.Index]:
        """(code per needed entity row, distinct keys) of the entity's ``key`` column;
        missing keys are a value of their own, looked up like any other (as ``get_indexer``
        would). The members entity's keys are distinct already."""
        if (entity, key) not in self._key_codes:
            if entity == "members":
                picked = keys if rows is None else keys[rows]
                self._key_codes[(entity, key)] = (np.arange(len(picked), dtype=np.int64),
                                                  pd.Index(picked))
            else:
                values = np.asarray(keys)
                codes, distinct = pd.factorize(values if rows is None else values[rows],
                                               use_na_sentinel=False)
                self._key_codes[(entity, key)] = (codes.astype(np.int64), pd.Index(distinct))
        return self._key_codes[(entity, key)]

    def _raw_factor(self, table: str, column: str) -> tuple[IntArray, npt.NDArray[Any]]:
        """``pd.factorize`` (unsorted, missing = -1) of a lookup table's column, once."""
        if (table, column) not in self._raw:
            frame = self._table(table)
            assert frame is not None
            codes, uniques = pd.factorize(frame[column].to_numpy(dtype=object))
            self._raw[(table, column)] = (codes.astype(np.int64), np.asarray(uniques))
        return self._raw[(table, column)]

    def level_count(self, column: str) -> int:
        """Number of distinct non-missing values of a policy column (hashed once for the
        segment choice and the coding)."""
        return len(self._raw_factor("policies", column)[1])

    def _factorise(self, table: str, column: str) -> tuple[CodeArray, list[str], bool]:
        """(codes sorted by value as ``pd.factorize(sort=True)`` numbers them, with missing
        values as the code len(levels) and one trailing slot holding it, levels, whether a
        value is missing) of a lookup table's column over all its rows, once per run."""
        if (table, column) not in self._factorised:
            codes, uniques = self._raw_factor(table, column)
            rank, ordered = pd.factorize(uniques, sort=True)    # the sorted code of each
            levels = [str(u) for u in ordered]
            lookup = np.append(rank, len(levels)).astype(_code_type(len(levels)))
            ext = cast(CodeArray, np.empty(len(codes) + 1, lookup.dtype))
            ext[:-1] = lookup[codes]                             # -1 (missing) -> last
            ext[-1] = len(levels)
            self._factorised[(table, column)] = (ext, levels, bool((codes < 0).any()))
        return self._factorised[(table, column)]

    def route(self, entity: Entity, column: str) -> tuple[str, CodeArray, list[str]] | None:
        """How ``column`` reaches the entity: (``"own"`` or the lookup table's name, codes
        over the rows of that table plus one trailing slot for unmatched rows, levels with
        :data:`MISSING_LEVEL` last when there is a missing value or an unmatched row); None
        when the column is not reachable (the order of the module doc)."""
        if (entity, column) not in self._routes:
            self._routes[(entity, column)] = self._route(entity, column)
        return self._routes[(entity, column)]

    def _route(self, entity: Entity, column: str) -> tuple[str, CodeArray, list[str]] | None:
        own = self._own(entity)
        if own is not None and column in own.columns:
            if entity == "policies":
                codes, levels, missing = self._factorise("policies", column)   # shared
                return "own", codes, self._with_missing(levels, missing)
            values = own[column].to_numpy(dtype=object)
            rows = self._needed.get(entity)
            sub, uniques = pd.factorize(values if rows is None else values[rows], sort=True)
            levels = [str(u) for u in uniques]
            kind = _code_type(len(levels))
            sub = np.where(sub < 0, len(levels), sub).astype(kind)
            if rows is None:
                own_codes = sub
            else:
                own_codes = np.full(len(values), len(levels), kind)
                own_codes[rows] = sub
            return "own", own_codes, self._with_missing(levels, bool((sub == len(levels)).any()))
        if entity == "policies":
            return None
        order = ["policies"] if entity == "claims" else []
        order += ["members", "first_policy"]
        for source in order:
            frame = self._sources()[source][0]
            if frame is None or column not in frame.columns:
                continue
            pos = self._position(entity, source)
            if pos is None:
                continue
            table = "policies" if source == "first_policy" else source   # same rows
            codes, levels, missing = self._factorise(table, column)
            return source, codes, self._with_missing(levels, missing or pos[1])
        return None

    @staticmethod
    def _with_missing(levels: list[str], missing: bool) -> list[str]:
        return [*levels, MISSING_LEVEL] if missing else list(levels)

    def units(self, entity: Entity, rows: IntArray) -> UnitCodes:
        """The coder of one metric's units (entity rows ``rows``, which must be needed)."""
        return UnitCodes(self, entity, rows)

    def positions(self, entity: Entity, source: str) -> IntArray:
        pos = self._position(entity, source)
        assert pos is not None
        return pos[0]


CodeArray = npt.NDArray[np.signedinteger[Any]]


def _code_type(n_levels: int) -> type[np.signedinteger[Any]]:
    """The smallest signed integer type holding the codes 0..n_levels (the missing code):
    small code tables stay in cache when gathered for millions of units."""
    return np.int16 if n_levels < 2 ** 15 - 1 else np.int32 if n_levels < 2 ** 31 - 1 else np.int64


class UnitCodes:
    """Segment codes of one metric's units: one gather per column from the table that holds
    the column (the units' positions in each table are taken once per metric)."""

    def __init__(self, source: SegmentSource, entity: Entity, rows: IntArray) -> None:
        self.source, self.entity, self.rows = source, entity, rows
        self._at: dict[str, IntArray] = {}

    def codes(self, column: str) -> tuple[IntArray, list[str]] | None:
        """(a fresh int64 code array, one code per unit, levels) or None when unreachable."""
        route = self.source.route(self.entity, column)
        if route is None:
            return None
        path, codes, levels = route
        if path not in self._at:
            self._at[path] = self.rows if path == "own" else \
                self.source.positions(self.entity, path)[self.rows]
        return np.take(codes, self._at[path]).astype(np.int64), levels


def extra_segment_columns(ds: Dataset, max_levels: int,
                          source: SegmentSource | None = None) -> list[str]:
    """Non-canonical categorical policy columns (branch, agent code …) with 2..max_levels values.
    With a ``source``, text columns are counted by its factorisation (kept for the coding)."""
    p = ds.policies
    if p is None:
        return []
    canonical = set(schema.TABLE_SPECS[schema.POLICIES].column_names)
    validated = ds.validated.get(schema.POLICIES)
    out = []
    for col in (validated.columns if validated is not None else []):
        if col in canonical or col not in p.columns:
            continue
        series = p[col]
        if pd.api.types.is_float_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        count = source.level_count(col) if source is not None and series.dtype == object \
            else series.nunique(dropna=True)
        if 2 <= count <= max_levels:
            out.append(col)
    return out


POLICY_DETAIL_COLUMNS = ("policy_id", "member_id", "product", "channel", "issue_date",
                         "exit_date", "exit_status", "annual_premium")


def policies_behind(ds: Dataset, column: str, segment: str, first_month: str, last_month: str,
                    limit: int = 500) -> pd.DataFrame:
    """The policies of segment ``column = segment`` issued in the months ``first_month`` ..
    ``last_month`` (``YYYY-MM``), for a look behind a policy metric's alert (at most ``limit``
    rows, most recent issue first). Empty when the column is not a policy column. On an
    engine book the engine selects them (:func:`.counts.policies_behind`): no other policy
    row is read."""
    book = getattr(ds, "book", None)
    if book is not None and hasattr(book, "run") and hasattr(book, "policies"):
        from memberdesk.analysis.alerts.counts import policies_behind as engine_behind

        found = engine_behind(book, ds, column, segment, first_month, last_month, limit,
                              POLICY_DETAIL_COLUMNS, MISSING_LEVEL)
        return pd.DataFrame(columns=list(POLICY_DETAIL_COLUMNS)) if found is None else found
    p = ds.policies
    if p is None or column not in p.columns or "issue_date" not in p.columns:
        return pd.DataFrame(columns=list(POLICY_DETAIL_COLUMNS))
    values = p[column].astype(object).where(p[column].notna(), MISSING_LEVEL).astype(str)
    month = p["issue_date"].dt.strftime("%Y-%m")
    keep = (values == str(segment)) & (month >= first_month) & (month <= last_month)
    cols = [c for c in POLICY_DETAIL_COLUMNS if c in p.columns]
    return p.loc[keep, cols].sort_values("issue_date", ascending=False).head(limit).reset_index(drop=True)
