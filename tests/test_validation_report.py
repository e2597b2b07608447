"""Exported rejected rows keep untrusted values as text (CSV and XLSX)."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from memberdesk.core.validation_report import REJECTED_COLUMNS, ValidationReport

HOSTILE = '=HYPERLINK("http://x","y")'


def _report() -> ValidationReport:
    rows = [
        ("policies", "p.csv", None, 2, "product", "unknown_status", HOSTILE, "x"),
        ("policies", "p.csv", None, 3, "annual_premium", "negative_amount", "-5", "below zero"),
        ("policies", "p.csv", None, 4, "status", "unknown_status", "bad\x07bell", "ctl"),
    ]
    return ValidationReport(rejected=pd.DataFrame(rows, columns=list(REJECTED_COLUMNS)))


def test_xlsx_export_has_no_formula_and_no_control_characters(tmp_path: Path) -> None:
    path = _report().export_rejected(tmp_path / "rej.xlsx")
    ws = load_workbook(path).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    values = [c.value for c in cells]
    assert HOSTILE in values and "badbell" in values


def test_csv_export_marks_formula_like_text_but_keeps_numbers(tmp_path: Path) -> None:
    path = _report().export_rejected(tmp_path / "rej.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["value"] == "'" + HOSTILE
    assert rows[1]["value"] == "-5"  # a plain negative number is safe and stays as read
    assert [r["row"] for r in rows] == ["2", "3", "4"]
