"""Copy and export for every table (issue 17 C.15).

Ctrl+C copies the selected cells with their column headers, tab-separated (pastes into Excel as
cells); a right-click menu offers Copy, Copy with headers, Export CSV…, Export XLSX… and Select
all. :func:`install_everywhere` puts one application-wide event filter in place, so every
:class:`QTableView` of the app — page tables, the validation report, the retention list —
gets them without each page opting in; :func:`install` does it for one view.

Exports write what the table shows (display text, all rows of the model, not only the
selection); a text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first)
is written with a leading apostrophe, as the report does.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QTableView, QWidget

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _header(view: QTableView, col: int) -> str:
    value = view.model().headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
    return "" if value is None else str(value)


def _text(view: QTableView, row: int, col: int) -> str:
    model = view.model()
    value = model.data(model.index(row, col), Qt.ItemDataRole.DisplayRole)
    return "" if value is None else str(value).replace("\t", " ").replace("\n", " ")


def selection_text(view: QTableView, *, headers: bool = True) -> str:
    """The selected cells as tab-separated lines (the bounding rows/columns of the selection;
    unselected cells inside it are blank), the visible column headers first when ``headers``."""
    indexes = view.selectionModel().selectedIndexes() if view.selectionModel() else []
    if not indexes:
        return ""
    chosen = {(i.row(), i.column()) for i in indexes}
    rows = sorted({r for r, _ in chosen})
    cols = sorted({c for _, c in chosen if not view.isColumnHidden(c)})
    lines = []
    if headers:
        lines.append("\t".join(_header(view, c) for c in cols))
    for r in rows:
        if view.isRowHidden(r):
            continue
        lines.append("\t".join(_text(view, r, c) if (r, c) in chosen else "" for c in cols))
    return "\n".join(lines) + "\n"


def copy_selection(view: QTableView, *, headers: bool = True) -> str:
    text = selection_text(view, headers=headers)
    if text:
        QGuiApplication.clipboard().setText(text)
    return text


def table_rows(view: QTableView) -> tuple[list[str], list[list[str]]]:
    """Headers and display text of every visible row and column of the view's model."""
    model = view.model()
    cols = [c for c in range(model.columnCount()) if not view.isColumnHidden(c)]
    rows = [[_text(view, r, c) for c in cols] for r in range(model.rowCount())
            if not view.isRowHidden(r)]
    return [_header(view, c) for c in cols], rows


def _safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def export_table(view: QTableView, path: str | Path) -> Path:
    """Write the table as CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX (by suffix),
    atomically."""
    import csv
    import io

    from memberdesk.core.atomic_write import atomic_write

    path = Path(path)
    headers, rows = table_rows(view)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        from memberdesk.core.validation_report import workbook_bytes

        wb = Workbook()
        ws = wb.active
        ws.append([_safe(h) for h in headers])
        for row in rows:
            ws.append([_number_or_text(v) for v in row])
        data = workbook_bytes(wb)
        atomic_write(path, lambda h: h.write(data), what="the table")
        return path
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([_safe(h) for h in headers])
    writer.writerows([[_safe(v) for v in row] for row in rows])
    payload = ("\ufeff" + buf.getvalue()).encode("utf-8")
    atomic_write(path, lambda h: h.write(payload), what="the table")
    return path


def _number_or_text(value: str) -> Any:
    """A cell of the XLSX export: a plain number ("1,234", "8.5%") as a number, else text."""
    text = value.strip()
    plain = text.replace(",", "")
    try:
        if plain.endswith("%"):
            return float(plain[:-1]) / 100
        return float(plain) if plain and plain[0] not in "+" else _safe(value)
    except ValueError:
        return _safe(value)


def context_menu(view: QTableView, parent: QWidget | None = None) -> QMenu:
    """The table's right-click menu (built each time: the labels follow the language)."""
    # pyside6-lupdate files these strings under the empty context: look them up there
    tr = lambda s: QApplication.translate("", s)  # noqa: E731
    menu = QMenu(parent or view)
    copy = menu.addAction(tr("Copy"), lambda: copy_selection(view, headers=False))
    copy.setShortcut(QKeySequence.StandardKey.Copy)
    menu.addAction(tr("Copy with headers"), lambda: copy_selection(view, headers=True))
    menu.addSeparator()
    menu.addAction(tr("Export CSV…"), lambda: ask_export(view, "csv"))
    menu.addAction(tr("Export XLSX…"), lambda: ask_export(view, "xlsx"))
    menu.addSeparator()
    select_all = menu.addAction(tr("Select all"), view.selectAll)
    select_all.setShortcut(QKeySequence.StandardKey.SelectAll)
    has_selection = bool(view.selectionModel() and view.selectionModel().hasSelection())
    for action in menu.actions()[:2]:
        action.setEnabled(has_selection)
    return menu


def ask_export(view: QTableView, kind: str) -> Path | None:
    # pyside6-lupdate files these strings under the empty context: look them up there
    tr = lambda s: QApplication.translate("", s)  # noqa: E731
    filters = {"csv": tr("CSV file (*.csv)"), "xlsx": tr("Excel workbook (*.xlsx)")}
    path, _ = QFileDialog.getSaveFileName(view, tr("Export table"), f"table.{kind}", filters[kind])
    if not path:
        return None
    if not path.lower().endswith(f".{kind}"):
        path += f".{kind}"
    try:
        return export_table(view, path)
    except Exception as exc:  # noqa: BLE001 - shown, not lost in a slot
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(view, tr("Export table"), str(exc))
        return None


def _table_of(obj: QObject) -> QTableView | None:
    if isinstance(obj, QTableView):
        return obj
    parent = obj.parent() if isinstance(obj, QWidget) else None
    if isinstance(parent, QTableView) and obj is parent.viewport():
        return parent
    return None


def _is_menu_key(event: QKeyEvent) -> bool:
    """Shift+F10, the keyboard's context-menu chord (Windows maps it itself; X does not)."""
    return event.key() == Qt.Key.Key_F10 and \
        event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier == Qt.KeyboardModifier.ShiftModifier


def open_menu_at_current(view: QTableView) -> None:
    """The context menu at the current cell (the table's top-left corner without one)."""
    rect = view.visualRect(view.currentIndex())
    point = rect.center() if rect.isValid() else view.viewport().rect().topLeft()
    context_menu(view).popup(view.viewport().mapToGlobal(point))


class TableActions(QObject):
    """Event filter: Ctrl+C (with headers) and the context menu on table views."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind == QEvent.Type.KeyPress:
            view = obj if isinstance(obj, QTableView) else None
            if view is not None and isinstance(event, QKeyEvent) and event.matches(
                    QKeySequence.StandardKey.Copy):
                copy_selection(view, headers=True)
                return True
            if view is not None and isinstance(event, QKeyEvent) and _is_menu_key(event):
                open_menu_at_current(view)
                return True
        elif kind == QEvent.Type.ContextMenu:
            view = _table_of(obj)
            if view is not None and view.contextMenuPolicy() in (
                    Qt.ContextMenuPolicy.DefaultContextMenu, Qt.ContextMenuPolicy.PreventContextMenu) \
                    and isinstance(event, QContextMenuEvent):
                context_menu(view).exec(event.globalPos())
                return True
        return False


_FILTER: TableActions | None = None


def install_everywhere(app: QApplication | None = None) -> TableActions:
    """One application-wide filter (idempotent): every table view gets the actions."""
    global _FILTER
    target = app or QApplication.instance()
    if _FILTER is None and target is not None:
        _FILTER = TableActions()
        target.installEventFilter(_FILTER)
    assert _FILTER is not None, "install_everywhere needs a QApplication"
    return _FILTER


def install(view: QTableView) -> None:
    """The actions on one view (when the application-wide filter is not wanted)."""
    f = TableActions(view)
    view.installEventFilter(f)
    view.viewport().installEventFilter(f)


__all__ = ["copy_selection", "context_menu", "export_table", "install", "install_everywhere",
           "selection_text"]
