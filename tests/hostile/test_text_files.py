"""Hostile text files (#11 points 2, 3, 5, 6, 9, 12): each builds its own file and checks the
promise — exit code, a message naming file/row/column, read = accepted + rejected."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from memberdesk.cli import main
from memberdesk.core.errors import DataError
from memberdesk.core.identify import read_file
from memberdesk.core.loader import load_dataset

HEADER = "policy_id,issue_date,status,channel\n"


def _rows(n: int, start: int = 0) -> str:
    return "".join(f"P{i},2021-01-{i % 28 + 1:02d},in force,agency\n" for i in range(start, start + n))


def _exit_code(args: list[str]) -> int:
    """main's exit status, whether returned or raised (usage errors raise SystemExit(2))."""
    try:
        return main(args)
    except SystemExit as exc:
        return int(exc.code or 0)


def _validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict | str]:
    code = main(["validate", *args, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if code == 0 else captured.err


# ---- 2. a field longer than the csv module's 131,072-character limit --------------------------

def test_huge_field_on_the_careful_path_is_read_and_an_oversized_one_rejected(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "policies.csv"
    text = HEADER + _rows(3) + "\n" + f"P7,2021-02-01,in force,{'x' * 150_000}\n" \
        + f"P8,2021-02-02,in force,{'y' * 1_100_000}\n"  # blank line: careful reader
    f.write_text(text, encoding="utf-8")
    code, out = _validate(capsys, str(f))
    assert code == 0
    (t,) = out["tables"]
    assert (t["read"], t["accepted"], t["rejected"]) == (5, 4, 1)
    assert t["reasons"] == {"field_too_long": 1}
    rejected = tmp_path / "rejected.csv"
    assert main(["validate", str(f), "--rejected-out", str(rejected)]) == 0
    frame = pd.read_csv(rejected, encoding="utf-8-sig")
    assert frame[["row", "column", "reason"]].values.tolist() == [[7, "channel", "field_too_long"]]


# ---- 3. out-of-range dates and an empty expected-rate table ---------------------------------

@pytest.mark.parametrize("as_of", ["2500-01-01", "1800-01-01", "2021-02-30"])
def test_as_of_outside_the_supported_dates_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], as_of: str) -> None:
    f = tmp_path / "policies.csv"
    f.write_text(HEADER + _rows(3), encoding="utf-8")
    assert _exit_code(["kpis", str(f), "--as-of", as_of]) == 2
    assert "--as-of" in capsys.readouterr().err


def test_empty_expected_rate_file_is_a_data_error_naming_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from memberdesk.commands.common import read_expected

    expected = tmp_path / "expected.csv"
    expected.write_bytes(b"")
    with pytest.raises(DataError, match="expected-rate table is empty") as err:
        read_expected(str(expected))
    assert err.value.file == str(expected)
    sample = Path(__file__).resolve().parents[2] / "sample_data"
    if sample.is_dir():  # the command: exit 3 naming the file, no report written
        out = tmp_path / "r.xlsx"
        assert main(["report", str(sample), "-o", str(out), "--expected", str(expected)]) == 3
        assert str(expected) in capsys.readouterr().err and not out.exists()


# ---- 5. a stray quote swallowing rows -------------------------------------------------------

def test_stray_quote_rejects_its_rows_and_keeps_the_swallowed_ones(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [f"P{i},2021-01-{i + 1:02d},in force,agency" for i in range(10)]
    lines[2] = 'P2,2021-01-03,in force,"agency'  # opened here ...
    lines[6] = 'P6,2021-01-07",in force,agency'  # ... closed four lines later
    f = tmp_path / "policies.csv"
    f.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    code, out = _validate(capsys, str(f))
    assert code == 0
    (t,) = out["tables"]
    assert (t["read"], t["accepted"], t["rejected"]) == (10, 8, 2)
    assert t["reasons"] == {"suspect_quote": 2}
    assert any("line 4" in m and "line 8" in m for m in t["messages"])
    ds = load_dataset([f])
    assert sorted(ds.validated["policies"]["policy_id"]) == sorted(
        f"P{i}" for i in range(10) if i not in (2, 6))
    assert set(ds.report.rejected["row"]) == {4, 8}


def test_blank_lines_and_quoted_breaks_are_explained(tmp_path: Path) -> None:
    f = tmp_path / "policies.csv"
    f.write_text(HEADER + _rows(2) + "\n\n" + 'P9,2021-01-09,in force,"two\nlines"\n', encoding="utf-8")
    ds = load_dataset([f])
    assert any("2 blank line(s) skipped, 1 line break(s) inside quoted cells" in m
               for m in ds.report.messages)


# ---- 6. encodings ---------------------------------------------------------------------------

def test_latin1_is_not_read_as_gb18030(tmp_path: Path) -> None:
    f = tmp_path / "policies.csv"
    f.write_bytes((HEADER + "P1,2021-01-01,in force,Müller\nP2,2021-01-02,in force,Générale\n")
                  .encode("latin-1"))
    ds = load_dataset([f])
    assert list(ds.validated["policies"]["channel"]) == ["Müller", "Générale"]
    assert any("Windows-1252" in m for m in ds.report.messages)


@pytest.mark.parametrize("where", ["start", "past_64k"])
def test_mixed_utf8_and_gb18030_is_refused_naming_the_line(tmp_path: Path, where: str) -> None:
    f = tmp_path / "policies.csv"
    n = 2 if where == "start" else 3000
    body = (HEADER + _rows(n)).encode("utf-8") + "P9000,2021-01-01,有效,渠道甲\n".encode() \
        + "P9001,2021-01-01,有效,代理人\n".encode("gb18030")
    f.write_bytes(body)
    with pytest.raises(DataError, match="mixes text encodings") as err:
        read_file(f)
    assert err.value.file == str(f) and err.value.row == n + 3


def test_gb18030_is_still_detected_and_encoding_can_be_chosen(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "policies.csv"
    f.write_bytes((HEADER + "P1,2021-01-01,有效,银行保险\n").encode("gb18030"))
    (raw,) = read_file(f).tables
    assert raw.encoding == "gb18030" and raw.data.column("channel").to_pylist() == ["银行保险"]
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "P1,2021-01-01,in force,Ça\n").encode("cp1252"))
    (raw,) = read_file(latin, encoding="cp1252").tables
    assert raw.data.column("channel").to_pylist() == ["Ça"]
    assert main(["validate", str(f), "--encoding", "utf-8"]) == 3
    err = capsys.readouterr().err
    assert str(f) in err and "row 2" in err
    assert _exit_code(["validate", str(f), "--encoding", "klingon"]) == 2


# ---- 9. title rows with CR-only line endings ------------------------------------------------

@pytest.mark.parametrize("newline", ["\r", "\r\n", "mixed"])
def test_title_rows_with_cr_line_endings(tmp_path: Path, newline: str) -> None:
    lines = ["保单清单", "2024-06-30", HEADER.strip(), *_rows(3).splitlines()]
    text = "\r\n".join(lines[:3]) + "\r" + "\n".join(lines[3:]) if newline == "mixed" \
        else newline.join(lines)
    f = tmp_path / "book.csv"
    f.write_bytes(text.encode("utf-8"))
    (raw,) = read_file(f).tables
    assert raw.table == "policies" and raw.rows.tolist() == [4, 5, 6]


# ---- 12. NUL bytes, UTF-16 without BOM, folders ---------------------------------------------

@pytest.mark.parametrize("rows_before", [1, 5000])
def test_a_nul_byte_refuses_the_file_naming_its_row_wherever_it_is(tmp_path: Path,
                                                                   rows_before: int) -> None:
    f = tmp_path / "policies.csv"
    f.write_bytes((HEADER + _rows(rows_before)).encode() + b"P\x009,2021-01-01,in force,x\n")
    with pytest.raises(DataError, match="NUL") as err:
        read_file(f)
    assert err.value.row == rows_before + 2


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read(tmp_path: Path, codec: str) -> None:
    f = tmp_path / "policies.csv"
    f.write_bytes((HEADER + "P1,2021-01-01,有效,银行\n").encode(codec))
    (raw,) = read_file(f).tables
    assert raw.data.column("channel").to_pylist() == ["银行"]


def test_skipped_folder_entries_are_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    (tmp_path / "policies.csv").write_text(HEADER + _rows(2), encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"x")
    (tmp_path / ".hidden.csv").write_text("a\n1\n")
    (tmp_path / "~$open.xlsx").write_bytes(b"x")
    (tmp_path / "loop.csv").symlink_to(tmp_path / "loop.csv")
    os.mkfifo(tmp_path / "pipe.csv")
    code, out = _validate(capsys, str(tmp_path))
    assert code == 0
    text = " ".join(out["messages"])
    for name in ("notes.docx", ".hidden.csv", "~$open.xlsx", "loop.csv", "pipe.csv"):
        assert name in text
