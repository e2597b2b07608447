"""The validation report on screen: counts per table and reason, rejected rows, export.

Top: one row per table (files, read, accepted, rejected, out of window). Middle: one row per
table and reason; selecting one shows only those rejected rows below. Bottom: the rejected rows
(table, file, sheet, row, column, reason, value) in a DataFrame model — fast for any size —
and a button exporting them to CSV or XLSX.
"""
from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from memberdesk.core.reasons import reason_text, rejection_label, rejection_meaning
from memberdesk.core.validation_report import REJECTED_COLUMNS, ValidationReport, detail_text
from memberdesk.ui.i18n import table_label, ui_language
from memberdesk.ui.pages.base import honest_sort
from memberdesk.ui.table_model import DataFrameModel


def reason_label(code: object) -> str:
    """A rejection reason's short name in the UI language (the code itself in English)."""
    return rejection_label(str(code), ui_language())


def _table_label(table: object) -> str:
    return table_label(str(table))


def _detail(detail: object) -> str:
    """A rejected row's detail (a reason code with parameters) in the UI language."""
    return detail_text(detail, ui_language())


def _column(column: object) -> str:
    """A rejected cell's column as the mapping editor lists it: the id in English, its label
    with the id under 简体中文 (承保日期（issue_date）; it read issue_date, issue 17 C.16); a
    column the catalogue does not know (the file's own) as it is."""
    from memberdesk.core.labels import has_column_label
    from memberdesk.ui.shell.mapping_editor import field_text

    name = "" if column is None or column != column else str(column)
    return field_text(name) if name and has_column_label(name) else name


# The table, reason, column and detail columns show words in the UI language, rendered cell by
# cell as they are shown (millions of rows cost nothing); the models keep the codes (the reason
# list filters the rejected rows by them, the export writes them).
LABELLED = {"table": _table_label, "reason": reason_label, "column": _column, "detail": _detail}


def summary_frame(report: ValidationReport) -> pd.DataFrame:
    """One row per table: files, read, accepted, rejected, out_of_window."""
    rows = [{"table": t.table, "files": ", ".join(t.files), "read": t.read,
             "accepted": t.accepted, "rejected": t.rejected, "out_of_window": t.out_of_window}
            for t in report.tables]
    return pd.DataFrame(rows, columns=["table", "files", "read", "accepted", "rejected",
                                       "out_of_window"])


def reasons_frame(report: ValidationReport) -> pd.DataFrame:
    """One row per (table, reason) with the number of rows and what the reason means (in the
    UI language, from :mod:`memberdesk.core.reasons`)."""
    rows = [{"table": t.table, "reason": reason, "rows": n,
             "meaning": rejection_meaning(reason, ui_language())}
            for t in report.tables for reason, n in sorted(t.reasons.items())]
    return pd.DataFrame(rows, columns=["table", "reason", "rows", "meaning"])


def _table_view(model: DataFrameModel, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSortingEnabled(True)
    honest_sort(view)
    view.setAlternatingRowColors(True)
    view.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it): no Tab trap
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 6)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setResizeContentsPrecision(50)  # widths from the first rows: fast
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


class ValidationView(QWidget):
    """Shows a :class:`ValidationReport`; ``export_requested(path)`` is handled here."""

    exported = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: ValidationReport | None = None
        self.summary_model = DataFrameModel(parent=self, formats=LABELLED)
        self.reasons_model = DataFrameModel(parent=self, formats=LABELLED)
        self.rejected_model = DataFrameModel(parent=self, formats=LABELLED)
        self.summary_view = _table_view(self.summary_model, self)
        self.reasons_view = _table_view(self.reasons_model, self)
        self.rejected_view = _table_view(self.rejected_model, self)
        self.reasons_view.selectionModel().selectionChanged.connect(self._reason_selected)

        self.messages = QLabel(self)
        self.messages.setWordWrap(True)
        self.messages.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rejected_title = QLabel(self)
        self.show_all = QPushButton(self.tr("Show all rejected rows"), self)
        self.show_all.clicked.connect(self.reasons_view.clearSelection)
        self.export_button = QPushButton(self.tr("Export rejected rows…"), self)
        self.export_button.clicked.connect(self.ask_export)

        top = QWidget(self)
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(QLabel(self.tr("<b>Rows read, accepted and rejected per table</b>")))
        tl.addWidget(self.summary_view)
        tl.addWidget(self.messages)
        middle = QWidget(self)
        ml = QVBoxLayout(middle)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.addWidget(QLabel(self.tr("<b>Why rows were rejected</b> — select a line to see "
                                    "those rows")))
        ml.addWidget(self.reasons_view)
        bottom = QWidget(self)
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.rejected_title, 1)
        head.addWidget(self.show_all)
        head.addWidget(self.export_button)
        bl.addLayout(head)
        bl.addWidget(self.rejected_view)
        split = QSplitter(Qt.Orientation.Vertical, self)
        for w in (top, middle, bottom):
            split.addWidget(w)
        split.setSizes([170, 150, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.set_report(None)

    def set_report(self, report: ValidationReport | None) -> None:
        self.report = report
        report = report or ValidationReport()
        self.summary_model.set_frame(summary_frame(report))
        self.reasons_model.set_frame(reasons_frame(report))
        self.summary_view.resizeColumnsToContents()
        self.reasons_view.resizeColumnsToContents()
        self.messages.setText("\n".join(reason_text(m, ui_language()) for m in report.messages))
        self.messages.setVisible(bool(report.messages))
        self.export_button.setEnabled(report.total_rejected > 0)
        self._show_rejected(None, None)

    def rejected_rows(self, table: str | None = None, reason: str | None = None) -> pd.DataFrame:
        """Rejected rows, optionally of one table and reason (what the bottom table shows)."""
        if self.report is None:
            return pd.DataFrame(columns=list(REJECTED_COLUMNS))
        frame = self.report.rejected.reindex(columns=list(REJECTED_COLUMNS))
        if table is not None:
            frame = frame[frame["table"] == table]
        if reason is not None:
            frame = frame[frame["reason"] == reason]
        return frame.reset_index(drop=True)

    def _reason_selected(self, *_args: object) -> None:
        rows = self.reasons_view.selectionModel().selectedRows()
        if not rows:
            self._show_rejected(None, None)
            return
        src = rows[0].row()
        model = self.reasons_model
        table = model.raw(src, 0)
        reason = model.raw(src, 1)
        self._show_rejected(str(table), str(reason))

    def _show_rejected(self, table: str | None, reason: str | None) -> None:
        frame = self.rejected_rows(table, reason)
        self.rejected_model.set_frame(frame)
        self.rejected_view.resizeColumnsToContents()
        total = 0 if self.report is None else self.report.total_rejected
        if table is None:
            self.rejected_title.setText(self.tr("<b>Rejected rows</b> ({0:,})").format(total))
        else:
            self.rejected_title.setText(self.tr("<b>Rejected rows</b>: {0}, {1} ({2:,} of {3:,})")
                                        .format(table_label(table), reason_label(reason),
                                                len(frame), total))
        self.show_all.setVisible(table is not None)

    def ask_export(self) -> None:
        if self.report is None:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, self.tr("Export rejected rows"), "rejected_rows.csv",
            "CSV (*.csv);;Excel workbook (*.xlsx)")
        if path:
            self.export(path)

    def export(self, path: str) -> str:
        """Write every rejected row to ``path`` (CSV or XLSX by its suffix), the details in
        the UI language."""
        assert self.report is not None
        written = str(self.report.export_rejected(path, lang=ui_language()))
        self.exported.emit(written)
        return written
