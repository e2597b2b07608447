"""UI test fixtures: headless Qt, settings in tmp_path, no worker outliving its test."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import memberdesk.ui.worker  # noqa: E402,F401  (applies the PySide6 6.12 emit() refcount workaround)

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, qapp: object) -> Iterator[Path]:
    """Point QSettings (INI and native formats) at ``tmp_path`` and use test organisation and
    application names, so tests never read or write the real user profile."""
    from PySide6.QtCore import QCoreApplication, QSettings

    folder = tmp_path / "settings"
    folder.mkdir()
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(folder))
    QCoreApplication.setOrganizationName("MemberDeskTests")
    QCoreApplication.setApplicationName(f"memberdesk-test-{os.getpid()}")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    yield folder
    from memberdesk.ui.worker import wait_for_pool

    assert wait_for_pool(20_000), "a background task did not finish at teardown"


@pytest.fixture
def sample_data() -> Path:
    if not (SAMPLE_DATA.is_dir() and any(SAMPLE_DATA.glob("*.csv"))):
        pytest.skip("sample_data/ is not there yet")
    return SAMPLE_DATA


@pytest.fixture
def zh_cn() -> Iterator[list[str]]:
    """The zh_CN translators and locale installed for one test, English restored after."""
    from PySide6.QtWidgets import QApplication

    from memberdesk.ui import app

    loaded = app.install_translators(QApplication.instance(), "zh_CN")
    assert any(p.endswith("memberdesk_zh_CN.qm") for p in loaded)
    yield loaded
    app.install_translators(QApplication.instance(), "en")


@pytest.fixture
def show_page(qtbot):  # type: ignore[no-untyped-def]
    """``show_page(page_id, ds)``: the analysis page built, sized 1400×900, given ``ds``,
    refreshed, and returned once its background analysis has finished."""
    from memberdesk.ui.pages import page_factory

    def show(page_id: str, ds):  # type: ignore[no-untyped-def]
        page = page_factory(page_id)(None)
        qtbot.addWidget(page)
        page.resize(1400, 900)
        page.set_dataset(ds)
        page.refresh()
        qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
        return page

    return show


# The offscreen platform plugin warns about a window-manager feature it lacks whenever a
# top-level window is shown; harmless and not ours.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture
def open_window(qtbot):  # type: ignore[no-untyped-def]
    """``open_window(source)``: a main window (no close question) that has loaded ``source``
    (files, a folder or a database URL) as the command line opens it."""
    from memberdesk.ui.shell.main_window import MainWindow

    def open_on(source: str) -> MainWindow:
        window = MainWindow()
        window.ask_before_close = False
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.loaded, timeout=60_000):
            window.open_paths([source], user_action=False)
        return window
    return open_on


class Questions:
    """The main window's yes/no questions (``QMessageBox.question`` in the shell's actions),
    answered by a test: :meth:`answer` sets the reply to every later question, and ``asked``
    lists the questions' titles in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.asked: list[str] = []

    def answer(self, choice: object) -> None:
        from memberdesk.ui.shell import actions

        def question(*args: object, **kwargs: object) -> object:
            self.asked.append(str(args[1]))
            return choice
        self.monkeypatch.setattr(actions.QMessageBox, "question", question)


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> Questions:
    return Questions(monkeypatch)
