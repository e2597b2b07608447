"""The workbook's Data quality sheet lists the loader's file messages in the report's language
(issue #12: file messages as reason codes; the Chinese workbook showed them in English)."""
from __future__ import annotations

from pathlib import Path
from types import ModuleType

from openpyxl import load_workbook

from memberdesk.core.reasons import Note, Reason
from memberdesk.report.workbook import write_report


def _texts(path: Path, sheet: str) -> list[str]:
    ws = load_workbook(path)[sheet]
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def test_data_quality_sheet_shows_file_messages_in_chinese(tmp_path: Path, rh: ModuleType) -> None:
    ds = rh.make_dataset(120)
    ds.report.messages.append(Note(Reason("table_not_identified_skipped", headers="foo, bar"),
                                   "notes.csv"))
    zh = _texts(write_report(ds, tmp_path / "zh.xlsx", lang="zh_CN"), "数据质量")
    assert "notes.csv：未识别出任何字段（表头：foo, bar）；应含有如 policy_id/保单号、issue_date/生效日期、" \
           "member_id/会员号 等字段；已跳过" in zh
    en = _texts(write_report(ds, tmp_path / "en.xlsx"), "Data quality")
    assert "notes.csv: no recognisable columns (headers: foo, bar); expected e.g. policy_id/保单号, " \
           "issue_date/生效日期, member_id/会员号; skipped" in en


def test_rejected_rows_details_in_the_reports_language(tmp_path: Path) -> None:
    """The Data quality sheet's rejected-rows sample renders each row's detail (a reason code
    with parameters) in the workbook's language; it wrote the English words in both."""
    from memberdesk.core.loader import load_dataset

    data = tmp_path / "policies.csv"
    data.write_text("policy_id,member_id,channel,issue_date,end_date,status,annual_premium\n"
                    "P1,M1,agency,2020-01-05,,in_force,100\n"
                    "P2,M2,agency,2020-02-05,,in_force,abc\n"
                    "P3,M3,agency,2020-03-05,,in_force,120\n", encoding="utf-8")
    ds = load_dataset([data])
    zh = _texts(write_report(ds, tmp_path / "zh.xlsx", lang="zh_CN"), "数据质量")
    en = _texts(write_report(ds, tmp_path / "en.xlsx"), "Data quality")
    assert "不是数字" in zh and "not a number" not in zh
    assert "not a number" in en
