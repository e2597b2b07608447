"""The analysis pages of the main window, in menu order.

``PAGES`` is a list of ``(page_id, factory)``; ``factory(parent) -> QWidget`` builds a page
with ``page_id``, ``title()``, ``set_dataset(ds)``, ``is_busy`` and ``charts()`` (see
:class:`memberdesk.ui.pages.base.AnalysisPage`). Page modules are imported lazily so that the
application starts fast.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

_PAGE_CLASSES: tuple[tuple[str, str, str], ...] = (
    ("cockpit", "memberdesk.ui.pages.cockpit", "CockpitPage"),
    ("retention", "memberdesk.ui.pages.retention", "RetentionPage"),
    ("persistency", "memberdesk.ui.pages.persistency", "PersistencyPage"),
    ("drivers", "memberdesk.ui.pages.drivers", "DriversPage"),
    ("projection", "memberdesk.ui.pages.projection", "ProjectionPage"),
    ("decrements", "memberdesk.ui.pages.decrements", "DecrementsPage"),
    ("experience", "memberdesk.ui.pages.experience", "ExperiencePage"),
    ("benefits", "memberdesk.ui.pages.benefits", "BenefitsPage"),
    ("service", "memberdesk.ui.pages.service", "ServicePage"),
    ("claims", "memberdesk.ui.pages.claims", "ClaimsPage"),
    ("dictionary", "memberdesk.ui.pages.dictionary", "DictionaryPage"),
)


def _factory(module: str, cls: str) -> Callable[[QWidget | None], Any]:
    def build(parent: QWidget | None = None) -> Any:
        return getattr(importlib.import_module(module), cls)(parent)

    build.__name__ = f"build_{cls}"
    return build


PAGES: list[tuple[str, Callable[[QWidget | None], Any]]] = [
    (page_id, _factory(module, cls)) for page_id, module, cls in _PAGE_CLASSES
]
PAGE_IDS: tuple[str, ...] = tuple(p for p, _ in PAGES)


def page_factory(page_id: str) -> Callable[[QWidget | None], Any]:
    for pid, factory in PAGES:
        if pid == page_id:
            return factory
    raise KeyError(f"unknown page {page_id!r}; known: {', '.join(PAGE_IDS)}")
