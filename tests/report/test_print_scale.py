"""Print (issue 17 B.5): no sheet prints below 85 %; Service prints the last 24 months and
keeps the full history below the print area."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from memberdesk.core.dataset import Dataset
from memberdesk.report.workbook import write_report

PRINTABLE_CM = 29.7 - 2.54  # A4 landscape less two 0.5 in margins
CM_PER_WIDTH = 0.19  # one Excel width unit (a digit of Calibri 11 plus padding), in cm


@pytest.fixture(scope="module")
def long_dataset(small_dataset) -> Dataset:  # type: ignore[no-untyped-def]
    """The small book with half its service contacts moved two years back (47 months)."""
    tables = {name: small_dataset.table(name).copy() for name in small_dataset.validated}
    contacts = tables["service_contacts"]
    older = contacts.index % 2 == 0
    contacts.loc[older, "started_at"] = contacts.loc[older, "started_at"] - pd.DateOffset(years=2)
    return Dataset(validated=tables, as_of=small_dataset.as_of, sources=small_dataset.sources)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory, long_dataset):  # type: ignore[no-untyped-def]
    return load_workbook(write_report(long_dataset, tmp_path_factory.mktemp("ps") / "r.xlsx"))


def _printed_cm(ws) -> float:  # type: ignore[no-untyped-def]
    last = ws.max_column
    if ws.print_area:
        m = re.search(r"\$([A-Z]+)\$\d+$", ws.print_area)
        assert m, ws.print_area
        last = column_index_from_string(m.group(1))
    dims = [ws.column_dimensions[get_column_letter(c)] for c in range(1, last + 1)]
    return sum((0 if d.hidden else (d.width or 8.43)) * CM_PER_WIDTH for d in dims)


def test_no_sheet_prints_below_85_percent(book) -> None:  # type: ignore[no-untyped-def]
    for ws in book.worksheets:
        if ws.sheet_properties.pageSetUpPr.fitToPage:
            # one page wide: the shrink factor is the page over the printed columns
            scale = min(1.0, PRINTABLE_CM / _printed_cm(ws))
            assert scale >= 0.85, (ws.title, round(scale, 2))
        else:  # a fixed scale: at least 85 %, the label column repeated on each page across
            assert ws.page_setup.scale >= 85, ws.title
            if ws.page_setup.scale < 100 or _printed_cm(ws) > PRINTABLE_CM:
                assert ws.print_title_cols, ws.title


def test_service_prints_last_24_months_full_history_unprinted(book, long_dataset) -> None:  # type: ignore[no-untyped-def]
    ws = book["Service"]
    m = re.search(r"\$(\d+)$", ws.print_area)
    assert m, ws.print_area
    last_printed = int(m.group(1))
    months = sorted(long_dataset.table("service_contacts")["started_at"].dt.to_period("M").unique())
    recent = next(r for r in range(1, ws.max_row + 1)
                  if str(ws.cell(r, 1).value or "").startswith("Monthly trend, last 24 months"))
    history = next(r for r in range(1, ws.max_row + 1)
                   if "full history" in str(ws.cell(r, 1).value or ""))
    assert recent < last_printed < history

    def block(row: int) -> list:  # type: ignore[type-arg]
        out, r = [], row + 2  # heading, header, then the months
        while ws.cell(r, 1).value is not None:
            out.append(ws.cell(r, 1).value)
            r += 1
        return out

    printed, full = block(recent), block(history)
    assert len(full) == len(months) > 24
    assert len(printed) == 24 and printed == full[-24:]
    assert f"{printed[-1]:%Y-%m}" == str(months[-1])
    # the chart draws the full history (its series refer to the unprinted block)
    (chart,) = ws._charts
    ref = chart.series[0].val.numRef.f
    assert re.search(rf"\${history + 2}:", ref) or f"${history + 2}" in ref, ref


def test_a_slightly_wide_text_sheet_wraps_instead_of_spilling() -> None:
    """A table whose long text column makes it too wide for one page at 85 % wraps that
    column (rows grow) and stays one page wide."""
    import pandas as pd
    from openpyxl import Workbook

    from memberdesk.report.layout import SheetWriter

    w = SheetWriter(Workbook().active, "en", "T", "As of 2024-12-31")
    w.title_block("Subject", "meta")
    text = "a definition in plain words that goes on for a while " * 2
    frame = pd.DataFrame({"term": ["x", "y"], "definition": [text, text],
                          **{f"n{i}": [12345.5, 2.5] for i in range(10)}})
    ref = w.table(frame)
    w.finish(page_text="&P of &N")
    ws = w.ws
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert PRINTABLE_CM / _printed_cm(ws) >= 0.85
    cell = ws.cell(ref.first_row, ref.col("definition"))
    assert cell.value == text and cell.alignment.wrap_text
    assert ws.row_dimensions[ref.first_row].height >= 28  # room for the wrapped lines


def test_narrowing_never_wraps_headings_or_notes() -> None:
    import pandas as pd
    from openpyxl import Workbook

    from memberdesk.report.layout import SheetWriter

    w = SheetWriter(Workbook().active, "en", "T", "As of 2024-12-31")
    w.title_block("Subject", "meta")
    heading = w.row
    w.section("A section heading longer than twenty characters")
    text = "a definition in plain words that goes on for a while " * 2
    frame = pd.DataFrame({"term": [text, text], **{f"n{i}": [12345.5, 2.5] for i in range(11)}})
    ref = w.table(frame)
    w.finish(page_text="&P of &N")
    assert w.ws.cell(ref.first_row, 1).alignment.wrap_text  # table text wraps
    assert not w.ws.cell(heading, 1).alignment.wrap_text  # the heading overflows as before
