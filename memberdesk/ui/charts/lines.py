"""Trend lines and bars from a tidy frame: persistency by period, A/E by policy year,
benefit usage, service rates, claims ratios.

One :class:`TrendChart` draws one or more series (``series`` column) of ``y`` against ``x``.
``x`` may be numeric (policy year, month number) or categorical (periods such as ``2024-03``;
placed at 0, 1, 2… with the labels on the axis). Optional ``lower``/``upper`` columns draw
confidence whiskers; ``reference`` draws a dashed horizontal line (1 for A/E ratios).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QWidget

from memberdesk.ui.charts.base import Chart, TextLegend, ValueAxis, label_style, layout_legend_band
from memberdesk.ui.i18n import value_label

LONG_SERIES = 5_000  # points above which lines are downsampled (peak) and clipped to the view
MIN_PERCENT_SPAN = 0.10  # a percentage line chart spans at least 10 percentage points


def percent_view_range(lo: float, hi: float, min_span: float = MIN_PERCENT_SPAN) -> tuple[float, float]:
    """The data range a percentage chart shows for ratios from ``lo`` to ``hi``.

    Rule: the range spans at least ``min_span`` (10 percentage points), centred on the data,
    and is shifted to stay inside [0, 1] when the data are inside it — so a usage rate moving
    between 30 % and 33 % is shown on 26.5–36.5 % (a 3-point drift looks like one, not like
    a collapse), and a connection rate of 98–99.5 % on 90–100 % (never past the 100 %
    ceiling). Ranges already wider than ``min_span`` are returned unchanged.
    """
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo >= min_span:
        return lo, hi
    mid = (lo + hi) / 2
    new_lo, new_hi = mid - min_span / 2, mid + min_span / 2
    if hi <= 1.0 and new_hi > 1.0:
        new_lo, new_hi = new_lo - (new_hi - 1.0), 1.0
    if lo >= 0.0 and new_lo < 0.0:
        new_lo, new_hi = 0.0, new_hi - new_lo
    return new_lo, new_hi


def _tidy(frame: pd.DataFrame, x: str, y: str | Sequence[str], series: str | None,
          lower: str | None, upper: str | None,
          names: Mapping[str, str] | None) -> tuple[pd.DataFrame, str | None, str]:
    """A copy of ``frame`` in long form: several ``y`` columns become the ``series`` column
    ("series") with their values in "value"; series renamed by ``names``."""
    ys = [y] if isinstance(y, str) else list(y)
    frame = frame.copy()
    if len(ys) > 1:
        keep = [x] + ys + [c for c in (lower, upper) if c]
        frame = frame[keep].melt(id_vars=[x], value_vars=ys, var_name="series", value_name="value")
        series, value = "series", "value"
    else:
        value = ys[0]
    if names and series:
        frame[series] = frame[series].map(lambda v: names.get(str(v), v))
    return frame, series, value


class TrendChart(Chart):
    """Lines (with markers) or grouped bars of a tidy frame."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value_axis = ValueAxis("left")
        # row 0: the legend band, row 1: the plot. The legend lives in its own band above the
        # plot (as the Kaplan-Meier chart's does), never over the data: head-room inside the
        # plot depended on the view's height when the data arrived, and on the persistency,
        # service and gain charts the legend still covered the lines near 100 %.
        self.legend_host = pg.GraphicsWidget()
        self.legend_host.setFixedHeight(0)
        self.view.ci.addItem(self.legend_host, row=0, col=0)
        self.plot = self.add_plot(row=1, col=0, axisItems={"left": self.value_axis})
        self.legend = TextLegend(offset=None, labelTextColor=self.colours.foreground,
                                    brush=None, pen=None, frame=False)
        self.legend.setParentItem(self.legend_host)
        self.items: list[Any] = []
        self.series_names: list[str] = []
        self.x_labels: list[str] | None = None
        self.percent = False
        self._tidy_source: tuple[pd.DataFrame, str, str, str | None, str | None, str | None] | None = None
        self.hover = pg.TextItem(anchor=(0, 1), color=self.colours.foreground,
                                 fill=pg.mkBrush(QColor(self.colours.background)),
                                 border=pg.mkPen(self.colours.neutral))
        self.hover.setZValue(30)
        self._proxy = pg.SignalProxy(self.view.scene().sigMouseMoved, rateLimit=30, slot=self._mouse_moved)

    def set_data(self, frame: pd.DataFrame, *, x: str, y: str | Sequence[str],
                 series: str | None = None, lower: str | None = None, upper: str | None = None,
                 kind: str = "line", x_label: str = "", y_label: str = "",
                 percent: bool = False, reference: float | None = None,
                 dashed_after: float | None = None, title: str = "",
                 names: Mapping[str, str] | None = None, sort_x: bool = True) -> None:
        """Draw ``frame`` (an empty frame clears the chart: see :meth:`clear`).

        Parameters
        ----------
        y
            One column, or several (each becomes a series; ``series`` must then be None).
        names
            Display names of series (or of the ``y`` columns), e.g. ``{"csat": "CSAT"}``; used
            in the legend, the hover text and the chart's data.
        sort_x
            Sort categorical x values (periods); False keeps the frame's order (bars ranked
            by size).
        kind
            ``"line"`` or ``"bar"`` (grouped bars, one group per x value).
        percent
            Show y as a percentage (values are ratios in [0, 1]). Line charts then span at
            least :data:`MIN_PERCENT_SPAN` (see :func:`percent_view_range`) and label no
            tick above 100 % or below 0 % when the data stay inside [0, 1].
        """
        self.clear()
        if frame.empty:
            return
        self.percent = percent
        frame, series, y = _tidy(frame, x, y, series, lower, upper, names)
        self._place_x(frame, x, kind, sort_x)
        long_series = len(frame) > LONG_SERIES
        self.plot.setDownsampling(auto=long_series, mode="peak")
        self.plot.setClipToView(long_series)
        groups = [(str(k), g) for k, g in frame.groupby(series, sort=False, observed=True)] if series else [("", frame)]
        self.series_names = [name for name, _ in groups]
        width = 0.8 / max(len(groups), 1)
        for i, (name, g) in enumerate(groups):
            offset = (i - (len(groups) - 1) / 2) * width if kind == "bar" else 0.0
            self._draw_series(i, name, g.sort_values("_x"), y, lower, upper, kind, width, offset,
                              dashed_after)
        self._layout_legend()
        if reference is not None:
            self._add(pg.InfiniteLine(pos=reference, angle=0, movable=False,
                                      pen=pg.mkPen(self.colours.reference, width=1.5, style=Qt.PenStyle.DashLine)))
        self._label_axes(frame[y], x_label, y_label, percent, title)
        self.plot.addItem(self.hover, ignoreBounds=True)
        self.items.append(self.hover)
        self.hover.hide()
        self._tidy_source = (frame, x, y, series, lower, upper)
        shown = [c for c in ([x, series] if series else [x]) + [y, lower, upper] if c]
        self._set_frame(frame[list(dict.fromkeys(shown))])
        self._kind = kind
        self._reference = reference
        self.reset_view()

    def clear(self) -> None:
        """Remove everything drawn: items, legend, axis labels and ticks, title, the data
        behind the table view. A page calls it when its result has nothing for this chart, so
        no stale picture survives a reload."""
        for old in self.items:
            self.plot.removeItem(old)
        self.items = []
        self.legend.clear()
        self.legend_host.setFixedHeight(0)
        self.series_names = []
        self.x_labels = None
        self.percent = False
        bottom = self.plot.getAxis("bottom")
        bottom.setTicks(None)
        bottom.setHeight(None)
        self.plot.setLabel("bottom", "")
        self.plot.setLabel("left", "")
        self.plot.setTitle(None)
        self._tidy_source = None
        self._set_frame(pd.DataFrame())

    def _place_x(self, frame: pd.DataFrame, x: str, kind: str, sort_x: bool) -> None:
        """Set ``frame["_x"]``: numeric x as it is, categorical x at 0, 1, 2… with its labels
        on the axis (every label for bars, about ten for lines)."""
        if pd.api.types.is_numeric_dtype(frame[x]):
            frame["_x"] = frame[x].astype(float)
            return
        labels = list(pd.unique(frame[x].astype(str)))
        if sort_x:
            labels = sorted(labels)
        pos = {lab: i for i, lab in enumerate(labels)}
        frame["_x"] = frame[x].astype(str).map(pos).astype(float)
        self.x_labels = labels
        step = max(1, int(np.ceil(len(labels) / 10)))
        shown = [wrap_label(lab) for lab in labels] if kind == "bar" else labels
        bottom = self.plot.getAxis("bottom")
        bottom.setTicks([[(i, lab) for i, lab in enumerate(shown) if i % step == 0],
                         [(i, lab) for i, lab in enumerate(shown)]])
        lines = max((lab.count("\n") + 1 for lab in shown), default=1)
        line_height = QFontMetrics(bottom.style.get("tickFont") or self.font()).height()
        bottom.setHeight(None if lines == 1 else 20 + lines * line_height + 22)

    def _draw_series(self, i: int, name: str, g: pd.DataFrame, y: str, lower: str | None,
                     upper: str | None, kind: str, width: float, offset: float,
                     dashed_after: float | None) -> None:
        """One series: bars, or a line (dashed past ``dashed_after``), and its CI whiskers."""
        colour = QColor(self.colours.colour(i))
        gx = g["_x"].to_numpy(dtype=float)
        gy = g[y].to_numpy(dtype=float)
        if kind == "bar":
            bars = pg.BarGraphItem(x=gx + offset, height=np.nan_to_num(gy), width=width * 0.95,
                                   brush=pg.mkBrush(colour), pen=pg.mkPen(None))
            self._add(bars)
            if name:
                self.legend.addItem(bars, value_label(name))
        elif dashed_after is not None and np.any(gx > dashed_after):
            solid = gx <= dashed_after
            last = max(int(solid.sum()) - 1, 0)
            line = pg.PlotDataItem(gx[solid], gy[solid], pen=pg.mkPen(colour, width=2),
                                   symbol="o", symbolSize=5, symbolBrush=colour)
            self._add(line)
            if name:
                self.legend.addItem(line, value_label(name))
            dashed = pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine)
            self._add(pg.PlotDataItem(gx[last:], gy[last:], pen=dashed))
        else:
            line = pg.PlotDataItem(gx, gy, pen=pg.mkPen(colour, width=2), symbol="o",
                                   symbolSize=6, symbolBrush=colour, symbolPen=pg.mkPen(colour))
            self._add(line)
            if name:
                self.legend.addItem(line, value_label(name))
        if lower and upper and lower in g and upper in g:
            lo = g[lower].to_numpy(dtype=float)
            hi = g[upper].to_numpy(dtype=float)
            ok = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(gy)
            if ok.any():
                self._add(pg.ErrorBarItem(x=gx[ok] + offset, y=gy[ok], top=hi[ok] - gy[ok],
                                          bottom=gy[ok] - lo[ok], beam=min(0.2, width * 0.5),
                                          pen=pg.mkPen(colour, width=1.2)))

    def _label_axes(self, y_values: pd.Series, x_label: str, y_label: str, percent: bool,
                    title: str) -> None:
        self.plot.setLabel("bottom", x_label, **label_style(self.colours))
        self.plot.setLabel("left", y_label, **label_style(self.colours))
        values = pd.to_numeric(y_values, errors="coerce")
        top, low = values.max(), values.min()
        # ratios cannot exceed 100% or fall below 0%: no "110%" tick in the legend's head-room
        self.value_axis.set_percent(percent, cap=1.0 if pd.notna(top) and top <= 1.0 else None,
                                    floor=0.0 if pd.notna(low) and low >= 0.0 else None)
        self.plot.setTitle(title or None, color=self.colours.foreground, size="10pt")

    def reset_view(self) -> None:
        src = getattr(self, "_tidy_source", None)
        if src is None or src[0].empty:
            self.plot.enableAutoRange()
            return
        frame, _x, y, _s, lower, upper = src
        xs = frame["_x"].to_numpy(dtype=float)
        vals = [frame[c].to_numpy(dtype=float) for c in (y, lower, upper) if c and c in frame]
        if self._reference is not None:
            vals.append(np.array([self._reference], dtype=float))
        if self._kind == "bar":
            vals.append(np.zeros(1))
        v = np.concatenate(vals)
        v = v[np.isfinite(v)]
        x0, x1 = float(np.nanmin(xs)), float(np.nanmax(xs))
        pad_x = 0.6 if self.x_labels is not None or self._kind == "bar" else max(0.03 * (x1 - x0), 0.5)
        lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
        if self.percent and self._kind != "bar":
            lo, hi = percent_view_range(lo, hi)
        pad_y = 0.08 * (hi - lo) if hi > lo else 0.5 * max(abs(hi), 1e-3)
        if self._kind == "bar":
            lo = min(lo, 0.0)
        bottom = lo if self._kind == "bar" else lo - pad_y
        top = hi + pad_y
        self.plot.setRange(xRange=(x0 - pad_x, x1 + pad_x), yRange=(bottom, top), padding=0)

    def _layout_legend(self) -> None:
        """Legend rows in the band above the plot (:func:`base.layout_legend_band`)."""
        layout_legend_band(self, self.legend, self.legend_host, self.view, self.plot,
                           fallback_width=450)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        if self.legend.items:
            self._layout_legend()

    def _add(self, item: Any) -> None:
        self.plot.addItem(item)
        self.items.append(item)

    def curve_items(self) -> list[pg.PlotDataItem]:
        return [i for i in self.items if isinstance(i, pg.PlotDataItem)]

    def bar_items(self) -> list[pg.BarGraphItem]:
        return [i for i in self.items if isinstance(i, pg.BarGraphItem)]

    def _mouse_moved(self, event: Any) -> None:
        pos = event[0] if isinstance(event, tuple) else event
        frame = self.data_frame()
        if self._tidy_source is None or frame.empty or not self.plot.sceneBoundingRect().contains(pos):
            self.hover.hide()
            return
        pt = self.plot.getViewBox().mapSceneToView(pos)
        src, x, y, series, *_ = self._tidy_source
        near = src.loc[(src["_x"] - pt.x()).abs() <= 0.5 if self.x_labels else
                       (src["_x"] - pt.x()).abs() == (src["_x"] - pt.x()).abs().min()]
        if near.empty:
            self.hover.hide()
            return
        lines = [str(near[x].iloc[0])]
        for _, row in near.iterrows():
            val = row[y]
            text = "" if pd.isna(val) else (f"{val:.1%}" if self.percent else f"{val:,.3g}")
            lines.append(f"{row[series]}: {text}" if series else text)
        self.hover.setText("\n".join(lines))
        self.hover.setPos(pt.x(), pt.y())
        self.hover.show()


def wrap_label(text: str, width: int = 10) -> str:
    """Break a long category label at spaces into lines of about ``width`` characters, so
    neighbouring bar labels do not run into each other."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


__all__ = ["TrendChart", "ValueAxis", "percent_view_range"]
