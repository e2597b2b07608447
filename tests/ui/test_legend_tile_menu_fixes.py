"""Three things a user saw on the real window (#17 C, helper walk under Xvfb):

* a premium band named ``<1k`` had an empty legend entry (pyqtgraph draws legend names as HTML);
* a KPI tile up 0.027 pp read '▲ +0.0 pp' in green (a change the reader cannot see has no
  direction or colour, as on the workbook's Dashboard);
* the table menu was English under 简体中文 and Shift+F10 did not open it.

Truths: the names and numbers put in, the Chinese words of the catalogue (tools/zh_CN.py).
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QMenu, QTableView

from memberdesk.ui import table_actions as ta
from memberdesk.ui.charts.base import TextLegend
from memberdesk.ui.charts.kpi_tile import change_quality, change_text
from memberdesk.ui.charts.lines import TrendChart


def _legend_texts(legend: pg.LegendItem) -> list[str]:
    return [label.item.toPlainText() for _sample, label in legend.items]


def test_legend_names_are_plain_text(qtbot: Any) -> None:
    legend = TextLegend()
    legend.addItem(pg.PlotDataItem([0, 1], [0, 1]), "<1k")
    legend.addItem(pg.PlotDataItem([0, 1], [1, 0]), "1k-3k & up")
    assert _legend_texts(legend) == ["<1k", "1k-3k & up"]


def test_trend_chart_legend_keeps_a_band_named_like_a_tag(qtbot: Any) -> None:
    chart = TrendChart()
    qtbot.addWidget(chart)
    chart.resize(900, 400)
    chart.show()
    frame = pd.DataFrame({"period": ["2024", "2025"] * 3,
                          "band": ["<1k"] * 2 + ["1k-3k"] * 2 + [">10k"] * 2,
                          "rate": [0.9, 0.8, 0.85, 0.84, 0.7, 0.75]})
    chart.set_data(frame, x="period", y="rate", series="band")
    chart.resize(500, 400)  # a re-lay into fewer columns adds the entries again
    QApplication.processEvents()
    assert sorted(_legend_texts(chart.legend)) == sorted(["<1k", "1k-3k", ">10k"])


def test_a_change_that_shows_as_zero_has_no_direction_or_colour() -> None:
    # 98.700 % -> 98.727 %: +0.027 pp, written with one decimal as +0.0 pp
    assert change_text(0.98727, 0.98700, "ratio") == "■ +0.0 pp vs previous"
    assert change_quality(0.98727, 0.98700, "up", "ratio") == "neutral"
    # -0.04 pp is shown as 0.0 too, never '-0.0'
    assert change_text(0.5, 0.5004, "ratio") == "■ +0.0 pp vs previous"
    # a visible change keeps its arrow and colour: +0.12 pp
    assert change_text(0.9882, 0.9870, "ratio") == "▲ +0.1 pp vs previous"
    assert change_quality(0.9882, 0.9870, "up", "ratio") == "good"
    # relative change: 1000 -> 1000.4 is +0.04 %, shown as +0.0 %
    assert change_text(1000.4, 1000.0, "count") == "■ +0.0% vs previous"
    assert change_text(1100.0, 1000.0, "count") == "▲ +10.0% vs previous"


def _view(qtbot: Any) -> QTableView:
    model = QStandardItemModel(2, 2)
    model.setHorizontalHeaderLabels(["Channel", "Policies"])
    for r, row in enumerate([("agency", "12"), ("online", "7")]):
        for c, v in enumerate(row):
            model.setItem(r, c, QStandardItem(v))
    view = QTableView()
    view.setModel(model)
    view._model = model  # keep it alive
    qtbot.addWidget(view)
    view.show()
    return view


def test_table_menu_in_chinese(qtbot: Any, zh_cn: list[str]) -> None:
    view = _view(qtbot)
    texts = [a.text() for a in ta.context_menu(view).actions() if not a.isSeparator()]
    assert texts == ["复制", "连同表头复制", "导出 CSV…", "导出 XLSX…", "全选"]


@pytest.mark.qt_log_ignore(r"This plugin does not support (raise\(\)|grabbing the keyboard)")  # offscreen popup
def test_shift_f10_opens_the_table_menu(qtbot: Any) -> None:
    view = _view(qtbot)
    ta.install_everywhere()
    view.setCurrentIndex(view.model().index(1, 1))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    popup = QApplication.activePopupWidget()
    assert isinstance(popup, QMenu)
    assert [a.text() for a in popup.actions() if not a.isSeparator()][:2] == [
        "Copy", "Copy with headers"]
    popup.close()
    # plain F10 opens nothing
    qtbot.keyClick(view, Qt.Key.Key_F10)
    assert QApplication.activePopupWidget() is None
