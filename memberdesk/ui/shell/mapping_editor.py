"""Column-mapping editor: which canonical column each source column feeds, for one table.

Shows one line per source header: the header, a few sample values, and a drop-down of the
canonical columns of the chosen table (or "keep as extra column"). Above it, which table the
file holds (or "ignore this table"). Required columns that nothing feeds are named in red.
The result is a :class:`~memberdesk.core.mapping.ColumnMapping` (or None = ignore).
"""
from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from memberdesk.core import schema
from memberdesk.core.mapping import ColumnMapping, auto_map, header_signature
from memberdesk.ui.i18n import column_label, table_label, ui_language


def field_text(name: str) -> str:
    """A canonical column as the mapping lists it: its id in English (what the docs and the
    data contract call it), its label with the id in Chinese (生效日期（issue_date）)."""
    return name if ui_language() == "en" else f"{column_label(name)}（{name}）"

_EXTRA = "__extra__"
_IGNORE = "__ignore__"


class MappingEditor(QWidget):
    """Edit the mapping of one source table. ``changed`` fires on every user edit."""

    changed = Signal()

    def __init__(self, headers: list[str], mapping: ColumnMapping | None,
                 preview: pd.DataFrame | None = None, parent: QWidget | None = None, *,
                 database: bool = False) -> None:
        """``database``: the columns are a database table's (Connect ▸ Columns…), not a file's."""
        super().__init__(parent)
        self.headers = list(headers)
        self.signature = header_signature(self.headers)
        self._preview = preview
        self.table_box = QComboBox(self)
        self.table_box.addItem(self.tr("Ignore this table"), _IGNORE)
        for name in schema.TABLES:
            self.table_box.addItem(table_label(name), name)
        self.grid = QTableWidget(len(self.headers), 3, self)
        source = self.tr("Column in the table") if database else self.tr("Column in the file")
        self.grid.setHorizontalHeaderLabels([source, self.tr("Examples"), self.tr("Means")])
        self.grid.verticalHeader().setVisible(False)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.grid.horizontalHeader().setStretchLastSection(True)
        self.missing = QLabel(self)
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet("color: #D55E00;")
        self.boxes: list[QComboBox] = []
        for row, header in enumerate(self.headers):
            self.grid.setItem(row, 0, QTableWidgetItem(header))
            self.grid.setItem(row, 1, QTableWidgetItem(self._examples(header)))
            box = QComboBox(self.grid)
            box.currentIndexChanged.connect(self._edited)
            self.grid.setCellWidget(row, 2, box)
            self.boxes.append(box)
        for row in range(len(self.headers)):
            for col in (0, 1):
                item = self.grid.item(row, col)
                if item is not None:
                    item.setFlags(item.flags() & ~item.flags().ItemIsEditable)
        form = QFormLayout()
        form.addRow(self.tr("This table holds:"), self.table_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.missing)
        self.set_mapping(mapping)
        self.table_box.currentIndexChanged.connect(self._table_changed)
        self.grid.resizeColumnsToContents()

    def _examples(self, header: str) -> str:
        if self._preview is None or header not in self._preview.columns:
            return ""
        values = [str(v) for v in self._preview[header].dropna().head(3) if str(v).strip()]
        return ", ".join(values)

    def set_mapping(self, mapping: ColumnMapping | None) -> None:
        """Show ``mapping`` (None = the table is ignored)."""
        self._updating = True
        table = mapping.table if mapping is not None else _IGNORE
        self.table_box.setCurrentIndex(self.table_box.findData(table))
        self._fill_boxes(mapping)
        self._updating = False
        self._show_missing()

    def _fill_boxes(self, mapping: ColumnMapping | None) -> None:
        table = None if mapping is None else mapping.table
        names = () if table is None else schema.TABLE_SPECS[table].column_names
        for header, box in zip(self.headers, self.boxes):
            box.blockSignals(True)
            box.clear()
            box.addItem(self.tr("(keep as extra column)"), _EXTRA)
            for name in names:
                box.addItem(field_text(name), name)
            target = None if mapping is None else mapping.columns.get(header)
            box.setCurrentIndex(max(0, box.findData(target)) if target else 0)
            box.setEnabled(table is not None)
            box.blockSignals(False)

    def mapping(self) -> ColumnMapping | None:
        """The mapping as edited, or None when the table is ignored."""
        table = self.table_box.currentData()
        if table == _IGNORE:
            return None
        columns: dict[str, str | None] = {}
        for header, box in zip(self.headers, self.boxes):
            value = box.currentData()
            columns[header] = None if value in (None, _EXTRA) else str(value)
        return ColumnMapping(str(table), columns, self.signature)

    def _table_changed(self, _index: int) -> None:
        table = self.table_box.currentData()
        self._fill_boxes(None if table == _IGNORE else auto_map(self.headers, str(table)))
        self._show_missing()
        self.changed.emit()

    def _edited(self, _index: int) -> None:
        if self._updating:
            return
        sender = self.sender()
        mapping = self.mapping()
        if mapping is not None and isinstance(sender, QComboBox):
            # one source column per canonical column: take it away from any other
            header = self.headers[self.boxes.index(sender)]
            target = mapping.columns[header]
            if target is not None:
                for other, box in zip(self.headers, self.boxes):
                    if other != header and box.currentData() == target:
                        box.blockSignals(True)
                        box.setCurrentIndex(0)
                        box.blockSignals(False)
        self._show_missing()
        self.changed.emit()

    def _show_missing(self) -> None:
        mapping = self.mapping()
        missing = [] if mapping is None else mapping.missing_required()
        if mapping is not None and mapping.table == schema.POLICIES and "issue_date" in missing \
                and "duration" in mapping.mapped.values():
            missing.remove("issue_date")
        self.missing.setText(self.tr("Required but not mapped: {0}").format(
            ", ".join(field_text(m) for m in missing))
                             if missing else "")
        self.missing.setVisible(bool(missing))
