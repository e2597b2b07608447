"""Cockpit (经营管理驾驶舱): one tile per KPI with its change against the previous period and a
12-month sparkline; clicking a tile shows the figure's definition and lineage."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QScrollArea, QWidget

from memberdesk.ui.analysis_text import kpi_reason
from memberdesk.ui.charts.kpi_tile import KpiTile
from memberdesk.ui.pages.base import AnalysisPage, Task, split_content
from memberdesk.ui.pages.metric_details import MetricDetails, current_lang

COLUMNS = 4


def compute_cockpit(ds: Any, progress: Any = None) -> Any:
    from memberdesk.analysis.kpis import compute_kpis

    return compute_kpis(ds, progress=progress)


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
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_host)
        self.details = MetricDetails()
        split_content(content, Qt.Orientation.Horizontal, scroll, self.details,
                      sizes=(1000, 360), stretch=(3, 1))

    def task(self, ds: Any) -> Task:
        return compute_cockpit, (ds,), {}

    def show_result(self, result: Any) -> None:
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
            tile.clicked.connect(self.show_metric)
            self.grid.addWidget(tile, i // COLUMNS, i % COLUMNS)
            self.tiles[kpi.id] = tile
        if self.details.metric_id is None and result.kpis:
            self.show_metric(result.kpis[0].id)

    def show_metric(self, kpi_id: str) -> None:
        self.details.show_metric(kpi_id, current_lang(self))
