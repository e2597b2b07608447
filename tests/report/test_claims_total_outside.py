"""Claims sheet (issue 17 B.9): the all-claims row is a total — it comes last, reads "All"
("全部"), and sits outside the Excel Table, so sorting the products never moves it into the
middle (it was the Table's first row, "all")."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from memberdesk.report.workbook import write_report


@pytest.mark.parametrize("lang, sheet, first, total", [("en", "Claims", "Segment", "All"),
                                                       ("zh_CN", "理赔", "分组", "全部")])
def test_all_claims_row_is_last_and_outside_the_table(tmp_path: Path, small_dataset, rh,  # type: ignore[no-untyped-def]
                                                      lang: str, sheet: str, first: str,
                                                      total: str) -> None:
    ws = load_workbook(write_report(small_dataset, tmp_path / "r.xlsx", lang=lang))[sheet]
    headers, rows = rh.find_table(ws, first)
    segments = [r[0] for r in rows]
    products = sorted(set(small_dataset.validated["claims"].merge(
        small_dataset.validated["policies"][["policy_id", "product"]], on="policy_id")["product"]))
    assert segments[-1] == total and sorted(segments[:-1]) == products
    claims = headers.index(headers[1])
    assert rows[-1][claims] == sum(r[claims] for r in rows[:-1])  # by hand: the total of them
    (name,) = [n for n in ws.tables.keys()]
    _, top, _, bottom = range_boundaries(ws.tables[name].ref)
    total_row = next(r for r in range(top, ws.max_row + 1) if ws.cell(r, 1).value == total)
    assert bottom == total_row - 1  # the Table ends on the last product
