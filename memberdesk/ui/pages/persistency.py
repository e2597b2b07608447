"""Persistency & cohorts: 13/25-month persistency ratio (继续率) trend per segment, its table,
and the issue-cohort retention heatmap (by count or premium)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget, QWidget

from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.heatmap import HeatmapChart
from memberdesk.ui.charts.lines import TrendChart
from memberdesk.ui.i18n import column_label
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


@dataclass(frozen=True)
class PersistencyView:
    persistency: Any
    cohorts: Any


def compute_persistency(ds: Any, month: int, period: str, by: str | None, weight: str,
                        cohort: str, progress: Any = None) -> PersistencyView:
    from memberdesk.analysis.cohorts import cohort_retention
    from memberdesk.analysis.persistency import persistency

    res = persistency(ds, month=month, period=period, by=by, progress=progress)
    cohorts = cohort_retention(ds, cohort=cohort, weight=weight)
    return PersistencyView(res, cohorts)


class PersistencyPage(AnalysisPage):
    page_id = "persistency"

    def title(self) -> str:
        return self.tr("Persistency & cohorts")

    def build_content(self, content: QWidget) -> None:
        self.subtitle.setText(self.tr(
            "Persistency ratio: annual premium of the cohort still in force at the end of its 13th "
            "(25th) policy month ÷ the cohort's premium. Single-premium, free-look cancellations and "
            "deaths are excluded."))
        self.month = self.combo(self.tr("Month:"), [(self.tr("13th month"), 13), (self.tr("25th month"), 25)])
        self.period = self.combo(self.tr("Period:"), [(self.tr("rolling 12 months"), "rolling12"),
                                                      (self.tr("month"), "month"), (self.tr("quarter"), "quarter"),
                                                      (self.tr("year"), "year")])
        self.segment = self.combo(self.tr("Segment:"), [(self.tr("Whole book"), None)])
        self.measure = self.combo(self.tr("Measure:"),
                                  [(self.tr("premium"), "premium"), (self.tr("policy count"), "count")])
        self.measure.currentIndexChanged.disconnect()
        self.measure.currentIndexChanged.connect(lambda _i: self._redraw())
        self.weight = self.combo(self.tr("Cohorts by:"),
                                 [(self.tr("policy count"), "count"), (self.tr("premium"), "premium")])
        self.cohort = self.combo(self.tr("Cohort:"),
                                 [(self.tr("issue month"), "month"), (self.tr("issue quarter"), "quarter")])
        for key, box in (("month", self.month), ("period", self.period), ("segment", self.segment),
                         ("measure", self.measure), ("cohort_weight", self.weight),
                         ("cohort", self.cohort)):
            self.persist(key, box)
        self.segment_wish: str | None = "channel"  # kept when a filter leaves it out (Retention)
        self.segment.currentIndexChanged.connect(lambda _i: self.on_state_applied({"segment"}))

        self.trend = TrendChart()
        self.trend_panel = self.register_panel(ChartPanel(self.trend, self.tr("Persistency trend")))
        self.heat = HeatmapChart()
        self.heat_panel = self.register_panel(ChartPanel(self.heat, self.tr("Cohort retention")))
        self.table, self.model = make_table()
        tabs = QTabWidget()
        tabs.addTab(self.heat_panel, self.tr("Cohort heatmap"))
        tabs.addTab(self.table, self.tr("Persistency table"))
        split_content(content, Qt.Orientation.Horizontal, self.trend_panel, tabs, sizes=(700, 700))

    def on_dataset(self, ds: Any) -> None:
        reset_combo(self.segment, segment_items(ds, none_label=self.tr("Whole book"),
                                                prefer=("channel", "product_type", "product")),
                    keep=self.segment_wish)

    def on_state_applied(self, keys: set[str]) -> None:
        if "segment" in keys:
            self.segment_wish = self.segment.currentData()

    def task(self, ds: Any) -> Task:
        return compute_persistency, (ds, self.month.currentData(), self.period.currentData(),
                                     self.segment.currentData(), self.weight.currentData(),
                                     self.cohort.currentData()), {}

    def _redraw(self) -> None:
        if self.result is not None:
            self.show_result(self.result)

    def show_result(self, view: PersistencyView) -> None:
        res = view.persistency
        measure = self.measure.currentData()
        frame = res.frame
        col = f"ratio_{measure}"
        chart_frame = frame.copy()
        if res.period in ("rolling12", "month"):
            chart_frame["period_end_month"] = chart_frame["period_end"].dt.strftime("%Y-%m")
            xcol = "period_end_month"
        else:
            xcol = "period"
        self.trend.set_data(chart_frame, x=xcol, y=col, series="segment", percent=True,
                            x_label=self.tr("Evaluation period (end)"),
                            y_label=self.tr("{m}-month persistency").format(m=res.month))
        self.trend_panel.set_title(self.tr("{m}-month persistency ({measure}) by {by}").format(
            m=res.month, measure=self.measure.currentText(),
            by=column_label(res.by) if res.by else self.tr("whole book")))
        shown = frame.drop(columns=[c for c in ("period_start", "cohort_issued_from", "cohort_issued_to")
                                    if c in frame.columns])
        fill_table(self.table, self.model, shown,
                   formats={"ratio_premium": percent_format, "ratio_count": percent_format})
        cm = view.cohorts
        self.heat.set_matrix(cm.shares, x_label=self.tr("Months since issue"),
                             y_label=self.tr("Issue cohort"), percent=True)
        self.heat_panel.set_title(self.tr("Share still in force by issue cohort ({w})").format(
            w=self.weight.currentText()))
