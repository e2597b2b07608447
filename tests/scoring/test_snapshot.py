"""Point-in-time snapshots: no feature can peek past the cut-off; labels per the issue
(voluntary exit in (t, t+h]; deaths and maturities compete, they are not lapses)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.scoring.snapshot import prepare_book, take_snapshot
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError

T = pd.Timestamp("2025-06-30")


def test_features_at_t_unchanged_when_rows_after_t_are_deleted(book: dict[str, pd.DataFrame],
                                                              dataset: Dataset,
                                                              known_at: Any) -> None:
    full = take_snapshot(prepare_book(dataset), T, 12)
    truncated_ds = Dataset(validated=known_at(book, T), as_of=T)
    cut = take_snapshot(prepare_book(truncated_ds), T, 12, labels=False)
    assert full.n > 5_000
    assert list(full.policy_id) == list(cut.policy_id)
    pd.testing.assert_frame_equal(full.features, cut.features)
    # the label does see the future: some of these policies did lapse after t
    assert full.event is not None and full.event.sum() > 100


def test_a_feature_that_peeks_would_be_caught(book: dict[str, pd.DataFrame], dataset: Dataset) -> None:
    """The comparison above is sensitive: a benefit use moved one day past t changes it."""
    changed = dict(book)
    b = book["benefit_usage"].copy()
    first = int(np.flatnonzero((b["used_at"] <= T) & (b["used_at"] > T - pd.Timedelta(days=80)))[0])
    b.loc[first, "used_at"] = T + pd.Timedelta(days=1)
    changed["benefit_usage"] = b
    a = take_snapshot(prepare_book(dataset), T, 12, labels=False).features
    c = take_snapshot(prepare_book(Dataset(validated=changed, as_of=dataset.as_of)), T, 12,
                      labels=False).features
    assert not a["uses_3m"].equals(c["uses_3m"])


def _tiny() -> Dataset:
    d = pd.Timestamp
    policies = pd.DataFrame({
        "policy_id": ["A", "B", "C", "D", "E"],
        "member_id": ["M1", "M2", "M3", "M1", "M3"],
        "product": ["term"] * 5, "channel": ["online", "agency", "online", "online", "agency"],
        "issue_date": [d("2020-01-01"), d("2021-03-15"), d("2022-12-31"), d("2019-01-01"),
                       d("2025-01-15")],
        "end_date": [d("2025-03-01"), d("2025-02-01"), d("2025-06-01"), d("2024-06-01"), pd.NaT],
        "status": ["lapsed", "death", "surrendered", "lapsed", "in_force"],
        "annual_premium": [1200.0, 800.0, 5000.0, 100.0, 300.0],
        "payment_frequency": ["monthly", "annual", "annual", "annual", "annual"],
    })
    members = pd.DataFrame({"member_id": ["M1", "M2", "M3"],
                            "birth_date": [d("1980-12-31"), d("1990-06-30"), d("1970-01-01")],
                            "gender": ["F", "M", "F"], "join_date": [d("2018-12-31")] * 3,
                            "tier": ["standard", "gold", "standard"], "region": ["x", "y", "x"]})
    benefits = pd.DataFrame({"member_id": ["M1", "M1", "M2"], "benefit": ["a", "a", "a"],
                             "used_at": [d("2024-11-15"), d("2025-01-10"), d("2024-01-01")],
                             "cost": [1.0, 1.0, 1.0]})
    contacts = pd.DataFrame({"contact_id": ["c1", "c2", "c3"], "member_id": ["M1", "M1", "M3"],
                             "started_at": [d("2024-12-01"), d("2025-01-05"), d("2024-12-20")],
                             "handled_by": ["bot"] * 3,
                             "transferred_to_human": pd.array([False, False, True], dtype="boolean"),
                             "resolved": pd.array([False, False, True], dtype="boolean"),
                             "satisfaction": [np.nan, 1.0, 2.0]})
    claims = pd.DataFrame({"claim_id": ["k1"], "policy_id": ["A"], "member_id": ["M1"],
                           "reported_at": [d("2024-12-01")], "settled_at": [d("2025-01-20")],
                           "status": ["declined"]})
    return Dataset(validated={"policies": policies, "members": members, "benefit_usage": benefits,
                              "service_contacts": contacts, "claims": claims},
                   as_of=d("2025-06-30"))


def test_labels_and_features_of_a_hand_made_book() -> None:
    snap = take_snapshot(prepare_book(_tiny()), pd.Timestamp("2024-12-31"), 3)
    # D ended before t, E was issued after t: only A, B, C were in force on 2024-12-31
    assert list(snap.policy_id) == ["A", "B", "C"]
    # window (2024-12-31, 2025-03-31] = 90 days, scaled to 3 months
    # A lapsed 2025-03-01: 60 days -> 60 * 3 / 90 = 2.0 months, an event
    # B died 2025-02-01: 32 days -> 32 / 30 = 1.0667 months, competing, not an event
    # C surrendered 2025-06-01, after the window: in force, censored at 3 months
    assert snap.event.tolist() == [1, 0, 0]
    assert snap.competing.tolist() == [0, 1, 0]
    np.testing.assert_allclose(snap.time, [2.0, 32 / 30, 3.0])
    f = snap.features.set_index(snap.policy_id)
    # M1: one use on 2024-11-15 (the 2025-01-10 use is after t); no use for M3
    assert f.loc["A", "uses_3m"] == 1 and f.loc["A", "uses_12m"] == 1
    assert f.loc["A", "months_since_use"] == pytest.approx(46 / (365.25 / 12))
    assert f.loc["C", "months_since_use"] == 24.0
    # contacts in (t - 90 d, t]: M1 has the unresolved 2024-12-01 one (c2 is after t);
    # M3 one resolved contact rated 2 (a low rating) that was transferred to a human
    assert f.loc["A", ["contacts_90d", "unresolved_90d", "low_ratings_90d"]].tolist() == [1, 1, 0]
    assert f.loc["C", ["contacts_90d", "unresolved_90d", "low_ratings_90d", "transfers_90d"]
                 ].tolist() == [1, 0, 1, 1]
    # the claim settled (declined) after t was open at t
    assert f.loc["A", ["open_claims", "declined_claims"]].tolist() == [1, 0]
    # M1's policy D lapsed before t: a past lapse; M3's E not yet issued: one policy in force
    assert f.loc["A", "past_lapses"] == 1 and f.loc["C", "inforce_policies"] == 1
    assert f.loc["A", "age"] == pytest.approx(44 * 365.25 / 365.25, abs=0.01)
    # C was issued exactly two years before t (24 months completed): policy year band "2"
    assert f.loc["A", "duration_band"] == "4+" and f.loc["C", "duration_band"] == "2"
    # C's next anniversary (2025-12-31) is beyond 3 months; B's is on 2025-03-15
    assert f.loc["B", "anniversary_in_horizon"] == 1 and f.loc["C", "anniversary_in_horizon"] == 0


def test_window_not_fully_observed_is_flagged() -> None:
    snap = take_snapshot(prepare_book(_tiny()), pd.Timestamp("2025-05-31"), 3)
    assert not snap.observed
    assert snap.time.max() <= 1.0 + 1e-9   # observed up to the as-of 2025-06-30 only


def test_generic_tables_and_bad_horizons_are_refused() -> None:
    generic = Dataset(validated={"policies": pd.DataFrame({"policy_id": ["a"], "duration": [1.0],
                                                           "event": [True]})},
                      as_of=pd.Timestamp("2025-01-01"), generic=True)
    with pytest.raises(AnalysisError, match="dated policies"):
        prepare_book(generic)
    with pytest.raises(AnalysisError, match="horizon"):
        take_snapshot(prepare_book(_tiny()), pd.Timestamp("2024-12-31"), 5)


def test_global_filters_restrict_the_snapshot(dataset: Dataset) -> None:
    from memberdesk.core.dataset import Filters

    online = dataset.with_filters(Filters(channel=("online",)))
    snap = take_snapshot(prepare_book(online), T, 12)
    full = take_snapshot(prepare_book(dataset), T, 12)
    assert set(snap.features["channel"]) == {"online"}
    assert snap.n == int((full.features["channel"] == "online").sum())
