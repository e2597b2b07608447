"""While the data load (issue 17 C.12, seen at start-up under X): a page first opened during the
load names the load and offers Cancel instead of "No data loaded — open a policies file"; the
status bar's "Loading …" put up before the window shows is not drawn over the summary label."""
from __future__ import annotations

import time
from typing import Any

from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.main_window import MainWindow


def slow_load(paths: Any, mappings: Any, as_of: Any = None, progress: Any = None) -> Any:
    end = time.monotonic() + 10
    while time.monotonic() < end and not (progress is not None and progress.cancelled()):
        time.sleep(0.01)
    raise RuntimeError("cancelled")


def test_loading_shows_on_late_pages_and_not_under_the_summary(qtbot, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import memberdesk.ui.shell.data_page as data_page

    monkeypatch.setattr(data_page, "load_for_window", slow_load)
    window = MainWindow(AppSettings())
    window.ask_before_close = False
    qtbot.addWidget(window)
    book = tmp_path / "policies.csv"
    book.write_text("policy_id\nP1\n", encoding="utf-8")
    window.open_paths([str(book)], user_action=False)  # as the app does, before show()
    window.show()
    qtbot.waitExposed(window)
    assert window.is_busy()
    # the message over the status bar hides the summary label (they were drawn one over the other)
    assert window.statusBar().currentMessage() == "Loading policies.csv…"
    assert not window.summary_label.isVisible()
    # the page on screen from the start (built before the load) still says so once shown
    assert "Loading policies.csv…" in window.current_page().message_text()
    # a page opened for the first time during the load
    page = window.show_page("drivers")
    assert "Loading policies.csv…" in page.message_text()
    assert "No data loaded" not in page.message_text()
    assert "href='cancel'" in page.message.text()
    page.message.linkActivated.emit("cancel")  # its Cancel stops the load
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=10_000)
    qtbot.waitUntil(lambda: "No data loaded" in page.message_text(), timeout=5000)
