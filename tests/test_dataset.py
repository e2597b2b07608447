"""Dataset derivations (DESIGN §4): windowing at the as-of date, durations, events, filters."""
from __future__ import annotations

import pandas as pd
import pytest

from memberdesk.core.dataset import Dataset, Filters

D = pd.Timestamp


def _book() -> Dataset:
    policies = pd.DataFrame({
        "policy_id": ["P1", "P2", "P3", "P4", "P5"],
        "member_id": ["M1", "M1", "M2", "M3", "M3"],
        "channel": ["agency", "online", "agency", "broker", "online"],
        "product": ["term", "term", "wl", "wl", "term"],
        "issue_date": [D("2020-01-01"), D("2020-07-01"), D("2021-01-01"), D("2023-06-01"),
                       D("2025-03-01")],
        "end_date": [pd.NaT, D("2021-07-01"), D("2024-03-01"), D("2023-12-01"), pd.NaT],
        "status": ["in_force", "lapsed", "surrendered", "death", "in_force"],
        "annual_premium": [1000.0, 2500.0, 5000.0, 40000.0, 800.0],
    })
    members = pd.DataFrame({
        "member_id": ["M1", "M2", "M3"],
        "birth_date": [D("1980-01-01"), D("1990-06-15"), D("1960-01-01")],
        "region": ["广东", "上海", "广东"],
        "tier": ["gold", "standard", "gold"],
    })
    return Dataset(validated={"policies": policies, "members": members}, as_of=D("2024-01-01"))


def test_policies_after_as_of_are_out_of_window() -> None:
    ds = _book()
    assert list(ds.policies["policy_id"]) == ["P1", "P2", "P3", "P4"]
    assert ds.out_of_window("policies") == 1


def test_durations_and_events_by_hand() -> None:
    p = _book().policies.set_index("policy_id")
    # P1 in force: 2020-01-01 -> as-of 2024-01-01 = 366+365+365+365 = 1461 days.
    assert p.loc["P1", "duration_days"] == 1461
    # P2 lapsed 2021-07-01: 2020-07-01 -> 2021-07-01 = 365 days, an event.
    assert p.loc["P2", "duration_days"] == 365 and p.loc["P2", "event"] == 1
    # P3 surrendered after the as-of date: in force at as-of, censored at 2024-01-01.
    assert p.loc["P3", "exit_status"] == "in_force" and p.loc["P3", "event"] == 0
    assert p.loc["P3", "duration_days"] == 1095
    # P4 died: censored in the retention view (183 days).
    assert p.loc["P4", "event"] == 0 and p.loc["P4", "duration_days"] == 183
    assert p.loc["P1", "duration_months"] == pytest.approx(1461 / (365.25 / 12))


def test_as_of_change_and_event_choice() -> None:
    ds = _book().with_as_of("2025-12-31")
    p = ds.policies.set_index("policy_id")
    assert p.loc["P3", "exit_status"] == "surrendered" and p.loc["P3", "event"] == 1
    assert "P5" in p.index
    p2 = ds.with_events(["death"]).policies.set_index("policy_id")
    assert list(p2.index[p2["event"] == 1]) == ["P4"]


def test_member_attributes_and_bands() -> None:
    p = _book().policies.set_index("policy_id")
    assert p.loc["P3", "region"] == "上海"
    # M1 born 1980-01-01, P1 issued 2020-01-01: 40*365 + 10 leap days = 14610 days;
    # 14610 / 365.25 = 40.0 -> 40 at issue.
    assert p.loc["P1", "age_at_issue"] == 40
    assert p.loc["P1", "age_band"] == "40-49"
    assert p.loc["P4", "premium_band"] == "30k+"


def test_filters_restrict_policies_and_describe_themselves() -> None:
    ds = _book().with_filters(Filters(channel=("agency",), region=("广东",)))
    assert list(ds.policies["policy_id"]) == ["P1"]
    assert ds.filters.describe() == ["channel: agency", "region: 广东"]
    assert Filters.from_json(ds.filters.to_json()) == ds.filters


def test_filters_describe_items_are_the_untranslated_pairs_describe_prints() -> None:
    f = Filters(issue_from=pd.Timestamp("2019-01-01"), product=("life", "annuity"), tier=("gold",))
    # the date range keeps an open end blank; multi-selects join their values with ", "
    assert f.describe_items() == [("issue_date", "2019-01-01 – "), ("product", "life, annuity"),
                                  ("tier", "gold")]
    assert f.describe() == ["issue date: 2019-01-01 – ", "product: life, annuity", "tier: gold"]
    assert Filters(issue_to=pd.Timestamp("2020-06-30")).describe() == ["issue date:  – 2020-06-30"]
    assert Filters().describe_items() == [] and not Filters().active


def test_latest_date_is_default_as_of() -> None:
    ds = _book()
    assert Dataset.latest_date(ds.validated) == D("2025-03-01")


def test_segment_columns_are_categorical() -> None:
    cols = _book().segment_columns()
    assert "channel" in cols and "policy_id" not in cols and "duration_days" not in cols
    # the outcome is never offered as a segment or covariate
    assert "exit_status" not in _book().with_as_of("2025-12-31").segment_columns()
