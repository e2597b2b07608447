"""Hostile workbooks (#11 points 1, 8, 12): enormous used range, merged cells, hidden sheets,
password protection, duplicated headers, formula cells without a cached value."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from memberdesk.core.errors import DataError
from memberdesk.core.identify import read_file
from memberdesk.core.loader import load_dataset

HEADER = ["policy_id", "issue_date", "status", "channel"]


def _book(path: Path, rows: int = 10) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "policies"
    ws.append(HEADER)
    for i in range(rows):
        ws.append([f"P{i}", f"2021-01-{i + 1:02d}", "in force", "agency"])
    return wb


def test_a_space_in_xfd1048576_does_not_abort_and_the_rows_load(tmp_path: Path) -> None:
    path = tmp_path / "huge.xlsx"
    wb = _book(path)
    wb.active["XFD1048576"] = " "
    wb.save(path)
    # In a child process: before the fix the fast reader aborted the interpreter (exit -6).
    code = ("from memberdesk.core.identify import read_file; import sys; "
            f"(t,) = read_file({str(path)!r}).tables; print(len(t), t.data.num_columns)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split() == ["10", "4"]


def test_merged_cells_are_filled_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "merged.xlsx"
    wb = _book(path, rows=5)
    ws = wb.active
    ws.merge_cells("D2:D6")  # channel 'agency' typed once, merged down over five policies
    wb.save(path)
    ds = load_dataset([path])
    assert list(ds.validated["policies"]["channel"]) == ["agency"] * 5
    assert any("merged range(s) filled" in m and "D2:D6" in m for m in ds.report.messages)


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheets_are_skipped_with_a_note(tmp_path: Path, state: str) -> None:
    path = tmp_path / "hidden.xlsx"
    wb = _book(path, rows=3)
    old = wb.create_sheet("policies_old")
    old.append(HEADER)
    for i in range(3):
        old.append([f"P{i}", "2020-01-01", "lapsed", "bank"])
    old.sheet_state = state
    wb.save(path)
    result = read_file(path)
    assert [t.sheet for t in result.tables] == ["policies"]
    assert any("hidden sheet(s) 'policies_old' skipped" in m for m in result.messages)
    assert [t.sheet for t in read_file(path, include_hidden=True).tables] == ["policies",
                                                                              "policies_old"]


def test_password_protected_workbook_says_so(tmp_path: Path) -> None:
    # An encrypted OOXML file is an OLE2 container holding EncryptionInfo/EncryptedPackage.
    path = tmp_path / "secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
                     + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64
                     + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1024)
    with pytest.raises(DataError, match="password-protected") as err:
        read_file(path)
    assert err.value.file == str(path)


def test_duplicated_headers_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "dups.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "policies"
    ws.append(["policy_id", "issue_date", "policy_id", "annual_premium", "premium"])
    ws.append(["P1", "2021-01-01", "X1", 100, 200])
    wb.save(path)
    ds = load_dataset([path])
    text = " ".join(ds.report.messages)
    assert "duplicated header(s) 'policy_id' (columns 1, 3)" in text
    assert "'annual_premium'" in text and "'premium'" in text  # two synonyms of one column


def test_formula_cells_without_a_cached_value_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "formulas.xlsx"
    wb = _book(path, rows=3)
    wb.active["E1"] = "premium"
    wb.active["E2"] = "=1+1"  # openpyxl saves formulas without a cached value, as many tools do
    wb.save(path)
    result = read_file(path)
    assert any("1 formula cell(s) have no saved value" in m and "E2" in m for m in result.messages)
