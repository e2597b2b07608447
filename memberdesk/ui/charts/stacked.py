"""Stacked cumulative incidence by cause (competing decrements).

Each cause's cumulative incidence function (CIF) is a right-continuous step function; the
bands are stacked so the top edge is the probability of having left by any cause, and the
space above it is the probability of still being in force.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from memberdesk.ui.charts.base import Chart, TextLegend, label_style, layout_legend_band, tr
from memberdesk.ui.i18n import value_label


class StackedIncidenceChart(Chart):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # row 0: the legend band (as on the trend and Kaplan-Meier charts), row 1: the plot;
        # inside the plot the legend's top-left corner met early, steep incidence
        self.legend_host = pg.GraphicsWidget()
        self.legend_host.setFixedHeight(0)
        self.view.ci.addItem(self.legend_host, row=0, col=0)
        self.plot = self.add_plot(row=1, col=0)
        self.plot.setDownsampling(auto=True, mode="peak")
        self.plot.setClipToView(True)
        self.legend = TextLegend(offset=None, labelTextColor=self.colours.foreground,
                                    brush=None, pen=None, frame=False)
        self.legend.setParentItem(self.legend_host)
        self.plot.setLabel("left", tr("Cumulative probability of leaving"), **label_style(self.colours))
        self.plot.getAxis("left").set_percent(True)  # probabilities as percentages, like the table
        self.items: list[pg.GraphicsObject] = []
        self.edges: dict[str, pg.PlotCurveItem] = {}

    def set_incidence(self, time: np.ndarray, cif: Mapping[str, np.ndarray], *, unit: str = "months") -> None:
        """``cif[cause][i]`` = probability of leaving by ``cause`` by ``time[i]``."""
        for item in self.items:
            self.plot.removeItem(item)
        self.items, self.edges = [], {}
        self.legend.clear()
        t = np.asarray(time, float)
        base = pg.PlotCurveItem(t, np.zeros_like(t), stepMode="right", pen=None)
        self._add(base)
        running = np.zeros_like(t)
        previous = base
        for i, (cause, values) in enumerate(cif.items()):
            colour = QColor(self.colours.colour(i))
            running = running + np.nan_to_num(np.asarray(values, float))
            edge = pg.PlotCurveItem(t, running.copy(), stepMode="right", pen=pg.mkPen(colour.darker(120), width=1))
            fill_colour = QColor(colour)
            fill_colour.setAlpha(170)
            band = pg.FillBetweenItem(previous, edge, brush=pg.mkBrush(fill_colour))
            self._add(edge)
            self._add(band)
            self.legend.addItem(pg.BarGraphItem(x=[0], height=[0], width=1, brush=fill_colour), value_label(str(cause)))
            self.edges[str(cause)] = edge
            previous = edge
        self._layout_legend()
        self.plot.setLabel("bottom", tr("Time since issue ({unit})").format(unit=tr(unit)), **label_style(self.colours))
        frame = pd.DataFrame({"time": t, **{str(k): np.asarray(v, float) for k, v in cif.items()}})
        if cif:
            frame["all_causes"] = running
        self._set_frame(frame)
        self.reset_view()

    def _layout_legend(self) -> None:
        """Causes in one row above the plot when they fit (else as many columns as fit)."""
        layout_legend_band(self, self.legend, self.legend_host, self.view, self.plot,
                           fallback_width=600)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        if self.legend.items:
            self._layout_legend()

    def _add(self, item: pg.GraphicsObject) -> None:
        self.plot.addItem(item)
        self.items.append(item)

    def stacked_top(self) -> np.ndarray:
        """The top edge (all causes) as drawn."""
        if not self.edges:
            return np.zeros(0)
        return np.asarray(list(self.edges.values())[-1].getData()[1])

    def reset_view(self) -> None:
        frame = self.data_frame()
        t_max = float(frame["time"].max()) if not frame.empty else 1.0
        top = float(frame["all_causes"].max()) if "all_causes" in frame and not frame.empty else 1.0
        self.plot.setRange(xRange=(0, max(t_max, 1.0)), yRange=(0, min(1.0, max(top * 1.1, 0.05))), padding=0.02)
