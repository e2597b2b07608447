"""Workspaces keep "Compare with…" (issue 17 C.18): format 3's ``compare`` field.

The truth of each test is written out in it: the saved JSON the format promises
(core/workspace.py docstring), the fixture files of older formats, and the refusals.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from memberdesk.core.dataset import Filters
from memberdesk.core.errors import DataError
from memberdesk.core.workspace import COMPARE_VERSION, CompareView, Workspace

FIXTURES = Path(__file__).parents[1] / "fixtures" / "workspaces"


def test_compare_round_trips_both_kinds_of_reference(tmp_path: Path) -> None:
    pinned = Filters(channel=("bancassurance",), issue_from=pd.Timestamp("2020-01-01"))
    ws = Workspace(as_of=pd.Timestamp("2025-12-31"), filters=Filters(channel=("agency",)),
                   compare={"cockpit": CompareView("as_of", pd.Timestamp("2024-12-31")),
                            "retention": CompareView("filters", None, pinned)})
    path = ws.save(tmp_path / "w")
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["schema_version"] == 3
    assert saved["compare"] == {"version": COMPARE_VERSION, "pages": {
        "cockpit": {"mode": "as_of", "reference_as_of": "2024-12-31"},
        "retention": {"mode": "filters", "reference_filters": pinned.to_json()}}}
    back = Workspace.load(path)
    assert back.compare == ws.compare
    assert back.compare["retention"].reference_filters == pinned
    assert back.as_of == pd.Timestamp("2025-12-31")  # the current side: the workspace's own


def test_no_compare_saves_an_empty_field_and_loads_as_none(tmp_path: Path) -> None:
    path = Workspace().save(tmp_path / "w")
    assert json.loads(path.read_text(encoding="utf-8"))["compare"] == {"version": 1, "pages": {}}
    assert Workspace.load(path).compare == {}


@pytest.mark.parametrize("name", ["v1_no_assumptions.mdesk", "v2_no_assumptions.mdesk"])
def test_older_formats_load_without_a_comparison(name: str) -> None:
    ws = Workspace.load(FIXTURES / name)
    assert ws.compare == {}
    assert ws.filters.channel == ("agency",)


def test_version_3_fixture_loads_its_comparison() -> None:
    ws = Workspace.load(FIXTURES / "v3_compare.mdesk")
    assert ws.compare == {
        "cockpit": CompareView("as_of", pd.Timestamp("2024-12-31")),
        "retention": CompareView("filters", None, Filters(channel=("bancassurance",)))}


def test_a_page_without_a_compare_panel_is_left_out() -> None:
    ws = Workspace.from_json({"schema_version": 3, "compare": {"version": 1, "pages": {
        "drivers": {"mode": "as_of", "reference_as_of": "2024-12-31"}}}})
    assert ws.compare == {}


def _damaged(compare: object) -> bytes:
    return json.dumps({"schema_version": 3, "compare": compare}).encode("utf-8")


@pytest.mark.parametrize(("compare", "needle"), [
    ([1], "'compare'"),
    ({"version": 2, "pages": {}}, "newer MemberDesk"),
    ({"version": "1", "pages": {}}, "compare.version"),
    ({"version": 1, "pages": []}, "compare.pages"),
    ({"version": 1, "pages": {"cockpit": {"mode": "yesterday"}}}, "compare.pages.cockpit.mode"),
    ({"version": 1, "pages": {"cockpit": {"mode": "as_of"}}}, "reference_as_of"),
    ({"version": 1, "pages": {"cockpit": {"mode": "as_of", "reference_as_of": "2024-02-30"}}},
     "reference_as_of"),
    ({"version": 1, "pages": {"retention": {"mode": "filters",
                                            "reference_filters": {"channel": "agency"}}}},
     "compare.pages.retention.reference_filters.channel"),
])
def test_damaged_compare_is_one_clear_error(tmp_path: Path, compare: object, needle: str) -> None:
    path = tmp_path / "bad.mdesk"
    path.write_bytes(_damaged(compare))
    with pytest.raises(DataError) as err:
        Workspace.load(path)
    assert err.value.file == str(path)
    assert needle in str(err.value)
