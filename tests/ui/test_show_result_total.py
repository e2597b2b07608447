"""show_result is total (#12 point 5): every chart of a page is redrawn or cleared on each result,
so data reloaded without a column never leave the previous data's picture on screen."""
from __future__ import annotations

import numpy as np
import pandas as pd

from memberdesk.core.dataset import Dataset

AS_OF = pd.Timestamp("2024-12-31")


def _book(topic: bool, wait: bool, usage_members: bool = True) -> Dataset:
    rng = np.random.default_rng(0)
    n, m = 200, 300
    issue = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), unit="D")
    policies = pd.DataFrame({"policy_id": [f"P{i}" for i in range(n)], "member_id": [f"M{i}" for i in range(n)],
                             "channel": rng.choice(["agency", "online"], n), "issue_date": issue,
                             "status": "in_force", "annual_premium": 1000.0})
    contacts = pd.DataFrame({
        "contact_id": [f"C{i}" for i in range(m)], "member_id": rng.choice(policies["member_id"], m),
        "started_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 360, m), unit="D"),
        "channel": rng.choice(["app", "phone"], m), "handled_by": rng.choice(["bot", "human"], m),
        "transferred_to_human": pd.array(rng.random(m) < 0.2, dtype="boolean"),
        "connected": pd.array(rng.random(m) < 0.9, dtype="boolean"),
        "resolved": pd.array(rng.random(m) < 0.8, dtype="boolean"),
        "satisfaction": rng.integers(1, 6, m).astype(float)})
    if topic:
        contacts["topic"] = rng.choice(["billing", "claims"], m)
    if wait:
        contacts["wait_seconds"] = rng.uniform(0, 120, m)
    usage = pd.DataFrame({"member_id": rng.choice(policies["member_id"], 150),
                          "benefit": rng.choice(["check-up", "dental"], 150),
                          "used_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 360, 150), unit="D"),
                          "cost": 100.0})
    if not usage_members:
        policies = policies.drop(columns="member_id")
    return Dataset(validated={"policies": policies, "service_contacts": contacts, "benefit_usage": usage},
                   as_of=AS_OF)


def _reload(qtbot, page, ds: Dataset) -> None:  # type: ignore[no-untyped-def]
    page.set_dataset(ds)
    page.refresh()
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)


def test_service_charts_are_cleared_when_a_reload_lacks_their_column(qtbot, show_page) -> None:
    page = show_page("service", _book(topic=True, wait=True))
    assert page.topic.bar_items() and len(page.topic.data_frame()) == 2  # billing, claims
    assert page.wait.curve_items()
    _reload(qtbot, page, _book(topic=False, wait=False))
    assert page.message_text() == ""
    assert page.topic.bar_items() == [] and page.topic.data_frame().empty
    assert page.wait.curve_items() == [] and page.wait.data_frame().empty
    assert page.rates.curve_items()  # what the new data have is still drawn


def test_benefits_charts_are_cleared_when_member_ids_go_away(qtbot, show_page) -> None:
    page = show_page("benefits", _book(topic=True, wait=True))
    assert page.rate.curve_items() or page.rate.bar_items()
    _reload(qtbot, page, _book(topic=True, wait=True, usage_members=False))
    # no member ids on policies: no usage rate, no users-vs-non-users comparison
    assert page.rate.curve_items() == [] and page.rate.bar_items() == []
    assert page.compare.bar_items() == [] and page.compare.data_frame().empty
    assert page.model.rowCount() == 0
