"""Retention page: Kaplan-Meier curves by segment with number at risk, survival at 1/2/3/5
years, log-rank (overall and pairwise, Holm-adjusted) and restricted mean survival time.

With many groups (Region 12, Issue year 9) the chart can show the six largest groups and one
"Other" curve fitted on the pooled records of the rest (:mod:`memberdesk.analysis.segment_pooling`);
the "Top 6 + Other" box is on by default above :data:`AUTO_POOL_ABOVE` groups and is kept in
workspaces once chosen. The tables keep every group. Labels name the CI level of the result
(the Assumptions dialog's, 95% by default)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QSpinBox, QTabWidget, QWidget

from memberdesk.core.schema import DAYS_PER_YEAR
from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.km import KMChart, ci_level_of
from memberdesk.ui.i18n import ci_headers, column_label, value_label
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

AUTO_POOL_ABOVE = 8  # "Top 6 + Other" is on by default above this many groups


@dataclass(frozen=True, eq=False)
class RetentionView:
    """What the page shows: the analysis' :class:`~memberdesk.analysis.retention.RetentionStudy`
    and the chart's six largest groups + pooled "Other"
    (:class:`~memberdesk.analysis.segment_pooling.PooledSegments`, computed with it on the pool
    thread: under delayed entry the pooled curve is refitted from the records)."""

    study: Any
    pooled: Any

    @property
    def km(self) -> Any:
        return self.study.km

    @property
    def pairwise(self) -> Any:
        return self.study.pairwise

    @property
    def rmst(self) -> Any:
        return self.study.rmst

    @property
    def horizon(self) -> float:
        return float(self.study.horizon)


def compute_retention(ds: Any, by: str | None, unit: str, horizon_years: float,
                      test: str = "logrank", progress: Any = None) -> RetentionView:
    """The page's result, computed in the analysis layer (pool thread; pure)."""
    from memberdesk.analysis.retention import retention_study
    from memberdesk.analysis.segment_pooling import pool_top_segments

    study = retention_study(ds, by, unit, horizon_years, test, progress=progress)
    return RetentionView(study, pool_top_segments(study.km, ds))


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
        self.top_groups = QCheckBox(self.tr("Top 6 + Other"))
        self.top_groups_tip = self.tr(
            "Chart the six largest groups and one curve for all other groups' policies pooled "
            "(a Kaplan-Meier curve of their records, not an average). The tables keep every group.")
        self.top_groups.setToolTip(self.top_groups_tip)
        self.top_groups_auto = True  # follows the number of groups until the user chooses
        self.top_groups.toggled.connect(self._top_groups_chosen)
        self.add_control("", self.top_groups)
        self.persist("top_groups", self.top_groups)

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
        if "top_groups" in keys:  # a workspace's choice holds like the user's
            self.top_groups_auto = False

    def _top_groups_chosen(self, _on: bool) -> None:
        self.top_groups_auto = False
        if self.result is not None:
            self._draw_curves(self.result)

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
        self._draw_curves(view)
        by = column_label(km.by) if km.by else self.tr("all policies")
        self.panel.set_title(self.tr("Retention by {by}").format(by=by))
        self._fill_tables(view)

    def _draw_curves(self, view: Any) -> None:
        """The chart: every group, or the six largest and "Other" (the box; by default above
        :data:`AUTO_POOL_ABOVE` groups)."""
        km = view.km
        pooled: Any = getattr(view, "pooled", None)
        can_pool = pooled is not None and bool(pooled.pooled)
        if self.top_groups_auto:
            blocked = self.top_groups.blockSignals(True)
            self.top_groups.setChecked(len(km.curves) > AUTO_POOL_ABOVE)
            self.top_groups.blockSignals(blocked)
        self.top_groups.setEnabled(can_pool)
        curves = list(km.curves)
        self.top_groups.setToolTip(self.top_groups_tip)
        if can_pool and self.top_groups.isChecked():
            other = replace(pooled.other, name=self.tr("Other ({n} groups)").format(
                n=len(pooled.pooled)))
            curves = [*pooled.curves[:-1], other]
            self.top_groups.setToolTip(self.top_groups_tip + "\n" + self.tr("Other: {groups}").format(
                groups=", ".join(value_label(g) for g in pooled.pooled)))
        lr = km.logrank
        self.chart.set_curves(curves, unit=km.unit, p_value=None if lr is None else lr.p_value,
                              test_label=self.tr("{test} test (χ² = {x:.1f}, {df} df)").format(
                                  test=self._test_name(lr.test), x=lr.test_statistic,
                                  df=lr.degrees_of_freedom) if lr else "")

    def _fill_tables(self, view: Any) -> None:
        km = view.km
        level = ci_level_of(km.curves)
        at = km.survival_at_times.copy()
        per_year = 12.0 if km.unit == "months" else DAYS_PER_YEAR
        at.insert(1, "years", at["time"] / per_year)
        if "beyond_follow_up" in at.columns and at["beyond_follow_up"].any():
            # blank beyond follow-up, with the last time seen
            # in the table's time unit (a bare "35.9" read as years beside the Years column)
            note = (self.tr("beyond follow-up (last time observed: {t:.1f} months)")
                    if km.unit == "months" else
                    self.tr("beyond follow-up (last time observed: {t:.1f} days)"))
            at["note"] = [note.format(t=last) if beyond else ""
                          for beyond, last in zip(at["beyond_follow_up"], at["last_time"])]
        at = at.drop(columns=["beyond_follow_up", "last_time"], errors="ignore")
        # groups named as the chart's legend names them (个险代理人, not "agency", under zh_CN);
        # the cells' data keep the codes
        groups = {"group": value_label, "group_a": value_label, "group_b": value_label}
        fill_table(self.at_view, self.at_model, at, headers=ci_headers(at.columns, level),
                   formats={**groups, **{c: percent_format for c in ("survival", "ci_lower", "ci_upper")}})
        medians = km.summary_frame()
        fill_table(self.median_view, self.median_model, medians, formats=groups,
                   headers=ci_headers(medians.columns, level))
        fill_table(self.pair_view, self.pair_model,
                   view.pairwise if view.pairwise is not None else pd.DataFrame(
                       {"note": [self.tr("Choose a segment with two or more groups to compare them.")]}),
                   formats={**groups, "test": self._test_name})  # "Log-rank", not "logrank"
        fill_table(self.rmst_view, self.rmst_model, view.rmst, formats=groups,
                   headers=ci_headers([] if view.rmst is None else view.rmst.columns, level))
        self.tabs.setTabText(3, self.tr("RMST to {h:g} {unit}").format(
            h=view.horizon, unit=self.tr("months") if km.unit == "months" else self.tr("days")))
