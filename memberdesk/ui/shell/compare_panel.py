"""Compare with… (issue 17 C.18): a side-by-side "what changed" table on a page.

A page adds the panel with one line in ``build_content`` (``ComparePanel(self, "kpis")``) and
tells it when its own result is shown (``self.compare.page_updated()``). The panel sits under the
page's content: a row with a "Compare with…" toggle, the kind of comparison (another as-of date,
or a pinned filter set) with its date and a "Pin current filters" button, and, when on, the
table. The comparison runs in the background
(:func:`memberdesk.analysis.compare.compare_datasets`) on the page's dataset (current) and the
reference view; the table lists each figure on both sides and the change (current − reference;
percentage points for rates).

Workspaces keep each page's comparison (``Workspace.compare``, format 3):
:func:`workspace_compare` reads the panels of a window, :func:`restore_workspace_compare` shows
a workspace's comparisons again (the current side is the window's own as-of and filters).
File ▸ Export report carries the comparison through the same value
(``ReportOptions.with_compare``).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd
from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from memberdesk.ui.pages.base import fill_table, make_table

translate = QCoreApplication.translate  # lupdate reads translate("Context", "text")

AS_OF = "as_of"  # the same strings as core.workspace.COMPARE_AS_OF / COMPARE_FILTERS
FILTERS = "filters"
UNSET_DATE = QDate(2000, 1, 1)  # the date edit's value before a reference date is chosen
RATE_UNITS = ("ratio",)



def _measure_labels() -> dict[str, str]:
    return {
        "n": translate("ComparePanel", "Policies"),
        "events": translate("ComparePanel", "Lapses and surrenders"),
        "median": translate("ComparePanel", "Median lifetime (months)"),
        "survival_12": translate("ComparePanel", "Retention at 1 year"),
        "survival_24": translate("ComparePanel", "Retention at 2 years"),
        "survival_36": translate("ComparePanel", "Retention at 3 years"),
        "survival_60": translate("ComparePanel", "Retention at 5 years"),
        "ratio_premium": translate("ComparePanel", "Persistency (premium)"),
        "ratio_count": translate("ComparePanel", "Persistency (count)"),
        "cohort_count": translate("ComparePanel", "Cohort (policies)"),
    }


def _is_rate(measure: str, unit: str | None = None) -> bool:
    return unit in RATE_UNITS or measure.startswith(("survival_", "ratio_"))


def format_value(value: Any, rate: bool) -> str:
    """A side's value: rates as %, other figures with thousands separators; '—' when none,
    'not reached' for an infinite median."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float) and math.isinf(value):
        return translate("ComparePanel", "not reached")
    v = float(value)
    if rate:
        return f"{v * 100:.1f}%"
    return f"{v:,.0f}" if abs(v) >= 100 or v.is_integer() else f"{v:,.2f}"


def format_change(value: Any, rate: bool) -> str:
    """current − reference: signed, rates in percentage points (pp)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    v = float(value)
    if rate:
        return f"{v * 100:+.1f} pp"
    return f"{v:+,.0f}" if abs(v) >= 100 or v.is_integer() else f"{v:+,.2f}"


def display_frame(comparison: Any, section: str, lang: str = "en") -> pd.DataFrame:
    """The section of ``comparison`` as text columns for the table (figure, current,
    reference, change)."""
    frame = comparison.section(section)
    cur_head = translate("ComparePanel", "Current ({0})").format(comparison.current.label)
    ref_head = translate("ComparePanel", "Reference ({0})").format(comparison.reference.label)
    change_head = translate("ComparePanel", "Change")
    rows: list[dict[str, str]] = []
    if frame is None:
        return pd.DataFrame(columns=[translate("ComparePanel", "Figure"), cur_head, ref_head, change_head])
    labels = _measure_labels()
    from memberdesk.ui.i18n import value_label

    for r in frame.to_dict("records"):
        if section == "kpis":
            from memberdesk.analysis.metrics import get_metric

            try:
                name = get_metric(str(r["id"])).name(lang)
            except KeyError:
                name = str(r["name"])
            rate = _is_rate("", str(r["unit"]))
            figure = name
        else:
            key = "group" if section == "retention" else "segment"
            measure = str(r["measure"])
            rate = _is_rate(measure)
            group = str(r[key])
            group_text = translate("ComparePanel", "All") if group in ("all", "All") else value_label(group)
            figure = f"{group_text} · {labels.get(measure, measure)}"
        rows.append({translate("ComparePanel", "Figure"): figure, cur_head: format_value(r["current"], rate),
                     ref_head: format_value(r["reference"], rate),
                     change_head: format_change(r["change"], rate)})
    return pd.DataFrame(rows, columns=[translate("ComparePanel", "Figure"), cur_head, ref_head, change_head])


class ComparePanel(QWidget):
    """The Compare with… controls and table of one page (see the module docstring)."""

    def __init__(self, page: Any, section: str,
                 options: Callable[[], dict[str, Any]] | None = None) -> None:
        super().__init__(page)
        from memberdesk.ui.worker import TaskRunner

        self.page = page
        self.section = section
        self.options = options or (lambda: {})
        self.comparison: Any = None
        self.pinned: Any = None  # the filter set pinned as the reference
        self.runner = TaskRunner(self, context=translate("ComparePanel", "Comparing"))
        self.setObjectName(f"compare_{section}")

        self.toggle = QCheckBox(translate("ComparePanel", "Compare &with…"))
        self.toggle.setObjectName("compareToggle")
        self.mode = QComboBox()
        self.mode.addItem(translate("ComparePanel", "another as-of date"), AS_OF)
        self.mode.addItem(translate("ComparePanel", "pinned filters"), FILTERS)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.pin = QPushButton(translate("ComparePanel", "&Pin current filters"))
        self.pin.setToolTip(translate("ComparePanel", "Keep the filters now in force as the reference; then change "
                                "the filters to compare"))
        bar = QHBoxLayout()  # its own row under the content: the page's control row stays as wide
        bar.setContentsMargins(0, 0, 0, 0)
        for w in (self.toggle, self.mode, self.date, self.pin):
            bar.addWidget(w)
        bar.addStretch(1)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.table, self.model = make_table(self)
        self.table.setMinimumHeight(140)
        self.table.setMaximumHeight(230)
        self.body = QWidget()
        inner = QVBoxLayout(self.body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.heading)
        inner.addWidget(self.table)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(bar)
        box.addWidget(self.body)
        page.layout().addWidget(self)

        self.toggle.toggled.connect(self._toggled)
        self.mode.currentIndexChanged.connect(lambda _i: self._controls_changed())
        self.date.dateChanged.connect(lambda _d: self._controls_changed())
        self.pin.clicked.connect(self.pin_filters)
        self._sync_visibility()

    # ---- state -----------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return self.toggle.isChecked()

    def reference_as_of(self) -> pd.Timestamp:
        d = self.date.date()
        return pd.Timestamp(d.year(), d.month(), d.day())

    def set_reference_as_of(self, as_of: Any) -> None:
        ts = pd.Timestamp(as_of)
        self.date.setDate(QDate(ts.year, ts.month, ts.day))

    def pin_filters(self) -> None:
        ds = self.page.dataset
        if ds is None:
            return
        self.pinned = ds.filters
        self.mode.setCurrentIndex(self.mode.findData(FILTERS))
        self._controls_changed()

    def _toggled(self, on: bool) -> None:
        ds = self.page.dataset
        if on and ds is not None and self.date.date() == UNSET_DATE:
            self.set_reference_as_of(ds.as_of - pd.DateOffset(years=1))
        self._sync_visibility()
        self._controls_changed()

    def view(self) -> Any:
        """The comparison as a workspace keeps it (a ``CompareView``), or None when off."""
        from memberdesk.core.workspace import CompareView

        if not self.enabled:
            return None
        chosen = self.date.date() != UNSET_DATE
        return CompareView(mode=str(self.mode.currentData()),
                           reference_as_of=self.reference_as_of() if chosen else None,
                           reference_filters=self.pinned)

    def restore(self, view: Any) -> None:
        """Show a workspace's comparison (``CompareView``), or turn Compare off for None.
        The reference is set before the toggle, so one comparison is computed, not two."""
        if view is None:
            self.toggle.setChecked(False)
            return
        self.pinned = view.reference_filters
        if view.reference_as_of is not None:
            self.set_reference_as_of(view.reference_as_of)
        index = self.mode.findData(view.mode)
        self.mode.setCurrentIndex(index if index >= 0 else 0)
        if self.toggle.isChecked():
            self._controls_changed()
        else:
            self.toggle.setChecked(True)

    def _sync_visibility(self) -> None:
        on = self.enabled
        self.mode.setVisible(on)
        as_of_mode = self.mode.currentData() == AS_OF
        self.date.setVisible(on and as_of_mode)
        self.pin.setVisible(on)
        self.body.setVisible(on)

    def _controls_changed(self) -> None:
        self._sync_visibility()
        self.page_updated()

    # ---- computing -------------------------------------------------------------------------

    def reference_dataset(self, ds: Any) -> Any:
        if self.mode.currentData() == FILTERS:
            return None if self.pinned is None else ds.with_filters(self.pinned)
        return ds.with_as_of(self.reference_as_of())

    def page_updated(self) -> None:
        """The page shows a new result (or the controls changed): recompute when enabled."""
        ds = self.page.dataset
        if not self.enabled or ds is None:
            return
        reference = self.reference_dataset(ds)
        if reference is None:
            self.heading.setText(translate("ComparePanel", "Choose the reference: set the filters, press “Pin current "
                                     "filters”, then change the filters."))
            fill_table(self.table, self.model, None)
            return
        from memberdesk.analysis.compare import compare_datasets

        options = dict(self.options())
        labels = None
        if self.mode.currentData() == FILTERS:
            labels = (translate("ComparePanel", "current filters"), translate("ComparePanel", "pinned filters"))
        self.heading.setText(translate("ComparePanel", "Computing the comparison…"))
        self.runner.run(compare_datasets, ds, reference, sections=(self.section,), labels=labels,
                        on_result=self.show_comparison, on_error=self._failed, **options)

    def _failed(self, exc: BaseException, _tb: str) -> None:
        from memberdesk.core.reasons import error_text
        from memberdesk.ui.pages.metric_details import current_lang

        self.heading.setText(translate("ComparePanel", "The comparison could not be computed: {0}")
                             .format(error_text(exc, current_lang(self))))
        fill_table(self.table, self.model, None)

    def show_comparison(self, comparison: Any) -> None:
        from memberdesk.ui.pages.metric_details import current_lang

        self.comparison = comparison
        cur, ref = comparison.current, comparison.reference
        text = translate("ComparePanel", "What changed: current view (as of {0}) against the reference (as of {1}); "
                   "change = current − reference.").format(cur.as_of.date().isoformat(),
                                                           ref.as_of.date().isoformat())
        if self.mode.currentData() == FILTERS and self.pinned is not None:
            pinned = ("; ".join(f"{k}: {v}" for k, v in self.pinned.describe_items())
                      or translate("ComparePanel", "none"))
            text += " " + translate("ComparePanel", "Pinned filters: {0}.").format(pinned)
        if comparison.notes:  # a side without figures says why, in the reader's language
            from memberdesk.core.reasons import reason_text

            lang = current_lang(self)
            text += " " + " ".join(reason_text(note, lang) for note in comparison.notes)
        self.heading.setText(text)
        fill_table(self.table, self.model, display_frame(comparison, self.section,
                                                         current_lang(self)))

    @property
    def is_busy(self) -> bool:
        return bool(self.runner.is_busy)


# ---- workspaces -----------------------------------------------------------------------------

def compare_panels(window: Any) -> dict[str, ComparePanel]:
    """``{page_id: panel}`` of the window's built pages that have a Compare panel."""
    out: dict[str, ComparePanel] = {}
    for pid, page in getattr(window, "pages", {}).items():
        panel = getattr(page, "compare", None)
        if isinstance(panel, ComparePanel):
            out[pid] = panel
    return out


def workspace_compare(window: Any) -> dict[str, Any]:
    """The window's comparisons as ``Workspace.compare``: ``{page_id: CompareView}`` of the
    pages whose "Compare with…" is on."""
    views = {pid: panel.view() for pid, panel in compare_panels(window).items()}
    return {pid: view for pid, view in views.items() if view is not None}


def restore_workspace_compare(window: Any, compare: dict[str, Any]) -> None:
    """Show a workspace's comparisons: its pages are built (so their panels exist) and take
    their reference; built pages the workspace does not compare turn Compare off."""
    from memberdesk.core.workspace import COMPARE_PAGES

    for pid in COMPARE_PAGES:
        if pid in compare:
            window.page(pid)
    for pid, panel in compare_panels(window).items():
        panel.restore(compare.get(pid))
