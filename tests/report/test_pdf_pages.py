"""The printed workbook, page by page (issue 17 B.5): the report converted to PDF by LibreOffice
and read back with pdftotext. Skipped where LibreOffice or poppler is not installed; about
15 s (one conversion, module-scoped)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from memberdesk.core.dataset import Dataset
from memberdesk.report.workbook import write_report

SOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
pytestmark = pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None,
                                reason="needs LibreOffice and poppler-utils (pdftotext)")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, small_dataset: Dataset) -> list[str]:
    folder = tmp_path_factory.mktemp("pdf")
    xlsx = write_report(small_dataset, folder / "report.xlsx")
    assert SOFFICE is not None
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{folder}/lo-profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(xlsx)],
                   check=True, capture_output=True, timeout=120)
    pdf = folder / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    count = int(next(line.split()[-1] for line in info.stdout.splitlines()
                     if line.startswith("Pages:")))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"],
                           check=True, capture_output=True, text=True).stdout
            for i in range(1, count + 1)]


def _sheet(pages: list[str], name: str) -> list[str]:
    """The pages of one sheet (the footer: "Page n of m", then the sheet's name)."""
    out = []
    for p in pages:
        tail = [line.strip() for line in p.splitlines() if line.strip()][-3:]
        if any(line.endswith(name) for line in tail):
            out.append(p)
    return out


def _first_line(page: str) -> str:
    """The first line under the page header."""
    return [line.strip() for line in page.splitlines() if line.strip()][1]


def test_no_blank_page(pages: list[str]) -> None:
    """Every page has its header and content; the last page was blank (rows left to automatic
    height were paginated with one height and drawn with another)."""
    for i, text in enumerate(pages, 1):
        lines = [line for line in text.splitlines() if line.strip()]
        assert len(lines) >= 4, (i, lines)  # header, content, footer
        assert "Confidential" in text, i


def test_resolution_rate_prints_on_one_line_with_its_formula(pages: list[str]) -> None:
    (line,) = [line for p in _sheet(pages, "Service") for line in p.splitlines()
               if "Resolution rate" in line and "%" in line and "÷" in line]
    assert "contacts resolved ÷ contacts with a resolution recorded" in line


def test_benefit_table_is_not_split_onto_the_chart_page(pages: list[str]) -> None:
    """The users-vs-non-users table's last row (p-value) printed alone above the usage chart."""
    sheet = _sheet(pages, "Benefits")
    (with_table,) = [p for p in sheet if "Do benefit users stay longer" in p]
    assert "p-value" in with_table.split("Do benefit users stay longer")[1]
    for page in pages:  # no page starts with a table's last row
        assert not _first_line(page).startswith("p-value"), _first_line(page)


def test_no_table_header_printed_over_the_persistency_chart(pages: list[str]) -> None:
    (chart_page,) = [p for p in _sheet(pages, "Persistency") if "Persistency trend" in p]
    assert "Cohort policies" not in chart_page  # the first table's header as a print title


def test_summary_scope_prints_as_one_block(pages: list[str]) -> None:
    sheet = _sheet(pages, "Summary")
    (scope,) = [p for p in sheet if "Data scope" in p]
    assert "Rows in scope" in scope and "policies" in scope.split("Rows in scope")[1]
    for page in sheet:  # no page holds only a table's last rows
        assert "Key figure" in page or "Data scope" in page


def test_experience_chart_shares_its_page_and_km_chart_names_its_bands(pages: list[str]) -> None:
    (chart_page,) = [p for p in _sheet(pages, "Experience") if "Termination rate by" in p]
    assert "Experience study" in chart_page  # under the sheet's title, not alone
    assert any("(dashed: 95% CI)" in p for p in _sheet(pages, "Retention"))


def test_definitions_end_without_a_near_empty_page(pages: list[str]) -> None:
    """The assumptions in force print above the metric dictionary, not after it: kept together
    at the end of the long table they were pushed onto a page of their own, after a page with
    the table's last three rows (the page model and the renderer disagree on very tall rows)."""
    definitions = _sheet(pages, "Definitions")
    assert definitions and "Assumptions" in definitions[0]
    assert not any("Assumptions" in p for p in definitions[1:])
    last = [line for line in definitions[-1].splitlines() if line.strip()]
    assert len(last) >= 10, last  # the table's last rows, not a stub of three
