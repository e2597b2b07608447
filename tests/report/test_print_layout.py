"""The workbook as a manager prints it (issue 17 B.5-B.8): explicit row heights (no blank last
page), print titles only over the table they head, headings and short tables kept whole, the
Service Resolution-rate row, the KM chart's confidence bands at the result's level, the
Experience chart sharing its page, share axes only capped near 100 %."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.chart import LineChart, Reference

from memberdesk.core.assumptions import Assumptions
from memberdesk.core.dataset import Dataset
from memberdesk.report.layout import SheetWriter
from memberdesk.report.workbook import write_report


def _writer() -> SheetWriter:
    w = SheetWriter(Workbook().active, "en", "T", "As of 2024-12-31")
    w.title_block("Subject", "meta")  # rows 1-3, blank row 4
    return w


def _frame(n: int, name: str = "group") -> pd.DataFrame:
    return pd.DataFrame({name: [f"g{i}" for i in range(n)], "value": range(n)})


def _chart(w: SheetWriter) -> LineChart:
    chart = LineChart()
    chart.add_data(Reference(w.ws, min_col=2, min_row=6, max_row=8))
    return chart


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory, small_dataset: Dataset) -> Any:
    path = tmp_path_factory.mktemp("layout") / "r.xlsx"
    write_report(small_dataset, path)
    return load_workbook(path)


# ---- rows and pages ----------------------------------------------------------------------------

def test_every_row_has_an_explicit_height(book: Any) -> None:
    """LibreOffice paginated rows left to automatic height with one height and drew them with
    another (a blank last page, a table's last rows alone on a page): every row up to the
    last written one carries its height."""
    for ws in book.worksheets[1:]:  # the Dashboard is one fixed page: automatic rows
        missing = [r for r in range(1, ws.max_row + 1) if not ws.row_dimensions[r].height]
        assert not missing, (ws.title, missing[:5])


def test_row_heights_follow_the_font() -> None:
    w = _writer()
    w.section("Heading")
    w.table(_frame(3))
    w.finish(page_text="&P")
    ws = w.ws
    assert ws.row_dimensions[1].height == pytest.approx(14 * 1.3 + 0.5, abs=0.1)  # 14 pt title
    assert ws.row_dimensions[7].height == pytest.approx(10 * 1.3 + 0.5, abs=0.1)  # 10 pt body
    zh = SheetWriter(Workbook().active, "zh_CN", "T", "截至")  # (a CJK line is taller)
    zh.title_block("主题", "说明")
    zh.finish(page_text="&P")
    assert zh.ws.row_dimensions[1].height > ws.row_dimensions[1].height  # CJK lines are taller


def test_print_titles_dropped_when_a_later_page_holds_other_content() -> None:
    """The main table's header repeated above a chart or another table (the Persistency chart
    page, the Service channel table) reads as that content's header: print titles are set
    only when every later page continues the main table."""
    w = _writer()
    w.section("Main")
    w.table(_frame(45), main=True)  # crosses onto page 2
    w.section("Other")
    w.table(_frame(45, "other"))  # pages of its own
    w.chart(_chart(w))
    w.finish(page_text="&P")
    assert len(w.page_starts) >= 3
    assert not w.ws.print_title_rows

    last = _writer()
    last.section("Small")
    last.table(_frame(3))
    ref = last.table(_frame(80), main=True)  # the last block: later pages all continue it
    last.finish(page_text="&P")
    assert len(last.page_starts) >= 3
    assert all(ref.first_row < s <= ref.last_row for s in last.page_starts[1:])
    assert last.ws.print_title_rows.replace("$", "") == f"{ref.header_row}:{ref.header_row}"


def test_a_short_table_is_never_split_and_its_heading_goes_with_it() -> None:
    w = _writer()
    w.section("First")
    w.table(_frame(24))
    heading = w.row
    w.section("Second")
    ref = w.table(_frame(12))  # would straddle the page's end
    w.finish(page_text="&P")
    assert heading in w.page_starts  # the page begins at the heading, not inside the table
    assert not any(heading < s <= ref.last_row for s in w.page_starts)


def test_persistency_has_no_print_titles_over_its_chart(book: Any) -> None:
    """The trend chart prints first, under the title: a repeated header row (the first month's
    table, the sheet's one long table) starts below it, so it never prints above the chart."""
    ws = book["Persistency"]
    assert ws._charts  # the trend chart is printed on this sheet
    titles = str(ws.print_title_rows or "")
    if titles:
        header = int(titles.split(":")[0].lstrip("$"))
        assert all(c.anchor._from.row + 1 < header for c in ws._charts)


# ---- Service: the Resolution-rate row --------------------------------------------------------

@pytest.fixture(scope="module")
def service_book(tmp_path_factory: pytest.TempPathFactory, small_dataset: Dataset) -> Any:
    """The small book with a third of the contacts' resolved flags unknown, so resolution
    rate (resolved ÷ resolution recorded) differs from resolved ÷ all contacts."""
    tables = {name: small_dataset.table(name).copy() for name in small_dataset.validated}
    contacts = tables["service_contacts"]
    resolved = contacts["resolved"].astype("boolean")
    resolved[contacts.index % 3 == 0] = pd.NA
    contacts["resolved"] = resolved
    ds = Dataset(validated=tables, as_of=small_dataset.as_of, sources=small_dataset.sources)
    path = tmp_path_factory.mktemp("svc") / "r.xlsx"
    write_report(ds, path)
    return load_workbook(path)["Service"], contacts, ds.as_of


def test_resolution_rate_row_holds_its_own_counts(service_book: Any, rh: Any) -> None:
    ws, contacts, as_of = service_book
    inw = contacts[(contacts["started_at"] > as_of - pd.DateOffset(months=12))
                   & (contacts["started_at"] <= as_of)]
    resolved = int((inw["resolved"] == True).sum())  # noqa: E712  (pandas boolean NA)
    recorded = int(inw["resolved"].notna().sum())
    assert recorded < len(inw)  # the unknown flags are in the window
    headers, rows = rh.find_table(ws, "Measure")
    by = {r[0]: r for r in rows}
    row = by["Resolution rate"]
    assert row[1] == pytest.approx(resolved / recorded)  # not resolved ÷ all contacts
    assert row[3].endswith(f"= {resolved:,} ÷ {recorded:,}")
    assert by["Resolved"][1] == resolved and by["Resolution recorded"][1] == recorded
    # the formula sits on its measure's row, and a taller row reads from the top
    r = next(i for i in range(1, ws.max_row + 1) if ws.cell(i, 1).value == "Resolution rate")
    assert ws.cell(r, 4).value == row[3]
    if (ws.row_dimensions[r].height or 0) > 15:
        assert {ws.cell(r, c).alignment.vertical for c in (1, 2, 3, 4)} == {"top"}


def test_formula_rows_are_one_line_when_the_merged_cell_is_wide_enough(book: Any) -> None:
    """The merged formula cell spans the trend table's columns: a formula that fits its width
    keeps a single-line row (a guessed width gave Resolution rate a second line)."""
    ws = book["Service"]
    r = next(i for i in range(1, ws.max_row + 1) if ws.cell(i, 1).value == "Resolution rate")
    merged = next(m for m in ws.merged_cells.ranges if m.min_row == r and m.min_col == 4)
    width = sum(ws.column_dimensions[chr(64 + c)].width or 8 for c in range(4, merged.max_col + 1))
    assert len(ws.cell(r, 4).value) * 0.85 < width - 2  # fits on one line
    assert ws.row_dimensions[r].height < 20


# ---- KM chart: confidence bands at the result's level ----------------------------------------

def _km_sheet(tmp_path: Path, ds: Dataset) -> Any:
    path = tmp_path / "r.xlsx"
    write_report(ds, path)
    return load_workbook(path)["Retention"]


@pytest.mark.parametrize("level", [0.95, 0.90])
def test_km_chart_draws_each_curves_ci_band(tmp_path: Path, small_dataset: Dataset,
                                            level: float) -> None:
    from lifelines import KaplanMeierFitter

    from memberdesk.analysis.frames import survival_frame

    ds = small_dataset.with_assumptions(replace(Assumptions(), ci_level=level))
    ws = _km_sheet(tmp_path, ds)
    (chart,) = ws._charts
    groups = sorted(ds.policies["channel"].unique())
    assert len(chart.series) == 3 * len(groups)  # a curve and its two bounds per group
    text = f"{level * 100:g}%"
    titles = [s.tx.strRef.f for s in chart.series]
    header = {ws[t.split("!")[1].replace("$", "")].value: t for t in titles}
    for g in groups:
        assert g in header and f"{g} {text} CI lower" in header and f"{g} {text} CI upper" in header
    # the legend names the curves only
    deleted = {e.idx for e in chart.legend.legendEntry if e.delete}
    assert deleted == set(range(len(groups), 3 * len(groups)))
    assert text in chart.title.tx.rich.p[0].r[0].t
    # every label on the sheet names the level used; none the default when it differs
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    if level != 0.95:
        assert not any("95%" in t for t in texts)
    assert any(t == f"{text} CI lower" for t in texts)  # the survival-at table's header
    # the band's values: lifelines' log-log interval at that level on the same records
    frame = survival_frame(ds, unit="months", columns=("channel",))
    agency = frame[frame["channel"] == "agency"]
    kmf = KaplanMeierFitter(alpha=1 - level).fit(agency["duration"], agency["event"])
    ci = kmf.confidence_interval_survival_function_
    head_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Months since issue"
                    and ws.cell(r + 1, 1).value == 0)
    cols = {ws.cell(head_row, c).value: c for c in range(1, ws.max_column + 1)}
    for month in (12, 24, 36):
        row = head_row + 1 + month
        assert ws.cell(row, 1).value == month
        at = ci[ci.index <= month].iloc[-1]
        assert ws.cell(row, cols[f"agency {text} CI lower"]).value == pytest.approx(at.iloc[0],
                                                                                      abs=1e-9)
        assert ws.cell(row, cols[f"agency {text} CI upper"]).value == pytest.approx(at.iloc[1],
                                                                                      abs=1e-9)


def test_chart_data_below_the_print_area_does_not_widen_it() -> None:
    """The KM grid with its bounds (a curve and two bounds per group) is wider than the
    printed tables: it sits below the print area and neither prints nor shrinks the page."""
    w = _writer()
    w.table(_frame(5))  # two printed columns
    wide = pd.DataFrame({f"c{i}": [0.5, 0.4] for i in range(16)})
    w.chart_over_table("Chart data", wide, lambda ref: _chart(w))
    w.finish(page_text="&P")
    area = w.ws.print_area.split("!")[1].replace("$", "")
    last_col = area.split(":")[1].rstrip("0123456789")
    assert w.ws.max_column == 16
    assert len(last_col) == 1 and ord(last_col) - 64 < 16  # only what the chart needs
    assert w.ws.sheet_properties.pageSetUpPr.fitToPage and not w.ws.print_title_cols


# ---- Experience and chart axes -----------------------------------------------------------------

def test_experience_chart_above_its_table_and_no_blank_ae_columns(book: Any) -> None:
    ws = book["Experience"]
    headers = [c.value for c in ws[next(r for r in range(1, ws.max_row + 1)
                                        if ws.cell(r, 1).value == "Policy year")]]
    assert not any(str(h).startswith(("A/E", "Expected")) for h in headers if h)
    (chart,) = ws._charts
    chart_row = chart.anchor._from.row + 1
    table_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Policy year")
    assert chart_row < table_row
    assert not ws.row_breaks.brk or all(b.id >= chart_row + 19 for b in ws.row_breaks.brk)


def test_small_shares_keep_an_automatic_axis() -> None:
    from memberdesk.report import charts

    w = _writer()
    ref = w.table(pd.DataFrame({"year": ["1", "2"], "rate": [0.08, 0.11]}))
    chart = charts.category_bar_chart(ref, "year", ["rate"], title="t", x_title="x",
                                      y_title="y", y_format="0%")
    assert chart.y_axis.scaling.max is None  # 0-12 %, not a sliver on a 0-100 % axis


def test_print_scale_uses_column_padding() -> None:
    """Printed width of a column: 7 px a digit plus 5 px padding at 96 dpi (LibreOffice and
    Excel); many narrow columns add up (Persistency printed at 82 % when 0.19 cm a unit said
    85 %)."""
    from memberdesk.report.layout import column_cm

    assert column_cm(10.0) == pytest.approx((70 + 5) / 96 * 2.54)
    assert np.isclose(sum(column_cm(12.0) for _ in range(13)), 13 * (89 / 96 * 2.54))


def test_a_note_longer_than_the_printed_columns_wraps_inside_them() -> None:
    """A long note overflowed to the right and was cut at the print area's edge (the
    Retention list's note on the scores): it wraps over the printed columns instead."""
    w = _writer()
    w.table(_frame(3))
    text = "Scores: probability of a lapse or surrender within 12 months. " * 4
    row = w.row
    w.note(text)
    w.note("short")
    w.finish(page_text="&P")
    ws = w.ws
    (merged,) = [m for m in ws.merged_cells.ranges if m.min_row == row]
    assert merged.min_col == 1 and merged.max_col == 2  # the printed columns
    assert ws.cell(row, 1).alignment.wrap_text
    assert ws.row_dimensions[row].height >= 4 * 13  # room for its lines
    assert ws.cell(row + 2, 1).value == "short"
    assert not any(m.min_row == row + 2 for m in ws.merged_cells.ranges)  # a short note stays


def test_cohort_columns_fit_the_page_but_never_below_the_text() -> None:
    """The sample's 26 month columns at 5.7 ran two columns over the page (three extra pages
    of blank cells): narrowed to fit at 85 %, never below 4.6 ("100%" in a 10 pt Calibri);
    the Chinese edition narrows alike and sets its wider digits smaller ("100%" printed as
    "###" at 4.75 and 10 pt; at 5.7 the matrix ran two columns onto pages of their own)."""
    from memberdesk.report.layout import MIN_PRINT_SCALE, PRINTABLE_CM, column_cm
    from memberdesk.report.sheets_retention import (
        COHORT_LABEL_CM,
        cohort_cell_width,
        cohort_font_size,
    )

    width = cohort_cell_width(26)
    assert 4.6 <= width < 5.7
    assert COHORT_LABEL_CM + 26 * column_cm(width) <= PRINTABLE_CM / (MIN_PRINT_SCALE / 100)
    assert cohort_cell_width(10) == 5.7 and cohort_cell_width(60) == 4.6
    assert cohort_cell_width(26, "zh_CN") == width
    assert cohort_font_size(width, "en") == 10.0 and cohort_font_size(width, "zh_CN") < 10.0


def test_dashboard_tiles_keep_room_for_wrapped_change_lines(tmp_path: Path,
                                                            small_dataset: Dataset) -> None:
    """The Chinese tiles' change lines ("▼ −1.2个百分点") wrap onto two lines: a fixed one-line
    height clipped them, so the one-page Dashboard keeps automatic (or two-line) rows."""
    ws = load_workbook(write_report(small_dataset, tmp_path / "r.xlsx", lang="zh_CN"))["仪表板"]
    rows = {c.row for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and "个百分点" in c.value}
    assert rows
    for r in rows:
        height = ws.row_dimensions[r].height
        assert height is None or height >= 2 * 13, (r, height)
    # the tile's value stays on one line (shrunk to the tile): "76.8百万" wrapped in its
    # fixed-height row and lost its last character
    tiles = [c for row in ws.iter_rows() for c in row if c.value is not None and c.font.sz == 16]
    assert tiles and all(c.alignment.shrink_to_fit and not c.alignment.wrap_text for c in tiles)


@pytest.mark.parametrize("rows", [12, 24])
def test_a_table_of_up_to_25_rows_moves_whole_to_the_next_page(rows: int) -> None:
    """Without print titles on a sheet of several tables, a split table's second part has no
    header (Service's last-24-months table printed 8 rows, then 16 headerless): a table of at
    most 25 rows that would cross the page's end starts the next page with its heading."""
    w = _writer()
    w.section("First")
    w.table(_frame(20))
    heading = w.row
    w.section("Second")
    ref = w.table(_frame(rows))
    w.finish(page_text="&P")
    assert heading in w.page_starts
    assert not any(heading < s <= ref.last_row for s in w.page_starts)
