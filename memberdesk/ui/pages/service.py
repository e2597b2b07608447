"""Service (服务): bot replacement rate (智能客服替代率), human connection rate (人工接通率), CSAT
and resolution by month; contacts by channel and topic; waiting time in the human queue."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.lines import TrendChart
from memberdesk.ui.i18n import value_label
from memberdesk.ui.pages.base import AnalysisPage, Task


def compute_service(ds: Any, progress: Any = None) -> Any:
    from memberdesk.analysis.service import service_summary

    return service_summary(ds, progress=progress)


class ServicePage(AnalysisPage):
    page_id = "service"
    required_table = "service_contacts"

    def title(self) -> str:
        return self.tr("Service")

    def empty_message(self) -> str:
        return self.tr("No service contacts loaded — load a service_contacts file to see this page.")

    def build_content(self, content: QWidget) -> None:
        self.subtitle.setText(self.tr(
            "Bot replacement = bot contacts not transferred to a human ÷ all contacts; human connection "
            "= human-queue contacts answered ÷ human-queue contacts; CSAT = share of ratings ≥ 4."))
        self.window_label = QLabel("")
        self.rates = TrendChart()
        self.channel = TrendChart()
        self.topic = TrendChart()
        self.wait = TrendChart()
        panels = [(self.rates, self.tr("Service rates by month")), (self.channel, self.tr("Contacts by channel")),
                  (self.topic, self.tr("Contacts by topic (last 12 months)")),
                  (self.wait, self.tr("Human-queue wait (seconds)"))]
        grid = QGridLayout(content)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.window_label, 0, 0, 1, 2)
        for i, (chart, title) in enumerate(panels):
            grid.addWidget(self.register_panel(ChartPanel(chart, title)), 1 + i // 2, i % 2)
        grid.setRowStretch(1, 1)
        grid.setRowStretch(2, 1)

    def task(self, ds: Any) -> Task:
        return compute_service, (ds,), {}

    def show_result(self, res: Any) -> None:
        m = res.monthly
        rate_cols = [c for c in ("bot_replacement_rate", "human_connection_rate", "csat", "resolution_rate")
                     if c in m.columns and m[c].notna().any()]
        # total: every widget is drawn or cleared, so a reload without a column leaves nothing stale
        if not rate_cols:
            self.rates.clear()
        else:
            self.rates.set_data(m, x="month", y=rate_cols, percent=True, y_label=self.tr("Rate"),
                                names={"bot_replacement_rate": self.tr("Bot replacement"),
                                       "human_connection_rate": self.tr("Human connection"),
                                       "csat": self.tr("CSAT"), "resolution_rate": self.tr("Resolved")})
        self.channel.set_data(res.by_channel, x="month", y="contacts", series="channel",
                              y_label=self.tr("Contacts"))
        top = res.top_topics()  # computed in the analysis (the sheet and the JSON show it too)
        if top.empty:
            self.topic.clear()
        else:
            # topics are a schema vocabulary: named in the UI language (zh_CN showed
            # "policy inquiry" under 各主题接触量)
            top = top.assign(topic=top["topic"].map(lambda t: value_label(t)))
            self.topic.set_data(top, x="topic", y="contacts", kind="bar", y_label=self.tr("Contacts"),
                                sort_x=False)
        if "wait_mean_seconds" not in m.columns or not m["wait_mean_seconds"].notna().any():
            self.wait.clear()
        else:
            self.wait.set_data(m, x="month", y=["wait_mean_seconds", "wait_p90_seconds"],
                               y_label=self.tr("Seconds"),
                               names={"wait_mean_seconds": self.tr("Mean wait"),
                                      "wait_p90_seconds": self.tr("90% answered within")})
        w = res.window.iloc[0] if len(res.window) else None
        if w is None:
            self.window_label.setText("")
        else:
            def pct(k: str) -> str:
                v = w.get(k)
                return "–" if v is None or v != v else f"{float(v):.1%}"
            self.window_label.setText(self.tr(
                "Last 12 months: {n:,.0f} contacts · bot replacement {b} · human connection {h} · CSAT {c}").format(
                n=float(w.get("contacts", 0) or 0), b=pct("bot_replacement_rate"),
                h=pct("human_connection_rate"), c=pct("csat")))
