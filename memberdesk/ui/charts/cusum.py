"""CUSUM chart of one segment: the risk-adjusted CUSUM statistic by cohort month with its alert
and alarm thresholds, and below it the segment's observed rate against its risk-adjusted
expected rate (the monthly rows of :class:`memberdesk.analysis.alerts.AlertsResult`)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from memberdesk.ui.charts.base import Chart, label_style, tr


class CusumChart(Chart):
    """Top: S_t with threshold lines; bottom: observed vs expected rate (x = month index,
    labelled YYYY-MM)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stat = self.add_plot(row=0, col=0)
        self.rate = self.add_plot(row=1, col=0)
        self.rate.getAxis("left").set_percent(True, floor=None, cap=None)
        self.rate.setXLink(self.stat)
        for plot, label in ((self.stat, tr("CUSUM")), (self.rate, tr("Rate"))):
            plot.showGrid(x=True, y=True, alpha=self.colours.grid_alpha)
            plot.setLabel("left", label, **label_style(self.colours))
        self.line = self.stat.plot(pen=pg.mkPen(self.colours.colour(0), width=2))
        self.alert_line = pg.InfiniteLine(angle=0, pen=pg.mkPen("#E69F00", style=Qt.PenStyle.DashLine))
        self.alarm_line = pg.InfiniteLine(angle=0, pen=pg.mkPen(self.colours.bad, style=Qt.PenStyle.DashLine))
        self.stat.addItem(self.alert_line)
        self.stat.addItem(self.alarm_line)
        self.observed = self.rate.plot(pen=pg.mkPen(self.colours.colour(1), width=2), symbol="o",
                                       symbolSize=5, name=tr("Observed"))
        self.expected = self.rate.plot(pen=pg.mkPen(self.colours.reference, width=1.5,
                                                    style=Qt.PenStyle.DashLine), name=tr("Expected"))

    def set_series(self, monthly: pd.DataFrame, alert_h: float, alarm_h: float) -> None:
        """``monthly``: ``month`` (YYYY-MM), ``value``, ``expected``, ``cusum`` of one segment."""
        x = np.arange(len(monthly), dtype=float)
        self.line.setData(x, monthly["cusum"].to_numpy(float))
        self.alert_line.setPos(alert_h)
        self.alarm_line.setPos(alarm_h)
        self.observed.setData(x, monthly["value"].to_numpy(float))
        self.expected.setData(x, monthly["expected"].to_numpy(float))
        ticks = [[(float(i), str(m)) for i, m in enumerate(monthly["month"]) if i % 2 == 0]]
        self.rate.getAxis("bottom").setTicks(ticks)
        self.stat.getAxis("bottom").setTicks(ticks)
        self.stat.setYRange(0, max(float(np.nanmax(monthly["cusum"], initial=0.0)), alarm_h) * 1.1)
        self._set_frame(monthly[["month", "value", "expected", "cusum"]])
