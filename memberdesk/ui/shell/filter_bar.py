"""The global filter bar: as-of date, study start (delayed entry for survival statistics),
issue-date range and product/channel/region/tier.

Always visible above the pages. Edits are debounced (300 ms) and then announced once through
:attr:`FilterBar.changed` with a :class:`~memberdesk.core.dataset.Filters` and the as-of date
(None = latest date in the data); the main window derives the filtered Dataset from them.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from PySide6.QtCore import QDate, QEvent, QPoint, QPointF, QSignalBlocker, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFocusEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QToolButton,
    QWidget,
)

from memberdesk.core import labels, schema
from memberdesk.core.dataset import Dataset, Filters

DEBOUNCE_MS = 300
_NO_DATE = QDate(1900, 1, 1)  # the date edits' minimum, shown as "any"

# Filter name -> (table, column) its choices come from, in bar order.
CHOICE_SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "product": ((schema.POLICIES, "product"),),
    "channel": ((schema.POLICIES, "channel"),),
    "region": ((schema.MEMBERS, "region"), (schema.POLICIES, "region")),
    "tier": ((schema.MEMBERS, "tier"), (schema.POLICIES, "tier")),
}


def _qdate(ts: pd.Timestamp | None) -> QDate:
    return _NO_DATE if ts is None else QDate(ts.year, ts.month, ts.day)


def _timestamp(d: QDate) -> pd.Timestamp | None:
    return None if d == _NO_DATE else pd.Timestamp(d.year(), d.month(), d.day())


class DateEdit(QDateEdit):
    """A date edit a keyboard user can get through (issue 17 C.14): Tab leaves the edit instead
    of walking its year/month/day sections, focus selects the whole date so a typed
    ``2024-12-31`` replaces it (also when the edit shows its "any"/"latest" text), and the
    calendar of an empty edit opens at :attr:`near` (the data's last month), not January 1900."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.near: QDate | None = None
        self._typed = ""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802,A002 - Qt API
        return QWidget.focusNextPrevChild(self, next)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt API
        super().focusInEvent(event)
        self._typed = ""
        QTimer.singleShot(0, self, self.selectAll)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt API
        self._typed = ""
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """Digits and '-' typed are collected as one date (``2024-12-31`` or ``20241231``) and
        set when complete; Backspace edits them, Escape drops them."""
        text = event.text()
        typed = getattr(self, "_typed", "")
        if text and (text.isdigit() or (text == "-" and typed)):
            typed += text
            self._typed = typed
            digits = typed.replace("-", "")
            self.lineEdit().setText(typed)
            if len(digits) == 8:
                date = QDate(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
                self._typed = ""
                if date.isValid() and date >= self.minimumDate():
                    self.setDate(date)
                else:
                    self.setDate(self.date())  # show the date again
                self.selectAll()
            return
        if typed and event.key() == Qt.Key.Key_Backspace:
            self._typed = typed[:-1]
            self.lineEdit().setText(self._typed)
            return
        if typed:
            self._typed = ""
            self.setDate(self.date())
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_F4) and (
                event.key() == Qt.Key.Key_F4 or event.modifiers() & Qt.KeyboardModifier.AltModifier):
            self.open_calendar()
            return
        super().keyPressEvent(event)

    def open_calendar(self) -> None:
        """Open the calendar popup from the keyboard (F4 or Alt+Down). QDateEdit opens it only
        on a click on its arrow (the keys did nothing in a walk under X), so this presses the
        arrow: the popup takes the focus, arrows move the day, Enter picks it, Escape closes."""
        if not self.calendarPopup() or not self.isEnabled():
            return
        option = QStyleOptionComboBox()
        option.initFrom(self)
        option.editable = True
        arrow = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxArrow, self)
        at = QPointF(arrow.center() if arrow.isValid() else QPoint(self.width() - 6, self.height() // 2))
        QApplication.sendEvent(self, QMouseEvent(  # mousePressEvent: the popup, near the data
            QEvent.Type.MouseButtonPress, at, QPointF(self.mapToGlobal(at)), Qt.MouseButton.LeftButton,
            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        super().mousePressEvent(event)
        self._turn_calendar()

    def _turn_calendar(self) -> None:
        cal = self.calendarWidget()
        if cal is not None and self.near is not None and self.date() == self.minimumDate():
            near = self.near
            QTimer.singleShot(0, cal, lambda: cal.setCurrentPage(near.year(), near.month()))


class MultiSelect(QToolButton):
    """A button with a menu of checkable values; nothing checked = no restriction."""

    selection_changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = label
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._menu = QMenu(self)
        self.setMenu(self._menu)
        self._actions: dict[str, QAction] = {}
        self._update_text()

    def set_choices(self, values: Iterable[str]) -> None:
        """Offer ``values``; keeps the current selection where still offered."""
        keep = set(self.selected())
        self._menu.clear()
        self._actions = {}
        clear = self._menu.addAction(self.tr("All (no filter)"))
        clear.triggered.connect(self.clear)
        self._menu.addSeparator()
        for value in values:
            act = self._menu.addAction(value)
            act.setCheckable(True)
            act.setChecked(value in keep)
            act.toggled.connect(self._toggled)
            self._actions[value] = act
        self.setEnabled(bool(self._actions))
        self._update_text()

    def choices(self) -> list[str]:
        return list(self._actions)

    def selected(self) -> tuple[str, ...]:
        return tuple(v for v, a in self._actions.items() if a.isChecked())

    def set_selected(self, values: Sequence[str], *, notify: bool = True) -> None:
        wanted = set(values)
        for value in wanted - set(self._actions):  # a saved filter on a value not loaded yet
            act = self._menu.addAction(value)
            act.setCheckable(True)
            act.toggled.connect(self._toggled)
            self._actions[value] = act
        for value, act in self._actions.items():
            with QSignalBlocker(act):
                act.setChecked(value in wanted)
        self._update_text()
        if notify:
            self.selection_changed.emit()

    def clear(self) -> None:
        self.set_selected(())

    def _toggled(self, _checked: bool) -> None:
        self._update_text()
        self.selection_changed.emit()

    def _update_text(self) -> None:
        chosen = self.selected()
        if not chosen:
            text = self.tr("{0}: all").format(self._label)
        elif len(chosen) <= 2:
            text = f"{self._label}: {', '.join(chosen)}"
        else:
            text = self.tr("{0}: {1} of {2}").format(self._label, len(chosen), len(self._actions))
        self.setText(text)
        font = self.font()
        font.setBold(bool(chosen))
        self.setFont(font)


class FitLabel(QLabel):
    """A one-line label that takes the width it is given and shows its text elided ("…") to
    it, the whole text in its tooltip. A plain label asks for its whole text's width: the
    filter bar's "Active: as of …; issue date: …; channel: …" made the main window wider than
    a 1400-pixel screen, its right edge (the Cockpit's definition panel) off the screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(0, super().minimumSizeHint().height())

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(text)
        self.setToolTip(text)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter = QPainter(self)
        self.style().drawItemText(painter, rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter),
                                  self.palette(), self.isEnabled(), shown, self.foregroundRole())


class FilterBar(QWidget):
    """As-of date, issue-date range and four multi-selects; emits :attr:`changed` debounced."""

    changed = Signal(object, object)  # Filters, as-of (pd.Timestamp | None)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._latest: pd.Timestamp | None = None
        self.capped_from: pd.Timestamp | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit)

        self.as_of = self._date_edit(self.tr("latest"))
        self.as_of.setToolTip(self.tr("As-of date: the observation cut-off. Everything after it "
                                      "is treated as not yet happened. Default: the latest "
                                      "date in the data."))
        self.study_start = self._date_edit(self.tr("issue"))
        self.study_start.setToolTip(self.tr(
            "Study start (delayed entry): survival statistics observe policies from this date; "
            "policies issued before it enter at their duration on that date, those ended before "
            "it are out of the window. Default: from issue."))
        self.issue_from = self._date_edit(self.tr("any"))
        self.issue_from.setToolTip(self.tr("Only policies issued on or after this date"))
        self.issue_to = self._date_edit(self.tr("any"))
        self.issue_to.setToolTip(self.tr("Only policies issued on or before this date"))
        labels = {"product": self.tr("Product"), "channel": self.tr("Channel"),
                  "region": self.tr("Region"), "tier": self.tr("Tier")}
        self.selects = {name: MultiSelect(labels[name], self) for name in CHOICE_SOURCES}
        for sel in self.selects.values():
            sel.selection_changed.connect(self._schedule)
        self.clear_button = QToolButton(self)
        self.clear_button.setText(self.tr("Clear filters"))
        self.clear_button.clicked.connect(self.clear)
        self.active_label = FitLabel(self)  # never widens the window (elided, tooltip)
        self.active_label.setObjectName("activeFilters")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.addWidget(QLabel(self.tr("As of")))
        layout.addWidget(self.as_of)
        layout.addWidget(QLabel(self.tr("Study from")))
        layout.addWidget(self.study_start)
        layout.addSpacing(12)
        layout.addWidget(QLabel(self.tr("Issued")))
        layout.addWidget(self.issue_from)
        layout.addWidget(QLabel("–"))
        layout.addWidget(self.issue_to)
        layout.addSpacing(12)
        for sel in self.selects.values():
            layout.addWidget(sel)
        layout.addWidget(self.clear_button)
        layout.addWidget(self.active_label, 1)
        self._update_active()
        self.setEnabled(False)

    def _date_edit(self, special: str) -> DateEdit:
        edit = DateEdit(self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(_NO_DATE)
        edit.setSpecialValueText(special)
        edit.setDate(_NO_DATE)
        edit.dateChanged.connect(self._schedule)
        return edit

    # ---- state ----------------------------------------------------------------------------

    def filters(self) -> Filters:
        s = self.selects
        return Filters(issue_from=_timestamp(self.issue_from.date()),
                       issue_to=_timestamp(self.issue_to.date()),
                       product=s["product"].selected(), channel=s["channel"].selected(),
                       region=s["region"].selected(), tier=s["tier"].selected(),
                       study_start=_timestamp(self.study_start.date()))

    def as_of_date(self) -> pd.Timestamp | None:
        """The chosen as-of date, or None when it is the latest date in the data. A date after
        the data's last date is capped there (issue 17 C.11: KPIs computed past the data are
        artefacts) and :attr:`capped_from` keeps what was asked, for the warning."""
        ts = _timestamp(self.as_of.date())
        self.capped_from = None
        if ts is not None and self._latest is not None and ts > self._latest:
            self.capped_from = ts
            return None
        return None if ts is None or (self._latest is not None and ts == self._latest) else ts

    def set_state(self, filters: Filters, as_of: pd.Timestamp | None, *,
                  notify: bool = False) -> None:
        """Show ``filters`` and ``as_of`` (e.g. from a workspace)."""
        with QSignalBlocker(self.issue_from), QSignalBlocker(self.issue_to), \
                QSignalBlocker(self.as_of), QSignalBlocker(self.study_start):
            self.study_start.setDate(_qdate(filters.study_start))
            self.issue_from.setDate(_qdate(filters.issue_from))
            self.issue_to.setDate(_qdate(filters.issue_to))
            self.as_of.setDate(_qdate(as_of if as_of is not None else self._latest))
        for name, sel in self.selects.items():
            sel.set_selected(getattr(filters, name), notify=False)
        self._update_active()
        if notify:
            self._schedule()

    def set_dataset(self, ds: Dataset | None,
                    choices: dict[str, object] | None = None) -> None:
        """Offer the values found in ``ds`` (the unfiltered data) and its date range.
        ``choices`` = :func:`filter_choices` of ``ds`` when already computed (in a worker:
        on a million rows it takes a few hundred milliseconds)."""
        self.setEnabled(ds is not None)
        if ds is None:
            return
        choices = choices if choices is not None else filter_choices(ds)
        self._latest = choices.get("_latest") or ds.latest()  # type: ignore[assignment]
        if self._latest is not None:  # empty date edits open their calendar near the data
            for edit in (self.as_of, self.study_start, self.issue_from, self.issue_to):
                edit.near = _qdate(self._latest)
        for name in CHOICE_SOURCES:
            self.selects[name].set_choices(choices.get(name, []))  # type: ignore[arg-type]
        with QSignalBlocker(self.as_of):
            self.as_of.setDate(_qdate(ds.as_of))
        self._update_active()

    def clear(self) -> None:
        self.set_state(Filters(), None, notify=True)

    def flush(self) -> None:
        """Emit now if a change is pending (e.g. before saving a workspace)."""
        if self._timer.isActive():
            self._timer.stop()
            self._emit()

    # ---- internals ------------------------------------------------------------------------

    def _schedule(self, *_args: object) -> None:
        self._update_active()
        self._timer.start()

    def _emit(self) -> None:
        self.changed.emit(self.filters(), self.as_of_date())

    def _update_active(self) -> None:
        active = self.filters().describe()
        as_of = self.as_of_date()
        if as_of is not None:
            active.insert(0, self.tr("as of {0}").format(as_of.date().isoformat()))
        self.clear_button.setEnabled(bool(active))
        capped = getattr(self, "capped_from", None)
        if capped is not None and self._latest is not None:
            self.active_label.setText(self.tr(
                "As of {0} is after the last date in the data ({1}): figures are as of {1}.")
                .format(capped.date().isoformat(), self._latest.date().isoformat()))
            self.active_label.setStyleSheet("color: #C55A11; font-weight: bold;")
            self.as_of.setToolTip(self.active_label.text())
            return
        if active:
            self.active_label.setText(self.tr("Active: {0}").format("; ".join(active)))
            self.active_label.setStyleSheet("color: palette(link); font-weight: bold;")
        else:
            self.active_label.setText(self.tr("No filters: all data"))
            self.active_label.setStyleSheet("color: palette(placeholder-text);")


def filter_choices(ds: Dataset) -> dict[str, object]:
    """The values each multi-select offers (sorted distinct values of the unfiltered data),
    and under ``"_latest"`` the latest date in the data. Pure pandas: safe in a worker."""
    out: dict[str, object] = {name: _values(ds, sources) for name, sources in CHOICE_SOURCES.items()}
    out["_latest"] = ds.latest()
    return out


def _values(ds: Dataset, sources: tuple[tuple[str, str], ...]) -> list[str]:
    book = getattr(ds, "book", None)
    for table, column in sources:
        if book is not None:  # an engine book: a DISTINCT query, not every row read
            if not ds.has(table) or column not in _columns(book, ds, table):
                continue
            values = book.distinct(ds, table, column, limit=MAX_CHOICES)
        else:
            frame = ds.validated.get(table)
            if frame is None or column not in frame.columns:
                continue
            values = list(pd.unique(frame[column].to_numpy(dtype=object)))
        # tiers (and any band) in their natural order, not alphabetically
        return [str(v) for v in labels.ordered_values(
            str(v) for v in values if v is not None and v == v)]
    return []


MAX_CHOICES = 1000  # values a multi-select offers at most from an engine book


def _columns(book: Any, ds: Dataset, table: str) -> list[str]:
    if table == schema.POLICIES:
        return ds.policy_columns()
    t = book.accepted(table)
    return [] if t is None else list(t.columns)
