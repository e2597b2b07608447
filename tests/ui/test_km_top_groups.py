"""Retention page's "Top 6 + Other" (issue 17 C.13): with Region's 12 levels the chart draws the
six largest groups and one pooled curve, whose numbers are the KM of the pooled records
(lifelines on their union); the box changes the number of curves, defaults on above 8 groups
and is kept in workspaces. The KM chart keeps its plot area tall in a PNG export at 12 groups."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGraphicsItem

from memberdesk.ui.charts.km import (
    MAX_RISK_ROWS,
    MIN_PLOT_HEIGHT,
    MIN_RISK_ROWS,
    ChartCurve,
    KMChart,
)


@pytest.fixture(scope="module")
def sample_ds() -> Any:
    from memberdesk.core.loader import load_dataset

    sample = Path(__file__).resolve().parents[2] / "sample_data"
    return load_dataset([str(sample)])


def _page(qtbot: Any) -> Any:
    from memberdesk.ui.pages.retention import RetentionPage

    page = RetentionPage()
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.show()
    return page


def test_top_six_and_other_on_region(qtbot: Any, sample_ds: Any) -> None:
    from lifelines import KaplanMeierFitter

    from memberdesk.analysis.frames import survival_frame
    from memberdesk.ui.pages.retention import compute_retention

    page = _page(qtbot)
    view = compute_retention(sample_ds, "region", "months", 3.0)
    assert len(view.km.curves) == 12
    page.result = view
    page.show_result(view)
    # on by default above 8 groups: six named groups and "Other"
    assert page.top_groups.isChecked() and page.top_groups.isEnabled()
    names = [c.name for c in page.chart.curves]
    assert len(names) == 7 and names[-1] == "Other (6 groups)"
    sizes = {c.name: c.n for c in view.km.curves}
    largest = sorted(sizes, key=lambda k: -sizes[k])[:6]
    assert set(names[:6]) == set(largest)
    # the pooled curve is the KM of the other six regions' policies together
    frame = survival_frame(sample_ds, unit="months", columns=("region",))
    rest = frame[~frame["region"].astype(str).isin(largest)]
    kmf = KaplanMeierFitter().fit(rest["duration"], rest["event"])
    other = page.chart.curves[-1]
    grid = np.arange(0.0, 96.0, 6.0)
    np.testing.assert_allclose(other.survival_at(grid),
                               kmf.survival_function_at_times(grid).to_numpy(), rtol=1e-10)
    # the at-risk table shows the groups drawn, "Other" included
    assert list(page.chart.risk_table().index) == names
    # the tables keep every group
    assert page.median_model.rowCount() == 12
    # the box changes the number of curves
    page.top_groups.setChecked(False)
    assert len(page.chart.curves) == 12
    page.top_groups.setChecked(True)
    assert len(page.chart.curves) == 7


def test_default_follows_the_number_of_groups_until_chosen(qtbot: Any, sample_ds: Any) -> None:
    from memberdesk.ui.pages.retention import compute_retention

    page = _page(qtbot)
    few = compute_retention(sample_ds, "channel", "months", 3.0)
    assert len(few.km.curves) <= 6
    page.show_result(few)
    assert not page.top_groups.isChecked() and not page.top_groups.isEnabled()
    assert len(page.chart.curves) == len(few.km.curves)
    many = compute_retention(sample_ds, "region", "months", 3.0)
    page.result = many
    page.show_result(many)
    assert page.top_groups.isChecked() and len(page.chart.curves) == 7
    # a workspace's choice (off) holds against the default
    assert page.state()["top_groups"] is True
    page.restore_state({"top_groups": False})
    page.show_result(many)
    assert not page.top_groups.isChecked() and len(page.chart.curves) == 12
    assert page.state()["top_groups"] is False


def test_workspace_round_trip_keeps_the_choice(qtbot: Any, sample_ds: Any, tmp_path: Path) -> None:
    from memberdesk.core.workspace import Workspace

    page = _page(qtbot)
    ws = Workspace(sources=[], page="retention", page_state={"retention": {"top_groups": False}})
    path = tmp_path / "w.mdesk"
    ws.save(path)
    state = Workspace.load(path).page_state["retention"]
    page.restore_state(state)
    from memberdesk.ui.pages.retention import compute_retention

    page.show_result(compute_retention(sample_ds, "region", "months", 3.0))
    assert not page.top_groups.isChecked() and len(page.chart.curves) == 12


def _curve(name: str, k: int) -> ChartCurve:
    t = np.arange(1.0, 61.0)
    s = np.exp(-t * (0.005 + 0.001 * k))
    return ChartCurve(name=name, timeline=t, survival=s, ci_lower=s * 0.95,
                      ci_upper=np.minimum(s * 1.05, 1), at_risk=np.linspace(500, 50, 60),
                      censored=np.zeros(60))


def test_png_export_at_twelve_groups_keeps_the_plot_area_tall(qtbot: Any, tmp_path: Path) -> None:
    from memberdesk.ui.charts.base import export_chart

    chart = KMChart()
    qtbot.addWidget(chart)
    chart.resize(900, 300)  # asked smaller than the chart needs
    chart.show()
    chart.set_curves([_curve(f"Region {k}", k) for k in range(12)])
    qtbot.wait(50)
    assert chart.view.height() >= chart.view.minimumHeight() > 300  # the widget holds its height
    path = export_chart(chart, tmp_path / "km.png")
    image = QImage(str(path))
    assert not image.isNull()
    # the exporter renders the view's area (scene units = view pixels), scaled to the image
    scale = image.width() / chart.view.width()
    assert image.height() == pytest.approx(chart.view.height() * scale, abs=2)
    plot_area = chart.plot.getViewBox().sceneBoundingRect()
    assert plot_area.height() >= MIN_PLOT_HEIGHT - 1
    assert plot_area.height() * scale >= MIN_PLOT_HEIGHT  # px of data area in the PNG
    # the export carries every drawn group's at-risk row (paper cannot scroll), whole
    assert chart.risk_rows_shown == MAX_RISK_ROWS
    assert chart.risk.sceneBoundingRect().bottom() <= chart.view.height() + 1
    # and the view goes back to its size afterwards, its rows scrolling again
    qtbot.waitUntil(lambda: chart.risk_rows_shown < MAX_RISK_ROWS, timeout=2000)
    qtbot.wait(20)
    assert chart.risk_rows_shown >= MIN_RISK_ROWS
    (y0, y1) = chart.risk.getViewBox().viewRange()[1]
    assert round(y1 - y0) == chart.risk_rows_shown
    assert chart.risk.sceneBoundingRect().bottom() <= chart.view.height() + 1
    # the legend scales with the export like everything else (it ignored transformations and
    # was drawn at half the size of the rest)
    assert not chart.legend.flags() & QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations
    assert chart.legend.sceneBoundingRect().bottom() <= plot_area.top() + 1


def test_taller_chart_shows_all_seven_at_risk_rows(qtbot: Any) -> None:
    chart = KMChart()
    qtbot.addWidget(chart)
    chart.resize(1100, 700)
    chart.show()
    chart.set_curves([_curve(f"G{k}", k) for k in range(7)])
    qtbot.wait(50)
    assert chart.risk_rows_shown == 7
    chart.resize(1100, 200)
    qtbot.wait(50)
    assert MIN_RISK_ROWS <= chart.risk_rows_shown < 7
    assert chart.plot.getViewBox().height() >= MIN_PLOT_HEIGHT - 1


def test_at_risk_title_says_which_rows_are_in_view(qtbot: Any) -> None:
    chart = KMChart()
    qtbot.addWidget(chart)
    chart.resize(1100, 200)
    chart.show()
    chart.set_curves([_curve(f"G{k}", k) for k in range(12)])
    qtbot.wait(50)
    k = chart.risk_rows_shown
    assert k < 12 and chart.risk_title.text.endswith(f"1–{k} / 12 ↕")
    chart.risk.setYRange(2 - 0.5, 2 + k - 0.5, padding=0)  # what scrolling does
    assert chart.risk_title.text.endswith(f"3–{k + 2} / 12 ↕")
    chart.resize(1100, 900)
    chart.set_curves([_curve(f"G{k}", k) for k in range(5)])
    qtbot.wait(50)
    assert chart.risk_rows_shown == 5 and chart.risk_title.text == "Number at risk"
