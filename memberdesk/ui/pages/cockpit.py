"""Cockpit (经营管理驾驶舱): one tile per KPI with its change against the previous period and a
12-month sparkline; clicking a tile shows the figure's definition and lineage."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QScrollArea, QWidget

from memberdesk.ui.analysis_text import kpi_reason
from memberdesk.ui.charts.kpi_tile import KpiTile
from memberdesk.ui.pages.base import AnalysisPage, Task, split_content
from memberdesk.ui.pages.metric_details import MetricDetails, current_lang
from memberdesk.ui.shell.compare_panel import ComparePanel

COLUMNS = 4


# Cockpit KPI -> the monitored alert metrics whose alarm puts a badge on its tile (issue 14).
ALARM_SOURCES: dict[str, tuple[str, ...]] = {
    "persistency_13": ("persistency_13_count",), "persistency_25": ("persistency_25_count",),
    "lapse_rate_annualised": ("free_look_cancellation_rate", "early_lapse_rate_3m",
                              "early_lapse_rate_6m", "first_year_surrender_rate"),
    "benefit_usage_rate": ("benefit_usage_rate_monthly",),
    "bot_replacement_rate": ("bot_transfer_rate",),
    "human_connection_rate": ("human_connection_rate",), "csat": ("csat", "unresolved_contact_rate"),
    "median_claim_settlement_days": ("claims_settled_after_30_days",),
}


@dataclass(frozen=True, eq=False)
class CockpitResult:
    """The KPIs and the monitored metrics with an active alarm in any segment."""

    kpi_result: Any
    alarmed: frozenset[str] = frozenset()

    @property
    def kpis(self) -> Any:
        return self.kpi_result.kpis

    def badge(self, kpi_id: str) -> tuple[str, ...]:
        """The alarmed monitored metrics behind tile ``kpi_id``."""
        return tuple(m for m in ALARM_SOURCES.get(kpi_id, (kpi_id,)) if m in self.alarmed)


def compute_cockpit(ds: Any, progress: Any = None) -> Any:
    from memberdesk.analysis.alerts import compute_alerts
    from memberdesk.analysis.kpis import compute_kpis
    from memberdesk.core.progress import SubProgress

    kpis = compute_kpis(ds, progress=SubProgress(progress, 0.0, 0.6))
    alerts = compute_alerts(ds, progress=SubProgress(progress, 0.6, 1.0))
    return CockpitResult(kpis, frozenset(alerts.alarmed_metrics()))


class CockpitPage(AnalysisPage):
    page_id = "cockpit"

    def title(self) -> str:
        return self.tr("Cockpit")

    def build_content(self, content: QWidget) -> None:
        self.subtitle.setText(self.tr("Key figures at the as-of date; the change compares with "
                                      "the same date a year earlier. Click a tile for its definition."))
        self.tiles: dict[str, KpiTile] = {}
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setSpacing(8)
        scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its tiles take the focus, not the frame
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_host)
        self.details = MetricDetails()
        split_content(content, Qt.Orientation.Horizontal, scroll, self.details,
                      sizes=(1000, 360), stretch=(3, 1))
        self.compare = ComparePanel(self, "kpis")  # Compare with… (issue 17 C.18)

    def task(self, ds: Any) -> Task:
        return compute_cockpit, (ds,), {}

    def show_result(self, result: Any) -> None:
        self.compare.page_updated()
        try:
            from memberdesk.analysis.metrics import get_metric
        except ImportError:  # pragma: no cover - registry ships with kpis
            get_metric = None  # type: ignore[assignment]
        lang = current_lang(self)
        for tile in self.tiles.values():
            tile.setParent(None)
            tile.deleteLater()
        self.tiles = {}
        for i, kpi in enumerate(result.kpis):
            good = None
            name = kpi.name
            if get_metric is not None:
                try:
                    metric = get_metric(kpi.id)
                    good, name = metric.good_direction, metric.name(lang)
                except KeyError:
                    pass
            tile = KpiTile(kpi.id, name)
            trend = [float(v) for v in kpi.trend.to_numpy()] if kpi.trend is not None else []
            tile.set_values(kpi.value, kpi.previous, kpi.unit, good, trend)
            if kpi.value is None and kpi.reason:
                tile.change_label.setText(kpi_reason(kpi.reason))  # the reason code, in the UI language
                tile.change_label.setWordWrap(True)
            self._badge(tile, result.badge(kpi.id) if isinstance(result, CockpitResult) else ())
            tile.clicked.connect(self.show_metric)
            self.grid.addWidget(tile, i // COLUMNS, i % COLUMNS)
            self.tiles[kpi.id] = tile
        self._tile_tab_order()
        if self.details.metric_id is None and result.kpis:
            self.show_metric(result.kpis[0].id)

    def _tile_tab_order(self) -> None:
        """Tab after the filters: the tiles in reading order, then the definition, then
        Compare with… (new tiles join the focus chain at its end, after the panels beside them)."""
        after = [w for host in (self.details, self.compare) for w in host.findChildren(QWidget)
                 if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.window() is self.window()]
        chain = list(self.tiles.values()) + after
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    def show_metric(self, kpi_id: str) -> None:
        self.details.show_metric(kpi_id, current_lang(self))

    def _badge(self, tile: Any, alarmed: tuple[str, ...]) -> None:
        """A red badge on a tile whose metric has an alarm in some segment (see Alerts)."""
        tile.setProperty("alarm", bool(alarmed))
        if not alarmed:
            return
        from memberdesk.analysis.metrics import get_metric

        lang = current_lang(self)
        badge = QLabel(self.tr("⚠ Alarm in a segment"))
        badge.setObjectName("alarm_badge")
        badge.setStyleSheet(f"color: {tile.colours.bad}; font-weight: bold;")
        badge.setToolTip(self.tr("Alarm (see the Alerts page): {0}").format(
            ", ".join(get_metric(m).name(lang) for m in alarmed)))
        tile.layout().insertWidget(1, badge)
        tile.alarm_badge = badge
