"""What makes a chart readable for a manager: names instead of column ids, bars in the order
given, category labels that do not run into each other, a legend that hides no data, no
percent ticks above 100 %, titles that never widen the window."""
from __future__ import annotations

import pandas as pd
import pyqtgraph as pg

from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.lines import TrendChart, wrap_label


def test_series_names_replace_column_ids_in_legend_and_data(qtbot) -> None:
    chart = TrendChart()
    qtbot.addWidget(chart)
    frame = pd.DataFrame({"month": ["2024-01", "2024-02"], "csat": [0.7, 0.8],
                          "bot_replacement_rate": [0.8, 0.85]})
    chart.set_data(frame, x="month", y=["csat", "bot_replacement_rate"], percent=True,
                   names={"csat": "CSAT", "bot_replacement_rate": "Bot replacement"})
    legend = [label.text for _sample, label in chart.legend.items]
    assert legend == ["CSAT", "Bot replacement"]
    assert set(chart.data_frame()["series"]) == {"CSAT", "Bot replacement"}


def test_bars_keep_the_given_order_and_long_labels_wrap(qtbot) -> None:
    chart = TrendChart()
    qtbot.addWidget(chart)
    top = pd.DataFrame({"topic": ["policy inquiry", "premium payment", "claims"],
                        "contacts": [30, 20, 10]})
    chart.set_data(top, x="topic", y="contacts", kind="bar", sort_x=False)
    assert chart.x_labels == ["policy inquiry", "premium payment", "claims"]  # by size, not a-z
    ticks = chart.plot.getAxis("bottom")._tickLevels[1]
    assert [t[1] for t in ticks] == ["policy\ninquiry", "premium\npayment", "claims"]
    assert chart.plot.getAxis("bottom").minimumHeight() > 50   # room for the second line
    assert wrap_label("change of details") == "change of\ndetails"
    assert wrap_label("claims") == "claims"


def test_legend_band_is_kept_free_of_data_and_no_ticks_above_100_percent(qtbot) -> None:
    chart = TrendChart()
    qtbot.addWidget(chart)
    chart.resize(600, 400)
    chart.show()
    frame = pd.DataFrame({"month": ["a", "b", "c"] * 2, "rate": [0.9, 1.0, 0.95, 0.5, 0.6, 0.7],
                          "channel": ["x"] * 3 + ["y"] * 3})
    chart.set_data(frame, x="month", y="rate", series="channel", percent=True)
    qtbot.wait(10)
    assert [label.text for _sample, label in chart.legend.items] == ["x", "y"]
    # the legend lives in a band above the plot: its rectangle and the data area never meet
    legend = chart.legend.mapRectToScene(chart.legend.boundingRect())
    data_area = chart.plot.getViewBox().sceneBoundingRect()
    assert legend.height() > 0 and data_area.height() > 100
    assert legend.bottom() <= data_area.top()
    (_y0, y1) = chart.plot.getViewBox().viewRange()[1]
    assert y1 > 1.0  # the highest point (100 %) inside the view
    labels = chart.value_axis.tickStrings([0.9, 1.0, 1.1], 1.0, 0.1)
    assert labels == ["90%", "100%", ""]


def test_a_legend_of_many_series_hides_no_line_on_a_page_sized_chart(qtbot) -> None:
    """The persistency chart of the sample: six series near 95 %, two legend rows; before the
    band the legend covered the lines at the top of the plot."""
    chart = TrendChart()
    qtbot.addWidget(chart)
    chart.resize(560, 560)
    chart.show()
    names = ["All", "agency", "bancassurance", "broker", "online", "partner platform"]
    frame = pd.DataFrame({"period": [f"2024-{m:02d}" for m in range(1, 13)] * 6,
                          "share": [0.99] * 72, "segment": [n for n in names for _ in range(12)]})
    chart.set_data(frame, x="period", y="share", series="segment", percent=True)
    qtbot.wait(10)
    legend = chart.legend.mapRectToScene(chart.legend.boundingRect())
    data_area = chart.plot.getViewBox().sceneBoundingRect()
    assert len(chart.legend.items) == 6
    assert legend.bottom() <= data_area.top()
    top_point = chart.plot.getViewBox().mapViewToScene(pg.Point(0, 0.99)).y()
    assert data_area.top() < top_point  # the 99 % line is drawn inside the plot, under no legend


def test_a_long_panel_title_does_not_widen_the_panel(qtbot) -> None:
    chart = TrendChart()
    panel = ChartPanel(chart, "x" * 300)
    qtbot.addWidget(panel)
    assert panel.minimumSizeHint().width() < 500
    panel.resize(400, 300)
    panel.show()
    assert panel._title.elided_text().endswith("…")
    assert panel._title.toolTip() == "x" * 300


def _contrast(a, b) -> float:
    """WCAG 2 contrast ratio of two QColors."""
    def lum(c) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_page_explanations_are_legible_in_both_themes(qtbot) -> None:
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    from memberdesk.ui import theme
    from memberdesk.ui.pages import page_factory

    app = QApplication.instance()
    before = theme.current_theme()
    try:
        for name in theme.THEMES:
            theme.apply_theme(name, app)
            page = page_factory("retention")(None)
            qtbot.addWidget(page)
            page.resize(1200, 800)
            page.show()
            image = page.subtitle.grab().toImage()
            window = page.subtitle.palette().color(QPalette.ColorRole.Window)
            best = max(_contrast(QColor(image.pixel(x, y)), window)
                       for x in range(0, image.width(), 2) for y in range(image.height()))
            assert best >= 3.0, name  # the drawn text: WCAG AA for secondary text
    finally:
        theme.apply_theme(before, app)
