"""Filter bar by keyboard and the as-of cap (issue 17 C.11, C.14). Truths: the typed text,
the data's last date (the sample's latest date), the widget order."""
from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from PySide6.QtCore import QDate

from memberdesk.core.dataset import Dataset
from memberdesk.ui.shell.filter_bar import FilterBar


def _bar(qtbot: Any) -> FilterBar:
    from tests.report.conftest import make_dataset

    bar = FilterBar()
    qtbot.addWidget(bar)
    ds = make_dataset(100)
    bar.set_dataset(ds)
    bar.show()
    return bar


def test_typed_date_replaces_the_whole_date(qtbot: Any) -> None:
    bar = _bar(qtbot)
    bar.as_of.setFocus()
    qtbot.wait(20)
    qtbot.keyClicks(bar.as_of, "2024-06-30")
    assert bar.as_of.date() == QDate(2024, 6, 30)


def test_typing_into_an_empty_date(qtbot: Any) -> None:
    bar = _bar(qtbot)
    bar.issue_from.setFocus()
    qtbot.wait(20)
    qtbot.keyClicks(bar.issue_from, "2022-01-01")
    assert bar.issue_from.date() == QDate(2022, 1, 1)
    assert "any" not in bar.issue_from.text()


def test_tab_leaves_a_date_edit_in_one_press(qtbot: Any) -> None:
    bar = _bar(qtbot)
    bar.issue_from.setFocus()
    qtbot.wait(20)
    assert bar.issue_from.focusNextPrevChild(True)
    assert not bar.issue_from.hasFocus()


def test_empty_calendar_opens_near_the_data(qtbot: Any) -> None:
    bar = _bar(qtbot)
    latest = Dataset.latest_date(bar_dataset(bar))
    assert bar.issue_from.near == QDate(latest.year, latest.month, latest.day)


def bar_dataset(bar: FilterBar) -> Any:
    from tests.report.conftest import make_dataset

    return make_dataset(100).validated


def test_as_of_after_the_data_is_capped_with_a_warning(qtbot: Any) -> None:
    bar = _bar(qtbot)
    latest = bar._latest
    assert latest is not None
    later = latest + pd.Timedelta(days=200)
    bar.as_of.setDate(QDate(later.year, later.month, later.day))
    assert bar.as_of_date() is None  # = the data's last date
    assert bar.capped_from == later
    bar._update_active()
    text = bar.active_label.text()
    assert later.date().isoformat() in text and latest.date().isoformat() in text


@pytest.mark.qt_log_ignore(r"This plugin does not support (raise\(\)|grabbing the keyboard|"
                           r"propagateSizeHints)")  # the offscreen plugin and a popup
def test_calendar_opens_from_the_keyboard_near_the_data(qtbot: Any) -> None:
    """F4 and Alt+Down open the calendar (QDateEdit opens it only on a click: in a walk under X
    both keys did nothing), on the data's last month for an empty edit."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    bar = _bar(qtbot)
    for key, modifier in ((Qt.Key.Key_F4, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)):
        bar.issue_to.setFocus()
        qtbot.wait(20)
        qtbot.keyClick(bar.issue_to, key, modifier)
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=2000)
        qtbot.waitUntil(lambda: (bar.issue_to.calendarWidget().yearShown(),
                                 bar.issue_to.calendarWidget().monthShown())
                        == (bar.issue_to.near.year(), bar.issue_to.near.month()), timeout=2000)
        QApplication.activePopupWidget().close()
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=2000)
    # a plain Down still steps the date, no popup
    qtbot.keyClick(bar.as_of, Qt.Key.Key_Down)
    assert QApplication.activePopupWidget() is None
