"""The Qt side of the page registry (:mod:`memberdesk.page_registry`).

The registry says which pages exist, in which order, with which title and icon; this package
only maps each page id to the widget class that shows it. Every factory imports its module
when the page is first opened (the application starts without loading every page), with a
plain ``import`` statement: a renamed module or class fails the type check and the page
tests, never silently at run time. ``tests/ui/test_pages_analysis.py`` checks that the ids
here are exactly the registry's.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from memberdesk import page_registry
from memberdesk.ui.i18n import ui_language

PageFactory = Callable[[QWidget | None], QWidget]


def _cockpit(parent: QWidget | None = None) -> QWidget:
    from memberdesk.ui.pages.cockpit import CockpitPage
    return CockpitPage(parent)


def _alerts(parent: QWidget | None = None) -> QWidget:
    from memberdesk.ui.pages.alerts import AlertsPage
    return AlertsPage(parent)


def _data(parent: QWidget | None = None) -> QWidget:
    from memberdesk.ui.shell.data_page import DataPage
    return DataPage(parent)


def _retention(parent: QWidget | None = None) -> QWidget:
    from memberdesk.ui.pages.retention import RetentionPage
    return RetentionPage(parent)


def _persistency(parent: QWidget | None = None) -> QWidget:
    from memberdesk.ui.pages.persistency import PersistencyPage
    return PersistencyPage(parent)


def _drivers(parent: QWidget | None = None) -> QWidget:
    from memberdesk.ui.pages.drivers import DriversPage
    return DriversPage(parent)


def _retention_list(parent: QWidget | None = None) -> QWidget:
    from memberdesk.ui.pages.retention_list import RetentionListPage
    return RetentionListPage(parent)


def _projection(parent: QWidget | None = None) -> QWidget:
    from memberdesk.ui.pages.projection import ProjectionPage
    return ProjectionPage(parent)


def _decrements(parent: QWidget | None = None) -> QWidget:
    from memberdesk.ui.pages.decrements import DecrementsPage
    return DecrementsPage(parent)


def _experience(parent: QWidget | None = None) -> QWidget:
    from memberdesk.ui.pages.experience import ExperiencePage
    return ExperiencePage(parent)


def _benefits(parent: QWidget | None = None) -> QWidget:
    from memberdesk.ui.pages.benefits import BenefitsPage
    return BenefitsPage(parent)


def _service(parent: QWidget | None = None) -> QWidget:
    from memberdesk.ui.pages.service import ServicePage
    return ServicePage(parent)


def _claims(parent: QWidget | None = None) -> QWidget:
    from memberdesk.ui.pages.claims import ClaimsPage
    return ClaimsPage(parent)


def _dictionary(parent: QWidget | None = None) -> QWidget:
    from memberdesk.ui.pages.dictionary import DictionaryPage
    return DictionaryPage(parent)


PAGE_FACTORIES: dict[str, PageFactory] = {
    "cockpit": _cockpit,
    "alerts": _alerts,
    "data": _data,
    "retention": _retention,
    "persistency": _persistency,
    "drivers": _drivers,
    "retention_list": _retention_list,
    "projection": _projection,
    "decrements": _decrements,
    "experience": _experience,
    "benefits": _benefits,
    "service": _service,
    "claims": _claims,
    "dictionary": _dictionary,
}

# The analysis pages (every registered page but the shell's Data page), in menu order.
PAGES: list[tuple[str, PageFactory]] = [(p.id, PAGE_FACTORIES[p.id]) for p in page_registry.PAGES
                                        if p.id != "data"]
PAGE_IDS: tuple[str, ...] = tuple(pid for pid, _ in PAGES)


def page_factory(page_id: str) -> PageFactory:
    """The factory of ``page_id``; ``KeyError`` naming the known ids when there is none."""
    if page_id not in PAGE_FACTORIES:
        raise KeyError(f"unknown page {page_id!r}; known: {', '.join(PAGE_FACTORIES)}")
    return PAGE_FACTORIES[page_id]


def page_title(page_id: str, lang: str | None = None) -> str:
    """The registry's title of ``page_id`` in ``lang`` (default: the UI language)."""
    spec = page_registry.page(page_id)
    return spec.title_zh if (lang or ui_language()) == "zh_CN" else spec.title


def page_titles(lang: str | None = None) -> dict[str, str]:
    """Every page's title, in menu order (navigation list, View menu)."""
    return {p.id: page_title(p.id, lang) for p in page_registry.PAGES}
