"""KM chart with many groups (issue 17 C.13): the plot keeps a minimum height, the at-risk
table shows as many rows as fit, at most seven (six + "Other"), and scrolls; groups beyond the
palette get line styles."""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt

from memberdesk.ui.charts.km import MAX_RISK_ROWS, MIN_PLOT_HEIGHT, MIN_RISK_ROWS, ChartCurve, KMChart


def _curve(name: str, k: int) -> ChartCurve:
    t = np.arange(1.0, 61.0)
    s = np.exp(-t * (0.005 + 0.001 * k))
    return ChartCurve(name=name, timeline=t, survival=s, ci_lower=s * 0.95, ci_upper=np.minimum(s * 1.05, 1),
                      at_risk=np.linspace(500, 50, 60), censored=np.zeros(60))


def test_twelve_groups_keep_the_plot_tall(qtbot: Any) -> None:
    chart = KMChart()
    qtbot.addWidget(chart)
    chart.resize(900, 480)
    chart.show()
    chart.set_curves([_curve(f"Region {k}", k) for k in range(12)])
    qtbot.wait(50)
    assert chart.plot.geometry().height() >= MIN_PLOT_HEIGHT - 1
    (y0, y1) = chart.risk.getViewBox().viewRange()[1]
    # as many rows as fit the height (at least MIN_RISK_ROWS, at most MAX_RISK_ROWS); the rest
    # scroll. 480 px holds four rows under a plot whose data area keeps MIN_PLOT_HEIGHT
    assert round(y1 - y0) == chart.risk_rows_shown
    assert MIN_RISK_ROWS <= chart.risk_rows_shown <= MAX_RISK_ROWS
    assert chart.risk.getViewBox().state["mouseEnabled"][1]  # the other groups scroll
    styles = [item.line.opts["pen"].style() for item in chart._items]
    assert styles[:8] == [Qt.PenStyle.SolidLine] * 8
    assert styles[8] == Qt.PenStyle.DashLine
