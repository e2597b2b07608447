"""Funnel plot (漏斗图): each segment's rate against its denominator, with the 95 % (alert)
and 99.8 % (alarm) limits around the book's rate drawn as curves.

Presents one metric and segment column of :class:`memberdesk.analysis.alerts.AlertsResult`
(``funnel`` rows); the limit curves come from :func:`memberdesk.analysis.alerts.funnel.funnel_curve`
with the same dispersion the alerts used, so the chart shows the limits that flagged. Hovering a
point shows its segment, rate and denominator; clicking it emits :attr:`FunnelChart.segment_clicked`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from memberdesk.ui.charts.base import Chart, label_style, tr, weak_method

LEVEL_COLOURS = {"alarm": "bad", "alert": "#E69F00", None: "neutral"}
# colour AND shape tell the levels apart (colour-blind readers, print in grey): an alarm is a
# large triangle, an alert a diamond, a segment within its limits a small circle
LEVEL_SYMBOLS = {"alarm": ("t1", 14.0), "alert": ("d", 12.0), None: ("o", 8.0)}


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
        # Tooltips through a weak reference: an item holding a bound method of the chart made
        # the chart die inside its own item's destruction when the garbage collector freed
        # them together (its scene then cleared a half-destroyed item: a segfault).
        self.points = pg.ScatterPlotItem(size=10, hoverable=True, tip=weak_method(self._tip))
        self.points.sigClicked.connect(self._clicked)
        self.plot.addItem(self.points)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._label: Callable[[Any], str] = str
        self.y_range: tuple[float, float] | None = None
        # the selected alert's own figure (a CUSUM alert's rate over its signal months is not
        # one of the funnel's points): a large hollow marker in the level's colour and shape
        self.marked = pg.ScatterPlotItem(hoverable=True, tip=weak_method(self._marked_tip))
        self.plot.addItem(self.marked)
        self.marked_alert: tuple[float, float, str, str] | None = None
        self._values = pd.Series(dtype=float)
        self._curve = pd.DataFrame()

    def _tip(self, x: float, y: float, data: Any) -> str:
        segment, level = data if isinstance(data, tuple) else (data, "")
        head = f"{self._label(segment)}" + (f" ({self._label(level)})" if level else "")
        return f"{head}\n{y:.1%}\nn = {x:,.0f}"

    def _marked_tip(self, x: float, y: float, data: Any) -> str:
        return f"{data}\n{y:.1%}\nn = {x:,.0f}"

    def mark_alert(self, n: float, value: float, level: str, text: str) -> None:
        """Mark the selected alert's figure (``value`` over denominator ``n``, e.g. a CUSUM
        alert's rate over its signal months) with a large hollow marker in ``level``'s colour
        and shape; ``text`` is its tooltip. The y-range grows to hold it."""
        lv = self._level(level)
        colour = self._colour(lv)
        symbol, size = LEVEL_SYMBOLS[lv]
        ok = np.isfinite(n) and np.isfinite(value) and n > 0
        self.marked_alert = (float(n), float(value), str(level), text) if ok else None
        if not ok:
            self.marked.setData([], [])
        else:
            self.marked.setData(x=[float(n)], y=[float(value)], data=[text], symbol=[symbol],
                                size=[size + 8], brush=[pg.mkBrush(None)],
                                pen=pg.mkPen(colour, width=2.5))
        self._apply_ranges()

    def clear_mark(self) -> None:
        self.marked_alert = None
        self.marked.setData([], [])
        self._apply_ranges()

    def _clicked(self, _item: Any, points: Any, *_: Any) -> None:
        if len(points):
            data = points[0].data()
            self.segment_clicked.emit(str(data[0] if isinstance(data, tuple) else data))

    def _colour(self, level: Any) -> str:
        key = LEVEL_COLOURS.get(level if isinstance(level, str) else None, "neutral")
        return getattr(self.colours, key) if key in ("bad", "neutral") else key

    @staticmethod
    def _level(level: Any) -> str | None:
        return level if isinstance(level, str) and level in LEVEL_SYMBOLS else None

    def set_funnel(self, points: pd.DataFrame, curve: pd.DataFrame,
                   label: Callable[[Any], str] | None = None) -> None:
        """``points``: ``segment``, ``n``, ``value`` (rate, fraction), ``level`` (alarm,
        alert or missing); ``curve``: ``n``, ``lower_alarm``, ``lower_alert``, ``target``,
        ``upper_alert``, ``upper_alarm``. ``label`` names a coded segment or level in the UI
        language in the tooltips (the data keep the codes).

        The y-range holds every point and every limit curve (an alarm far above the others
        stays in view); x runs from 0 to beyond the largest denominator."""
        self._label = label or str
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
        levels = [self._level(v) for v in shown["level"]]
        data = np.empty(len(shown), dtype=object)
        data[:] = list(zip(shown["segment"].astype(str), [lv or "" for lv in levels]))
        self.points.setData(x=shown["n"].to_numpy(float), y=shown["value"].to_numpy(float),
                            data=data,
                            brush=[pg.mkBrush(self._colour(v)) for v in levels],
                            symbol=[LEVEL_SYMBOLS[v][0] for v in levels],
                            size=[LEVEL_SYMBOLS[v][1] for v in levels],
                            pen=pg.mkPen(self.colours.foreground, width=0.5))
        frame = shown[["segment", "n", "value", "level"]].copy()
        self._set_frame(frame)
        self._values = shown["value"]
        self._curve = curve
        self.marked_alert = None
        self.marked.setData([], [])
        self._apply_ranges()

    def _apply_ranges(self) -> None:
        """x from 0 to beyond the largest denominator, y over every point, limit curve and
        the marked alert."""
        ns = list(pd.to_numeric(self.data_frame().get("n", pd.Series(dtype=float)),
                                errors="coerce").dropna())
        values = self._values
        if self.marked_alert is not None:
            ns.append(self.marked_alert[0])
            values = pd.concat([values, pd.Series([self.marked_alert[1]])], ignore_index=True)
        if ns:
            self.plot.setXRange(0, float(np.nanmax(ns)) * 1.08, padding=0)
        self.y_range = self._y_range(values, self._curve)
        if self.y_range is not None:
            self.plot.setYRange(*self.y_range, padding=0)

    def reset_view(self) -> None:
        """Undo zoom/pan back to the funnel's own ranges (every point and curve in view)."""
        super().reset_view()
        self._apply_ranges()

    @staticmethod
    def _y_range(values: pd.Series, curve: pd.DataFrame) -> tuple[float, float] | None:
        """From the lowest to the highest of the points and limit curves, 8 % margin each
        side, not below 0 (rates)."""
        cols = [c for c in ("lower_alarm", "lower_alert", "target", "upper_alert", "upper_alarm")
                if c in curve.columns]
        ys = np.concatenate([pd.to_numeric(values, errors="coerce").to_numpy(float),
                             *(pd.to_numeric(curve[c], errors="coerce").to_numpy(float)
                               for c in cols)])
        ys = ys[np.isfinite(ys)]
        if ys.size == 0:
            return None
        lo, hi = float(ys.min()), float(ys.max())
        pad = max(hi - lo, abs(hi) * 0.1, 1e-4) * 0.08
        return max(0.0, lo - pad), hi + pad
