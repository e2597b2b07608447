"""Retention page: Kaplan-Meier curves by segment with number at risk, survival at 1/2/3/5
years, log-rank (overall and pairwise, Holm-adjusted) and restricted mean survival time."""
from __future__ import annotations

from typing import Any

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSpinBox, QTabWidget, QWidget

from memberdesk.core.schema import DAYS_PER_YEAR
from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.km import KMChart
from memberdesk.ui.i18n import column_label, value_label
from memberdesk.ui.pages.base import (
    AnalysisPage,
    Task,
    fill_table,
    make_table,
    percent_format,
    reset_combo,
    segment_items,
    split_content,
)
from memberdesk.ui.shell.compare_panel import ComparePanel


def compute_retention(ds: Any, by: str | None, unit: str, horizon_years: float,
                      test: str = "logrank", progress: Any = None) -> Any:
    """The page's result, computed in the analysis layer (pool thread; pure)."""
    from memberdesk.analysis.retention import retention_study

    return retention_study(ds, by, unit, horizon_years, test, progress=progress)


class RetentionPage(AnalysisPage):
    page_id = "retention"

    def title(self) -> str:
        return self.tr("Retention (Kaplan-Meier)")

    def build_content(self, content: QWidget) -> None:
        self.subtitle.setText(self.tr(
            "Share of policies still in force by time since issue. Event = voluntary exit "
            "(lapse or surrender); deaths, maturities and policies still in force are censored (ticks)."))
        self.segment = self.combo(self.tr("Segment:"), [(self.tr("All policies"), None)])
        self.unit = self.combo(self.tr("Time unit:"), [(self.tr("months"), "months"), (self.tr("days"), "days")])
        self.horizon = QSpinBox()
        self.horizon.setRange(1, 30)
        self.horizon.setValue(3)
        self.horizon.setSuffix(self.tr(" years"))
        self.horizon.valueChanged.connect(lambda _v: self.request_refresh())
        self.add_control(self.tr("RMST horizon:"), self.horizon)
        self.persist("segment", self.segment)
        # the segment asked for: a filter that leaves it out falls back to all policies, and
        # the next data that have it show it again
        self.segment_wish: str | None = "channel"
        self.segment.currentIndexChanged.connect(lambda _i: self.on_state_applied({"segment"}))
        self.test = self.combo(self.tr("Test:"), [
            (self.tr("Log-rank"), "logrank"), (self.tr("Wilcoxon (Gehan-Breslow)"), "wilcoxon"),
            (self.tr("Tarone-Ware"), "tarone"), (self.tr("Peto-Peto"), "peto"),
            (self.tr("Fleming-Harrington (1, 0)"), "fh:1,0"),
            (self.tr("Fleming-Harrington (0, 1)"), "fh:0,1")])
        self.persist("test", self.test)
        self.persist("unit", self.unit)
        self.persist("rmst_horizon_years", self.horizon)

        self.chart = KMChart()
        self.panel = self.register_panel(ChartPanel(self.chart, self.tr("Retention curves")))
        self.tabs = QTabWidget()
        self.at_view, self.at_model = make_table()
        self.median_view, self.median_model = make_table()
        self.pair_view, self.pair_model = make_table()
        self.rmst_view, self.rmst_model = make_table()
        self.tabs.addTab(self.at_view, self.tr("Survival at 1/2/3/5 years"))
        self.tabs.addTab(self.median_view, self.tr("Medians"))
        self.tabs.addTab(self.pair_view, self.tr("Pairwise log-rank"))
        self.tabs.addTab(self.rmst_view, self.tr("RMST"))
        split_content(content, Qt.Orientation.Vertical, self.panel, self.tabs,
                      sizes=(600, 220), stretch=(3, 1))
        self.compare = ComparePanel(self, "retention",  # Compare with… (issue 17 C.18)
                                    lambda: {"by": self.segment.currentData()})

    def on_dataset(self, ds: Any) -> None:
        reset_combo(self.segment, segment_items(ds, none_label=self.tr("All policies"),
                                                prefer=("channel", "product_type", "product")),
                    keep=self.segment_wish)
        generic = bool(getattr(ds, "generic", False))
        self.unit.blockSignals(True)
        self.unit.setCurrentIndex(1 if generic else self.unit.currentIndex())
        self.unit.blockSignals(False)

    def on_state_applied(self, keys: set[str]) -> None:
        if "segment" in keys:
            self.segment_wish = self.segment.currentData()

    def task(self, ds: Any) -> Task:
        return compute_retention, (ds, self.segment.currentData(), self.unit.currentData(),
                                   float(self.horizon.value()), self.test.currentData()), {}

    def _test_name(self, test: str) -> str:
        """The test's name as the Test combo shows it (its ``--test`` spelling otherwise)."""
        idx = self.test.findData(test)
        return self.test.itemText(idx) if idx >= 0 else test

    def show_result(self, view: Any) -> None:
        self.compare.page_updated()
        km = view.km
        lr = km.logrank
        self.chart.set_curves(km.curves, unit=km.unit, p_value=None if lr is None else lr.p_value,
                              test_label=self.tr("{test} test (χ² = {x:.1f}, {df} df)").format(
                                  test=self._test_name(lr.test), x=lr.test_statistic,
                                  df=lr.degrees_of_freedom) if lr else "")
        by = column_label(km.by) if km.by else self.tr("all policies")
        self.panel.set_title(self.tr("Retention by {by}").format(by=by))
        at = km.survival_at_times.copy()
        per_year = 12.0 if km.unit == "months" else DAYS_PER_YEAR
        at.insert(1, "years", at["time"] / per_year)
        if "beyond_follow_up" in at.columns and at["beyond_follow_up"].any():
            # blank beyond follow-up, with the last time seen
            at["note"] = [self.tr("beyond follow-up (last time observed: {t:.1f})").format(t=last)
                          if beyond else "" for beyond, last in zip(at["beyond_follow_up"],
                                                                   at["last_time"])]
        at = at.drop(columns=["beyond_follow_up", "last_time"], errors="ignore")
        # groups named as the chart's legend names them (个险代理人, not "agency", under zh_CN);
        # the cells' data keep the codes
        groups = {"group": value_label, "group_a": value_label, "group_b": value_label}
        fill_table(self.at_view, self.at_model, at,
                   formats={**groups, **{c: percent_format for c in ("survival", "ci_lower", "ci_upper")}})
        fill_table(self.median_view, self.median_model, km.summary_frame(), formats=groups)
        fill_table(self.pair_view, self.pair_model,
                   view.pairwise if view.pairwise is not None else pd.DataFrame(
                       {"note": [self.tr("Choose a segment with two or more groups to compare them.")]}),
                   formats={**groups, "test": self._test_name})  # "Log-rank", not "logrank"
        fill_table(self.rmst_view, self.rmst_model, view.rmst, formats=groups)
        self.tabs.setTabText(3, self.tr("RMST to {h:g} {unit}").format(
            h=view.horizon, unit=self.tr("months") if km.unit == "months" else self.tr("days")))
