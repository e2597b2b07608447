"""KM chart with many groups (issue 17 C.13): the plot keeps a minimum height, the at-risk
table shows at most six rows at once (scrolls), groups beyond the palette get line styles."""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt

from memberdesk.ui.charts.km import MAX_RISK_ROWS, MIN_PLOT_HEIGHT, ChartCurve, KMChart


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
    assert round(y1 - y0) == MAX_RISK_ROWS  # six rows shown, the rest scroll
    styles = [item.line.opts["pen"].style() for item in chart._items]
    assert styles[:8] == [Qt.PenStyle.SolidLine] * 8
    assert styles[8] == Qt.PenStyle.DashLine
