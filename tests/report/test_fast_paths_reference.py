"""The vectorised analyses the report leans on equal a plain pandas reference.

Each reference below is the straightforward pandas formulation of the documented definition
(groupby/nunique/merge, as the analyses were first written); the book is random with many
collapsing rows: repeated members, several uses per member and month, missing costs, missing
benefit names, uses by members without a policy.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.benefits import benefit_retention, benefit_usage
from memberdesk.analysis.service import to_days
from memberdesk.core.dataset import Dataset

AS_OF = pd.Timestamp("2024-12-31")


@pytest.fixture(scope="module")
def book() -> Dataset:
    rng = np.random.default_rng(0)
    n_pol, n_mem, n_use = 3000, 1200, 5000
    members = np.array([f"M{i}" for i in range(n_mem)], dtype=object)
    issue = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 2000, n_pol), unit="D")
    end = issue + pd.to_timedelta(rng.integers(30, 2500, n_pol), unit="D")
    ended = np.asarray(end <= AS_OF)
    policies = pd.DataFrame({
        "policy_id": np.array([f"P{i}" for i in range(n_pol)], dtype=object),
        "member_id": members[rng.integers(0, n_mem - 100, n_pol)],  # the last 100: no policy
        "product": rng.choice(np.array(["life", "health"], dtype=object), n_pol),
        "channel": rng.choice(np.array(["agency", "bank", "online"], dtype=object), n_pol),
        "issue_date": issue,
        "end_date": pd.Series(end).where(ended).to_numpy(dtype="datetime64[ns]"),
        "status": np.where(ended, rng.choice(np.array(["lapsed", "death"], dtype=object), n_pol),
                           "in_force").astype(object),
        "annual_premium": rng.uniform(100, 5000, n_pol).round(2),
    })
    cost = rng.uniform(10, 300, n_use).round(2)
    cost[rng.random(n_use) < 0.2] = np.nan
    benefit = rng.choice(np.array(["checkup", "consult", "dental"], dtype=object), n_use)
    benefit[rng.random(n_use) < 0.05] = None
    cost[benefit == "dental"] = np.nan  # an item without any cost
    usage = pd.DataFrame({
        "member_id": members[rng.integers(0, n_mem, n_use)],
        "benefit": benefit,
        "used_at": AS_OF - pd.to_timedelta(rng.integers(0, 1400, n_use), unit="D"),
        "cost": cost,
    })
    mem = pd.DataFrame({"member_id": members,
                        "region": rng.choice(np.array(["north", "south"], dtype=object), n_mem)})
    return Dataset(validated={"policies": policies, "benefit_usage": usage, "members": mem},
                   as_of=AS_OF)


def _reference_usage(ds: Dataset, window_months: int = 12):
    u = ds.benefit_usage.copy()
    u["benefit"] = u["benefit"].fillna("(missing)")
    u["month"] = u["used_at"].dt.strftime("%Y-%m")
    agg = {"uses": ("member_id", "size"), "users": ("member_id", "nunique"),
           "cost": ("cost", lambda c: c.sum(min_count=1))}
    monthly = u.groupby(["month", "benefit"], sort=True).agg(**agg).reset_index()
    w = u[u["used_at"] > ds.as_of - pd.DateOffset(months=window_months)]
    by_benefit = w.groupby("benefit", sort=True).agg(**agg).reset_index()
    p = ds.policies
    live = p[(p["issue_date"] <= ds.as_of) & p["exit_date"].isna()]
    per_member = w.groupby("member_id").agg(uses=("benefit", "size"),
                                            cost=("cost", lambda c: c.sum(min_count=1)))
    ids = pd.Index(live["member_id"].dropna().unique())
    pm = per_member.reindex(ids).dropna(how="all")
    return monthly, by_benefit, (len(ids), len(pm), float(pm["uses"].sum()),
                                 float(pm["cost"].sum(min_count=1)))


def test_benefit_usage_equals_groupby_reference(book):
    res = benefit_usage(book, by="region")
    monthly, by_benefit, (members, users, uses, cost) = _reference_usage(book)
    pd.testing.assert_frame_equal(res.monthly.reset_index(drop=True), monthly,
                                  check_dtype=False)
    pd.testing.assert_frame_equal(res.by_benefit.drop(columns="cost_per_use"), by_benefit,
                                  check_dtype=False)
    assert np.isnan(by_benefit.set_index("benefit").loc["dental", "cost"])  # the NaN case is hit
    row = res.segments.iloc[0]
    assert row["segment"] == "all"
    assert (row["in_force_members"], row["users"]) == (members, users)
    assert row["uses"] == uses and row["cost"] == pytest.approx(cost, rel=1e-12)


def test_benefit_retention_flags_equal_merge_reference(book):
    res = benefit_retention(book, landmark_months=12)
    p, u = book.policies, book.benefit_usage
    issue = to_days(p["issue_date"])
    life = p["duration_days"].to_numpy(dtype=float)
    pol = pd.DataFrame({"row": np.arange(len(p)), "member_id": p["member_id"].to_numpy(),
                        "issue": issue, "end": issue + life})
    uses = pd.DataFrame({"member_id": u["member_id"].to_numpy(), "day": to_days(u["used_at"])})
    j = pol.merge(uses, on="member_id")
    during = j[(j["day"] >= j["issue"]) & (j["day"] <= j["end"])]
    ever = np.zeros(len(p), dtype=bool)
    ever[during["row"].to_numpy()] = True
    early = np.zeros(len(p), dtype=bool)
    early[during.loc[during["day"] <= during["issue"] + 12 * 365.25 / 12, "row"].to_numpy()] = True
    at_landmark = life > 12 * 365.25 / 12
    event = p["event"].to_numpy(dtype=bool)
    comp = res.comparison.set_index("analysis")
    assert comp.loc["naive", "users"] == ever.sum() > 0
    assert comp.loc["naive", "events_users"] == (event & ever).sum()
    assert comp.loc["landmark", "users"] == (early & at_landmark).sum() > 0
    assert comp.loc["landmark", "non_users"] == (~early & at_landmark).sum()
    assert comp.loc["landmark", "events_users"] == (event & early & at_landmark).sum()


def test_extra_column_probe_gives_the_full_answer():
    from memberdesk.core.normalize import clean_text, extra_column

    late_text = np.array([str(i) for i in range(5000)] + ["abc"], dtype=object)
    out = extra_column(late_text)  # numbers in the probed head, text further down
    assert out.dtype == object and list(out) == list(clean_text(late_text))
    numbers = np.array([f" {i}.5 " for i in range(3000)] + [""], dtype=object)
    out = extra_column(numbers)
    assert out.dtype == float and out[10] == 10.5 and np.isnan(out[-1])
    words = np.array(["agency", " bank ", None, "bank"] * 5000, dtype=object)
    out = extra_column(words)  # categories: shared strings, same values as plain cleaning
    assert list(out) == list(clean_text(words)) and out[1] == "bank" and out[2] is None


def test_service_month_keys_equal_strftime():
    from memberdesk.analysis.service import _month_keys

    rng = np.random.default_rng(1)
    dates = pd.Series(pd.Timestamp("1965-03-01") + pd.to_timedelta(rng.integers(0, 25000, 3000),
                                                                   unit="D"))
    dates[::7] = pd.NaT
    got = _month_keys(dates)
    expected = dates.dt.strftime("%Y-%m")
    assert got.isna().equals(expected.isna()) and got.isna().sum() > 0
    assert (got[dates.notna()] == expected[dates.notna()]).all()
