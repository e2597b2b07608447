"""Manager-ready formatting on every sheet (not only the one the content tests look at):
charts titled with axis titles, print setup, header/footer, frozen rows, document properties,
columns wide enough that no number prints as #####."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from memberdesk.report import styles
from memberdesk.report.workbook import write_report


@pytest.fixture(scope="module", params=["en", "zh_CN"])
def book(request, tmp_path_factory: pytest.TempPathFactory, small_dataset):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("fmt") / "r.xlsx"
    return load_workbook(write_report(small_dataset, path, lang=request.param))


def _text(title) -> str:  # type: ignore[no-untyped-def]
    return "".join(r.t for p in title.tx.rich.p for r in (p.r or []))


# The Dashboard's tile trends are sparklines (issue 17 B.3): the tile above is their title.
DASHBOARD = {"Dashboard", "仪表板"}


def test_every_chart_has_title_and_axis_titles(book) -> None:  # type: ignore[no-untyped-def]
    charts = [(ws.title, c) for ws in book.worksheets if ws.title not in DASHBOARD
              for c in ws._charts]
    assert len(charts) >= 7  # retention, persistency, projection, decrements, A/E, benefits, service, claims
    for sheet, chart in charts:
        assert _text(chart.title), sheet
        assert _text(chart.x_axis.title) and _text(chart.y_axis.title), sheet
        y = _text(chart.y_axis.title)
        assert "%" in y or "（" in y or "(" in y, f"{sheet}: no unit in {y!r}"


def test_every_sheet_prints_landscape_one_page_wide_with_header_footer(book) -> None:  # type: ignore[no-untyped-def]
    as_of = "2024-12-31"
    for ws in book.worksheets:
        if ws.title in DASHBOARD:  # one portrait page at 100 % (issue 17 B.3)
            assert ws.page_setup.orientation == "portrait" and ws.page_setup.scale == 100
            assert not ws.sheet_properties.pageSetUpPr.fitToPage
            continue
        assert ws.page_setup.orientation == "landscape", ws.title
        # one page wide, or (too wide for that at 85 %, issue 17 B.5) 85 % over pages across
        if ws.sheet_properties.pageSetUpPr.fitToPage:
            assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        else:
            assert ws.page_setup.scale >= 85 and ws.print_title_cols, ws.title
        assert ws.oddHeader.left.text == ws["A1"].value  # the report title
        assert as_of in ws.oddHeader.right.text
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert ws.freeze_panes, ws.title
        assert ws["A1"].font.bold and as_of in ws["A3"].value  # title block


def test_document_properties(book) -> None:  # type: ignore[no-untyped-def]
    p = book.properties
    assert p.title and p.creator == "MemberDesk"
    assert "2024-12-31" in p.subject and "2024-12-31" in p.keywords


def test_number_columns_wide_enough_no_hashes(book) -> None:  # type: ignore[no-untyped-def]
    """Excel shows ##### when a number is wider than its column: check every numeric cell."""
    kinds = {v: k for k, v in styles.FORMATS.items()}
    for ws in book.worksheets:
        merged = {c for rng in ws.merged_cells.ranges for row in ws.iter_rows(
            min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col)
            for c in row}
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, (int, float)) or cell in merged:
                    continue
                kind = kinds.get(cell.number_format, "num")
                width = ws.column_dimensions[cell.column_letter].width or 8.43
                assert styles.value_width(cell.value, kind) <= width, \
                    f"{ws.title}!{cell.coordinate}={cell.value} in width {width}"
