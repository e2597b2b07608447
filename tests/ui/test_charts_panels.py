"""Other charts, the chart panel (export, copy, table view) and the DataFrame table model."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.forest import ForestChart
from memberdesk.ui.charts.heatmap import HeatmapChart
from memberdesk.ui.charts.kpi_tile import KpiTile, change_quality
from memberdesk.ui.charts.lines import TrendChart
from memberdesk.ui.charts.palette import LIGHT
from memberdesk.ui.charts.stacked import StackedIncidenceChart
from memberdesk.ui.table_model import DataFrameModel, format_number

HR = pd.DataFrame({"covariate": ["channel=broker", "channel=online", "gender=M"],
                   "hazard_ratio": [1.5, 0.7, 1.0], "ci_lower": [1.2, 0.5, 0.9],
                   "ci_upper": [1.9, 0.95, 1.1], "ph": [False, True, False]})


def test_forest_points_are_the_hazard_ratios_on_a_log_axis(qtbot) -> None:
    chart = ForestChart()
    qtbot.addWidget(chart)
    chart.set_ratios(HR, violation="ph")
    np.testing.assert_allclose(chart.hazard_ratios(), HR["hazard_ratio"])
    x, y = chart.points.getData()
    np.testing.assert_allclose(x, np.log10(HR["hazard_ratio"]))  # log scale
    assert chart.reference.value() == 0.0                          # HR = 1 on the log axis
    vx, vy = chart.violations.getData()
    assert list(vy) == [1.0]                                        # only channel=online
    assert chart.axis.tickStrings([np.log10(2.0)], 1, 1) == ["2"]


def test_heatmap_image_is_the_matrix_with_blanks(qtbot) -> None:
    chart = HeatmapChart()
    qtbot.addWidget(chart)
    m = pd.DataFrame([[1.0, 0.9, 0.8], [1.0, 0.95, np.nan]], index=["2024-01", "2024-02"], columns=[0, 1, 2])
    chart.set_matrix(m)
    np.testing.assert_array_equal(chart.image.image, m.to_numpy())
    assert chart.colour_bar.levels() == (0.8, 1.0)
    assert chart.hover_text(1, 2).endswith("not yet observed")
    assert chart.hover_text(0, 1) == "2024-01 · 1: 90.0%"


def test_stacked_incidence_top_is_the_sum_of_causes(qtbot) -> None:
    chart = StackedIncidenceChart()
    qtbot.addWidget(chart)
    t = np.array([0.0, 1.0, 2.0])
    chart.set_incidence(t, {"lapsed": np.array([0.0, 0.1, 0.2]), "death": np.array([0.0, 0.01, 0.03])})
    np.testing.assert_allclose(chart.stacked_top(), [0.0, 0.11, 0.23])
    assert list(chart.data_frame()["all_causes"]) == pytest.approx([0.0, 0.11, 0.23])


def test_trend_chart_series_and_reference(qtbot) -> None:
    chart = TrendChart()
    qtbot.addWidget(chart)
    f = pd.DataFrame({"year": [1, 2, 1, 2], "seg": ["a", "a", "b", "b"], "ae": [0.9, 1.1, 1.2, 1.0],
                      "lo": [0.8, 1.0, 1.0, 0.9], "hi": [1.0, 1.2, 1.4, 1.1]})
    chart.set_data(f, x="year", y="ae", series="seg", lower="lo", upper="hi", reference=1.0)
    curves = chart.curve_items()
    assert [list(c.getOriginalDataset()[1]) for c in curves] == [[0.9, 1.1], [1.2, 1.0]]
    assert chart.series_names == ["a", "b"]
    import pyqtgraph as pg
    refs = [i for i in chart.items if isinstance(i, pg.InfiniteLine)]
    assert refs and refs[0].value() == 1.0


def test_panel_copy_table_and_export(qtbot, tmp_path) -> None:
    chart = ForestChart()
    panel = ChartPanel(chart, "Hazard ratios")
    qtbot.addWidget(panel)
    panel.resize(700, 400)
    chart.set_ratios(HR, violation="ph")
    text = panel.copy_data()
    assert QGuiApplication.clipboard().text() == text
    lines = text.strip().split("\n")
    assert lines[0].split("\t")[:2] == ["covariate", "hazard_ratio"] and len(lines) == 4
    panel.set_table_mode(True)
    assert panel.is_table_mode() and panel.model.rowCount() == 3
    assert panel.model.data(panel.model.index(1, 0)) == "channel=online"
    panel.set_table_mode(False)
    assert not panel.is_table_mode()
    png, svg = panel.export(tmp_path / "c.png"), panel.export(tmp_path / "c.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:2000]


def test_kpi_tile_colours_change_by_good_direction(qtbot) -> None:
    tile = KpiTile("lapse_rate", "Lapse rate")
    qtbot.addWidget(tile)
    tile.set_values(0.08, 0.07, "ratio", "down", [0.07, 0.075, 0.08])
    assert tile.quality == "bad" and tile.change_colour().name().upper() == LIGHT.bad
    assert tile.value_label.text() == "8.0%" and "+1.0 pp" in tile.change_label.text()
    tile.set_values(0.06, 0.07, "ratio", "down")
    assert tile.quality == "good"
    assert change_quality(10, 5, "up") == "good" and change_quality(10, 5, "neutral") == "neutral"
    with qtbot.waitSignal(tile.clicked) as blocker:
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert blocker.args == ["lapse_rate"]


def test_table_model_sorts_numbers_with_missing_last(qtbot) -> None:
    f = pd.DataFrame({"name": ["b", "a", "c"], "value": [2.5, np.nan, 1_234_567.0],
                      "n": pd.array([3, None, 1], dtype="Int64")})
    model = DataFrameModel(f)
    assert model.data(model.index(2, 1)) == "1,234,567"
    assert model.data(model.index(1, 1)) == "" and model.data(model.index(1, 2)) == ""
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert [model.raw(r, 0) for r in range(3)] == ["b", "c", "a"]
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert [model.raw(r, 0) for r in range(3)] == ["c", "b", "a"]
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.raw(r, 0) for r in range(3)] == ["a", "b", "c"]
    assert format_number(3.2e-7) == "3.20e-07" and format_number(0.12345) == "0.1235"


def test_chart_export_is_atomic(qtbot, tmp_path, monkeypatch) -> None:
    # #11.4: a chart export goes through the one atomic-write helper: a failed write leaves
    # the previous file byte for byte, raises one DataError, and leaves no temporary file.
    import os

    from memberdesk.core.errors import DataError

    chart = ForestChart()
    panel = ChartPanel(chart, "Hazard ratios")
    qtbot.addWidget(panel)
    panel.resize(700, 400)
    chart.set_ratios(HR, violation="ph")
    target = tmp_path / "c.png"
    target.write_bytes(b"the user's earlier export")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(DataError, match="chart"):
        panel.export(target)
    assert target.read_bytes() == b"the user's earlier export"
    assert not list(tmp_path.glob(".c.png.*"))  # no temporary file left behind
    monkeypatch.undo()
    panel.export(target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
