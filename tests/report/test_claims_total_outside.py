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


def test_products_with_few_claims_are_greyed(tmp_path: Path, rh) -> None:  # type: ignore[no-untyped-def]
    """Issue 17 B.7: a row resting on fewer than 30 claims is greyed with the small-sample
    note (the sample's Term Life 5 read "100 % paid" from 2 claims, like any other row)."""
    from memberdesk.report import styles

    ds = rh.make_dataset(400, products=("Term Life", "Whole Life", "Critical Illness", "Rare"))
    policies = ds.validated["policies"]
    ws = load_workbook(write_report(ds, tmp_path / "r.xlsx"))["Claims"]
    headers, rows = rh.find_table(ws, "Segment")
    top = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Segment") + 1
    counts = ds.validated["claims"].merge(policies[["policy_id", "product"]], on="policy_id")
    by_product = counts.groupby("product").size().to_dict()
    by_product["All"] = len(counts)
    assert min(by_product.values()) < 30 <= max(by_product.values())  # both kinds present
    for i, row in enumerate(rows):
        cell = ws.cell(top + i, 1)
        grey = cell.font.color is not None and cell.font.color.rgb == styles.SMALL_SAMPLE_FONT.color.rgb
        assert row[headers.index("Claims (number)")] == by_product[row[0]]
        assert grey == (by_product[row[0]] < 30), row[0]
        assert (cell.comment is not None) == (by_product[row[0]] < 30), row[0]


def test_benefits_whole_book_row_reads_all(tmp_path: Path, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    """The Benefits sheet's whole-book row reads "All" like the Claims total, not "all"."""
    ws = load_workbook(write_report(small_dataset, tmp_path / "r.xlsx"))["Benefits"]
    _, rows = rh.find_table(ws, "Segment")
    assert [r[0] for r in rows] == ["All"]
