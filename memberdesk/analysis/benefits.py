"""Benefits (权益) analytics: usage, time to first use, and retention of users vs non-users.

Definitions
-----------
* A member is **in force** at a date when at least one of their policies is: issued on or
  before it and not terminated on or before it (docs/conventions.md).
* **Benefit usage rate** (权益使用率) at date t = in-force members at t with ≥ 1 benefit use in
  the 12 months (t − 12 months, t] ÷ in-force members at t.
* **Uses per 100 members** = uses in that window by in-force members ÷ in-force members × 100;
  **cost per member** = their cost ÷ in-force members (CNY). Uses by members with no
  in-force policy appear in the monthly and per-benefit tables but not in these ratios.
* **Segments**: a member column (``region``, ``tier``, ``gender``) classes each member once; a
  policy column (``product``, ``channel``, …) classes a member under every level in which they
  hold an in-force policy, so segment counts may sum to more than the total.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.service import cox_hr, to_days
from memberdesk.core import labels, schema
from memberdesk.core.book import COUNT_COLUMN
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.reasons import Reason

MEMBER_SEGMENTS: tuple[str, ...] = ("region", "tier", "gender")
SEGMENT_COLUMNS: list[str] = ["segment", "in_force_members", "users", "usage_rate", "uses",
                              "uses_per_100_members", "cost", "cost_per_member"]
MISSING_LEVEL = "(missing)"


# ---- in-force members and usage rate at many dates ---------------------------------------------

def member_in_force_matrix(policies: pd.DataFrame, points: np.ndarray,
                           policy_in_force: np.ndarray | None = None) -> tuple[pd.Index, np.ndarray]:
    """Member ids and a bool matrix [member, point]: member in force at ``points`` (float days
    since epoch). Policies without a member id are ignored. ``policy_in_force`` may pass the
    precomputed bool matrix [policy, point]."""
    has = policies["member_id"].notna().to_numpy()
    codes, ids = pd.factorize(policies["member_id"].to_numpy()[has])
    if policy_in_force is None:
        issue = to_days(policies["issue_date"])
        exit_ = to_days(policies["exit_date"]) if "exit_date" in policies.columns \
            else np.full(len(policies), np.nan)
        policy_in_force = np.stack([(issue <= t) & ~(exit_ <= t) for t in points], axis=1)
    live = policy_in_force[has]
    out = np.zeros((len(ids), len(points)), dtype=bool)
    for j in range(len(points)):
        out[codes[live[:, j]], j] = True
    return pd.Index(ids), out


def usage_rate_series(member_ids: pd.Index, in_force: np.ndarray, usage: pd.DataFrame,
                      starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Benefit usage rate and the number of in-force users for windows (starts[j], ends[j]],
    where ``in_force[:, j]`` marks members in force at ``ends[j]``.

    One pass over the uses: each use falls in one interval between consecutive window
    boundaries; a member used a benefit in window j iff they have a use in one of the
    intervals the window spans (a cumulative count over intervals per member)."""
    day = to_days(usage["used_at"])
    in_span = (day > min(starts)) & (day <= max(ends))
    ucodes, uniques = pd.factorize(usage["member_id"].to_numpy()[in_span])
    code = np.full(len(day), -1, dtype=np.int64)
    code[in_span] = np.append(member_ids.get_indexer(uniques), -1)[ucodes]  # missing id -> -1
    bounds = np.unique(np.concatenate([starts, ends]))
    ok = (code >= 0) & (day > bounds[0]) & (day <= bounds[-1])
    # interval k = (bounds[k-1], bounds[k]], k = 1..len(bounds)-1
    interval = np.searchsorted(bounds, day[ok], side="left")
    width = len(bounds)
    seen = np.zeros((width, len(member_ids)), dtype=bool)  # [interval, member]
    seen[interval, code[ok]] = True
    cum = np.cumsum(seen, axis=0, dtype=np.int16)
    s_idx = np.searchsorted(bounds, starts)
    e_idx = np.searchsorted(bounds, ends)
    rate = np.full(len(ends), np.nan)
    users = np.zeros(len(ends))
    for j in range(len(ends)):
        used = cum[e_idx[j]] != cum[s_idx[j]]
        members = int(in_force[:, j].sum())
        users[j] = int((used & in_force[:, j]).sum())
        rate[j] = users[j] / members if members else np.nan
    return rate, users


# ---- usage tables ------------------------------------------------------------------------------

@dataclass(frozen=True)
class BenefitUsage:
    """Benefit usage of a Dataset.

    Attributes
    ----------
    monthly
        ``month`` (YYYY-MM of ``used_at``), ``benefit``, ``uses``, ``users``, ``cost``.
    by_benefit
        Over the trailing window: ``benefit``, ``uses``, ``users``, ``cost``, ``cost_per_use``.
    segments
        ``segment`` ("all" first, then each level of ``by``), ``in_force_members``, ``users``,
        ``usage_rate``, ``uses``, ``uses_per_100_members``, ``cost``, ``cost_per_member``.
    by
        The segment column (None = overall only).
    """

    monthly: pd.DataFrame
    by_benefit: pd.DataFrame
    segments: pd.DataFrame
    by: str | None = None
    reason: Reason | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.segments

    def to_json(self) -> dict[str, Any]:
        """``{"by", "reason", "segments": [...], "by_benefit": [...], "monthly": [...]}``, each
        list one object per row of the frame of that name (docs/cli.md)."""
        return {"by": self.by, "reason": None if self.reason is None else str(self.reason),
                "segments": self.segments.to_dict(orient="records"),
                "by_benefit": self.by_benefit.to_dict(orient="records"),
                "monthly": self.monthly.to_dict(orient="records")}


def benefit_usage(ds: Dataset, *, by: str | None = None, window_months: int = 12,
                  progress: Progress | None = None) -> BenefitUsage:
    """Usage by benefit and month, and per-member ratios over the trailing ``window_months``
    (see the module docstring for definitions and how segments are assigned).

    A policy column's policies without a value make the segment ``"(missing)"``, after the
    levels (sorted as text). On an engine book the tables are counted in the engine
    (:func:`_engine_usage`): no use, policy or member row is read."""
    prog = ensure(progress)
    if getattr(ds, "book", None) is not None:
        return _engine_usage(ds, by, window_months, prog, progress)
    usage, p = ds.benefit_usage, ds.policies
    seg_cols = SEGMENT_COLUMNS
    if usage is None or len(usage) == 0:
        empty = pd.DataFrame(columns=seg_cols)
        return BenefitUsage(pd.DataFrame(columns=["month", "benefit", "uses", "users", "cost"]),
                            pd.DataFrame(columns=["benefit", "uses", "users", "cost", "cost_per_use"]),
                            empty, by, Reason("no_table", table="benefit_usage") if usage is None else
                            Reason("no_rows_to_as_of", table="benefit_usage"))
    member_codes, member_ids = pd.factorize(usage["member_id"].to_numpy())
    cost = usage["cost"].to_numpy(dtype=float, na_value=np.nan) if "cost" in usage.columns \
        else np.full(len(usage), np.nan)
    if "benefit" in usage.columns:
        benefit = usage["benefit"].astype(object).where(usage["benefit"].notna(), "(missing)")
    else:
        benefit = pd.Series("(all)", index=usage.index, dtype=object)
    b_codes, b_names = pd.factorize(benefit.to_numpy(), sort=True)
    used = usage["used_at"].to_numpy(dtype="datetime64[ns]")
    dated = ~np.isnat(used)
    month_num = used[dated].astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    m_codes, m_values = pd.factorize(month_num, sort=True)
    month_labels = np.datetime_as_string(np.asarray(m_values).astype("datetime64[M]"), unit="M")
    n_b = len(b_names)
    cells = m_codes.astype(np.int64) * n_b + b_codes[dated]
    uses, users, costs, present = _count_by_group(cells, len(m_values) * n_b,
                                                  member_codes[dated], cost[dated])
    monthly = pd.DataFrame({"month": month_labels[present // n_b].astype(object),
                            "benefit": np.asarray(b_names, dtype=object)[present % n_b],
                            "uses": uses, "users": users, "cost": costs})
    start = ds.as_of - pd.DateOffset(months=window_months)
    in_window = used > start.to_datetime64().astype("datetime64[ns]")
    uses, users, costs, present = _count_by_group(b_codes[in_window], n_b,
                                                  member_codes[in_window], cost[in_window])
    by_benefit = pd.DataFrame({"benefit": np.asarray(b_names, dtype=object)[present],
                               "uses": uses, "users": users, "cost": costs})
    by_benefit["cost_per_use"] = by_benefit["cost"] / by_benefit["uses"]
    prog.fraction(0.4)
    check_cancelled(progress)
    if p is None or ds.generic or "member_id" not in p.columns:
        return BenefitUsage(monthly, by_benefit, pd.DataFrame(columns=seg_cols), by,
                            Reason("member_ids_and_dates_needed"))
    live = p[(p["issue_date"] <= ds.as_of) & p["exit_date"].isna()] if "exit_date" in p.columns else p
    groups: list[tuple[str, pd.Index]] = [("all", pd.Index(live["member_id"].dropna().unique()))]
    if by:
        groups += _segment_members(ds, live, by)
    # per member over the window: uses and cost (NaN when none of their uses has a cost)
    wm = member_codes[in_window]
    wm_ok = wm >= 0
    n_m = len(member_ids)
    m_uses = np.bincount(wm[wm_ok], minlength=n_m)
    w_cost = cost[in_window][wm_ok]
    has_cost = ~np.isnan(w_cost)
    m_cost = np.bincount(wm[wm_ok][has_cost], weights=w_cost[has_cost], minlength=n_m)
    m_costed = np.bincount(wm[wm_ok][has_cost], minlength=n_m) > 0
    member_index = pd.Index(member_ids)
    rows = []
    for name, ids in groups:
        pos = member_index.get_indexer(ids)
        pos = pos[pos >= 0]
        pos = pos[m_uses[pos] > 0]  # members with a use in the window
        n = len(ids)
        n_users = int(pos.size)
        uses_ = float(m_uses[pos].sum())
        cost_ = float(m_cost[pos].sum()) if m_costed[pos].any() else float("nan")
        rows.append({"segment": name, "in_force_members": n, "users": n_users,
                     "usage_rate": n_users / n if n else np.nan, "uses": uses_,
                     "uses_per_100_members": 100 * uses_ / n if n else np.nan, "cost": cost_,
                     "cost_per_member": cost_ / n if n else np.nan})
    prog.fraction(1.0)
    return BenefitUsage(monthly, by_benefit, pd.DataFrame(rows, columns=seg_cols), by)



def _engine_usage(ds: Dataset, by: str | None, window_months: int, prog: Progress,
                  progress: Progress | None) -> BenefitUsage:
    """:func:`benefit_usage` on an engine book from ``GROUP BY`` answers
    (:func:`memberdesk.core.engine.kpi_counts.benefit_usage_counts` and
    :func:`~memberdesk.core.engine.kpi_counts.benefit_segment_counts`): no use, policy or
    member row leaves the engine. Distinct users are ``COUNT(DISTINCT)`` in the engine, the
    segments' members distinct (member, level) pairs joined to each member's window uses;
    counts are exact, costs sums (equal to the file path's to the rounding of their order)."""
    from memberdesk.core.engine import kpi_counts

    book = ds.book  # type: ignore[attr-defined]
    empty_monthly = pd.DataFrame(columns=["month", "benefit", "uses", "users", "cost"])
    empty_benefit = pd.DataFrame(columns=["benefit", "uses", "users", "cost", "cost_per_use"])
    window_start = (ds.as_of - pd.DateOffset(months=window_months)).date()
    prog.status("Benefits: counting uses")
    answers = kpi_counts.benefit_usage_counts(book, ds, window_start)
    if answers is None or int(answers["monthly"]["n"].sum()) == 0:
        reason = Reason("no_table", table="benefit_usage") if answers is None else \
            Reason("no_rows_to_as_of", table="benefit_usage")
        return BenefitUsage(empty_monthly, empty_benefit, pd.DataFrame(columns=SEGMENT_COLUMNS),
                            by, reason)
    counted, win = answers["monthly"], answers["window"]
    names = np.asarray(pd.unique(pd.concat([counted["_b"], win["_b"]]).to_numpy(dtype=object)),
                       dtype=object)
    _, b_names = pd.factorize(names, sort=True)  # the file path's benefit order
    order = pd.Index(b_names)
    dated = counted[counted["_y"].notna()].copy()
    dated["_code"] = order.get_indexer(pd.Index(dated["_b"]))
    dated = dated.sort_values(["_y", "_m", "_code"], kind="stable")
    monthly = pd.DataFrame({
        "month": np.array([f"{int(y):04d}-{int(m):02d}" for y, m in zip(dated["_y"], dated["_m"])],
                          dtype=object),
        "benefit": dated["_b"].to_numpy(dtype=object),
        "uses": dated["n"].to_numpy(dtype=np.int64), "users": dated["users"].to_numpy(dtype=np.int64),
        "cost": np.where(dated["costed"] > 0, dated["cost"], np.nan)})
    win = win[win["n"] > 0].copy()
    win["_code"] = order.get_indexer(pd.Index(win["_b"]))
    win = win.sort_values("_code", kind="stable")
    by_benefit = pd.DataFrame({"benefit": win["_b"].to_numpy(dtype=object),
                               "uses": win["n"].to_numpy(dtype=np.int64),
                               "users": win["users"].to_numpy(dtype=np.int64),
                               "cost": np.where(win["costed"] > 0, win["cost"], np.nan)})
    by_benefit["cost_per_use"] = by_benefit["cost"] / by_benefit["uses"]
    prog.fraction(0.4)
    check_cancelled(progress)
    policy_cols = kpi_counts.columns(book, ds, schema.POLICIES)
    if policy_cols is None or ds.generic or "member_id" not in policy_cols:
        return BenefitUsage(monthly, by_benefit, pd.DataFrame(columns=SEGMENT_COLUMNS), by,
                            Reason("member_ids_and_dates_needed"))
    member_cols = kpi_counts.columns(book, ds, schema.MEMBERS) or []
    member_column = bool(by) and by in MEMBER_SEGMENTS and by in member_cols
    if by and not member_column and by not in policy_cols:
        raise AnalysisError(Reason("benefits_cannot_segment", column=by), column=by)
    prog.status("Benefits: counting in-force members and users")
    whole = kpi_counts.benefit_segment_counts(book, ds, window_start)
    parts: list[tuple[str, pd.Series]] = [("all", whole.iloc[0])]
    if by:
        check_cancelled(progress)
        seg = kpi_counts.benefit_segment_counts(book, ds, window_start, by, member_column)
        known = seg["_seg"].notna().to_numpy()
        if member_column:  # the members' own values, in their natural order
            rows = {v: r for v, (_, r) in zip(seg["_seg"][known], seg[known].iterrows())}
            parts += [(str(v), rows[v]) for v in labels.ordered_values(list(rows))]
        else:  # the file path's text of each value (its groupby of astype(str)), sorted
            text = seg["_seg"][known].astype(str).to_numpy(dtype=object)
            rows = dict(zip(text, (r for _, r in seg[known].iterrows())))
            parts += [(t, rows[t]) for t in sorted(rows)]
            parts += [(MISSING_LEVEL, r) for _, r in seg[~known].iterrows()]
    out = []
    for name, r in parts:
        n, n_users, uses_ = int(r["members"]), int(r["users"]), float(r["uses"])
        cost_ = float(r["cost"]) if int(r["costed"]) > 0 else float("nan")
        out.append({"segment": name, "in_force_members": n, "users": n_users,
                    "usage_rate": n_users / n if n else np.nan, "uses": uses_,
                    "uses_per_100_members": 100 * uses_ / n if n else np.nan, "cost": cost_,
                    "cost_per_member": cost_ / n if n else np.nan})
    prog.fraction(1.0)
    return BenefitUsage(monthly, by_benefit, pd.DataFrame(out, columns=SEGMENT_COLUMNS), by)



def _count_by_group(group: np.ndarray, n_groups: int, member: np.ndarray, cost: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per non-empty group (ascending code): uses (rows), users (distinct members, missing id
    = code -1 not counted), cost (sum; NaN when no row of the group has a cost), codes."""
    group = np.asarray(group, dtype=np.int64)
    uses = np.bincount(group, minlength=n_groups)
    known = member >= 0
    radix = int(member.max(initial=0)) + 1
    pairs = pd.unique(group[known] * radix + member[known])  # distinct (group, member)
    users = np.bincount(pairs // radix, minlength=n_groups)
    has = ~np.isnan(cost)
    total = np.bincount(group[has], weights=cost[has], minlength=n_groups)
    costed = np.bincount(group[has], minlength=n_groups)
    present = np.flatnonzero(uses)
    total = np.where(costed > 0, total, np.nan)
    return uses[present], users[present], total[present], present

def _segment_members(ds: Dataset, live: pd.DataFrame, by: str) -> list[tuple[str, pd.Index]]:
    if by in MEMBER_SEGMENTS and ds.members is not None and by in ds.members.columns:
        attr = ds.members.drop_duplicates("member_id").set_index("member_id")[by]
        ids = pd.Index(live["member_id"].dropna().unique())
        seg = attr.reindex(ids)
        return [(str(level), ids[(seg == level).to_numpy()]) for level in labels.ordered_values(seg.dropna().unique())]
    if by in live.columns:
        known = live[by].notna().to_numpy()
        groups = [(str(level), pd.Index(g["member_id"].dropna().unique()))
                  for level, g in live[known].groupby(live[by][known].astype(str), sort=True)]
        if not known.all():
            groups.append((MISSING_LEVEL, pd.Index(live["member_id"][~known].dropna().unique())))
        return groups
    raise AnalysisError(Reason("benefits_cannot_segment", column=by), column=by)


# ---- time to first use -------------------------------------------------------------------------

@dataclass(frozen=True)
class FirstUse:
    """KM curves of "not yet used a benefit" against months since joining (one per segment);
    ``origin`` says which date was used as the start (``join_date`` or ``first_issue_date``)."""

    curves: dict[str, Any]
    origin: str
    members: int
    users: int


def time_to_first_use(ds: Dataset, *, by: str | None = None,
                      progress: Progress | None = None) -> FirstUse:
    """Time from joining to first benefit use, by Kaplan-Meier (months; 1 month = 365.25/12
    days). Start = ``members.join_date`` when present, else the member's first policy issue
    date. Members who never used a benefit are censored (删失) at as-of; a first use before
    the start counts as use at time 0. ``by`` is a member column (region, tier, gender). On
    an engine book the members are counted in the engine (:func:`_engine_first_use`): no
    use, policy or member row is read."""
    from memberdesk.analysis.survival import kaplan_meier

    if getattr(ds, "book", None) is not None:
        return _engine_first_use(ds, by, progress)
    usage, members, p = ds.benefit_usage, ds.members, ds.policies
    if usage is None:
        raise AnalysisError(Reason("benefits_no_usage"))
    if members is not None and "join_date" in members.columns and members["join_date"].notna().any():
        start, origin = members.drop_duplicates("member_id").set_index("member_id")["join_date"], "join_date"
    elif p is not None and "member_id" in p.columns and "issue_date" in p.columns:
        start, origin = p.groupby("member_id")["issue_date"].min(), "first_issue_date"
    else:
        raise AnalysisError(Reason("benefits_needs_start"), column="join_date")
    start = start.dropna()
    first = usage.groupby("member_id")["used_at"].min().reindex(start.index)
    used = first.notna().to_numpy()
    end = first.where(first.notna(), ds.as_of)
    months = ((end - start).dt.days.clip(lower=0) / schema.DAYS_PER_MONTH).to_numpy(dtype=float)
    groups: list[tuple[str, np.ndarray]] = [("all", np.ones(len(start), dtype=bool))]
    if by:
        if members is None or by not in members.columns:
            raise AnalysisError(Reason("benefits_members_lack_column", column=by), column=by)
        seg = members.drop_duplicates("member_id").set_index("member_id")[by].reindex(start.index)
        groups += [(str(v), (seg == v).to_numpy()) for v in labels.ordered_values(seg.dropna().unique())]
    curves = {}
    for name, mask in groups:
        check_cancelled(progress)
        if mask.any():
            curves[name] = kaplan_meier(months[mask], used[mask], name=name)
    return FirstUse(curves, origin, int(len(start)), int(used.sum()))


def _engine_first_use(ds: Dataset, by: str | None, progress: Progress | None) -> FirstUse:
    """:func:`time_to_first_use` on an engine book from the members' counts by segment x days
    to first use (or to as-of) x used (:func:`memberdesk.core.engine.kpi_counts.first_use_counts`:
    each member's start and first use found in the engine); Kaplan-Meier with the counts as
    frequency weights. No use, policy or member row is read."""
    from memberdesk.analysis.survival import kaplan_meier
    from memberdesk.core.engine import kpi_counts

    book = ds.book  # type: ignore[attr-defined]
    if kpi_counts.columns(book, ds, schema.BENEFIT_USAGE) is None:
        raise AnalysisError(Reason("benefits_no_usage"))
    member_cols = kpi_counts.columns(book, ds, schema.MEMBERS)
    if by and (member_cols is None or by not in member_cols):
        # the file path finds this only once it has a start: the same order of refusals
        if kpi_counts.first_use_counts(book, ds) is None:
            raise AnalysisError(Reason("benefits_needs_start"), column="join_date")
        raise AnalysisError(Reason("benefits_members_lack_column", column=by), column=by)
    answer = kpi_counts.first_use_counts(book, ds, by)
    if answer is None:
        raise AnalysisError(Reason("benefits_needs_start"), column="join_date")
    origin, frame = answer
    check_cancelled(progress)
    months = frame["days"].to_numpy(dtype=float) / schema.DAYS_PER_MONTH
    used = frame["used"].to_numpy(dtype=np.int8)
    n = frame[COUNT_COLUMN].to_numpy(dtype=np.int64)
    groups: list[tuple[str, np.ndarray]] = [("all", np.ones(len(frame), dtype=bool))]
    if by:
        seg = frame["_seg"]
        groups += [(str(v), (seg == v).fillna(False).to_numpy(dtype=bool))
                   for v in labels.ordered_values(seg.dropna().unique())]
    curves = {}
    for name, mask in groups:
        check_cancelled(progress)
        if n[mask].sum() > 0:
            curves[name] = kaplan_meier(months[mask], used[mask], weights=n[mask], name=name)
    return FirstUse(curves, origin, int(n.sum()), int((n * used).sum()))


# ---- retention of users vs non-users -----------------------------------------------------------

@dataclass(frozen=True)
class BenefitRetention:
    """Retention of benefit users vs non-users, naive and landmark, side by side.

    Attributes
    ----------
    comparison
        Rows ``naive`` and ``landmark``: ``origin`` (issue / landmark), ``users``,
        ``non_users``, ``events_users``, ``events_non_users``, ``survival_users``,
        ``survival_non_users`` (KM at ``horizon_months`` after the origin),
        ``survival_difference`` (users − non-users), ``hazard_ratio`` (users vs non-users),
        ``hr_ci_lower``, ``hr_ci_upper``, ``p_value``.
    curves
        ``{"naive": {"users": KMCurve, "non_users": KMCurve}, "landmark": {...}}``.
    """

    comparison: pd.DataFrame
    curves: dict[str, dict[str, Any]]
    landmark_months: float
    horizon_months: float

    def to_frame(self) -> pd.DataFrame:
        return self.comparison


def benefit_retention(ds: Dataset, *, landmark_months: float = 12, horizon_months: float = 24,
                      alpha: float | None = None,
                      progress: Progress | None = None) -> BenefitRetention:
    """Do benefit users stay longer? The naive answer and the landmark answer.

    **Naive split** (ever-users vs never-users): a policy is a "user" if its member used a
    benefit at any time during the policy's observed life; time runs from issue. This
    flatters users through *immortal-time bias*: to have used a benefit at month 18 a policy
    must still have been in force at month 18, so every user's early months are guaranteed
    event-free ("immortal"), while early lapsers had little time to use anything and fall in
    the non-user group. Users look more loyal even if using a benefit changes nothing.

    **Landmark analysis**: at a landmark ``landmark_months`` after issue, keep only policies
    still in force at the landmark; class them by use between issue and the landmark
    (inclusive); measure time from the landmark. Group membership is then fixed before
    follow-up starts, so no immortal time enters either group.

    Both are returned with KM survival at ``horizon_months`` after their origin and the Cox
    hazard ratio (风险比) users vs non-users; the gap between the two rows is the bias.
    The event is ``ds.event_statuses`` (default lapsed/surrendered); other exits are censored.
    ``alpha``: 1 − confidence level of the hazard ratio's interval (``hr_ci_lower``/``upper``;
    None: ``ds.assumptions.alpha``, 0.05 by default).
    """
    from memberdesk.analysis.survival import kaplan_meier

    alpha = ds.assumptions.alpha if alpha is None else alpha
    prog = ensure(progress)
    if getattr(ds, "book", None) is not None:
        return _engine_retention(ds, landmark_months, horizon_months, alpha, prog, progress)
    p, usage = ds.policies, ds.benefit_usage
    if usage is None or len(usage) == 0:
        raise AnalysisError(Reason("benefits_no_usage"))
    if p is None or ds.generic or "member_id" not in p.columns:
        raise AnalysisError(Reason("member_ids_and_dates_needed"), column="member_id")
    issue = to_days(p["issue_date"])
    life = p["duration_days"].to_numpy(dtype=float)
    land = landmark_months * schema.DAYS_PER_MONTH
    uses_between = _UseLookup(p["member_id"].to_numpy(), usage["member_id"].to_numpy(),
                              to_days(usage["used_at"]))
    ever = uses_between(issue, issue + life)
    early = uses_between(issue, np.minimum(issue + life, issue + land))
    event = p["event"].to_numpy(dtype=np.int8)
    prog.fraction(0.3)
    at_landmark = life > land
    designs = {
        "naive": ("issue", np.ones(len(p), dtype=bool), life, ever),
        "landmark": ("landmark", at_landmark, life - land, early),
    }
    rows: list[dict[str, Any]] = []
    curves: dict[str, Any] = {}
    for name, (origin, keep, days, user) in designs.items():
        check_cancelled(progress)
        d_m, ev, us = days[keep] / schema.DAYS_PER_MONTH, event[keep], user[keep]
        row: dict[str, object] = {"analysis": name, "origin": origin, "users": int(us.sum()),
                                  "non_users": int((~us).sum()),
                                  "events_users": int(ev[us].sum()),
                                  "events_non_users": int(ev[~us].sum())}
        curves[name] = {}
        for label, mask in (("users", us), ("non_users", ~us)):
            if mask.any():
                curves[name][label] = kaplan_meier(d_m[mask], ev[mask], name=label,
                                                     alpha=alpha)
        s_u = _surv(curves[name].get("users"), horizon_months)
        s_n = _surv(curves[name].get("non_users"), horizon_months)
        row.update(survival_users=s_u, survival_non_users=s_n, survival_difference=s_u - s_n)
        hr = (np.nan,) * 4
        if us.any() and (~us).any() and ev.sum() > 0:
            frame = pd.DataFrame({"duration": d_m, "event": ev, "user": us.astype(np.int8)})
            try:
                hr = cox_hr(frame, "user", alpha=alpha)
            except AnalysisError:
                pass  # too few events: HR left NaN
        row.update(hazard_ratio=hr[0], hr_ci_lower=hr[1], hr_ci_upper=hr[2], p_value=hr[3])
        rows.append(row)
        prog.fraction(0.3 + 0.35 * len(rows))
    return BenefitRetention(pd.DataFrame(rows), curves, float(landmark_months), float(horizon_months))


def _engine_retention(ds: Dataset, landmark_months: float, horizon_months: float, alpha: float,
                      prog: Progress, progress: Progress | None) -> BenefitRetention:
    """:func:`benefit_retention` on an engine book from the policies' counts by duration ×
    event × use flags (:func:`memberdesk.core.engine.kpi_counts.benefit_retention_counts`:
    each policy joined to its member's uses in the engine); no use, policy or member row is
    read. The curves are Kaplan-Meier with the counts as frequency weights; the hazard ratio
    is the Cox fit of the groups with their counts as frequency weights (the fit of the
    repeated rows, without repeating them)."""
    from memberdesk.analysis.survival import kaplan_meier
    from memberdesk.core.engine import kpi_counts

    book = ds.book  # type: ignore[attr-defined]
    land = landmark_months * schema.DAYS_PER_MONTH
    if kpi_counts.columns(book, ds, schema.BENEFIT_USAGE) is None or \
            kpi_counts.row_count(book, ds, schema.BENEFIT_USAGE) == 0:
        raise AnalysisError(Reason("benefits_no_usage"))
    policy_cols = kpi_counts.columns(book, ds, schema.POLICIES)
    if policy_cols is None or ds.generic or "member_id" not in policy_cols:
        raise AnalysisError(Reason("member_ids_and_dates_needed"), column="member_id")
    prog.status("Benefits: counting users and non-users")
    frame = kpi_counts.benefit_retention_counts(book, ds, land)
    assert frame is not None
    check_cancelled(progress)
    life = frame["duration_days"].to_numpy(dtype=float)
    event = frame["event"].to_numpy(dtype=np.int8)
    n = frame["n"].to_numpy(dtype=np.int64)
    prog.fraction(0.3)
    designs = {
        "naive": ("issue", np.ones(len(frame), dtype=bool), life,
                  frame["ever"].to_numpy(dtype=bool)),
        "landmark": ("landmark", life > land, life - land, frame["early"].to_numpy(dtype=bool)),
    }
    rows: list[dict[str, Any]] = []
    curves: dict[str, Any] = {}
    for name, (origin, keep, days, user) in designs.items():
        check_cancelled(progress)
        d_m, ev, us, w = days[keep] / schema.DAYS_PER_MONTH, event[keep], user[keep], n[keep]
        row: dict[str, object] = {"analysis": name, "origin": origin, "users": int(w[us].sum()),
                                  "non_users": int(w[~us].sum()),
                                  "events_users": int((w * ev)[us].sum()),
                                  "events_non_users": int((w * ev)[~us].sum())}
        curves[name] = {}
        for label, mask in (("users", us), ("non_users", ~us)):
            if w[mask].sum() > 0:
                curves[name][label] = kaplan_meier(d_m[mask], ev[mask], weights=w[mask],
                                                   name=label, alpha=alpha)
        s_u = _surv(curves[name].get("users"), horizon_months)
        s_n = _surv(curves[name].get("non_users"), horizon_months)
        row.update(survival_users=s_u, survival_non_users=s_n, survival_difference=s_u - s_n)
        hr = (np.nan,) * 4
        if w[us].sum() > 0 and w[~us].sum() > 0 and (w * ev).sum() > 0:
            cox = pd.DataFrame({"duration": d_m, "event": ev, "user": us.astype(np.int8),
                                "count": w})  # each count a frequency weight, not repeated
            try:
                hr = cox_hr(cox, "user", alpha=alpha, weights="count")
            except AnalysisError:
                pass  # too few events: HR left NaN
        row.update(hazard_ratio=hr[0], hr_ci_lower=hr[1], hr_ci_upper=hr[2], p_value=hr[3])
        rows.append(row)
        prog.fraction(0.3 + 0.35 * len(rows))
    return BenefitRetention(pd.DataFrame(rows), curves, float(landmark_months), float(horizon_months))



class _UseLookup:
    """Does a policy's member have a benefit use on a day in [lo, hi] (inclusive)?

    Uses are sorted once by (member, day) into integer keys ``member * width + day``; each
    question is then two binary searches (no policy x use join). Days are whole numbers
    (:func:`to_days`)."""

    def __init__(self, policy_members: np.ndarray, use_members: np.ndarray,
                 use_days: np.ndarray) -> None:
        ok = ~np.isnan(use_days) & pd.notna(use_members)
        codes, ids = pd.factorize(use_members[ok])
        days = use_days[ok]
        self.lo_day = float(days.min()) if days.size else 0.0
        self.width = (float(days.max()) - self.lo_day + 1) if days.size else 1.0
        self.keys = np.sort(codes * self.width + (days - self.lo_day))
        self.member = pd.Index(ids).get_indexer(pd.Index(policy_members)) if len(ids) else \
            np.full(len(policy_members), -1)
        # questions asked in member order run over nearly sorted needles: several times
        # faster binary searches than in policy order
        self.order = np.argsort(self.member, kind="stable")

    def __call__(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        known = (self.member >= 0) & ~np.isnan(lo) & ~np.isnan(hi)
        base = np.where(known, self.member, 0) * self.width
        with np.errstate(invalid="ignore"):
            first = np.clip(np.ceil(lo) - self.lo_day, 0, self.width)
            last = np.clip(np.floor(hi) - self.lo_day, -1, self.width - 1)
        o = self.order
        found = np.empty(o.size, dtype=np.int64)
        found[o] = (np.searchsorted(self.keys, (base + np.nan_to_num(last, nan=-1))[o], side="right")
                    - np.searchsorted(self.keys, (base + np.nan_to_num(first))[o], side="left"))
        return np.asarray(known & (found > 0), dtype=bool)

def _surv(curve: Any, t: float) -> float:
    if curve is None:
        return float("nan")
    from memberdesk.analysis.claims import survival_at

    return survival_at(curve, t)
