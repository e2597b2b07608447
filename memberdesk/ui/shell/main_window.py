"""The main window: navigation, pages, menus, filter bar, status bar, loading and workspaces.

Page contract
-------------
The pages, their order, titles and icons come from :mod:`memberdesk.page_registry`;
``memberdesk.ui.pages.PAGE_FACTORIES`` maps each id to ``factory(parent) -> QWidget``, which
builds a page that has

* ``page_id: str`` — one of :data:`memberdesk.page_registry.PAGE_IDS`;
* ``title() -> str`` — translated title;
* ``set_dataset(ds: Dataset | None) -> None`` — called on load, filter and as-of changes; the
  page recomputes lazily when shown, in a worker (:mod:`memberdesk.ui.worker`);
* ``is_busy: bool`` — True while the page's worker runs (tests and ``--screenshot`` wait);
* optionally ``charts() -> list`` (File ▸ Export chart…), ``state() -> dict`` and
  ``restore_state(dict)`` (saved in workspaces).

Pages are built on first show, so start-up stays fast. The Data page is the shell's own
(:mod:`memberdesk.ui.shell.data_page`); a page whose construction fails is reported as an error
and replaced by a placeholder saying so.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from memberdesk.core.assumptions import Assumptions
from memberdesk.core.dataset import Dataset, Filters
from memberdesk.core.workspace import Workspace
from memberdesk.page_registry import PAGE_IDS
from memberdesk.page_registry import page as page_spec
from memberdesk.ui import worker
from memberdesk.ui.i18n import dataset_summary
from memberdesk.ui.pages import PAGE_FACTORIES, page_title, page_titles
from memberdesk.ui.resources import icon
from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell import assumptions_dialog, compare_panel
from memberdesk.ui.shell.actions import ShellActions
from memberdesk.ui.shell.data_page import DataPage
from memberdesk.ui.shell.dialogs import ErrorDialog
from memberdesk.ui.shell.filter_bar import FilterBar
from memberdesk.ui.shell.task_status import TaskStatus
from memberdesk.ui.table_model import set_ci_level

log = logging.getLogger(__name__)
PageFactory = Callable[[QWidget], QWidget]



def page_factories() -> dict[str, PageFactory]:
    """Factory of every registered page id (:mod:`memberdesk.page_registry`)."""
    return {pid: PAGE_FACTORIES[pid] for pid in PAGE_IDS}


class PlaceholderPage(QWidget):
    """Stands in for a page whose construction failed (the error was reported), saying so."""

    def __init__(self, page_id: str, parent: QWidget | None = None, reason: str = "") -> None:
        super().__init__(parent)
        self.page_id = page_id
        self.is_busy = False
        label = QLabel(reason)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        QVBoxLayout(self).addWidget(label)

    def title(self) -> str:
        return page_title(self.page_id)

    def set_dataset(self, ds: Dataset | None) -> None:
        pass


def _forget_ci_level() -> None:
    set_ci_level(None, refresh=False)  # the window's tables are being destroyed with it


class MainWindow(QMainWindow):
    """The MemberDesk window. ``dataset`` is what pages show (as-of and filters applied)."""

    dataset_changed = Signal(object)  # Dataset | None
    loaded = Signal(object)  # the new base Dataset, after a successful load
    load_failed = Signal(object)  # the exception

    def __init__(self, settings: AppSettings | None = None, lang: str = "en") -> None:
        super().__init__()
        self.settings = settings or AppSettings()
        self.lang = lang
        self.base: Dataset | None = None  # as loaded
        self.dataset: Dataset | None = None  # as shown
        self.assumptions = Assumptions()  # Analysis ▸ Assumptions… (issue 17 C.17)
        self.destroyed.connect(_forget_ci_level)  # tables outlive no window's CI level
        self.sources: list[str] = []
        self.mappings: list[dict[str, Any]] = []
        self.workspace_path: Path | None = None
        self.dirty = False
        self.ask_before_close = True
        self.last_error_dialog: ErrorDialog | None = None
        self._pending_state: dict[str, dict[str, Any]] = {}
        self._loader = worker.TaskRunner(self, context=self.tr("Loading data"))
        self._exporter = worker.TaskRunner(self, context=self.tr("Exporting"))

        self.setWindowTitle("MemberDesk")
        self.setWindowIcon(icon("memberdesk"))
        self.setAcceptDrops(True)
        self.resize(1400, 900)

        self._factories = page_factories()
        self.pages: dict[str, Any] = {}  # the page widgets (AnalysisPage, DataPage)
        self.nav = QListWidget()
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(200)
        self.nav.setObjectName("navigation")
        for pid, title in page_titles().items():
            item = QListWidgetItem(icon(page_spec(pid).icon), title)
            item.setData(Qt.ItemDataRole.UserRole, pid)
            self.nav.addItem(item)
        self.stack = QStackedWidget()
        self._slots: dict[str, QWidget] = {}
        for pid in PAGE_IDS:  # empty slots, replaced by the page on first show
            slot = QWidget()
            self._slots[pid] = slot
            self.stack.addWidget(slot)
        self.filter_bar = FilterBar()
        self.filter_bar.changed.connect(self._filters_changed)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(0)
        rl.addWidget(self.filter_bar)
        rl.addWidget(self.stack, 1)
        central = QWidget()
        cl = QHBoxLayout(central)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.nav)
        cl.addWidget(right, 1)
        self.setCentralWidget(central)

        self.task_status = TaskStatus(self)
        self.summary_label = QLabel(self.tr("No data loaded"))
        self.as_of_label = QLabel()
        self.statusBar().addWidget(self.summary_label, 1)
        self.statusBar().addPermanentWidget(self.as_of_label)
        self.statusBar().addPermanentWidget(self.task_status)

        self.actions_ = ShellActions(self)
        assumptions_dialog.install(self)
        from memberdesk.ui.table_actions import install_everywhere

        install_everywhere()  # Ctrl+C with headers and a copy/export menu on every table
        worker.error_hub().error.connect(self.show_error)
        self._hub_connected = True
        self.nav.currentRowChanged.connect(self._row_changed)
        self.settings.restore_geometry(self)
        last = self.settings.last_page
        self.show_page(last if last in PAGE_IDS else "cockpit")

    # ---- pages ----------------------------------------------------------------------------

    def page(self, page_id: str) -> QWidget:
        """The page ``page_id``, built (and given the current dataset) on first use."""
        if page_id not in self.pages:
            try:
                page: Any = self._factories[page_id](self.stack)
            except Exception as exc:  # noqa: BLE001 - one broken page must not stop the app
                # reported like every other error (dialog + log), never hidden
                worker.error_hub().report(exc, _traceback(), self.tr("Opening a page"))
                page = PlaceholderPage(page_id, self.stack, self.tr(
                    "This page could not be opened: {0}").format(exc))
            if isinstance(page, DataPage):
                page.open_requested.connect(self.open_paths)
                page.set_window(self)
            self.pages[page_id] = page
            slot = self._slots[page_id]
            index = self.stack.indexOf(slot)
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(slot)
            slot.deleteLater()
            state = self._pending_state.pop(page_id, None)
            if state and hasattr(page, "restore_state"):
                page.restore_state(state)
            page.set_dataset(self.dataset)
            self._show_loading(page)  # a page opened during the load says so (C.12)
        return self.pages[page_id]

    def _show_loading(self, page: Any) -> None:
        """While the data load and ``page`` has none yet: the load's name and Cancel on it, not
        "No data loaded — open a policies file" (issue 17 C.12; a page first opened during
        a load used to say that until the data came)."""
        if self._loader.is_busy and getattr(page, "dataset", None) is None \
                and hasattr(page, "wait_for_data"):
            page.wait_for_data(getattr(self, "_loading_text", ""), self.cancel_loading)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """A status message put up before the window was shown ("Loading …" at start-up) is
        put up again now: QStatusBar hides the summary under it only for a visible window, so
        the two were drawn over each other."""
        super().showEvent(event)
        message = self.statusBar().currentMessage()
        if message:  # (showMessage ignores the message it already shows: clear it first)
            self.statusBar().clearMessage()
            self.statusBar().showMessage(message)

    def current_page_id(self) -> str:
        item = self.nav.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else PAGE_IDS[0]

    def current_page(self) -> QWidget:
        return self.page(self.current_page_id())

    def show_page(self, page_id: str) -> QWidget:
        if page_id not in PAGE_IDS:
            raise KeyError(f"unknown page {page_id!r}; pages: {', '.join(PAGE_IDS)}")
        self.nav.setCurrentRow(PAGE_IDS.index(page_id))
        return self.current_page()

    def _row_changed(self, row: int) -> None:
        if row < 0:
            return
        page_id = PAGE_IDS[row]
        page = self.page(page_id)
        self.stack.setCurrentWidget(page)
        self.settings.last_page = page_id
        self.actions_.page_changed(page)

    def is_busy(self) -> bool:
        """True while loading or while any built page computes."""
        return self._loader.is_busy or any(bool(getattr(p, "is_busy", False))
                                           for p in self.pages.values())

    # ---- loading --------------------------------------------------------------------------

    def open_paths(self, paths: Sequence[str | Path], mappings: list[dict[str, Any]] | None = None,
                   *, as_of: pd.Timestamp | None = None, user_action: bool = True) -> None:
        """Load ``paths`` in a worker (progress and Cancel in the status bar). On success the
        data replace what was loaded; on failure an error dialog explains why and the data
        already loaded stay."""
        from memberdesk.core.engine.urls import looks_like_engine

        # a database URL (duckdb:///book.duckdb, postgresql://…, spark:…) is opened in its
        # engine, as File ▸ Connect to database… does; files as files
        engine = any(looks_like_engine(str(p)) for p in paths)
        files = [str(p) if engine else str(Path(p)) for p in paths]
        if not files:
            return
        mappings = self.mappings if mappings is None else mappings
        from memberdesk.ui.shell.data_page import load_for_window

        names = files if engine else [Path(p).name for p in files]
        self._loading_text = self.tr("Loading {0}…").format(", ".join(names))
        self.statusBar().showMessage(self._loading_text)
        # remembered mappings first: the session's own choices win
        to_apply = self.settings.all_mappings() + list(mappings)
        self._loader.run(load_for_window, files, to_apply, as_of,
                         on_result=lambda res: self._loaded(res[0], files, mappings, user_action,
                                                            res[1]),
                         on_error=self._load_error)
        for page in self.pages.values():  # not "No data loaded" while the data load
            self._show_loading(page)

    def _loaded(self, ds: Dataset, paths: list[str], mappings: list[dict[str, Any]],
                user_action: bool, choices: dict[str, object] | None = None) -> None:
        self.base = ds
        self.sources = paths
        self.mappings = list(mappings)
        for p in paths:
            self.settings.add_recent(p)
        self.settings.set_last_sources(paths)
        self.actions_.refresh_recent()
        self.filter_bar.set_dataset(ds, choices)
        as_of = self.filter_bar.as_of_date()
        self._apply(self.filter_bar.filters(), as_of)
        self.statusBar().clearMessage()
        if user_action:
            self.dirty = True
        self.loaded.emit(ds)

    def accept_dataset(self, ds: Dataset, paths: list[str], mappings: list[dict[str, Any]],
                       choices: dict[str, object] | None = None) -> None:
        """Take a dataset loaded elsewhere (the import wizard, Connect to database…);
        ``choices``: the filter bar's values when already computed in the loading worker."""
        self._loader.cancel()
        self._loaded(ds, paths, mappings, True, choices)

    def _load_error(self, exc: BaseException, tb: str) -> None:
        kept = self.tr(" The data already loaded are kept.") if self.base is not None else ""
        self.statusBar().showMessage(self.tr("Could not load the data.") + kept, 10000)
        self.show_error(exc, tb, self.tr("Loading data"))
        self._pages_without_data()
        self.load_failed.emit(exc)

    def _pages_without_data(self) -> None:
        """After a failed or cancelled load: pages still without data say so again."""
        for page in self.pages.values():
            if getattr(page, "dataset", None) is None and hasattr(page, "refresh"):
                page.refresh()

    def _filters_changed(self, filters: Filters, as_of: pd.Timestamp | None) -> None:
        if self.base is not None:
            self.dirty = True
            self._apply(filters, as_of)

    def _apply(self, filters: Filters, as_of: pd.Timestamp | None) -> None:
        """Derive the shown dataset from the loaded one and hand it to every built page."""
        if self.base is None:
            return
        self.dataset = (self.base.with_as_of(as_of).with_filters(filters)
                        .with_assumptions(self.assumptions))
        set_ci_level(self.assumptions.ci_level)  # every table header names the level in force
        self.summary_label.setText(dataset_summary(self.dataset))
        assumptions_dialog.update_status(self)
        self.as_of_label.setText(self.tr("As of {0}").format(self.dataset.as_of.date().isoformat()))
        for page in self.pages.values():
            page.set_dataset(self.dataset)
        self.dataset_changed.emit(self.dataset)

    def set_assumptions(self, assumptions: Assumptions) -> None:
        """New analysis assumptions: every page recomputes on the changed dataset."""
        if assumptions == self.assumptions:
            return
        self.assumptions = assumptions
        self.dirty = True
        if self.base is not None:
            self.filter_bar.flush()
            self._apply(self.filter_bar.filters(), self.filter_bar.as_of_date())

    def cancel_loading(self) -> None:
        self._loader.cancel()
        self._pages_without_data()

    # ---- workspaces -----------------------------------------------------------------------

    def workspace(self) -> Workspace:
        """The current session as a workspace."""
        self.filter_bar.flush()
        state = dict(self._pending_state)
        for pid, page in self.pages.items():
            if hasattr(page, "state"):
                state[pid] = page.state()
        return Workspace(sources=list(self.sources), mappings=list(self.mappings),
                         filters=self.filter_bar.filters(), as_of=self.filter_bar.as_of_date(),
                         page=self.current_page_id(), page_state=state,
                         assumptions=self.assumptions,
                         compare=compare_panel.workspace_compare(self))  # issue 17 C.18

    def save_workspace(self, path: str | Path) -> Path:
        saved = self.workspace().save(path)
        self.workspace_path = saved
        self.dirty = False
        self.settings.add_recent(saved, "workspace")
        self.actions_.refresh_recent()
        self.setWindowTitle(f"{saved.stem} — MemberDesk")
        return saved

    def open_workspace(self, path: str | Path,
                       locate: Callable[[str], str | None] | None = None) -> bool:
        """Open a workspace: filters, as-of and page at once, then the data in a worker.
        Files that moved are asked for through ``locate(missing_path) -> new path``
        (default: a file dialog). Returns False when the user gave up."""
        try:
            ws = Workspace.load(path)
        except Exception as exc:  # noqa: BLE001
            self.show_error(exc, _traceback(), self.tr("Opening a workspace"))
            return False
        locate = locate or self.actions_.ask_where_file_is
        while ws.missing_sources():
            found = locate(ws.missing_sources()[0])
            if not found or not ws.locate_missing(found):
                return False
        self.workspace_path = Path(path)
        self.assumptions = ws.assumptions
        self.filter_bar.set_state(ws.filters, ws.as_of)
        self._pending_state = dict(ws.page_state)
        for pid, page in self.pages.items():
            if pid in self._pending_state and hasattr(page, "restore_state"):
                page.restore_state(self._pending_state.pop(pid))
        compare_panel.restore_workspace_compare(self, ws.compare)  # issue 17 C.18
        if ws.page:
            self.show_page(ws.page)
        self.settings.add_recent(path, "workspace")
        self.setWindowTitle(f"{Path(path).stem} — MemberDesk")
        if ws.sources:
            self.open_paths(ws.sources, ws.mappings, as_of=ws.as_of, user_action=False)
        self.dirty = False
        return True

    # ---- errors, close, drag and drop -----------------------------------------------------

    def show_error(self, exc: BaseException, details: str = "", context: str = "") -> None:
        """The one place errors are shown (non-modal, so work can go on)."""
        if self.last_error_dialog is not None:
            self.last_error_dialog.close()
        dialog = ErrorDialog(exc, details, context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(self._error_dialog_gone)
        self.last_error_dialog = dialog
        dialog.show()

    def _error_dialog_gone(self) -> None:
        self.last_error_dialog = None

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.dirty and self.ask_before_close and not self.actions_.confirm_discard():
            event.ignore()
            return
        self.settings.save_geometry(self)
        self.settings.sync()
        self._loader.cancel()
        for page in self.pages.values():
            runner = getattr(page, "_memberdesk_task_runner", None)
            if runner is not None:
                runner.cancel()
        self.task_status.detach()
        if self._hub_connected:
            worker.error_hub().error.disconnect(self.show_error)
            self._hub_connected = False
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        paths = [u.toLocalFile() for u in event.mimeData().urls()]
        event.acceptProposedAction()
        # Defer: a modal dialog inside a drop handler blocks the drag source on some platforms.
        QTimer.singleShot(0, lambda: self.open_dropped(paths))

    def open_dropped(self, paths: list[str]) -> None:
        workspaces = [p for p in paths if p.lower().endswith(".mdesk")]
        if workspaces:
            self.open_workspace(workspaces[0])
        elif self.actions_.confirm_replace():  # dropped files replace a loaded book: ask
            self.open_paths(paths)


def _traceback() -> str:
    import traceback

    return traceback.format_exc()


