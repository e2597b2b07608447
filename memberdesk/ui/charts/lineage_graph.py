"""Lineage graph (指标血缘图): the nodes of a :class:`memberdesk.analysis.lineage.LineageView`
in layers (source columns, derived columns, intermediate results, settings, metrics, then the
pages, charts and sheets that show them), edges as straight lines, coloured by kind.

Forward views put the metric's sources on the left and its presenters on the right; reverse
views start from the column on the left. Layer = the view's ``depth``; within a layer, nodes
are spread top to bottom in id order.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from memberdesk.ui.charts.base import Chart

KIND_ORDER = ("column", "derived", "parameter", "result", "metric", "page", "chart", "sheet")


class LineageGraphChart(Chart):
    """Layered drawing of a lineage view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = self.add_plot()
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setMouseEnabled(x=True, y=True)
        self.edges = pg.PlotDataItem(pen=pg.mkPen(self.colours.neutral, width=1))
        self.nodes = pg.ScatterPlotItem(size=12, hoverable=True,
                                        tip=lambda x, y, data: str(data))
        self.plot.addItem(self.edges)
        self.plot.addItem(self.nodes)
        self.labels: list[pg.TextItem] = []
        self.positions: dict[str, tuple[float, float]] = {}

    def set_view(self, nodes: pd.DataFrame, edges: pd.DataFrame, direction: str) -> None:
        """``nodes``: ``id``, ``kind``, ``label``, ``depth``; ``edges``: ``source``, ``target``."""
        for item in self.labels:
            self.plot.removeItem(item)
        self.labels = []
        sign = -1.0 if direction == "forward" else 1.0
        self.positions = {}
        for depth, layer in nodes.groupby("depth", sort=True):
            layer = layer.sort_values("id")
            ys = np.linspace(0, -(len(layer) - 1), len(layer)) if len(layer) > 1 else [0.0]
            for (_, row), y in zip(layer.iterrows(), ys):
                self.positions[str(row["id"])] = (sign * float(str(depth)) * 6.0, float(y))
        xs = [self.positions[str(i)][0] for i in nodes["id"]]
        ys = [self.positions[str(i)][1] for i in nodes["id"]]
        colours = [self.colours.colour(KIND_ORDER.index(k) if k in KIND_ORDER else 0)
                   for k in nodes["kind"]]
        self.nodes.setData(x=xs, y=ys, data=nodes["label"].astype(str).to_numpy(),
                           brush=[pg.mkBrush(c) for c in colours], pen=None)
        seg_x: list[float] = []
        seg_y: list[float] = []
        for s, t in zip(edges["source"], edges["target"]):
            if s in self.positions and t in self.positions:
                seg_x += [self.positions[s][0], self.positions[t][0]]
                seg_y += [self.positions[s][1], self.positions[t][1]]
        self.edges.setData(np.array(seg_x, float), np.array(seg_y, float), connect="pairs")
        for (x, y), label in zip(zip(xs, ys), nodes["label"].astype(str)):
            text = pg.TextItem(label, color=self.colours.foreground, anchor=(0, 0.5))
            text.setPos(x + 0.15, y)
            self.plot.addItem(text)
            self.labels.append(text)
        self._set_frame(nodes.assign(x=xs, y=ys))
        self.plot.enableAutoRange()
