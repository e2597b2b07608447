"""What the desktop app remembers between runs, in QSettings (user profile).

Only window and session things live here: geometry, the last page, recent files and
workspaces, theme and language, and the column mappings the user confirmed (keyed by header
signature). Tests point QSettings at a temporary folder (``tests/ui/conftest.py``).
"""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QRect, QSettings
from PySide6.QtWidgets import QApplication, QWidget

ORGANISATION = "MemberDesk"
APPLICATION = "MemberDesk"
MAX_RECENT = 10
SCHEMA_VERSION = 1


class AppSettings:
    """Typed access to the app's QSettings. Cheap to create; each call reads/writes through."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._s = settings or QSettings()
        if self._s.value("schema_version") is None:
            self._s.setValue("schema_version", SCHEMA_VERSION)

    # ---- window -------------------------------------------------------------------------

    def save_geometry(self, window: QWidget) -> None:
        self._s.setValue("window/geometry", window.saveGeometry())

    def restore_geometry(self, window: QWidget) -> bool:
        """Restore the saved geometry if it still lands on a screen (monitors change: a
        window restored off-screen cannot be reached). Returns True if restored."""
        data = self._s.value("window/geometry")
        if not isinstance(data, QByteArray) or data.isEmpty():
            return False
        before = window.geometry()
        if not window.restoreGeometry(data):
            return False
        if not on_screen(window.frameGeometry()):
            window.setGeometry(before)
            return False
        return True

    @property
    def last_page(self) -> str | None:
        value = self._s.value("window/last_page")
        return str(value) if value else None

    @last_page.setter
    def last_page(self, page_id: str) -> None:
        self._s.setValue("window/last_page", page_id)

    # ---- preferences --------------------------------------------------------------------

    @property
    def theme(self) -> str:
        return str(self._s.value("ui/theme", "light"))

    @theme.setter
    def theme(self, value: str) -> None:
        self._s.setValue("ui/theme", value)

    @property
    def language(self) -> str:
        """The UI language picked in View ▸ Language, else the system locale's
        (:func:`memberdesk.ui.i18n.choose_language`)."""
        from memberdesk.ui.i18n import choose_language

        value = self._s.value("ui/language")
        return choose_language(None, str(value) if value else None)

    @language.setter
    def language(self, value: str) -> None:
        self._s.setValue("ui/language", value)

    @property
    def first_run(self) -> bool:
        return self._s.value("session/opened_before") is None

    def mark_opened(self) -> None:
        self._s.setValue("session/opened_before", True)

    # ---- recent files -------------------------------------------------------------------

    def recent(self, kind: str = "data") -> list[str]:
        """Recently opened data paths (``kind="data"``) or workspaces (``"workspace"``),
        newest first."""
        raw = self._s.value(f"recent/{kind}")
        try:
            items = json.loads(raw) if isinstance(raw, str) else []
        except json.JSONDecodeError:
            items = []
        return [str(p) for p in items if isinstance(p, str)]

    def add_recent(self, path: str | Path, kind: str = "data") -> list[str]:
        from memberdesk.core.engine.urls import is_url

        # a database URL as it is (resolved as a path it became CWD/duckdb:/…, which no longer
        # opened), a file by its absolute path
        path = str(path) if is_url(str(path)) else str(Path(path).resolve())
        items = [path] + [p for p in self.recent(kind) if p != path]
        items = items[:MAX_RECENT]
        self._s.setValue(f"recent/{kind}", json.dumps(items, ensure_ascii=False))
        return items

    def last_sources(self) -> list[str]:
        """The data files of the last session (reopened at start when they still exist)."""
        raw = self._s.value("session/last_sources")
        try:
            items = json.loads(raw) if isinstance(raw, str) else []
        except json.JSONDecodeError:
            items = []
        return [str(p) for p in items if isinstance(p, str)]

    def set_last_sources(self, paths: list[str]) -> None:
        self._s.setValue("session/last_sources", json.dumps(list(paths), ensure_ascii=False))

    def clear_recent(self, kind: str = "data") -> None:
        self._s.remove(f"recent/{kind}")

    # ---- column mappings per header signature --------------------------------------------

    def mapping(self, signature: str) -> dict[str, object] | None:
        """The mapping (``ColumnMapping.to_json()``) confirmed for files with this header
        signature, if any."""
        raw = self._s.value(f"mappings/{signature}")
        try:
            data = json.loads(raw) if isinstance(raw, str) else None
        except json.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None

    def all_mappings(self) -> list[dict[str, object]]:
        """Every remembered mapping (``ColumnMapping.to_json()`` dicts)."""
        self._s.beginGroup("mappings")
        keys = self._s.childKeys()
        self._s.endGroup()
        return [m for m in (self.mapping(k) for k in keys) if m is not None]

    def save_mapping(self, signature: str, mapping_json: dict[str, object]) -> None:
        self._s.setValue(f"mappings/{signature}", json.dumps(mapping_json, ensure_ascii=False))

    def sync(self) -> None:
        self._s.sync()


def on_screen(rect: QRect) -> bool:
    """True if the title-bar area of ``rect`` lies on some screen."""
    probe = QPoint(rect.left() + min(40, rect.width() // 2), rect.top() + 10)
    return QApplication.screenAt(probe) is not None
