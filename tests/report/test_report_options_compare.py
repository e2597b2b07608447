"""ReportOptions.with_compare (issue 17 C.18): each page's "Compare with…" gives its own sheet's
comparison (a date or a pinned filter set), and ``--compare-as-of`` on the command line
overrides a workspace's."""
from __future__ import annotations

import argparse

import pandas as pd

from memberdesk.core.dataset import Filters
from memberdesk.core.workspace import CompareView, Workspace
from memberdesk.report.report_options import CompareRef, ReportOptions


def _as_of(day: str) -> CompareView:
    return CompareView("as_of", pd.Timestamp(day))


def test_no_comparison_leaves_the_options_alone() -> None:
    assert ReportOptions.from_workspace(Workspace()) == ReportOptions()
    assert ReportOptions.from_workspace(Workspace()).notes == ()


def test_each_page_date_goes_to_its_own_sheet() -> None:
    # was: the first comparing page (cockpit, retention, persistency) gave the one comparison;
    # each page's comparison now reaches its own sheet (tests/report/test_report_compare_pages.py)
    views = {"persistency": _as_of("2023-12-31"), "retention": _as_of("2024-12-31")}
    opts = ReportOptions().with_compare(views)
    assert opts.compare_as_of is None
    assert opts.retention_compare == CompareRef(as_of="2024-12-31")
    assert opts.persistency_compare == CompareRef(as_of="2023-12-31")
    views["cockpit"] = _as_of("2025-06-30")
    assert ReportOptions().with_compare(views).compare_as_of == "2025-06-30"


def test_pinned_filters_become_the_comparison() -> None:
    # was: named in a note only; a filter comparison now reaches its page's sheet
    opts = ReportOptions().with_compare(
        {"retention": CompareView("filters", None, Filters(channel=("agency",)))})
    assert opts.retention_compare == CompareRef(filters=Filters(channel=("agency",)))
    assert opts.compare_as_of is None and opts.compare_filters is None
    assert opts.notes == ()


def test_the_command_line_date_overrides_the_workspace() -> None:
    ws = Workspace(compare={"cockpit": _as_of("2025-06-30")})
    args = argparse.Namespace(compare_as_of="2024-06-30")
    assert ReportOptions.from_workspace(ws).with_args(args).compare_as_of == "2024-06-30"
    assert ReportOptions.from_workspace(ws).compare_as_of == "2025-06-30"
