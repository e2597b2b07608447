"""Chart polish: end labels of value axes are drawn whole, shares are labelled as
percentages everywhere (KM, projection, decrements, heat-map colour bar), and percentage
trend lines do not magnify small changes. Checked on axis ranges and on the tick texts the
axes would draw (``generateDrawSpecs``), not on pixels."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from memberdesk.ui.charts.base import ChartPanel, ValueAxis
from memberdesk.ui.charts.heatmap import HeatmapChart
from memberdesk.ui.charts.km import ChartCurve, KMChart
from memberdesk.ui.charts.lines import MIN_PERCENT_SPAN, TrendChart, percent_view_range
from memberdesk.ui.charts.projection import FittedCurve, ProjectionChart
from memberdesk.ui.charts.stacked import StackedIncidenceChart


def drawn_labels(axis) -> list[str]:
    """The tick texts ``axis`` paints (pyqtgraph leaves out labels that do not fit). The first
    pass lets the axis widen for its longest label ("100%"), as its first paint would."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    specs = None
    for _ in range(2):
        painter = QPainter(image)
        try:
            specs = axis.generateDrawSpecs(painter)
        finally:
            painter.end()
        QApplication.processEvents()
    return [text for _rect, _flags, text in specs[2]] if specs else []


def _show(qtbot, chart, width: int = 700, height: int = 420):
    panel = ChartPanel(chart, "t")
    qtbot.addWidget(panel)
    panel.resize(width, height)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def _km_curve(name: str, survival: list[float]) -> ChartCurve:
    t = np.arange(len(survival), dtype=float)
    s = np.asarray(survival)
    return ChartCurve(name=name, timeline=t, survival=s, ci_lower=s * 0.95, ci_upper=np.minimum(s * 1.05, 1),
                   at_risk=np.linspace(100, 10, len(s)), censored=np.zeros(len(s)))


# ---- 1. end labels and KM percentages ---------------------------------------------------

@pytest.mark.parametrize("height", [300, 520])
def test_an_edge_label_is_drawn_even_when_the_range_ends_exactly_on_it(qtbot, height: int) -> None:
    # the situation that hid "0" under the KM curves: grid on, y range exactly (0, 1)
    chart = TrendChart()
    _show(qtbot, chart, 600, height)
    chart.plot.setYRange(0.0, 1.0, padding=0)
    axis = chart.plot.getAxis("left")
    assert isinstance(axis, ValueAxis)
    labels = drawn_labels(axis)
    assert "0" in labels  # on the bottom edge: dropped before ValueAxis reached past it
    assert "1" in labels or "1.0" in labels  # on the top edge


@pytest.mark.parametrize("height", [380, 600])
def test_km_y_axis_shows_0_and_100_percent_whole(qtbot, height: int) -> None:
    chart = KMChart()
    _show(qtbot, chart, 800, height)
    chart.set_curves([_km_curve("a", [1.0, 0.6, 0.2, 0.0]), _km_curve("b", [1.0, 0.9, 0.8, 0.7])])
    (y0, y1) = chart.plot.getViewBox().viewRange()[1]
    assert y0 < 0.0 < 1.0 < y1  # a curve that reaches 0 (or starts at 1) is not on the frame
    labels = drawn_labels(chart.plot.getAxis("left"))
    assert "0%" in labels and "100%" in labels
    assert all(label.endswith("%") for label in labels)  # like the tables and the hover
    assert "-5%" not in labels and "105%" not in labels
    chart.reset_view()
    assert chart.plot.getViewBox().viewRange()[1][0] < 0.0


def test_projection_and_decrements_label_shares_as_percentages(qtbot) -> None:
    proj = ProjectionChart()
    _show(qtbot, proj)
    t = np.linspace(0, 24, 25)
    proj.set_projection(t, np.exp(-t / 40), [FittedCurve("weibull", t, np.exp(-t / 41), np.zeros(0),
                                                         np.zeros(0))], last_observed=20)
    labels = drawn_labels(proj.plot.getAxis("left"))
    assert "0%" in labels and "100%" in labels and all(s.endswith("%") for s in labels)

    stacked = StackedIncidenceChart()
    _show(qtbot, stacked)
    stacked.set_incidence(t, {"lapsed": np.linspace(0, 0.3, 25), "death": np.linspace(0, 0.02, 25)})
    labels = drawn_labels(stacked.plot.getAxis("left"))
    assert "0%" in labels and all(s.endswith("%") for s in labels)
    assert "30%" in labels  # top edge 0.32 -> range to ~0.35


# ---- 2. percentage trend lines ----------------------------------------------------------

def test_percent_view_range_rule_by_hand() -> None:
    assert MIN_PERCENT_SPAN == pytest.approx(0.10)
    # 30-33 %: 3 points wide -> 10 points centred on 31.5 %: 26.5 %-36.5 %
    assert percent_view_range(0.30, 0.33) == pytest.approx((0.265, 0.365))
    # 98-99.5 %: centred would be 93.75-103.75 %, shifted under the 100 % ceiling
    assert percent_view_range(0.98, 0.995) == pytest.approx((0.90, 1.00))
    # 0-2 %: shifted above the 0 % floor
    assert percent_view_range(0.0, 0.02) == pytest.approx((0.0, 0.10))
    # already wider than 10 points: unchanged
    assert percent_view_range(0.55, 1.0) == (0.55, 1.0)


def test_narrow_usage_rate_is_not_magnified(qtbot) -> None:
    chart = TrendChart()
    _show(qtbot, chart)
    rates = [0.333, 0.324, 0.325, 0.321, 0.313, 0.303, 0.303, 0.308]
    frame = pd.DataFrame({"month": [f"2025-{m:02d}" for m in range(1, 9)], "usage_rate": rates})
    chart.set_data(frame, x="month", y="usage_rate", percent=True)
    (y0, y1) = chart.plot.getViewBox().viewRange()[1]
    assert y1 - y0 >= MIN_PERCENT_SPAN
    assert y0 < min(rates) and max(rates) < y1
    # the 3-point drift fills under a third of the height (it filled all of it before)
    assert (max(rates) - min(rates)) / (y1 - y0) < 0.35


def test_rates_near_100_percent_stay_under_the_ceiling(qtbot) -> None:
    chart = TrendChart()
    _show(qtbot, chart)
    rates = [0.985, 0.99, 0.987, 0.988, 0.986, 0.989]
    frame = pd.DataFrame({"month": [f"2025-{m:02d}" for m in range(1, 7)], "human_connection": rates})
    chart.set_data(frame, x="month", y="human_connection", percent=True)
    (y0, y1) = chart.plot.getViewBox().viewRange()[1]
    assert y1 - y0 >= MIN_PERCENT_SPAN
    assert y0 == pytest.approx(0.90 - 0.08 * 0.10)  # 90 %-100 % plus the usual 8 % padding
    assert y1 < 1.01
    labels = drawn_labels(chart.value_axis)
    assert "100%" in labels and "90%" in labels
    assert not any(label in labels for label in ("101%", "102%", "88%", "89%"))


def test_percent_bars_still_start_at_zero_and_wide_lines_keep_their_range(qtbot) -> None:
    chart = TrendChart()
    _show(qtbot, chart)
    frame = pd.DataFrame({"segment": ["a", "b"], "ratio": [0.95, 0.97]})
    chart.set_data(frame, x="segment", y="ratio", kind="bar", percent=True)
    assert chart.plot.getViewBox().viewRange()[1][0] == pytest.approx(0.0)
    assert "0%" in drawn_labels(chart.value_axis)  # drawn although it sits on the edge
    wide = pd.DataFrame({"month": ["a", "b", "c"], "rate": [0.55, 0.8, 1.0]})
    chart.set_data(wide, x="month", y="rate", percent=True)
    (y0, _y1) = chart.plot.getViewBox().viewRange()[1]
    assert y0 == pytest.approx(0.55 - 0.08 * 0.45)


# ---- 3. heat-map colour bar ---------------------------------------------------------------

def test_colour_bar_of_shares_is_labelled_in_percent(qtbot) -> None:
    chart = HeatmapChart()
    _show(qtbot, chart)
    shares = pd.DataFrame([[0.9, 0.7, 0.5], [0.85, 0.6, np.nan], [0.8, np.nan, 0.4]],
                          index=["2024-01", "2024-02", "2024-03"], columns=[1, 2, 3])
    chart.set_matrix(shares, percent=True)
    labels = drawn_labels(chart.colour_bar.axis)
    assert labels and all(label.endswith("%") for label in labels)
    assert "40%" in labels and "90%" in labels
    assert chart.hover_text(0, 0).endswith("90.0%")  # same format family as the hover

    counts = shares * 100
    chart.set_matrix(counts, percent=False)
    labels = drawn_labels(chart.colour_bar.axis)
    assert labels and not any(label.endswith("%") for label in labels)
    assert "40" in labels and "90" in labels
