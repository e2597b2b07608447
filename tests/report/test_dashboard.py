"""Dashboard sheet (issue 17 B.3): first, one page at 100 %, tiles from the KPI result.

Truths: the KPI result's own value/previous (the tile must show them, and the change must be
the hand difference: pp for ratios, relative for counts); the registry's good direction decides
the arrow colour (a lapse rate that fell is good); the target status is worked out by hand from
the targets file; every tile has its own small line chart over the 12 trend points.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from memberdesk.report import sheets_dashboard as dash
from memberdesk.report.report_options import ReportOptions
from memberdesk.report.workbook import write_report


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory, small_dataset: Any) -> Any:
    folder = tmp_path_factory.mktemp("dash")
    targets = folder / "targets.csv"
    targets.write_text("metric,target,amber,red\n"
                       "in_force_policies,1,0,0\n"            # any book beats 1 policy: green
                       "lapse_rate_annualised,0.0,0.5,0.0\n"  # down is good; 0 = red at any rate
                       "not_a_metric,1,1,1\n")
    path = folder / "r.xlsx"
    write_report(small_dataset, path, options=ReportOptions(targets=str(targets)))
    from memberdesk.analysis.kpis import compute_kpis

    return load_workbook(path), compute_kpis(small_dataset)


def _cells(ws: Any) -> list[Any]:
    return [c for row in ws.iter_rows() for c in row if c.value is not None]


def test_dashboard_is_first_one_page_at_full_scale(book: Any) -> None:
    wb, _ = book
    assert wb.sheetnames[0] == "Dashboard"
    ws = wb["Dashboard"]
    assert ws.page_setup.scale == 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.sheet_view.showGridLines is False
    assert ws.print_area  # the trend data below is not printed


def test_tiles_show_value_and_hand_computed_change(book: Any) -> None:
    wb, kpis = book
    ws = wb["Dashboard"]
    by_id = {k.id: k for k in kpis.kpis}
    names: dict[str, Any] = {}
    for c in _cells(ws):  # the tile titles (the trend data to the right repeats the names)
        if c.column <= dash.FULL_COLS:
            names.setdefault(str(c.value), c)
    shown = [k for k in dash.TILE_KPIS if by_id.get(k) is not None and by_id[k].value is not None]
    shown = shown[:dash.MAX_TILES]
    assert 8 <= len(shown) <= 10 or len(shown) == len([k for k in kpis.kpis if k.value is not None])
    from memberdesk.analysis.metrics import get_metric

    for kid in shown:
        k = by_id[kid]
        title = names[get_metric(kid).name("en")]
        value = ws.cell(title.row + 1, title.column)
        change = ws.cell(title.row + 2, title.column)
        assert value.value == pytest.approx(k.value)
        # defined name for the headline figure points at the value cell
        dn = wb.defined_names[f"KPI_{kid}"]
        assert dn.attr_text.endswith(f"${value.column_letter}${value.row}")
        if k.previous is None or k.previous == 0:
            continue
        if k.unit == "ratio":
            pp = (k.value - k.previous) * 100  # percentage points, by hand
            assert f"{abs(pp):.1f} pp" in change.value
        else:
            rel = k.value / k.previous - 1
            assert f"{abs(rel):.1%}" in change.value
        assert change.value.startswith("▲" if k.value > k.previous else "▼")
        good = get_metric(kid).good_direction
        if good != "neutral" and k.value != k.previous:
            better = (k.value > k.previous) == (good == "up")
            assert change.font.color.rgb.endswith(dash.GOOD if better else dash.BAD)


def test_each_tile_has_a_trend_line_chart(book: Any) -> None:
    wb, kpis = book
    ws = wb["Dashboard"]
    charts = ws._charts
    tiles = dash.tiles_of(kpis, "en")
    with_trend = [t for t in tiles if t.trend.notna().sum() >= 2]
    assert len(charts) == len(with_trend)
    assert all(type(c).__name__ == "LineChart" and c.legend is None for c in charts)


def test_targets_status_by_hand(book: Any) -> None:
    wb, _ = book
    ws = wb["Dashboard"]
    texts = [str(c.value) for c in _cells(ws)]
    # in-force policies >= 1: green dot; lapse rate > 0 with red = 0 (down is good): red square
    assert any(t.startswith("● target") for t in texts)
    assert any(t.startswith("■ target") for t in texts)
    assert any("not_a_metric" in t for t in texts)


def test_commentary_has_three_sentences(book: Any) -> None:
    wb, _ = book
    ws = wb["Dashboard"]
    bullets = [str(c.value) for c in _cells(ws) if str(c.value).startswith("• ")]
    assert 2 <= len(bullets) <= 3
    assert "on a year earlier" in bullets[0]


def test_target_status_rule() -> None:
    import pandas as pd

    up = dash.Tile("x", "x", 0.85, 0.8, "ratio", "up", pd.Series(dtype=float))
    assert dash.target_status(up, 0.9, 0.8) == "amber"
    assert dash.target_status(up, 0.85, 0.8) == "green"
    assert dash.target_status(up, 0.95, 0.85) == "red"
    down = dash.Tile("y", "y", 0.07, 0.08, "ratio", "down", pd.Series(dtype=float))
    assert dash.target_status(down, 0.08, 0.1) == "green"
    assert dash.target_status(down, 0.05, 0.07) == "red"
    assert down.change == pytest.approx(-0.01) and down.colour() == dash.GOOD


def test_chinese_dashboard(tmp_path: Path, small_dataset: Any) -> None:
    path = tmp_path / "zh.xlsx"
    write_report(small_dataset, path, lang="zh_CN")
    ws = load_workbook(path).worksheets[0]
    assert ws.title == "仪表板"
    texts = " ".join(str(c.value) for c in _cells(ws))
    assert "较上年" in texts and "rose" not in texts and "fell" not in texts
