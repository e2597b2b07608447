"""Persistency & cohorts: 13/25-month persistency ratio (继续率) trend per segment, its table,
and the issue-cohort retention heatmap (by count or premium).

Basis: ``status`` (annual premium in force) or ``collected`` (实收保费: premium collected for the
13th/25th-month instalments within the grace period, from the premium_payments table). On the
collected basis a Reconciliation tab sets the collected ratio beside the status basis, KM and the
experience study for the latest period's cohort (:mod:`memberdesk.analysis.collected_persistency`)
and lists the exclusion waterfall."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.heatmap import HeatmapChart
from memberdesk.ui.charts.lines import TrendChart
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


@dataclass(frozen=True)
class PersistencyView:
    persistency: Any
    cohorts: Any
    reconciliation: Any = None


def compute_persistency(ds: Any, month: int, period: str, by: str | None, weight: str,
                        cohort: str, basis: str = "status",
                        progress: Any = None) -> PersistencyView:
    from memberdesk.analysis.cohorts import cohort_retention
    from memberdesk.analysis.collected_persistency import reconcile
    from memberdesk.analysis.persistency import persistency

    res = persistency(ds, month=month, period=period, by=by, basis=basis, progress=progress)
    cohorts = cohort_retention(ds, cohort=cohort, weight=weight)
    rec = reconcile(ds, month=month, period=period) if basis == "collected" else None
    return PersistencyView(res, cohorts, rec)


def waterfall_frame(res: Any) -> pd.DataFrame:
    """The exclusion waterfall of the latest period: reason, policies, premium."""
    ex = res.exclusions()
    return pd.DataFrame({"reason": list(ex), "policies": [v["policies"] for v in ex.values()],
                         "premium": [v["premium"] for v in ex.values()]})


class PersistencyPage(AnalysisPage):
    page_id = "persistency"

    def title(self) -> str:
        return self.tr("Persistency & cohorts")

    def build_content(self, content: QWidget) -> None:
        self.subtitle.setText(self.tr(
            "Persistency ratio: annual premium of the cohort still in force at the end of its 13th "
            "(25th) policy month ÷ the cohort's premium. Single-premium, free-look cancellations and "
            "deaths are excluded.") + " " + self.tr(
            "Collected basis: premium collected for that month within the grace period ÷ premium "
            "due in month 1; claims and premium waivers are excluded too."))
        self.month = self.combo(self.tr("Month:"), [(self.tr("13th month"), 13), (self.tr("25th month"), 25)])
        self.basis = self.combo(self.tr("Basis:"), [(self.tr("in force"), "status"),
                                                     (self.tr("collected"), "collected")])
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
        for key, box in (("month", self.month), ("basis", self.basis), ("period", self.period),
                         ("segment", self.segment),
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
        self.rec_table, self.rec_model = make_table()
        self.waterfall_table, self.waterfall_model = make_table()
        rec_host = QWidget()
        rl = QVBoxLayout(rec_host)
        rl.setContentsMargins(0, 0, 0, 0)
        self.rec_note = QLabel("")
        self.rec_note.setWordWrap(True)
        rl.addWidget(self.rec_note)
        rl.addWidget(self.rec_table, 1)
        rl.addWidget(QLabel(self.tr("Exclusions (latest period):")))
        rl.addWidget(self.waterfall_table, 1)
        tabs.addTab(rec_host, self.tr("Reconciliation"))
        split_content(content, Qt.Orientation.Horizontal, self.trend_panel, tabs, sizes=(700, 700))
        self.compare = ComparePanel(self, "persistency", lambda: {  # Compare with… (#17 C.18)
            "by": self.segment.currentData(), "month": self.month.currentData(),
            "period": self.period.currentData(), "basis": self.basis.currentData()})

    def on_dataset(self, ds: Any) -> None:
        reset_combo(self.segment, segment_items(ds, none_label=self.tr("Whole book"),
                                                prefer=("channel", "product_type", "product")),
                    keep=self.segment_wish)

    def on_state_applied(self, keys: set[str]) -> None:
        if "segment" in keys:
            self.segment_wish = self.segment.currentData()

    def task(self, ds: Any) -> Task | None:
        basis = self.basis.currentData()
        if basis == "collected" and (ds is None or not ds.has("premium_payments")):
            self.show_message(self.tr(
                "The collected basis needs a premium payments table (缴费记录: policy_id, "
                "due_date, paid_date, amount). Load one, or choose the status basis."))
            return None
        return compute_persistency, (ds, self.month.currentData(), self.period.currentData(),
                                     self.segment.currentData(), self.weight.currentData(),
                                     self.cohort.currentData(), basis), {}

    def _redraw(self) -> None:
        if self.result is not None:
            self.show_result(self.result)

    def show_result(self, view: PersistencyView) -> None:
        self.compare.page_updated()
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
            by=column_label(res.by) if res.by else self.tr("whole book"))
            + " · " + self.basis.currentText())
        shown = frame.drop(columns=[c for c in ("period_start", "cohort_issued_from", "cohort_issued_to")
                                    if c in frame.columns])
        fill_table(self.table, self.model, shown,
                   formats={"ratio_premium": percent_format, "ratio_count": percent_format})
        fill_table(self.waterfall_table, self.waterfall_model, waterfall_frame(res),
                   formats={"reason": value_label})  # exclusion codes in the UI language
        rec = view.reconciliation
        if rec is None:
            self.rec_note.setText(self.tr(
                "Choose the collected basis to reconcile collected premium with the status "
                "basis, Kaplan-Meier and the experience study."))
            fill_table(self.rec_table, self.rec_model, pd.DataFrame({"measure": [], "value": []}))
        else:
            self.rec_note.setText(self.tr(
                "Cohort of {p}: {n} policies, grace period {g} days. Differences: policies "
                "in force but not collected, grace-period cures, late and partial payers.").format(
                p=rec.period or "–", n=rec.cohort_policies, g=rec.grace_days))
            n, m = len(rec.table), len(rec.explanations)
            both = pd.DataFrame({
                "measure": [*rec.table["measure"], *rec.explanations["reason"]],
                "value": [*rec.table["value"], *([float("nan")] * m)],
                "policies": [float("nan")] * n + [float(v) for v in rec.explanations["policies"]],
                "premium": [float("nan")] * n + [float(v) for v in rec.explanations["premium"]]})
            fill_table(self.rec_table, self.rec_model, both,
                       formats={"value": percent_format, "measure": value_label})
        cm = view.cohorts
        self.heat.set_matrix(cm.shares, x_label=self.tr("Months since issue"),
                             y_label=self.tr("Issue cohort"), percent=True)
        self.heat_panel.set_title(self.tr("Share still in force by issue cohort ({w})").format(
            w=self.weight.currentText()))
