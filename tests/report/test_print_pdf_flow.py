"""The sample's report as a manager prints it (issue 17 B.5), in both languages: LibreOffice
converts the workbook to PDF, pdftotext -bbox-layout reads every page back, and each page is
checked against the sheet it prints:

* no section heading is the last text line of a page (its table on the next page);
* no page in the middle of a sheet is near-empty (its body less than a third full: a break of
  the page model's placed a little after the program had already broken the page, or before
  it, the later breaks drifting);
* a page that continues a sheet's main table starts with that table's header (print titles).

The truth is the rendered PDF, independent of the page model that placed the breaks. Skipped
without LibreOffice, poppler-utils or the sample data; the printouts are shared with the other
PDF tests (tests/report/printed.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from tests.report.printed import MARGIN, NEEDS_LIBREOFFICE, PrintedReport, page_text

pytestmark = NEEDS_LIBREOFFICE
MIN_FILL = 1 / 3  # a page in the middle of a sheet fills at least this share of its body


@dataclass(frozen=True)
class Page:
    number: int
    sheet: str
    lines: tuple[str, ...]  # body text lines, top to bottom (words of one row joined)
    fill: float  # share of the body height down to the last text
    words: tuple[tuple[float, float, str], ...]  # body words: (x, y) of their top left, text


@dataclass(frozen=True)
class Printout:
    pages: tuple[Page, ...]
    headings: dict[str, frozenset[str]]  # sheet -> its section headings (bold 11 pt, column A)
    lineage: tuple[str, tuple[str, ...]]  # the Definitions' lineage header and its cells
    main_headers: dict[str, str]  # sheet -> the first cell of its repeated header row
    untitled_splits: tuple[str, ...]  # Excel Tables crossing a page break without print titles
    contents: tuple[str, ...]  # the sheets the Contents sheet links to
    sheetnames: tuple[str, ...]


def _render(printed: PrintedReport) -> Printout:
    lang = printed.lang
    wb = load_workbook(printed.xlsx)
    headings: dict[str, frozenset[str]] = {}
    main_headers: dict[str, str] = {}
    defs = wb["Definitions" if lang == "en" else "数据指标字典"]
    header_row = int(str(defs.print_title_rows).split(":")[0].lstrip("$"))
    last_col = max(c for c in range(1, defs.max_column + 1)
                   if defs.cell(header_row, c).value is not None)
    lineage = (str(defs.cell(header_row, last_col).value),
               tuple(str(defs.cell(r, last_col).value) for r in range(header_row + 1,
                                                                       defs.max_row + 1)
                     if defs.cell(r, last_col).value is not None))
    untitled: list[str] = []
    for ws in wb.worksheets:
        titles = str(ws.print_title_rows or "")
        titled = int(titles.split(":")[0].lstrip("$")) if titles else None
        for table in ws.tables.values():
            _, top, _, bottom = range_boundaries(table.ref)
            if any(top <= b.id < bottom for b in ws.row_breaks.brk) and top != titled:
                untitled.append(f"{ws.title}!{table.ref}")
    toc = wb.worksheets[1]
    contents = tuple(str(c.hyperlink.location or c.hyperlink.target or "")
                     for (c,) in toc.iter_rows(min_col=1, max_col=1) if c.hyperlink)
    for ws in wb.worksheets:
        headings[ws.title] = frozenset(
            str(c.value).strip() for (c,) in ws.iter_rows(min_col=1, max_col=1)
            if isinstance(c.value, str) and c.font.b and c.font.sz and float(c.font.sz) == 11)
        if ws.print_title_rows:
            row = int(str(ws.print_title_rows).split(":")[0].lstrip("$"))
            main_headers[ws.title] = " ".join(str(ws.cell(row, c).value).split()[0][:2]
                                              for c in (1, 2))  # (a wrapped label splits)
    pages = []
    for number, page in enumerate(printed.pages(), 1):
        text = page_text(page)
        words = tuple((float(x), float(y), w) for x, y, w in re.findall(
            r'<word xMin="([0-9.]+)" yMin="([0-9.]+)"[^>]*>([^<]*)</word>', page)
            if MARGIN - 4 < float(y) < text.height - MARGIN)
        pages.append(Page(number, text.sheet, text.lines,
                          (text.bottom - MARGIN) / (text.height - 2 * MARGIN), words))
    return Printout(tuple(pages), headings, lineage, main_headers, tuple(untitled), contents,
                    tuple(wb.sheetnames))


@pytest.fixture(scope="module")
def printout(printed_sample: PrintedReport) -> Printout:
    return _render(printed_sample)


def _sheet_of(printout: Printout, page: Page) -> str:
    names = [s for s in printout.headings if s and s in page.sheet]
    assert names, (page.number, page.sheet)
    return max(names, key=len)


def test_every_page_names_its_sheet(printout: Printout) -> None:
    for page in printout.pages:
        _sheet_of(printout, page)


def test_no_heading_ends_a_page(printout: Printout) -> None:
    """The Persistency sheet's "13th month: cohort exclusions" printed at a page's foot with
    its table on the next page (the page model's page ends came after LibreOffice's)."""
    for page in printout.pages:
        if not page.lines:
            continue
        last = page.lines[-1]
        headings = printout.headings[_sheet_of(printout, page)]
        assert last not in headings and not any(last.startswith(h) for h in headings), \
            (page.number, last)


def test_no_near_empty_page_inside_a_sheet(printout: Printout) -> None:
    """A near-empty page is the sign of two page-break models disagreeing: the Cohorts matrix
    printed a page of 2 rows between two full ones when breaks were placed at every page end
    of a model whose page was longer than LibreOffice's (its narrow columns print narrower
    there, so the sheet prints larger)."""
    pages = printout.pages
    for page, after in zip(pages, pages[1:]):
        if _sheet_of(printout, page) == _sheet_of(printout, after):
            assert page.fill >= MIN_FILL, (page.number, page.sheet, round(page.fill, 2))


def _has(page: Page, top: int, words: list[str]) -> bool:
    """Whether the first ``top`` lines of ``page`` hold every one of ``words``."""
    text = " ".join(page.lines[:top])
    return all(w in text for w in words)


def test_long_tables_repeat_their_header(printout: Printout) -> None:
    """Every page after the one where a sheet's repeated header row first prints starts with
    that header (its first two columns' first two letters; a page printing the columns that did not
    fit across, the Chinese Cohorts matrix at 85 %, starts with the title block's rows)."""
    by_sheet: dict[str, list[Page]] = {}
    for page in printout.pages:
        by_sheet.setdefault(_sheet_of(printout, page), []).append(page)
    checked = 0
    for sheet, header in printout.main_headers.items():
        words = header.split()
        pages = by_sheet[sheet]
        title = pages[0].lines[0]

        first = next(i for i, p in enumerate(pages) if _has(p, len(p.lines), words))
        for page in pages[first + 1:]:
            if page.lines[0] == title:  # a page across: the sheet's top rows, continued
                continue
            assert _has(page, 3, words), (page.number, sheet, header, page.lines[:3])
            checked += 1
    assert checked >= 10  # Persistency, Data (long), Definitions, ...


def test_every_long_table_has_its_header_on_each_page(printout: Printout) -> None:
    """A table that continues onto another page is its sheet's print-titled table: a second
    long table (Persistency's 25th month and collected-premium tables, Experience's split and
    benefit utilisation) prints on a sheet of its own, listed and linked on the Contents
    sheet; a shorter one that fits on a page starts a new page rather than split."""
    assert not printout.untitled_splits
    for name in printout.sheetnames[2:]:  # every sheet after the Dashboard and Contents
        assert any(name in link for link in printout.contents), name


def test_wrapped_rows_are_tall_enough_for_their_text(printout: Printout) -> None:
    """Every Definitions lineage (the longest wrapped cells, 7 to 17 lines) prints whole: a row
    lower than its wrapped text prints only the lines that fit. The rows are as tall as the
    text counted with the font's character widths; read back: the words printed in the lineage
    column, page by page and top to bottom, hold each lineage's text in order (spaces and line
    breaks aside)."""
    header, cells = printout.lineage
    first = header.split()[0] if " " in header else header[:4]
    printed = []
    for page in printout.pages:
        if not page.sheet.endswith(("Definitions", "数据指标字典")):
            continue
        centre = min((x for x, _, w in page.words if w.startswith(first)), default=None)
        assert centre is not None, (page.number, first)
        # the header is centred: the column starts at its cells' leftmost word
        x = min(wx for wx, _, _ in page.words if centre - 60 <= wx <= centre)
        lines: list[list[tuple[float, float, str]]] = []
        for y, wx, w in sorted((y, wx, w) for wx, y, w in page.words if wx >= x - 1):
            if lines and y - lines[-1][0][0] < 4:  # a fallback font's glyph (←) sits higher
                lines[-1].append((y, wx, w))
            else:
                lines.append([(y, wx, w)])
        printed.append("".join(w for line in lines for _, _, w in sorted(line, key=lambda t: t[1])))
    text = "".join(printed).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    at = 0
    for cell in cells:
        want = re.sub(r"\s+", "", cell)
        found = text.find(want, at)
        assert found >= 0, (want[-60:], text[at:at + len(want) + 40])
        at = found + len(want)
