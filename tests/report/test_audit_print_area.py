"""Chart data (long monthly grids) stays in the workbook for the charts but is left out of the
printout: the print area ends after the last chart, above the grid, and is wide enough for it."""
from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from memberdesk.report.workbook import write_report

GRID_SHEETS = {"Retention": "Months since issue", "Projection": "Months since issue",
               "Decrements": "Months since issue", "Persistency": "Period", "Benefits": "Month"}


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory, small_dataset):  # type: ignore[no-untyped-def]
    return load_workbook(write_report(small_dataset, tmp_path_factory.mktemp("pa") / "r.xlsx"))


def _area(ws) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    m = re.search(r"\$A\$1:\$([A-Z]+)\$(\d+)$", ws.print_area)
    assert m, ws.print_area
    return column_index_from_string(m.group(1)), int(m.group(2))


@pytest.mark.parametrize("sheet", sorted(GRID_SHEETS))
def test_grid_below_the_print_area_chart_inside(book, sheet: str) -> None:  # type: ignore[no-untyped-def]
    ws = book[sheet]
    last_col, last_row = _area(ws)
    heading = next(r for r in range(1, ws.max_row + 1)
                   if "not printed" in str(ws.cell(r, 1).value or ""))
    assert last_row < heading  # the grid and its heading are not printed
    # every chart is anchored inside the printed rows and fits the printed columns
    for chart in ws._charts:
        anchor_row = chart.anchor._from.row + 1
        assert anchor_row <= last_row
        width_cm = sum((ws.column_dimensions[chr(64 + c)].width or 8.43) * 0.19
                       for c in range(1, last_col + 1))
        assert width_cm >= chart.width
    # the grid itself is still there, feeding the chart
    assert ws.cell(heading + 1, 1).value == GRID_SHEETS[sheet]


def test_sheets_without_chart_data_print_everything(book) -> None:  # type: ignore[no-untyped-def]
    for sheet in ("Summary", "Data quality", "Definitions", "Claims"):
        assert not book[sheet].print_area
    # Drivers prints every row; its print area only leaves out the forest plot's helper
    # column of reference values (issue 17 B.8)
    ws = book["Drivers"]
    assert ws.print_area.endswith(f"${ws.max_row}")
