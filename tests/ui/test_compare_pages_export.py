"""File ▸ Export report with different comparisons on two pages (issue 17 C.18): Retention
compares with another as-of date, Persistency with a pinned filter set. The Retention sheet's
"what changed" table equals the Retention page's comparison result object (the screen's) and the
Persistency sheet's the Persistency page's; both screen objects equal the comparison computed
here with the analysis functions on the window's dataset, and the Summary carries none (the
Cockpit does not compare)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from memberdesk.analysis.compare import compare_as_of, compare_filters
from memberdesk.core.dataset import Filters
from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.main_window import MainWindow
from tests.report.test_report_compare_pages import assert_columns_equal, comparison_table

REFERENCE = "2024-06-30"
AGENCY = Filters(channel=("agency",))


@pytest.fixture
def window(qtbot: Any, sample_data: Path) -> MainWindow:
    w = MainWindow(AppSettings())
    w.ask_before_close = False
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.loaded, timeout=60_000):
        w.open_paths([str(sample_data)], user_action=False)
    return w


def _computed(qtbot: Any, panel: Any) -> Any:
    qtbot.waitUntil(lambda: not panel.is_busy and panel.comparison is not None
                    and panel.comparison.current.filters == AGENCY, timeout=120_000)
    return panel.comparison


def test_export_report_carries_each_page_comparison(qtbot: Any, window: MainWindow,
                                                    tmp_path: Path) -> None:
    retention = window.show_page("retention")
    retention.compare.set_reference_as_of(REFERENCE)
    retention.compare.toggle.setChecked(True)
    persistency = window.show_page("persistency")
    persistency.compare.toggle.setChecked(True)
    persistency.compare.pin_filters()                    # the whole book is the reference
    window.filter_bar.set_state(AGENCY, None)
    window._apply(AGENCY, None)
    per_screen = _computed(qtbot, persistency.compare)
    window.show_page("retention")
    ret_screen = _computed(qtbot, retention.compare)

    out = tmp_path / "compared.xlsx"
    window.actions_.export_report_to(str(out))
    qtbot.waitUntil(lambda: not window._exporter.is_busy and out.is_file(), timeout=240_000)
    book = openpyxl.load_workbook(out)

    ds = window.dataset
    by = retention.segment.currentData()
    truth = compare_as_of(ds, REFERENCE, by=by, sections=("retention",)).retention
    pd.testing.assert_frame_equal(ret_screen.retention, truth)
    as_of = ds.as_of.date().isoformat()
    _heading, header, body = comparison_table(book, "Retention", "What changed")
    assert_columns_equal(header, body, ret_screen.retention, "group", (
        f"Current (as of {as_of})", f"Compared: as of {REFERENCE}", f"Change vs {REFERENCE}"))

    month, period = persistency.month.currentData(), persistency.period.currentData()
    truth = compare_filters(ds, Filters(), by=persistency.segment.currentData(), month=month,
                            period=period, sections=("persistency",)).persistency
    pd.testing.assert_frame_equal(per_screen.persistency, truth)
    heading, header, body = comparison_table(book, "Persistency", "What changed")
    assert heading.endswith(f"{month}th month")
    assert_columns_equal(header, body, per_screen.persistency, "segment", (
        "Current filters", "Compared: pinned filters (none (all data))",
        "Change vs pinned filters (none (all data))"))

    cells = [c for r in book["Summary"].iter_rows(values_only=True) for c in r
             if isinstance(c, str)]
    assert not any(c.startswith(("Compared:", "Change vs")) for c in cells)
