"""The sample's report printed once per language, for the tests that read the printout back:
the workbook written, LibreOffice's PDF of it, and pdftotext's word boxes of every page.

The PDF tests share one conversion per language (:func:`printed_sample`, a session fixture in
``tests/report/conftest.py``): each is ~20 s of LibreOffice on this machine.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
NEEDS_LIBREOFFICE = [
    pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None,
                       reason="needs LibreOffice and poppler-utils (pdftotext)"),
    pytest.mark.skipif(not (SAMPLE / "policies.csv").is_file(), reason="no sample_data/"),
]
MARGIN = 54.0  # pt: the 0.75 in top and bottom margins; header and footer print inside them


@dataclass(frozen=True)
class PrintedReport:
    lang: str
    xlsx: Path
    pdf: Path
    bbox: str  # pdftotext -bbox-layout of the PDF
    bbox_straight: str  # the same without diagonal text (chart labels): -nodiag

    def pages(self, straight: bool = False) -> list[str]:
        """Each page's ``<page>`` element of the word boxes."""
        return re.findall(r"<page .*?</page>", self.bbox_straight if straight else self.bbox,
                          re.S)


def print_sample(folder: Path, lang: str) -> PrintedReport:
    """Write the sample's report in ``lang`` into ``folder`` and print it to PDF."""
    from memberdesk.core.loader import load_dataset
    from memberdesk.report.workbook import write_report

    xlsx = write_report(load_dataset([str(SAMPLE)]), folder / f"{lang}.xlsx", lang=lang)
    assert SOFFICE is not None
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{folder}/lo-profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(xlsx)],
                   check=True, capture_output=True, timeout=300)
    pdf = folder / f"{lang}.pdf"

    def boxes(*options: str) -> str:
        return subprocess.run(["pdftotext", "-bbox-layout", *options, str(pdf), "-"],
                              check=True, capture_output=True, text=True).stdout

    return PrintedReport(lang, xlsx, pdf, boxes(), boxes("-nodiag"))


@dataclass(frozen=True)
class PageText:
    sheet: str  # the sheet the page prints (its footer, page numbers left out)
    lines: tuple[str, ...]  # body text lines, top to bottom (words of one row joined)
    bottom: float  # pt: the lowest body text's bottom edge (MARGIN on an empty page)
    height: float  # pt: the page's height


def page_text(page: str) -> PageText:
    """The sheet name and body lines of one ``<page>`` of the word boxes."""
    height = float(re.search(r'height="([0-9.]+)"', page).group(1))  # type: ignore[union-attr]
    rows: dict[int, list[tuple[float, str]]] = {}
    footer: list[str] = []
    bottom = MARGIN
    for line in re.findall(r"<line .*?</line>", page, re.S):
        y0, y1, x0 = (float(re.search(rf'{k}="([0-9.]+)"', line).group(1))  # type: ignore[union-attr]
                      for k in ("yMin", "yMax", "xMin"))
        text = " ".join(re.findall(r">([^<]*)</word>", line))
        if y0 >= height - MARGIN:
            footer.append(text)
        elif y0 > MARGIN - 4:
            rows.setdefault(round(y0), []).append((x0, text))
            bottom = max(bottom, y1)
    sheet = re.sub(r"Page \d+ of \d+|第\s*\d+\s*页，?|共\s*\d+\s*页", "", " ".join(footer)).strip()
    lines = tuple(" ".join(t for _, t in sorted(rows[y])) for y in sorted(rows))
    return PageText(sheet, lines, bottom, height)


HEADER_FILL = "1F3864"  # the table headers' fill (report styles)


def text_cells(workbook: Any) -> Iterator[tuple[Any, Any, bool]]:
    """(worksheet, cell, is a table header) for every text cell of ``workbook`` (an openpyxl
    workbook): headers are the cells in the header fill."""
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    fill = cell.fill.fgColor.rgb if cell.fill is not None else None
                    yield ws, cell, isinstance(fill, str) and fill.endswith(HEADER_FILL)
