"""The workbook a board can read (issue 17 B.4, B.5, B.6, B.9) through the shared layout.

Truths: the KPI result (previous as-of date, values), hand-made frames written through
SheetWriter (text in a number column, a tiny negative, year and month labels), and the sheet
list itself (Contents links)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from memberdesk.report.layout import SheetWriter
from memberdesk.report.workbook import write_report


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory, small_dataset: Any) -> Any:
    path = tmp_path_factory.mktemp("board") / "r.xlsx"
    write_report(small_dataset, path)
    from memberdesk.analysis.kpis import compute_kpis

    return load_workbook(path), compute_kpis(small_dataset)


def _header_row(ws: Any, first: str) -> list[Any]:
    for row in ws.iter_rows(values_only=True):
        if row and row[0] == first:
            return list(row)
    raise AssertionError(first)


def test_summary_header_previous_as_of_and_pct_change(book: Any) -> None:
    wb, kpis = book
    ws = wb["Summary"]
    header = _header_row(ws, "Key figure")
    prev = pd.Timestamp(kpis.previous_as_of).date().isoformat()
    assert f"Previous (as of {prev})" in header and "Change (%)" in header
    assert "%" in [c.value for c in ws["F"]]  # unit of shares is %, not "ratio"
    assert "ratio" not in [c.value for c in ws["F"]]
    assert not ws.auto_filter.ref  # no filter buttons over the KPI list
    kpi_row = next(c.row for c in ws["A"] if c.value == "Key figure")
    assert all(not t.ref.startswith(f"A{kpi_row}:") for t in ws.tables.values())
    assert ws.sheet_view.showGridLines is False
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any("/" in t and t.endswith((".csv", ".xlsx")) for t in texts)  # no paths


def test_contents_links_every_sheet_and_back(book: Any) -> None:
    wb, _ = book
    contents = wb["Contents"]
    links = {c.value: c.hyperlink.location or c.hyperlink.target for row in contents.iter_rows()
             for c in row if c.hyperlink is not None}
    others = [n for n in wb.sheetnames if n != "Contents"]
    assert set(others) <= set(links)
    for name in others:
        ws = wb[name]
        assert ws["A4"].value == "← Contents" and "Contents" in str(
            ws["A4"].hyperlink.location or ws["A4"].hyperlink.target)
        assert "Confidential" in ws.oddHeader.center.text


def _writer() -> SheetWriter:
    wb = Workbook()
    return SheetWriter(wb.active, "en", "T", "As of 2024-12-31")


def test_text_in_a_number_column_becomes_a_comment() -> None:
    w = _writer()
    frame = pd.DataFrame({"group": ["a", "b"], "median": [12.5, "not reached"]})
    ref = w.table(frame, formats={"median": "dec1"})
    cell = w.ws.cell(ref.first_row + 1, ref.col("median"))
    assert cell.value is None and cell.comment.text == "not reached"
    assert w.ws.cell(ref.first_row, ref.col("median")).alignment.horizontal == "right"


def test_no_negative_zero_and_periods_as_numbers_and_dates() -> None:
    w = _writer()
    frame = pd.DataFrame({"period": ["2019", "2020"], "month": ["2024-05", "2024-06"],
                          "rate": [-0.00001, 0.5]})
    ref = w.table(frame, formats={"period": "text", "month": "text", "rate": "pct"})
    r = ref.first_row
    assert w.ws.cell(r, ref.col("rate")).value == 0.0  # 0.0%, never "-0.0%"
    assert w.ws.cell(r, ref.col("period")).value == 2019
    assert w.ws.cell(r, ref.col("month")).value == dt.datetime(2024, 5, 1)
    assert w.ws.cell(r, ref.col("month")).number_format == "yyyy-mm"


def test_every_block_an_excel_table_and_print_titles() -> None:
    w = _writer()
    long = pd.DataFrame({"group": [f"g{i}" for i in range(40)], "n": range(40)})
    w.table(pd.DataFrame({"a": [1], "b": [2]}))
    ref = w.table(long, main=True)  # the last block: every later page continues it
    w.finish(page_text="p")
    assert len(w.ws.tables) == 2
    assert not w.ws.auto_filter.ref  # the Table's own filter instead
    assert w.ws.print_title_rows.replace("$", "") == f"{ref.header_row}:{ref.header_row}"


def test_small_samples_are_greyed_with_a_note() -> None:
    w = _writer()
    frame = pd.DataFrame({"group": ["a", "b", "c"], "n": [500, 12, 80],
                          "credibility": [0.9, 0.9, 0.2]})
    ref = w.table(frame)
    fonts = [w.ws.cell(ref.first_row + i, 2).font.color for i in range(3)]
    assert fonts[0] is None or fonts[0].rgb != "00A6A6A6"
    assert fonts[1].rgb.endswith("A6A6A6") and fonts[2].rgb.endswith("A6A6A6")  # n < 30; Z < 0.3
    assert "Small sample" in w.ws.cell(ref.first_row + 1, 1).comment.text


def test_share_axis_capped_at_100_percent() -> None:
    from memberdesk.report import charts

    w = _writer()
    ref = w.table(pd.DataFrame({"period": ["a", "b"], "share": [0.4, 0.95]}))
    chart = charts.category_line_chart(ref, "period", ["share"], title="t", x_title="x",
                                       y_title="y (%)")
    assert chart.y_axis.scaling.max == 1.0
    ref2 = w.table(pd.DataFrame({"period": ["a", "b"], "ae": [0.9, 1.3]}))
    chart2 = charts.category_line_chart(ref2, "period", ["ae"], title="t", x_title="x",
                                        y_title="y (%)")
    assert chart2.y_axis.scaling.max is None  # A/E may pass 100 %


def test_long_sheet_numerators_recompute_the_ratios(book: Any, small_dataset: Any) -> None:
    """Sum of numerators ÷ sum of denominators over the segments equals the whole-book value
    (the point of a long sheet for pivots); truth: the persistency result itself."""
    wb, _ = book
    ws = wb["Data (long)"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "Period")
    header = list(rows[header_at])
    data = [dict(zip(header, r)) for r in rows[header_at + 1:] if r[0] is not None]
    frame = pd.DataFrame(data)
    p13 = frame[frame["Metric"] == "persistency_13_count"]
    whole = p13[p13["Dimension"] == "All"].set_index("Period")
    seg = p13[p13["Dimension"] != "All"].groupby("Period")[["Numerator", "Denominator"]].sum()
    for period, row in seg.iterrows():
        assert row["Numerator"] / row["Denominator"] == pytest.approx(whole.loc[period, "Value"])
    assert all(isinstance(p, int) for p in frame["Period"])  # years as numbers


def test_km_chart_shows_six_largest_groups_and_other(tmp_path: Any) -> None:
    """Region has 12 levels in the sample: the chart draws 6 + Other, and Other is the KM of
    the pooled remaining policies (checked against km_by_segment on those records)."""
    from pathlib import Path

    from memberdesk.analysis.frames import survival_frame
    from memberdesk.analysis.survival import km_by_segment
    from memberdesk.core.loader import load_dataset
    from memberdesk.report.context import ReportContext
    from memberdesk.report.sheets_retention import chart_curves

    sample = Path(__file__).resolve().parents[2] / "sample_data"
    ds = load_dataset([str(sample / "policies.csv"), str(sample / "members.csv")])
    result = km_by_segment(ds, "region", unit="months")
    assert len(result.curves) > 6
    ctx = ReportContext(ds=ds, lang="en", segment="region", include_personal=False,
                        generated_at=dt.datetime(2026, 1, 1))
    drawn = chart_curves(ctx, result)
    assert len(drawn) == 7 and drawn[-1].name == "Other"
    top = {c.name for c in drawn[:6]}
    frame = survival_frame(ds, unit="months", columns=("region",))
    rest = frame[~frame["region"].astype(str).isin(top)]
    assert drawn[-1].n == len(rest)
    assert drawn[-1].survival_at([24.0])[0] == pytest.approx(
        km_by_segment(rest.drop(columns=["region"]).reset_index(drop=True), None,
                      unit="months").curves[0].survival_at([24.0])[0])


def test_zero_event_interval_is_a_dash() -> None:
    w = _writer()
    frame = pd.DataFrame({"policy_year": [1, 2], "actual": [0, 5], "rate": [0.0, 0.05],
                          "rate_lower": [0.0, 0.02], "rate_upper": [0.0, 0.09]})
    ref = w.table(frame)
    assert w.ws.cell(ref.first_row, ref.col("rate_upper")).value == "—"
    assert w.ws.cell(ref.first_row, ref.col("rate")).value == 0.0
    assert w.ws.cell(ref.first_row + 1, ref.col("rate_upper")).value == 0.09


def test_charts_carry_cached_values(book: Any) -> None:
    """Every chart series caches the values of its cells, so previews draw it (issue 17 B.8)."""
    wb, _ = book
    from memberdesk.report.charts import _range_values

    checked = 0
    for ws in wb.worksheets:
        for chart in ws._charts:
            for s in chart.series:
                src = s.val if s.val is not None else s.yVal
                ref = src.numRef
                cells = [v for v in _range_values(wb, ref.f) if isinstance(v, (int, float))]
                cached = [p.v for p in ref.numCache.pt]
                assert cached == pytest.approx([float(v) for v in cells]), ws.title
                checked += 1
    assert checked > 10
