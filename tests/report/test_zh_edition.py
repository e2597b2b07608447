"""The Chinese workbook edition (issue 17 B.10): rolling periods and at-risk months in Chinese,
coded values (channels, benefits, tiers …) through the label catalogue, 件 for policies and 人
for members, an East-Asian font in the theme and the cells, Definitions rows tall enough for
their wrapped lineage. Each test opens the written workbook with openpyxl."""
from __future__ import annotations

import re
from typing import Any

import pytest
from openpyxl import load_workbook

from memberdesk.report import report_strings as rs
from memberdesk.report.workbook import write_report


@pytest.fixture(scope="module")
def zh(tmp_path_factory: pytest.TempPathFactory, small_dataset: Any) -> Any:
    return load_workbook(write_report(small_dataset, tmp_path_factory.mktemp("zh") / "r.xlsx",
                                      lang="zh_CN"))


@pytest.fixture(scope="module")
def en(tmp_path_factory: pytest.TempPathFactory, small_dataset: Any) -> Any:
    return load_workbook(write_report(small_dataset, tmp_path_factory.mktemp("en") / "r.xlsx"))


def texts(ws: Any) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_rolling_windows_read_in_chinese_in_cells_and_on_the_chart_axis(zh: Any) -> None:
    everything = [t for ws in zh.worksheets for t in texts(ws)]
    assert not [t for t in everything if "12m to" in t]
    ws = zh[rs.sheet_name("persistency", "zh_CN")]
    rolling = [t for t in texts(ws) if t.startswith("滚动12个月（")]
    assert rolling and all(re.fullmatch(r"滚动12个月（至\d{4}-\d{2}）", t) for t in rolling)
    # the trend chart's categories are those cells
    cats = []
    for chart in ws._charts:
        for s in chart.series:
            if s.cat is not None and s.cat.strRef is not None:
                cats.append(s.cat.strRef.f)
            elif s.cat is not None and s.cat.numRef is not None:
                cats.append(s.cat.numRef.f)
    cells = []
    for f in cats:
        rng = f.split("!")[1].replace("$", "")
        cells += [c.value for row in ws[rng] for c in (row if isinstance(row, tuple) else (row,))]
    assert any(isinstance(v, str) and v.startswith("滚动12个月（至") for v in cells), cats


def test_at_risk_columns_are_months_since_issue_not_calendar_months(zh: Any, en: Any) -> None:
    zh_text = texts(zh[rs.sheet_name("retention", "zh_CN")])
    assert {"第0个月", "第12个月", "第24个月", "第60个月"} <= set(zh_text)
    assert not [t for t in zh_text if re.fullmatch(r"\d+月", t)]  # "12月" reads as December
    assert {"0 m", "12 m", "60 m"} <= set(texts(en[rs.sheet_name("retention", "en")]))


def test_coded_values_are_translated_through_the_label_catalogue(zh: Any) -> None:
    # small_dataset: channels agency/bank/online, tiers gold/silver, benefits health check-up,
    # online consultation, second opinion (tests/report/conftest.py)
    everything = {t for ws in zh.worksheets for t in texts(ws)}
    assert {"个险代理人", "互联网"} <= everything          # channel
    assert {"健康体检", "在线问诊", "第二诊疗意见"} <= everything  # benefit
    english = {"agency", "online", "health check-up", "online consultation", "second opinion",
               "lapsed", "surrendered", "in_force", "annual", "monthly"}
    assert not english & everything
    assert "bank" in everything  # a value outside the catalogue is shown as the data spell it


def test_policies_counted_in_jian_members_in_ren(zh: Any) -> None:
    retention = set(texts(zh[rs.sheet_name("retention", "zh_CN")]))
    assert "风险集保单数（件）" in retention and "风险集人数" not in retention
    benefits = set(texts(zh[rs.sheet_name("benefits", "zh_CN")]))
    member_headers = [t for t in benefits if "会员数" in t and len(t) < 12]
    assert member_headers and all(t.endswith("（人）") for t in member_headers), member_headers


def test_east_asian_font_in_theme_and_cells(zh: Any, en: Any) -> None:
    assert "等线".encode() in zh.loaded_theme
    for ws in zh.worksheets:
        names = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
        assert names == {"等线"}, (ws.title, names)
    en_names = {c.font.name for ws in en.worksheets for row in ws.iter_rows() for c in row
                if c.value is not None}
    assert en_names == {"Calibri"}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_definitions_rows_fit_their_wrapped_lineage(lang: str, zh: Any, en: Any) -> None:
    wb = zh if lang == "zh_CN" else en
    ws = wb[rs.sheet_name("definitions", lang)]
    header_row = lineage_col = None
    for row in ws.iter_rows():  # the lineage column: the first cell reading "x ← inputs"
        for c in row:
            if isinstance(c.value, str) and " ← " in c.value:
                header_row, lineage_col = c.row - 1, c.column
                break
        if header_row:
            break
    assert header_row is not None
    width = ws.column_dimensions[ws.cell(header_row, lineage_col).column_letter].width
    checked = 0
    for r in range(header_row + 1, ws.max_row + 1):
        text = ws.cell(r, lineage_col).value
        if not isinstance(text, str) or "←" not in text:
            continue
        # a lower bound: every explicit line, and each line at least its CJK-aware width /
        # the column width (two units per CJK character, ~0.8 per Latin one)
        need = 0
        for line in text.split("\n"):
            units = sum(2.0 if ord(ch) > 0x2E80 else 0.8 for ch in line)
            need += max(1, -(-int(units) // int(width)))
        height = ws.row_dimensions[r].height
        assert height is not None and height >= 12.0 * need, (r, text, height, need)
        assert ws.cell(r, lineage_col).alignment.wrap_text
        checked += 1
    assert checked > 10


def test_segments_and_covariate_levels_read_in_chinese() -> None:
    from memberdesk.report import analysis_terms as terms

    assert terms.word("channel = online", "zh_CN") == "渠道 = 互联网"
    assert terms.word("tier = standard", "zh_CN") == "会员等级 = 普通会员"
    assert terms.word("product = Term Life 20", "zh_CN") == "产品 = Term Life 20"  # a name
    assert terms.word("logrank", "zh_CN") == "对数秩检验"
    assert terms.word("free_look", "zh_CN") == "犹豫期撤单"
    assert terms.word("channel = online", "en") == "channel = online"


def test_wrapped_lines_move_words_whole() -> None:
    from memberdesk.report.sheets_overview import wrapped_lines

    # three 6-letter words in a column 10 digits wide: a word is 6 × 0.85 = 5.1 digits, two
    # with their space 10.95 > 10, so a spreadsheet puts each on its own line: 3 lines (the
    # total width 20 × 0.85 = 17 divided by the column gave 2, and the third line was clipped)
    assert wrapped_lines("aaaaaa aaaaaa aaaaaa", 10) == 3
    assert wrapped_lines("aaaaaa\n  ↳ bb", 10) == 2            # explicit lines count each
    assert wrapped_lines("中" * 12, 10) == 3                    # 24 digits: CJK breaks anywhere
    assert wrapped_lines("x" * 30, 10) == 3                     # 25.5 digits: a long word is cut
