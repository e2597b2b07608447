"""Hostile text stays text, personal data stays out, a failed save never clobbers a report."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from memberdesk.cli import main
from memberdesk.core.errors import DataError
from memberdesk.core.validation_report import TableReport, ValidationReport
from memberdesk.report import report_strings as rs
from memberdesk.report.safety import FORMULA_TRIGGERS, is_personal, write_cell
from memberdesk.report.styles import display_width
from memberdesk.report.workbook import write_report

HOSTILE = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize("text", [HOSTILE, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_write_cell_keeps_formula_like_text_as_text(tmp_path: Path, text: str) -> None:
    wb = Workbook()
    write_cell(wb.active, 1, 1, text)
    wb.save(tmp_path / "t.xlsx")
    cell = load_workbook(tmp_path / "t.xlsx").active["A1"]
    # XML normalises a carriage return to a line feed on read; the text is otherwise intact
    assert cell.value == text.replace("\r", "\n") and cell.data_type == "s"
    assert cell.quotePrefix  # Excel keeps it text even when the cell is edited
    assert text.startswith(FORMULA_TRIGGERS)


def test_hostile_product_name_arrives_as_text(tmp_path: Path, rh) -> None:  # type: ignore[no-untyped-def]
    ds = rh.make_dataset(300, products=(HOSTILE, "Term Life"))
    path = write_report(ds, tmp_path / "r.xlsx", segment="product")
    wb = load_workbook(path)
    found = [(ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows()
             for c in row if c.value == HOSTILE]
    assert {"Retention", "Claims"} <= {title for title, _ in found}
    for ws in wb.worksheets:
        assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_member_ids_and_birth_dates_stay_out_unless_asked(tmp_path: Path, rh) -> None:  # type: ignore[no-untyped-def]
    ds = rh.make_dataset(200)
    rejected = pd.DataFrame([
        {"table": "members", "file": "members.csv", "sheet": None, "row": 7, "column": "member_id",
         "reason": "duplicate_id", "value": "M00042", "detail": "M00042 seen on row 3"},
        {"table": "members", "file": "members.csv", "sheet": None, "row": 9,
         "column": "birth_date", "reason": "unparseable_date", "value": "1970-13-45",
         "detail": None},
        {"table": "policies", "file": "policies.csv", "sheet": None, "row": 4,
         "column": "annual_premium", "reason": "negative_amount", "value": "-12", "detail": None},
    ])
    report = ValidationReport(tables=[TableReport("members", ["members.csv"], 202, 200, 2,
                                                  {"duplicate_id": 1, "unparseable_date": 1})],
                              rejected=rejected)
    ds = type(ds)(validated=ds.validated, as_of=ds.as_of, report=report)

    def texts(path: Path) -> list[str]:
        wb = load_workbook(path)
        return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if isinstance(c.value, str)]

    hidden = texts(write_report(ds, tmp_path / "a.xlsx"))
    assert not any("M000" in t for t in hidden)
    assert "1970-13-45" not in hidden
    assert "-12" in hidden  # a premium is not personal: shown (as text, not a formula)
    shown = texts(write_report(ds, tmp_path / "b.xlsx", include_personal=True))
    assert "M00042" in shown and "1970-13-45" in shown


def test_personal_segment_needs_include_personal(tmp_path: Path, small_dataset) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataError, match="personal"):
        write_report(small_dataset, tmp_path / "r.xlsx", segment="member_id")
    assert is_personal("member_id") and is_personal("客户姓名") and not is_personal("channel")


def _old_report(folder: Path) -> tuple[Path, bytes]:
    target = folder / "report.xlsx"
    target.write_bytes(b"previous report")
    return target, target.read_bytes()


def _write_half(target, data: bytes) -> None:  # type: ignore[no-untyped-def]
    """Part of a workbook written to a path or (atomic writer) an in-memory buffer."""
    if hasattr(target, "write"):
        target.write(data)
    else:
        Path(target).write_bytes(data)


def test_failed_save_leaves_old_file_and_no_temp(tmp_path: Path, small_dataset, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    target, before = _old_report(tmp_path)

    def broken_save(self, filename):  # type: ignore[no-untyped-def]
        _write_half(filename, b"half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", broken_save)
    with pytest.raises(DataError, match="No space left") as info:
        write_report(small_dataset, target)
    assert info.value.file == str(target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]


def test_bug_during_save_still_cleans_up(tmp_path: Path, small_dataset, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    target, before = _old_report(tmp_path)

    def broken_save(self, filename):  # type: ignore[no-untyped-def]
        _write_half(filename, b"half")
        raise RuntimeError("boom")

    monkeypatch.setattr(Workbook, "save", broken_save)
    with pytest.raises(RuntimeError):
        write_report(small_dataset, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]


def test_successful_save_replaces_and_keeps_mode(tmp_path: Path, small_dataset) -> None:  # type: ignore[no-untyped-def]
    target, _ = _old_report(tmp_path)
    os.chmod(target, 0o640)
    write_report(small_dataset, target)
    assert load_workbook(target).sheetnames[:3] == ["Dashboard", "Contents", "Summary"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root writes into read-only folders; see the monkeypatched tests")
def test_read_only_folder_fails_cleanly(tmp_path: Path, small_dataset) -> None:  # type: ignore[no-untyped-def]
    target, before = _old_report(tmp_path)
    os.chmod(tmp_path, 0o555)
    try:
        with pytest.raises(DataError, match="not writable"):
            write_report(small_dataset, target)
        assert target.read_bytes() == before
    finally:
        os.chmod(tmp_path, 0o755)


def test_unwritable_targets_fail_cleanly(tmp_path: Path, small_dataset) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataError, match="does not exist"):
        write_report(small_dataset, tmp_path / "missing" / "r.xlsx")
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(DataError, match="folder"):
        write_report(small_dataset, tmp_path / "dir.xlsx")
    target, before = _old_report(tmp_path)
    (tmp_path / "~$report.xlsx").write_bytes(b"excel owner file")
    with pytest.raises(DataError, match="open in Excel"):
        write_report(small_dataset, target)
    assert target.read_bytes() == before


def test_strings_complete_in_both_languages() -> None:
    for table in (rs.SHEETS, rs.SUBJECTS, rs.TEXT, rs.COLUMNS):
        for key, entry in table.items():
            assert set(entry) == {"en", "zh_CN"}, key
    for key in rs.SHEET_ORDER:
        for lang in rs.LANGS:
            name = rs.sheet_name(key, lang)
            assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    assert display_width("继续率") == 6 and display_width("A/E") == 3


# ---- command line ---------------------------------------------------------------------------

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def test_cli_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    code = main(["report", str(SAMPLE / "policies.csv"), "-o", str(out), "--lang", "zh_CN",
                 "--as-of", "2025-12-31"])
    assert code == 0
    wb = load_workbook(out)
    assert wb.sheetnames[:3] == ["仪表板", "目录", "经营管理驾驶舱"]
    assert "2025-12-31" in wb.worksheets[0]["A3"].value


def test_cli_exit_codes(tmp_path: Path) -> None:
    base = [sys.executable, "-m", "memberdesk.cli", "report", str(SAMPLE / "policies.csv")]
    bad_folder = subprocess.run([*base, "-o", str(tmp_path / "nope" / "r.xlsx")],
                                capture_output=True, text=True)
    assert bad_folder.returncode == 3 and "does not exist" in bad_folder.stderr
    wrong_suffix = subprocess.run([*base, "-o", str(tmp_path / "r.csv")], capture_output=True,
                                  text=True)
    assert wrong_suffix.returncode == 2
    no_output = subprocess.run(base, capture_output=True, text=True)
    assert no_output.returncode == 2
