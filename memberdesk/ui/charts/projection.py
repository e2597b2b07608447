"""Parametric fits against Kaplan-Meier, with the projection beyond the data.

The KM estimate is drawn as a step curve; each fitted model as a line, solid up to the last
observed time and dashed beyond it (extrapolation); the selected model's confidence band is
shaded. A vertical dotted line marks the end of the data.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from memberdesk.ui.charts.base import Chart, label_style, tr
from memberdesk.ui.i18n import value_label


@dataclass(frozen=True)
class FittedCurve:
    """One model's survival curve on a time grid (months). CI arrays may be empty."""

    name: str
    time: np.ndarray
    survival: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray


class ProjectionChart(Chart):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self.add_plot()
        self.plot.setDownsampling(auto=True, mode="peak")
        self.plot.setClipToView(True)
        # bottom-left: survival curves start at 100 % and fall, so that corner stays empty
        # (top-right sat over the projected curves near 60 %)
        self.legend = self.plot.addLegend(offset=(10, -10), labelTextColor=self.colours.foreground,
                                          brush=pg.mkBrush(QColor(self.colours.background)))
        self.plot.setLabel("left", tr("Share still in force"), **label_style(self.colours))
        self.plot.getAxis("left").set_percent(True)  # shares as percentages, 0-100 % labelled
        self.plot.setLabel("bottom", tr("Time since issue (months)"), **label_style(self.colours))
        self.items: list[Any] = []
        self.km_item: pg.PlotDataItem | None = None
        self.observed_items: dict[str, pg.PlotDataItem] = {}
        self.projected_items: dict[str, pg.PlotDataItem] = {}
        self.last_observed = 0.0

    def set_projection(self, km_time: np.ndarray, km_survival: np.ndarray,
                       fitted: Sequence[FittedCurve], *, last_observed: float,
                       highlight: str | None = None,
                       label: Callable[[str], str] | None = None) -> None:
        """Draw the Kaplan-Meier steps and the fitted curves (dashed past ``last_observed``).

        ``label`` names a model id in the legend (the page's table names, "Log-logistic");
        default: the translated value label of the id."""
        for item in self.items:
            self.plot.removeItem(item)
        self.items = []
        self.legend.clear()
        self.observed_items, self.projected_items = {}, {}
        self.last_observed = float(last_observed)
        fg = QColor(self.colours.foreground)
        self.km_item = pg.PlotDataItem(np.asarray(km_time, float), np.asarray(km_survival, float),
                                       stepMode="right", pen=pg.mkPen(fg, width=2))
        self._add(self.km_item)
        self.legend.addItem(self.km_item, tr("Kaplan-Meier (observed)"))
        tidy = [pd.DataFrame({"model": "kaplan_meier", "time": km_time, "survival": km_survival,
                              "projected": False})]
        for i, curve in enumerate(fitted):
            colour = QColor(self.colours.colour(i + 1 if i + 1 < len(self.colours.series) else i))
            t = np.asarray(curve.time, float)
            s = np.asarray(curve.survival, float)
            inside = t <= self.last_observed
            width = 3 if curve.name == highlight else 1.5
            obs = pg.PlotDataItem(t[inside], s[inside], pen=pg.mkPen(colour, width=width))
            k = max(int(inside.sum()) - 1, 0)
            proj = pg.PlotDataItem(t[k:], s[k:], pen=pg.mkPen(colour, width=width, style=Qt.PenStyle.DashLine))
            self._add(obs)
            self._add(proj)
            shown = (label or value_label)(curve.name) + (" ★" if curve.name == highlight else "")
            self.legend.addItem(obs, shown)
            self.observed_items[curve.name] = obs
            self.projected_items[curve.name] = proj
            lo, hi = np.asarray(curve.ci_lower, float), np.asarray(curve.ci_upper, float)
            if curve.name == highlight and len(lo) == len(t) and len(t):
                band_colour = QColor(colour)
                band_colour.setAlpha(45)
                a, b = pg.PlotCurveItem(t, lo, pen=None), pg.PlotCurveItem(t, hi, pen=None)
                self._add(a)
                self._add(b)
                band = pg.FillBetweenItem(a, b, brush=pg.mkBrush(band_colour))
                band.setZValue(-10)
                self._add(band)
            tidy.append(pd.DataFrame({"model": curve.name, "time": t, "survival": s,
                                      "ci_lower": lo if len(lo) == len(t) else np.nan,
                                      "ci_upper": hi if len(hi) == len(t) else np.nan,
                                      "projected": t > self.last_observed}))
        end = pg.InfiniteLine(pos=self.last_observed, angle=90, movable=False,
                              pen=pg.mkPen(self.colours.neutral, style=Qt.PenStyle.DotLine),
                              label=tr("end of data"), labelOpts={"position": 0.95, "color": self.colours.neutral})
        self._add(end)
        self._set_frame(pd.concat(tidy, ignore_index=True))
        self.reset_view()

    def _add(self, item: Any) -> None:
        self.plot.addItem(item)
        self.items.append(item)

    def reset_view(self) -> None:
        frame = self.data_frame()
        t_max = float(frame["time"].max()) if not frame.empty else 1.0
        self.plot.setRange(xRange=(0, max(t_max, 1.0)), yRange=(0, 1.02), padding=0.02)


__all__ = ["FittedCurve", "ProjectionChart"]
