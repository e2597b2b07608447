"""Charts a board can read (issue 17 B.8): the A/E chart's 100 % line and interval bars and
its basis in the title; a forest plot of the hazard ratios on Drivers."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart

from memberdesk.report.charts import _range_values
from memberdesk.report.report_options import ReportOptions
from memberdesk.report.workbook import write_report


def _title(chart) -> str:  # type: ignore[no-untyped-def]
    return "".join(r.t for p in chart.title.tx.rich.p for r in (p.r or []))


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory, small_dataset):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("cm")
    table = tmp / "basis_rates.csv"
    table.write_text("policy_year,rate\n" + "".join(f"{y},0.08\n" for y in range(1, 11)))
    path = write_report(small_dataset, tmp / "r.xlsx",
                        options=ReportOptions(expected=str(table)))
    return load_workbook(path)


def _series_values(wb, series) -> list:  # type: ignore[no-untyped-def,type-arg]
    return _range_values(wb, series.val.numRef.f)


def test_ae_chart_has_100_line_interval_and_basis(book) -> None:  # type: ignore[no-untyped-def]
    ws = book["Experience"]
    (chart,) = [c for c in ws._charts if isinstance(c, BarChart)]
    title = _title(chart)
    assert "basis_rates.csv" in title and "95%" in title and "Policy year" in title
    lines = [s for sub in chart._charts if isinstance(sub, LineChart) for s in sub.series]
    names = [_range_values(book, s.tx.strRef.f)[0] for s in lines]
    ref = lines[names.index("100 % = as expected")]
    (bar,) = chart.series
    ae = [v for v in _series_values(book, bar)]
    assert _series_values(book, ref) == [1.0] * len(ae)  # the line at 100 % over every year
    lower = _series_values(book, lines[names.index(next(n for n in names if "lower" in n))])
    upper = _series_values(book, lines[names.index(next(n for n in names if "upper" in n))])
    for lo, a, hi in zip(lower, ae, upper):  # the bars are the A/E interval around the A/E
        if isinstance(lo, float) and isinstance(hi, float):
            assert lo <= a <= hi
    # the helper column is outside the print area
    assert ws.print_area and "$BH" not in ws.print_area


def test_drivers_forest_plot(book) -> None:  # type: ignore[no-untyped-def]
    ws = book["Drivers"]
    (chart,) = ws._charts
    assert isinstance(chart, LineChart) and chart.y_axis.scaling.logBase
    hr, reference = chart.series[0], chart.series[1]
    hrs = [v for v in _series_values(book, hr)]
    assert all(isinstance(v, float) and v > 0 for v in hrs)
    assert _series_values(book, reference) == [1.0] * len(hrs)
    assert chart.y_axis.scaling.min <= min(hrs) and chart.y_axis.scaling.max >= max(hrs)
    # base 10 with powers of ten as bounds: LibreOffice draws log axes in base 10 from the
    # minimum, so base 2 bounds printed ticks "0.13", "1.25" there
    assert chart.y_axis.scaling.logBase == 10
    for bound in (chart.y_axis.scaling.min, chart.y_axis.scaling.max):
        assert math.isclose(math.log10(bound), round(math.log10(bound)), abs_tol=1e-12)
    (bounds,) = [sub for sub in chart._charts if sub is not chart and sub.series]
    lower, upper = (_series_values(book, s) for s in bounds.series)
    assert all(lo <= h <= hi for lo, h, hi in zip(lower, hrs, upper))
    assert bounds.hiLowLines is not None  # each interval drawn as a bar
    # the categories are the covariate levels of the table
    cats = _range_values(book, chart.series[0].cat.strRef.f
                         if chart.series[0].cat.strRef is not None
                         else chart.series[0].cat.numRef.f)
    assert cats and all("=" in str(c) for c in cats)


def test_zh_forest_and_ae_titles(tmp_path: Path, small_dataset) -> None:  # type: ignore[no-untyped-def]
    wb = load_workbook(write_report(small_dataset, tmp_path / "zh.xlsx", lang="zh_CN"))
    titles = [_title(c) for ws in wb.worksheets for c in ws._charts if c.title is not None]
    assert any("风险比" in t and "对数刻度" in t for t in titles)


def test_combined_groups_carry_cached_values(book) -> None:  # type: ignore[no-untyped-def]
    """The A/E chart's interval and 100 % series cache their cells like the bars do."""
    (chart,) = [c for c in book["Experience"]._charts if isinstance(c, BarChart)]
    subs = [s for sub in chart._charts if sub is not chart for s in sub.series]
    assert subs
    for s in subs:
        cells = [v for v in _range_values(book, s.val.numRef.f) if isinstance(v, (int, float))]
        assert [p.v for p in s.val.numRef.numCache.pt] == pytest.approx(cells)


def test_projection_region_marked(book, small_dataset) -> None:  # type: ignore[no-untyped-def]
    """A vertical line at the last observed duration splits observed from projected, and the
    title says so; the line's month is the Kaplan-Meier's last time."""
    from memberdesk.analysis.parametric import fit_parametric

    last = float(fit_parametric(small_dataset, horizon_months=120).km.timeline[-1])
    ws = book["Projection"]
    (chart,) = ws._charts
    assert f"observed to month {last:.0f}" in _title(chart)
    mark = chart.series[-1]
    xs = _range_values(book, mark.xVal.numRef.f)
    ys = _range_values(book, mark.yVal.numRef.f)
    assert xs == [pytest.approx(last)] * 2 and ys == [0.0, 1.0]
    assert "End of observed data" in _range_values(book, mark.tx.strRef.f)[0]


def test_persistency_reconciliation_measures_in_words() -> None:
    """The reconciliation and exclusion tables name their measures in words (the printout
    read 'experience_persistency', 'km_survival')."""
    import pandas as pd

    from memberdesk.report.sheets_retention import _named_measures, measure_name

    frame = pd.DataFrame({"measure": ["km_survival", "experience_persistency", "own words"],
                          "value": [0.9, 0.8, 0.7]})
    assert list(_named_measures(frame, "en")["measure"]) == [
        "Kaplan-Meier survival", "Experience-study persistency", "own words"]
    assert list(_named_measures(frame, "zh_CN")["measure"])[:2] == ["Kaplan-Meier生存率", "经验分析继续率"]
    assert measure_name("free_look", "en") == "Free-look cancellation"


def test_projection_parameters_as_symbols(book) -> None:  # type: ignore[no-untyped-def]
    """The fitted parameters read as the page shows them (λ, ρ), not lifelines' lambda_."""
    ws = book["Projection"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any("lambda_" in t or "rho_" in t or "sigma_" in t for t in texts)
    assert any("λ = " in t for t in texts)


def test_share_bar_chart_capped_at_100(book) -> None:  # type: ignore[no-untyped-def]
    """Claims' 'settled within 5/10/30 days' columns are shares: the axis stops at 100 %
    (it ran to 120 %); the A/E columns, which exceed 100 %, keep an open axis."""
    (claims,) = [c for c in book["Claims"]._charts if isinstance(c, BarChart)]
    assert claims.y_axis.scaling.max == 1.0
    (ae,) = [c for c in book["Experience"]._charts if isinstance(c, BarChart)]
    assert ae.y_axis.scaling.max is None
