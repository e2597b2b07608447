"""Session behaviour: unsaved-changes prompt, drag and drop, translations, theme."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from memberdesk import page_registry
from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.main_window import MainWindow


def _window(qtbot) -> MainWindow:
    window = MainWindow(AppSettings())
    qtbot.addWidget(window)
    return window


def test_unsaved_changes_are_asked_about_before_closing(qtbot, monkeypatch) -> None:
    window = _window(qtbot)
    window.show()
    window.dirty = True
    answers = iter([False, True])  # first "Cancel", then "Discard"
    asked: list[int] = []

    def confirm() -> bool:
        asked.append(1)
        return next(answers)

    monkeypatch.setattr(window.actions_, "confirm_discard", confirm)
    assert not window.close() and window.isVisible()
    assert window.close() and not window.isVisible()
    assert len(asked) == 2


def test_clean_window_closes_without_asking(qtbot, monkeypatch) -> None:
    window = _window(qtbot)
    window.show()
    monkeypatch.setattr(window.actions_, "confirm_discard",
                        lambda: pytest.fail("must not ask when nothing changed"))
    assert window.close()


def test_dropped_files_load_and_dropped_workspace_opens(qtbot, sample_data: Path,
                                                        tmp_path: Path) -> None:
    window = _window(qtbot)
    window.ask_before_close = False
    src = tmp_path / "policies.csv"
    shutil.copy(sample_data / "policies.csv", src)
    with qtbot.waitSignal(window.loaded, timeout=30_000):
        window.open_dropped([str(src)])
    assert window.sources == [str(src)] and window.dirty
    window.show_page("data")
    ws = window.save_workspace(tmp_path / "w.mdesk")
    other = _window(qtbot)
    other.ask_before_close = False
    with qtbot.waitSignal(other.loaded, timeout=30_000):
        other.open_dropped([str(ws)])
    assert other.sources == [str(src)] and other.current_page_id() == "data"


def test_translation_file_is_loaded_for_the_chosen_language(qtbot, tmp_path: Path,
                                                            monkeypatch) -> None:
    from memberdesk.ui import app

    ts = tmp_path / "memberdesk_zh_CN.ts"
    ts.write_text('<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" '
                  'language="zh_CN"><context><name>MainWindow</name><message><source>No data loaded'
                  '</source><translation>未加载数据</translation></message></context></TS>',
                  encoding="utf-8")
    qm = tmp_path / "memberdesk_zh_CN.qm"
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    if not lrelease.exists():
        pytest.skip("pyside6-lrelease not installed")
    subprocess.run([str(lrelease), str(ts), "-qm", str(qm)], check=True, capture_output=True)
    monkeypatch.setattr(app, "translation_path", lambda lang: tmp_path / f"memberdesk_{lang}.qm")
    locale = QLocale()
    try:
        loaded = app.install_translators(QApplication.instance(), "zh_CN")
        assert str(qm) in loaded
        window = _window(qtbot)
        # the window's texts go through the .qm; untranslated ones stay English
        assert window.summary_label.text() == "未加载数据"
        assert "&Help" in [a.text() for a in window.menuBar().actions()]
        # page titles come from the page registry in the chosen language (not from the .qm)
        titles = [window.nav.item(i).text() for i in range(window.nav.count())]
        assert titles == [p.title_zh for p in page_registry.PAGES]
    finally:
        app.install_translators(QApplication.instance(), "en")
        QLocale.setDefault(locale)
    window = _window(qtbot)
    assert window.nav.item(page_registry.PAGE_IDS.index("retention")).text() == "Retention"
    assert window.summary_label.text() == "No data loaded"


def test_theme_switch_changes_the_palette_and_is_remembered(qtbot) -> None:
    from PySide6.QtGui import QPalette

    from memberdesk.ui import theme

    window = _window(qtbot)
    try:
        window.actions_.set_theme(theme.DARK)
        base = QApplication.instance().palette().color(QPalette.ColorRole.Window)
        assert base.lightness() < 80
        assert AppSettings().theme == theme.DARK
    finally:
        window.actions_.set_theme(theme.LIGHT)
    assert QApplication.instance().palette().color(QPalette.ColorRole.Window).lightness() > 200
