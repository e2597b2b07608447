"""File ▸ Connect to database…: a DuckDB book opened in a worker, handed to the window, the
status bar showing the engine and row counts, the connection remembered without password."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from memberdesk.ui.shell.connect_dialog import ConnectDialog, recent_connections, remember_connection

ROOT = Path(__file__).resolve().parents[2]


def _book(tmp_path: Path) -> str:
    path = tmp_path / "book.duckdb"
    con = duckdb.connect(str(path))
    for name in ("policies", "members"):
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{ROOT / 'sample_data' / (name + '.csv')}')")
    con.close()
    return f"duckdb://{path}"


def _connected(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A main window, and a Connect dialog that connected it to the sample as a DuckDB book."""
    from memberdesk.ui.shell.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    dialog = ConnectDialog(window)
    dialog.url.setCurrentText(_book(tmp_path))
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=60_000)
    return window, dialog


def test_connect_dialog_opens_a_duckdb_book(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, dialog = _connected(qtbot, tmp_path)
    url = dialog.url.currentText()
    assert dialog.dataset is not None and dialog.dataset.book.engine == "duckdb"
    qtbot.waitUntil(lambda: window.base is dialog.dataset, timeout=60_000)
    text = window.summary_label.text()
    # engine and the counted rows of the sample (6,824 policies, 5,000 members)
    digits = text.replace(",", "").replace("\u202f", "").replace("\xa0", "")
    assert text.startswith("duckdb") and "6824" in digits and "5000" in digits
    assert recent_connections()[0]["url"] == url
    # the window's source is the URL: a workspace saved now reconnects to it
    assert window.sources == [url] and window.workspace().sources == [url]
    window.dirty = False  # no "save your workspace?" question when the test closes it
    dialog.dataset.book.close()


def test_recent_connections_never_keep_a_password() -> None:
    remember_connection("postgresql://alice:s3cret@db:5432/book", "policies=life.policies")
    saved = recent_connections()[0]
    assert saved == {"url": "postgresql://alice:***@db:5432/book", "tables": "policies=life.policies"}


def test_bad_url_reports_and_keeps_the_dialog_usable(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ConnectDialog(None)
    qtbot.addWidget(dialog)
    dialog.url.setCurrentText("mysql://x@y/z")
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=30_000)
    assert "Could not connect" in dialog.status.text() and dialog.connect_button.isEnabled()


@pytest.fixture(autouse=True)
def _close_pool():  # type: ignore[no-untyped-def]
    yield
    from memberdesk.ui.worker import wait_for_pool

    wait_for_pool()


def test_a_slow_check_of_a_raw_book_hints_at_saving_it(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """After a long validation scan (the threshold lowered to 0 here) of a book that
    `memberdesk import` did not write, the status bar names File ▸ Save data as DuckDB book…;
    the book that action writes opens trusted, with no hint."""
    from memberdesk.core import book_writer
    from memberdesk.ui.shell.main_window import MainWindow

    monkeypatch.setattr(book_writer, "SLOW_OPEN_SECONDS", 0.0)
    window = MainWindow()
    qtbot.addWidget(window)
    dialog = ConnectDialog(window)
    dialog.url.setCurrentText(_book(tmp_path))
    dialog.start()
    qtbot.waitUntil(lambda: window.base is dialog.dataset is not None, timeout=60_000)
    assert "Save data as DuckDB book" in window.statusBar().currentMessage()
    saved = tmp_path / "saved.duckdb"
    window.actions_.save_book_to(str(saved))
    qtbot.waitUntil(lambda: not window._exporter.is_busy, timeout=60_000)
    window.statusBar().clearMessage()
    first_book = dialog.dataset.book  # (a new Connect dialog lets the closed one go)
    again = ConnectDialog(window)
    again.url.setCurrentText(f"duckdb://{saved}")
    again.start()
    qtbot.waitUntil(lambda: window.base is again.dataset is not None, timeout=60_000)
    assert again.dataset.book.trusted
    assert "Save data as DuckDB book" not in window.statusBar().currentMessage()
    window.dirty = False
    for book in (first_book, again.dataset.book):
        book.close()


def test_columns_editor_maps_an_unrecognised_table_and_connect_reads_it(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #13 point 6: the Connect dialog has the files' mapping editor. A DuckDB table whose
    column names nothing recognises (k1, d1, s1, ...) is not read; in Columns… the user says it
    holds policies and what each column means; Connect then reads it, with the counts of the
    same rows read from a CSV under canonical names (the file path: the independent truth), and
    the mapping is remembered for tables and files with the same columns."""
    import pandas as pd

    from memberdesk.core.loader import load_dataset
    from memberdesk.core.mapping import header_signature
    from memberdesk.ui.settings import AppSettings
    from memberdesk.ui.shell.main_window import MainWindow

    odd = {"policy_id": "k1", "member_id": "k2", "product": "c3", "product_type": "c4",
           "channel": "c5", "issue_date": "d1", "end_date": "d2", "status": "s1",
           "annual_premium": "a1", "sum_assured": "a2", "payment_frequency": "c6"}
    path = tmp_path / "odd.duckdb"
    con = duckdb.connect(str(path))
    con.execute(f"CREATE TABLE weird AS SELECT {', '.join(f'{k} AS {v}' for k, v in odd.items())} "
                f"FROM read_csv('{ROOT / 'sample_data' / 'policies.csv'}', all_varchar=true)")
    con.close()
    settings = AppSettings()
    monkeypatch.setattr(settings, "save_mapping", lambda sig, data: saved.update({sig: data}))
    saved: dict[str, object] = {}
    window = MainWindow(settings)
    qtbot.addWidget(window)
    dialog = ConnectDialog(window)
    dialog.url.setCurrentText(f"duckdb://{path}")
    dialog.edit_columns()
    qtbot.waitUntil(lambda: dialog.columns_dialog is not None, timeout=60_000)
    editor_dialog = dialog.columns_dialog
    assert [editor_dialog.tabs.tabText(i) for i in range(editor_dialog.tabs.count())] == ["weird"]
    editor = editor_dialog.editors[0]
    assert editor.mapping() is None  # not recognised: "Ignore this table"
    editor.table_box.setCurrentIndex(editor.table_box.findData("policies"))
    back = {v: k for k, v in odd.items()}
    for header, box in zip(editor.headers, editor.boxes):
        box.setCurrentIndex(box.findData(back[header]))
    assert "P0000001" in editor.grid.item(0, 1).text()  # the first rows shown as examples
    editor_dialog.accept()
    assert header_signature(list(odd.values())) in saved  # remembered as the wizard does
    dialog.start()
    qtbot.waitUntil(lambda: window.base is dialog.dataset is not None, timeout=60_000)
    truth = load_dataset([ROOT / "sample_data" / "policies.csv"])
    got = {t.table: (t.read, t.accepted, dict(t.reasons)) for t in dialog.dataset.report.tables}
    want = {t.table: (t.read, t.accepted, dict(t.reasons)) for t in truth.report.tables
            if t.table == "policies"}
    assert got == want
    # a workspace saved now keeps the URL and the mapping (it reconnects with them)
    ws = window.workspace()
    assert ws.sources == [f"duckdb://{path}"]
    assert [m["signature"] for m in ws.mappings] == [header_signature(list(odd.values()))]
    assert list(pd.Series(dialog.dataset.book.distinct(dialog.dataset, "policies", "channel")).sort_values()) \
        == sorted(truth.validated["policies"]["channel"].dropna().unique())
    window.dirty = False
    dialog.dataset.book.close()


def test_a_database_url_opens_like_files(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`memberdesk duckdb:///book.duckdb` (and Open recent, a workspace) hands the window a URL:
    it is opened in its engine (it was read as a file path and failed 'no such file')."""
    from memberdesk.ui.shell.main_window import MainWindow

    window = MainWindow()
    window.ask_before_close = False
    qtbot.addWidget(window)
    url = _book(tmp_path)
    with qtbot.waitSignal(window.loaded, timeout=60_000):
        window.open_paths([url], user_action=False)
    assert window.base is not None and window.base.book is not None
    assert window.base.book.engine == "duckdb" and window.sources == [url]
    digits = window.summary_label.text().replace(",", "").replace("\u202f", "").replace("\xa0", "")
    assert "6824" in digits and "5000" in digits
    window.base.book.close()


def test_a_saved_workspace_of_a_connected_book_reconnects(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A workspace saved after Connect to database… holds the URL as its source; opening it
    connects again. The URL is not a file that moved: nobody is asked where it is now (the
    window asked, and opened nothing when the question could not be answered)."""
    from memberdesk.core.workspace import Workspace
    from memberdesk.ui.shell.main_window import MainWindow

    url = _book(tmp_path)
    path = Workspace(sources=[url]).save(tmp_path / "connected")
    window = MainWindow()
    window.ask_before_close = False
    qtbot.addWidget(window)
    asked: list[str] = []

    def locate(missing: str) -> None:
        asked.append(missing)

    with qtbot.waitSignal(window.loaded, timeout=60_000):
        assert window.open_workspace(path, locate=locate) is not False
    assert asked == []
    assert window.base is not None and window.base.book is not None
    assert window.base.book.engine == "duckdb" and window.sources == [url]
    window.dirty = False
    window.base.book.close()


def test_a_closed_connect_dialog_goes_when_another_opens(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # found: every File ▸ Connect… left its dialog with the window for good, and with it the
    # book it had connected (its ``dataset``), so a replaced book's session was never let go
    import gc
    import weakref

    from PySide6.QtCore import QCoreApplication, QEvent

    window, first = _connected(qtbot, tmp_path)
    qtbot.waitUntil(lambda: window.base is first.dataset is not None, timeout=60_000)
    book = weakref.ref(first.dataset.book)
    window.open_paths([str(ROOT / "sample_data")])  # the window moves on to files
    qtbot.waitUntil(lambda: window.base is not None and getattr(window.base, "book", None) is None,
                    timeout=60_000)
    second = ConnectDialog(window)  # the next Connect…; the first is closed and idle
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChildren(ConnectDialog) == [second]
    gc.collect()
    assert book() is None  # nothing holds the replaced book: its connection is closed
    second.reject()
    window.dirty = False
