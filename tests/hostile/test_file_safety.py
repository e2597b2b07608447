"""Nothing the user owns is overwritten or destroyed (#11 points 4 and 10)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from memberdesk.cli import main
from memberdesk.core.atomic_write import atomic_write_bytes, same_file
from memberdesk.core.errors import DataError

POLICIES = "policy_id,issue_date,status\nP1,2021-03-01,in force\nP1,2021-03-02,in force\n"


def _policies(folder: Path) -> Path:
    path = folder / "policies.csv"
    path.write_text(POLICIES, encoding="utf-8")
    return path


def test_rejected_out_equal_to_the_input_is_refused(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    data = _policies(tmp_path)
    assert main(["validate", str(data), "--rejected-out", str(data)]) == 2
    err = capsys.readouterr().err
    assert "input data file" in err and os.path.realpath(data) in err
    assert data.read_text(encoding="utf-8") == POLICIES


def test_rejected_out_through_a_symlink_or_hard_link_is_refused(tmp_path: Path) -> None:
    data = _policies(tmp_path)
    link = tmp_path / "link.csv"
    link.symlink_to(data)
    hard = tmp_path / "hard.csv"
    os.link(data, hard)
    assert main(["validate", str(data), "--rejected-out", str(link)]) == 2
    assert main(["validate", str(data), "--rejected-out", str(hard)]) == 2
    # a file inside a folder named as DATA is an input too
    assert main(["validate", str(tmp_path), "--rejected-out", str(data)]) == 2
    assert data.read_text(encoding="utf-8") == POLICIES
    assert same_file(link, data) and same_file(hard, data) and not same_file(data, tmp_path / "x")


def test_report_onto_its_input_workbook_is_refused(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import Workbook

    book = tmp_path / "book.xlsx"
    wb = Workbook()
    wb.active.append(["policy_id", "issue_date"])
    wb.active.append(["P1", "2021-03-01"])
    wb.save(book)
    before = book.read_bytes()
    assert main(["report", str(book), "-o", str(book)]) == 2
    assert "input data file" in capsys.readouterr().err
    assert book.read_bytes() == before


def test_full_disk_keeps_the_previous_rejected_file_and_prints_no_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    data = _policies(tmp_path)
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"rejected{suffix}"
        out.write_bytes(b"previous rejected rows")

        def full_disk(fd: int) -> None:
            raise OSError(28, "No space left on device")

        with monkeypatch.context() as m:
            m.setattr(os, "fsync", full_disk)
            assert main(["validate", str(data), "--rejected-out", str(out)]) == 3
        captured = capfd.readouterr()
        assert "No space left on device" in captured.err and str(out) in captured.err
        assert "Traceback" not in captured.err and "Exception ignored" not in captured.err
        assert out.read_bytes() == b"previous rejected rows"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policies.csv", "rejected.csv",
                                                          "rejected.xlsx"]


def test_atomic_write_failure_inside_the_writer_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    os.chmod(tmp_path, 0o500)
    try:
        if os.access(tmp_path, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        with pytest.raises(DataError, match="cannot write"):
            atomic_write_bytes(target, b"new")
    finally:
        os.chmod(tmp_path, 0o700)
    assert target.read_bytes() == b"old"


def test_no_library_warning_reaches_the_user(tmp_path: Path) -> None:
    import subprocess
    import sys

    data = _policies(tmp_path)
    code = ("import numpy as np; from memberdesk.cli import main; "
            f"status = main(['validate', {str(data)!r}]); np.log(np.zeros(1)); "
            "import pandas as pd; pd.Series([1]).astype('int64'); raise SystemExit(status)")
    env = {k: v for k, v in os.environ.items() if k != "MEMBERDESK_DEBUG"}
    done = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 0
    assert "Warning" not in done.stderr and ".py:" not in done.stderr, done.stderr


def test_rejected_rows_never_overwrite_a_data_file_whoever_asks(tmp_path: Path) -> None:
    from memberdesk.core.loader import load_dataset

    data = _policies(tmp_path)
    report = load_dataset([data]).report
    with pytest.raises(DataError, match="input data file"):
        report.export_rejected(data)  # what the Data page's save dialog calls
    assert data.read_text(encoding="utf-8") == POLICIES
