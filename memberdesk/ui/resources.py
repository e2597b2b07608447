"""Bundled assets (icons, user guide, translations) looked up by name.

Every asset the UI uses is listed in :data:`ASSETS`; :func:`asset_path` raises ``KeyError`` for
a name that is not listed, and a test checks that every listed file exists. Paths come from
:func:`memberdesk.resource_dir` (inside the wheel or the source checkout), never from the
working directory.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtGui import QIcon

from memberdesk import resource_dir

_ICON_NAMES = ("cockpit", "data", "retention", "persistency", "drivers", "projection",
               "decrements", "experience", "benefits", "service", "claims", "dictionary",
               "open", "folder", "save", "export", "chart", "cancel", "help", "workspace",
               "memberdesk")

ASSETS: dict[str, str] = {
    **{f"icon:{name}": f"icons/{name}.svg" for name in _ICON_NAMES},
    "guide:en": "guide/guide_en.html",
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


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    """The icon ``name`` (without the ``icon:`` prefix). Raises ``KeyError`` if unknown."""
    return QIcon(str(asset_path(f"icon:{name}")))


def guide_path(lang: str = "en") -> Path:
    """The user guide for ``lang``, falling back to English."""
    key = f"guide:{lang}"
    return asset_path(key if key in ASSETS else "guide:en")


def translation_path(lang: str) -> Path:
    """Where the compiled translation of ``lang`` would be (may not exist yet)."""
    return resource_dir() / "translations" / f"memberdesk_{lang}.qm"
