"""Cohort heatmap: issue-month cohorts (rows) × months since issue (columns).

Cells not yet observed at the as-of date are NaN and drawn blank. Colours follow viridis
(perceptually uniform, colour-blind safe) with a colour bar; hovering shows the exact cell.
When the matrix holds shares (``percent=True``) the colour bar is labelled in percent
(40%–90%), like the hover read-out.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QWidget

from memberdesk.ui.charts.base import Chart, label_style, percent_tick_strings, tr, weak_method


class HeatmapChart(Chart):
    """An ImageItem of a matrix with a ColorBarItem and a hover read-out."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self.add_plot()
        self.plot.showGrid(x=False, y=False)
        self.plot.getViewBox().invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.colour_map = pg.colormap.get("viridis")
        self.colour_bar = pg.ColorBarItem(values=(0, 1), colorMap=self.colour_map, interactive=False,
                                          width=14)
        self.colour_bar.setImageItem(self.image, insert_in=self.plot)
        # the bar's own axis is created by ColorBarItem: format its labels through ours
        self._plain_bar_ticks = self.colour_bar.axis.tickStrings
        self.colour_bar.axis.tickStrings = weak_method(self._colour_bar_ticks, [])  # no cycle
        self.colour_bar.axis.enableAutoSIPrefix(False)
        self.hover = pg.TextItem(anchor=(0, 1), color=self.colours.foreground,
                                 fill=pg.mkBrush(QColor(self.colours.background)),
                                 border=pg.mkPen(self.colours.neutral))
        self.hover.setZValue(30)
        self.plot.addItem(self.hover, ignoreBounds=True)
        self.hover.hide()
        self.matrix = pd.DataFrame()
        self.percent = True
        self._proxy = pg.SignalProxy(self.view.scene().sigMouseMoved, rateLimit=30, slot=self._mouse_moved)

    def set_matrix(self, matrix: pd.DataFrame, *, x_label: str = "", y_label: str = "",
                   percent: bool = True, levels: tuple[float, float] | None = None) -> None:
        """Draw ``matrix`` (index = row labels, columns = x values; NaN = blank)."""
        self.matrix = matrix
        self.percent = percent
        values = matrix.to_numpy(dtype=float) if not matrix.empty else np.full((1, 1), np.nan)
        finite = values[np.isfinite(values)]
        if levels is None:
            levels = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            if levels[0] == levels[1]:
                levels = (levels[0] - 0.5, levels[1] + 0.5)
        self.image.setImage(values, levels=levels)
        self.image.setRect(-0.5, -0.5, values.shape[1], values.shape[0])
        self.colour_bar.setLevels(levels)
        self.colour_bar.axis.picture = None  # the labels' format may have changed
        self.colour_bar.axis.update()
        rows = [str(r) for r in matrix.index]
        cols = [str(c) for c in matrix.columns]
        rstep = max(1, int(np.ceil(len(rows) / 24)))
        cstep = max(1, int(np.ceil(len(cols) / 24)))
        left = self.plot.getAxis("left")
        left.setTicks([[(i, r) for i, r in enumerate(rows) if i % rstep == 0], []])
        metrics = QFontMetrics(self.font())
        left.setWidth(max([metrics.horizontalAdvance(r) for r in rows] + [30]) + 34)
        self.plot.getAxis("bottom").setTicks([[(j, c) for j, c in enumerate(cols) if j % cstep == 0], []])
        self.plot.setLabel("bottom", x_label, **label_style(self.colours))
        self.plot.setLabel("left", y_label, **label_style(self.colours))
        tidy = matrix.copy()
        tidy.index.name = tidy.index.name or "row"
        tidy.columns = [str(c) for c in tidy.columns]
        self._set_frame(tidy.reset_index())
        self.reset_view()

    def _colour_bar_ticks(self, values: Sequence[float], scale: float, spacing: float) -> list[str]:
        if self.percent:
            return percent_tick_strings(values, spacing)
        return self._plain_bar_ticks(values, scale, spacing)

    def colour_bar_labels(self) -> list[str]:
        """The colour bar's tick labels for its current levels (what it shows)."""
        axis = self.colour_bar.axis
        low, high = self.colour_bar.levels()
        size = axis.geometry().height() or 300.0
        return [text for spacing, values in axis.tickValues(low, high, size)
                for text in axis.tickStrings(values, 1.0, spacing) if text]

    def reset_view(self) -> None:
        h, w = self.matrix.shape if not self.matrix.empty else (1, 1)
        self.plot.setRange(xRange=(-0.5, w - 0.5), yRange=(-0.5, h - 0.5), padding=0)

    def value_at(self, row: int, col: int) -> float:
        return float(self.matrix.to_numpy(dtype=float)[row, col])

    def hover_text(self, row: int, col: int) -> str:
        v = self.value_at(row, col)
        shown = tr("not yet observed") if not np.isfinite(v) else (f"{v:.1%}" if self.percent else f"{v:,.4g}")
        return f"{self.matrix.index[row]} · {self.matrix.columns[col]}: {shown}"

    def _mouse_moved(self, event: Any) -> None:
        pos = event[0] if isinstance(event, tuple) else event
        if self.matrix.empty or not self.plot.sceneBoundingRect().contains(pos):
            self.hover.hide()
            return
        pt = self.plot.getViewBox().mapSceneToView(pos)
        row, col = int(round(pt.y())), int(round(pt.x()))
        if not (0 <= row < self.matrix.shape[0] and 0 <= col < self.matrix.shape[1]):
            self.hover.hide()
            return
        self.hover.setText(self.hover_text(row, col))
        self.hover.setPos(pt.x(), pt.y())
        self.hover.show()
