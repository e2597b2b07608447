"""The printed workbook's rules for a manager, checked on the writer without LibreOffice (the
printed PDF is read back in test_printed_for_a_manager.py where LibreOffice is installed):

* no page of a table printed over several pages carries fewer than 5 of its rows (widows at a
  table's end, orphans at its start);
* a table with grey small-sample rows has a legend line under it, one without has none;
* a Chinese header's column is sized so that the header never wraps next to its brackets;
* "KM" is written in full.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from memberdesk.core.dataset import Dataset
from memberdesk.report import styles
from memberdesk.report.analysis_terms import spelled_out
from memberdesk.report.layout import SheetWriter
from memberdesk.report.workbook import write_report


def _writer(lang: str = "en") -> SheetWriter:
    w = SheetWriter(Workbook().active, lang, "T", "As of 2024-12-31")
    w.title_block("Subject", "meta")  # rows 1-3, blank row 4
    return w


def _frame(n: int, *, counts: list[int] | None = None) -> pd.DataFrame:
    return pd.DataFrame({"group": [f"g{i}" for i in range(n)],
                         "n": counts if counts is not None else [100 + i for i in range(n)]})


def _rows_per_page(w: SheetWriter, first: int, last: int) -> list[int]:
    """Rows ``first``..``last`` on each printed page that holds any of them."""
    starts = [*w.page_starts, 10 ** 9]
    counts = [len(range(max(a, first), min(b - 1, last) + 1)) for a, b in zip(starts, starts[1:])]
    return [c for c in counts if c > 0]


@pytest.mark.parametrize("n", range(30, 112, 3))
def test_no_page_of_a_long_table_holds_only_a_few_of_its_rows(n: int) -> None:
    """A long main table (its header repeated on each page) of every length from 30 to 111
    rows: each page carries at least 5 of its rows. About 36 rows fill a page, so some of
    these lengths left 1 to 4 rows for the last page."""
    w = _writer()
    w.section("Long table")
    ref = w.table(_frame(n), main=True)
    w.finish(page_text="&P")
    pages = _rows_per_page(w, ref.first_row, ref.last_row)
    assert len(pages) >= 1 and sum(pages) == n
    if len(pages) > 1:
        assert min(pages) >= 5, pages


@pytest.mark.parametrize("before", range(5, 26, 2))
def test_a_long_table_starting_at_a_page_foot_starts_on_the_next_page(before: int) -> None:
    """A short table of ``before`` rows, then a heading and a 60-row table: wherever the
    second starts, no page carries fewer than 5 of its rows (its header with 2 rows at the
    foot of the first page was kept with its heading only)."""
    w = _writer()
    w.section("Short")
    w.table(_frame(before))
    w.section("Long")
    ref = w.table(_frame(60))
    w.finish(page_text="&P")
    pages = _rows_per_page(w, ref.first_row, ref.last_row)
    assert sum(pages) == 60 and min(pages) >= 5, pages


@pytest.mark.parametrize(("lang", "start"), [("en", "Grey rows: small sample"),
                                             ("zh_CN", "灰色行：样本量小")])
def test_a_table_with_grey_rows_has_a_legend_under_it(lang: str, start: str) -> None:
    """Rows on fewer than 30 observations print grey; a comment says why but does not print,
    so the line after the blank row under the table says what the grey means, in the sheet's
    language; the next table starts after one more blank row. A table without grey rows has
    no legend."""
    w = _writer(lang)
    ref = w.table(_frame(3, counts=[10, 50, 200]))
    legend = w.ws.cell(ref.last_row + 2, 1).value
    assert isinstance(legend, str) and legend.startswith(start)
    assert "30" in legend and "0.3" in legend
    assert w.ws.cell(ref.last_row + 1, 1).value is None
    assert w.ws.cell(ref.first_row, 1).font.color.rgb.endswith("A6A6A6")  # the n = 10 row
    plain = w.table(_frame(3))
    assert plain.header_row == ref.last_row + 4
    assert w.ws.cell(plain.last_row + 2, 1).value is None
    assert w.row == plain.last_row + 2


def test_wrapped_lines_break_chinese_anywhere() -> None:
    """Bold 10 pt Chinese: 10 pt a character. In 75 pt, 7 characters fit on the first line
    and the closing bracket goes alone to the second (what LibreOffice printed)."""
    assert styles.wrapped_lines("期初保单数（件）", 75, 10, bold=True, lang="zh_CN") == [
        "期初保单数（件", "）"]
    assert styles.wrapped_lines("期初保单数（件）", 55, 10, bold=True, lang="zh_CN") == [
        "期初保单数", "（件）"]
    assert styles.breaks_at_a_bracket(["期初保单数（件", "）"])
    assert styles.breaks_at_a_bracket(["生效保单数（", "件）"])
    assert styles.breaks_at_a_bracket(["风险率（每", "月）"])  # a short unit split
    assert styles.breaks_at_a_bracket(["剔除：豁免保", "费"])  # one character alone
    assert not styles.breaks_at_a_bracket(["期初保单数", "（件）"])
    assert not styles.breaks_at_a_bracket(["继续率（件数", "口径，%）"])  # a long one may wrap
    assert not styles.breaks_at_a_bracket(["Cohort policies", "(number)"])


def test_a_chinese_headers_column_keeps_its_brackets_together() -> None:
    """"期初保单数（件）" is 8 characters, 80 pt in bold 10 pt; its column was 12 units
    (65 pt in LibreOffice, 67 pt in Excel): "期初保单数（" over "件）". Printed clear of its
    brackets the header needs a room for text of 80 pt or more (one line) or of 50 to 60 pt
    ("期初保单数" over "（件）"), from the narrower program's room (its width less 4 pt of
    padding) to the wider's (LibreOffice's padding is under a point)."""
    w = _writer("zh_CN")
    ref = w.table(pd.DataFrame({"group": ["a", "b"], "at_risk": [1786, 1279]}),
                  labels={"group": "分组", "at_risk": "期初保单数（件）"})
    w.finish(page_text="&P")
    width = w.ws.column_dimensions["B"].width
    assert w.ws.cell(ref.header_row, 2).value == "期初保单数（件）"  # the text unchanged
    lo, excel = width * 5.44, (width * 7 + 5) * 0.75
    for room in (lo - 4, lo - 0.5, excel - 4, excel - 0.5):
        assert room >= 80 or 50 <= room < 60, (width, room)
    assert width * 5.44 - 4 >= len("1,786") * 5.07  # the counts still fit (Calibri digits)


def test_km_is_written_in_full() -> None:
    assert spelled_out("Retention (KM survival)") == "Retention (Kaplan-Meier survival)"
    assert spelled_out("KM生存率首次降至0.5及以下的时长。") == "Kaplan-Meier生存率首次降至0.5及以下的时长。"
    assert spelled_out("KMS and OKMA") == "KMS and OKMA"


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_no_cell_of_the_workbook_reads_km(lang: str, small_dataset: Dataset,
                                          tmp_path: Path) -> None:
    """Every text cell of the report (the Definitions' metric names and definitions, the
    collected-persistency reconciliation's heading and measures): "Kaplan-Meier", never "KM"."""
    wb = load_workbook(write_report(small_dataset, tmp_path / "r.xlsx", lang=lang))
    km = re.compile(r"(?<![A-Za-z])KM(?![A-Za-z])")
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not km.search(cell.value), (ws.title, cell.coordinate, cell.value)
                    seen += "Kaplan-Meier" in cell.value
    assert seen >= 3
