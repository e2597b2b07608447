"""File ▸ Export report with a pinned-filter comparison (issue 17 C.18): the Summary gets the
comparison columns, equal to :func:`memberdesk.analysis.compare.compare_filters` computed here
on the window's dataset against the same pinned filters, and the status bar no longer carries
a "Note: … not in the workbook" (the comparison is in it)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from memberdesk.analysis.compare import compare_filters
from memberdesk.core.dataset import Filters
from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.main_window import MainWindow

AT = "Compared: pinned filters (none (all data))"
CHANGE = "Change vs pinned filters (none (all data))"


@pytest.fixture
def window(qtbot: Any, sample_data: Path) -> MainWindow:
    w = MainWindow(AppSettings())
    w.ask_before_close = False
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.loaded, timeout=60_000):
        w.open_paths([str(sample_data)], user_action=False)
    return w


def _summary(path: Path) -> tuple[list[Any], list[tuple[Any, ...]]]:
    rows = list(openpyxl.load_workbook(path)["Summary"].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == "Key figure")
    body = []
    for r in rows[at + 1:]:
        if r[0] is None:
            break
        body.append(r)
    return list(rows[at]), body


def test_export_report_carries_the_filter_comparison(qtbot: Any, window: MainWindow,
                                                     tmp_path: Path) -> None:
    page = window.show_page("cockpit")
    page.compare.toggle.setChecked(True)
    page.compare.pin_filters()                           # the whole book is the reference
    agency = Filters(channel=("agency",))
    window.filter_bar.set_state(agency, None)
    window._apply(agency, None)
    qtbot.waitUntil(lambda: not page.is_busy and page.result is not None, timeout=120_000)
    out = tmp_path / "compared.xlsx"
    window.actions_.export_report_to(str(out))
    qtbot.waitUntil(lambda: not window._exporter.is_busy and out.is_file(), timeout=240_000)
    qtbot.waitUntil(lambda: "Report written" in window.statusBar().currentMessage(),
                    timeout=10_000)
    assert "Note:" not in window.statusBar().currentMessage()
    header, body = _summary(out)
    at, change = header.index(AT), header.index(CHANGE)
    assert window.dataset.filters == agency
    truth = compare_filters(window.dataset, Filters(), sections=("kpis",)).kpis
    assert truth is not None and len(body) == len(truth) > 0
    differs = 0
    for row, kpi in zip(body, truth.itertuples(index=False), strict=True):
        if pd.isna(kpi.reference):
            assert row[at] is None
            continue
        assert row[at] == pytest.approx(kpi.reference, rel=1e-12)
        if not pd.isna(kpi.change):
            scale = 100.0 if kpi.unit == "ratio" else 1.0    # shares: percentage points
            expected = kpi.change * scale
            if scale == 100.0 and round(expected, 1) == 0:   # "never -0.0"
                expected = 0.0
            assert row[change] == pytest.approx(expected, rel=1e-9, abs=1e-9)
            differs += abs(kpi.change) > 0
    assert differs >= 3             # agency alone is not the whole book
