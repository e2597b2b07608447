"""Chinese edition (issue 17 B.10): a count's unit is its measure word — 人 for members, 件 for
policies, 次 for service contacts — on the Summary and the Definitions sheets, not the generic
个 of the metric registry; the English edition keeps "count"."""
from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from memberdesk.report.workbook import write_report


def _units(ws, first: str, name_col: str, unit_col: str, rh) -> dict[str, str]:  # type: ignore[no-untyped-def]
    headers, rows = rh.find_table(ws, first)
    return {r[headers.index(name_col)]: r[headers.index(unit_col)] for r in rows}


def test_count_units_in_chinese_and_english(tmp_path: Path, small_dataset, rh) -> None:  # type: ignore[no-untyped-def]
    wb = load_workbook(write_report(small_dataset, tmp_path / "zh.xlsx", lang="zh_CN"))
    summary = _units(wb["经营管理驾驶舱"], "指标", "指标", "单位", rh)
    assert summary["有效会员数"] == "人"
    assert summary["有效保单数"] == "件" and summary["新单件数"] == "件"
    assert summary["有效年化保费"] == "元" and summary["13个月保费继续率"] == "%"
    assert "个" not in summary.values()
    definitions = _units(wb["数据指标字典"], "主题", "指标名称", "单位", rh)
    assert definitions["有效会员数"] == "人"
    assert definitions["有效保单数"] == "件" and definitions["新单件数"] == "件"
    assert definitions["风险集保单数"] == "件"
    assert "个" not in definitions.values()

    wb = load_workbook(write_report(small_dataset, tmp_path / "en.xlsx"))
    summary = _units(wb["Summary"], "Key figure", "Key figure", "Unit", rh)
    assert summary["In-force members"] == "count" and summary["In-force policies"] == "count"


def test_chinese_definitions_state_the_assumptions_in_chinese(tmp_path: Path, small_dataset) -> None:  # type: ignore[no-untyped-def]
    """The band cut-offs read "age 18, 30, …; premium 1000, …; duration 12, …" and reference
    levels "channel = agency" in the Chinese edition's assumptions block (issue 17 B.10)."""
    import re

    from memberdesk.core.assumptions import Assumptions

    ds = small_dataset.with_assumptions(Assumptions().replace(
        reference_levels=(("channel", "agency"),), age_cuts=(20, 40, 60)))
    ws = load_workbook(write_report(ds, tmp_path / "zh.xlsx", lang="zh_CN"))["数据指标字典"]
    rows = {ws.cell(r, 2).value: ws.cell(r, 3).value for r in range(1, 20) if ws.cell(r, 2).value}
    cuts = rows["分段界限（年龄、保费、保单年度）"]
    assert cuts == "年龄 20, 40, 60；保费（元）1000, 3000, 10000, 30000；保单持续时间（月）12, 24, 36, 48"
    assert not re.search(r"[A-Za-z]", cuts)
    assert rows["Cox模型参照水平"] == "渠道 = 个险代理人"
