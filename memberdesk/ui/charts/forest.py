"""Hazard-ratio forest plot: one row per covariate, HR point with CI whiskers (at the fit's
level: the Assumptions' CI level, 95% by default) on a log scale, a dashed reference line at
HR = 1, and a marker where the proportional-hazards test rejects (the HR is then an
average over time and should be read with care).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QWidget

from memberdesk.ui.charts.base import Chart, label_style, tr


class LogAxis(pg.AxisItem):
    """An axis over log10 values that is labelled with the original values (0.5, 1, 2…)."""

    def tickStrings(self, values: Sequence[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        return [f"{10 ** v:.3g}" for v in values]


NICE_RATIOS = (0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 10, 20)


class ForestChart(Chart):
    """Forest plot of hazard ratios (x = log10 HR internally, labelled as HR)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.axis = LogAxis("bottom")
        self.plot = self.add_plot(axisItems={"bottom": self.axis})
        self.plot.getViewBox().invertY(True)
        self.plot.showGrid(x=True, y=False, alpha=self.colours.grid_alpha)
        self.points = pg.ScatterPlotItem(symbol="s", size=9, pen=None,
                                         brush=pg.mkBrush(self.colours.colour(0)))
        self.whiskers = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), pen=pg.mkPen(self.colours.colour(0), width=1.5),
                                        beam=0.2)
        self.violations = pg.ScatterPlotItem(symbol="t1", size=11, pen=pg.mkPen(self.colours.bad),
                                             brush=pg.mkBrush(self.colours.bad))
        self.reference = pg.InfiniteLine(pos=0.0, angle=90, movable=False,
                                         pen=pg.mkPen(self.colours.reference, width=1.5, style=Qt.PenStyle.DashLine))
        for item in (self.reference, self.whiskers, self.points, self.violations):
            self.plot.addItem(item)
        self.plot.setLabel("bottom", tr("Hazard ratio (log scale; &lt; 1 = stays longer)"), **label_style(self.colours))
        self.note = pg.LabelItem("", color=self.colours.bad, size="9pt", justify="left")
        self.view.ci.addItem(self.note, row=1, col=0)
        self.labels: list[str] = []

    def set_ratios(self, frame: pd.DataFrame, *, label: str = "covariate", hr: str = "hazard_ratio",
                   lower: str = "ci_lower", upper: str = "ci_upper",
                   violation: str | None = None,
                   tick_text: Callable[[str], str] | None = None) -> None:
        """Draw one row per line of ``frame`` (in its order, first at the top). ``tick_text``
        turns a ``label`` value into the row's axis text (the data table keeps the value)."""
        f = frame.reset_index(drop=True)
        self.ids = [str(v) for v in f[label]]
        self.labels = [tick_text(v) for v in self.ids] if tick_text else list(self.ids)
        y = np.arange(len(f), dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.log10(f[hr].to_numpy(dtype=float))
            lo = np.log10(f[lower].to_numpy(dtype=float))
            hi = np.log10(f[upper].to_numpy(dtype=float))
        ok = np.isfinite(x)
        self.points.setData(x[ok], y[ok])
        whisk = ok & np.isfinite(lo) & np.isfinite(hi)
        self.whiskers.setData(x=x[whisk], y=y[whisk], left=x[whisk] - lo[whisk],
                              right=hi[whisk] - x[whisk])
        flags = (f[violation].fillna(False).astype(bool).to_numpy() if violation and violation in f
                 else np.zeros(len(f), bool))
        if flags.any():
            right = np.where(np.isfinite(hi), hi, x)
            span = np.nanmax(np.abs(np.concatenate([lo[whisk], hi[whisk], x[ok]]))) if ok.any() else 1.0
            self.violations.setData(right[flags & ok] + 0.04 * max(span, 0.1), y[flags & ok])
            self.note.setText(
                "▼ " + tr("proportional-hazards assumption rejected (p &lt; 0.05): the ratio changes over time"))
        else:
            self.violations.setData([], [])
            self.note.setText("")
        axis = self.plot.getAxis("left")
        axis.setTicks([[(i, s) for i, s in enumerate(self.labels)], []])
        metrics = QFontMetrics(self.font())
        axis.setWidth(max([metrics.horizontalAdvance(s) for s in self.labels] + [40]) + 14)
        finite = np.concatenate([v[np.isfinite(v)] for v in (x, lo, hi)] + [np.zeros(1)])
        x0, x1 = float(finite.min()), float(finite.max())
        ticks = [np.log10(r) for r in NICE_RATIOS if x0 - 0.3 <= np.log10(r) <= x1 + 0.3]
        self.axis.setTicks([[(t, f"{10 ** t:g}") for t in ticks], []] if len(ticks) >= 2 else None)
        self._range = (x0, x1, len(f))
        self._set_frame(f[[c for c in (label, hr, lower, upper, violation) if c and c in f]])
        self.reset_view()

    def hazard_ratios(self) -> np.ndarray:
        """The plotted HRs (back-transformed from the log-scale points), top to bottom."""
        x, _ = self.points.getData()
        return 10 ** np.asarray(x, dtype=float)

    def reset_view(self) -> None:
        x0, x1, n = getattr(self, "_range", (-0.5, 0.5, 1))
        pad = max(0.1, 0.08 * (x1 - x0))
        self.plot.setRange(xRange=(x0 - pad, x1 + 2 * pad), yRange=(-0.7, max(n, 1) - 0.3), padding=0)


__all__ = ["ForestChart", "LogAxis"]
