"""Claims (理赔): time to settlement (KM of "still open" against days since report), share
settled within 5/10/30 days, paid ratios by product."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget

from memberdesk.ui.analysis_text import kpi_reason
from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.km import KMChart
from memberdesk.ui.charts.lines import TrendChart
from memberdesk.ui.i18n import value_label
from memberdesk.ui.pages.base import AnalysisPage, Task, fill_table, make_table, percent_format, split_content


def compute_claims(ds: Any, progress: Any = None) -> Any:
    from memberdesk.analysis.claims import claim_settlement

    return claim_settlement(ds, by="product", progress=progress)


class ClaimsPage(AnalysisPage):
    page_id = "claims"
    required_table = "claims"

    def title(self) -> str:
        return self.tr("Claims")

    def empty_message(self) -> str:
        return self.tr("No claims loaded — load a claims file to see this page.")

    def build_content(self, content: QWidget) -> None:
        self.subtitle.setText(self.tr("Share of claims still open by days since report (open claims "
                                      "censored at the as-of date), and paid ratios."))
        self.km = KMChart()
        self.km.plot.setLabel("left", self.tr("Share of claims still open"))
        self.km_panel = self.register_panel(ChartPanel(self.km, self.tr("Time to settlement")))
        self.ratio = TrendChart()
        self.ratio_panel = self.register_panel(ChartPanel(self.ratio, self.tr("Paid ratio by product")))
        self.table, self.model = make_table()
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.ratio_panel)
        right.addWidget(self.table)
        split_content(content, Qt.Orientation.Horizontal, self.km_panel, right, sizes=(800, 600))

    def task(self, ds: Any) -> Task:
        return compute_claims, (ds,), {}

    def show_result(self, res: Any) -> None:
        if res.reason:
            self.show_message(kpi_reason(res.reason))  # the reason code, in the UI language
            return
        self.km.set_curves(list(res.curves.values()), unit="days",
                           x_label=self.tr("Days since the claim was reported"))
        s = res.summary
        long = s.melt(id_vars=["segment"], value_vars=["paid_ratio_amount", "paid_ratio_count"],
                      var_name="measure", value_name="ratio")
        long["segment"] = long["segment"].map(value_label)  # "all" in the UI language
        self.ratio.set_data(long, x="segment", y="ratio", series="measure", kind="bar", percent=True,
                            y_label=self.tr("Paid ratio"), sort_x=False,
                            names={"paid_ratio_amount": self.tr("by amount"),
                                   "paid_ratio_count": self.tr("by count")})
        fmt = {c: percent_format for c in s.columns if c.startswith("within_") or c.startswith("paid_ratio")}
        fmt["segment"] = value_label  # the cell's data stays the segment value
        fill_table(self.table, self.model, s, formats=fmt)
