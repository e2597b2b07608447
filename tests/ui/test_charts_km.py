"""KM chart: inspect the plot items and their data (not pixels)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
import pytest
from lifelines import KaplanMeierFitter

from memberdesk.analysis.survival import km_by_segment
from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.km import KMChart


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    group = np.where(rng.random(n) < 0.5, "agency", "online")
    scale = np.where(group == "agency", 30.0, 15.0)
    t = rng.exponential(scale)
    c = rng.uniform(0, 40, n)
    return pd.DataFrame({"duration": np.round(np.minimum(t, c), 1), "event": (t <= c).astype(int),
                         "channel": group})


@pytest.fixture
def chart(qtbot):
    chart = KMChart()
    panel = ChartPanel(chart, "KM")
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    return chart


def test_step_mode_right_holds_each_value_until_the_next_time() -> None:
    # pyqtgraph turns (x, y) into the drawn vertices; with stepMode="right" y[i] must be held
    # on [x[i], x[i+1]]: vertices (x0,y0) (x1,y0) (x1,y1) (x2,y1) (x2,y2) ...
    x = np.array([0.0, 2.0, 5.0])
    y = np.array([1.0, 0.8, 0.5])
    vx, vy = pg.PlotCurveItem._generateStepModeData("right", x, y, None)
    for i in range(len(x) - 1):
        held = (vx >= x[i]) & (vx <= x[i + 1]) & (vy == y[i])
        assert set(vx[held]) == {x[i], x[i + 1]}, f"y[{i}] not held from x[{i}] to x[{i+1}]"


def test_curves_bands_and_ticks_match_the_result(chart: KMChart) -> None:
    frame = _frame()
    res = km_by_segment(frame, "channel", unit="days")
    chart.set_curves(res.curves, unit="days", p_value=res.logrank.p_value)
    assert len(chart._items) == 2
    for curve, items in zip(res.curves, chart._items):
        assert items.line.opts["stepMode"] == "right"
        x, y = items.line.getOriginalDataset()
        np.testing.assert_allclose(x, curve.timeline)
        np.testing.assert_allclose(y, curve.survival)
        # CI band: one closed polygon in the plot — the upper CI as a right step curve, then
        # back along the lower CI: (t0,u0) (t1,u0) (t1,u1) ... then the lower edge reversed
        assert items.band in chart.plot.items and items.band.isVisible()
        m = 2 * len(curve.timeline) - 1
        bx, by = items.band_x, items.band_y
        np.testing.assert_allclose(by[:m:2], curve.ci_upper)
        np.testing.assert_allclose(bx[:m:2], curve.timeline)
        np.testing.assert_allclose(by[m:][::-1][::2], curve.ci_lower)
        rect = items.band.path().boundingRect()
        assert rect.top() == pytest.approx(np.nanmin(curve.ci_lower))
        assert rect.bottom() == pytest.approx(np.nanmax(curve.ci_upper))
        # censor ticks sit at the censored times (independently: durations with event 0)
        seg = frame[frame["channel"] == curve.name]
        tx, _ = items.ticks.getData()
        assert set(np.round(tx, 6)) == set(np.round(seg.loc[seg["event"] == 0, "duration"].unique(), 6))
    # lifelines agrees with what is drawn
    seg = frame[frame["channel"] == "agency"]
    kmf = KaplanMeierFitter().fit(seg["duration"], seg["event"])
    x, y = chart._items[0].line.getOriginalDataset()
    np.testing.assert_allclose(y, kmf.survival_function_.iloc[:, 0].to_numpy(), atol=1e-12)
    p = res.logrank.p_value
    shown = f"p = {p:.4f}" if p >= 1e-4 else "p &lt; 0.0001"
    assert shown in chart.plot.titleLabel.text


def test_at_risk_labels_follow_the_x_range(chart: KMChart, qtbot) -> None:
    frame = _frame()
    res = km_by_segment(frame, "channel", unit="days")
    chart.set_curves(res.curves, unit="days")
    chart.plot.setXRange(0, 40, padding=0)
    qtbot.wait(10)
    wide = chart.risk_table()
    chart.plot.setXRange(5, 12, padding=0)
    qtbot.wait(10)
    narrow = chart.risk_table()
    assert list(wide.columns) != list(narrow.columns)
    assert min(narrow.columns) >= 5 and max(narrow.columns) <= 12
    for table in (wide, narrow):
        for name in table.index:
            seg = frame.loc[frame["channel"] == name, "duration"]
            expected = [int((seg >= t).sum()) for t in table.columns]  # at risk = duration >= t
            assert table.loc[name].tolist() == expected
    shown = [t.toPlainText() for t in chart._risk_texts if t.isVisible()]
    assert f"{int(narrow.iloc[0, 0]):,}" in shown


def test_hover_values_and_legend_toggle(chart: KMChart) -> None:
    frame = _frame()
    res = km_by_segment(frame, "channel", unit="days")
    chart.set_curves(res.curves, unit="days")
    seg = frame[frame["channel"] == "online"]
    kmf = KaplanMeierFitter().fit(seg["duration"], seg["event"])
    rows = {r["segment"]: r for r in chart.values_at(10.0)}
    assert rows["online"]["survival"] == pytest.approx(float(kmf.predict(10.0)))
    assert rows["online"]["at_risk"] == int((seg["duration"] >= 10.0).sum())
    chart.show_hover(10.0)
    assert "online" in chart.hover.toPlainText()
    # hiding a curve (what a legend click does) hides its band and ticks and its hover row
    chart._items[1].line.setVisible(False)
    assert not chart._items[1].band.isVisible() and not chart._items[1].ticks.isVisible()
    assert [r["segment"] for r in chart.values_at(10.0)] == ["agency"]


def test_items_are_reused_when_the_segment_changes(chart: KMChart) -> None:
    frame = _frame()
    chart.set_curves(km_by_segment(frame, "channel", unit="days").curves, unit="days")
    first = chart._items[0].line
    chart.set_curves(km_by_segment(frame, None, unit="days").curves, unit="days")
    assert chart._items[0].line is first and len(chart._items) == 1
    from PySide6.QtWidgets import QGraphicsPathItem
    assert len([i for i in chart.plot.items if isinstance(i, QGraphicsPathItem)]) == 1
