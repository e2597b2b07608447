"""Compare with… on the Cockpit, Retention and Persistency pages (issue 17 C.18): the toggle
shows the table; an as-of comparison lists the figures of both views and their change equal to
analysis.compare on the same two datasets; a pinned filter set compares two filter sets."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from memberdesk.analysis.compare import compare_datasets
from memberdesk.core.dataset import Filters
from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.compare_panel import display_frame, format_change, format_value
from memberdesk.ui.shell.main_window import MainWindow


def test_formats() -> None:
    assert format_value(0.8512, True) == "85.1%"
    assert format_change(-0.0123, True) == "-1.2 pp"
    assert format_change(1361.0, False) == "+1,361"
    assert format_value(float("inf"), False) == "not reached"
    assert format_change(float("nan"), True) == "—"


@pytest.fixture
def window(qtbot, sample_data: Path) -> MainWindow:
    w = MainWindow(AppSettings())
    w.ask_before_close = False
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.loaded, timeout=30_000):
        w.open_paths([str(sample_data)], user_action=False)
    return w


@pytest.mark.parametrize("page_id, section", [("cockpit", "kpis"), ("retention", "retention"),
                                              ("persistency", "persistency")])
def test_as_of_comparison_on_each_page(qtbot, window: MainWindow, page_id: str,
                                       section: str) -> None:
    page = window.show_page(page_id)
    qtbot.waitUntil(lambda: not page.is_busy and page.result is not None, timeout=60_000)
    panel = page.compare
    assert not panel.body.isVisible() and panel.toggle.isVisible()
    panel.set_reference_as_of("2025-06-30")
    panel.toggle.setChecked(True)
    assert panel.body.isVisible() and panel.date.isVisible()
    qtbot.waitUntil(lambda: panel.comparison is not None and not panel.is_busy, timeout=60_000)
    comp = panel.comparison
    assert comp.reference.as_of == pd.Timestamp("2025-06-30")
    assert comp.current.as_of == window.dataset.as_of
    options = panel.options()
    expected = compare_datasets(window.dataset, window.dataset.with_as_of("2025-06-30"),
                                sections=(section,), **options)
    pd.testing.assert_frame_equal(comp.section(section), expected.section(section))
    shown = display_frame(comp, section)
    assert panel.model.rowCount() == len(shown) == len(expected.section(section)) > 0
    assert "2025-06-30" in panel.heading.text()


def test_pinned_filters_compare_two_filter_sets(qtbot, window: MainWindow) -> None:
    page = window.show_page("cockpit")
    qtbot.waitUntil(lambda: not page.is_busy and page.result is not None, timeout=60_000)
    panel = page.compare
    panel.toggle.setChecked(True)
    panel.pin_filters()                       # the whole book is the reference
    assert not panel.date.isVisible()
    window.filter_bar.set_state(Filters(channel=("agency",)), None)
    window._apply(Filters(channel=("agency",)), None)
    qtbot.waitUntil(lambda: panel.comparison is not None and not panel.is_busy
                    and panel.comparison.current.filters.channel == ("agency",), timeout=60_000)
    kpis = panel.comparison.kpis.set_index("id")
    assert kpis.loc["in_force_policies", "change"] < 0   # agency alone holds fewer policies
    assert panel.comparison.reference.filters == Filters()
