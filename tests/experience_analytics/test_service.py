"""Service formulas exactly per DESIGN §6 on hand-built contacts, and the lapse link."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.service import (
    contact_flags,
    rates_from_sums,
    service_lapse_link,
    service_summary,
    to_days,
    window_rate_series,
)
from memberdesk.core.dataset import Dataset

AS_OF = pd.Timestamp("2024-12-31")


def _contacts(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["member_id", "handled_by", "transferred_to_human",
                                        "connected", "satisfaction"])
    frame["started_at"] = pd.Timestamp("2024-05-01")
    for col in ("transferred_to_human", "connected"):
        frame[col] = frame[col].astype("boolean")
    frame["satisfaction"] = frame["satisfaction"].astype(float)
    return frame


def _rates(frame: pd.DataFrame) -> dict:
    return rates_from_sums(contact_flags(frame).sum())


def test_bot_replacement_counts_anonymous_and_all_contacts() -> None:
    rows = [(None, "bot", False, None, None),  # anonymous bot, kept
            ("m", "bot", True, True, None),      # transferred: not a replacement
            ("m", "human", False, True, None),
            (None, "bot", None, None, None)]     # transfer flag missing: counted as kept
    # bot & not transferred = rows 1, 4 -> 2 of 4 contacts
    assert _rates(_contacts(rows))["bot_replacement_rate"] == pytest.approx(2 / 4)


def test_human_connection_uses_handled_by_or_transfer() -> None:
    rows = [("m", "bot", True, True, None),     # queue, connected
            ("m", "bot", True, False, None),    # queue, abandoned
            ("m", "human", False, True, None),  # queue, connected
            ("m", "human", None, None, None),   # queue, connection unknown -> not connected
            ("m", "bot", False, None, None)]    # not in the queue
    assert _rates(_contacts(rows))["human_connection_rate"] == pytest.approx(2 / 4)


def test_no_human_queue_gives_none_not_error() -> None:
    rates = _rates(_contacts([("m", "bot", False, None, 5.0)]))
    assert np.isnan(rates["human_connection_rate"])
    assert rates["bot_replacement_rate"] == 1.0


def test_csat_share_of_rated_at_least_four() -> None:
    rows = [("m", "bot", False, None, s) for s in (5.0, 4.0, 3.0, 1.0, None, None)]
    assert _rates(_contacts(rows))["csat"] == pytest.approx(2 / 4)


def test_summary_monthly_and_window(books) -> None:
    summary = service_summary(books())
    m = summary.monthly.set_index("month")
    # 2024-02: C2 only (bot, transferred, connected, wait 30, rated 4)
    assert m.loc["2024-02", "bot_replacement_rate"] == 0.0
    assert m.loc["2024-02", "human_connection_rate"] == 1.0
    assert m.loc["2024-04", "wait_mean_seconds"] == 120.0  # C4
    w = summary.window.iloc[0]
    assert w["contacts"] == 6 and w["bot_replacement_rate"] == pytest.approx(3 / 6)
    # human-queue waits in 2024: C2 30, C4 120, C5 60 -> mean 70; P90 by linear interpolation
    # at position 0.9*(3-1) = 1.8 of [30, 60, 120] -> 60 + 0.8*60 = 108
    assert w["wait_mean_seconds"] == pytest.approx(70.0)
    assert w["wait_p90_seconds"] == pytest.approx(108.0)
    # resolution: outcome recorded for C1 T, C2 T, C3 F, C5 T, C6 T -> 4/5
    assert w["resolution_rate"] == pytest.approx(4 / 5)
    assert set(summary.by_channel["channel"]) == {"app", "web", "phone"}
    topics = summary.by_topic.groupby("topic")["contacts"].sum()
    assert topics["billing"] == 4 and topics["claims"] == 3


def test_summary_without_contacts_is_empty_with_reason(books) -> None:
    summary = service_summary(books("policies"))
    assert summary.monthly.empty
    assert str(summary.reasons["bot_replacement_rate"]) == "no service contacts loaded"


def test_window_series_matches_direct_masking() -> None:
    rng = np.random.default_rng(0)
    n = 500
    frame = pd.DataFrame({
        "started_at": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n), "D"),
        "handled_by": rng.choice(["bot", "human"], n),
        "transferred_to_human": pd.array(rng.random(n) < 0.2, dtype="boolean"),
        "connected": pd.array(rng.random(n) < 0.9, dtype="boolean"),
        "satisfaction": rng.choice([1.0, 3.0, 4.0, 5.0, np.nan], n),
    })
    ends = pd.Series(pd.to_datetime(["2023-06-30", "2024-03-31", "2024-12-31"]))
    starts = ends - pd.DateOffset(months=12)
    got = window_rate_series(frame, to_days(starts), to_days(ends))
    for j in range(3):
        part = frame[(frame["started_at"] > starts[j]) & (frame["started_at"] <= ends[j])]
        bot = (part["handled_by"] == "bot") & ~part["transferred_to_human"].fillna(False)
        assert got["bot_replacement_rate"][j] == pytest.approx(bot.sum() / len(part))
        queue = (part["handled_by"] == "human") | part["transferred_to_human"].fillna(False)
        conn = queue & part["connected"].fillna(False)
        assert got["human_connection_rate"][j] == pytest.approx(conn.sum() / queue.sum())


def _lapse_book(effect: float) -> Dataset:
    """4000 members with one policy each; half had a bad contact in Sept 2024; those lapse at a
    monthly rate ``effect`` times the others' (2%) from 2024-09-30 on."""
    rng = np.random.default_rng(0)
    n = 4000
    ids = [f"M{i}" for i in range(n)]
    bad = np.arange(n) < n // 2
    hazard = np.where(bad, 0.02 * effect, 0.02) / 30.4375
    lapse_day = rng.exponential(1 / hazard)
    start = pd.Timestamp("2024-09-30")
    end = start + pd.to_timedelta(np.floor(lapse_day) + 1, "D")
    lapsed = end <= AS_OF
    policies = pd.DataFrame({"policy_id": [f"P{i}" for i in range(n)], "member_id": ids,
                             "issue_date": pd.Timestamp("2022-01-01"),
                             "end_date": pd.Series(end).where(lapsed),
                             "status": np.where(lapsed, "lapsed", "in_force")})
    contacts = pd.DataFrame({"contact_id": [f"C{i}" for i in range(n)], "member_id": ids,
                             "started_at": pd.Timestamp("2024-09-15"), "handled_by": "human",
                             "resolved": pd.array(~bad, dtype="boolean"),
                             "satisfaction": np.where(bad, 1.0, 5.0)})
    return Dataset(validated={"policies": policies, "service_contacts": contacts}, as_of=AS_OF)


def test_service_lapse_link_recovers_a_doubled_hazard() -> None:
    link = service_lapse_link(_lapse_book(2.0), n_landmarks=1)
    # one landmark (2024-09-30), 3 months of follow-up: HR near the true 2
    assert link.exposed == 2000 and link.n == 4000
    assert 1.6 < link.hazard_ratio < 2.5
    assert link.ci_lower < 2.0 < link.ci_upper and link.p_value < 1e-6


def test_service_lapse_link_matches_lifelines_unaggregated() -> None:
    from lifelines import CoxPHFitter

    ds = _lapse_book(1.5)
    link = service_lapse_link(ds, n_landmarks=1)
    p = ds.policies
    land = pd.Timestamp("2024-09-30")
    days = (p["exit_date"].fillna(AS_OF) - land).dt.days
    frame = pd.DataFrame({"days": days, "event": p["event"],
                          "exposed": (p["member_id"].str[1:].astype(int) < 2000).astype(int)})
    cph = CoxPHFitter().fit(frame, "days", "event")  # unaggregated, Efron
    assert link.hazard_ratio == pytest.approx(float(np.exp(cph.params_["exposed"])), rel=1e-6)


def test_service_lapse_link_without_contacts(books) -> None:
    link = service_lapse_link(books("policies"))
    assert link.hazard_ratio is None and str(link.reason) == "no service contacts loaded"
