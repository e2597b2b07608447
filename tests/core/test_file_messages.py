"""What the loader says about files, in the reader's language (issue #12: reason codes with
parameters, one catalogue; the loader's file messages were English sentences under 简体中文).

Truths: the Chinese and English sentences written out by hand below; the catalogue's entries
checked for Chinese characters and matching fields."""
from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from memberdesk.cli import main
from memberdesk.core import reasons
from memberdesk.core.errors import DataError
from memberdesk.core.loader import load_dataset
from memberdesk.core.reasons import Note, Reason, error_text, reason_text

HAN = re.compile(r"[\u4e00-\u9fff]")
POLICIES = "policy_id,issue_date,status\nP1,2021-03-01,in force\nP2,2021-04-01,lapsed\n"
TODAY = __import__("datetime").date(2026, 1, 1)


@pytest.mark.parametrize("code", sorted(reasons.FILE_MESSAGES))
def test_every_file_message_has_chinese_words_and_the_same_fields(code: str) -> None:
    entry = reasons.FILE_MESSAGES[code]
    assert set(entry) == {"en", "zh_CN"}
    assert HAN.search(entry["zh_CN"]), code
    assert reasons.placeholders(entry["en"]) == reasons.placeholders(entry["zh_CN"]), code
    assert reasons.CATALOGUE[code] is entry  # in the one catalogue every presenter reads


def test_a_note_is_its_english_text_and_renders_in_chinese() -> None:
    note = Note(Reason("sheet_empty"), "book.xlsx [Sheet2]")
    assert note == "book.xlsx [Sheet2]: the sheet is empty"  # what JSON and logs keep reading
    assert reason_text(note, "zh_CN") == "book.xlsx [Sheet2]：工作表为空"
    assert reason_text(note, "en") == "book.xlsx [Sheet2]: the sheet is empty"
    assert pickle.loads(pickle.dumps(note)).text("zh_CN") == "book.xlsx [Sheet2]：工作表为空"


def test_an_unidentifiable_file_under_zh_reads_chinese(tmp_path: Path) -> None:
    f = tmp_path / "export.csv"
    f.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_dataset([f], today=TODAY)
    english = ("no recognisable columns (headers: foo, bar); expected e.g. policy_id/保单号, "
               "issue_date/生效日期, member_id/会员号")
    assert info.value.message == english  # the English sentence is unchanged
    assert error_text(info.value, "zh_CN") == (
        f"{f}：未识别出任何字段（表头：foo, bar）；应含有如 policy_id/保单号、issue_date/生效日期、"
        "member_id/会员号 等字段")


def test_an_unidentifiable_file_beside_policies_is_skipped_with_a_chinese_message(tmp_path: Path) -> None:
    (tmp_path / "policies.csv").write_text(POLICIES, encoding="utf-8")
    (tmp_path / "notes.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    ds = load_dataset([tmp_path], today=TODAY)
    shown = [reason_text(m, "zh_CN") for m in ds.report.messages]
    assert f"{tmp_path / 'notes.csv'}：未识别出任何字段（表头：foo, bar）；应含有如 policy_id/保单号、" \
           "issue_date/生效日期、member_id/会员号 等字段；已跳过" in shown


def test_title_rows_and_duplicate_headers_in_chinese(tmp_path: Path) -> None:
    f = tmp_path / "policies.csv"
    f.write_text("保单清单\npolicy_id,issue_date,status,status\nP1,2021-03-01,in force,x\n",
                 encoding="utf-8")
    ds = load_dataset([f], today=TODAY)
    english = [str(m) for m in ds.report.messages]
    assert f"{f}: header found on row 2; the row(s) above it were read as a title and skipped: " \
           "保单清单" in english
    shown = [reason_text(m, "zh_CN") for m in ds.report.messages]
    assert f"{f}：表头位于第2行；其上方的行视为标题，已跳过：保单清单" in shown
    assert f"{f}：表头重复：'status' (columns 3, 4)；使用第一个，其余作为附加列保留，命名为“名称 (2)”" in shown


def test_validate_lists_file_messages_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "policies.csv").write_text(POLICIES, encoding="utf-8")
    (tmp_path / "notes.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    assert main(["validate", str(tmp_path), "--lang", "zh_CN"]) == 0
    out = capsys.readouterr().out
    assert "notes.csv：未识别出任何字段（表头：foo, bar）" in out and "no recognisable" not in out


def test_cli_data_error_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "export.csv"
    f.write_text("foo,bar\n1,2\n", encoding="utf-8")
    assert main(["validate", str(f), "--lang", "zh_CN"]) == 3
    err = capsys.readouterr().err
    assert "未识别出任何字段（表头：foo, bar）" in err
    assert main(["validate", str(f)]) == 3
    assert "no recognisable columns (headers: foo, bar)" in capsys.readouterr().err


def test_encoding_guess_and_binary_file_in_chinese(tmp_path: Path) -> None:
    f = tmp_path / "policies.csv"
    f.write_bytes("policy_id,issue_date,city\nP1,2021-03-01,Zürich\nP2,2021-03-02,Genève\n".encode("cp1252"))
    ds = load_dataset([f], today=TODAY)
    assert f"{f}: not UTF-8 and not Chinese text: read as Windows-1252 (Western European); choose " \
           "another encoding with --encoding if the accents look wrong" in ds.report.messages
    assert f"{f}：既不是UTF-8也不是中文文本：按Windows-1252（西欧）读取；如重音字母显示有误，请用--encoding" \
           "选择其他编码" in [reason_text(m, "zh_CN") for m in ds.report.messages]
    b = tmp_path / "binary.csv"
    b.write_bytes(b"\x00\x01\x02\x03binary\x00\x05\x06")
    with pytest.raises(DataError) as info:
        load_dataset([b], today=TODAY)
    assert info.value.message == "binary content, not a text table (CSV/TSV/TXT)"
    assert error_text(info.value, "zh_CN") == f"{b}，第1行：二进制内容，不是文本表格（CSV/TSV/TXT）"
    assert error_text(info.value, "en") == str(info.value) == \
        f"{b}, row 1: binary content, not a text table (CSV/TSV/TXT)"
