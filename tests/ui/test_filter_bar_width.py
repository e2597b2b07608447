"""The filter bar's "Active: …" line never widens the main window (issue 17 C, seen under X at
1400×900): with an as-of, an issue range and a few channels chosen the label asked for its whole
text's width and the window grew past the screen, the Cockpit's definition panel cut off."""
from __future__ import annotations

from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.filter_bar import FilterBar
from memberdesk.ui.shell.main_window import MainWindow

LONG = ("Active: as of 2024-12-31; issue date: 2022-01-01 – 2024-06-30; product: 百万医疗, "
        "重疾险, Term Life 20; channel: agency, bancassurance, broker, partner platform; "
        "region: 上海, 北京, 江苏; tier: gold, platinum")


def test_long_active_filters_keep_the_bar_and_window_width(qtbot) -> None:  # type: ignore[no-untyped-def]
    bar = FilterBar()
    qtbot.addWidget(bar)
    short = bar.minimumSizeHint().width()
    bar.active_label.setText(LONG)
    assert bar.minimumSizeHint().width() == short  # the text does not push the bar wider
    assert bar.active_label.toolTip() == LONG  # the whole text is one hover away
    assert bar.active_label.text() == LONG

    window = MainWindow(AppSettings())
    window.ask_before_close = False
    qtbot.addWidget(window)
    window.filter_bar.active_label.setText(LONG)
    assert window.minimumSizeHint().width() <= 1366  # fits a laptop screen
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    assert window.width() == 1400
