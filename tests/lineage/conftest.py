"""A rich hand-built book (every canonical column of five tables, every status, single and
regular premiums, paid claims on ended policies, open and late claims, anonymous contacts) for
the lineage completeness test, built straight into validated frames (no reader involved)."""
from __future__ import annotations

import numpy as np
import pandas as pd

AS_OF = pd.Timestamp("2026-06-30")


def _dates(rng: np.random.Generator, start: str, end: str, n: int) -> pd.Series:
    lo, hi = pd.Timestamp(start).value // 86_400_000_000_000, pd.Timestamp(end).value // 86_400_000_000_000
    return pd.Series(pd.to_datetime(rng.integers(lo, hi + 1, n), unit="D"))


def rich_book(n_members: int = 1500, seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    mids = [f"M{i:05d}" for i in range(n_members)]
    members = pd.DataFrame({
        "member_id": mids,
        "birth_date": _dates(rng, "1950-01-01", "2000-12-31", n_members),
        "gender": rng.choice(["F", "M"], n_members),
        "region": rng.choice(["north", "south", "east"], n_members),
        "join_date": _dates(rng, "2021-01-01", "2026-06-01", n_members),
        "tier": rng.choice(["gold", "standard"], n_members, p=[0.3, 0.7]),
    })
    n = 2 * n_members
    issue = _dates(rng, "2022-01-01", "2026-06-20", n)
    life = pd.to_timedelta(rng.choice([5, 40, 100, 200, 400, 800, 2000], n), unit="D")
    end = issue + life
    status = rng.choice(["lapsed", "surrendered", "death", "matured", "other"], n,
                        p=[0.45, 0.3, 0.1, 0.1, 0.05])
    ended = end <= AS_OF
    ended &= rng.random(n) < 0.85
    policies = pd.DataFrame({
        "policy_id": [f"P{i:06d}" for i in range(n)],
        "member_id": rng.choice(mids, n),
        "product": rng.choice(["term", "health", "annuity"], n),
        "product_type": rng.choice(["protection", "savings"], n),
        "channel": rng.choice(["agency", "bank", "broker", "online"], n),
        "issue_date": issue,
        "end_date": end.where(ended, pd.NaT),
        "status": np.where(ended, status, "in_force").astype(object),
        "annual_premium": rng.choice([800.0, 2500.0, 9000.0], n) * rng.uniform(0.8, 1.2, n),
        "sum_assured": rng.choice([1e5, 5e5], n),
        "payment_frequency": rng.choice(["annual", "monthly", "single"], n, p=[0.5, 0.4, 0.1]),
    })
    n_use = 3 * n_members
    usage = pd.DataFrame({
        "member_id": rng.choice(mids, n_use),
        "benefit": rng.choice(["check-up", "consultation", "second opinion"], n_use),
        "used_at": _dates(rng, "2022-01-01", "2026-06-30", n_use),
        "cost": rng.choice([50.0, 300.0, 900.0], n_use),
    })
    n_c = 6 * n_members
    handled = rng.choice(["bot", "human"], n_c, p=[0.6, 0.4])
    contacts = pd.DataFrame({
        "contact_id": [f"C{i:06d}" for i in range(n_c)],
        "member_id": pd.Series(rng.choice(mids, n_c)).where(rng.random(n_c) > 0.1, None),
        "started_at": _dates(rng, "2024-01-01", "2026-06-30", n_c),
        "channel": rng.choice(["app", "web", "phone"], n_c),
        "handled_by": handled.astype(object),
        "transferred_to_human": pd.array((handled == "bot") & (rng.random(n_c) < 0.25), dtype="boolean"),
        "connected": pd.array(rng.random(n_c) < 0.8, dtype="boolean"),
        "wait_seconds": rng.exponential(60, n_c),
        "resolved": pd.array(np.where(rng.random(n_c) < 0.1, None, rng.random(n_c) < 0.7), dtype="boolean"),
        "satisfaction": np.where(rng.random(n_c) < 0.4, np.nan, rng.integers(1, 6, n_c)),
        "topic": rng.choice(["billing", "claim", "benefit"], n_c),
    })
    # claims: on policies that ended (many paid: the persistency 'claim' exclusion) and others
    ended_ids = policies.loc[policies["end_date"].notna(), "policy_id"].to_numpy()
    n_k = n_members // 2
    pol = np.concatenate([rng.choice(ended_ids, n_k // 2), rng.choice(policies["policy_id"], n_k - n_k // 2)])
    reported = _dates(rng, "2023-01-01", "2026-06-25", n_k)
    settled = reported + pd.to_timedelta(rng.choice([3, 8, 20, 45, 90], n_k), unit="D")
    kstatus = rng.choice(["paid", "declined"], n_k, p=[0.8, 0.2]).astype(object)
    still_open = rng.random(n_k) < 0.1
    by_policy = policies.set_index("policy_id")["member_id"]
    claims = pd.DataFrame({
        "claim_id": [f"K{i:05d}" for i in range(n_k)],
        "policy_id": pol,
        "member_id": by_policy.loc[pol].to_numpy(),
        "reported_at": reported,
        "settled_at": settled.where(~still_open, pd.NaT),
        "status": np.where(still_open, "open", kstatus).astype(object),
        "amount_claimed": rng.choice([1000.0, 5000.0, 20000.0], n_k),
    })
    claims["amount_paid"] = np.where(claims["status"] == "paid", claims["amount_claimed"] * 0.9, 0.0)
    return {"members": members, "policies": policies, "benefit_usage": usage,
            "service_contacts": contacts, "claims": claims}


def book_dataset(tables: dict[str, pd.DataFrame]):
    from memberdesk.core.dataset import Dataset

    return Dataset(validated=tables, as_of=AS_OF)
