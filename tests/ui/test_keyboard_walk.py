"""Keyboard walk (issue 17 C.14): Tab from a page's first control visits every control of the
page once per round, in a cycle, with no trap (a table used to keep Tab for its cells, so
Tab never left it); the Cockpit's tiles are Tab stops in reading order and open their
definition on Enter."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QTabBar,
    QWidget,
)

from memberdesk.ui.charts.kpi_tile import KpiTile

CONTROLS = (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit, QTabBar,
            KpiTile)
PAGES = ["cockpit", "retention", "persistency", "drivers", "retention_list", "projection",
         "decrements", "experience", "benefits", "service", "claims"]


@lru_cache(maxsize=1)
def sample_book(path: str) -> Any:
    from memberdesk.core.loader import load_dataset

    return load_dataset([path])


def tab_stop(w: QWidget) -> bool:
    return bool(w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus)


def controls_of(page: QWidget) -> list[QWidget]:
    # a spin box's or combo's own line edit is that control (it takes the focus for it)
    return [w for w in page.findChildren(QWidget) if isinstance(w, CONTROLS) and tab_stop(w)
            and not isinstance(w.parentWidget(), (QAbstractSpinBox, QComboBox))]


def walk(page: QWidget, presses: int) -> list[QWidget]:
    """Focus the page's first Tab stop, press Tab ``presses`` times; the focused widgets."""
    app = QApplication.instance()
    start = page.nextInFocusChain()
    while not tab_stop(start):
        start = start.nextInFocusChain()
    start.setFocus(Qt.FocusReason.TabFocusReason)
    app.processEvents()
    seen = [control(app.focusWidget())]
    for _ in range(presses):
        QTest.keyClick(app.focusWidget(), Qt.Key.Key_Tab)
        app.processEvents()
        seen.append(control(app.focusWidget()))
    return seen


def control(w: QWidget | None) -> QWidget | None:
    """The control a focused widget belongs to (a spin box for its line edit)."""
    parent = w.parentWidget() if w is not None else None
    return parent if isinstance(parent, (QAbstractSpinBox, QComboBox)) else w


@pytest.mark.parametrize("page_id", PAGES)
def test_tab_visits_every_control_without_a_trap(qtbot, show_page, sample_data, page_id) -> None:
    page = show_page(page_id, sample_book(str(sample_data)))
    page.show()
    page.activateWindow()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page, timeout=5000)
    controls = controls_of(page)
    assert controls, "the page has no control"
    seen = walk(page, 2 * len(controls) + 4)
    assert None not in seen
    # no trap: focus moves at every press
    assert all(a is not b for a, b in zip(seen, seen[1:])), [type(w).__name__ for w in seen]
    # a cycle: the first stop comes round again, and one round visits every control
    again = seen.index(seen[0], 1)
    one_round = seen[:again]
    missed = [type(w).__name__ + ":" + (getattr(w, "text", lambda: "")() or "") for w in controls
              if w not in one_round]
    assert not missed, missed
    assert len(set(map(id, one_round))) == len(one_round)  # each stop once per round


def test_cockpit_tiles_in_reading_order_and_enter_opens_the_definition(
        qtbot, show_page, sample_data) -> None:
    page = show_page("cockpit", sample_book(str(sample_data)))
    page.show()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page, timeout=5000)
    tiles = list(page.tiles.values())
    assert len(tiles) >= 10
    assert all(t.spark.focusPolicy() == Qt.FocusPolicy.NoFocus for t in tiles)
    seen = walk(page, 40)
    order = [seen.index(t) for t in tiles]
    assert order == sorted(order)  # tile after tile, as they read
    assert order[-1] - order[0] == len(tiles) - 1  # nothing in between
    toggle = page.compare.toggle
    assert seen.index(toggle) > order[-1]  # Compare with… after the tiles, not before them
    last = tiles[-1]
    with qtbot.waitSignal(last.clicked, timeout=1000) as sig:
        QTest.keyClick(last, Qt.Key.Key_Return)
    assert sig.args == [last.kpi_id]
    assert page.details.metric_id == last.kpi_id
