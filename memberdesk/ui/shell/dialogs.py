"""The error dialog (plain message first, technical details folded away) and About.

Errors reach the user in words: a :class:`~memberdesk.core.errors.DataError` says what is
wrong and where (file, sheet, row, column); an :class:`~memberdesk.core.errors.AnalysisError`
says why the figure cannot be computed; anything else is a bug, shown as such with the
traceback in the details so it can be copied into a report.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

import memberdesk
from memberdesk.core.errors import AnalysisError, DataError
from memberdesk.core.reasons import reason_text
from memberdesk.ui.i18n import ui_language


def tr(text: str) -> str:
    # pyside6-lupdate files bare tr("...") calls under the empty context, so look them up there
    return QCoreApplication.translate("", text)


def describe_error(exc: BaseException) -> tuple[str, str, str]:
    """(title, message, where) for an exception, in user words. ``where`` may be empty."""
    if isinstance(exc, DataError):
        return tr("The data cannot be used"), reason_text(exc.message, ui_language()), exc.location()
    if isinstance(exc, AnalysisError):
        where = tr("column {0}").format(exc.column) if exc.column else ""
        return tr("This analysis cannot be computed"), exc.text(ui_language()), where
    if isinstance(exc, (OSError, PermissionError)):
        where = str(exc.filename) if getattr(exc, "filename", None) else ""
        return tr("A file could not be read or written"), exc.strerror or str(exc), where
    return (tr("Something went wrong"),
            tr("MemberDesk hit an unexpected problem: {0}").format(
                f"{type(exc).__name__}: {exc}"), "")


class ErrorDialog(QDialog):
    """A message, where it happened, and a collapsible details section (traceback)."""

    def __init__(self, exc: BaseException, details: str = "", context: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title, message, where = describe_error(exc)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.exception = exc

        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)

        self.title_label = QLabel(f"<b>{_escape(title)}</b>")
        self.message_label = QLabel(_escape(message))
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where_label = QLabel(tr("Where: {0}").format(where) if where else "")
        self.where_label.setWordWrap(True)
        self.where_label.setVisible(bool(where))
        self.where_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.context_label = QLabel(tr("While: {0}").format(context) if context else "")
        self.context_label.setVisible(bool(context))
        self.context_label.setStyleSheet("color: palette(placeholder-text);")

        text = QVBoxLayout()
        for w in (self.title_label, self.message_label, self.where_label, self.context_label):
            text.addWidget(w)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)

        detail_text = "\n".join(x for x in (context, f"{type(exc).__name__}: {exc}", details) if x)
        self.details = QPlainTextEdit(detail_text)
        self.details.setReadOnly(True)
        self.details.setMinimumHeight(180)
        self.details.setVisible(False)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.details_button = QPushButton(tr("Show details"))
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._toggle_details)
        copy = QPushButton(tr("Copy details"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(detail_text))
        buttons.addButton(self.details_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_button.setText(tr("Hide details") if shown else tr("Show details"))
        self.adjustSize()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def show_about(parent: QWidget | None = None) -> None:
    QMessageBox.about(
        parent, tr("About MemberDesk"),
        tr("<h3>MemberDesk {0}</h3>"
            "<p>Member-lifecycle analytics for a mutual life insurer: retention, persistency, "
            "drivers of lapse, projections, decrements, experience studies, benefits, service "
            "and claims, with an Excel report for managers.</p>"
            "<p>Statistics: Kaplan-Meier and Cox models by "
            "<a href='https://lifelines.readthedocs.io'>lifelines</a>; charts by pyqtgraph; "
            "user interface by Qt for Python (PySide6).</p>").format(memberdesk.__version__))
