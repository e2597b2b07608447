"""Bundled assets (icons, user guide, translations) looked up by name.

Every asset the UI uses is listed in :data:`ASSETS`; :func:`asset_path` raises ``KeyError`` for
a name that is not listed, and a test checks that every listed file exists. Paths come from
:func:`memberdesk.resource_dir` (inside the wheel or the source checkout), never from the
working directory.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

from memberdesk import resource_dir

_ICON_NAMES = ("cockpit", "alerts", "data", "retention", "persistency", "drivers", "projection",
               "decrements", "experience", "benefits", "service", "claims", "dictionary",
               "open", "folder", "save", "export", "chart", "cancel", "help", "workspace",
               "memberdesk", "retention_list")

ASSETS: dict[str, str] = {
    **{f"icon:{name}": f"icons/{name}.svg" for name in _ICON_NAMES},
    "guide:en": "guide/guide_en.html",
    "guide:zh_CN": "guide/guide_zh_CN.html",
    "font:cjk": "fonts/MemberDeskCJK-Regular.otf",
}


def asset_path(name: str) -> Path:
    """The file of the asset ``name`` (e.g. ``"icon:data"``, ``"guide:en"``).

    Raises
    ------
    KeyError
        If ``name`` is not a known asset (a typo must not silently show nothing).
    """
    try:
        relative = ASSETS[name]
    except KeyError:
        raise KeyError(f"unknown asset {name!r}; known: {', '.join(sorted(ASSETS))}") from None
    return resource_dir() / relative


ICON_COLOUR = "#3B78C2"  # the stroke colour of the bundled line icons


@cache
def icon(name: str) -> QIcon:
    """The icon ``name`` (without the ``icon:`` prefix). Raises ``KeyError`` if unknown.

    Selected items (e.g. the current page in the navigation list, drawn on the highlight
    colour) get a white version of the line icon so it stays visible."""
    path = asset_path(f"icon:{name}")
    result = QIcon(str(path))
    svg = path.read_text(encoding="utf-8")
    if ICON_COLOUR in svg:
        from PySide6.QtCore import QByteArray, Qt
        from PySide6.QtGui import QPainter, QPixmap
        from PySide6.QtSvg import QSvgRenderer

        renderer = QSvgRenderer(QByteArray(svg.replace(ICON_COLOUR, "#FFFFFF").encode("utf-8")))
        for size in (16, 20, 24, 32, 48):
            pixmap = QPixmap(size, size)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            renderer.render(painter)
            painter.end()
            result.addPixmap(pixmap, QIcon.Mode.Selected)
    return result


def guide_path(lang: str = "en") -> Path:
    """The user guide for ``lang``, falling back to English."""
    key = f"guide:{lang}"
    return asset_path(key if key in ASSETS else "guide:en")


def translation_path(lang: str) -> Path:
    """Where the compiled translation of ``lang`` would be (may not exist yet)."""
    return resource_dir() / "translations" / f"memberdesk_{lang}.qm"
