"""Readers: encodings, delimiters, workbooks, Parquet, folders, bad files (core/readers/, read and
identified through core/identify.py)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from memberdesk.core.errors import DataError
from memberdesk.core.identify import read_file, read_files
from memberdesk.core.readers import detect_encoding, list_files, sniff_delimiter

HEADER_ZH = "保单号,客户号,生效日期,保单状态,年化保费\n"
ROWS_ZH = "P1,M1,2021-03-01,有效,1000\nP2,M2,2021/3/1,退保,2000\n"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_text_encodings_with_chinese_headers(tmp_path: Path, encoding: str) -> None:
    f = _write(tmp_path / "data.csv", HEADER_ZH + ROWS_ZH, encoding)
    (raw,) = read_file(f).tables
    assert raw.headers == ["保单号", "客户号", "生效日期", "保单状态", "年化保费"]
    assert raw.data.column("保单状态").to_pylist() == ["有效", "退保"]
    assert raw.table == "policies"
    assert raw.rows.tolist() == [2, 3]


def test_encoding_detection_bytes() -> None:
    assert detect_encoding(b"a,b\n1,2\n") == "utf-8"
    assert detect_encoding("保单号\n".encode("utf-8-sig")) == "utf-8-sig"
    assert detect_encoding("保单号,生效日期\n".encode("gb18030")) == "gb18030"


def test_gb18030_after_a_long_ascii_start(tmp_path: Path) -> None:
    # Chinese appears only beyond the 64 kB sample: the fast reader notices and re-decodes.
    body = "".join(f"P{i},2021-03-01,in force\n" for i in range(5000)) + "P9999,2021-03-01,有效\n"
    f = _write(tmp_path / "policies.csv", "policy_id,issue_date,status\n" + body, "gb18030")
    (raw,) = read_file(f).tables
    assert raw.data.column("status").to_pylist()[-1] == "有效"
    assert raw.encoding == "gb18030"


@pytest.mark.parametrize(("sep", "suffix"), [(",", ".csv"), ("\t", ".tsv"), (";", ".csv"),
                                            ("|", ".txt"), ("\t", ".txt")])
def test_delimiters(tmp_path: Path, sep: str, suffix: str) -> None:
    text = sep.join(["policy_id", "issue_date", "channel"]) + "\n" + \
        sep.join(["P1", "2021-03-01", "a,b" if sep != "," else "ab"]) + "\n"
    f = _write(tmp_path / f"policies{suffix}", text)
    (raw,) = read_file(f).tables
    assert raw.delimiter == sep
    assert raw.headers == ["policy_id", "issue_date", "channel"]


def test_sniff_prefers_consistent_split() -> None:
    assert sniff_delimiter("a;b;c\n1;2,5;3\n4;5;6\n") == ";"
    assert sniff_delimiter("a\tb\n1\t2\n", ".tsv") == "\t"


def test_quoted_fields_with_newlines_and_commas(tmp_path: Path) -> None:
    f = _write(tmp_path / "policies.csv",
               'policy_id,product,issue_date\nP1,"Term, Life",2021-03-01\nP2,"two\nlines",2021-03-02\n')
    (raw,) = read_file(f).tables
    assert raw.data.column("product").to_pylist() == ["Term, Life", "two\nlines"]
    assert raw.rows.tolist() == [2, 3]  # as a spreadsheet shows them


def test_blank_lines_keep_spreadsheet_row_numbers(tmp_path: Path) -> None:
    f = _write(tmp_path / "policies.csv", "policy_id,issue_date\nP1,2021-03-01\n\nP2,2021-03-02\n,\n\n")
    (raw,) = read_file(f).tables
    assert raw.data.column("policy_id").to_pylist() == ["P1", "P2"]
    assert raw.rows.tolist() == [2, 4]


def test_ragged_rows_are_padded_or_widened(tmp_path: Path) -> None:
    f = _write(tmp_path / "policies.csv",
               "policy_id,issue_date,channel\nP1,2021-03-01\nP2,2021-03-02,web\nP3,2021-03-03,web,extra\n")
    (raw,) = read_file(f).tables
    assert raw.data.column("channel").to_pylist() == ["", "web", "web"]
    assert raw.data.column("column_4").to_pylist() == ["", "", "extra"]
    assert raw.rows.tolist() == [2, 3, 4]


def test_duplicate_and_empty_headers_are_made_unique(tmp_path: Path) -> None:
    f = _write(tmp_path / "policies.csv", "policy_id,x,x,\nP1,1,2,3\n")
    (raw,) = read_file(f).tables
    assert raw.headers == ["policy_id", "x", "x (2)", "column_4"]


def _workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "保单"
    ws.append(["保单号", "生效日期", "年化保费"])
    ws.append(["P1", dt.datetime(2021, 3, 1), 1000])
    ws.append(["P2", dt.datetime(2021, 4, 1, 10, 30), 2000.5])
    ws2 = wb.create_sheet("Sheet2")  # matched by headers, not name; starts at row 3
    ws2.append([])
    ws2.append([])
    ws2.append(["member_id", "gender", "birth_date"])
    ws2.append([1001, "F", "1980-01-01"])
    wb.create_sheet("notes").append(["just some notes"])
    misc = wb.create_sheet("misc")
    misc.append(["foo", "bar"])
    misc.append([1, 2])
    wb.create_sheet("empty")
    wb.save(path)
    return path


def test_workbook_sheets_by_name_and_headers_and_bad_sheets(tmp_path: Path) -> None:
    result = read_file(_workbook(tmp_path / "book.xlsx"))
    by_sheet = {t.sheet: t for t in result.tables}
    assert set(by_sheet) == {"保单", "Sheet2", "misc"}
    pol = by_sheet["保单"]
    assert pol.table == "policies"
    dates = pol.data.column("生效日期").to_pylist()
    assert dates[0].startswith("2021-03-01") and dates[1] == "2021-04-01 10:30:00"
    assert pol.data.column("年化保费").to_pylist() == ["1000", "2000.5"]
    mem = by_sheet["Sheet2"]
    assert mem.table == "members"
    assert mem.rows.tolist() == [4]
    assert mem.data.column("member_id").to_pylist() == ["1001"]
    assert by_sheet["misc"].table is None  # read, but matches no table: the loader decides
    assert any("notes" in m and "no data rows" in m for m in result.messages)
    assert any("'empty'" in m and "empty" in m for m in result.messages)


def test_workbook_header_only_sheet_is_a_message(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "policies"
    wb.active.append(["policy_id", "issue_date"])
    wb.active.append(["P1", "2021-03-01"])
    wb.create_sheet("claims").append(["claim_id", "policy_id"])
    wb.save(tmp_path / "b.xlsx")
    result = read_file(tmp_path / "b.xlsx")
    assert [t.sheet for t in result.tables] == ["policies"]
    assert any("claims" in m and "no data rows" in m for m in result.messages)


def test_workbook_openpyxl_fallback_matches_calamine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from memberdesk.core import readers

    path = _workbook(tmp_path / "book.xlsx")
    fast = read_file(path)

    def broken(_: Path) -> None:
        raise RuntimeError("calamine unavailable")

    monkeypatch.setattr(readers.workbook, "_calamine_sheets", broken)
    slow = read_file(path)
    for a, b in zip(fast.tables, slow.tables):
        assert a.data.equals(b.data) and a.rows.tolist() == b.rows.tolist()


def test_parquet(tmp_path: Path) -> None:
    frame = pd.DataFrame({"policy_id": ["P1", "P2"], "issue_date": pd.to_datetime(["2021-03-01", "2021-04-01"]),
                          "annual_premium": [1000.0, np.nan]})
    pq.write_table(pa.Table.from_pandas(frame), tmp_path / "policies.parquet")
    (raw,) = read_file(tmp_path / "policies.parquet").tables
    assert raw.table == "policies"
    # typed columns are read natively, not printed as text (issue #11 point 7)
    assert raw.data.column("annual_premium").to_pylist() == [1000.0, None]
    assert raw.rows.tolist() == [2, 3]


def test_folder_lists_supported_files_sorted_not_recursive(tmp_path: Path) -> None:
    _write(tmp_path / "b_policies.csv", "policy_id,issue_date\nP1,2021-03-01\n")
    _write(tmp_path / "a_members.csv", "member_id,gender\nM1,F\n")
    _write(tmp_path / "readme.md", "hello")
    _write(tmp_path / "~$lock.xlsx", "x")
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub" / "claims.csv", "claim_id,policy_id\nC1,P1\n")
    assert [p.name for p in list_files([tmp_path])] == ["a_members.csv", "b_policies.csv"]
    assert [t.table for t in read_files([tmp_path]).tables] == ["members", "policies"]


@pytest.mark.parametrize(("content", "words"), [
    (b"", "empty"), (b"  \n\n", "empty"), (b"\x00\x01\x02binary\x00stuff", "binary"),
    (b"policy_id,issue_date\n", "no data rows"),
])
def test_bad_text_files(tmp_path: Path, content: bytes, words: str) -> None:
    f = tmp_path / "policies.csv"
    f.write_bytes(content)
    with pytest.raises(DataError, match=words) as info:
        read_file(f)
    assert info.value.file == str(f)


def test_fake_workbook_and_missing_paths(tmp_path: Path) -> None:
    f = _write(tmp_path / "x.xlsx", "not a workbook")
    with pytest.raises(DataError, match="not a valid .xlsx"):
        read_file(f)
    with pytest.raises(DataError, match="no such file"):
        list_files([tmp_path / "missing.csv"])
    (tmp_path / "emptydir").mkdir()
    with pytest.raises(DataError, match="no data files"):
        list_files([tmp_path / "emptydir"])


def test_cancellation(tmp_path: Path) -> None:
    from memberdesk.core.errors import Cancelled

    class Stop:
        def fraction(self, x: float) -> None: ...
        def status(self, text: str) -> None: ...
        def cancelled(self) -> bool: return True

    _write(tmp_path / "policies.csv", "policy_id\nP1\n")
    with pytest.raises(Cancelled):
        read_files([tmp_path], Stop())


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_title_and_blank_lines_above_the_header_of_a_text_file(tmp_path: Path, sep: str) -> None:
    # Exports often start with a report title and blank lines; the file used to fail with
    # "no recognisable columns" because line 1 was taken as the header.
    body = "\n".join(sep.join(r) for r in [["保单号", "生效日期", "保单状态"],
                                           ["P1", "2021-03-01", "有效"], ["P2", "2021-03-02", "失效"]])
    f = _write(tmp_path / "export.csv", "保单清单 2024年\n\n" + body + "\n", "gb18030")
    result = read_file(f)
    (raw,) = result.tables
    assert raw.delimiter == sep and raw.table == "policies"
    assert raw.headers == ["保单号", "生效日期", "保单状态"]
    assert raw.data.column("保单号").to_pylist() == ["P1", "P2"]
    assert raw.rows.tolist() == [4, 5]  # title = line 1, blank = 2, header = 3
    assert len(result.messages) == 1 and "row 3" in result.messages[0] and "保单清单" in result.messages[0]
    g = _write(tmp_path / "blank_first.csv", "\n\n" + body + "\n")
    (raw,) = read_file(g).tables
    assert raw.headers[0] == "保单号" and raw.rows.tolist() == [4, 5]
    assert read_file(g).messages == []  # blank lines are not worth a message


def test_title_rows_above_the_header_of_a_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "保单"
    ws.append([])
    ws.append(["保单信息", None, None])
    ws.merge_cells("A2:C2")
    ws.append(["单位：元"])
    ws.append(["保单号", "生效日期", "期交保费"])
    ws.append(["P1", dt.datetime(2021, 3, 1), 1234.5])
    wb.save(tmp_path / "b.xlsx")
    result = read_file(tmp_path / "b.xlsx")
    (raw,) = result.tables
    assert raw.headers == ["保单号", "生效日期", "期交保费"] and raw.rows.tolist() == [5]
    assert any("row 4" in m and "保单信息" in m and "单位：元" in m for m in result.messages)


def test_an_unrecognised_header_is_not_skipped_for_a_data_row(tmp_path: Path) -> None:
    # Row 1 names nothing we know but has many cells: it is the header; the data row below,
    # although it contains "paid", must not be taken for a header (no row may be lost).
    f = _write(tmp_path / "x.csv", "a1,a2,a3,a4\nK1,P1,2021-03-01,paid\nK2,P1,2021-03-02,paid\n")
    (raw,) = read_file(f).tables
    assert raw.headers == ["a1", "a2", "a3", "a4"] and len(raw) == 2


def test_a_file_that_cannot_be_opened_is_a_data_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = _write(tmp_path / "policies.csv", "policy_id,issue_date\nP1,2021-03-01\n")

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(DataError, match="Permission denied") as info:
        read_file(f)
    assert info.value.file == str(f)


def test_unterminated_quote_is_an_error_naming_the_row(tmp_path: Path) -> None:
    # The quote on row 3 is never closed: rows 3 and 4 used to be read as ONE policy whose
    # product held the rest of the file (row 4 lost without a word).
    f = _write(tmp_path / "policies.csv", 'policy_id,issue_date,product\nP1,2021-03-01,term\n'
                                          'P2,2021-03-02,"open quote\nP3,2021-03-03,x\n')
    with pytest.raises(DataError, match="never closed") as info:
        read_file(f)
    assert (info.value.file, info.value.row) == (str(f), 3)


def test_parquet_nested_and_binary_columns_are_kept_as_text(tmp_path: Path) -> None:
    # list/struct columns used to end in ArrowNotImplementedError (a bug message on the CLI).
    table = pa.table({"policy_id": ["007", "008"], "issue_date": ["2021-03-01", "2021-03-02"],
                      "tags": pa.array([[1, 2], [3]]), "info": pa.array([{"a": 1}, {"a": 2}]),
                      "blob": pa.array([b"\xff\xfe", b"x"])})
    pq.write_table(table, tmp_path / "policies.parquet")
    (raw,) = read_file(tmp_path / "policies.parquet").tables
    assert raw.data.column("policy_id").to_pylist() == ["007", "008"]
    assert raw.data.column("tags").to_pylist() == ["[1, 2]", "[3]"]
    assert raw.data.column("info").to_pylist() == ["{'a': 1}", "{'a': 2}"]
    assert raw.data.column("blob").to_pylist()[1] == "b'x'"


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    # `validate data data/policies.csv` used to read policies twice and reject every row of
    # the second copy as duplicate_id.
    f = _write(tmp_path / "policies.csv", "policy_id,issue_date\nP1,2021-03-01\n")
    again = tmp_path / "." / "policies.csv"
    assert list_files([tmp_path, f, again]) == [f]
    assert len(read_files([tmp_path, f]).tables) == 1
