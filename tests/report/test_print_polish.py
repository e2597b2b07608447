"""The Chinese workbook as a manager prints it: what the last review of the report left.

1. No table header breaks inside a word when printed. LibreOffice breaks Chinese between any
   two characters, so a header wrapped at its column's width printed "继续" over "率",
   "95%置" over "信下限（%）", "赔付比例（金" over "额，%）" (34 such lines on the sample's
   Chinese printout before; "上期（截至 2025-" over "06-30）" too). Which characters form a word
   is one hand-written word list (memberdesk/report/zh_words.py); the truth here is that list's
   words written out in the tests, and the printout read back (pdftotext).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from tests.report.printed import NEEDS_LIBREOFFICE, SAMPLE, PrintedReport, text_cells

LANGS = ("en", "zh_CN")


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample's report in each language, written once for this module."""
    from memberdesk.core.loader import load_dataset
    from memberdesk.report.workbook import write_report

    if not (SAMPLE / "policies.csv").is_file():
        pytest.skip("no sample_data/")
    dataset = load_dataset([str(SAMPLE)])
    folder = tmp_path_factory.mktemp("polish")
    return {lang: openpyxl.load_workbook(Path(write_report(dataset, folder / f"{lang}.xlsx",
                                                           lang=lang)))
            for lang in LANGS}


def printed_headers(wb: Any) -> list[tuple[Any, Any, float]]:
    """(sheet, cell, width in Excel units) of every table header cell (the header fill) inside
    its sheet's print area; a merged header over all its columns."""
    out = []
    for ws in wb.worksheets:
        last_col = 10 ** 6
        if ws.print_area:
            last_col = range_boundaries(str(ws.print_area).split("!")[-1].replace("$", ""))[2]
        spans = {(r.min_row, r.min_col): r.max_col for r in ws.merged_cells.ranges}
        covered = {(row, col) for r in ws.merged_cells.ranges
                   for row in range(r.min_row, r.max_row + 1)
                   for col in range(r.min_col, r.max_col + 1)} - set(spans)
        for sheet, cell, header in text_cells(wb):
            if sheet is not ws or not header or cell.column > last_col \
                    or (cell.row, cell.column) in covered:
                continue
            last = spans.get((cell.row, cell.column), cell.column)
            width = sum(float(ws.column_dimensions[get_column_letter(c)].width or 13.0)
                        for c in range(cell.column, last + 1))
            out.append((ws, cell, width))
    return out


# ---- 1. headers break between words ------------------------------------------------------------

def test_the_word_list_says_where_a_chinese_header_may_break() -> None:
    """Breaks between two Chinese words are whole-word, breaks inside one are not (the words
    as a reader takes them, written out here)."""
    from memberdesk.report.styles import splits_a_word

    assert splits_a_word("继续率", [2])                       # 继续 | 率
    assert not splits_a_word("年化失效退保率", [4])            # 年化失效 | 退保率
    assert splits_a_word("年化失效退保率", [5])                # 退 | 保率
    text = "中位数95%置信上限（月）"
    assert not splits_a_word(text, [3])                       # 中位数 | 95%置信上限
    assert not splits_a_word(text, [6])                       # 95% | 置信上限
    assert splits_a_word(text, [7])                           # 95%置 | 信上限
    assert not splits_a_word(text, [8])                       # 95%置信 | 上限
    assert not splits_a_word(text, [10])                      # 上限 | （月）
    assert splits_a_word("第13个月继续率", [1])                # 第 | 13个月: a number's prefix
    assert splits_a_word("第13个月继续率", [3])                # 13 | 个月: a number's unit
    assert not splits_a_word("第13个月继续率", [5])            # 第13个月 | 继续率
    assert splits_a_word("赔付比例（金额，%）", [6])           # 金 | 额
    assert splits_a_word("每百名会员使用次数", [6])            # 使 | 用次数
    assert splits_a_word("上期（截至 2025-06-30）", [11])      # 2025- | 06-30
    assert not splits_a_word("上期（截至 2025-06-30）", [6])   # a space
    assert splits_a_word("保单年度", [2])                      # one term, never split


def test_the_word_list_covers_every_chinese_header(books: dict[str, Any]) -> None:
    """Every Chinese character of every printed header is in a word of the list, so no header
    breaks next to a character the list does not know (a new header needs its words listed)."""
    from memberdesk.report import zh_words

    missing = {cell.value: zh_words.uncovered(cell.value)
               for _, cell, _ in printed_headers(books["zh_CN"])
               if zh_words.uncovered(cell.value)}
    assert not missing, missing


@pytest.mark.parametrize("lang", LANGS)
def test_every_printed_header_wraps_between_words(books: dict[str, Any], lang: str) -> None:
    """Every printed table header, in its column at its font, wraps between words in
    LibreOffice and in Excel (the print model's glyph widths and each program's room)."""
    from memberdesk.report import styles

    found = []
    for ws, cell, width in printed_headers(books[lang]):
        text, size, bold = str(cell.value), float(cell.font.sz or 11.0), bool(cell.font.b)
        for program, rooms in styles.printed_rooms(width).items():
            for room in rooms:
                breaks = styles.printed_breaks(text, room, size, bold=bold, lang=lang,
                                               program=program)
                if styles.splits_a_word(text, breaks):
                    found.append((ws.title, cell.coordinate, text, program, breaks))
    assert not found, found[:10]
    assert len(printed_headers(books[lang])) > 200  # the sample's workbook: every sheet's


def _split_header_lines(printed: PrintedReport) -> list[tuple[int, str, str]]:
    """Printed header lines that end inside a word: a printed word, joined with the word
    printed just below it in the same column, reads as a piece of a header of the sheet the
    page prints, and the place they meet is inside a word of that header (spaces kept)."""
    from memberdesk.report.styles import splits_a_word
    from tests.report.test_printed_for_a_manager import _render

    printout = _render(printed)
    headers: dict[str, set[str]] = {}
    for ws, cell, header in text_cells(printout.workbook):  # type: ignore[attr-defined]
        if header:
            headers.setdefault(ws.title, set()).add(cell.value)
    names = [ws.title for ws in printout.workbook.worksheets]  # type: ignore[attr-defined]
    found = []
    for page, lines in zip(printout.pages, printout.text_lines):
        sheet = max((n for n in names if page.sheet.endswith(n)), key=len, default="")
        words = [w for line in lines for w in line]
        for last in words:
            height = last.y1 - last.y0
            for below in words:
                if not (below.x0 < last.x1 + 30 and last.x0 - 30 < below.x1
                        and 0 < below.y0 - last.y0 < 2.2 * height):
                    continue
                joined = last.text + below.text
                if not any(ch.isalpha() for ch in joined):
                    continue  # digits of two data rows
                for text in headers.get(sheet, ()):
                    squeezed = re.sub(r"\s+", "", text)
                    at = [i for i, ch in enumerate(text) if not ch.isspace()]  # squeezed -> text
                    k = squeezed.find(joined)
                    while k >= 0:
                        meet = at[k + len(last.text)]
                        if not text[meet - 1].isspace() and splits_a_word(text, [meet]):
                            found.append((page.number, f"{last.text} / {below.text}", text))
                        k = squeezed.find(joined, k + 1)
    return found


@NEEDS_LIBREOFFICE[0]
@NEEDS_LIBREOFFICE[1]
def test_no_printed_header_line_ends_inside_a_word(printed_sample: PrintedReport) -> None:
    """Read back from LibreOffice's PDF of the sample's workbook, both languages: no header
    prints a line ending inside a word ("继续" / "率", "95%置" / "信上限（%）", "2025-" /
    "06-30）"; 34 lines on the Chinese printout before)."""
    found = _split_header_lines(printed_sample)
    assert not found, found[:20]


# ---- 2. units say what the reader sees -----------------------------------------------------------
# metric id -> the English header above its figures on an analysis sheet (besides the Summary's
# and the Dashboard's KPIs), looked up in the sample's workbook
SHOWN_UNDER = {
    "km_survival": "Survival (%)", "cumulative_incidence": "Cumulative incidence (%)",
    "termination_rate": "Rate (%)", "credibility": "Credibility Z",
    "hazard_ratio": "Hazard ratio", "claim_paid_ratio_amount": "Paid / claimed, amount (%)",
    "resolution_rate": "Resolution rate (%)",
}
DEFINITIONS = {"en": ("Definitions", "Unit"), "zh_CN": ("数据指标字典", "单位")}


def definition_units(wb: Any, lang: str) -> dict[str, str]:
    """Metric id -> the unit the Definitions sheet prints beside the metric's name (the
    registry's names in ``lang`` find the rows)."""
    from memberdesk.analysis.metrics import REGISTRY

    sheet, unit_header = DEFINITIONS[lang]
    ws = wb[sheet]
    by_name = {(m.name_zh if lang == "zh_CN" else m.name_en): m.id for m in REGISTRY.values()}
    out: dict[str, str] = {}
    unit_col = name_col = None
    for row in ws.iter_rows():
        texts = [c.value for c in row]
        if unit_header in texts:
            unit_col, name_col = texts.index(unit_header), 1
            continue
        if unit_col is not None and row[name_col].value in by_name:
            out[by_name[row[name_col].value]] = str(row[unit_col].value)
    return out


def shown_formats(wb: Any) -> dict[str, str]:
    """Metric id -> the number format of its figure as another sheet shows it: the Dashboard's
    tiles (defined names KPI_<id>), the Summary's KPI values, the analysis columns above."""
    from memberdesk.analysis.metrics import REGISTRY

    out: dict[str, str] = {}
    for name, defined in wb.defined_names.items():
        if name.startswith("KPI_"):
            sheet, ref = next(iter(defined.destinations))
            out[name.removeprefix("KPI_")] = wb[sheet][ref.replace("$", "")].number_format
    ids = {m.name_en: m.id for m in REGISTRY.values()}
    summary = wb["Summary"]
    for row in summary.iter_rows(min_row=7):
        if row[0].value in ids and isinstance(row[1].value, (int, float)):
            out.setdefault(ids[row[0].value], row[1].number_format)
    for metric, header in SHOWN_UNDER.items():
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    below = ws.cell(cell.row + 1, cell.column)
                    if cell.value == header and isinstance(below.value, (int, float)):
                        out.setdefault(metric, below.number_format)
    return out


def unit_mismatches(books: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    shown = shown_formats(books["en"])
    found = []
    for lang in LANGS:
        units = definition_units(books[lang], lang)
        for metric, fmt in shown.items():
            if metric in units and ("%" in fmt) != (units[metric] == "%"):
                found.append((lang, metric, units[metric], fmt))
    return found


def test_definitions_give_the_unit_the_figures_are_shown_in(books: dict[str, Any]) -> None:
    """A share shown as a percentage on the other sheets (0.0%: persistency, survival, the
    experience rate, the paid ratio) has the unit "%" on the Definitions sheet, in both
    languages; a figure shown as a plain number (a hazard ratio 1.303, a credibility 0.577)
    does not. The sheet printed "ratio" / "比率" beside 33 metrics, 28 of them shares shown as
    %."""
    shown = shown_formats(books["en"])
    assert {"persistency_13", "termination_rate", "hazard_ratio", "credibility",
            "km_survival"} <= set(shown)  # looked up on the other sheets
    for lang in LANGS:
        assert len(definition_units(books[lang], lang)) >= 40
    assert not unit_mismatches(books)
    for lang in LANGS:
        units = set(definition_units(books[lang], lang).values())
        assert not units & {"ratio", "比率"}, (lang, units)


# ---- 3. brackets close where they open ---------------------------------------------------------
# a bracket and what closes it; "(t − 12 months, t]" is a half-open interval, not a stray bracket
CLOSERS = {"（": "）", "(": ")]", "[": "])"}


def bracket_fault(text: str) -> str:
    """"" when every bracket of ``text`` closes in the same text, in its own width (a full-width
    "（" by "）", a "(" by ")" or, an interval, "]"); else what is wrong. A full-width bracket
    inside another one is a fault too: "（不是数据文件（.csv …））" printed its "））" as a
    closing mark of nothing on the Data quality sheet."""
    stack: list[str] = []
    for ch in text:
        if ch in CLOSERS:
            if ch == "（" and "（" in stack:
                return "（ inside （"
            stack.append(ch)
        elif ch in "）)]":
            if not stack or ch not in CLOSERS[stack[-1]]:
                return f"lone {ch}"
            stack.pop()
    return f"unclosed {stack[-1]}" if stack else ""


def test_bracket_fault_finds_a_lone_or_nested_bracket() -> None:
    assert bracket_fault("已跳过（是文件夹）") == ""
    assert bracket_fault("issue_date ∈ (t − 12个月, t] 的保单件数") == ""
    assert bracket_fault("min(1, √(A / (y(1 − q))))") == ""
    assert bracket_fault("已跳过（是文件夹") == "unclosed （"
    assert bracket_fault("是文件夹）") == "lone ）"
    assert bracket_fault("保单数（件)") == "lone )"
    assert bracket_fault("已跳过（不是数据文件（.csv .tsv））") == "（ inside （"


@pytest.mark.parametrize("lang", LANGS)
def test_no_cell_of_the_workbook_has_a_bracket_fault(books: dict[str, Any], lang: str) -> None:
    """Every text cell of the workbook closes each bracket it opens, in its own width; the
    Chinese Data quality sheet read "README.md：已跳过（不是数据文件" over
    "（.csv .tsv .txt .xlsx .xlsm .xls .parquet .pq））"."""
    found = [(ws.title, cell.coordinate, bracket_fault(cell.value), cell.value[:80])
             for ws, cell, _ in text_cells(books[lang]) if bracket_fault(cell.value)]
    assert not found, found[:10]


def test_every_reason_message_closes_its_brackets() -> None:
    """The reason catalogue's messages (the Data quality sheet's and the validation report's,
    also those the sample does not raise: rejections, unreadable files), in both languages."""
    from memberdesk.core import reasons

    texts = [text for catalogue in (reasons.CATALOGUE, reasons.ROW_DETAILS, reasons.FILE_MESSAGES)
             for entry in catalogue.values() for text in entry.values()]
    texts += [text for entry in reasons.REJECTIONS.values() for pair in entry.values()
              for text in pair]
    assert len(texts) > 200
    found = [(bracket_fault(t), t) for t in texts if bracket_fault(t)]
    assert not found, found


# ---- 4. one Chinese name per metric ----------------------------------------------------------------
# column id -> the registered metric its figures are (hand-written: what the column shows)
COLUMN_SHOWS = {
    "rate": "termination_rate", "rate_lower": "termination_rate",
    "rate_upper": "termination_rate", "actual": "actual", "n_actual": "actual",
    "exposure": "exposure", "credibility": "credibility", "csat": "csat",
    "resolution_rate": "resolution_rate", "bot_replacement_rate": "bot_replacement_rate",
    "human_connection_rate": "human_connection_rate", "in_force_members": "in_force_members",
    "hazard_ratio": "hazard_ratio", "wait_mean_seconds": "wait_mean_seconds",
    "mean_wait_seconds": "wait_mean_seconds", "wait_p90_seconds": "wait_p90_seconds",
}
# other names a reader took for the same metric (the review's 终止率 / 发生率 / 实际发生率 for the
# experience study's rate), which may appear only inside the metric's own name or another
# registered concept's ("累积发生率", "预期发生率")
VARIANTS = {
    "termination_rate": ("终止率", "发生率"), "actual": ("实际数", "发生数"),
    "csat": ("满意度",), "resolution_rate": ("解决率",),
    "wait_mean_seconds": ("平均等待",), "wait_p90_seconds": ("分位等待",),
}
OTHER_CONCEPTS = ("累积发生率", "预期发生率", "预期发生数")


def _stem(name: str) -> str:
    """A metric's name without its bracketed qualifier: 可信度（有限波动法） -> 可信度."""
    return name.split("（")[0]


def test_columns_showing_a_metric_carry_its_dictionary_name() -> None:
    """The label catalogue names each column that shows a registered metric by the metric
    dictionary's Chinese name (then its unit): 实际发生率（%）, not 发生率（%）."""
    from memberdesk.analysis.metrics import REGISTRY
    from memberdesk.core.labels import column_label

    wrong = {col: (column_label(col, "zh_CN"), REGISTRY[metric].name_zh)
             for col, metric in COLUMN_SHOWS.items()
             if not column_label(col, "zh_CN").startswith(_stem(REGISTRY[metric].name_zh))}
    assert not wrong, wrong


def shown_names(wb: Any) -> list[tuple[str, str]]:
    """(sheet, text) of every name the workbook shows: table headers, bold labels (the
    Summary's and the Service sheet's measures, the Dashboard's tiles), chart and axis
    titles."""
    out = [(ws.title, cell.value) for ws, cell, header in text_cells(wb)
           if header or (cell.font is not None and cell.font.b)]
    for ws in wb.worksheets:
        for chart in ws._charts:
            for title in (chart.title, getattr(chart.x_axis, "title", None),
                          getattr(chart.y_axis, "title", None)):
                rich = getattr(getattr(title, "tx", None), "rich", None)
                if rich is not None:
                    out.append((ws.title, "".join(run.t for p in rich.p for run in (p.r or []))))
    return out


def name_variants(wb: Any) -> list[tuple[str, str, str]]:
    """(sheet, metric, text) where a shown name calls a metric by another name than the
    dictionary's."""
    from memberdesk.analysis.metrics import REGISTRY

    names = sorted({_stem(m.name_zh) for m in REGISTRY.values()} | set(OTHER_CONCEPTS),
                   key=len, reverse=True)
    found = []
    for sheet, text in shown_names(wb):
        rest = text
        for name in names:
            rest = rest.replace(name, "|")
        found += [(sheet, metric, text) for metric, variants in VARIANTS.items()
                  if any(v in rest for v in variants)]
    return found


def test_each_metric_has_one_chinese_name_in_the_workbook(books: dict[str, Any]) -> None:
    """Wherever the Chinese workbook names a metric (headers, measure lists, tiles, chart
    titles), it uses the metric dictionary's name: the experience study's rate was 终止率 on
    the chart title, 发生率（%） in the table and its legend, and 实际发生率 in the dictionary;
    the Service sheet's 满意度（%）, 解决率（%）, 平均等待 were 客户满意度, 问题解决率,
    人工平均等待时长 there."""
    wb = books["zh_CN"]
    shown = " ".join(text for _, text in shown_names(wb))
    assert "实际发生率" in shown and "客户满意度" in shown  # the names are looked at
    found = name_variants(wb)
    assert not found, found[:10]
