"""The hostile-input matrix (#11, "The matrix"): one generated file per input class, each run
through ``memberdesk validate --json --rejected-out`` and held to the same promise:

* the exit code is 0 (read, rows rejected with reasons) or 3 (refused, the message names the
  file and, where one is at fault, the row);
* read = accepted + rejected for every table;
* every rejected row is exported with its file, row, column and reason;
* no output cell is a formula (CSV cells that start like one carry Excel's text mark ``'``; the
  workbook export holds no formula cell).

Files are tiny and built in ``tmp_path``: the whole matrix runs in a few seconds.
"""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook

from memberdesk.cli import main

HEADER = "policy_id,issue_date,status,channel,annual_premium"
INJECTIONS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
              "\t=1+1", "\r=1"]


def _rows(n: int, start: int = 0) -> list[str]:
    return [f"P{i},2021-01-{i % 28 + 1:02d},in force,agency,{100 + i}" for i in range(start, start + n)]


def _csv(tmp: Path, lines: list[str], name: str = "policies.csv", encoding: str = "utf-8",
         newline: str = "\n") -> list[Path]:
    path = tmp / name
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode(encoding))
    return [path]


def _book(tmp: Path, rows: list[list[object]], name: str = "book.xlsx", sheet: str = "policies",
          edit: Callable[[Workbook], None] | None = None) -> list[Path]:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    if edit is not None:
        edit(wb)
    path = tmp / name
    wb.save(path)
    return [path]


BOOK_ROWS: list[list[object]] = [HEADER.split(",")] + [r.split(",") for r in _rows(5)]


# ---- builders, one per class ------------------------------------------------------------------

def empty(tmp: Path) -> list[Path]:
    (tmp / "policies.csv").write_bytes(b"")
    return [tmp / "policies.csv"]


def header_only(tmp: Path) -> list[Path]:
    return _csv(tmp, [HEADER])


def binary(tmp: Path) -> list[Path]:
    (tmp / "policies.csv").write_bytes(bytes(range(256)) * 8)
    return [tmp / "policies.csv"]


def nul_byte(tmp: Path) -> list[Path]:
    path = tmp / "policies.csv"
    path.write_bytes(("\n".join([HEADER, *_rows(3)]) + "\n").encode() + b"P9,2021-01-01,in\x00force,x,1\n")
    return [path]


def utf16_bom(tmp: Path) -> list[Path]:
    return _csv(tmp, [HEADER, *_rows(3), "P9,2021-01-01,有效,银行,5"], encoding="utf-16")


def utf16_no_bom(tmp: Path) -> list[Path]:
    return _csv(tmp, [HEADER, *_rows(3), "P9,2021-01-01,有效,银行,5"], encoding="utf-16-le")


def ragged_rows(tmp: Path) -> list[Path]:
    return _csv(tmp, [HEADER, "P1,2021-01-01", "P2,2021-01-02,in force,agency,1,extra,more", *_rows(2, 5)])


def cr_endings(tmp: Path) -> list[Path]:
    return _csv(tmp, ["Policy list", "", HEADER, *_rows(3)], newline="\r")


def crlf_endings(tmp: Path) -> list[Path]:
    return _csv(tmp, [HEADER, *_rows(3), "", *_rows(2, 7)], newline="\r\n")


def mixed_endings(tmp: Path) -> list[Path]:
    path = tmp / "policies.csv"
    rows = [HEADER, *_rows(4)]
    path.write_bytes((rows[0] + "\r\n" + rows[1] + "\r" + rows[2] + "\n" + rows[3] + "\r\n" + rows[4]).encode())
    return [path]


def repeated_headers(tmp: Path) -> list[Path]:
    return _csv(tmp, [HEADER + ",policy_id,premium", *[r + ",X,5" for r in _rows(3)]])


def huge_fields(tmp: Path) -> list[Path]:
    return _csv(tmp, [HEADER, *_rows(2), "", f"P8,2021-01-01,in force,{'x' * 150_000},1",
                      f"P9,2021-01-01,in force,{'y' * 1_100_000},1"])


def two_thousand_columns(tmp: Path) -> list[Path]:
    extra = [f"c{i}" for i in range(2000)]
    return _csv(tmp, [HEADER + "," + ",".join(extra),
                      *[r + "," + ",".join(str(i) for i in range(2000)) for r in _rows(3)]])


def day_first_and_sentinel_dates(tmp: Path) -> list[Path]:
    return _csv(tmp, [HEADER, "P1,31/12/2021,in force,a,1", "P2,9999-12-31,in force,a,1",
                      "P3,1900-01-01,in force,a,1", "P4,00/00/0000,in force,a,1",
                      "P5,2021-02-30,in force,a,1", *_rows(2, 10)])


def odd_numbers(tmp: Path) -> list[Path]:
    return _csv(tmp, [HEADER, 'P1,2021-01-01,in force,a,"1,234.5"', "P2,2021-01-01,in force,a,(100)",
                      "P3,2021-01-01,in force,a,12%", 'P4,2021-01-01,in force,a,"1.234,5"',
                      "P5,2021-01-01,in force,a,¥100", "P6,2021-01-01,in force,a,1e400",
                      "P7,2021-01-01,in force,a,-5", "P8,2021-01-01,in force,a,inf"])


def leading_zero_and_float_ids(tmp: Path) -> list[Path]:
    return _csv(tmp, [HEADER, "007,2021-01-01,in force,a,1", "7,2021-01-01,in force,a,1",
                      "1.0,2021-01-01,in force,a,1", "1,2021-01-01,in force,a,1"])


def duplicate_ids_whitespace_case_width(tmp: Path) -> list[Path]:
    return _csv(tmp, [HEADER, "P1,2021-01-01,in force,a,1", " P1 ,2021-01-01,in force,a,1",
                      "p1,2021-01-01,in force,a,1", "Ｐ１,2021-01-01,in force,a,1"])


def control_characters(tmp: Path) -> list[Path]:
    return _csv(tmp, [HEADER, "P1,2021-01-01,in force,ag\x07en\x1bcy,1", "P1,2021-01-01,in force,\x0b=1+1,1"])


def renamed_workbook(tmp: Path) -> list[Path]:
    (path,) = _book(tmp, BOOK_ROWS)
    renamed = tmp / "policies.csv"
    path.rename(renamed)
    return [renamed]


def truncated_workbook(tmp: Path) -> list[Path]:
    (path,) = _book(tmp, BOOK_ROWS)
    path.write_bytes(path.read_bytes()[:600])
    return [path]


def encrypted_workbook(tmp: Path) -> list[Path]:
    path = tmp / "book.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
                     + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512)
    return [path]


def old_format_workbook(tmp: Path) -> list[Path]:
    path = tmp / "book.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)  # BIFF container, no sheet
    return [path]


def formula_and_error_cells(tmp: Path) -> list[Path]:
    def edit(wb: Workbook) -> None:
        ws = wb.active
        ws["E2"] = "=1/0"
        ws["E3"] = "#DIV/0!"
        ws["B4"] = "=TODAY()"
    return _book(tmp, BOOK_ROWS, edit=edit)


def huge_used_range(tmp: Path) -> list[Path]:
    def edit(wb: Workbook) -> None:
        wb.active["XFD1048576"] = " "
    return _book(tmp, BOOK_ROWS, edit=edit)


def merged_cells(tmp: Path) -> list[Path]:
    return _book(tmp, BOOK_ROWS, edit=lambda wb: wb.active.merge_cells("D2:D6"))


def hidden_sheets(tmp: Path) -> list[Path]:
    def edit(wb: Workbook) -> None:
        ws = wb.create_sheet("policies_old")
        for r in BOOK_ROWS:
            ws.append(r)
        ws.sheet_state = "veryHidden"
    return _book(tmp, BOOK_ROWS, edit=edit)


def odd_parquet_types(tmp: Path) -> list[Path]:
    # ".pq": the file readers' path (a ".parquet" DATA is analysed in the query engine, #13)
    path = tmp / "policies.pq"
    pq.write_table(pa.table({
        "policy_id": pa.array(["P1", "P2", "P3"]).dictionary_encode(),
        "issue_date": pa.array([dt.datetime(2021, 1, 1, 23)] * 3, pa.timestamp("ms", tz="Asia/Shanghai")),
        "annual_premium": pa.array([decimal.Decimal("1.50"), None, decimal.Decimal("-2")], pa.decimal128(9, 2)),
        "waiting": pa.array([dt.timedelta(days=3)] * 3, pa.duration("s")),
        "tags": pa.array([["a"], [], None], pa.list_(pa.string())),
        "raw": pa.array([b"\xff\xfe", b"ok", None], pa.binary()),
        "end_date": pa.array([dt.date(9999, 12, 31), None, None], pa.date32()),
    }), path)
    return [path]


def folder_with_loops_and_fifos(tmp: Path) -> list[Path]:
    folder = tmp / "data"
    folder.mkdir()
    _csv(folder, [HEADER, *_rows(3)])
    (folder / "loop.csv").symlink_to(folder / "loop.csv")
    os.mkfifo(folder / "pipe.csv")
    (folder / "notes.txt.bak").write_text("x")
    (folder / "~$lock.xlsx").write_bytes(b"x")
    return [folder]


def unknown_references(tmp: Path) -> list[Path]:
    members = tmp / "members.csv"
    members.write_text("member_id,gender\nM1,F\n", encoding="utf-8")
    policies = _csv(tmp, ["policy_id,member_id,issue_date", "P1,M1,2021-01-01", "P2,M404,2021-01-01"])
    return [members, *policies]


def injection_payloads(tmp: Path) -> list[Path]:
    header = "policy_id,issue_date,status,channel,product,=SUM(A1)"
    lines = [header] + [f"{p},2021-13-01,{p},{p},{p},{p}" for p in INJECTIONS]
    lines = [ln.replace("\r", "") for ln in lines]
    path = tmp / "=cmd().csv"
    path.write_text("\n".join(f'"{c}"' if "," in c else c for c in lines) + "\n", encoding="utf-8")
    (book,) = _book(tmp, [header.split(","), *[[p, "2021-13-01", p, p, p, p] for p in INJECTIONS]],
                    name="=book.xlsx", sheet="=HYPERLINK(1)")
    return [path, book]


def stray_quote(tmp: Path) -> list[Path]:
    rows = _rows(8)
    rows[2] = rows[2].replace("agency", '"agency')
    rows[5] = rows[5].replace("2021-01-06", '2021-01-06"')
    return _csv(tmp, [HEADER, *rows])


def latin1_text(tmp: Path) -> list[Path]:
    return _csv(tmp, [HEADER, "P1,2021-01-01,in force,Müller,1", "P2,2021-01-01,in force,Générale,1"],
                encoding="latin-1")


def mixed_encodings(tmp: Path) -> list[Path]:
    path = tmp / "policies.csv"
    path.write_bytes((HEADER + "\nP1,2021-01-01,有效,银行,1\n").encode()
                     + "P2,2021-01-01,有效,代理,1\n".encode("gb18030"))
    return [path]


def missing_value_tokens(tmp: Path) -> list[Path]:
    return _csv(tmp, [HEADER + ",ecog", *[r + f",{i % 3}" for i, r in enumerate(_rows(9))],
                      "P9,NA,NULL,—,#N/A,NA", "P10,2021-01-01,-,None,N/A,n/a"])


@dataclass(frozen=True)
class Case:
    build: Callable[[Path], list[Path]]
    exit: int
    row: int | None = None  # the row a refusal must name
    reasons: tuple[str, ...] = ()  # reasons that must appear among the rejections


CASES: dict[str, Case] = {
    "empty": Case(empty, 3),
    "header_only": Case(header_only, 3),
    "binary": Case(binary, 3),
    "nul_byte": Case(nul_byte, 3, row=5),
    "utf16_bom": Case(utf16_bom, 0),
    "utf16_no_bom": Case(utf16_no_bom, 0),
    "ragged_rows": Case(ragged_rows, 0),
    "cr_endings_with_title": Case(cr_endings, 0),
    "crlf_endings_blank_line": Case(crlf_endings, 0),
    "mixed_endings": Case(mixed_endings, 0),
    "repeated_headers": Case(repeated_headers, 0),
    "huge_fields": Case(huge_fields, 0, reasons=("field_too_long",)),
    "two_thousand_columns": Case(two_thousand_columns, 0),
    "day_first_and_sentinel_dates": Case(day_first_and_sentinel_dates, 0, reasons=("unparseable_date",)),
    "odd_numbers": Case(odd_numbers, 0, reasons=("unparseable_number",)),
    "leading_zero_and_float_ids": Case(leading_zero_and_float_ids, 0),
    "duplicate_ids": Case(duplicate_ids_whitespace_case_width, 0, reasons=("duplicate_id",)),
    "control_characters": Case(control_characters, 0, reasons=("duplicate_id",)),
    "renamed_workbook": Case(renamed_workbook, 0),
    "truncated_workbook": Case(truncated_workbook, 3),
    "encrypted_workbook": Case(encrypted_workbook, 3),
    "old_format_workbook": Case(old_format_workbook, 3),
    "formula_and_error_cells": Case(formula_and_error_cells, 0, reasons=("unparseable_number",)),
    "huge_used_range": Case(huge_used_range, 0),
    "merged_cells": Case(merged_cells, 0),
    "hidden_sheets": Case(hidden_sheets, 0),
    "odd_parquet_types": Case(odd_parquet_types, 0, reasons=("unparseable_date", "negative_amount")),
    "folder_loops_fifos": Case(folder_with_loops_and_fifos, 0),
    "unknown_references": Case(unknown_references, 0, reasons=("unknown_member",)),
    "injection_payloads": Case(injection_payloads, 0, reasons=("unparseable_date",)),
    "stray_quote": Case(stray_quote, 0, reasons=("suspect_quote",)),
    "latin1_text": Case(latin1_text, 0),
    "mixed_encodings": Case(mixed_encodings, 3, row=3),
    "missing_value_tokens": Case(missing_value_tokens, 0, reasons=("missing_date",)),
}


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(args)
    except SystemExit as exc:  # pragma: no cover - usage errors are not expected here
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _no_formula_csv(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            if cell[:1] in ("=", "+", "@", "\t", "\r") or (cell[:1] == "-" and not _number(cell)):
                raise AssertionError(f"formula-like cell in {path.name}: {cell!r}")


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _no_formula_xlsx(path: Path) -> None:
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"formula cell {c.coordinate} in {path.name}: {c.value!r}"
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    case = CASES[name]
    src = tmp_path / "in"
    src.mkdir()
    paths = case.build(src)
    out_csv, out_xlsx = tmp_path / "rejected.csv", tmp_path / "rejected.xlsx"
    code, out, err = _run(["validate", *map(str, paths), "--json", "--rejected-out", str(out_csv)],
                          capsys)
    assert code == case.exit, err
    assert "Traceback" not in err and "Warning" not in err
    if code == 3:
        named = [str(p) for p in paths] + [str(p.parent) for p in paths]
        assert any(n in err for n in named), err
        if case.row is not None:
            assert f"row {case.row}" in err, err
        assert not out_csv.exists()
        return
    report = json.loads(out)
    total_rejected = 0
    for t in report["tables"]:
        assert t["read"] == t["accepted"] + t["rejected"], t
        assert sum(t["reasons"].values()) == t["rejected"]
        total_rejected += t["rejected"]
    reasons = {r for t in report["tables"] for r in t["reasons"]}
    assert set(case.reasons) <= reasons, reasons
    with out_csv.open(encoding="utf-8-sig", newline="") as fh:
        exported = list(csv.DictReader(fh))
    assert len(exported) == total_rejected
    for r in exported:
        assert r["file"] and r["row"] and r["column"] and r["reason"], r
    _no_formula_csv(out_csv)
    if total_rejected:
        code, _, err = _run(["validate", *map(str, paths), "--rejected-out", str(out_xlsx)], capsys)
        assert code == 0, err
        _no_formula_xlsx(out_xlsx)
