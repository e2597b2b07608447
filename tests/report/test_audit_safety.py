"""Report safety through the command line: a locked or read-only target exits 3 with a clear
message and leaves the old report byte for byte; formula-like text from every trigger
character arrives as text in a full report."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from memberdesk.report.workbook import write_report

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def _run(out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "memberdesk.cli", "report",
                           str(SAMPLE / "policies.csv"), "-o", str(out)],
                          capture_output=True, text=True)


def test_read_only_target_exits_3_and_keeps_old_file(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"old report")
    os.chmod(out, 0o444)
    try:
        done = _run(out)
    finally:
        os.chmod(out, 0o644)
    assert done.returncode == 3
    assert "read-only or locked" in done.stderr and "r.xlsx" in done.stderr
    assert out.read_bytes() == b"old report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]  # no temp file left


def test_report_open_in_excel_exits_3_and_keeps_old_file(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"old report")
    (tmp_path / "~$r.xlsx").write_bytes(b"owner")
    done = _run(out)
    assert done.returncode == 3 and "open in Excel" in done.stderr
    assert out.read_bytes() == b"old report"


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-1-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_every_trigger_in_data_arrives_as_text(tmp_path: Path, rh, text: str) -> None:  # type: ignore[no-untyped-def]
    ds = rh.make_dataset(150, products=(text, "Term Life"))
    wb = load_workbook(write_report(ds, tmp_path / "r.xlsx", segment="product"))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.strip("\n\t") == text.strip("\r\t")]
    assert cells, "the product name is shown somewhere"
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows()
                   for c in row)
