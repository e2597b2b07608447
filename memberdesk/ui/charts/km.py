"""Kaplan-Meier chart: step curves, CI bands, censor ticks, number-at-risk table, crosshair.

Conventions (docs/conventions.md): curves are right-continuous step functions, so each curve is drawn with
``stepMode='right'`` — ``survival[i]`` holds from ``timeline[i]`` up to ``timeline[i + 1]``. The
number at risk at time *t* is the number of subjects whose duration is ≥ *t*: the ``at_risk``
value of the first timeline point ≥ *t* (0 after the last one). The at-risk rows sit under the
x axis in a second plot whose x range is linked to the curves', and are recomputed at the
curves' tick positions whenever the range changes (zoom, pan, resize) — once per redraw:
:meth:`KMChart.set_curves` holds the updates its own range and visibility changes would
trigger and refreshes the labels once at the end.

The legend sits in its own row above the plot (as many columns as fit), never over the
curves. A curve of fewer than :data:`MIN_BAND_SUBJECTS` subjects gets no CI band — its band
would cover the whole chart and hide the other curves — and a footnote says so.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QFontMetrics, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QWidget

from memberdesk.analysis.step import step_index
from memberdesk.ui.charts.base import Chart, TextLegend, label_style, layout_legend_band, style_plot, tr
from memberdesk.ui.i18n import ci_text, value_label


@dataclass(frozen=True)
class ChartCurve:
    """One survival curve as the chart needs it, for curves that do not come from
    :class:`memberdesk.analysis.km.KMCurve` (which the chart also takes as it is). Times in the
    chart's unit (months or days).

    ``at_risk[i]`` = subjects at risk just before ``timeline[i]``; ``censored[i]`` = subjects
    censored at ``timeline[i]`` (a tick is drawn where it is > 0).
    """

    name: str
    timeline: np.ndarray
    survival: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    at_risk: np.ndarray
    censored: np.ndarray = field(default_factory=lambda: np.zeros(0))
    alpha: float = 0.05  # 1 - the confidence level of ci_lower/ci_upper


def at_risk_at(curve: Any, t: np.ndarray | float) -> np.ndarray:
    """Number at risk at time(s) ``t`` (subjects with duration ≥ t) of any curve object with
    ``timeline`` and ``at_risk`` arrays."""
    timeline = np.asarray(curve.timeline, dtype=float)
    idx = np.searchsorted(timeline, np.asarray(t, dtype=float), side="left")
    padded = np.append(np.asarray(curve.at_risk, dtype=float), 0.0)
    return padded[np.minimum(idx, len(timeline))]


def index_at(curve: Any, t: float) -> int:
    """Index of the step that holds at time ``t`` (−1 before the first time)."""
    return int(step_index(curve.timeline, [t])[0])


class _CurveItems:
    """The reusable plot items of one curve."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.line = pg.PlotDataItem(stepMode="right")
        self.band = QGraphicsPathItem()
        self.band.setPen(pg.mkPen(None))
        self.band_x = np.zeros(0)
        self.band_y = np.zeros(0)
        self.ticks = pg.ScatterPlotItem(symbol="s", size=7, pxMode=True)
        self.ticks.setSymbol(_CENSOR_SYMBOL)
        self.band.setZValue(-10)
        for item in (self.band, self.line, self.ticks):
            plot.addItem(item)
        self.line.visibleChanged.connect(self._sync_visibility)
        self.on_visibility: list[Any] = []

    def _sync_visibility(self) -> None:
        visible = self.line.isVisible()
        for item in (self.band, self.ticks):
            item.setVisible(visible)
        for callback in self.on_visibility:
            callback()

    def remove(self, plot: pg.PlotItem) -> None:
        for item in (self.band, self.line, self.ticks):
            plot.removeItem(item)

    def set_band(self, t: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """One closed polygon: the upper CI as a right-step curve, back along the lower one.
        (pyqtgraph's FillBetweenItem rebuilds its path from two curves on every change and
        was 80% of the redraw time with a million policies.)"""
        if len(t) == 0:
            self.band_x, self.band_y = np.zeros(0), np.zeros(0)
            self.band.setPath(QPainterPath())
            return
        ux, uy = step_vertices(t, upper)
        lx, ly = step_vertices(t, lower)
        self.band_x = np.concatenate([ux, lx[::-1]])
        self.band_y = np.concatenate([uy, ly[::-1]])
        ok = np.isfinite(self.band_x) & np.isfinite(self.band_y)
        path = pg.arrayToQPath(self.band_x[ok], self.band_y[ok], connect="all")
        path.closeSubpath()
        self.band.setPath(path)


def step_vertices(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of a right-continuous step curve: (x0,y0) (x1,y0) (x1,y1) … (xn,yn)."""
    vx = np.repeat(np.asarray(x, dtype=float), 2)[1:]
    vy = np.repeat(np.asarray(y, dtype=float), 2)[:-1]
    return vx, vy


def _censor_symbol() -> Any:
    path = QPainterPath()
    path.moveTo(0, -0.5)
    path.lineTo(0, 0.5)
    return path


_CENSOR_SYMBOL = _censor_symbol()
MAX_CENSOR_TICKS = 150
# the y range: a little room above 100 % and below 0 %, so curves at 1 (the start) and at 0
# (every claim settled) are not drawn on the plot's frame; ticks are percentages like every
# other share in the app (tables, hover), labelled from 0 % to 100 % only
Y_TOP = 1.05
Y_BOTTOM = -0.03
MIN_BAND_SUBJECTS = 30  # fewer subjects: no CI band (it would span most of the chart)
MIN_PLOT_HEIGHT = 200  # px of data area: never collapses under a long at-risk table (17 C.13)
MAX_RISK_ROWS = 7  # at-risk rows shown at once (six groups + "Other"); more scroll (wheel/drag)
MIN_RISK_ROWS = 3  # a short chart still shows this many at-risk rows (the rest scroll)
# after the palette's colours are used once, the next groups get these line styles
LINE_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine,
               Qt.PenStyle.DashDotLine)


def line_style(i: int, n_colours: int) -> Qt.PenStyle:
    """Solid for the first ``n_colours`` groups, then dashed, dotted…: distinct beyond 8."""
    return LINE_STYLES[(i // max(n_colours, 1)) % len(LINE_STYLES)]


def ci_level_of(curves: Sequence[Any]) -> float:
    """The two-sided confidence level of the curves' bands (``1 - alpha`` of the first curve;
    0.95 for curves that do not say): what the hover and footnote name."""
    for curve in curves:
        alpha = getattr(curve, "alpha", None)
        if alpha is not None and 0 < float(alpha) < 1:
            return 1.0 - float(alpha)
    return 0.95


def censor_tick_budget(n_curves: int) -> int:
    """Censor ticks drawn per curve: :data:`MAX_CENSOR_TICKS` for a few curves, fewer for
    many (about 600 in all, at least 40 each), so nine cohorts do not become solid bars."""
    return int(max(40, min(MAX_CENSOR_TICKS, 600 // max(n_curves, 1))))


def subjects(curve: Any) -> int:
    """Subjects of a curve: the number at risk at its first time."""
    at_risk = np.asarray(curve.at_risk, dtype=float)
    return int(np.nanmax(at_risk)) if at_risk.size else 0


class KMChart(Chart):
    """Kaplan-Meier curves of one or more segments with an aligned number-at-risk table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # row 0: legend band; 1: curves; 2-3: number at risk; 4: footnote
        self.legend_host = pg.GraphicsWidget()
        self.legend_host.setFixedHeight(0)
        self.view.ci.addItem(self.legend_host, row=0, col=0)
        self.legend = TextLegend(offset=None, labelTextColor=self.colours.foreground,
                                    brush=None, pen=None, frame=False)
        self.legend.setParentItem(self.legend_host)
        # pyqtgraph's legend ignores the view's transformations (so it keeps its size when a
        # plot zooms); in its own row it does not need that, and with it a PNG export drew the
        # legend at half the size of everything else
        self.legend.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, False)
        self.plot = self.add_plot(row=1, col=0)
        self.plot.getViewBox().setMinimumHeight(MIN_PLOT_HEIGHT)  # the data area itself
        self.plot.setDownsampling(auto=True, mode="peak")
        self.plot.setClipToView(True)
        self.plot.setLabel("left", tr("Share still in force"), **label_style(self.colours))
        self.plot.getAxis("left").set_percent(True)
        self.plot.setYRange(Y_BOTTOM, Y_TOP, padding=0)
        self.risk_title = pg.LabelItem(tr("Number at risk"), color=self.colours.foreground,
                                       size="9pt", justify="left")
        self.view.ci.addItem(self.risk_title, row=2, col=0)
        self.risk = self.add_plot(row=3, col=0)
        self.risk.setXLink(self.plot)
        self.risk.hideButtons()
        self.risk.setMouseEnabled(x=False, y=False)
        self.risk.setMenuEnabled(False)
        self.risk.showGrid(x=False, y=False)
        self.risk.showAxis("bottom", False)
        self.risk.getAxis("left").setPen(pg.mkPen(None))
        self.risk.getViewBox().invertY(True)
        self.footnote = pg.LabelItem("", color=self.colours.neutral, size="8pt", justify="left")
        self.view.ci.addItem(self.footnote, row=4, col=0)
        self.view.ci.layout.setRowStretchFactor(1, 1)

        self.crosshair = pg.InfiniteLine(angle=90, movable=False,
                                         pen=pg.mkPen(self.colours.neutral, style=Qt.PenStyle.DashLine))
        self.hover = pg.TextItem(anchor=(0, 0), color=self.colours.foreground,
                                 fill=pg.mkBrush(QColor(self.colours.background)),
                                 border=pg.mkPen(self.colours.neutral))
        self.crosshair.setZValue(20)
        self.hover.setZValue(30)
        self.plot.addItem(self.crosshair, ignoreBounds=True)
        self.plot.addItem(self.hover, ignoreBounds=True)
        self.crosshair.hide()
        self.hover.hide()
        self._mouse_proxy = pg.SignalProxy(self.view.scene().sigMouseMoved, rateLimit=60,
                                           slot=self._mouse_moved)

        self.curves: list[ChartCurve] = []
        self._items: list[_CurveItems] = []
        self._risk_texts: list[pg.TextItem] = []
        self.risk_ticks: np.ndarray = np.zeros(0)
        self.unit = "months"
        self.p_value: float | None = None
        self.no_band: list[str] = []  # curves drawn without a CI band (too few subjects)
        self.ci_level = 0.95  # the level of the curves' bands (hover and footnote name it)
        self.risk_updates = 0  # at-risk label refreshes so far (one per redraw)
        self._holding_risk = False
        self.plot.getViewBox().sigXRangeChanged.connect(self._update_at_risk)
        self.risk.getViewBox().sigYRangeChanged.connect(self._update_risk_title)
        self.plot.getViewBox().sigResized.connect(self._resized)
        self._risk_width = -1.0  # plot width the at-risk ticks were placed for
        self._risk_row_px = 18
        self.risk_rows_shown = 1
        self.view.ci.layout.setRowFixedHeight(4, 0)

    # ---- data ---------------------------------------------------------------------------

    def set_curves(self, curves: Sequence[Any], *, unit: str = "months",
                   p_value: float | None = None, test_label: str = "",
                   x_label: str | None = None) -> None:
        """Draw ``curves`` (replacing the previous ones; plot items are reused).

        A curve is any object with ``name``, ``timeline``, ``survival``, ``ci_lower``,
        ``ci_upper``, ``at_risk`` and ``censored`` (:class:`ChartCurve` here, or the analysis
        layer's ``memberdesk.analysis.km.KMCurve``). ``x_label`` replaces the default
        "Time since issue (unit)" for curves with another time origin (claims: report date)."""
        self._holding_risk = True  # range and visibility changes below: one label update at the end
        try:
            self._set_curves(curves, unit, p_value, test_label, x_label)
        finally:
            self._holding_risk = False
        self._update_at_risk()
        self._set_frame(self._tidy())

    def _set_curves(self, curves: Sequence[Any], unit: str, p_value: float | None,
                    test_label: str, x_label: str | None) -> None:
        self.curves = list(curves)
        self.unit = unit
        self.p_value = p_value
        while len(self._items) > len(self.curves):
            self._items.pop().remove(self.plot)
        while len(self._items) < len(self.curves):
            items = _CurveItems(self.plot)
            items.on_visibility.append(self._update_at_risk)
            self._items.append(items)
        self.legend.clear()
        self.no_band = []
        self.ci_level = ci_level_of(self.curves)
        tick_budget = censor_tick_budget(len(self.curves))
        for i, (curve, items) in enumerate(zip(self.curves, self._items)):
            colour = QColor(self.colours.colour(i))
            band = QColor(colour)
            band.setAlpha(50)
            t = np.asarray(curve.timeline, dtype=float)
            name = value_label(curve.name)
            style = line_style(i, len(self.colours.series))
            items.line.setData(t, np.asarray(curve.survival, dtype=float),
                               pen=pg.mkPen(colour, width=2, style=style), name=name)
            if subjects(curve) >= MIN_BAND_SUBJECTS:
                items.set_band(t, np.asarray(curve.ci_lower, dtype=float),
                               np.asarray(curve.ci_upper, dtype=float))
            else:
                items.set_band(np.zeros(0), np.zeros(0), np.zeros(0))
                self.no_band.append(name)
            items.band.setBrush(pg.mkBrush(band))
            censored = np.asarray(curve.censored, dtype=float)
            if len(censored) == len(t) and len(t):
                mask = censored > 0
                where = np.flatnonzero(mask)
                if where.size > tick_budget:  # keep the chart readable and fast
                    keep = where[np.linspace(0, where.size - 1, tick_budget).astype(int)]
                    mask = np.zeros_like(mask)
                    mask[keep] = True
                items.ticks.setData(t[mask], np.asarray(curve.survival, dtype=float)[mask],
                                    pen=pg.mkPen(colour, width=1.5), brush=None)
            else:
                items.ticks.setData([], [])
            items.line.setVisible(True)
            self.legend.addItem(items.line, name)
        self._layout_legend()
        self.footnote.setText(ci_text(tr(
            "No 95% CI band for groups of fewer than {n} subjects: {names}"), self.ci_level).format(
            n=MIN_BAND_SUBJECTS, names=", ".join(self.no_band)) if self.no_band else "")
        self.view.ci.layout.setRowFixedHeight(4, 18 if self.no_band else 0)
        if x_label is None:
            x_label = tr("Time since issue ({unit})").format(unit=self._unit_text())
        self.plot.setLabel("bottom", x_label, **label_style(self.colours))
        self.plot.setTitle(self._title_text(p_value, test_label), color=self.colours.foreground,
                           size="10pt")
        self._layout_risk_table()
        self._hold_minimum_height()
        self.reset_view()

    def _layout_legend(self) -> None:
        """Legend rows above the plot, as many columns as fit the chart's width
        (:func:`base.layout_legend_band`, the band the rows' text high), then the widget's
        minimum height for the new band."""
        layout_legend_band(self, self.legend, self.legend_host, self.view, self.plot,
                           fallback_width=600, fit_legend_box=False)
        self._hold_minimum_height()

    def _hold_minimum_height(self) -> None:
        """The widget asks for the height its rows need (legend, the plot's minimum data area,
        axes, :data:`MIN_RISK_ROWS` at-risk rows, the footnote), so a splitter or a small
        window cannot squash the curves or cut at-risk rows off — on screen and in the PNG
        export; then shows as many at-risk rows as fit (:meth:`_fit_risk_rows`)."""
        shown = self.risk_rows_shown
        self._set_risk_rows(min(max(len(self.curves), 1), MIN_RISK_ROWS))
        self.view.ci.layout.invalidate()  # the rows' fixed heights just changed
        hint = self.view.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize).height()
        margins = self.view.ci.getContentsMargins()
        self.view.setMinimumHeight(int(np.ceil(hint + margins[1] + margins[3])) + 4)
        self._set_risk_rows(shown)
        self._fit_risk_rows()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        if self.curves:
            self._layout_legend()  # which also fits the at-risk rows to the new height

    def _unit_text(self) -> str:
        return tr("months") if self.unit == "months" else tr("days") if self.unit == "days" else self.unit

    def _title_text(self, p_value: float | None, label: str) -> str:
        if p_value is None:
            return ""
        p = f"{p_value:.4f}" if p_value >= 1e-4 else "&lt; 0.0001"
        return (label or tr("Log-rank test")) + ": p " + (p if p.startswith("&") else "= " + p)

    def _tidy(self) -> pd.DataFrame:
        frames = [pd.DataFrame({
            "segment": c.name, "time": np.asarray(c.timeline, dtype=float),
            "survival": c.survival, "ci_lower": c.ci_lower, "ci_upper": c.ci_upper,
            "at_risk": np.asarray(c.at_risk), "censored": c.censored if len(c.censored) == len(c.timeline) else 0,
        }) for c in self.curves]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["segment", "time", "survival", "ci_lower", "ci_upper", "at_risk", "censored"])

    def reset_view(self) -> None:
        t_max = max((float(np.max(c.timeline)) for c in self.curves if len(c.timeline)), default=1.0)
        t_max = t_max if t_max > 0 else 1.0
        vb = self.plot.getViewBox()
        vb.setLimits(xMin=-0.05 * t_max, xMax=1.1 * t_max, yMin=-0.05, yMax=1.1)
        self.plot.setXRange(0, t_max, padding=0.02)
        self.plot.setYRange(Y_BOTTOM, Y_TOP, padding=0)

    # ---- number-at-risk table -----------------------------------------------------------

    def _layout_risk_table(self) -> None:
        n = len(self.curves)
        names = [value_label(c.name) for c in self.curves]
        axis = self.risk.getAxis("left")
        axis.setTicks([[(i, name) for i, name in enumerate(names)], []])
        metrics = QFontMetrics(axis.font() if hasattr(axis, "font") else self.font())
        label_width = max([metrics.horizontalAdvance(s) for s in names] + [40]) + 16
        width = max(label_width, 60)
        axis.setWidth(width)
        self.plot.getAxis("left").setWidth(width)
        self._risk_row_px = max(metrics.height() + 4, 18)
        self._set_risk_rows(min(max(n, 1), MAX_RISK_ROWS))

    def _set_risk_rows(self, shown: int) -> None:
        """Show ``shown`` at-risk rows at once; the others scroll (wheel / drag)."""
        n = len(self.curves)
        self.risk_rows_shown = shown
        self.risk.setFixedHeight(self._risk_row_px * shown + 8)
        self.risk.getViewBox().setLimits(yMin=-0.5, yMax=max(n, 1) - 0.5)
        self.risk.setYRange(-0.5, shown - 0.5, padding=0)
        self.risk.setMouseEnabled(x=False, y=n > shown)
        self._update_risk_title()

    def export_target(self) -> Any:
        """For a PNG export: every drawn group's at-risk row (up to :data:`MAX_RISK_ROWS`) —
        paper cannot scroll. The view grows by the hidden rows for the render and goes back
        to its size on the next event-loop pass."""
        wanted = min(len(self.curves), MAX_RISK_ROWS)
        extra = (wanted - self.risk_rows_shown) * self._risk_row_px
        if extra > 0:
            size = self.view.size()
            self._set_risk_rows(wanted)
            self.view.resize(size.width(), size.height() + extra)
            self.view.ci.layout.activate()
            QTimer.singleShot(0, lambda: self._after_export(size.height()))
        return super().export_target()

    def _after_export(self, height: int) -> None:
        self._set_risk_rows(min(max(len(self.curves), 1), MIN_RISK_ROWS))  # the layout's minimum
        self.view.resize(self.view.width(), height)
        # the chart's layout may have put the view back already (no resize event then): lay
        # the scene out on the view's size in any case, as the view's resizeEvent does
        self.view.resizeEvent(None)
        self._fit_risk_rows()
        self.view.ci.layout.activate()

    def _update_risk_title(self, *args: Any) -> None:
        """"Number at risk", with the rows in view when the others scroll: "1–3 / 7 ↕"."""
        n = len(self.curves)
        text = tr("Number at risk")
        if n > self.risk_rows_shown:
            y0 = self.risk.getViewBox().viewRange()[1][0]
            first = int(min(max(round(y0 + 0.5), 0), n - self.risk_rows_shown))
            text += f"   {first + 1}–{first + self.risk_rows_shown} / {n} ↕"
        self.risk_title.setText(text)

    def _fit_risk_rows(self) -> None:
        """As many at-risk rows as the height allows (between :data:`MIN_RISK_ROWS` and
        :data:`MAX_RISK_ROWS`, at most one per curve): a short window scrolls the rows, it
        never squashes the curves nor cuts rows off."""
        wanted = min(max(len(self.curves), 1), MAX_RISK_ROWS)
        spare = self.view.height() - self.view.minimumHeight()
        fit = min(wanted, min(wanted, MIN_RISK_ROWS) + max(spare, 0) // self._risk_row_px)
        if fit != self.risk_rows_shown:
            self._set_risk_rows(int(fit))

    def _tick_positions(self) -> np.ndarray:
        (x0, x1) = self.plot.getViewBox().viewRange()[0]
        axis = self.plot.getAxis("bottom")
        size = axis.geometry().width() or 600.0
        levels = axis.tickValues(x0, x1, size)
        ticks = np.asarray(levels[0][1] if levels else [], dtype=float)
        return ticks[(ticks >= max(x0, 0.0)) & (ticks <= x1)]

    def _resized(self, *args: Any) -> None:
        # the tick positions depend on the width only; a taller/shorter risk table or legend
        # changes the height on every segment change and must not redo the labels
        if self.plot.getViewBox().width() != self._risk_width:
            self._update_at_risk()

    def _update_at_risk(self, *args: Any) -> None:
        if self._holding_risk:  # set_curves refreshes once when it is done
            return
        self.risk_updates += 1
        self._risk_width = self.plot.getViewBox().width()
        ticks = self._tick_positions() if self.curves else np.zeros(0)
        self.risk_ticks = ticks
        needed = len(ticks) * len(self.curves)
        while len(self._risk_texts) < needed:
            text = pg.TextItem(anchor=(0.5, 0.5), color=self.colours.foreground)
            self.risk.addItem(text, ignoreBounds=True)
            self._risk_texts.append(text)
        k = 0
        for i, curve in enumerate(self.curves):
            colour = QColor(self.colours.colour(i))
            counts = at_risk_at(curve, ticks)
            visible = self._items[i].line.isVisible() if i < len(self._items) else True
            for t, count in zip(ticks, counts):
                text = self._risk_texts[k]
                text.setText(f"{int(count):,}")
                text.setColor(colour if visible else QColor(self.colours.neutral))
                text.setPos(float(t), float(i))
                text.show()
                k += 1
        for text in self._risk_texts[k:]:
            text.hide()

    def risk_table(self) -> pd.DataFrame:
        """The at-risk numbers currently shown: one row per segment, one column per tick."""
        return pd.DataFrame({float(t): [int(at_risk_at(c, float(t))) for c in self.curves]
                             for t in self.risk_ticks},
                            index=[c.name for c in self.curves])

    # ---- hover --------------------------------------------------------------------------

    def values_at(self, t: float) -> list[dict[str, Any]]:
        """Exact values of every visible curve at time ``t`` (what the hover label shows)."""
        out = []
        for curve, items in zip(self.curves, self._items):
            if not items.line.isVisible():
                continue
            i = index_at(curve, t)
            if i < 0:
                continue
            out.append({"segment": curve.name, "time": t, "survival": float(curve.survival[i]),
                        "ci_lower": float(curve.ci_lower[i]), "ci_upper": float(curve.ci_upper[i]),
                        "at_risk": int(at_risk_at(curve, t))})
        return out

    def show_hover(self, t: float) -> None:
        rows = self.values_at(t)
        if not rows:
            self.crosshair.hide()
            self.hover.hide()
            return
        lines = [tr("t = {t:.1f} {unit}").format(t=t, unit=self._unit_text())]
        for r in rows:
            lines.append(ci_text(tr("{name}: {s:.1%} (95% CI {lo:.1%}–{hi:.1%}), at risk {n:,}"),
                                 self.ci_level).format(
                name=value_label(r["segment"]), s=r["survival"], lo=r["ci_lower"], hi=r["ci_upper"], n=r["at_risk"]))
        self.hover.setText("\n".join(lines))
        self.crosshair.setPos(t)
        (x0, x1), (y0, y1) = self.plot.getViewBox().viewRange()
        right_half = t > (x0 + x1) / 2
        self.hover.setAnchor((1, 0) if right_half else (0, 0))
        self.hover.setPos(t, y1)
        self.crosshair.show()
        self.hover.show()

    def _mouse_moved(self, event: Any) -> None:
        pos = event[0] if isinstance(event, tuple) else event
        if not self.curves or not self.plot.sceneBoundingRect().contains(pos):
            self.crosshair.hide()
            self.hover.hide()
            return
        point: QPointF = self.plot.getViewBox().mapSceneToView(pos)
        self.show_hover(float(point.x()))

    def leaveEvent(self, event: Any) -> None:  # noqa: N802 - Qt name
        self.crosshair.hide()
        self.hover.hide()
        super().leaveEvent(event)


__all__ = ["ChartCurve", "KMChart", "style_plot"]
