"""Alerts on hand-built books (see conftest): the right metric and segment, honest limits,
overdispersion stated, statuses across runs."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.alerts import acknowledge, apply_history, compute_alerts, load_rules
from memberdesk.analysis.alerts.funnel import binomial_limit
from memberdesk.analysis.alerts.history import AlertHistory, load_history, save_history

from .conftest import AS_OF, JUMP_MONTHS, dataset, make_book


@pytest.fixture(scope="module")
def jump_book() -> pd.DataFrame:
    return make_book(jump=True)


@pytest.fixture(scope="module")
def flat_book() -> pd.DataFrame:
    return make_book(jump=False)


def _alarms(result) -> set[tuple[str, str, str]]:
    return {(a.metric, a.column, a.segment_value) for a in result.alerts if a.level == "alarm"}


def _hand_free_look(book: pd.DataFrame, channel: str) -> tuple[int, int]:
    """Broker policies issued in the window and their voluntary exits within 15 days."""
    issued = book[(book["channel"] == channel)
                  & book["issue_date"].dt.strftime("%Y-%m").isin(JUMP_MONTHS)]
    days = (issued["end_date"] - issued["issue_date"]).dt.days
    cancelled = issued["status"].isin(["lapsed", "surrendered"]) & (days <= 15)
    return int(cancelled.sum()), len(issued)


def test_jump_gives_an_alarm_on_exactly_that_metric_and_segment(jump_book: pd.DataFrame) -> None:
    result = compute_alerts(dataset(jump_book))
    assert _alarms(result) == {("free_look_cancellation_rate", "channel", "broker")}
    alarms = [a for a in result.alerts if a.level == "alarm"]
    assert {a.method for a in alarms} == {"funnel_binomial", "cusum"}
    funnel = next(a for a in alarms if a.method == "funnel_binomial")
    x, n = _hand_free_look(jump_book, "broker")
    assert (funnel.n, funnel.value) == (n, pytest.approx(x / n))
    # the book's rate over the same three months, and the exact 99.8 % upper limit at n
    window = jump_book[jump_book["issue_date"].dt.strftime("%Y-%m").isin(JUMP_MONTHS)]
    days = (window["end_date"] - window["issue_date"]).dt.days
    p0 = float((window["status"].isin(["lapsed", "surrendered"]) & (days <= 15)).mean())
    assert funnel.expected == pytest.approx(p0)
    assert funnel.upper == pytest.approx(binomial_limit(p0, n, 0.999)[0])
    assert funnel.value > funnel.upper and funnel.period == "2026-10"
    assert funnel.since in JUMP_MONTHS
    cusum = next(a for a in alarms if a.method == "cusum")
    assert cusum.since in JUMP_MONTHS and cusum.statistic >= cusum.threshold == 5.0
    assert result.alarmed_metrics() == {"free_look_cancellation_rate"}


def test_same_book_without_the_jump_has_no_alarm(flat_book: pd.DataFrame) -> None:
    result = compute_alerts(dataset(flat_book))
    assert _alarms(result) == set()
    # the funnel was drawn (all four channels, in control)
    f = result.funnel
    rows = f[(f["metric"] == "free_look_cancellation_rate") & (f["column"] == "channel")]
    assert sorted(rows["segment"]) == ["agency", "bank", "broker", "online"]
    assert rows["level"].isna().all() and (rows["method"] == "funnel_binomial").all()


def test_overdispersed_book_uses_and_states_adjusted_limits() -> None:
    book = make_book(branches=12, per_cell=400)
    rules = load_rules().with_segments(("branch", "channel"))
    result = compute_alerts(dataset(book), rules)
    f = result.funnel
    fl = f[f["metric"] == "free_look_cancellation_rate"]
    branch = fl[fl["column"] == "branch"]
    assert (branch["method"] == "funnel_overdispersed_additive").all()
    assert (branch["tau2"] > 0).all() and (branch["phi"] > 1).all()
    # the adjusted limits are wider than the binomial ones at the same denominator
    p0, n = float(branch["target"].iloc[0]), float(branch["n"].iloc[0])
    assert branch["upper_alarm"].iloc[0] > binomial_limit(p0, n, 0.999)[0]
    assert all(a.method == "funnel_overdispersed_additive" for a in result.alerts
               if a.column == "branch" and a.method != "cusum"
               and a.metric == "free_look_cancellation_rate")
    # four channels at one rate: binomial limits
    assert (fl[fl["column"] == "channel"]["method"] == "funnel_binomial").all()
    multi = replace(rules, defaults=replace(rules.defaults, overdispersion="multiplicative"),
                    overrides={})
    m = compute_alerts(dataset(book), multi).funnel
    assert (m[(m["metric"] == "free_look_cancellation_rate") & (m["column"] == "branch")]["method"]
            == "funnel_overdispersed_multiplicative").all()


def test_statuses_new_ongoing_resolved(jump_book: pd.DataFrame, flat_book: pd.DataFrame,
                                       tmp_path) -> None:
    path = tmp_path / "alerts.json"
    first, history = apply_history(compute_alerts(dataset(jump_book)), load_history(path))
    assert {a.status for a in first.alerts} == {"new"}
    save_history(history, path)
    second, history = apply_history(compute_alerts(dataset(jump_book)), load_history(path))
    assert {a.status for a in second.alerts} == {"ongoing"}
    key = next(a.key for a in second.alerts if a.level == "alarm")
    history = acknowledge(history, key, "broker campaign under review")
    save_history(history, path)
    third, history = apply_history(compute_alerts(dataset(jump_book)), load_history(path))
    assert next(a for a in third.alerts if a.key == key).acknowledged == "broker campaign under review"
    save_history(history, path)
    fixed, history = apply_history(compute_alerts(dataset(flat_book)), load_history(path))
    assert {(a.status, a.metric, a.segment_value) for a in fixed.alerts} == \
        {("resolved", "free_look_cancellation_rate", "broker")}
    assert fixed.active() == () and fixed.alarmed_metrics() == set()
    save_history(history, path)
    again, _ = apply_history(compute_alerts(dataset(flat_book)), load_history(path))
    assert again.alerts == ()                         # resolved is reported once


def test_history_file_is_versioned(tmp_path) -> None:
    path = tmp_path / "h.json"
    save_history(AlertHistory("2026-11-30"), path)
    assert '"version": 1' in path.read_text() and '"memberdesk-alert-history"' in path.read_text()
    path.write_text('{"format": "memberdesk-alert-history", "version": 99, "entries": []}')
    from memberdesk.core.errors import DataError
    with pytest.raises(DataError, match="newer"):
        load_history(path)


def test_minimum_denominator_stops_flagging(jump_book: pd.DataFrame) -> None:
    rules = load_rules()
    big = replace(rules, overrides={k: replace(v, min_denominator=10_000)
                                    for k, v in rules.overrides.items()},
                  defaults=replace(rules.defaults, min_denominator=10_000))
    assert compute_alerts(dataset(jump_book), big).alerts == ()


def test_risk_adjustment_by_product() -> None:
    """Bank sells mostly the product with many free-look cancellations: not its fault."""
    rng = np.random.default_rng(1)
    rows = []
    for m in pd.period_range("2025-01", "2026-10", freq="M"):
        for ch in ("agency", "bank", "broker", "online"):
            n = 200
            share = 0.9 if ch == "bank" else 0.3
            product = np.where(rng.random(n) < share, "health", "term")
            p = np.where(product == "health", 0.10, 0.02)
            issue = m.to_timestamp() + pd.to_timedelta(rng.integers(0, 28, n), unit="D")
            fl = rng.random(n) < p
            rows.append(pd.DataFrame({"product": product, "channel": ch, "issue_date": issue,
                                      "end_date": np.where(fl, issue + pd.Timedelta(days=5), pd.NaT),
                                      "status": np.where(fl, "surrendered", "in_force")}))
    book = pd.concat(rows, ignore_index=True)
    book["end_date"] = pd.to_datetime(book["end_date"])
    book.insert(0, "policy_id", [f"P{i}" for i in range(len(book))])
    rules = load_rules().with_segments(("channel",))
    adjusted = compute_alerts(dataset(book), rules)
    assert not [a for a in adjusted.alerts if a.method == "cusum"
                and a.metric == "free_look_cancellation_rate"]
    plain = replace(rules, defaults=replace(rules.defaults, risk_adjust_by=""),
                    overrides={k: replace(v, risk_adjust_by="") for k, v in rules.overrides.items()})
    flagged = compute_alerts(dataset(book), plain)
    assert ("free_look_cancellation_rate", "channel", "bank") in \
        {(a.metric, a.column, a.segment_value) for a in flagged.alerts if a.method == "cusum"}


def test_unavailable_metrics_are_listed_not_errors(flat_book: pd.DataFrame) -> None:
    result = compute_alerts(dataset(flat_book))
    from memberdesk.core.reasons import Reason

    assert result.unavailable["csat"] == Reason("no_table", table="service_contacts")
    assert result.unavailable["claims_settled_after_30_days"].text("zh_CN")  # catalogue words
    no_end = flat_book.drop(columns=["end_date"])
    r = compute_alerts(dataset(no_end))
    assert r.unavailable["free_look_cancellation_rate"] == Reason("missing_column", table="policies",
                                                                  column="end_date")


def test_service_and_claims_metrics_count_by_hand() -> None:
    """Two contact channels over one month; claims of two products (hand counts below)."""
    policies = pd.DataFrame({"policy_id": ["P1", "P2"], "member_id": ["M1", "M2"],
                             "product": ["term", "health"], "channel": ["agency", "bank"],
                             "issue_date": pd.to_datetime(["2025-01-01", "2025-01-01"]),
                             "end_date": pd.NaT, "status": "in_force"})
    contacts = pd.DataFrame({
        "contact_id": [f"C{i}" for i in range(8)], "member_id": ["M1"] * 4 + ["M2"] * 4,
        "started_at": pd.to_datetime(["2026-10-05"] * 8), "channel": ["app"] * 4 + ["phone"] * 4,
        "handled_by": ["bot", "bot", "bot", "human", "bot", "human", "human", "human"],
        "transferred_to_human": [True, False, False, False, True, False, False, False],
        "connected": [True, None, None, True, False, True, False, True],
        "resolved": [True, False, None, True, False, True, True, None],
        "satisfaction": [5, 2, None, 4, 1, 5, None, 3],
    })
    contacts["transferred_to_human"] = contacts["transferred_to_human"].astype("boolean")
    contacts["connected"] = contacts["connected"].astype("boolean")
    contacts["resolved"] = contacts["resolved"].astype("boolean")
    claims = pd.DataFrame({"claim_id": ["K1", "K2", "K3", "K4"], "policy_id": ["P1", "P1", "P2", "P2"],
                           "reported_at": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04"]),
                           "settled_at": pd.to_datetime(["2026-10-20", "2026-11-15", None, "2026-10-10"]),
                           "status": ["paid", "paid", "open", "declined"]})
    ds = dataset(policies, service_contacts=contacts, claims=claims)
    f = compute_alerts(ds, load_rules().with_segments(("channel", "product"))).funnel.set_index(
        ["metric", "column", "segment"])
    # app: bot contacts C0 C1 C2, transferred C0 -> 1/3; phone: bot C4 transferred -> 1/1
    assert f.loc[("bot_transfer_rate", "channel", "app"), ["x", "n"]].tolist() == [1, 3]
    assert f.loc[("bot_transfer_rate", "channel", "phone"), ["x", "n"]].tolist() == [1, 1]
    # human queue app: C0 (transferred), C3 -> both connected 2/2; phone: C4 C5 C6 C7 -> C5 C7
    assert f.loc[("human_connection_rate", "channel", "phone"), ["x", "n"]].tolist() == [2, 4]
    # outcome recorded app: C0 C1 C3, unresolved C1 -> 1/3; phone: C4 C5 C6, unresolved C4
    assert f.loc[("unresolved_contact_rate", "channel", "app"), ["x", "n"]].tolist() == [1, 3]
    # rated app: 5, 2, 4 -> 2/3 satisfied; phone: 1, 5, 3 -> 1/3
    assert f.loc[("csat", "channel", "phone"), ["x", "n"]].tolist() == [1, 3]
    # claims by the policy's product; as of 2026-11-30: K2 settled after 44 days (late),
    # K3 open for 58 days (late); K1 19 days, K4 6 days
    assert f.loc[("claims_settled_after_30_days", "product", "term"), ["x", "n"]].tolist() == [1, 2]
    assert f.loc[("claims_settled_after_30_days", "product", "health"), ["x", "n"]].tolist() == [1, 2]
    # contacts split by product through the member's policy
    assert f.loc[("csat", "product", "term"), ["x", "n"]].tolist() == [2, 3]
    assert AS_OF == pd.Timestamp("2026-11-30")
