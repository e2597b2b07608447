"""The base of every analysis page: stale tracking, background computation, empty states.

Life cycle
----------
``set_dataset(ds)`` stores the dataset and marks the page stale. A stale page recomputes when
it is (or becomes) visible: it collects its parameters in the GUI thread (:meth:`task`) and
runs the pure computation on the shared pool (:func:`memberdesk.ui.worker.run_task`); only the
newest result reaches :meth:`show_result`. Control changes go through a short debounce
(:meth:`request_refresh`). ``is_busy`` is True while a refresh is pending or running.
Results are cached per page by their inputs (:func:`result_key`), so switching pages, or
going back to earlier filters or settings, shows the earlier result without recomputing.
A task cancelled from the status bar leaves the page stale (it computes again when shown).

Workspace state: a page declares its choice-bearing controls with :meth:`persist`; the base
class implements ``state()``/``restore_state()`` for them (see :mod:`.page_state`). Restored
values whose items come with the data (segment combos, column lists) wait until
:meth:`set_dataset` has refilled the controls; restoring emits no change signals and asks for
one recomputation.

States: *content*, or a *message* — no data loaded, the page's table is absent, the analysis
raised :class:`AnalysisError`/:class:`DataError` (its message is shown), or the analysis module
is not part of this build yet.
"""
from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from typing import Any

import pandas as pd
from PySide6.QtCore import QT_TR_NOOP, QCoreApplication, Qt, QTimer
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from memberdesk.ui.i18n import ui_language
from memberdesk.ui.table_model import DataFrameModel

Task = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]

TABLE_LABELS = {  # QT_TR_NOOP marks them for pyside6-lupdate; tr() translates at use
    "policies": (QT_TR_NOOP("policies"), QT_TR_NOOP("a policies file")),
    "members": (QT_TR_NOOP("members"), QT_TR_NOOP("a members file")),
    "benefit_usage": (QT_TR_NOOP("benefit usage records"), QT_TR_NOOP("a benefit_usage file")),
    "service_contacts": (QT_TR_NOOP("service contacts"), QT_TR_NOOP("a service_contacts file")),
    "claims": (QT_TR_NOOP("claims"), QT_TR_NOOP("a claims file")),
}


def tr(text: str) -> str:
    # pyside6-lupdate files bare tr("...") calls under the empty context, so look them up there
    return QCoreApplication.translate("", text)


def honest_sort(view: QTableView) -> None:
    """Make ``view``'s sort arrow tell the truth (call after ``setSortingEnabled(True)``).

    Qt shows an ascending arrow on the first column of a sortable view although the rows come
    in the result's own order (Projection's "Model ▲" over Exponential, Weibull, Log-normal…),
    and a new result (a model reset) came in that order under the arrow the user had set. The
    arrow starts off; after a reset the rows are sorted again by the arrow's column, or the
    arrow goes when that column is gone."""
    header = view.horizontalHeader()
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

    def sort_again() -> None:
        section, model = header.sortIndicatorSection(), view.model()
        if model is None or section < 0:
            return
        if section < model.columnCount():
            model.sort(section, header.sortIndicatorOrder())
        else:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

    model = view.model()
    if model is not None:
        model.modelReset.connect(sort_again)


def make_table(parent: QWidget | None = None, *, min_height: int = 0) -> tuple[QTableView, DataFrameModel]:
    """A sortable, read-only table view over a :class:`DataFrameModel` (its sort arrow shown
    only when the rows are sorted by that column: :func:`honest_sort`)."""
    model = DataFrameModel(parent=parent)
    view = QTableView(parent)
    view.setModel(model)
    view.setSortingEnabled(True)
    honest_sort(view)
    view.verticalHeader().setVisible(False)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it): no Tab trap
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    if min_height:
        view.setMinimumHeight(min_height)
    return view, model


def fill_table(view: QTableView, model: DataFrameModel, frame: pd.DataFrame | None, **kwargs: Any) -> None:
    model.set_frame(frame, **kwargs)
    view.resizeColumnsToContents()


def split_content(content: QWidget, orientation: Qt.Orientation, first: QWidget, second: QWidget,
                  *, sizes: tuple[int, int], stretch: tuple[int, int] | None = None) -> QSplitter:
    """Fill a page's content area (no margins) with ``first`` and ``second`` in a splitter,
    starting at ``sizes`` pixels; ``stretch`` (factors) shares out space gained on resize."""
    splitter = QSplitter(orientation)
    splitter.addWidget(first)
    splitter.addWidget(second)
    if stretch is not None:
        splitter.setStretchFactor(0, stretch[0])
        splitter.setStretchFactor(1, stretch[1])
    splitter.setSizes(list(sizes))
    layout = QVBoxLayout(content)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(splitter)
    return splitter


def percent_format(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if v != v else f"{v:.1%}"


class AnalysisPage(QWidget):
    """Base class; subclasses set ``page_id``/``required_table`` and implement
    :meth:`title`, :meth:`build_content`, :meth:`task` and :meth:`show_result`."""

    page_id = ""
    required_table: str | None = "policies"
    debounce_ms = 120
    cached_results = 4  # results kept per page, keyed by their inputs (see result_key)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset: Any = None
        self.result: Any = None
        self._stale = True
        self._panels: list[Any] = []
        self._results: OrderedDict[Any, Any] = OrderedDict()
        self._cached_tables: Any = None
        self._watching_runner = False
        self._starting = False
        self._waiting = False  # a task was started and has not answered yet
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(self.debounce_ms)
        self._debounce.timeout.connect(self.refresh)
        self._persisted: dict[str, QWidget] = {}  # workspace state: key -> control
        self._pending_state: dict[str, Any] = {}  # restored values waiting for the data

        self.heading = QLabel(f"<b>{self.title()}</b>")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.subtitle = QLabel("")
        self.subtitle.setWordWrap(True)
        self.subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # secondary, legible
        self.controls = QHBoxLayout()
        self.controls.setContentsMargins(0, 0, 0, 0)
        self.status_label = QLabel("")
        self.status_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        header = QHBoxLayout()
        header.addWidget(self.heading)
        header.addStretch(1)
        header.addWidget(self.status_label)

        self.content = QWidget()
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setFrameShape(QFrame.Shape.NoFrame)
        self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                             | Qt.TextInteractionFlag.LinksAccessibleByMouse
                                             | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.message.linkActivated.connect(self._cancel_link)
        self._busy_cancel: Any = None
        self.stack = QStackedWidget()
        self.stack.addWidget(self.content)
        self.stack.addWidget(self.message)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.subtitle)
        layout.addLayout(self.controls)
        layout.addWidget(self.stack, 1)
        self.build_content(self.content)
        self.controls.addStretch(1)
        self.show_message(tr("No data loaded — open a policies file (or a folder of files) to start."))

    # ---- contract with the main window --------------------------------------------------

    def title(self) -> str:
        raise NotImplementedError

    def set_dataset(self, ds: Any) -> None:
        """New data, filters or as-of date: mark stale; recompute now if visible."""
        self.dataset = ds
        tables = getattr(ds, "validated", None)
        if tables is not self._cached_tables:  # new data: results of the old data are useless
            self._results.clear()
            self._cached_tables = tables  # also keeps id(tables) in result keys unique
        self._stale = True
        self.on_dataset(ds)
        if ds is not None and self._pending_state:  # a workspace's choices, now that items exist
            pending, self._pending_state = self._pending_state, {}
            self._apply_state(pending)
        if self.isVisible():
            self.request_refresh(immediate=True)

    @property
    def is_busy(self) -> bool:
        from memberdesk.ui.worker import is_busy

        return self._debounce.isActive() or is_busy(self)

    def charts(self) -> list[Any]:
        """The page's chart panels (for "Export chart…")."""
        return list(self._panels)

    def state(self) -> dict[str, Any]:
        """Workspace state: the value of every control declared with :meth:`persist` (a restored
        value still waiting for the data counts as chosen)."""
        from memberdesk.ui.pages.page_state import control_value

        return {key: self._pending_state[key] if key in self._pending_state else control_value(w)
                for key, w in self._persisted.items()}

    def restore_state(self, state: Any) -> None:
        """Show a workspace's choices (unknown keys and values of the wrong kind are ignored).
        Values the controls cannot take yet, and all of them before the page has data, are
        applied again when the data arrive; then one recomputation follows."""
        if not isinstance(state, dict):
            return
        wanted = {k: v for k, v in state.items() if k in self._persisted}
        applied = self._apply_state(wanted)
        for key, value in wanted.items():
            if self.dataset is None or key not in applied:
                self._pending_state[key] = value
            else:
                self._pending_state.pop(key, None)
        self.state_restored()

    def state_restored(self) -> None:
        """After :meth:`restore_state`: recompute once (now if visible, else when shown)."""
        if self.dataset is not None:
            self._stale = True
            if self.isVisible():
                self.request_refresh()

    # ---- for subclasses -----------------------------------------------------------------

    def persist(self, key: str, widget: QWidget) -> QWidget:
        """Keep ``widget``'s value in workspaces under ``key`` (see :meth:`state`). A change by
        the user wins over a restored value still waiting for the data."""
        from memberdesk.ui.pages.page_state import change_signal, supports

        if not supports(widget):
            raise TypeError(f"cannot keep the state of a {type(widget).__name__}")
        self._persisted[key] = widget
        change_signal(widget).connect(lambda *_a, key=key: self._pending_state.pop(key, None))
        return widget

    def build_content(self, content: QWidget) -> None:
        raise NotImplementedError

    def on_dataset(self, ds: Any) -> None:
        """Update selectors (segment lists…) for a new dataset. GUI thread."""

    def on_state_applied(self, keys: set[str]) -> None:
        """Workspace values were just shown in the controls ``keys`` (without change signals)."""

    def task(self, ds: Any) -> Task | None:
        """The computation for ``ds`` with the current control values: ``(fn, args, kwargs)``.
        ``fn`` runs on a pool thread and must not touch widgets."""
        raise NotImplementedError

    def show_result(self, result: Any) -> None:
        raise NotImplementedError

    def empty_message(self) -> str:
        name, how = TABLE_LABELS.get(self.required_table or "", (QT_TR_NOOP("data"),
                                                                     QT_TR_NOOP("a file")))
        return tr("No {name} loaded — load {how} to see this page.").format(name=tr(str(name)), how=tr(str(how)))

    def register_panel(self, panel: Any) -> Any:
        self._panels.append(panel)
        return panel

    def add_control(self, label: str, widget: QWidget) -> QWidget:
        if label:
            self.controls.addWidget(QLabel(label))
        self.controls.addWidget(widget)
        return widget

    def combo(self, label: str, items: list[tuple[str, Any]]) -> QComboBox:
        box = QComboBox()
        for text, data in items:
            box.addItem(text, data)
        box.currentIndexChanged.connect(lambda _i: self.request_refresh())
        self.add_control(label, box)
        return box

    # ---- machinery ----------------------------------------------------------------------

    def _apply_state(self, values: dict[str, Any]) -> set[str]:
        """Set the persisted controls to ``values`` without signals; the keys that took."""
        from memberdesk.ui.pages.page_state import apply_value

        applied = {key for key, value in values.items()
                   if key in self._persisted and apply_value(self._persisted[key], value)}
        if applied:
            self.on_state_applied(applied)
        return applied

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        if self._stale:
            self.request_refresh(immediate=True)

    def request_refresh(self, immediate: bool = False) -> None:
        self._stale = True
        if immediate:
            self._debounce.stop()
            self.refresh()
        else:
            self._debounce.start()

    def refresh(self) -> None:
        """Recompute now for the current dataset and controls."""
        from memberdesk.ui.worker import run_task, runner_for

        self._debounce.stop()
        self._stale = False
        ds = self.dataset
        if ds is None:
            runner_for(self).cancel()
            self.show_message(tr("No data loaded — open a policies file (or a folder of files) to start."))
            return
        if self.required_table and not ds.has(self.required_table):
            runner_for(self).cancel()
            self.show_message(self.empty_message())
            return
        try:
            spec = self.task(ds)
        except Exception as exc:  # noqa: BLE001 - bad control state must not crash the page
            self.show_error(exc)
            return
        if spec is None:
            return
        fn, args, kwargs = spec
        key = result_key(fn, args, kwargs)
        cached = self._results.get(key) if key is not None else None
        if cached is not None:
            runner_for(self).cancel()  # an older, still running computation must not win
            self._results.move_to_end(key)
            self._on_result(cached)
            return
        self.status_label.setText(tr("Computing…"))
        runner = runner_for(self)
        if self.stack.currentWidget() is self.message:  # nothing shown yet: say what runs
            self.show_busy(tr("Computing {0}…").format(self.title()), runner.cancel)
        if not self._watching_runner:
            runner.busy_changed.connect(self._runner_busy_changed)
            self._watching_runner = True
        self._starting = True  # run_task cancels the previous task first: not a user cancel
        try:
            run_task(self, fn, *args, on_result=functools.partial(self._on_result, key=key),
                     on_error=self._on_error, context=self.title(), **kwargs)
        finally:
            self._starting = False
        self._waiting = True

    def _runner_busy_changed(self, busy: bool) -> None:
        """A task that stops with neither result nor error was cancelled (status-bar Cancel):
        say so, and compute again the next time the page is shown or a control changes."""
        if busy or self._starting or not self._waiting:
            return
        self._waiting = False
        self._stale = True
        self.status_label.setText(tr("Cancelled — change a setting or open the page again to "
                                     "compute."))
        if self._busy_cancel is not None:  # the busy panel must not stay after a cancel
            self.show_message(self.status_label.text())

    def _on_result(self, result: Any, key: Any = None) -> None:
        self._waiting = False
        if key is not None:
            self._results[key] = result
            while len(self._results) > self.cached_results:
                self._results.popitem(last=False)
        self.status_label.setText("")
        self.result = result
        self.stack.setCurrentWidget(self.content)
        try:
            self.show_result(result)
        except Exception as exc:  # noqa: BLE001 - show it instead of losing it in a slot
            import traceback

            from memberdesk.ui.worker import error_hub

            self.show_error(exc)
            error_hub().report(exc, traceback.format_exc(), self.title())

    def _on_error(self, exc: BaseException, tb: str) -> None:
        from memberdesk.core.errors import AnalysisError, DataError

        self._waiting = False

        self.status_label.setText("")
        if not isinstance(exc, (AnalysisError, DataError)):
            from memberdesk.ui.worker import error_hub

            error_hub().report(exc, tb, self.title())
        self.show_error(exc)

    def show_error(self, exc: BaseException) -> None:
        from memberdesk.core.errors import AnalysisError, DataError

        if isinstance(exc, AnalysisError) and exc.reason is not None:  # in the reader's language
            where = "" if exc.column is None else " " + tr("column {0}").format(exc.column)
            self.show_message(tr("This analysis cannot be computed on the current data:\n{msg}")
                              .format(msg=exc.text(ui_language()) + where))
        elif isinstance(exc, (AnalysisError, DataError)):
            self.show_message(tr("This analysis cannot be computed on the current data:\n{msg}").format(msg=str(exc)))
        else:
            self.show_message(tr("Something went wrong: {msg}").format(msg=str(exc)))

    def show_message(self, text: str) -> None:
        self._busy_cancel = None
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def show_busy(self, text: str, on_cancel: Any = None) -> None:
        """A task runs and nothing is on screen yet: its name and, with ``on_cancel``, a Cancel
        link (issue 17 C.12: never "No data loaded" while busy)."""
        import html

        self.message.setTextFormat(Qt.TextFormat.RichText)
        cancel = tr("Cancel")  # outside the f-string: lupdate does not look inside one
        link = f"<br><br><a href='cancel'>{html.escape(cancel)}</a>" if on_cancel is not None else ""
        self.message.setText(f"{html.escape(text)}{link}")
        self.stack.setCurrentWidget(self.message)
        self._busy_cancel = on_cancel

    def wait_for_data(self, text: str, on_cancel: Any = None) -> None:
        """The window loads data and this page has none yet: say so (:meth:`show_busy`) until
        the data come (:meth:`set_dataset`) or the load fails (:meth:`refresh`); showing the
        page meanwhile leaves the message (it used to put up "No data loaded")."""
        self.show_busy(text, on_cancel)
        self._stale = False

    def _cancel_link(self, _href: str) -> None:
        if self._busy_cancel is not None:
            self._busy_cancel()

    def message_text(self) -> str:
        """The message shown instead of the content ('' when the content is shown)."""
        return self.message.text() if self.stack.currentWidget() is self.message else ""


def result_key(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A hashable key of a computation's inputs, or None when an input cannot be keyed.

    A :class:`~memberdesk.core.dataset.Dataset` is keyed by the identity of its loaded tables
    (a new load is a new mapping) plus its as-of date, filters, event statuses and generic
    flag — everything that changes an analysis. Other arguments must be hashable values
    (lists and tuples are frozen); anything else (a DataFrame…) disables caching for that call.
    """
    def freeze(value: Any) -> Any:
        validated = getattr(value, "validated", None)
        if validated is not None and hasattr(value, "filters") and hasattr(value, "as_of"):
            return ("dataset", id(validated), value.as_of, value.filters,
                    tuple(getattr(value, "event_statuses", ())), bool(getattr(value, "generic", False)))
        if isinstance(value, (list, tuple)):
            return tuple(freeze(v) for v in value)
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        raise TypeError(type(value).__name__)

    try:
        key = (getattr(fn, "__module__", ""), getattr(fn, "__qualname__", repr(fn)),
               freeze(args), tuple(sorted((k, freeze(v)) for k, v in kwargs.items())))
        hash(key)
    except TypeError:
        return None
    return key


def segment_items(ds: Any, *, none_label: str | None = None, prefer: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
    """Combo items for the dataset's segment columns (preferred ones first)."""
    cols = ds.segment_columns() if ds is not None and ds.has("policies") else []
    ordered = [c for c in prefer if c in cols] + [c for c in cols if c not in prefer]
    items: list[tuple[str, Any]] = [(none_label, None)] if none_label is not None else []
    from memberdesk.ui.i18n import column_label  # shown translated, the data stay the column id

    return items + [(column_label(c), c) for c in ordered]


def fill_column_checklist(lw: QListWidget, columns: Iterable[str], checked: Collection[str]) -> None:
    """Replace a checkable list's items with ``columns``: each shows its translated label and
    keeps the column id as its data (and tooltip); ticked when in ``checked``. No change signals."""
    from memberdesk.ui.i18n import column_label

    lw.blockSignals(True)
    lw.clear()
    for col in columns:
        item = QListWidgetItem(column_label(col))  # shown translated; the id is the data
        item.setData(Qt.ItemDataRole.UserRole, col)
        item.setToolTip(col)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if col in checked else Qt.CheckState.Unchecked)
        lw.addItem(item)
    lw.blockSignals(False)


def checked_ids(lw: QListWidget) -> list[Any]:
    """The ids (item data: column ids, status codes) of a checkable list's ticked items."""
    return [lw.item(i).data(Qt.ItemDataRole.UserRole) for i in range(lw.count())
            if lw.item(i).checkState() == Qt.CheckState.Checked]


def tick_ids(lw: QListWidget, ids: Collection[Any]) -> None:
    """Tick exactly the items whose id is in ``ids``, without change signals."""
    lw.blockSignals(True)
    for i in range(lw.count()):
        ticked = lw.item(i).data(Qt.ItemDataRole.UserRole) in ids
        lw.item(i).setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
    lw.blockSignals(False)


def reset_combo(box: QComboBox, items: list[tuple[str, Any]], keep: Any = None) -> None:
    """Replace a combo's items without emitting change signals; keep ``keep`` selected if
    still present."""
    box.blockSignals(True)
    box.clear()
    for text, data in items:
        box.addItem(text, data)
    idx = box.findData(keep) if keep is not None else -1
    box.setCurrentIndex(idx if idx >= 0 else 0)
    # as wide as its longest item: a combo sized on its first showing, before the data came,
    # cut "Premium band" to "Premium ba"
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    box.blockSignals(False)
