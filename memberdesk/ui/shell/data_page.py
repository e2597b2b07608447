"""The Data page: what is loaded, the first rows of each table, validation, column mappings.

Loading itself is done by the main window (in a worker); this page offers the ways in (open
files, add files, open a folder, the sample data, the import wizard that shows and edits the
column mappings before loading) and shows the result: the files, a preview of each validated
table, and the validation report with its rejected rows.
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from memberdesk.core import schema
from memberdesk.core.book import book_of
from memberdesk.core.dataset import Dataset
from memberdesk.core.engine.urls import redact
from memberdesk.core.progress import Progress, check_cancelled
from memberdesk.ui.i18n import table_label
from memberdesk.ui.pages.base import honest_sort
from memberdesk.ui.shell.common import DATA_FILTER, SAMPLE_DATA, ShellWindow, mappings_by_signature
from memberdesk.ui.shell.validation_view import ValidationView
from memberdesk.ui.table_model import DataFrameModel
from memberdesk.ui.worker import runner_for

PREVIEW_ROWS = 500


def load_with_mappings(paths: Sequence[str], mappings: Sequence[Mapping[str, Any]],
                       as_of: pd.Timestamp | None = None,
                       progress: Progress | None = None) -> Dataset:
    """Load ``paths`` applying the user's mappings (JSON dicts); runs in a worker. A database
    URL among them (``duckdb:///book.duckdb``, ``postgresql://…``, ``spark:…``) opens the book
    in its engine, with the same mappings (by header signature)."""
    from memberdesk.core.engine.urls import looks_like_engine
    from memberdesk.core.loader import load_dataset

    by_signature = mappings_by_signature(mappings) or None
    if any(looks_like_engine(str(p)) for p in paths):
        from memberdesk.core.engine.book import open_book

        book = open_book(list(paths), as_of=as_of, mappings=by_signature, progress=progress)
        book.segment_columns()  # one query, here in the worker: the pages' combos ask next
        return book
    return load_dataset(list(paths), as_of=as_of, mappings=by_signature, progress=progress)


def engine_previews(ds: Dataset, tables: Sequence[str],
                    progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """The first :data:`PREVIEW_ROWS` accepted rows of each of ``tables`` of an engine book
    (one ``LIMIT`` query each; runs in a worker)."""
    book = book_of(ds)
    out = {}
    for name in tables:
        check_cancelled(progress)
        out[name] = book.sample(ds, name, PREVIEW_ROWS).reset_index(drop=True)
    return out


def load_for_window(paths: Sequence[str], mappings: Sequence[Mapping[str, Any]],
                    as_of: pd.Timestamp | None = None,
                    progress: Progress | None = None) -> tuple[Dataset, dict[str, object]]:
    """:func:`load_with_mappings` plus what the filter bar offers, all in the worker so the
    window only has to show the result."""
    from memberdesk.ui.shell.filter_bar import filter_choices

    ds = load_with_mappings(paths, mappings, as_of, progress)
    return ds, filter_choices(ds)


def _table_view(parent: QWidget) -> tuple[QTableView, DataFrameModel]:
    model = DataFrameModel(parent=parent)
    view = QTableView(parent)
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it): no Tab trap
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 6)
    view.setSortingEnabled(True)
    honest_sort(view)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setResizeContentsPrecision(50)
    view.horizontalHeader().setResizeContentsPrecision(50)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view, model


class DataPage(QWidget):
    """Page ``data``: sources, table previews, validation report."""

    page_id = "data"
    open_requested = Signal(list)  # paths to load (replacing the current data)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.is_busy = False
        self.dataset: Dataset | None = None
        self._window: ShellWindow | None = None

        self.heading = QLabel(self.tr("<h2>Data</h2>"))
        self.sources_label = QLabel(self.tr("No data loaded yet. Open files or a folder, connect "
                                            "to a database, drop files on the window, or try "
                                            "the sample data."))
        self.sources_label.setWordWrap(True)
        # made with their parent, in the order they stand: Tab follows creation order, and the
        # tab widgets below (made with a parent) came before parentless buttons
        self.open_button = QPushButton(self.tr("Open files…"), self)
        self.add_button = QPushButton(self.tr("Add files…"), self)
        self.folder_button = QPushButton(self.tr("Open folder…"), self)
        self.connect_button = QPushButton(self.tr("Connect to database…"), self)
        self.connect_button.setToolTip(self.tr("Open a book kept in DuckDB, PostgreSQL or Spark "
                                               "(File ▸ Connect to database…)"))
        self.wizard_button = QPushButton(self.tr("Import with column mapping…"), self)
        self.wizard_button.setToolTip(self.tr("Check how the columns of your files are read "
                                              "before loading, and correct them"))
        self.sample_button = QPushButton(self.tr("Open sample data"), self)
        self.open_button.clicked.connect(self._ask_open)
        self.add_button.clicked.connect(self._ask_add)
        self.folder_button.clicked.connect(self._ask_folder)
        self.connect_button.clicked.connect(self._ask_connect)
        self.wizard_button.clicked.connect(self.open_wizard)
        self.sample_button.clicked.connect(self._open_sample)
        buttons = QHBoxLayout()
        for b in (self.open_button, self.add_button, self.folder_button, self.connect_button,
                  self.wizard_button, self.sample_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.tabs = QTabWidget(self)
        self.validation = ValidationView(self)
        self.tables_tabs = QTabWidget(self)
        self.tabs.addTab(self.tables_tabs, self.tr("Tables"))
        self.tabs.addTab(self.validation, self.tr("Validation"))
        self.previews: dict[str, DataFrameModel] = {}

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.sources_label)
        layout.addLayout(buttons)
        layout.addWidget(self.tabs, 1)
        self.set_dataset(None)

    # ---- page contract --------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Data")

    def set_window(self, window: ShellWindow) -> None:
        self._window = window

    def set_dataset(self, ds: Dataset | None) -> None:
        """Show the loaded data. Filters do not change this page: it shows what was read."""
        previous = self.dataset
        self.dataset = ds
        # files cannot join a database book (one engine per book): its URL is its source
        database = ds is not None and getattr(ds, "book", None) is not None
        self.add_button.setEnabled(ds is not None and not database)
        self.add_button.setToolTip(
            self.tr("Files cannot be added to a database book; open them on their own "
                    "instead") if database else
            self.tr("Load more files together with the ones loaded "
                    "(e.g. a members file next to the policies)"))
        if ds is None:
            self.validation.set_report(None)
            return
        if previous is not None and previous.validated is ds.validated:
            return  # only filters / as-of changed
        self.sources_label.setText(self._describe(ds))
        self.validation.set_report(ds.report)
        self.tables_tabs.clear()
        self.previews = {}
        views = {}
        counts = book_of(ds).row_counts()
        for name in schema.TABLES:
            if name not in counts:
                continue
            view, model = _table_view(self)
            self.previews[name] = model
            views[name] = view
            self.tables_tabs.addTab(view, f"{table_label(name)} ({counts[name]:,})")
        if getattr(ds, "book", None) is None:  # in memory: the first rows at hand
            for name, model in self.previews.items():
                model.set_frame(ds.validated[name].head(PREVIEW_ROWS).reset_index(drop=True))
                views[name].resizeColumnsToContents()
        else:  # in an engine: a LIMIT query per table, in a worker (the window stays free)
            def shown(frames: dict[str, pd.DataFrame], previews: dict[str, Any] = self.previews
                      ) -> None:
                if previews is not self.previews:
                    return  # another dataset arrived meanwhile
                for name, frame in frames.items():
                    previews[name].set_frame(frame)
                    views[name].resizeColumnsToContents()

            runner_for(self).run(engine_previews, ds, list(self.previews), on_result=shown)
        rejected = ds.report.total_rejected
        self.tabs.setTabText(1, self.tr("Validation ({0:,} rejected)").format(rejected)
                             if rejected else self.tr("Validation"))

    def _describe(self, ds: Dataset) -> str:
        rows = " · ".join(f"{table_label(name)}: {n:,}" for name, n in book_of(ds).row_counts().items())
        engine = getattr(getattr(ds, "book", None), "engine", None)
        if engine is not None:  # a database book: its engine and URL (never a password)
            where = html.escape(f"{engine} · {', '.join(redact(str(s)) for s in ds.sources)}")
            text = self.tr("<b>Database:</b> {0}<br><b>Accepted rows:</b> {1}<br>"
                           "<b>As of:</b> {2} — showing the first {3} rows of each table.")
            return text.format(where, rows, ds.as_of.date().isoformat(), PREVIEW_ROWS)
        files = ", ".join(Path(f).name for f in ds.sources) or self.tr("(unknown)")
        text = self.tr("<b>Files:</b> {0}<br><b>Accepted rows:</b> {1}<br>"
                       "<b>As of:</b> {2} — showing the first {3} rows of each table.")
        return text.format(files, rows, ds.as_of.date().isoformat(), PREVIEW_ROWS)

    def state(self) -> dict[str, Any]:
        return {"tab": self.tabs.currentIndex()}

    def restore_state(self, state: Mapping[str, Any]) -> None:
        tab = state.get("tab")
        if isinstance(tab, int) and 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)

    # ---- ways in --------------------------------------------------------------------------

    def _current_sources(self) -> list[str]:
        return list(self._window.sources) if self._window is not None else []

    def _ask_open(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Open data files"), "", DATA_FILTER)
        if files and self._confirm_replace():
            self.open_requested.emit(files)

    def _ask_add(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Add data files"), "", DATA_FILTER)
        if files:
            current = self._current_sources()
            self.open_requested.emit(current + [f for f in files if f not in current])

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a folder of data files"))
        if folder and self._confirm_replace():
            self.open_requested.emit([folder])

    def _confirm_replace(self) -> bool:
        """Ask before other files replace a loaded book (File ▸ Open files asks the same)."""
        actions = getattr(self._window, "actions_", None)
        return actions is None or bool(actions.confirm_replace())

    def _ask_connect(self) -> None:
        actions = getattr(self._window, "actions_", None)
        if actions is not None:
            actions.ask_connect()  # asks before replacing a loaded book

    def _open_sample(self) -> None:
        if self._confirm_replace():
            self.open_requested.emit([str(SAMPLE_DATA)])

    def open_wizard(self, paths: Sequence[str] | None = None) -> Any:
        """Open the import wizard (on ``paths`` or the current files); on a database book,
        the database's own mapping editor (Connect to database ▸ Columns…) on its URL."""
        from memberdesk.ui.shell.import_wizard import ImportWizard

        if not paths and self.dataset is not None and getattr(self.dataset, "book", None) is not None:
            return self._edit_database_columns()
        window = self._window
        wizard = ImportWizard(list(paths) if paths else self._current_sources(),
                              window.settings if window is not None else None, self)
        if window is not None:
            wizard.dataset_ready.connect(window.accept_dataset)
        wizard.open()
        return wizard

    def _edit_database_columns(self) -> Any:
        """The Connect dialog on the loaded book's URL (and its remembered table names),
        reading the tables' columns into the mapping editor; Connect then reopens the book."""
        from memberdesk.ui.shell.connect_dialog import ConnectDialog, recent_connections

        url = self._current_sources()[0] if self._current_sources() else ""
        dialog = ConnectDialog(self._window)
        dialog.url.setCurrentText(url)
        tables = next((r.get("tables", "") for r in recent_connections() if r["url"] == url), "")
        dialog.tables.setText(tables)
        dialog.open()
        dialog.edit_columns()
        return dialog
