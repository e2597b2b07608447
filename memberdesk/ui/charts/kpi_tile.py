"""KPI tile for the cockpit: name, value, change against the previous period (coloured by
whether the change is good for this metric) and a 12-month sparkline. Clicking emits the id."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from memberdesk.core.changes import percent_shown
from memberdesk.ui.charts import palette as pal


def tr(text: str) -> str:
    # pyside6-lupdate files bare tr("...") calls under the empty context, so look them up there
    return QCoreApplication.translate("", text)


def is_percent_unit(unit: str) -> bool:
    return unit in ("%", "ratio", "share", "rate", "percent", "pct")


def format_kpi(value: float | None, unit: str) -> str:
    """Display a KPI value in its unit (ratios as percentages)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if is_percent_unit(unit):
        return f"{value:.1%}"
    if unit in ("count", "policies", "members", "contacts", "claims", ""):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.4g}"
    if unit in ("seconds", "s"):
        return tr("{v:,.0f} s").format(v=value)
    if unit in ("days", "d"):
        return tr("{v:,.1f} days").format(v=value)
    if unit in ("months",):
        return tr("{v:,.1f} months").format(v=value)
    if unit in ("currency", "amount", "CNY", "¥", "premium"):
        return f"{value:,.0f}"
    return f"{value:,.4g} {unit}"


def shown_change(value: float, previous: float, unit: str) -> float:
    """The change as the tile writes it: points (pp) for ratios, a relative change in % when
    there is a previous value, else the plain difference; rounded as shown (one decimal:
    :func:`memberdesk.core.changes.percent_shown`, the rule the workbook's Dashboard follows;
    the plain difference to 4 significant digits), never -0.0."""
    diff = value - previous
    if is_percent_unit(unit):
        return percent_shown(diff)
    if previous:
        return percent_shown(diff / abs(previous))
    return float(f"{diff:.4g}") + 0.0  # -0.0 -> 0.0


def change_text(value: float | None, previous: float | None, unit: str) -> str:
    """'▲ 1.2 pp vs previous' (points for ratios, relative % otherwise). A change that shows as
    0.0 has no direction: '■ +0.0 pp', as the workbook's Dashboard."""
    if value is None or previous is None or any(isinstance(v, float) and math.isnan(v) for v in (value, previous)):
        return tr("no previous period")
    shown = shown_change(value, previous, unit)
    arrow = "▲" if shown > 0 else "▼" if shown < 0 else "■"
    if is_percent_unit(unit):
        return tr("{arrow} {d:+.1f} pp vs previous").format(arrow=arrow, d=shown)
    if previous:
        return tr("{arrow} {d:+.1%} vs previous").format(arrow=arrow, d=shown / 100)
    return tr("{arrow} {d:+,.4g} vs previous").format(arrow=arrow, d=shown)


def change_quality(value: float | None, previous: float | None, good_direction: str | None,
                   unit: str | None = None) -> str:
    """'good', 'bad' or 'neutral' for the change from previous to value (neutral when, in
    ``unit``, the change shows as 0.0: no colour for a change the reader cannot see)."""
    if value is None or previous is None or not good_direction:
        return "neutral"
    if any(isinstance(v, float) and math.isnan(v) for v in (value, previous)) or value == previous:
        return "neutral"
    if unit is not None and shown_change(value, previous, unit) == 0:
        return "neutral"
    up_is_good = str(good_direction).lower() in ("up", "higher", "increase", "high", "+")
    down_is_good = str(good_direction).lower() in ("down", "lower", "decrease", "low", "-")
    if not (up_is_good or down_is_good):
        return "neutral"
    return "good" if (value > previous) == up_is_good else "bad"


class KpiTile(QFrame):
    clicked = Signal(str)

    def __init__(self, kpi_id: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kpi_id = kpi_id
        self.colours = pal.current()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(150)
        self.name_label = QLabel(name)
        self.name_label.setWordWrap(True)
        self.value_label = QLabel("–")
        font = QFont(self.value_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.9)
        font.setBold(True)
        self.value_label.setFont(font)
        self.change_label = QLabel("")
        self.quality = "neutral"
        self.spark = pg.PlotWidget()
        self.spark.setBackground(None)
        self.spark.setFixedHeight(44)
        self.spark.hideAxis("left")
        self.spark.hideAxis("bottom")
        self.spark.setMouseEnabled(x=False, y=False)
        self.spark.setMenuEnabled(False)
        self.spark.hideButtons()
        self.spark.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        # the tile, not its sparkline, takes the keyboard: Tab reaches each tile once and
        # Enter/Space opens its definition as a click does (the sparklines were 13 blind stops)
        self.spark.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(name)
        self.spark_line = self.spark.plot([], [], pen=pg.mkPen(self.colours.colour(0), width=2))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.setSpacing(2)
        for w in (self.name_label, self.value_label, self.change_label, self.spark):
            layout.addWidget(w)
        self.setToolTip(tr("Click for the definition and lineage of this figure"))

    def set_values(self, value: float | None, previous: float | None, unit: str,
                   good_direction: str | None, trend: Sequence[float] | None = None) -> None:
        self.value_label.setText(format_kpi(value, unit))
        self.change_label.setText(change_text(value, previous, unit))
        self.quality = change_quality(value, previous, good_direction, unit)
        colour = {"good": self.colours.good, "bad": self.colours.bad}.get(self.quality, self.colours.neutral)
        self.change_label.setStyleSheet(f"color: {colour}; font-weight: bold;")
        y = np.asarray([np.nan if v is None else v for v in (trend or [])], dtype=float)
        if y.size and np.isfinite(y).any():
            self.spark_line.setData(np.arange(len(y), dtype=float), y)
            self.spark.show()
        else:
            self.spark_line.setData([], [])
            self.spark.hide()

    def change_colour(self) -> QColor:
        return QColor({"good": self.colours.good, "bad": self.colours.bad}.get(self.quality, self.colours.neutral))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit(self.kpi_id)
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt name
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt name
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt name
        super().paintEvent(event)
        if self.hasFocus():  # where the keyboard is: a highlight-coloured frame
            painter = QPainter(self)
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.drawRect(self.rect().adjusted(1, 1, -2, -2))
            painter.end()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.kpi_id)
        super().mouseReleaseEvent(event)


__all__: Any = ["KpiTile", "format_kpi", "change_text", "change_quality"]
