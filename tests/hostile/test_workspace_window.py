"""A damaged workspace opened in the window: one data-error dialog naming file and field, the
window's state unchanged, never the "Something went wrong" bug dialog (#11 point 11)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DAMAGED = {
    "sources_numbers": b'{"schema_version": 2, "sources": [1, 2]}',
    "filters_wrong_type": b'{"schema_version": 2, "filters": {"channel": 5}}',
    "page_state_list": b'{"schema_version": 2, "page_state": [1]}',
    "deep": b'{"page_state": {"x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}}",
}


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, qapp: object) -> Iterator[None]:
    from PySide6.QtCore import QCoreApplication, QSettings

    folder = tmp_path / "settings"
    folder.mkdir()
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(folder))
    QCoreApplication.setOrganizationName("MemberDeskTests")
    QCoreApplication.setApplicationName(f"memberdesk-hostile-{os.getpid()}")
    yield
    from memberdesk.ui.worker import wait_for_pool

    assert wait_for_pool(20_000)


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_damaged_workspace_shows_one_data_error(qtbot, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.core.errors import DataError
    from memberdesk.ui.settings import AppSettings
    from memberdesk.ui.shell.main_window import MainWindow

    path = tmp_path / f"{name}.mdesk"
    path.write_bytes(DAMAGED[name])
    window = MainWindow(AppSettings())
    window.ask_before_close = False
    qtbot.addWidget(window)
    title_before = window.windowTitle()

    def never(_missing: str) -> str | None:
        raise AssertionError("a damaged workspace must not ask for files")

    assert window.open_workspace(path, locate=never) is False
    dialog = window.last_error_dialog
    assert dialog is not None and isinstance(dialog.exception, DataError)
    assert dialog.exception.file == str(path)
    assert dialog.windowTitle() != "Something went wrong"
    assert window.windowTitle() == title_before and window.workspace_path is None


def test_report_export_onto_a_data_file_is_refused_with_a_dialog(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.core.errors import DataError
    from memberdesk.ui.settings import AppSettings
    from memberdesk.ui.shell.main_window import MainWindow

    data = tmp_path / "book.xlsx"
    data.write_bytes(b"the user's workbook")
    window = MainWindow(AppSettings())
    window.ask_before_close = False
    qtbot.addWidget(window)
    window.sources = [str(tmp_path)]  # a folder holding the workbook
    window.actions_.export_report_to(str(data))
    dialog = window.last_error_dialog
    assert dialog is not None and isinstance(dialog.exception, DataError)
    assert "input data file" in dialog.exception.message
    assert data.read_bytes() == b"the user's workbook"
