"""Alerts (预警): the inbox of flagged segments (alarms first), the funnel plot of the selected
alert's metric and segment column, and the selected segment's CUSUM chart with its observed and
expected rates.

Presents :func:`memberdesk.analysis.alerts.compute_alerts` (statistics never computed here).
The alert history lives beside the open workspace (``<workspace>.alerts.json``): with a
workspace, alerts are marked new / ongoing / resolved against the previous run and can be
acknowledged with a note; without one every alert reads as new.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.cusum import CusumChart
from memberdesk.ui.charts.funnel import FunnelChart
from memberdesk.ui.pages.base import AnalysisPage, Task, fill_table, make_table, percent_format


def compute_page_alerts(ds: Any, history_path: str | None, progress: Any = None) -> Any:
    """The alerts of ``ds``; with ``history_path`` their statuses against it (the history file
    is updated)."""
    from memberdesk.analysis.alerts import apply_history, compute_alerts, load_history, save_history

    result = compute_alerts(ds, progress=progress)
    if history_path is None:
        return result
    result, history = apply_history(result, load_history(history_path))
    save_history(history, history_path)
    return result


def history_path_for(workspace: Path | None) -> str | None:
    """``<workspace>.alerts.json`` beside the workspace file, or None without one."""
    return None if workspace is None else str(Path(workspace).with_suffix(".alerts.json"))


def coded(value: object, lang: str) -> str:
    """A coded value (level, status, channel, policy status …) in words in ``lang``, through the
    one value catalogue (:func:`memberdesk.core.labels.value_text`); other values unchanged."""
    from memberdesk.core.labels import value_text

    if value is None or (isinstance(value, float) and value != value) or value is pd.NA \
            or value is pd.NaT:
        return ""
    return str(value_text(value, lang))


def segment_text(column: str, value: object, lang: str) -> str:
    """A segment for people: "Channel: online" / 渠道: 互联网 (column label: level label), as the
    retention list names its reasons."""
    from memberdesk.core.labels import column_label

    return f"{column_label(column, lang)}: {coded(value, lang)}"


INBOX_COLUMNS = ("level", "status", "metric", "segment", "value", "expected", "lower", "upper",
                 "n", "since", "method", "note")


class AlertsPage(AnalysisPage):
    page_id = "alerts"
    required_table = "policies"

    def title(self) -> str:
        return self.tr("Alerts")

    def build_content(self, content: QWidget) -> None:
        self.subtitle.setText(self.tr(
            "Segments outside their funnel limits (95 % alert, 99.8 % alarm, adjusted when the "
            "segments are overdispersed) or with a risk-adjusted CUSUM signal over monthly cohorts."))
        self.level_box = self.combo(self.tr("Show"), [
            (self.tr("All alerts"), "all"), (self.tr("Alarms only"), "alarm")])
        self.persist("level", self.level_box)
        self.level_box.currentIndexChanged.connect(self._fill_inbox)
        self.metric_box = self.combo(self.tr("Metric"), [(self.tr("All metrics"), None)])
        self.metric_box.currentIndexChanged.connect(self._fill_inbox)
        self.not_monitored = QLabel("")
        self.not_monitored.setWordWrap(True)
        self.inbox, self.model = make_table()
        self.inbox.setSelectionBehavior(self.inbox.SelectionBehavior.SelectRows)
        self.inbox.clicked.connect(lambda index: self.select_alert(index.row()))
        self.ack_button = QPushButton(self.tr("Acknowledge…"))
        self.ack_button.clicked.connect(self._acknowledge)
        inbox_box = QWidget()
        lay = QVBoxLayout(inbox_box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.inbox, 1)
        lay.addWidget(self.not_monitored)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.ack_button)
        lay.addLayout(row)
        self.funnel = FunnelChart()
        self.funnel.segment_clicked.connect(self.select_segment)
        self.funnel_panel = self.register_panel(ChartPanel(self.funnel, self.tr("Funnel plot")))
        self.cusum = CusumChart()
        self.cusum_panel = self.register_panel(ChartPanel(self.cusum, self.tr("CUSUM")))
        self.behind, self.behind_model = make_table()
        self.behind.setToolTip(self.tr("Policies of the selected segment in the flagged months "
                                       "(personal data left out)"))
        charts = QSplitter(Qt.Orientation.Vertical)
        charts.addWidget(self.funnel_panel)
        charts.addWidget(self.cusum_panel)
        charts.addWidget(self.behind)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(inbox_box)
        split.addWidget(charts)
        split.setSizes([700, 700])
        outer = QVBoxLayout(content)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(split)
        self.shown: list[Any] = []
        self.current: tuple[str, str] | None = None   # (metric, column) on the funnel

    # ---- data ---------------------------------------------------------------------------

    def history_path(self) -> str | None:
        return history_path_for(getattr(self.window(), "workspace_path", None))

    def task(self, ds: Any) -> Task:
        return compute_page_alerts, (ds, self.history_path()), {}

    def show_result(self, res: Any) -> None:
        self.ack_button.setEnabled(self.history_path() is not None)
        self.ack_button.setToolTip("" if self.history_path() else
                                   self.tr("Save a workspace to keep the alert history"))
        self._fill_metrics(res)
        self._fill_inbox()
        if self.shown:
            self.select_alert(0)
        elif len(res.funnel):
            first = res.funnel.iloc[0]
            self.show_funnel(str(first["metric"]), str(first["column"]))

    def _fill_metrics(self, res: Any) -> None:
        """The metric filter lists the metrics with an alert; the note lists the metrics that
        cannot be monitored on the data, with their reason."""
        from memberdesk.analysis.metrics import get_metric

        lang = self._lang()
        keep = self.metric_box.currentData()
        self.metric_box.blockSignals(True)
        self.metric_box.clear()
        self.metric_box.addItem(self.tr("All metrics"), None)
        for mid in dict.fromkeys(a.metric for a in res.alerts):
            self.metric_box.addItem(get_metric(mid).name(lang), mid)
        index = self.metric_box.findData(keep)
        self.metric_box.setCurrentIndex(max(index, 0))
        self.metric_box.blockSignals(False)
        self.not_monitored.setText("; ".join(
            f"{get_metric(mid).name(lang)}: {why.text(lang)}" for mid, why in res.unavailable.items()))

    def _fill_inbox(self) -> None:
        from memberdesk.analysis.metrics import get_metric
        from memberdesk.core.labels import column_label
        from memberdesk.report.sheets_alerts import method_text

        res = self.result
        if res is None:
            return
        lang = self._lang()
        only_alarms = self.level_box.currentData() == "alarm"
        metric = self.metric_box.currentData()
        self.shown = [a for a in res.alerts if (not only_alarms or a.level == "alarm")
                      and (metric is None or a.metric == metric)]
        rows = [{"level": coded(a.level, lang), "status": coded(a.status, lang),
                 "metric": get_metric(a.metric).name(lang),
                 "segment": segment_text(a.column, a.segment_value, lang), "value": a.value,
                 "expected": a.expected, "lower": a.lower, "upper": a.upper, "n": a.n,
                 "since": a.since, "method": method_text(a.method, lang),
                 "note": a.acknowledged or ""}
                for a in self.shown]
        frame = pd.DataFrame(rows, columns=list(INBOX_COLUMNS))
        headers = {"level": self.tr("Level"), "status": self.tr("Status"),
                   "metric": self.tr("Metric"), "segment": self.tr("Segment"),
                   "value": self.tr("Value"), "expected": column_label("expected", lang),
                   "lower": self.tr("Lower limit"), "upper": self.tr("Upper limit"),
                   "n": self.tr("Denominator"), "since": self.tr("Since"),
                   "method": self.tr("Method"), "note": self.tr("Note")}
        fill_table(self.inbox, self.model, frame, headers=headers,
                   formats={c: percent_format for c in ("value", "expected", "lower", "upper")})

    def _lang(self) -> str:
        from memberdesk.ui.i18n import ui_language

        return "zh_CN" if ui_language() == "zh_CN" else "en"

    # ---- selection ------------------------------------------------------------------------

    def select_alert(self, row: int) -> None:
        if not 0 <= row < len(self.shown):
            return
        a = self.shown[row]
        self.show_funnel(a.metric, a.column, reach=None if a.n is None else float(a.n))
        self.select_segment(a.segment_value)
        if self.current == (a.metric, a.column):
            # the alert's own figure on the funnel: a CUSUM alarm's rate over its signal
            # months (e.g. 9.0 %) is not one of the funnel-window points (all near 0-3 %)
            from memberdesk.report.sheets_alerts import method_text

            lang = self._lang()
            nan = float("nan")
            self.funnel.mark_alert(nan if a.n is None else float(a.n),
                                   nan if a.value is None else float(a.value), a.level, (
                f"{segment_text(a.column, a.segment_value, lang)} — {coded(a.level, lang)}, "
                f"{method_text(a.method, lang)}"))

    def show_funnel(self, metric: str, column: str, reach: float | None = None) -> None:
        """The funnel of ``metric`` by ``column``; the limit curves run to the largest
        denominator, or to ``reach`` (the selected alert's) when that is larger."""
        from memberdesk.analysis.alerts.funnel import Dispersion, funnel_curve

        f = self.result.funnel
        pts = f[(f["metric"] == metric) & (f["column"] == column)]
        if pts.empty:
            return
        self.current = (metric, column)
        first = pts.iloc[0]
        disp = Dispersion(float(first["phi"]), float(first["tau2"]), len(pts), 0.0,
                          str(first["method"]).removeprefix("funnel_"))  # type: ignore[arg-type]
        from memberdesk.analysis.metrics import get_metric

        rule = self.result.rules.for_metric(metric)
        top = max(float(pts["n"].max()), reach or 0.0) * 1.08
        n, lo_a, hi_a = funnel_curve(float(first["target"]), top, rule.alert_level, disp)
        _, lo_b, hi_b = funnel_curve(float(first["target"]), top, rule.alarm_level, disp)
        curve = pd.DataFrame({"n": n, "lower_alarm": lo_b, "lower_alert": lo_a,
                              "target": float(first["target"]), "upper_alert": hi_a,
                              "upper_alarm": hi_b})
        # the funnel from a quarter of the smallest segment on: the very wide mouth at n = 1
        # would squash the points
        smallest = float(pts.loc[pts["n"] > 0, "n"].min()) if (pts["n"] > 0).any() else 1.0
        curve = curve[curve["n"] >= max(1.0, smallest / 4)].reset_index(drop=True)
        from memberdesk.core.labels import column_label
        from memberdesk.report.sheets_alerts import method_text

        lang = self._lang()
        self.funnel.set_funnel(pts[["segment", "n", "value", "level"]], curve,
                               label=lambda v: coded(v, lang))
        self.funnel_panel.set_title(self.tr("Funnel plot: {0} by {1}, {2} ({3})").format(
            get_metric(metric).name(lang), column_label(column, lang), first["period"],
            method_text(str(first["method"]), lang)))

    def select_segment(self, segment: str) -> None:
        if self.current is None:
            return
        metric, column = self.current
        m = self.result.monthly
        rows = m[(m["metric"] == metric) & (m["column"] == column) & (m["segment"] == segment)]
        if rows.empty:
            return
        rule = self.result.rules.for_metric(metric)
        self.cusum.set_series(rows.reset_index(drop=True), rule.cusum_alert_h, rule.cusum_alarm_h)
        from memberdesk.core.labels import column_label

        lang = self._lang()
        self.cusum_panel.set_title(self.tr("CUSUM: {0} = {1}").format(
            column_label(column, lang), coded(segment, lang)))
        self.show_policies(metric, column, segment, list(rows["month"]))

    def show_policies(self, metric: str, column: str, segment: str, months: list[str]) -> None:
        """The policies behind a policy metric's segment over the funnel window; personal
        columns (member ids, birth dates) are left out."""
        from memberdesk.analysis.alerts.monitored import MONITORED, policies_behind
        from memberdesk.report.safety import is_personal

        entity = next((m.entity for m in MONITORED if m.id == metric), None)
        window = self.result.rules.for_metric(metric).window_months
        frame = pd.DataFrame()
        if entity == "policies" and self.dataset is not None and months:
            frame = policies_behind(self.dataset, column, segment, months[-window], months[-1])
            frame = frame[[c for c in frame.columns if not is_personal(c)]]
        # coded columns (status, channel, product type …) in words; the dates and amounts as
        # they are (the header is the catalogue's column label, as on every table)
        lang = self._lang()
        formats = {str(c): (lambda v, lang=lang: coded(v, lang)) for c in frame.columns
                   if frame[c].dtype == object}
        fill_table(self.behind, self.behind_model, frame, formats=formats)

    # ---- acknowledgement ----------------------------------------------------------------

    def _acknowledge(self) -> None:
        rows = self.inbox.selectionModel().selectedRows() if self.inbox.selectionModel() else []
        if not rows or self.history_path() is None:
            return
        alert = self.shown[rows[0].row()]
        note, ok = QInputDialog.getText(self, self.tr("Acknowledge alert"), self.tr("Note:"))
        if ok and note.strip():
            self.acknowledge(alert, note.strip())

    def acknowledge(self, alert: Any, note: str) -> None:
        """Record ``note`` on ``alert`` in the history and show it in the inbox."""
        from dataclasses import replace

        from memberdesk.analysis.alerts import acknowledge, load_history, save_history

        path = self.history_path()
        if path is None:
            return
        save_history(acknowledge(load_history(path), alert.key, note), path)
        alerts = tuple(replace(a, acknowledged=note) if a.key == alert.key else a
                       for a in self.result.alerts)
        self.result = self.result.with_alerts(alerts)
        self._fill_inbox()
