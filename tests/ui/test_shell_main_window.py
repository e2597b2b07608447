"""The main window on real files: smoke start, bad files, cancel, workspaces, errors."""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
from PySide6.QtCore import Qt, QTimer

from memberdesk import page_registry
from memberdesk.core.dataset import Filters
from memberdesk.core.progress import check_cancelled
from memberdesk.core.workspace import PAGE_IDS
from memberdesk.ui import worker
from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.main_window import MainWindow


def _window(qtbot) -> MainWindow:
    window = MainWindow(AppSettings())
    window.ask_before_close = False
    qtbot.addWidget(window)
    return window


def _load(qtbot, window: MainWindow, paths: list[str]) -> None:
    with qtbot.waitSignal(window.loaded, timeout=30_000):
        window.open_paths(paths, user_action=False)


def test_smoke_start_on_sample_data_and_quit(qtbot, sample_data: Path) -> None:
    from memberdesk.ui.app import build_window

    window = build_window([str(sample_data)])
    qtbot.addWidget(window)
    window.ask_before_close = False
    window.show()
    qtbot.waitUntil(lambda: window.base is not None, timeout=30_000)
    # one navigation entry per page of the registry, in its order (read, not counted here:
    # issues #14 and #15 added alerts and retention_list)
    assert PAGE_IDS == page_registry.PAGE_IDS
    assert [window.nav.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(window.nav.count())] == list(page_registry.PAGE_IDS)
    assert "policies" in window.summary_label.text()
    assert window.dataset is not None and len(window.dataset.policies) > 100
    QTimer.singleShot(0, window.close)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


def test_bad_file_shows_the_error_and_keeps_the_data(qtbot, sample_data: Path,
                                                     tmp_path: Path) -> None:
    window = _window(qtbot)
    _load(qtbot, window, [str(sample_data / "policies.csv")])
    before = window.base
    bad = tmp_path / "bad.csv"
    bad.write_text("colour,shape\nred,round\n", encoding="utf-8")
    with qtbot.waitSignal(window.load_failed, timeout=30_000) as failed:
        window.open_paths([str(bad)])
    assert window.base is before  # the data already loaded stay
    assert window.sources == [str(sample_data / "policies.csv")]
    dialog = window.last_error_dialog
    assert dialog is not None and dialog.isVisible()
    assert "bad.csv" in dialog.where_label.text() + dialog.message_label.text()
    assert str(failed.args[0])  # a message in words, not an empty error


def test_cancel_button_stops_a_long_task(qtbot) -> None:
    window = _window(qtbot)
    window.show()
    steps: list[int] = []

    def slow(progress=None) -> str:
        for i in range(3000):  # 30 s unless cancelled
            check_cancelled(progress)
            progress.fraction(i / 3000)
            steps.append(i)
            time.sleep(0.01)
        return "finished"

    results: list[str] = []
    page = window.page("data")
    worker.run_task(page, slow, on_result=results.append, context="slow test task")
    qtbot.waitUntil(lambda: window.task_status.isVisible() and len(steps) > 5, timeout=5000)
    assert window.task_status.label.text() == "slow test task"
    window.task_status.cancel_button.click()
    assert worker.wait_for_pool(5000)
    assert results == [] and len(steps) < 3000
    qtbot.waitUntil(lambda: not window.task_status.isVisible(), timeout=2000)


def test_workspace_round_trip_restores_files_filters_as_of_and_page(
        qtbot, sample_data: Path, tmp_path: Path) -> None:
    window = _window(qtbot)
    _load(qtbot, window, [str(sample_data)])
    channel = window.filter_bar.selects["channel"].choices()[0]
    filters = Filters(issue_from=pd.Timestamp("2020-01-01"), channel=(channel,))
    as_of = window.base.as_of - pd.Timedelta(days=365)
    with qtbot.waitSignal(window.dataset_changed, timeout=5000):
        window.filter_bar.set_state(filters, as_of, notify=True)
    window.show_page("retention")
    path = window.save_workspace(tmp_path / "session.mdesk")

    other = _window(qtbot)
    with qtbot.waitSignal(other.loaded, timeout=30_000):
        assert other.open_workspace(path)
    qtbot.waitUntil(lambda: other.dataset is not None, timeout=5000)
    assert other.current_page_id() == "retention"
    assert other.filter_bar.filters() == filters
    assert other.dataset.filters == filters
    assert other.dataset.as_of == as_of
    assert other.sources == [str(sample_data)]
    assert not other.dirty


def test_moved_workspace_files_are_asked_for(qtbot, sample_data: Path, tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "book"
    data.mkdir()
    shutil.copy(sample_data / "policies.csv", data / "policies.csv")
    window = _window(qtbot)
    _load(qtbot, window, [str(data / "policies.csv")])
    ws_path = window.save_workspace(tmp_path / "elsewhere" / "w.mdesk") if False else \
        window.save_workspace(tmp_path / "w.mdesk")
    moved = tmp_path / "moved"
    data.rename(moved)
    (tmp_path / "w.mdesk").rename(tmp_path / "w2.mdesk")  # relative path no longer helps
    asked: list[str] = []

    def locate(missing: str) -> str:
        asked.append(missing)
        return str(moved / Path(missing).name)

    other = _window(qtbot)
    with qtbot.waitSignal(other.loaded, timeout=30_000):
        assert other.open_workspace(tmp_path / "w2.mdesk", locate=locate)
    assert asked == [str(data / "policies.csv")]
    assert other.sources == [str(moved / "policies.csv")]
    assert ws_path.name == "w.mdesk"


def test_worker_error_reaches_the_window_error_dialog(qtbot) -> None:
    window = _window(qtbot)

    def boom() -> None:
        raise RuntimeError("the disk caught fire")

    worker.run_task(window.page("data"), boom, context="testing errors")
    qtbot.waitUntil(lambda: window.last_error_dialog is not None, timeout=5000)
    dialog = window.last_error_dialog
    assert "the disk caught fire" in dialog.message_label.text()
    assert "RuntimeError" in dialog.details.toPlainText()
    assert "testing errors" in dialog.context_label.text()


def test_every_page_opens_with_or_without_data(qtbot) -> None:
    window = _window(qtbot)
    for pid in PAGE_IDS:
        page = window.show_page(pid)
        assert window.stack.currentWidget() is page
        assert isinstance(page.title(), str) and page.title()
    assert window.settings.last_page == PAGE_IDS[-1]


def test_last_page_is_restored(qtbot) -> None:
    first = _window(qtbot)
    first.show_page("data")
    first.close()
    second = _window(qtbot)
    assert second.current_page_id() == "data"
