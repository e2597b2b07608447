"""The KM chart's legend is laid out by the shared helper (ui/charts/base.layout_legend_band),
with pyqtgraph's re-lay workaround: after the chart is drawn narrow and then widened (as the
Retention page does when it first shows), the legend's columns are as wide as their entries —
before, stale grid columns left a wide gap after a long name. The KM look is kept: its band is
the rows' text high (``fit_legend_box=False``) and the legend starts at the plot's left edge,
as the trend chart's now does too (pyqtgraph's updateSize had put it back at x = 0)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtGui import QFontMetrics

from memberdesk.ui.charts.km import ChartCurve, KMChart

NAMES = ["agency", "bancassurance", "broker", "online", "partner platform"]


def _curve(name: str, k: int) -> ChartCurve:
    t = np.arange(1.0, 61.0)
    s = np.exp(-t * (0.005 + 0.001 * k))
    return ChartCurve(name=name, timeline=t, survival=s, ci_lower=s * 0.95,
                      ci_upper=np.minimum(s * 1.05, 1), at_risk=np.linspace(500, 50, 60),
                      censored=np.zeros(60))


def _gaps(chart: Any) -> list[float]:
    """Space between the end of each label's text and the start of the next in its row (px)."""
    out = []
    pos = [(lbl.item.mapToScene(0, 0), lbl.item.boundingRect().width())
           for _s, lbl in chart.legend.items]
    for (a, wa), (b, _wb) in zip(pos, pos[1:]):
        if round(a.y()) == round(b.y()):
            out.append(b.x() - (a.x() + wa))
    return out


def test_km_legend_columns_fit_their_entries_after_a_resize(qtbot: Any) -> None:
    chart = KMChart()
    qtbot.addWidget(chart)
    chart.resize(500, 700)
    chart.show()
    chart.set_curves([_curve(n, k) for k, n in enumerate(NAMES)])
    qtbot.wait(20)
    chart.resize(1400, 700)
    qtbot.waitUntil(lambda: chart.legend.columnCount == len(NAMES))
    gaps = _gaps(chart)
    assert len(gaps) == len(NAMES) - 1                 # one row
    assert max(gaps) - min(gaps) <= 1.0                # every column as wide as its entry


def test_km_band_height_and_legend_position_are_kept(qtbot: Any) -> None:
    chart = KMChart()
    qtbot.addWidget(chart)
    chart.resize(600, 700)
    chart.show()
    chart.set_curves([_curve(f"Region number {k}", k) for k in range(9)])
    chart.resize(620, 700)                             # laid out again at the shown width
    qtbot.wait(20)
    cols = chart.legend.columnCount
    rows = -(-9 // cols)
    metrics = QFontMetrics(chart.font())
    # the KM band: the rows' text only (its look before the shared helper)
    assert chart.legend_host.height() == rows * max(metrics.height() + 4, 20) + 4
    assert chart.legend.pos().x() == chart.plot.getAxis("left").width() + 4
    # the widget holds a minimum height for the band and the plot's data area
    assert chart.view.minimumHeight() >= chart.legend_host.height() + 200


def test_trend_legend_starts_at_the_plot_edge(qtbot: Any) -> None:
    from memberdesk.ui.charts.lines import TrendChart

    chart = TrendChart()
    qtbot.addWidget(chart)
    chart.resize(900, 500)
    chart.show()
    chart.set_data(pd.DataFrame({"period": np.tile(np.arange(5.0), 2),
                                 "value": np.r_[[0.9] * 5, [0.8] * 5],
                                 "group": ["a"] * 5 + ["b"] * 5}),
                   x="period", y="value", series="group")
    qtbot.wait(20)
    assert chart.legend.pos().x() == chart.plot.getAxis("left").width() + 4
    # its band keeps the legend's own height (fit_legend_box, the default)
    assert chart.legend_host.height() >= chart.legend.boundingRect().height()
