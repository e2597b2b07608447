"""Funnel plot (漏斗图): each segment's rate against its denominator, with the 95 % (alert)
and 99.8 % (alarm) limits around the book's rate drawn as curves.

Presents one metric and segment column of :class:`memberdesk.analysis.alerts.AlertsResult`
(``funnel`` rows); the limit curves come from :func:`memberdesk.analysis.alerts.funnel.funnel_curve`
with the same dispersion the alerts used, so the chart shows the limits that flagged. Hovering a
point shows its segment, rate and denominator; clicking it emits :attr:`FunnelChart.segment_clicked`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from memberdesk.ui.charts.base import Chart, label_style, tr

LEVEL_COLOURS = {"alarm": "bad", "alert": "#E69F00", None: "neutral"}


class FunnelChart(Chart):
    """Points by segment, limit curves (x = denominator, y = rate in percent)."""

    segment_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self.add_plot()
        self.plot.getAxis("left").set_percent(True, floor=None, cap=None)
        self.plot.showGrid(x=True, y=True, alpha=self.colours.grid_alpha)
        self.plot.setLabel("bottom", tr("Denominator"), **label_style(self.colours))
        self.plot.setLabel("left", tr("Rate"), **label_style(self.colours))
        self.points = pg.ScatterPlotItem(size=10, hoverable=True, tip=self._tip)
        self.points.sigClicked.connect(self._clicked)
        self.plot.addItem(self.points)
        self.curves: dict[str, pg.PlotDataItem] = {}

    def _tip(self, x: float, y: float, data: Any) -> str:
        return f"{data}\n{y:.1%}\nn = {x:,.0f}"

    def _clicked(self, _item: Any, points: Any, *_: Any) -> None:
        if len(points):
            self.segment_clicked.emit(str(points[0].data()))

    def _colour(self, level: Any) -> str:
        key = LEVEL_COLOURS.get(level if isinstance(level, str) else None, "neutral")
        return getattr(self.colours, key) if key in ("bad", "neutral") else key

    def set_funnel(self, points: pd.DataFrame, curve: pd.DataFrame) -> None:
        """``points``: ``segment``, ``n``, ``value``, ``level``; ``curve``: ``n``,
        ``lower_alarm``, ``lower_alert``, ``target``, ``upper_alert``, ``upper_alarm``."""
        for item in self.curves.values():
            self.plot.removeItem(item)
        self.curves = {}
        styles = {"target": (self.colours.reference, Qt.PenStyle.SolidLine),
                  "lower_alert": ("#E69F00", Qt.PenStyle.DashLine),
                  "upper_alert": ("#E69F00", Qt.PenStyle.DashLine),
                  "lower_alarm": (self.colours.bad, Qt.PenStyle.DashLine),
                  "upper_alarm": (self.colours.bad, Qt.PenStyle.DashLine)}
        for name, (colour, style) in styles.items():
            if name in curve.columns:
                item = pg.PlotDataItem(curve["n"].to_numpy(float), curve[name].to_numpy(float),
                                       pen=pg.mkPen(colour, width=1.5, style=style))
                self.plot.addItem(item)
                self.curves[name] = item
        shown = points[points["n"] > 0]
        self.points.setData(x=shown["n"].to_numpy(float), y=shown["value"].to_numpy(float),
                            data=shown["segment"].astype(str).to_numpy(),
                            brush=[pg.mkBrush(self._colour(v)) for v in shown["level"]],
                            pen=pg.mkPen(self.colours.foreground, width=0.5))
        frame = shown[["segment", "n", "value", "level"]].copy()
        self._set_frame(frame)
        if len(shown):
            self.plot.setXRange(0, float(np.nanmax(shown["n"])) * 1.08, padding=0)
