"""Where the printed workbook's wrapped lines break (issue 17, the leftovers of the printout
review): LibreOffice converts the sample's workbook to PDF (the shared printout of
tests/report/printed.py) and pdftotext reads every line back.

* No printed line starts with a closing mark ("）", "，", "。", "、", "：", "；" ...) nor ends
  with an opening bracket: Chinese typesetting never does (kinsoku), and LibreOffice, which
  breaks between any two Chinese characters, printed "（赔付或拒赔）" over a lone "。" and
  "…V为方差" over "），自由度 = 分组数 − 1" on the Definitions sheet (7 such lines on the
  sample's Chinese printout).
* No English table header breaks inside a word: "Naive: ever-" over "users vs never-" over
  "users", "health check-" over "up" (LibreOffice breaks after a hyphen).

The truth is the rendered PDF, read against the workbook's own cell texts; skipped without
LibreOffice, poppler-utils or the sample data."""
from __future__ import annotations

import re

import pytest

from tests.report.printed import NEEDS_LIBREOFFICE, PrintedReport, text_cells
from tests.report.test_printed_for_a_manager import Printout, Word, _render

pytestmark = NEEDS_LIBREOFFICE
# what may not start a line (a bracket's, a clause's or a sentence's closing mark, a unit sign)
# and what may not end one, written out here
CLOSING = ")]}）】」』〕，。、：；！？%"
OPENING = "([{（【「『〔"


@pytest.fixture(scope="module")
def printout(printed_sample: PrintedReport) -> Printout:
    return _render(printed_sample)


def _cell_texts(printout: Printout) -> tuple[set[str], set[str]]:
    """Every text cell of the workbook (spaces left out): the table headers (cells in the
    header fill) and the others."""
    headers: set[str] = set()
    others: set[str] = set()
    for _, cell, header in text_cells(printout.workbook):  # type: ignore[attr-defined]
        (headers if header else others).add(re.sub(r"\s+", "", cell.value))
    return headers, others


def _line_text(line: tuple[Word, ...]) -> str:
    return " ".join(w.text for w in line)


def test_no_printed_line_starts_with_a_closing_mark(printout: Printout) -> None:
    """No printed line (of a wrapped cell) starts with a closing mark or ends with an opening
    bracket. A line that is a whole cell's text (the Summary's unit column reads "%") is a
    cell, not a wrapped line; diagonal chart labels are left out."""
    headers, others = _cell_texts(printout)
    whole = headers | others
    found = []
    for number, lines in enumerate(printout.text_lines, 1):
        for line in lines:
            text = _line_text(line)
            if not text or re.sub(r"\s+", "", text) in whole:
                continue
            if text[0] in CLOSING or text[-1] in OPENING:
                found.append((number, text[:60]))
    assert not found, found[:20]


def test_no_english_header_breaks_inside_a_word(printout: Printout) -> None:
    """No table header prints a word over two lines: a printed word ending a line, joined
    with the word printed just below it in the same column, is never one word of a header
    ("ever-" + "users"; pdftotext joins a row's cells into one line, so every printed word
    is looked at, against the header words of the sheet the page prints: a lineage's
    "Kaplan-" over "Meier" on the Definitions sheet, an ordinary break after a hyphen in body
    text, is no header's). The Chinese headers' terms are not
    checked here (breaking between two Chinese characters is allowed by the language; which
    pairs form a term needs a dictionary)."""
    if printout.lang != "en":
        pytest.skip("English headers")
    header_words: dict[str, set[str]] = {}  # by sheet
    for ws, cell, header in text_cells(printout.workbook):  # type: ignore[attr-defined]
        if header:
            header_words.setdefault(ws.title, set()).update(cell.value.split())
    found = []
    for page, lines in zip(printout.pages, printout.text_lines):
        sheet_words = header_words.get(page.sheet, set())
        words = [w for line in lines for w in line]
        for last in words:
            if last.text in sheet_words:
                continue  # a whole word
            height = last.y1 - last.y0
            below = [o for o in words if o.x0 < last.x1 + 30 and last.x0 - 30 < o.x1
                     and 0 < o.y0 - last.y0 < 2.2 * height]
            found += [(page.number, f"{last.text} / {o.text}") for o in below
                      if last.text + o.text in sheet_words]
    assert not found, found[:20]
