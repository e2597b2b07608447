"""Benefits (权益): monthly usage by benefit, usage rate per segment, and whether users stay
longer — the naive comparison next to the landmark analysis that removes immortal-time bias."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.lines import TrendChart
from memberdesk.ui.i18n import ui_language, value_label
from memberdesk.ui.pages.base import (
    AnalysisPage,
    Task,
    fill_table,
    make_table,
    percent_format,
    reset_combo,
    segment_items,
)


@dataclass(frozen=True)
class BenefitsView:
    usage: Any
    retention: Any
    retention_error: Any  # an AnalysisError (shown in the reader's language) or None
    rate_trend: pd.DataFrame | None = None  # month_end, usage_rate (whole book only)


def compute_benefits(ds: Any, by: str | None, landmark: float, progress: Any = None) -> BenefitsView:
    from memberdesk.analysis.benefits import benefit_retention, benefit_usage
    from memberdesk.analysis.kpis import usage_rate_trend
    from memberdesk.core.errors import AnalysisError

    usage = benefit_usage(ds, by=by, progress=progress)
    try:
        retention, error = benefit_retention(ds, landmark_months=landmark), None
    except AnalysisError as exc:
        retention, error = None, exc
    trend = usage_rate_trend(ds) if by is None else None  # the cockpit KPI's own trend
    return BenefitsView(usage, retention, error, trend)


class BenefitsPage(AnalysisPage):
    page_id = "benefits"
    required_table = "benefit_usage"

    def title(self) -> str:
        return self.tr("Benefits")

    def empty_message(self) -> str:
        return self.tr("No benefit usage loaded — load a benefit_usage file to see this page.")

    def build_content(self, content: QWidget) -> None:
        self.subtitle.setText(self.tr("Usage of member benefits (权益) and its link with retention."))
        self.segment = self.combo(self.tr("Usage rate by:"), [(self.tr("all members"), None)])
        self.landmark = self.combo(self.tr("Landmark:"), [(self.tr("12 months"), 12.0), (self.tr("6 months"), 6.0),
                                                          (self.tr("24 months"), 24.0)])
        self.persist("segment", self.segment)
        self.persist("landmark", self.landmark)
        self.trend = TrendChart()
        self.trend_panel = self.register_panel(ChartPanel(self.trend, self.tr("Uses per month by benefit")))
        self.rate = TrendChart()
        self.rate_panel = self.register_panel(ChartPanel(self.rate, self.tr("Usage rate (last 12 months)")))
        self.compare = TrendChart()
        self.compare_panel = self.register_panel(ChartPanel(self.compare, self.tr("Users vs non-users: retention")))
        self.explanation = (self.tr(
            "Naive: ever-users vs never-users from issue — flattered by immortal-time bias (a policy "
            "must survive to use a benefit). Landmark: only policies in force at the landmark, grouped "
            "by use before it, followed from the landmark — the fair comparison."))
        self.explain = QLabel(self.explanation)
        self.explain.setWordWrap(True)
        self.table, self.model = make_table()
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.compare_panel, 2)
        rl.addWidget(self.explain)
        rl.addWidget(self.table, 1)
        grid = QGridLayout(content)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.trend_panel, 0, 0)
        grid.addWidget(self.rate_panel, 1, 0)
        grid.addWidget(right, 0, 1, 2, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)

    def on_dataset(self, ds: Any) -> None:
        reset_combo(self.segment, segment_items(ds, none_label=self.tr("all members"),
                                                prefer=("channel", "tier", "region")),
                    keep=self.segment.currentData())

    def task(self, ds: Any) -> Task:
        return compute_benefits, (ds, self.segment.currentData(), float(self.landmark.currentData())), {}

    def show_result(self, view: BenefitsView) -> None:
        usage = view.usage
        self.trend.set_data(usage.monthly, x="month", y="uses", series="benefit",
                            x_label=self.tr("Month"), y_label=self.tr("Uses"))
        seg = usage.segments
        trend = view.rate_trend
        if trend is not None and trend["usage_rate"].notna().any():
            # one segment would be one wide bar: show how the rate moved instead
            self.rate.set_data(trend, x="month_end", y="usage_rate", percent=True,
                               x_label=self.tr("Month-end"),
                               y_label=self.tr("Members who used a benefit"))
            self.rate_panel.set_title(self.tr("Usage rate (12 months to each month-end)"))
        elif not seg.empty:
            seg = seg.assign(segment=seg["segment"].map(value_label))
            self.rate.set_data(seg, x="segment", y="usage_rate", kind="bar", percent=True,
                               y_label=self.tr("Members who used a benefit"))
            self.rate_panel.set_title(self.tr("Usage rate (last 12 months)"))
        else:  # total: nothing to show is shown as nothing, never as the previous data's chart
            self.rate.clear()
        if view.retention is not None:
            self.explain.setText(self.explanation)
            comp = view.retention.comparison
            rows = []
            shown = {"naive": self.tr("naive (from issue)"), "landmark": self.tr("landmark (fair)")}
            for idx, r in comp.reset_index().iterrows():
                name = str(r.get("analysis", r.get("index", idx)))
                name = shown.get(name, name)
                rows.append({"analysis": name, "group": self.tr("users"), "survival": r["survival_users"]})
                rows.append({"analysis": name, "group": self.tr("non-users"), "survival": r["survival_non_users"]})
            self.compare.set_data(pd.DataFrame(rows), x="analysis", y="survival", series="group", kind="bar",
                                  percent=True, sort_x=False,
                                  y_label=self.tr("Still in force {h:g} months after origin").format(
                                      h=view.retention.horizon_months))
            origins = {"issue": self.tr("issue date"), "landmark": self.tr("landmark")}
            formats: dict[str, Any] = {c: percent_format for c in ("survival_users", "survival_non_users",
                                                                   "survival_difference")}
            formats["analysis"] = lambda v: shown.get(str(v), str(v))
            formats["origin"] = lambda v: origins.get(str(v), str(v))
            fill_table(self.table, self.model,
                       comp.reset_index(drop=isinstance(comp.index, pd.RangeIndex)), formats=formats)
        else:
            self.compare.clear()
            fill_table(self.table, self.model, None)
            self.explain.setText(self.tr("Retention comparison not available: {e}").format(
                e=view.retention_error.text(ui_language())))
