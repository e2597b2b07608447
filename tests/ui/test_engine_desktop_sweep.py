"""The desktop on a database book, looked at and walked with the keyboard (review sweep, issue
#13 point 6 and #17 C): File ▸ Connect to database…, the Data page and the main window on the
sample book imported into DuckDB. Each test is one problem found in the sweep and fails on the
code before its fix. Truths: what a keyboard user expects of a dialog (Enter does the dialog's
job, Escape backs out), and the same window on the sample's CSV files."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from memberdesk.ui.shell.connect_dialog import ConnectDialog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def book_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sample book written into DuckDB as `memberdesk import` writes it."""
    from memberdesk.core.book_writer import write_book
    from memberdesk.core.loader import load_dataset

    out = tmp_path_factory.mktemp("book") / "book.duckdb"
    write_book(load_dataset([ROOT / "sample_data"]), out, today=dt.date(2026, 12, 6))
    return f"duckdb://{out}"


@pytest.fixture(autouse=True)
def _pool_idle() -> Iterator[None]:
    yield
    from memberdesk.ui.worker import wait_for_pool

    wait_for_pool()


def _shown_dialog(qtbot: Any, window: Any = None) -> ConnectDialog:
    dialog = ConnectDialog(window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    return dialog


def test_enter_in_the_url_field_connects_instead_of_closing(qtbot, book_url: str) -> None:  # type: ignore[no-untyped-def]
    """Found: Close was the dialog's default button, so typing a URL and pressing Enter closed
    the dialog without connecting."""
    from memberdesk.ui.shell.main_window import MainWindow

    window = MainWindow()
    window.ask_before_close = False
    qtbot.addWidget(window)
    dialog = _shown_dialog(qtbot, window)
    dialog.url.setCurrentText(book_url)
    dialog.url.setFocus()
    QTest.keyClick(dialog.url.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.base is not None, timeout=60_000)
    assert window.base.book.engine == "duckdb" and dialog.result() == dialog.DialogCode.Accepted
    window.dirty = False
    window.base.book.close()


def test_escape_while_connecting_cancels_the_connection(qtbot, book_url: str) -> None:  # type: ignore[no-untyped-def]
    """Found: Escape (or Close) while connecting hid the dialog but let the worker finish, and
    the book then replaced the window's data although the user had backed out."""
    from memberdesk.ui.shell.main_window import MainWindow
    from memberdesk.ui.worker import wait_for_pool

    window = MainWindow()
    window.ask_before_close = False
    qtbot.addWidget(window)
    dialog = _shown_dialog(qtbot, window)
    dialog.url.setCurrentText(book_url)
    dialog.start()
    assert dialog.is_busy
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and not dialog.is_busy
    assert wait_for_pool(60_000)
    qtbot.wait(200)  # a late result, if any, is delivered now
    assert window.base is None


def test_tab_goes_through_the_fields_then_the_buttons_left_to_right(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Found: Tab went from the tables field to Close (the right-most button) before Columns…
    and Connect."""
    dialog = _shown_dialog(qtbot)
    dialog.url.setFocus()
    seen = []
    for _ in range(5):
        widget = QApplication.focusWidget()
        seen.append(widget.parentWidget() if widget is dialog.url.lineEdit() else widget)
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    close = dialog.buttons.button(dialog.buttons.StandardButton.Close)
    # Cancel query is disabled while nothing runs: no Tab stop
    assert seen == [dialog.url, dialog.tables, dialog.columns_button, dialog.connect_button, close]


def _close(window: Any) -> None:
    from memberdesk.ui.worker import wait_for_pool

    assert wait_for_pool(60_000)  # the Data page's first rows are read in a worker
    QApplication.processEvents()
    window.dirty = False
    book = getattr(window.base, "book", None)
    if book is not None:
        book.close()


def test_the_data_page_names_the_database_not_a_file(open_window, qtbot, book_url: str) -> None:  # type: ignore[no-untyped-def]
    """Found: on a database book the Data page read "Files: book.duckdb" (the URL's last part
    taken for a file name; a PostgreSQL book would read "Files: DBNAME"). It names the engine
    and the URL as the status bar does; the files' page still names its files."""
    window = open_window(book_url)
    try:
        text = window.page("data").sources_label.text()
        assert "Files:" not in text
        assert "<b>Database:</b> duckdb · " + book_url in text
    finally:
        _close(window)
    files = open_window(str(ROOT / "sample_data"))
    assert "<b>Files:</b> benefit_usage.csv, claims.csv" in files.page("data").sources_label.text()
    _close(files)


def test_the_data_page_offers_no_file_actions_that_break_a_database_book(open_window, qtbot, book_url: str) -> None:  # type: ignore[no-untyped-def]
    """Found: on a database book "Add files…" mixed CSV files with the URL (the load failed
    with an error dialog), and "Import with column mapping…" opened the file wizard on the URL
    ("These files cannot be read: duckdb:/…: no such file or folder"). Add files is off; the
    mapping button opens the database's own mapping editor (Connect ▸ Columns…) on its tables."""
    window = open_window(book_url)
    try:
        data = window.page("data")
        assert not data.add_button.isEnabled()
        opened = data.open_wizard()
        assert isinstance(opened, ConnectDialog)
        assert opened.url.currentText() == book_url
        qtbot.waitUntil(lambda: opened.columns_dialog is not None, timeout=60_000)
        editor = opened.columns_dialog
        names = sorted(editor.tabs.tabText(i) for i in range(editor.tabs.count()))
        assert names == sorted(["benefit_usage", "claims", "members", "policies",
                                "premium_payments", "service_contacts"])
        editor.reject()
        opened.reject()
    finally:
        _close(window)
    files = open_window(str(ROOT / "sample_data"))
    assert files.page("data").add_button.isEnabled()
    _close(files)


def test_the_database_line_is_in_chinese_under_zh_cn(open_window, qtbot, book_url: str, zh_cn) -> None:  # type: ignore[no-untyped-def]
    window = open_window(book_url)
    try:
        assert "<b>数据库：</b>duckdb · " + book_url in window.page("data").sources_label.text()
    finally:
        _close(window)


def _mnemonic(text: str) -> str | None:
    import re

    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def _menu_mnemonics(qtbot: Any) -> dict[str, list[str]]:
    """Each menu of the main window (by title) -> the mnemonic letters of its entries."""
    from memberdesk.ui.shell.main_window import MainWindow

    window = MainWindow()
    window.ask_before_close = False
    qtbot.addWidget(window)
    out: dict[str, list[str]] = {}
    bar = window.menuBar()
    out["menu bar"] = [m for a in bar.actions() if (m := _mnemonic(a.text()))]
    menus = [a.menu() for a in bar.actions()]
    while menus:
        menu = menus.pop()
        acts = [a for a in menu.actions() if not a.isSeparator()]
        out[menu.title()] = [m for a in acts if (m := _mnemonic(a.text()))]
        menus += [a.menu() for a in acts if a.menu() is not None]
    return out


def _assert_unique(found: dict[str, list[str]]) -> None:
    twice = {menu: sorted({m for m in letters if letters.count(m) > 1})
             for menu, letters in found.items()}
    assert not any(twice.values()), twice


def test_every_menu_entry_has_its_own_letter(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Found: in File, "&Connect to database…" and "Export &chart…" both took C (连接数据库(&C)
    and 导出图表(&C) in Chinese), so Alt+F, C only moved between them instead of opening the
    Connect dialog. Connect to &database… takes D."""
    found = _menu_mnemonics(qtbot)
    _assert_unique(found)
    assert "d" in found["&File"]


def test_every_menu_entry_has_its_own_letter_in_chinese(qtbot, zh_cn) -> None:  # type: ignore[no-untyped-def]
    found = _menu_mnemonics(qtbot)
    _assert_unique(found)
    assert "d" in found["文件(&F)"]


def _connect_dialogs(window: Any) -> list[ConnectDialog]:
    return [d for d in window.findChildren(ConnectDialog) if d.isVisible()]


def test_connect_asks_before_replacing_the_loaded_book(open_window, qtbot, book_url: str, questions) -> None:  # type: ignore[no-untyped-def]
    """Found: File ▸ Open files… asks before other data replace a loaded book (and offers to
    save unsaved changes, #17 C.16), but File ▸ Connect to database… replaced it without a
    word, unsaved workspace changes included. It asks the same question; the Data page's new
    Connect to database… button goes the same way."""
    from PySide6.QtWidgets import QMessageBox

    window = open_window(book_url)
    asked = questions.asked
    try:
        questions.answer(QMessageBox.StandardButton.Cancel)
        window.actions_.connect_db.trigger()
        assert asked == ["Replace the loaded data?"] and not _connect_dialogs(window)
        window.page("data").connect_button.click()
        assert len(asked) == 2 and not _connect_dialogs(window)
        questions.answer(QMessageBox.StandardButton.Ok)
        window.page("data").connect_button.click()
        assert len(asked) == 3 and len(_connect_dialogs(window)) == 1
        _connect_dialogs(window)[0].reject()
    finally:
        _close(window)


def test_data_page_tab_order_follows_the_page(open_window, qtbot, book_url: str) -> None:  # type: ignore[no-untyped-def]
    """Found in the keyboard walk: on the Data page Tab went to the two tab bars first, then
    back up to the buttons above them, then down to the table."""
    window = open_window(book_url)
    try:
        window.show_page("data")
        window.show()
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
        data = window.page("data")
        data.open_button.setFocus()
        seen = [data.open_button]
        for _ in range(6):
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            seen.append(QApplication.focusWidget())
        # Add files… is off on a database book: no Tab stop
        assert seen == [data.open_button, data.folder_button, data.connect_button,
                        data.wizard_button, data.sample_button, data.tabs.tabBar(),
                        data.tables_tabs.tabBar()]
    finally:
        _close(window)


def _columns_editor(qtbot: Any, url: str) -> Any:
    dialog = _shown_dialog(qtbot)
    dialog.url.setCurrentText(url)
    dialog.edit_columns()
    qtbot.waitUntil(lambda: dialog.columns_dialog is not None, timeout=60_000)
    return dialog.columns_dialog


def test_the_database_mapping_editor_speaks_of_tables(qtbot, book_url: str) -> None:  # type: ignore[no-untyped-def]
    """Found: Connect ▸ Columns… headed each database table's columns "Column in the file"
    (文件中的列); the file wizard keeps its wording."""
    from memberdesk.ui.shell.mapping_editor import MappingEditor

    editor = _columns_editor(qtbot, book_url)
    heads = {e.grid.horizontalHeaderItem(0).text() for e in editor.editors}
    assert heads == {"Column in the table"}
    editor.reject()
    files = MappingEditor(["policy_id"], None)
    qtbot.addWidget(files)
    assert files.grid.horizontalHeaderItem(0).text() == "Column in the file"


def test_the_database_mapping_editor_speaks_of_tables_in_chinese(qtbot, book_url: str, zh_cn) -> None:  # type: ignore[no-untyped-def]
    editor = _columns_editor(qtbot, book_url)
    assert {e.grid.horizontalHeaderItem(0).text() for e in editor.editors} == {"表中的列"}
    editor.reject()


def test_the_replace_question_names_the_database(open_window, qtbot, book_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Found under X: before a connection replaced a database book, the question read "The
    files you open replace the data loaded now (book.duckdb)": no files were opened, and the
    URL's last part stood for the database (a PostgreSQL book read as its database name)."""
    from PySide6.QtWidgets import QMessageBox

    from memberdesk.ui.shell import actions as shell_actions

    window = open_window(book_url)
    texts: list[str] = []

    def question(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
        texts.append(str(args[2]))
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(shell_actions.QMessageBox, "question", question)
    try:
        window.actions_.ask_connect()
        assert texts == [f"The data you open replace the data loaded now ({book_url})."]
    finally:
        _close(window)


def test_the_dialog_offers_the_database_the_window_has_open(open_window, qtbot, book_url: str) -> None:  # type: ignore[no-untyped-def]
    """Found under X: with a database book opened from the command line (or Open recent, or a
    workspace), File ▸ Connect to database… showed an empty "duckdb://" and no recent entry:
    only connections made in the dialog were remembered."""
    window = open_window(book_url)
    try:
        dialog = ConnectDialog(window)
        qtbot.addWidget(dialog)
        assert dialog.url.currentText() == book_url
        assert [dialog.url.itemText(i) for i in range(dialog.url.count())] == [book_url]
    finally:
        _close(window)


def _dictionary_search_fits(qtbot: Any, show_page: Any, url: str) -> None:
    from memberdesk.core.engine.book import open_book

    ds = open_book(url)
    try:
        page = show_page("dictionary", ds)
        page.show()
        qtbot.waitExposed(page)
        box = page.search
        # the hint's text plus the line edit's frame and margins (about 12 px)
        assert box.width() >= box.fontMetrics().horizontalAdvance(box.placeholderText()) + 12
    finally:
        ds.book.close()


def test_the_dictionary_search_hint_is_not_cut(qtbot, show_page, book_url: str) -> None:  # type: ignore[no-untyped-def]
    """Found on the screenshots (engine book and files alike): the Dictionary's search field
    showed "Search names, …" and 搜索名称、定义… of "Search names, definitions, columns…"."""
    _dictionary_search_fits(qtbot, show_page, book_url)


def test_the_dictionary_search_hint_is_not_cut_in_chinese(qtbot, show_page, book_url: str, zh_cn) -> None:  # type: ignore[no-untyped-def]
    _dictionary_search_fits(qtbot, show_page, book_url)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_alt_letters_reach_the_connect_fields(qtbot, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Found: the dialog's field labels had no letter, so the tables field was reached only
    by Tab. Alt+U goes to the URL, Alt+T to the tables (数据库 URL(&U), 数据表(&T))."""
    from memberdesk.ui import app

    app.install_translators(QApplication.instance(), lang)
    try:
        dialog = _shown_dialog(qtbot)
        dialog.connect_button.setFocus()
        QTest.keyClick(dialog, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() is dialog.tables
        QTest.keyClick(dialog, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() in (dialog.url, dialog.url.lineEdit())
    finally:
        app.install_translators(QApplication.instance(), "en")


def test_the_busy_pages_cancel_link_is_in_chinese(qtbot, zh_cn) -> None:  # type: ignore[no-untyped-def]
    """Found on the 1M-policy raw DuckDB book under 简体中文: while Drivers computed, the page
    said 正在计算失效驱动因素（Cox 模型）… with an English "Cancel" link under it (lupdate did
    not see the tr() call inside an f-string, so the word was never in the catalogue)."""
    from memberdesk.ui.pages import page_factory

    page = page_factory("drivers")(None)
    qtbot.addWidget(page)
    page.show_busy("正在计算…", on_cancel=lambda: None)
    assert ">取消</a>" in page.message_text() and "Cancel" not in page.message_text()


def test_open_recent_reopens_a_database_and_asks_first(open_window, qtbot, book_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Found: File ▸ Open recent kept a database URL resolved as a path (CWD/duckdb:/tmp/…),
    listed it as "book.duckdb", and choosing it opened that non-existent file; it also replaced
    the loaded book without the question Open files asks. The URL is kept and shown as it is,
    and choosing it asks first."""
    from PySide6.QtWidgets import QMessageBox

    from memberdesk.ui.shell import actions as shell_actions

    window = open_window(book_url)
    try:
        assert window.settings.recent("data")[0] == book_url
        entries = {a.text(): a for a in window.actions_.recent_menu.actions()}
        assert book_url in entries
        opened: list[list[str]] = []
        monkeypatch.setattr(window, "open_paths", lambda paths, **_k: opened.append(list(paths)))
        monkeypatch.setattr(shell_actions.QMessageBox, "question",
                            lambda *a, **k: QMessageBox.StandardButton.Cancel)
        entries[book_url].trigger()
        assert opened == []
        monkeypatch.setattr(shell_actions.QMessageBox, "question",
                            lambda *a, **k: QMessageBox.StandardButton.Ok)
        entries[book_url].trigger()
        assert opened == [[book_url]]
    finally:
        _close(window)


def test_the_saved_book_message_gives_a_url_that_opens(open_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Found: after File ▸ Save data as DuckDB book… the status bar told the user to connect to
    "duckdb:////tmp/…/book.duckdb" (duckdb:/// + an absolute path: four slashes). It gives
    duckdb:// + the absolute path, as `memberdesk import` prints it, and that URL opens."""
    from memberdesk.core.engine.book import open_book

    window = open_window(str(ROOT / "sample_data"))
    out = tmp_path / "saved.duckdb"
    window.actions_.save_book_to(str(out))
    qtbot.waitUntil(lambda: not window._exporter.is_busy, timeout=120_000)
    message = window.statusBar().currentMessage()
    url = f"duckdb://{out.resolve()}"
    assert f"({url})" in message and "duckdb:////" not in message
    ds = open_book(url)
    assert ds.book.trusted
    ds.book.close()
    _close(window)


def _name(w: Any) -> str:
    from PySide6.QtWidgets import QAbstractButton

    text = w.text() if isinstance(w, QAbstractButton) else ""
    return f"{type(w).__name__}:{text}:{type(w.window()).__name__}" if w is not None else "None"


def test_every_page_and_control_is_reached_by_keyboard_on_a_database_book(open_window, qtbot, book_url: str) -> None:  # type: ignore[no-untyped-def]
    """The keyboard walk of point 3 on the engine book, kept as a guard (it found the Data
    page's order, fixed above): Down in the page list reaches every page, and on each page Tab
    from the page list visits every visible control of the filter bar and the page, then comes
    back round to the page list (no trap)."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QTabBar,
        QWidget,
    )

    from memberdesk.ui.charts.kpi_tile import KpiTile
    from memberdesk.ui.shell.main_window import PAGE_IDS

    kinds = (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit, QTabBar,
             KpiTile)

    def stop(w: QWidget) -> bool:
        return bool(w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus)

    def control(w: QWidget | None) -> QWidget | None:
        parent = w.parentWidget() if w is not None else None
        return parent if isinstance(parent, (QAbstractSpinBox, QComboBox)) else w

    window = open_window(book_url)
    try:
        window.show()
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
        window.show_page(PAGE_IDS[0])
        window.nav.setFocus()
        for pid in PAGE_IDS[1:]:  # every page by Down in the page list
            QTest.keyClick(window.nav, Qt.Key.Key_Down)
            assert window.current_page() is window.page(pid)
        for pid in PAGE_IDS:
            window.show_page(pid)
            qtbot.waitUntil(lambda: not window.is_busy(), timeout=60_000)
            page = window.page(pid)
            areas = (window.filter_bar, page)
            wanted = [w for area in areas for w in area.findChildren(QWidget)
                      if isinstance(w, kinds) and stop(w)
                      and not isinstance(w.parentWidget(), (QAbstractSpinBox, QComboBox))]
            window.nav.setFocus()
            seen: list[QWidget | None] = []
            for _ in range(3 * len(wanted) + 10):
                QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
                seen.append(control(QApplication.focusWidget()))
                if seen[-1] is window.nav:
                    break
            names = [_name(w) for w in seen]
            assert seen[-1] is window.nav, (pid, names[-8:])  # e.g. an error dialog took the focus
            missed = [_name(w) for w in wanted if w not in seen]
            if pid == "data":  # the buttons, then the tabs, as the page reads
                assert seen.index(page.open_button) < seen.index(page.tabs.tabBar())
            assert not missed, (pid, missed, names)
    finally:
        _close(window)


def test_a_task_broken_by_an_import_deadlock_runs_again(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Found in the keyboard walk: arrowing down the page list on the engine book started every
    page's analysis at once, the Retention list's first import of scikit-learn met another
    page's first import of lifelines' formulaic in narwhals.stable, and Python broke the import
    cycle with _DeadlockError: an error dialog "Something went wrong". The import succeeds when
    tried again and tasks are pure, so the worker runs the task again."""
    import importlib._bootstrap

    from memberdesk.ui.worker import TaskRunner

    calls: list[int] = []

    def task() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise importlib._bootstrap._DeadlockError("deadlock detected by _ModuleLock('x')")
        return 42

    runner = TaskRunner(None)
    got: list[object] = []
    errors: list[BaseException] = []
    runner.run(task, on_result=got.append, on_error=lambda exc, tb: errors.append(exc))
    qtbot.waitUntil(lambda: not runner.is_busy, timeout=10_000)
    assert got == [42] and not errors and len(calls) == 2

    def broken() -> int:  # any other error is reported at once, not retried
        calls.append(1)
        raise ValueError("bad")

    calls.clear()
    runner.run(broken, on_result=got.append, on_error=lambda exc, tb: errors.append(exc))
    qtbot.waitUntil(lambda: not runner.is_busy, timeout=10_000)
    assert len(calls) == 1 and isinstance(errors[0], ValueError)


def test_progress_lines_name_metrics_by_their_names() -> None:
    """Found on the 1M-policy raw DuckDB book: while the Cockpit computed, the status bar read
    "预警：free_look_cancellation_rate" and "关键指标：persistency_13" (the metric's id). The
    metric is named as its Cockpit tile and Dictionary entry name it."""
    from memberdesk.ui import i18n

    try:
        i18n.set_ui_language("zh_CN")
        assert i18n.status_text("Alerts: free_look_cancellation_rate") == "预警：犹豫期撤单率"
        assert i18n.status_text("KPIs: persistency_13") == "关键指标：13个月保费继续率"
        assert i18n.status_text("Alerts: persistency_13 by segment") == "预警：13个月保费继续率（按分组）"
        i18n.set_ui_language("en")
        assert i18n.status_text("KPIs: in_force_members") == "KPIs: In-force members"
        assert i18n.status_text("KPIs: not_a_metric") == "KPIs: not_a_metric"  # shown, not dropped
    finally:
        i18n.set_ui_language("en")


def test_the_data_page_says_why_add_files_is_off_and_names_every_way_in(  # type: ignore[no-untyped-def]
        open_window, qtbot, book_url: str, zh_cn) -> None:
    """Found: on a database book Add files… was off without a word (its tooltip still offered to
    load more files), and the empty page named files, folders, drops and the sample but not the
    database the page now connects to."""
    from memberdesk.ui.shell.data_page import DataPage

    empty = DataPage()
    qtbot.addWidget(empty)
    assert "连接数据库" in empty.sources_label.text()
    window = open_window(book_url)
    try:
        add = window.page("data").add_button
        assert not add.isEnabled() and add.toolTip() == "不能向数据库中添加文件；请单独打开这些文件"
    finally:
        _close(window)
