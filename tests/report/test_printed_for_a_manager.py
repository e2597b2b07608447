"""The sample's workbook printed as a manager reads it, without the app (issue 17; the points a
review of the printout left): LibreOffice converts the workbook to PDF, pdftotext reads every
page back, and the printed text is checked, in both languages:

* no page of a long table carries fewer than :data:`MIN_ROWS` of its data rows (a table's last
  page held one or two rows under its repeated header);
* every sheet that greys small-sample rows says on paper what the grey means (a cell comment
  does not print), and no other sheet does;
* no table header wraps before its closing bracket ("期初保单数（件" over a lone "）": 52 such
  lines on the Chinese PDF) nor after an opening one;
* "KM" is spelled out: no printed word and no cell reads "KM", and Kaplan-Meier is printed
  where it stood.

The truth is the rendered PDF (and, for what greys, the cells' font colour), independent of the
page model and of the label catalogue. Skipped without LibreOffice, poppler-utils or the sample
data; the printouts are shared with the other PDF tests (tests/report/printed.py)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

from tests.report.printed import NEEDS_LIBREOFFICE, PrintedReport, page_text, text_cells

pytestmark = NEEDS_LIBREOFFICE
MIN_ROWS = 5  # data rows a page of a table spanning pages carries at least
# a table of rows this tall (pt, over three lines: the Definitions' metrics take 7 to 17) holds
# a few rows on a page anyway; its pages are held by the page-fill test of test_print_pdf_flow
TALL_ROW_PT = 40.0
GREY = "A6A6A6"  # the small-sample rows' font colour
# what the legend says, written out here (not read from the catalogue it comes from)
LEGEND = {"en": "Grey rows: small sample", "zh_CN": "灰色行：样本量小"}
CLOSING = ")）]】」』，。、：；"
OPENING = "(（[【「『"
KM = re.compile(r"(?<![A-Za-z])KM(?![A-Za-z])")


@dataclass(frozen=True)
class Page:
    number: int
    sheet: str
    lines: tuple[str, ...]  # body text lines, top to bottom (words of one row joined)


@dataclass(frozen=True)
class Word:
    """A printed word with its box (pt)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Printout:
    lang: str
    pages: tuple[Page, ...]
    # each page's text lines as pdftotext finds them, as words (diagonal chart labels left out:
    # pdftotext -nodiag); a line may hold several cells of a row
    text_lines: tuple[tuple[tuple[Word, ...], ...], ...]
    workbook: object  # the openpyxl workbook


def _render(printed: PrintedReport) -> Printout:
    pages = tuple(Page(number, text.sheet, text.lines)
                  for number, text in enumerate(map(page_text, printed.pages()), 1))
    word = re.compile(r'<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" '
                      r'yMax="([0-9.]+)">([^<]*)</word>')
    lines = tuple(tuple(tuple(Word(text, float(a), float(b), float(c), float(d))
                              for a, b, c, d, text in word.findall(line))
                        for line in re.findall(r"<line .*?</line>", page, re.S))
                  for page in printed.pages(straight=True))
    return Printout(printed.lang, pages, lines, load_workbook(printed.xlsx))


@pytest.fixture(scope="module")
def printout(printed_sample: PrintedReport) -> Printout:
    return _render(printed_sample)


def _pages_of(printout: Printout, sheet: str) -> list[int]:
    """Indexes of the pages printing ``sheet`` (the footer ends with its name; the longest
    sheet name that fits wins, so "Persistency" is not "Persistency 25th month")."""
    names = [ws.title for ws in printout.workbook.worksheets]  # type: ignore[attr-defined]
    out = []
    for i, page in enumerate(printout.pages):
        mine = max((n for n in names if page.sheet.endswith(n)), key=len, default=None)
        if mine == sheet:
            out.append(i)
    return out


def _shown(value: object) -> str:
    """A first-column value as it prints: months yyyy-mm, whole numbers without decimals."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m")
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).split()[0] if str(value).split() else ""


def test_no_page_of_a_long_table_carries_only_a_few_rows(printout: Printout) -> None:
    """Every sheet whose main table repeats its header on every page (the long tables): each
    page from the one printing the header first carries at least :data:`MIN_ROWS` of the
    table's rows. Rows are counted on paper: a printed line starting with a data row's first
    cell (the continued pages start with the repeated header, which starts with no row's
    first cell). The Persistency 25th month table's last page held 2 rows, the Persistency
    table's first page 2 rows at the page's foot."""
    checked = 0
    for ws in printout.workbook.worksheets:  # type: ignore[attr-defined]
        if not ws.print_title_rows:
            continue
        header = int(str(ws.print_title_rows).split(":")[0].lstrip("$"))
        keys: set[str] = set()
        r = header + 1
        while ws.cell(r, 1).value is not None:
            keys.add(_shown(ws.cell(r, 1).value))
            r += 1
        n_rows = r - header - 1
        heights = sorted(float(ws.row_dimensions[x].height or 15.0)
                         for x in range(header + 1, r))
        if heights and heights[len(heights) // 2] > TALL_ROW_PT:
            continue  # a page holds a few tall rows anyway (test_print_pdf_flow: page fill)
        head = str(ws.cell(header, 1).value).split()[0]
        counts = []
        for i in _pages_of(printout, ws.title):
            lines = list(printout.pages[i].lines)
            at = next((k for k, line in enumerate(lines) if line.startswith(head)), None)
            if at is None:
                continue  # a page before the table (a chart, an earlier section)
            counts.append(sum(1 for line in lines[at + 1:] if line.split()[0] in keys))
        if len(counts) > 1 and n_rows >= 2 * MIN_ROWS:
            checked += 1
            assert min(counts) >= MIN_ROWS, (ws.title, n_rows, counts)
    assert checked >= 4  # Persistency, its 25th month, Definitions, Data (long), ...


def _greys(ws: object) -> bool:
    """Whether ``ws`` prints a row in the small-sample grey (its font colour, in the print
    area if the sheet has one)."""
    last = ws.max_row  # type: ignore[attr-defined]
    if ws.print_area:  # type: ignore[attr-defined]
        last = int(re.findall(r"\$?(\d+)$", str(ws.print_area))[0])  # type: ignore[attr-defined]
    for row in ws.iter_rows(max_row=last):  # type: ignore[attr-defined]
        for cell in row:
            color = cell.font.color.rgb if cell.font and cell.font.color is not None else None
            if cell.value is not None and isinstance(color, str) and color.endswith(GREY):
                return True
    return False


def test_sheets_that_grey_rows_print_what_the_grey_means(printout: Printout) -> None:
    """The grey of small-sample rows was explained in a cell comment only, which does not
    print: a sheet printing grey rows prints the legend (in its language); a sheet with no
    grey row does not."""
    legend = LEGEND[printout.lang].replace(" ", "")
    greying = 0
    for ws in printout.workbook.worksheets:  # type: ignore[attr-defined]
        pages = _pages_of(printout, ws.title)
        text = "".join("".join(printout.pages[i].lines) for i in pages).replace(" ", "")
        if _greys(ws):
            greying += 1
            assert legend in text, (ws.title, legend)
        else:
            assert legend not in text, ws.title
    assert greying >= 3  # Experience, Benefit utilisation, Claims, Persistency ...


def _headers(printout: Printout) -> set[str]:
    """Every table header text of the workbook (cells in the header fill), spaces left out."""
    return {re.sub(r"\s+", "", cell.value)
            for _, cell, header in text_cells(printout.workbook)  # type: ignore[attr-defined]
            if header}


def _header_breaks(printout: Printout) -> list[tuple[int, str]]:
    """Printed lines of a table header that start with a closing mark or end with an opening
    bracket: such a line's first (last) word, joined with the word printed just above (below)
    it in the same column, reads as a piece of a header text of the workbook."""
    headers = _headers(printout)
    found = []
    for number, lines in enumerate(printout.text_lines, 1):
        words = [w for line in lines for w in line]
        for line in lines:
            if not line:
                continue
            for w, above in ((line[0], True), (line[-1], False)):
                if not (w.text[:1] in CLOSING if above else w.text[-1:] in OPENING):
                    continue
                height = w.y1 - w.y0
                near = [o for o in words if o.x0 < w.x1 and w.x0 < o.x1
                        and 0 < (w.y0 - o.y0 if above else o.y0 - w.y0) < 2.2 * height]
                pieces = [o.text + w.text if above else w.text + o.text for o in near]
                if any(p in h for p in pieces for h in headers):
                    found.append((number, " / ".join(pieces)))
    return found


def test_no_header_wraps_next_to_a_bracket(printout: Printout) -> None:
    """No table header prints a line that starts with a closing mark or ends with an opening
    bracket: LibreOffice breaks a Chinese header anywhere, and a column a hair too narrow for
    "期初保单数（件）" printed "期初保单数（件" over a lone "）" (52 headers on the sample's
    Chinese printout), "生效保单数（" over "件）". English headers break at spaces: a unit
    moves whole to its own line ("(policy-years)"). Diagonal chart labels are left out.
    (Long wrapped text, the Definitions' lineages, may still break before a "）": a column
    cannot be fitted to every row's text; not checked here.)"""
    found = _header_breaks(printout)
    assert not found, found[:20]


def test_kaplan_meier_is_spelled_out(printout: Printout) -> None:
    """"KM" is jargon to a manager: no printed word and no cell of the workbook reads "KM" (a
    sheet name might have to abbreviate; none does), and the Collected 13th month sheet's
    reconciliation heading, where "KM" stood, prints "Kaplan-Meier"."""
    for page in printout.pages:
        for line in page.lines:
            assert not KM.search(line), (page.number, line)
    for ws in printout.workbook.worksheets:  # type: ignore[attr-defined]
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not KM.search(cell.value), (ws.title, cell.coordinate, cell.value)
    collected = [ws.title for ws in printout.workbook.worksheets  # type: ignore[attr-defined]
                 if ws.title in ("Collected 13th month", "实收继续率（第13个月）")]
    assert collected
    text = " ".join(" ".join(printout.pages[i].lines) for i in _pages_of(printout, collected[0]))
    assert "Kaplan-Meier" in text
