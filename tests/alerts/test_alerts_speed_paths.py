"""The alerts' fast paths against plain references written out here.

* Segment coding (:class:`SegmentSource`): the code of every counted unit of each entity
  (policies, members, contacts, claims) equals a lookup done row by row with dictionaries —
  own column, else the members table, else the member's earliest-issued policy (claims: their
  own policy first), missing or unmatched → ``(missing)`` — also when only some rows are coded
  (:meth:`SegmentSource.restrict`).
* Benefit usage in the run encoding (in-force runs + used member-months): the book's and each
  region's monthly n and x equal counting member by member and month by month.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from memberdesk.analysis.alerts import compute_alerts, load_rules
from memberdesk.analysis.alerts.monitored import MISSING_LEVEL, SegmentSource
from memberdesk.core.dataset import Dataset

AS_OF = pd.Timestamp("2026-11-30")


def _book(seed: int = 7) -> Dataset:
    rng = np.random.default_rng(seed)
    members = pd.DataFrame({
        "member_id": [f"M{i:02d}" for i in range(50)],          # M40..M49 hold no policy
        "region": rng.choice(np.array(["north", "south", "east", None], dtype=object), 50),
        "tier": rng.choice(np.array(["basic", "gold"], dtype=object), 50),
    })
    n_pol = 120
    holders = np.array([f"M{i:02d}" for i in rng.integers(0, 40, n_pol)], dtype=object)
    holders[rng.random(n_pol) < 0.05] = None
    issue = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.choice([0, 31, 200, 400, 600, 800], n_pol),
                                                         unit="D")          # ties on purpose
    end = issue + pd.to_timedelta(rng.integers(20, 900, n_pol), unit="D")
    ended = end <= AS_OF
    policies = pd.DataFrame({
        "policy_id": [f"P{i:03d}" for i in range(n_pol)], "member_id": holders,
        "product": rng.choice(np.array(["term", "health", "annuity"], dtype=object), n_pol),
        "channel": rng.choice(np.array(["agency", "bank", None], dtype=object), n_pol),
        "issue_date": issue, "end_date": pd.Series(end).where(ended),
        "status": np.where(ended, rng.choice(["lapsed", "surrendered"], n_pol), "in_force").astype(object),
    })
    n_con = 300
    who = np.array([f"M{i:02d}" for i in rng.integers(0, 60, n_con)], dtype=object)  # M50+ unknown
    who[rng.random(n_con) < 0.1] = None
    contacts = pd.DataFrame({
        "contact_id": [f"C{i}" for i in range(n_con)], "member_id": who,
        "started_at": pd.Timestamp("2025-06-01") + pd.to_timedelta(rng.integers(0, 500, n_con), unit="D"),
        "channel": rng.choice(np.array(["app", "phone", None], dtype=object), n_con),
        "handled_by": rng.choice(np.array(["bot", "human"], dtype=object), n_con),
    })
    n_clm = 80
    pol_ids = np.array([f"P{i:03d}" for i in rng.integers(0, n_pol + 10, n_clm)], dtype=object)  # some unknown
    claims = pd.DataFrame({
        "claim_id": [f"K{i}" for i in range(n_clm)], "policy_id": pol_ids,
        "member_id": np.array([f"M{i:02d}" for i in rng.integers(0, 50, n_clm)], dtype=object),
        "reported_at": pd.Timestamp("2025-06-01") + pd.to_timedelta(rng.integers(0, 500, n_clm), unit="D"),
        "settled_at": pd.NaT, "status": "open",
    })
    return Dataset(validated={"members": members, "policies": policies,
                              "service_contacts": contacts, "claims": claims}, as_of=AS_OF)


def _label(value: object) -> str:
    return MISSING_LEVEL if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _reference(ds: Dataset, entity: str, column: str) -> list[str] | None:
    """The segment label of every row of ``entity``, looked up row by row."""
    pol, mem = ds.policies, ds.members
    assert pol is not None and mem is not None
    first_policy: dict[str, int] = {}
    for i, (m, d) in enumerate(zip(pol["member_id"], pol["issue_date"])):
        if m is not None and (m not in first_policy or d < pol["issue_date"].iloc[first_policy[m]]):
            first_policy[m] = i                                  # earliest; ties: first row
    member_row = {m: i for i, m in enumerate(mem["member_id"])}
    policy_row = {p: i for i, p in enumerate(pol["policy_id"])}
    if entity == "policies":
        return [_label(v) for v in pol[column]] if column in pol.columns else None
    if entity == "members":
        keys, own = list(pd.unique(pol["member_id"].dropna())), None
    else:
        own = ds.service_contacts if entity == "service_contacts" else ds.claims
        assert own is not None
        keys = list(own["member_id"])
    if own is not None and column in own.columns:
        return [_label(v) for v in own[column]]
    if entity == "claims" and column in pol.columns:
        rows = [policy_row.get(p) for p in own["policy_id"]]  # type: ignore[index]
        return [MISSING_LEVEL if r is None else _label(pol[column].iloc[r]) for r in rows]
    if column in mem.columns:
        rows = [member_row.get(k) for k in keys]
        return [MISSING_LEVEL if r is None else _label(mem[column].iloc[r]) for r in rows]
    if column in pol.columns:
        rows = [first_policy.get(k) for k in keys]
        return [MISSING_LEVEL if r is None else _label(pol[column].iloc[r]) for r in rows]
    return None


def _coded(source: SegmentSource, entity: str, rows: np.ndarray, column: str) -> list[str] | None:
    got = source.units(entity, rows).codes(column)  # type: ignore[arg-type]
    if got is None:
        return None
    codes, levels = got
    return [levels[c] for c in codes]


def test_segment_codes_equal_a_row_by_row_lookup() -> None:
    ds = _book()
    entities = {"policies": len(ds.policies), "service_contacts": len(ds.service_contacts),  # type: ignore[arg-type]
                "claims": len(ds.claims)}  # type: ignore[arg-type]
    source = SegmentSource(ds)
    entities["members"] = len(source.member_ids)
    checked = 0
    for entity, n in entities.items():
        rows = np.arange(n, dtype=np.int64)
        for column in ("channel", "product", "region", "tier", "nothing"):
            ref = _reference(ds, entity, column)
            got = _coded(source, entity, rows, column)
            assert (got is None) == (ref is None), (entity, column)
            if got is not None:
                assert got == ref, (entity, column)
                checked += 1
    assert checked >= 13
    # every route is exercised: a contact of a member without a policy, of an unknown member,
    # without a member id; a claim of an unknown policy
    ref = _reference(ds, "service_contacts", "product")
    assert ref is not None and MISSING_LEVEL in ref and len(set(ref)) == 4


def test_segment_codes_of_the_needed_rows_only() -> None:
    """Coding only some rows of each entity gives those rows the same codes."""
    ds = _book(seed=11)
    rng = np.random.default_rng(2)
    full = SegmentSource(ds)
    part = SegmentSource(ds)
    sizes = {"service_contacts": len(ds.service_contacts), "claims": len(ds.claims),  # type: ignore[arg-type]
             "members": len(full.member_ids)}
    needed = {e: np.flatnonzero(rng.random(n) < 0.4).astype(np.int64) for e, n in sizes.items()}
    part.restrict(needed)  # type: ignore[arg-type]
    for entity, rows in needed.items():
        units = np.sort(rng.choice(rows, 2 * len(rows)))        # units repeat rows
        for column in ("channel", "product", "region", "tier"):
            every = _coded(full, entity, np.arange(sizes[entity], dtype=np.int64), column)
            got = _coded(part, entity, units, column)
            if every is None:
                assert got is None
                continue
            assert got == [every[r] for r in units], (entity, column)


def test_benefit_usage_runs_count_member_by_member() -> None:
    """n = members with a policy in force at the month end, x = those of them with a benefit
    use in the month (several uses count once), by month for the book and by region."""
    ds = _book(seed=3)
    rng = np.random.default_rng(5)
    n_use = 400
    usage = pd.DataFrame({
        "member_id": np.array([f"M{i:02d}" for i in rng.integers(0, 55, n_use)], dtype=object),
        "benefit": "checkup",
        "used_at": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 700, n_use), unit="D"),
    })
    ds = Dataset(validated={**ds.validated, "benefit_usage": usage}, as_of=AS_OF)
    result = compute_alerts(ds, load_rules().with_segments(("region",)))
    book = result.book[result.book["metric"] == "benefit_usage_rate_monthly"]
    monthly = result.monthly[(result.monthly["metric"] == "benefit_usage_rate_monthly")
                             & (result.monthly["column"] == "region")]
    pol, mem = ds.policies, ds.members
    assert pol is not None and mem is not None and len(book) == 14
    region = dict(zip(mem["member_id"], mem["region"]))
    by_region: dict[tuple[str, str], list[int]] = {}
    for month, x, n in zip(book["month"], book["x"], book["n"]):
        start = pd.Period(month, freq="M").start_time
        end = pd.Period(month, freq="M").end_time.normalize()
        count = used = 0
        for m in pd.unique(pol["member_id"].dropna()):
            own = pol[pol["member_id"] == m]
            in_force = ((own["issue_date"] <= end)
                        & (own["exit_date"].isna() | (own["exit_date"] > end))).any()
            if not in_force:
                continue
            u = usage[(usage["member_id"] == m) & (usage["used_at"] >= start) & (usage["used_at"] <= end)]
            count += 1
            used += int(len(u) > 0)
            cell = by_region.setdefault((_label(region.get(m)), month), [0, 0])
            cell[0] += int(len(u) > 0)
            cell[1] += 1
        assert (x, n) == (used, count), month
    assert book["n"].sum() > 0 and book["x"].sum() > 0
    for seg, month, x, n in zip(monthly["segment"], monthly["month"], monthly["x"], monthly["n"]):
        assert [x, n] == by_region.get((seg, month), [0, 0]), (seg, month)
    months = set(monthly["month"])
    assert len(months) == 12 and monthly["n"].sum() == sum(
        n for (_, month), (_, n) in by_region.items() if month in months)
