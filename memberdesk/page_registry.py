"""The one registry of MemberDesk's pages: ``memberdesk/page_registry.py``.

Every page of the application is one :class:`PageSpec` in :data:`PAGES`, in menu order. The
presenters read it and nothing else names the pages:

* the navigation list of the main window (order, titles, icons) and the page factories
  (``memberdesk/ui/pages/__init__.py`` maps each id to its Qt class; a test checks both sides);
* workspace validation (``memberdesk.core.workspace.PAGE_IDS`` is the core-level copy of
  :data:`PAGE_IDS`, because core sits below this module; a test checks they are equal);
* the Excel report (the sheet order, :data:`REPORT_SHEETS`; each sheet's builder is keyed
  by the same name in ``memberdesk/report/workbook.py``, which checks on import that every
  sheet has one);
* ``memberdesk gui --screenshot --page ID`` and the command line (:func:`page_commands`).

Adding a page end to end (docs/architecture.md, "Adding a page", walks through one): add a
``PageSpec`` here, the analysis function it names, a page module under ``memberdesk/ui/pages``
(listed in that package's ``PAGE_CLASSES``), a sheet builder (listed in the report's
``BUILDERS``), a CLI module under ``memberdesk/commands`` and the translations.

Layer: this module stands above ``analysis`` and below ``report``, ``ui`` and ``commands``
(the import contract in pyproject.toml), so that every presenter, the report included, can
read it; it names sheets and commands by key for that reason. It imports no analysis module
at import time: the
analysis function is named by an :class:`AnalysisRef` and imported on first use, so the CLI
and the GUI start without loading every statistics library. ``tests/test_page_registry.py``
resolves every reference, so a renamed function fails the suite, not the user.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AnalysisRef:
    """An analysis function named by module and attribute, imported when first resolved."""

    module: str
    name: str

    def resolve(self) -> Callable[..., Any]:
        """The function itself; ``ImportError``/``AttributeError`` when the name is wrong."""
        fn = getattr(importlib.import_module(self.module), self.name)
        if not callable(fn):
            raise TypeError(f"{self.module}.{self.name} is not callable")
        return fn  # type: ignore[no-any-return]

    def __str__(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True)
class PageSpec:
    """One page: what it is called, what it needs, what computes it and who presents it.

    Attributes
    ----------
    id
        Stable identifier: workspace files, ``--page``, settings and the report refer to it.
    title
        English title; also the translation key (Qt ``.ts`` context ``Pages``).
    title_zh
        Simplified-Chinese title (the report and the CLI use it directly; the UI's ``.ts``
        file carries the same text).
    icon
        Icon resource name (``resources/icons/<icon>.svg``).
    required_tables
        Canonical tables the page cannot do without (empty: none, e.g. the dictionary).
    analysis
        The analysis function whose frozen result the page, the sheet and the JSON present;
        None for pages without one (data, dictionary).
    sheets
        Keys of the report sheets built from this page's results, in workbook order.
    commands
        The ``memberdesk`` sub-commands printing the same results (``--json``); the CLI
        registers every one of them (``memberdesk/commands/<name>.py``).
    """

    id: str
    title: str
    title_zh: str
    icon: str
    required_tables: tuple[str, ...] = ("policies",)
    analysis: AnalysisRef | None = None
    sheets: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()


def _fn(module: str, name: str) -> AnalysisRef:
    return AnalysisRef(f"memberdesk.analysis.{module}", name)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("cockpit", "Cockpit", "经营管理驾驶舱", "cockpit", ("policies",),
             _fn("kpis", "compute_kpis"), ("dashboard", "summary"), ("kpis",)),
    PageSpec("alerts", "Alerts", "预警", "alerts", ("policies",),
             _fn("alerts.engine", "compute_alerts"), ("alerts",), ("alerts",)),
    PageSpec("data", "Data", "数据", "data", (), None, ("data_quality",), ("validate",)),
    PageSpec("retention", "Retention", "留存", "retention", ("policies",),
             _fn("retention", "retention_study"), ("retention",), ("km",)),
    PageSpec("persistency", "Persistency & Cohorts", "继续率与队列", "persistency", ("policies",),
             _fn("persistency", "persistency"), ("persistency", "cohorts"), ("persistency", "cohorts")),
    PageSpec("drivers", "Drivers", "驱动因素", "drivers", ("policies",),
             _fn("cox", "fit_cox"), ("drivers",), ("cox",)),
    PageSpec("retention_list", "Retention list", "挽留名单", "retention_list", ("policies",),
             _fn("scoring.score", "run_scoring"), ("scoring",), ("score",)),  # issue 15
    PageSpec("projection", "Projection", "预测", "projection", ("policies",),
             _fn("parametric", "fit_parametric"), ("projection",), ("projection",)),
    PageSpec("decrements", "Decrements", "退出分解", "decrements", ("policies",),
             _fn("competing", "cumulative_incidence"), ("decrements",), ("decrements",)),
    PageSpec("experience", "Experience study", "经验分析", "experience", ("policies",),
             _fn("experience", "experience_study"), ("experience",), ("experience",)),
    PageSpec("benefits", "Benefits", "权益", "benefits", ("benefit_usage",),
             _fn("benefits", "benefit_usage"), ("benefits",), ("benefits",)),
    PageSpec("service", "Service", "服务", "service", ("service_contacts",),
             _fn("service", "service_summary"), ("service",), ("service",)),
    PageSpec("claims", "Claims", "理赔", "claims", ("claims",),
             _fn("claims", "claim_settlement"), ("claims",), ("claims",)),
    PageSpec("dictionary", "Dictionary", "数据指标字典", "dictionary", (),
             _fn("metrics", "dictionary_frame"), ("definitions",)),
)

PAGE_IDS: tuple[str, ...] = tuple(p.id for p in PAGES)

# The report's sheets in workbook order: the analysis pages' sheets in menu order (the
# cockpit's summary first), then the reference pages' (data quality, definitions).
_REFERENCE_PAGES = ("data", "dictionary")
REPORT_SHEETS: tuple[str, ...] = (
    *(s for p in PAGES if p.id not in _REFERENCE_PAGES for s in p.sheets),
    *(s for p in PAGES if p.id in _REFERENCE_PAGES for s in p.sheets),
)

def page(page_id: str) -> PageSpec:
    """The page ``page_id``; ``KeyError`` naming the known ids when there is none."""
    for spec in PAGES:
        if spec.id == page_id:
            return spec
    raise KeyError(f"unknown page {page_id!r}; pages: {', '.join(PAGE_IDS)}")


def page_commands() -> tuple[str, ...]:
    """The CLI sub-commands of the pages, in menu order, without repeats."""
    return tuple(dict.fromkeys(c for spec in PAGES for c in spec.commands))
