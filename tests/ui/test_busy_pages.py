"""While a page computes for the first time it says what runs and offers Cancel — never
"No data loaded" (issue 17 C.12)."""
from __future__ import annotations

import time
from typing import Any

from PySide6.QtWidgets import QWidget

from memberdesk.ui.pages.base import AnalysisPage


def slow(ds: Any, progress: Any = None) -> str:
    """Runs until cancelled (at most 10 s)."""
    end = time.monotonic() + 10
    while time.monotonic() < end:
        if progress is not None and progress.cancelled():
            return "cancelled"
        time.sleep(0.01)
    return "done"


class SlowPage(AnalysisPage):
    page_id = "slow"
    required_table = None

    def title(self) -> str:
        return "Slow study"

    def build_content(self, content: QWidget) -> None:
        pass

    def task(self, ds: Any) -> Any:
        return slow, (ds,), {}

    def show_result(self, result: Any) -> None:
        pass


def test_busy_page_names_the_task_and_cancels(qtbot: Any) -> None:
    page = SlowPage()
    qtbot.addWidget(page)
    page.show()
    page.set_dataset(object())
    qtbot.waitUntil(lambda: "Computing Slow study" in page.message_text(), timeout=5000)
    assert "No data loaded" not in page.message_text()
    assert "href='cancel'" in page.message.text()
    page.message.linkActivated.emit("cancel")
    qtbot.waitUntil(lambda: "Cancelled" in page.message_text(), timeout=5000)
