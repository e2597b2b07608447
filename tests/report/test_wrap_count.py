"""One wrapped-line count for the workbook (review of #13): a note longer than the printed
columns is merged over them and its row made as tall as its lines by the same glyph-width count
(Calibri's published advance widths, which Carlito shares) that sizes every wrapped row of a
paginated sheet, on the one-page Dashboard (no computed breaks) as on the other sheets.

Hand calculation, 10 pt text, two columns of width 20 (Excel units): each column prints
min(20 x 5.44, (20 x 7 + 5) x 0.75) = 108.75 pt, less 4 pt of padding = 104.75 pt of text; a
cell merged over both has 2 x (104.75 + 4) - 4 = 213.5 pt.
* "ill " x 20: i and l are 229/1000 em, a space 226/1000: 20 words of 6.87 pt with a 2.26 pt
  space = 180.3 pt to the last letter: one line. (A count of 0.85 digit per letter read 80
  letters x 0.85 = 68 digits in a 38-digit room: two lines.)
* "WWW " x 8: W is 890/1000 em: words of 26.7 pt, 7 of them with their spaces = 202.7 pt, the
  8th would end at 229.4 pt > 213.5: two lines. (0.85 digit per letter: 27.2 digits, one line.)
"""
from __future__ import annotations

from openpyxl import Workbook

from memberdesk.report import styles
from memberdesk.report.layout import SheetWriter
from memberdesk.report.sheets_overview import wrapped_lines

NARROW = "ill " * 20
WIDE = "WWW " * 8


def _sheet(*, page_breaks: bool) -> SheetWriter:
    w = SheetWriter(Workbook().active, "en", "T", "As of 2024-12-31")
    w.page_breaks = page_breaks
    w.fixed_widths = {1: 20.0, 2: 20.0}
    w.note(NARROW.rstrip())      # row 1
    w.note(WIDE.rstrip())        # row 3
    w.ws.cell(5, 2, "x")         # the printed columns: A and B
    w.finish(page_text="&P")
    return w


def test_glyph_count_by_hand() -> None:
    assert styles.cell_text_pt([20.0, 20.0]) == 213.5
    assert styles.wrapped_line_count(NARROW.rstrip(), 213.5, 10.0) == 1
    assert styles.wrapped_line_count(WIDE.rstrip(), 213.5, 10.0) == 2


def test_dashboard_note_merged_by_the_glyph_count() -> None:
    w = _sheet(page_breaks=False)   # as the Dashboard: the notes' heights are left as set
    merged = {str(r) for r in w.ws.merged_cells.ranges}
    assert merged == {"A3:B3"}      # the wide note only
    assert w.ws.row_dimensions[3].height == 1.3 * 10 * 2 + 2   # two lines of 13 pt, + 2
    assert not w.ws.cell(1, 1).alignment.wrap_text


def test_paginated_sheet_counts_the_same_lines() -> None:
    w = _sheet(page_breaks=True)
    assert {str(r) for r in w.ws.merged_cells.ranges} == {"A3:B3"}
    assert w.ws.row_dimensions[3].height == round(2 * 1.275 * 10 + 3 + 0.05, 1)  # 28.5


def test_builders_count_with_the_same_glyph_widths() -> None:
    """The builders' count (a room in digits, before the sheet is finished) is the glyph count:
    a digit is 507/1000 em, so 42.1 digits at 10 pt are 213.4 pt."""
    assert wrapped_lines(NARROW.rstrip(), 42.1) == 1
    assert wrapped_lines(WIDE.rstrip(), 42.1) == 2
