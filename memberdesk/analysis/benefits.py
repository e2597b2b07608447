"""Benefits (权益) analytics: usage, time to first use, and retention of users vs non-users.

Definitions
-----------
* A member is **in force** at a date when at least one of their policies is: issued on or
  before it and not terminated on or before it (DESIGN §4).
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
from memberdesk.core import schema
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, check_cancelled, ensure

MEMBER_SEGMENTS: tuple[str, ...] = ("region", "tier", "gender")


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
    reason: str | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.segments


def benefit_usage(ds: Dataset, *, by: str | None = None, window_months: int = 12,
                  progress: Progress | None = None) -> BenefitUsage:
    """Usage by benefit and month, and per-member ratios over the trailing ``window_months``
    (see the module docstring for definitions and how segments are assigned)."""
    prog = ensure(progress)
    usage, p = ds.benefit_usage, ds.policies
    seg_cols = ["segment", "in_force_members", "users", "usage_rate", "uses",
                "uses_per_100_members", "cost", "cost_per_member"]
    if usage is None or len(usage) == 0:
        empty = pd.DataFrame(columns=seg_cols)
        return BenefitUsage(pd.DataFrame(columns=["month", "benefit", "uses", "users", "cost"]),
                            pd.DataFrame(columns=["benefit", "uses", "users", "cost", "cost_per_use"]),
                            empty, by, "no benefit usage loaded" if usage is None else
                            "no benefit use up to the as-of date")
    u = usage.copy()
    if "cost" not in u.columns:
        u["cost"] = np.nan
    if "benefit" not in u.columns:
        u["benefit"] = "(all)"
    u["benefit"] = u["benefit"].fillna("(missing)")
    u["month"] = u["used_at"].dt.strftime("%Y-%m")
    monthly = (u.groupby(["month", "benefit"], sort=True)
               .agg(uses=("member_id", "size"), users=("member_id", "nunique"),
                    cost=("cost", lambda c: c.sum(min_count=1))).reset_index())
    start = ds.as_of - pd.DateOffset(months=window_months)
    w = u[u["used_at"] > start]
    by_benefit = (w.groupby("benefit", sort=True)
                  .agg(uses=("member_id", "size"), users=("member_id", "nunique"),
                       cost=("cost", lambda c: c.sum(min_count=1))).reset_index())
    by_benefit["cost_per_use"] = by_benefit["cost"] / by_benefit["uses"]
    prog.fraction(0.4)
    check_cancelled(progress)
    if p is None or ds.generic or "member_id" not in p.columns:
        return BenefitUsage(monthly, by_benefit, pd.DataFrame(columns=seg_cols), by,
                            "policies with member ids and dates are needed for per-member ratios")
    live = p[(p["issue_date"] <= ds.as_of) & p["exit_date"].isna()] if "exit_date" in p.columns else p
    groups: list[tuple[str, pd.Index]] = [("all", pd.Index(live["member_id"].dropna().unique()))]
    if by:
        groups += _segment_members(ds, live, by)
    per_member = w.groupby("member_id").agg(uses=("benefit", "size"),
                                            cost=("cost", lambda c: c.sum(min_count=1)))
    rows = []
    for name, ids in groups:
        pm = per_member.reindex(ids).dropna(how="all")
        n = len(ids)
        uses, cost = float(pm["uses"].sum()), float(pm["cost"].sum(min_count=1))
        rows.append({"segment": name, "in_force_members": n, "users": len(pm),
                     "usage_rate": len(pm) / n if n else np.nan, "uses": uses,
                     "uses_per_100_members": 100 * uses / n if n else np.nan, "cost": cost,
                     "cost_per_member": cost / n if n else np.nan})
    prog.fraction(1.0)
    return BenefitUsage(monthly, by_benefit, pd.DataFrame(rows, columns=seg_cols), by)


def _segment_members(ds: Dataset, live: pd.DataFrame, by: str) -> list[tuple[str, pd.Index]]:
    if by in MEMBER_SEGMENTS and ds.members is not None and by in ds.members.columns:
        attr = ds.members.drop_duplicates("member_id").set_index("member_id")[by]
        ids = pd.Index(live["member_id"].dropna().unique())
        seg = attr.reindex(ids)
        return [(str(level), ids[(seg == level).to_numpy()]) for level in sorted(seg.dropna().unique())]
    if by in live.columns:
        return [(str(level), pd.Index(g["member_id"].dropna().unique()))
                for level, g in live.groupby(live[by].astype(str), sort=True)]
    raise AnalysisError(f"cannot segment benefit usage by {by!r}", column=by)


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
    the start counts as use at time 0. ``by`` is a member column (region, tier, gender)."""
    from memberdesk.analysis.survival import kaplan_meier

    usage, members, p = ds.benefit_usage, ds.members, ds.policies
    if usage is None:
        raise AnalysisError("no benefit usage loaded")
    if members is not None and "join_date" in members.columns and members["join_date"].notna().any():
        start, origin = members.drop_duplicates("member_id").set_index("member_id")["join_date"], "join_date"
    elif p is not None and "member_id" in p.columns and "issue_date" in p.columns:
        start, origin = p.groupby("member_id")["issue_date"].min(), "first_issue_date"
    else:
        raise AnalysisError("members.join_date or policy issue dates are needed", column="join_date")
    start = start.dropna()
    first = usage.groupby("member_id")["used_at"].min().reindex(start.index)
    used = first.notna().to_numpy()
    end = first.where(first.notna(), ds.as_of)
    months = ((end - start).dt.days.clip(lower=0) / schema.DAYS_PER_MONTH).to_numpy(dtype=float)
    groups: list[tuple[str, np.ndarray]] = [("all", np.ones(len(start), dtype=bool))]
    if by:
        if members is None or by not in members.columns:
            raise AnalysisError(f"members have no {by!r} column", column=by)
        seg = members.drop_duplicates("member_id").set_index("member_id")[by].reindex(start.index)
        groups += [(str(v), (seg == v).to_numpy()) for v in sorted(seg.dropna().unique())]
    curves = {}
    for name, mask in groups:
        check_cancelled(progress)
        if mask.any():
            curves[name] = kaplan_meier(months[mask], used[mask], name=name)
    return FirstUse(curves, origin, int(len(start)), int(used.sum()))


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
    """
    from memberdesk.analysis.survival import kaplan_meier

    prog = ensure(progress)
    p, usage = ds.policies, ds.benefit_usage
    if usage is None or len(usage) == 0:
        raise AnalysisError("no benefit usage loaded")
    if p is None or ds.generic or "member_id" not in p.columns:
        raise AnalysisError("policies with member ids and issue dates are needed", column="member_id")
    issue = to_days(p["issue_date"])
    life = p["duration_days"].to_numpy(dtype=float)
    land = landmark_months * schema.DAYS_PER_MONTH
    uses = pd.DataFrame({"member_id": usage["member_id"].to_numpy(), "day": to_days(usage["used_at"])})
    pol = pd.DataFrame({"row": np.arange(len(p)), "member_id": p["member_id"].to_numpy(),
                        "issue": issue, "end": issue + life})
    joined = pol.merge(uses.dropna(), on="member_id")
    during = joined[(joined["day"] >= joined["issue"]) & (joined["day"] <= joined["end"])]
    ever = np.zeros(len(p), dtype=bool)
    ever[during["row"].to_numpy()] = True
    early = np.zeros(len(p), dtype=bool)
    early[during.loc[during["day"] <= during["issue"] + land, "row"].to_numpy()] = True
    event = p["event"].to_numpy(dtype=np.int8)
    prog.fraction(0.3)
    at_landmark = life > land
    designs = {
        "naive": ("issue", np.ones(len(p), dtype=bool), life, ever),
        "landmark": ("landmark", at_landmark, life - land, early),
    }
    rows, curves = [], {}
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
                curves[name][label] = kaplan_meier(d_m[mask], ev[mask], name=label)
        s_u = _surv(curves[name].get("users"), horizon_months)
        s_n = _surv(curves[name].get("non_users"), horizon_months)
        row.update(survival_users=s_u, survival_non_users=s_n, survival_difference=s_u - s_n)
        hr = (np.nan,) * 4
        if us.any() and (~us).any() and ev.sum() > 0:
            frame = pd.DataFrame({"duration": d_m, "event": ev, "user": us.astype(np.int8)})
            try:
                hr = cox_hr(frame, "user")
            except AnalysisError:
                pass  # too few events: HR left NaN
        row.update(hazard_ratio=hr[0], hr_ci_lower=hr[1], hr_ci_upper=hr[2], p_value=hr[3])
        rows.append(row)
        prog.fraction(0.3 + 0.35 * len(rows))
    return BenefitRetention(pd.DataFrame(rows), curves, float(landmark_months), float(horizon_months))


def _surv(curve: Any, t: float) -> float:
    if curve is None:
        return float("nan")
    from memberdesk.analysis.claims import survival_at

    return survival_at(curve, t)
