"""Page breaks (issue 17 B.5): headings kept with their tables, charts never cut, and no
forced break where the page has room (no near-empty pages)."""
from __future__ import annotations

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference

from memberdesk.report.layout import SheetWriter

# A4 landscape, 0.75 in top and bottom margins: (21.0 - 3.81) cm = 487 pt of rows at 100 %;
# auto rows print about 12.8 pt high: 36 rows with the writer's 5 % slack; chart rows 15 pt.
ROWS_PER_PAGE = 36


def _writer() -> SheetWriter:
    w = SheetWriter(Workbook().active, "en", "T", "As of 2024-12-31")
    w.title_block("Subject", "meta")  # rows 1-3, blank row 4
    return w


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"group": [f"g{i}" for i in range(n)], "value": range(n)})


def test_short_sheet_has_no_break() -> None:
    w = _writer()
    for _ in range(2):
        w.section("A heading")
        w.table(_frame(5))
    w.finish(page_text="&P")
    assert not w.ws.row_breaks.brk


def test_heading_near_the_page_end_moves_to_the_next_page() -> None:
    w = _writer()
    w.section("First")
    w.table(_frame(26))  # header row 6, rows 7-32, next row 34
    heading = w.row
    w.section("Second")  # would leave heading + header on page 1, the rows on page 2
    w.table(_frame(10))
    w.finish(page_text="&P")
    breaks = [b.id for b in w.ws.row_breaks.brk]
    assert breaks == [heading - 1]  # the page ends just above the heading
    assert heading + 3 > ROWS_PER_PAGE  # (it would have been split without the break)


def test_chart_goes_to_next_page_only_when_it_does_not_fit() -> None:
    w = _writer()
    chart = LineChart()
    chart.add_data(Reference(w.ws, min_col=2, min_row=40, max_row=45))
    at = w.row
    w.chart(chart)  # 20 rows of 15 pt right under the title: fits on page 1, no break
    assert at == 5
    chart2 = LineChart()
    chart2.add_data(Reference(w.ws, min_col=2, min_row=40, max_row=45))
    second = w.row
    w.chart(chart2)  # would cross the page's end: starts page 2
    w.finish(page_text="&P")
    assert [b.id for b in w.ws.row_breaks.brk] == [second - 1]
