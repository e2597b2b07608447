"""The Collected 13th/25th month sheets' first table (the reconciliation of the collected basis
with the status basis, KM and the experience study) as a manager prints it, in both languages:
no blank row inside it, its rows as tall as the layout makes any table's rows.

The bug: the sheet is a little too wide for one page at 85 % (its long table has 12 columns),
so its column A, which holds the measure labels, was narrowed to 23.2 units. Lines are
counted in the narrower program (Excel: 7 px a unit + 5 px, less 4 pt of cell padding:
121.7 pt of room), while LibreOffice prints such a column 23.2 x 5.44 = 126.4 pt wide. By
Calibri's published advance widths (Carlito's too), "Collected premium persistency" at 10 pt is

    C .533 o .527 l .229 l .229 e .498 c .423 t .335 e .498 d .525 ␣ .226
    p .525 r .349 e .498 m .799 i .229 u .525 m .799 ␣ .226
    p .525 e .498 r .349 s .391 i .229 s .391 t .335 e .498 n .525 c .423 y .453
    = 12.590 em = 125.9 pt,

more than the count's room and less than LibreOffice's column: its row was made two lines
tall and LibreOffice printed one, the second line blank (so too "Status-basis count
persistency", 122.5 pt). The truths here: the label widths from the font's metrics against
both programs' printed column widths, and the rendered PDF's line spacing.

Skipped without the sample data; the PDF test also without LibreOffice and pdftotext.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from memberdesk.report import styles

SOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
pytestmark = pytest.mark.skipif(not (SAMPLE / "policies.csv").is_file(), reason="no sample_data/")
SHEETS = {"en": ("Collected 13th month", "Collected 25th month"),
          "zh_CN": ("实收继续率（第13个月）", "实收继续率（第25个月）")}
LO_PT_PER_UNIT = 5.44  # LibreOffice's printed column width per Excel unit (measured on its PDF)


def _excel_pt(width: float) -> float:
    return (width * 7 + 5) * 0.75  # 7 px a unit and 5 px padding, at 96 dpi


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from memberdesk.core.loader import load_dataset
    from memberdesk.report.workbook import write_report

    folder = tmp_path_factory.mktemp("collected")
    ds = load_dataset([str(SAMPLE)])
    return {lang: write_report(ds, folder / f"{lang}.xlsx", lang=lang) for lang in SHEETS}


def _first_table(ws: Worksheet) -> tuple[int, list[int]]:
    """The first table's header row and its data rows: down to the first row without a value
    in column B (the blank row after it, or the next section's heading)."""
    header = next(r for r in range(1, ws.max_row + 1)
                  if ws.cell(r, 1).value is not None and ws.cell(r, 2).value is not None)
    rows = []
    r = header + 1
    while ws.cell(r, 2).value is not None:
        rows.append(r)
        r += 1
    return header, rows


@pytest.mark.parametrize("lang", list(SHEETS))
def test_first_table_rows_are_one_line_or_wrap_in_both_programs(
        workbooks: dict[str, Path], lang: str) -> None:
    wb = load_workbook(workbooks[lang])
    for name in SHEETS[lang]:
        ws = wb[name]
        header, rows = _first_table(ws)
        assert len(rows) == 6, (name, rows)  # the six measures, no blank row among them
        width = float(ws.column_dimensions["A"].width)
        long_header = int(str(ws.print_title_rows).split(":")[0].lstrip("$"))
        body = ws.row_dimensions[long_header + 1].height  # a data row of the long table
        for r in rows:
            label = ws.cell(r, 1)
            one_line = styles.text_width_pt(str(label.value), 10.0, lang=lang)
            assert float(label.font.sz) == 10.0
            room = min(width * LO_PT_PER_UNIT, _excel_pt(width)) - 4.0  # the count's room
            printed = max(width * LO_PT_PER_UNIT, _excel_pt(width))  # the wider column
            if one_line <= room:  # one line in both programs: a row as any data row
                assert ws.row_dimensions[r].height == body, (name, label.value)
                continue
            # wrapped: wider than the column in both programs, so both print its two lines
            assert one_line > printed, (name, label.value, one_line, printed)
            assert label.alignment.wrap_text
            assert ws.row_dimensions[r].height == round(2 * 1.275 * 10 + 3 + 0.05, 1)
        # the header: one line of labels ("Measure", "Value"), as tall as a data row (its
        # wrapped-text alignment adds the count's rounding: 13.5 -> 13.6 as on every sheet)
        assert ws.row_dimensions[header].height in (body, round(body + 0.1, 1))


def _pdf_lines(pdf: Path) -> list[list[tuple[float, str]]]:
    """Per page: the text lines' (top y, text), top to bottom."""
    bbox = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = []
    for page in re.findall(r"<page .*?</page>", bbox, re.S):
        lines = []
        for line in re.findall(r"<line .*?</line>", page, re.S):
            y = float(re.search(r'yMin="([0-9.]+)"', line).group(1))  # type: ignore[union-attr]
            lines.append((y, " ".join(re.findall(r">([^<]*)</word>", line))))
        merged: dict[int, list[str]] = {}
        for y, text in sorted(lines):
            merged.setdefault(round(y), []).append(text)
        pages.append([(float(y), " ".join(t)) for y, t in sorted(merged.items())])
    return pages


@pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None,
                    reason="needs LibreOffice and poppler-utils (pdftotext)")
@pytest.mark.parametrize("lang", list(SHEETS))
def test_printed_first_table_has_no_blank_line(workbooks: dict[str, Path], lang: str,
                                               tmp_path: Path) -> None:
    """LibreOffice's printout: from the first table's header down to its sixth measure (the
    sixth line with a percentage), no gap between two text lines is 1.8 times the usual line
    spacing: a blank line makes it about twice or more (the old one-line labels in two-line
    rows: 24.5 pt against 11 pt); a full two-line row leaves the gap below its second line a
    little larger than usual, its rows' line height being Excel's (17 px a 10 pt line, where
    LibreOffice draws less): 17 pt against 11 pt."""
    assert SOFFICE is not None
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(workbooks[lang])],
                   check=True, capture_output=True, timeout=300)
    pages = _pdf_lines(tmp_path / f"{lang}.pdf")
    header = ("Measure Value", "指标 数值")
    found = 0
    for subject in ("13", "25"):
        page = next(p for p in pages
                    if any(("Collected-premium persistency: " + subject) in t
                           or ("实收保费继续率：第" + subject) in t for _, t in p[:6]))
        start = next(i for i, (_, t) in enumerate(page) if t.strip() in header)
        ys, measures = [page[start][0]], 0
        for y, text in page[start + 1:]:
            ys.append(y)
            measures += "%" in text
            if measures == 6:
                break
        assert measures == 6, page[start:start + 12]
        gaps = [b - a for a, b in zip(ys, ys[1:])]
        usual = sorted(gaps)[len(gaps) // 2]
        assert max(gaps) < 1.8 * usual, (subject, lang, gaps)
        found += 1
    assert found == 2


@pytest.mark.parametrize("lang", list(SHEETS))
def test_the_bases_difference_has_its_own_heading(workbooks: dict[str, Path], lang: str) -> None:
    """The second table (policies in force but unpaid, paid in the grace period, paid late, …)
    explains why the collected and status bases differ; written right under the first with no
    heading, it read as more measures of the reconciliation. Now a section heading (bold, the
    cohort's year) stands directly above its header, where the blank row was."""
    wb = load_workbook(workbooks[lang])
    for name in SHEETS[lang]:
        ws = wb[name]
        _, rows = _first_table(ws)
        heading = ws.cell(rows[-1] + 1, 1)
        assert ws.cell(rows[-1] + 1, 2).value is None
        assert heading.font.b and isinstance(heading.value, str)
        year = re.search(r"\((\d{4}) cohort\)|（(\d{4})队列）", str(ws.cell(rows[0] - 2, 1).value))
        assert year is not None
        assert (year.group(1) or year.group(2)) in heading.value
        second = rows[-1] + 2  # the explanations' header, then its five reasons
        assert [ws.cell(second + 1 + i, 1).value is not None for i in range(5)] == [True] * 5
        assert isinstance(ws.cell(second + 1, 2).value, int)  # policies: a count
