"""File ▸ Connect to database…: open a book kept in DuckDB, PostgreSQL or Spark (issue #13).

The dialog takes a URL (``duckdb:///data/book.duckdb``, ``postgresql://USER@HOST:PORT/DB``,
``spark:local[2]``, ``sc://HOST:PORT``, or a Parquet file/folder) and optional table names
(``policies=SCHEMA.TABLE, members=…``). Connecting, finding and validating the tables run in a
worker; **Cancel** stops the engine's running query (DuckDB interrupt, PostgreSQL cancel,
Spark job-group cancel), not just the wait. Recent connections are remembered without
passwords (a URL holding one is refused: libpq reads ``PGPASSWORD`` or ``~/.pgpass``).

When the server asks for a password that neither gives, the dialog asks for it in a masked
field (``ask_password``, injectable for tests) and connects again. The answer is kept in memory
for this session only (:data:`_SESSION_PASSWORDS`, by URL), so reconnecting does not ask
again; it never reaches the recent connections, QSettings, a workspace or a log.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from memberdesk.core.engine.urls import is_url
from memberdesk.core.errors import DataError
from memberdesk.core.mapping import ColumnMapping
from memberdesk.ui import i18n
from memberdesk.ui.shell.common import mappings_by_signature
from memberdesk.ui.worker import TaskRunner

RECENT_KEY = "recent/connections"
MAX_RECENT = 10
# Passwords given in this session, by URL (which never holds one): process memory only.
_SESSION_PASSWORDS: dict[str, str] = {}


def recent_connections() -> list[dict[str, str]]:
    """Remembered connections, newest first: ``{"url": …, "tables": …}`` (never a password)."""
    raw = QSettings().value(RECENT_KEY)
    try:
        items = json.loads(raw) if isinstance(raw, str) else []
    except json.JSONDecodeError:
        items = []
    return [i for i in items if isinstance(i, dict) and isinstance(i.get("url"), str)]


def remember_connection(url: str, tables: str) -> None:
    from memberdesk.core.engine.urls import redact

    entry = {"url": redact(url), "tables": tables}
    items = [entry] + [i for i in recent_connections() if i.get("url") != entry["url"]]
    QSettings().setValue(RECENT_KEY, json.dumps(items[:MAX_RECENT], ensure_ascii=False))


def open_engine_book(url: str, tables: str, *, on_connect: Any = None, progress: Any = None,
                     password: str | None = None,
                     mappings: dict[str, ColumnMapping] | None = None) -> Any:
    """Parse the table option text and open the book (runs on a worker thread); ``password``
    when the user typed one (else libpq's ``PGPASSWORD`` / ``~/.pgpass``); ``mappings``: the
    user's column mappings (:func:`memberdesk.core.engine.book.open_book`)."""
    from memberdesk.core.engine.book import open_book, parse_table_options

    items = [t.strip() for t in tables.split(",") if t.strip()]
    book = open_book(url, tables=parse_table_options(items), progress=progress,
                     on_connect=on_connect, password=password, mappings=mappings)
    book.segment_columns()  # one query, here in the worker: the pages' combos ask next
    return book


def connect_for_window(url: str, tables: str, **kwargs: Any) -> tuple[Any, dict[str, object]]:
    """:func:`open_engine_book` and the filter bar's values (DISTINCT queries), both in the
    worker: the window then only shows them."""
    from memberdesk.ui.shell.filter_bar import filter_choices

    book = open_engine_book(url, tables, **kwargs)
    return book, filter_choices(book)


class ConnectDialog(QDialog):
    """Connect to a database and hand the book to the main window (``accept_dataset``)."""

    def __init__(self, window: Any, parent: QWidget | None = None, *,
                 ask_password: Callable[[str], str | None] | None = None) -> None:
        super().__init__(parent or window)
        self._forget_closed_dialogs(parent or window)
        # asks for a password the server wants (the URL without password -> password or None)
        self.ask_password = ask_password or self._ask_password
        self.setWindowTitle(self.tr("Connect to database"))
        self.window_ = window
        self.dataset: Any = None
        self._conn: Any = None
        self.url = QComboBox()
        self.url.setEditable(True)
        self.url.setMinimumWidth(420)
        self._recent = recent_connections()
        # a database the window opened otherwise (command line, Open recent, a workspace) first
        known = {r["url"] for r in self._recent}
        for source in reversed(getattr(window, "sources", None) or []):
            if is_url(str(source)) and str(source) not in known:
                self._recent.insert(0, {"url": str(source), "tables": ""})
        self.url.addItems([r["url"] for r in self._recent])
        self.url.setCurrentText(self._recent[0]["url"] if self._recent else "duckdb://")
        self.url.currentIndexChanged.connect(self._recent_chosen)
        self.tables = QLineEdit(self._recent[0].get("tables", "") if self._recent else "")
        self.tables.setPlaceholderText(self.tr("optional: policies=SCHEMA.TABLE, members=SCHEMA.TABLE"))
        self.status = QLabel(self.tr("Passwords come from PGPASSWORD or ~/.pgpass, or are asked "
                                     "for when needed; never from the URL, never saved."))
        self.status.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.hide()
        form = QFormLayout()
        # Alt+U / Alt+T reach the fields (the labels are their buddies)
        form.addRow(self.tr("Database &URL"), self.url)
        form.addRow(self.tr("&Tables"), self.tables)
        self.connect_button = QPushButton(self.tr("Connect"))
        self.columns_button = QPushButton(self.tr("C&olumns…"))
        self.columns_button.setToolTip(self.tr(
            "Which table each database table holds and what each column means: the same "
            "mapping editor as for files"))
        self.cancel_button = QPushButton(self.tr("Cancel query"))
        self.cancel_button.setEnabled(False)
        # the user's column mappings chosen here, by table name (see core/engine/tables.py)
        self.mappings: dict[str, ColumnMapping] = {}
        self.columns_dialog: TableColumnsDialog | None = None
        self.buttons = buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.columns_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.connect_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.connect_button.clicked.connect(self.start)
        self.columns_button.clicked.connect(lambda: self.edit_columns())
        self.cancel_button.clicked.connect(self.cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        layout.addWidget(buttons)
        # Enter in the URL or tables field connects (Close was the default: Enter closed the
        # dialog). Set once the button is inside the dialog, which records its default button.
        self.connect_button.setDefault(True)
        # Tab: the fields, then the buttons as they stand, left to right
        order = [self.url, self.tables, self.columns_button, self.connect_button,
                 self.cancel_button, buttons.button(QDialogButtonBox.StandardButton.Close)]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)
        self.runner = TaskRunner(self, context=self.tr("Connecting"))
        self.runner.progress.connect(lambda x: self.bar.setValue(int(100 * x)))
        self.runner.status.connect(lambda text: self.status.setText(i18n.status_text(text)))

    @property
    def is_busy(self) -> bool:
        return self.runner.is_busy

    def _forget_closed_dialogs(self, owner: QObject | None) -> None:
        """Delete the owner's earlier Connect dialogs that are closed and idle: each still
        references the book it handed over (``dataset``), which would keep that book's database
        session open after the window moved on to another book. So at most the newest dialog
        stays (tests read what it connected)."""
        if owner is None:
            return
        for old in owner.findChildren(ConnectDialog):
            if old is not self and not old.isVisible() and not old.is_busy:
                old.dataset = None
                old.deleteLater()

    def reject(self) -> None:
        """Escape or Close: a connection under way is cancelled first, so the book does not
        replace the window's data after the user backed out."""
        if self.is_busy:
            self.cancel()
        super().reject()

    def _recent_chosen(self, index: int) -> None:
        if 0 <= index < len(self._recent):
            self.tables.setText(self._recent[index].get("tables", ""))

    def start(self, password: str | None = None) -> None:
        """Connect in a worker; the result goes to the main window. ``password``: one the user
        just typed (else one given earlier in this session, else libpq's sources)."""
        url, tables = self.url.currentText().strip(), self.tables.text().strip()
        if password is None:
            password = _SESSION_PASSWORDS.get(url)
        self._conn = None
        self.connect_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.bar.show()
        self.status.setText(self.tr("Connecting to {0}…").format(url))

        def keep(conn: Any) -> None:  # called on the worker thread, before the first query
            self._conn = conn

        started = time.monotonic()

        def connected(result: tuple[Any, dict[str, object]]) -> None:
            ds, choices = result
            if password is not None:
                _SESSION_PASSWORDS[url] = password
            self._connected(ds, url, tables, choices)
            self._hint_saving(ds, time.monotonic() - started)

        def failed(exc: BaseException, tb: str) -> None:
            self._failed(exc, tb, url, password)

        self.runner.run(connect_for_window, url, tables, on_connect=keep, password=password,
                        mappings=self.all_mappings(), on_result=connected, on_error=failed,
                        on_finished=self._idle)

    def all_mappings(self) -> dict[str, ColumnMapping]:
        """The mappings opening the book uses: those saved for files and tables with the same
        columns (by header signature, as the import wizard remembers them), then the ones
        chosen in this dialog (by table name)."""
        settings = getattr(self.window_, "settings", None)
        saved = mappings_by_signature(settings.all_mappings()) if settings is not None else {}
        return {**saved, **self.mappings}

    def edit_columns(self, password: str | None = None) -> None:
        """Read the tables' columns and first rows in a worker, then show them in the mapping
        editor (:class:`TableColumnsDialog`); the choices apply to the next Connect."""
        from memberdesk.core.engine.book import parse_table_options
        from memberdesk.core.engine.tables import source_tables

        url, text = self.url.currentText().strip(), self.tables.text().strip()
        if password is None:
            password = _SESSION_PASSWORDS.get(url)
        items = [t.strip() for t in text.split(",") if t.strip()]
        try:
            tables = parse_table_options(items)
        except (DataError, ValueError) as exc:
            self.status.setText(self.tr("Could not connect: {0}").format(exc))
            return
        self.connect_button.setEnabled(False)
        self.columns_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.bar.show()
        self.status.setText(self.tr("Reading the columns of {0}…").format(url))

        def keep(conn: Any) -> None:
            self._conn = conn

        def listed(found: list[Any]) -> None:
            if password is not None:
                _SESSION_PASSWORDS[url] = password
            editor = TableColumnsDialog(found, self)
            self.columns_dialog = editor  # (tests drive it)
            editor.accepted.connect(lambda: self.apply_columns(editor))
            editor.open()  # modal to this dialog, without a nested event loop

        def failed(exc: BaseException, tb: str) -> None:
            self._failed(exc, tb, url, password, retry=self.edit_columns)

        self.runner.run(source_tables, url, tables=tables, mappings=self.all_mappings(),
                        password=password, on_connect=keep, on_result=listed, on_error=failed,
                        on_finished=self._idle)

    def apply_columns(self, editor: TableColumnsDialog) -> None:
        """Keep the editor's choices for Connect, and remember each mapped table's columns for
        tables and files with the same headers (an ignored table is ignored here only)."""
        from memberdesk.core.engine.tables import mappings_of

        chosen = editor.chosen()
        self.mappings = mappings_of(chosen)
        settings = getattr(self.window_, "settings", None)
        if settings is not None:
            for m in chosen.values():
                if m is not None and m.table and m.signature:
                    settings.save_mapping(m.signature, m.to_json())
        self.status.setText(self.tr("Columns set for {0} tables: Connect reads them so.").format(
            sum(1 for m in chosen.values() if m is not None)))

    def cancel(self) -> None:
        """Stop the engine's running query, then the worker."""
        conn = self._conn
        if conn is not None:
            conn.cancel()
        self.runner.cancel()
        self._idle()
        self.status.setText(self.tr("Cancelled."))

    def _idle(self) -> None:
        self.connect_button.setEnabled(True)
        self.columns_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.bar.hide()

    def _connected(self, ds: Any, url: str, tables: str,
                   choices: dict[str, object] | None = None) -> None:
        self.dataset = ds
        remember_connection(url, tables)
        self.status.setText(ds.summary())
        if self.window_ is not None and hasattr(self.window_, "accept_dataset"):
            # the URL is the window's source (a saved workspace reconnects to it) with the
            # mappings chosen here (remembered by header signature)
            chosen = [m.to_json() for m in self.mappings.values() if m.table and m.signature]
            self.window_.accept_dataset(ds, [url], chosen, choices)
        self.accept()

    def _hint_saving(self, ds: Any, seconds: float) -> None:
        """After a long validation scan of a book `memberdesk import` did not write, the status
        bar says how to pay it once (as the command line's note does)."""
        from memberdesk.core.book_writer import worth_saving

        window = self.window_
        if not worth_saving(ds, seconds) or window is None or not hasattr(window, "statusBar"):
            return
        window.statusBar().showMessage(self.tr(
            "Checking the rows took {0} s. File ▸ Save data as DuckDB book… checks them once: "
            "the saved book opens without this check.").format(f"{seconds:,.0f}"), 60000)

    def _failed(self, exc: BaseException, tb: str, url: str = "",
                password: str | None = None,
                retry: Callable[[str], None] | None = None) -> None:
        """Connecting (or reading the columns: ``retry`` is then :meth:`edit_columns`) failed:
        forget a session password the server refused, ask for one it wants, else say why."""
        from memberdesk.core.engine.connection import PasswordRequired

        if password is not None and _SESSION_PASSWORDS.get(url) == password:
            del _SESSION_PASSWORDS[url]  # no longer accepted: ask again next time
        if isinstance(exc, PasswordRequired) and password is None:
            typed = self.ask_password(exc.file or url)
            if typed:
                self._idle()
                (retry or self.start)(typed)  # asked once per attempt; a wrong one is reported below
                return
        self.status.setText(self.tr("Could not connect: {0}").format(exc))

    def _ask_password(self, where: str) -> str | None:
        """The password for ``where`` in a masked field (None when cancelled)."""
        text, ok = QInputDialog.getText(
            self, self.tr("Database password"),
            self.tr("The server asks for a password for {0}.\nIt is kept for this session only, "
                    "never saved.").format(where),
            QLineEdit.EchoMode.Password)
        return text if ok and text else None


class TableColumnsDialog(QDialog):
    """The database's tables in the mapping editor of files (:class:`MappingEditor`), one tab
    each: which canonical table it holds (or "Ignore this table") and what each column means,
    with its first rows as examples."""

    def __init__(self, tables: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from memberdesk.ui.shell.mapping_editor import MappingEditor

        self.setWindowTitle(self.tr("Columns of the database tables"))
        self.tables = list(tables)
        self.tabs = QTabWidget(self)
        self.editors: list[Any] = []
        for t in self.tables:
            editor = MappingEditor(list(t.headers), t.mapping, t.preview, self, database=True)
            self.editors.append(editor)
            self.tabs.addTab(editor, t.ref.display)
        note = QLabel(self.tr("Tables not recognised are not read unless you choose what they "
                              "hold. The choices apply when you connect, and are remembered for "
                              "tables and files with the same columns."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(760, 520)

    def chosen(self) -> dict[Any, ColumnMapping | None]:
        """Table -> its mapping as edited (None: ignore this table)."""
        return {t.ref: e.mapping() for t, e in zip(self.tables, self.editors)}
