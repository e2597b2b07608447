"""Progress lines in the reader's language: one Qt-free table for the desktop and the commands.

The core, the analyses, the report and the sample generator say what a long task is doing in
English progress lines (``Progress.status``, like log lines: they cross the worker thread and
the command's stderr as plain text). :func:`status_text` shows a line in English or 简体中文:
a fixed line is translated whole; a line with names or numbers in it by its template, the
values kept (a canonical table name translated: ``Checking policies`` -> ``正在检查 保单``).
A line no template matches is shown as it is (English), never dropped.

:data:`STATUS_ZH` is the table (English template -> Chinese); ``{0}``, ``{1}`` … stand for the
interpolated parts, in the order they appear in the English. Templates are tried in the order
listed, so a more specific one (``writing the Excel copy: sheet {0} ({1} rows)``) comes before a
more general one (``writing {0} ({1} rows)``). A test scans every ``.status(...)`` call in core,
analysis, report and sample and checks each has its template here. The desktop
(:func:`memberdesk.ui.i18n.status_text`) and the ``sample --lang`` command both read it.
"""
from __future__ import annotations

import re
from functools import cache

from memberdesk.core import labels

LANGS: tuple[str, ...] = ("en", "zh_CN")

STATUS_ZH: dict[str, str] = {
    # loading and checking (core)
    "Reading {0}": "正在读取 {0}",
    "Checking {0}": "正在检查 {0}",
    "Connecting to {0}": "正在连接 {0}",
    "Writing {0}": "正在写入 {0}",  # a DuckDB book (core.book_writer), a table at a time
    # report
    "Report: saving": "报告：正在保存",
    "Report: {0}": "报告：{0}",
    # analyses
    "KPIs: {0}": "关键指标：{0}",
    "Comparing: {0}": "对比：{0}",
    "Service: monthly rates": "服务：月度比率",
    "Claims: counting settlement days": "理赔：正在统计结案天数",
    "Benefits: counting uses": "权益：正在统计使用次数",
    "Benefits: counting in-force members and users": "权益：正在统计有效会员数和使用人数",
    "Benefits: counting users and non-users": "权益：正在统计使用者与未使用者",
    "Service: fitting the landmark Cox model": "服务：拟合界标Cox模型",
    "Preparing covariates": "正在准备协变量",
    "Fitting the Cox model": "正在拟合Cox模型",
    "Checking proportional hazards and concordance": "正在检验比例风险假设并计算一致性指数",
    "Preparing durations": "正在计算时长",
    "Estimating survival curves": "正在估计生存曲线",
    "Comparing segments (log-rank)": "正在比较分组（对数秩检验）",
    "Comparing segments (Gray's test)": "正在比较分组（Gray检验）",
    "Building exposures": "正在构建暴露数",
    "Summarising experience": "正在汇总经验分析",
    "Measuring persistency": "正在计算继续率",
    "Building cohort retention": "正在构建队列留存",
    "Building point-in-time snapshots": "正在构建时点快照",
    "Fitting the {0} model for validation": "正在拟合用于验证的{0}模型",
    "Validating out of time": "正在进行跨时段验证",
    "Fitting the chosen model on the latest windows": "正在用最新窗口拟合所选模型",
    "Scoring the book": "正在为全部保单评分",
    "Alerts: {0} by segment": "预警：{0}（按分组）",
    "Alerts: {0}": "预警：{0}",
    "Fitting the {0} model": "正在拟合{0}模型",
    # the sample generator (memberdesk.sample; the ``sample`` command's stderr)
    "generating the book ({0} members)": "正在生成样本数据（{0} 名会员）",
    "writing the Excel copy: saving": "正在写入 Excel 副本：正在保存",
    "writing the Excel copy: sheet {0} ({1} rows)": "正在写入 Excel 副本：工作表 {0}（{1} 行）",
    "writing {0} ({1} rows)": "正在写入 {0}（{1} 行）",
    "writing {0}": "正在写入 {0}",
}
STATUS_TEMPLATES: tuple[str, ...] = tuple(STATUS_ZH)
# templates whose values are shown as written even when one is a table name (the workbook's
# sheet is called "policies": "工作表 保单" would name a sheet that is not there)
VERBATIM: frozenset[str] = frozenset({"writing the Excel copy: sheet {0} ({1} rows)"})

_SLOT = re.compile(r"\{(\d+)\}")


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The templates with slots, as anchored regular expressions (one group per slot)."""
    out = []
    for template in STATUS_TEMPLATES:
        parts = _SLOT.split(template)
        if len(parts) == 1:
            continue
        # parts: text, slot, text, slot, ..., text
        regex = "".join(re.escape(p) if i % 2 == 0 else "(.+?)" for i, p in enumerate(parts))
        out.append((template, re.compile(f"^{regex}$", re.S)))
    return tuple(out)


def _value(text: str, lang: str) -> str:
    """An interpolated value: a canonical table name in ``lang``, anything else unchanged."""
    return labels.table_label(text, lang) if text in labels.TABLE_NAMES else text


def status_text(text: str, lang: str = "en") -> str:
    """``text`` (an English progress line) in ``lang`` (``en`` or ``zh_CN``), a canonical table
    name in it in the reader's words in either language; a line with no template, or a language
    without a table, is returned as it is."""
    if not text or text in STATUS_ZH:
        return STATUS_ZH[text] if text and lang == "zh_CN" else text
    for template, pattern in _patterns():
        m = pattern.match(text)
        if m:
            values = list(m.groups()) if template in VERBATIM \
                else [_value(v, lang) for v in m.groups()]
            # English keeps its words and names a table as a reader does ("Checking benefit
            # usage", not the code's benefit_usage); other languages read the table's words
            return (STATUS_ZH[template] if lang == "zh_CN" else template).format(*values)
    return text


__all__ = ["LANGS", "STATUS_TEMPLATES", "STATUS_ZH", "status_text"]
