"""Help ▸ User guide: the bundled HTML guide in a browser window, one section per page.

Sections are anchored by page id (``<h2 id="retention">``), so F1 opens the guide at the page
the user is looking at.
"""
from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialog, QTextBrowser, QVBoxLayout, QWidget

from memberdesk.ui.resources import guide_path


class GuideWindow(QDialog):
    """A non-modal window showing the user guide."""

    def __init__(self, lang: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("MemberDesk user guide"))
        self.resize(860, 760)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        path = guide_path(lang)
        self.browser.setSearchPaths([str(path.parent)])
        self.browser.setSource(QUrl.fromLocalFile(str(path)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)

    def show_section(self, anchor: str) -> None:
        """Scroll to the section of page ``anchor`` (a page id)."""
        self.browser.scrollToAnchor(anchor)
