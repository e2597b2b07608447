"""UI review (H15): the funnel plot keeps a far-off alarm in view and draws alarm/alert points
by colour AND shape; the retention list's reasons name the level in Chinese too; the label
catalogue gives "All causes" its unit and labels ``expected`` as the rate it is. Expected
words are written out here, not read back from the catalogue."""
from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def _funnel_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seven segments around 1-3 % and one alarm at 9.0 % (the review's case), an alert at
    4.6 %; limits around a 2 % book rate whose 99.8 % upper curve reaches 6 % at the mouth."""
    points = pd.DataFrame({
        "segment": ["a", "b", "c", "d", "e", "f", "g", "online", "broker"],
        "n": [900.0, 1200, 800, 1500, 700, 1000, 1100, 600, 950],
        "value": [0.010, 0.021, 0.030, 0.018, 0.025, 0.015, 0.022, 0.046, 0.090],
        "level": [None, None, None, None, None, None, None, "alert", "alarm"]})
    n = np.linspace(150.0, 1620.0, 50)
    se = np.sqrt(0.02 * 0.98 / n)
    curve = pd.DataFrame({"n": n, "lower_alarm": np.maximum(0.0, 0.02 - 3.09 * se),
                          "lower_alert": np.maximum(0.0, 0.02 - 1.96 * se), "target": 0.02,
                          "upper_alert": 0.02 + 1.96 * se, "upper_alarm": 0.02 + 3.09 * se})
    return points, curve


def test_funnel_y_range_holds_every_point_and_curve(qtbot) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.ui.charts.funnel import FunnelChart

    chart = FunnelChart()
    qtbot.addWidget(chart)
    points, curve = _funnel_inputs()
    chart.set_funnel(points, curve)
    lo, hi = chart.plot.getViewBox().viewRange()[1]
    assert lo <= 0.010                               # the lowest point (1.0 %) in view
    assert hi >= 0.090                               # the 9.0 % alarm in view
    top_curve = 0.02 + 3.09 * np.sqrt(0.02 * 0.98 / 150.0)   # the alarm curve at its mouth
    assert hi >= top_curve and lo >= 0.0             # rates: never below 0
    # and not a range blown up far beyond the data (the points would squash): 8 % margins
    assert hi <= max(0.090, top_curve) * 1.2
    # zoom away, then reset: the same range again
    chart.plot.setYRange(0.0, 0.03, padding=0)
    chart.reset_view()
    lo2, hi2 = chart.plot.getViewBox().viewRange()[1]
    assert hi2 >= 0.090 and lo2 >= 0.0


def test_funnel_alarm_and_alert_points_differ_in_colour_and_symbol(qtbot) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.ui.charts.funnel import FunnelChart

    chart = FunnelChart()
    qtbot.addWidget(chart)
    points, curve = _funnel_inputs()
    chart.set_funnel(points, curve, label={"online": "互联网", "alert": "预警", "alarm": "报警"}.get)
    spots = {s.data()[0]: s for s in chart.points.points()}
    assert set(spots) == set(points["segment"])
    alarm, alert, plain = spots["broker"], spots["online"], spots["a"]
    symbols = {alarm.symbol(), alert.symbol(), plain.symbol()}
    assert len(symbols) == 3                               # three shapes
    colours = {alarm.brush().color().name(), alert.brush().color().name(),
               plain.brush().color().name()}
    assert len(colours) == 3                               # three colours
    assert alarm.size() > plain.size() and alert.size() > plain.size()
    # every plain segment alike
    assert {spots[s].symbol() for s in "abcdefg"} == {plain.symbol()}
    # the tooltip names segment and level in words; a click still emits the code
    tip = chart._tip(600.0, 0.046, spots["online"].data())
    assert tip.startswith("互联网 (预警)") and "4.6%" in tip
    got: list[str] = []
    chart.segment_clicked.connect(got.append)
    chart._clicked(None, [alarm])
    assert got == ["broker"]


def test_retention_list_reason_names_the_level_in_chinese(qtbot, zh_cn) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from memberdesk.ui.pages.retention_list import CallListModel

    scores = pd.DataFrame({
        "rank": [1, 2], "policy_id": ["P1", "P2"], "product": ["term", "term"],
        "channel": ["online", "bancassurance"], "probability": [0.3, 0.2],
        "premium_at_risk": [300.0, 200.0], "decile": [1, 1],
        "reason_1": pd.Categorical(["channel=online", "channel=bancassurance"]),
        "reason_2": pd.Categorical(["unresolved_90d", None]),
        "reason_3": pd.Categorical([None, None])})
    model = CallListModel()
    model.set_scores(scores)
    col = model.columns.index("reason_1")
    shown = [model.data(model.index(r, col), Qt.ItemDataRole.DisplayRole) for r in range(2)]
    assert shown == ["渠道: 互联网", "渠道: 银保"]
    col2 = model.columns.index("reason_2")
    assert model.data(model.index(0, col2), Qt.ItemDataRole.DisplayRole) == "近90天未解决的服务联系"


def test_catalogue_units_for_all_causes_and_expected() -> None:
    from memberdesk.core.labels import column_label

    assert column_label("all_causes") == "All causes (%)"
    assert column_label("all_causes", "zh_CN") == "全部原因（%）"
    # every result that carries "expected" carries a rate (experience study, alerts, CUSUM)
    assert column_label("expected") == "Expected rate (%)"
    assert column_label("expected", "zh_CN") == "预期发生率（%）"
    # expected counts keep their own number labels
    assert column_label("expected_claims") == "Expected (number)"
    assert column_label("expected_lapses", "zh_CN") == "预期失效数（件）"
    # the Alerts page's policies-behind table: no English fallback under zh_CN
    assert column_label("exit_date", "zh_CN") == "退出日期"


def _decrements_dataset():  # type: ignore[no-untyped-def]
    from memberdesk.core.dataset import Dataset

    rng = np.random.default_rng(0)
    n = 600
    as_of = pd.Timestamp("2024-12-31")
    issue = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 2200, n), unit="D")
    end = issue + pd.to_timedelta(rng.exponential(1400, n).astype(int), unit="D")
    ended = end <= as_of
    cause = rng.choice(["lapsed", "surrendered", "death"], n, p=[0.7, 0.2, 0.1])
    policies = pd.DataFrame({
        "policy_id": [f"P{i}" for i in range(n)], "member_id": [f"M{i}" for i in range(n)],
        "product": "term", "channel": "online", "issue_date": issue,
        "end_date": pd.Series(end).where(ended).to_numpy(),
        "status": np.where(ended, cause, "in_force"), "annual_premium": 1000.0,
        "payment_frequency": "annual"})
    return Dataset(validated={"policies": policies}, as_of=as_of)


@pytest.mark.parametrize("chinese", [False, True])
def test_decrements_all_causes_header_has_the_unit(show_page, qapp, chinese: bool) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from memberdesk.ui import app

    if chinese:
        app.install_translators(qapp, "zh_CN")
    try:
        page = show_page("decrements", _decrements_dataset())
        model = page.model
        col = list(model.frame().columns).index("all_causes")
        header = model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        assert header == ("全部原因（%）" if chinese else "All causes (%)")
        # the cells are the percentages the header promises
        assert model.data(model.index(0, col)).endswith("%")
    finally:
        app.install_translators(qapp, "en")


def test_marked_alert_far_above_the_funnel_stays_in_view(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The review's case on the sample: a CUSUM alarm of 9.0 % (its rate over the signal
    months, n = 343) while the funnel-window points all sit at 0-3 %."""
    from memberdesk.ui.charts.funnel import FunnelChart

    chart = FunnelChart()
    qtbot.addWidget(chart)
    points, curve = _funnel_inputs()
    points = points.assign(value=points["value"].clip(upper=0.03), level=None)
    chart.set_funnel(points, curve)
    chart.mark_alert(343.0, 0.0904, "alarm", "Product: X — alarm, risk-adjusted CUSUM")
    lo, hi = chart.plot.getViewBox().viewRange()[1]
    assert lo <= 0.0904 <= hi and lo >= 0.0
    spot = chart.marked.points()[0]
    assert (spot.pos().x(), spot.pos().y()) == (343.0, pytest.approx(0.0904))
    plain = chart.points.points()[0]
    assert spot.symbol() != plain.symbol()                      # the alarm's shape
    assert spot.pen().color().name() != plain.brush().color().name()
    chart.reset_view()
    assert chart.plot.getViewBox().viewRange()[1][1] >= 0.0904
    # a new funnel forgets the mark
    chart.set_funnel(points, curve)
    assert chart.marked_alert is None and len(chart.marked.points()) == 0
