"""An experience study on an engine book that had to read rows says so on the Experience page
and in the workbook, not only on the command line (issue #13 point 5: "say so in the result";
found by helper H): the result's notes are shown in the UI language and written on the sheet.

Truth: the catalogue's own words for the note's code (English and Chinese), written out here."""
from __future__ import annotations

from pathlib import Path

import duckdb
from openpyxl import load_workbook

from memberdesk.core.engine.book import open_book
from memberdesk.report.report_options import ReportOptions
from memberdesk.report.workbook import write_report

ROOT = Path(__file__).resolve().parents[2]
WEIGHTED_EN = ("a study weighted by annual_premium needs each policy's weight: the study read "
               "the accepted rows from the duckdb engine")


def _book(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "book.duckdb"
    con = duckdb.connect(str(path))
    for name in ("policies", "members"):
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM "
                    f"read_csv('{ROOT / 'sample_data' / (name + '.csv')}')")
    con.close()
    return open_book(f"duckdb://{path}")


def test_weighted_study_on_an_engine_book_says_it_read_rows(qtbot, show_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ds = _book(tmp_path)
    try:
        page = show_page("experience", ds)
        assert not page.note.isVisibleTo(page)  # by count: from the engine's counts, no note
        page.weight.setCurrentIndex(page.weight.findData("annual_premium"))
        qtbot.waitUntil(lambda: not page.is_busy, timeout=60_000)
        assert page.result.weight == "annual_premium"
        assert page.note.isVisibleTo(page) and WEIGHTED_EN in page.note.text()

        out = tmp_path / "report.xlsx"
        write_report(ds, out, options=ReportOptions(experience_weight="annual_premium"))
        wb = load_workbook(out, read_only=True)
        text = " ".join(str(c) for ws in wb.worksheets if "xperience" in ws.title
                        for row in ws.iter_rows(values_only=True) for c in row if c is not None)
        wb.close()
        assert WEIGHTED_EN in text
    finally:
        ds.book.close()


def test_the_note_is_chinese_on_a_chinese_screen(qtbot, show_page, tmp_path: Path, zh_cn) -> None:  # type: ignore[no-untyped-def]
    ds = _book(tmp_path)
    try:
        page = show_page("experience", ds)
        page.weight.setCurrentIndex(page.weight.findData("annual_premium"))
        qtbot.waitUntil(lambda: not page.is_busy, timeout=60_000)
        assert "本次研究从duckdb引擎读取了接受的行" in page.note.text()
        assert "needs each policy" not in page.note.text()
    finally:
        ds.book.close()
