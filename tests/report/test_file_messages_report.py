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
