"""Every table: Ctrl+C copies the selection with headers (tab-separated), a right-click menu
copies, exports CSV/XLSX and selects all (issue 17 C.15). Truth: the cells put in the model."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView

from memberdesk.ui import table_actions as ta


def _view(qtbot: Any) -> QTableView:
    model = QStandardItemModel(3, 3)
    model.setHorizontalHeaderLabels(["Channel", "Policies", "Rate"])
    for r, row in enumerate([("agency", "1,234", "8.5%"), ("银保", "56", "9.0%"),
                             ("=cmd()", "7", "1.0%")]):
        for c, v in enumerate(row):
            model.setItem(r, c, QStandardItem(v))
    view = QTableView()
    view.setModel(model)
    view._model = model  # keep it alive
    qtbot.addWidget(view)
    view.show()
    return view


def test_ctrl_c_copies_selection_with_headers(qtbot: Any) -> None:
    view = _view(qtbot)
    ta.install_everywhere()
    view.selectionModel().select(view.model().index(0, 0), view.selectionModel().SelectionFlag.Select)
    view.selectionModel().select(view.model().index(1, 1), view.selectionModel().SelectionFlag.Select)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    text = QGuiApplication.clipboard().text()
    assert text == "Channel\tPolicies\nagency\t\n\t56\n"


def test_select_all_and_copy_without_headers(qtbot: Any) -> None:
    view = _view(qtbot)
    view.selectAll()
    assert ta.copy_selection(view, headers=False).splitlines() == [
        "agency\t1,234\t8.5%", "银保\t56\t9.0%", "=cmd()\t7\t1.0%"]


def test_context_menu_entries(qtbot: Any) -> None:
    view = _view(qtbot)
    menu = ta.context_menu(view)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Copy", "Copy with headers", "Export CSV…", "Export XLSX…", "Select all"]
    assert not menu.actions()[0].isEnabled()  # nothing selected yet


def test_export_csv_and_xlsx(qtbot: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    view = _view(qtbot)
    out = ta.export_table(view, tmp_path / "t.csv")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["Channel", "Policies", "Rate"]
    assert rows[2] == ["银保", "56", "9.0%"] and rows[3][0] == "'=cmd()"
    book = ta.export_table(view, tmp_path / "t.xlsx")
    ws = load_workbook(book).active
    assert [c.value for c in ws[1]] == ["Channel", "Policies", "Rate"]
    assert ws["B2"].value == 1234 and abs(ws["C2"].value - 0.085) < 1e-12
    assert ws["A4"].value == "'=cmd()" and ws["A4"].data_type == "s"


def test_main_window_tables_have_the_filter(qtbot: Any) -> None:
    from memberdesk.ui.settings import AppSettings
    from memberdesk.ui.shell.main_window import MainWindow

    w = MainWindow(AppSettings())
    w.ask_before_close = False
    qtbot.addWidget(w)
    assert ta._FILTER is not None
