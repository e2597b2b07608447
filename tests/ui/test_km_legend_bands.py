"""KM chart: the legend sits above the curves (not on them), small groups get no CI band and
a footnote says so, and one redraw refreshes the at-risk labels once."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.survival import km_by_segment
from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.km import MIN_BAND_SUBJECTS, KMChart


def frame() -> pd.DataFrame:
    """Six groups: 'big' with 400 subjects, five small ones with 5 subjects each."""
    rng = np.random.default_rng(0)
    groups = ["big"] * 400 + [f"small{i}" for i in range(5) for _ in range(5)]
    n = len(groups)
    t = rng.exponential(20.0, n)
    c = rng.uniform(0, 40, n)
    return pd.DataFrame({"duration": np.round(np.minimum(t, c), 1),
                         "event": (t <= c).astype(int), "group": groups})


@pytest.fixture
def chart(qtbot):
    chart = KMChart()
    panel = ChartPanel(chart, "KM")
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    qtbot.waitExposed(panel)
    return chart


def test_small_groups_get_no_band_and_a_footnote(chart: KMChart) -> None:
    res = km_by_segment(frame(), "group", unit="days")
    chart.set_curves(res.curves, unit="days")
    for curve, items in zip(res.curves, chart._items):
        n = int(np.max(curve.at_risk))
        if curve.name == "big":
            assert n == 400 and not items.band.path().isEmpty()
        elif curve.name.startswith("small"):
            assert n == 5 < MIN_BAND_SUBJECTS
            assert items.band.path().isEmpty()  # no band
            assert curve.name in chart.footnote.text
            assert items.line.isVisible()  # the curve itself is still drawn
    assert "big" not in chart.footnote.text
    # all groups large again: no footnote
    big = frame()[lambda f: f["group"] == "big"]
    chart.set_curves(km_by_segment(big, "group", unit="days").curves, unit="days")
    assert chart.footnote.text == ""


def test_legend_is_above_the_plot_area(chart: KMChart, qtbot) -> None:
    res = km_by_segment(frame(), "group", unit="days")
    chart.set_curves(res.curves, unit="days")
    qtbot.wait(50)  # let the layout settle
    names = [label.text for _sample, label in chart.legend.items]
    assert len(names) == len(res.curves)
    legend = chart.legend.mapRectToScene(chart.legend.boundingRect())
    plot_area = chart.plot.getViewBox().sceneBoundingRect()
    assert legend.height() > 0
    assert legend.bottom() <= plot_area.top() + 1, (legend, plot_area)
    assert chart.legend.columnCount > 1  # rows across the top, not one tall column


def test_one_redraw_updates_the_at_risk_labels_once(chart: KMChart) -> None:
    res = km_by_segment(frame(), "group", unit="days")
    before = chart.risk_updates
    chart.set_curves(res.curves, unit="days")
    assert chart.risk_updates - before == 1
    # and the labels are the at-risk numbers at the axis ticks (subjects with duration >= t)
    f = frame()
    table = chart.risk_table()
    assert len(table.columns) >= 2
    for t in table.columns:
        want = int((f.loc[f["group"] == "big", "duration"] >= t).sum())
        assert table.loc["big", t] == want
