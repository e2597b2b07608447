"""Service sheet: the trailing-12-month figures as a vertical list, then the monthly trend.

Presents :func:`memberdesk.analysis.service.service_summary`. The one-row ``window`` table has
~17 columns, which printed unreadably small; here every figure is a row — measure, value, unit
and the the metric dictionary, docs/lineage.md formula with the counts it was computed from — so the sheet prints at a
normal size and the monthly trend below keeps a readable width.
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

from memberdesk.analysis.metrics import REGISTRY
from memberdesk.core import schema
from memberdesk.report import analysis_terms as terms
from memberdesk.report import charts, styles
from memberdesk.report.context import ReportContext
from memberdesk.report.layout import SheetWriter
from memberdesk.report.safety import write_cell

SERVICE_RATES: tuple[str, ...] = ("bot_replacement_rate", "human_connection_rate", "csat")

# key -> (format kind, unit key, English name, Chinese name, English formula, Chinese formula,
#         numerator column, denominator column); a key the metrics registry holds is named as
#         the registry names it (the names here are for the counts it does not hold).
#         Formulas follow the metric dictionary, docs/lineage.md word for word.
MEASURES: dict[str, tuple[str, str, str, str, str, str, str | None, str | None]] = {
    "bot_replacement_rate": (
        "pct", "share", "Bot replacement rate", "智能客服替代率",
        "bot contacts not transferred to a human ÷ all contacts",
        "未转人工的智能客服服务量 ÷ 全部服务量", "bot_not_transferred", "contacts"),
    "human_connection_rate": (
        "pct", "share", "Human connection rate", "人工接通率",
        "human-queue contacts connected ÷ human-queue contacts",
        "人工排队中接通的服务量 ÷ 人工排队服务量", "connected", "human_queue"),
    "csat": (
        "pct", "share", "Customer satisfaction (CSAT)", "客户满意度（CSAT）",
        "rated contacts with satisfaction ≥ 4 ÷ rated contacts",
        "满意度评分 ≥ 4 的服务量 ÷ 有评价的服务量", "satisfied", "rated"),
    "resolution_rate": (
        "pct", "share", "Resolution rate", "问题解决率",
        "contacts resolved ÷ contacts with a resolution recorded",
        "已解决服务量 ÷ 有解决记录的服务量", "resolved", "resolved_known"),
    "wait_mean_seconds": (
        "dec1", "seconds", "Mean wait", "平均等待时长",
        "mean wait_seconds over human-queue contacts", "人工排队服务的平均等待秒数", None, None),
    "wait_p90_seconds": (
        "dec1", "seconds", "90th percentile wait", "90分位等待时长",
        "90th percentile of wait_seconds over human-queue contacts",
        "人工排队服务等待秒数的90分位数", None, None),
    "contacts": ("int", "contacts", "All contacts", "全部服务量",
                 "contacts started in the window (anonymous included)",
                 "统计期内发起的全部服务（含匿名来访）", None, None),
    "bot_contacts": ("int", "contacts", "Bot contacts", "智能客服服务量",
                     "handled_by = bot", "handled_by = bot（智能客服处理）", None, None),
    "bot_not_transferred": ("int", "contacts", "Bot contacts not transferred", "智能客服未转人工量",
                            "bot contacts with transferred_to_human not true",
                            "智能客服处理且未转人工", None, None),
    "human_queue": ("int", "contacts", "Human-queue contacts", "人工排队服务量",
                    "handled by a human, or a bot contact transferred to a human",
                    "人工处理，或智能客服转人工", None, None),
    "connected": ("int", "contacts", "Human-queue contacts connected", "人工接通量",
                  "human-queue contacts with connected = true", "人工排队且接通", None, None),
    "resolved_known": ("int", "contacts", "Resolution recorded", "有解决记录量",
                       "contacts whose resolved flag is recorded", "记录了是否解决的服务", None, None),
    "resolved": ("int", "contacts", "Resolved", "已解决量", "resolved = true", "已解决", None, None),
    "rated": ("int", "contacts", "Rated contacts", "有评价量", "satisfaction recorded",
              "有满意度评分", None, None),
    "satisfied": ("int", "contacts", "Satisfied (4-5)", "满意量（4-5分）", "satisfaction ≥ 4",
                  "满意度评分 ≥ 4", None, None),
}
UNITS: dict[str, tuple[str, str]] = {
    # a rate printed as 82.9% reads "%" as on the Summary sheet (it read "share" beside it)
    "share": ("%", "%"), "seconds": ("seconds", "秒"), "contacts": ("contacts", "次"),
}
HEADERS: dict[str, tuple[str, str]] = {
    "measure": ("Measure", "指标"), "value": ("Value", "数值"), "unit": ("Unit", "单位"),
    "formula": ("Formula (metric dictionary)", "计算公式"),
}
WINDOW_HEADING = ("Trailing 12 months: {start} to {end}", "近12个月：{start} 至 {end}")
FORMULA_MIN_CHARS = 40


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "zh_CN" else pair[0]


def window_rows(window: pd.Series, lang: str) -> list[dict[str, Any]]:
    """One row per figure of the window table: measure, value, unit, formula (with the counts
    a rate was computed from), and the number-format kind of the value."""
    rows = []
    for key, (kind, unit, name_en, name_zh, f_en, f_zh, num, den) in MEASURES.items():
        if key not in window.index:
            continue
        value = pd.to_numeric(pd.Series([window[key]]), errors="coerce").iloc[0]
        formula = f_zh if lang == "zh_CN" else f_en
        if num is not None and den is not None and num in window.index and den in window.index:
            n, d = float(window[num]), float(window[den])
            if math.isfinite(n) and math.isfinite(d):
                formula = f"{formula} = {n:,.0f} ÷ {d:,.0f}"
        metric = REGISTRY.get(key)  # a registered metric reads as the dictionary names it
        if metric is not None:
            name_en, name_zh = metric.name_en, metric.name_zh
        rows.append({"measure": name_zh if lang == "zh_CN" else name_en,
                     "value": None if pd.isna(value) else float(value),
                     "unit": _pick(UNITS[unit], lang), "formula": formula, "kind": kind,
                     "key": key})
    return rows


def _write_vertical(w: SheetWriter, rows: list[dict[str, Any]], *, span: int) -> int:
    """Measure | value | unit | formula, the formula merged over ``span`` columns (so the wide
    text does not widen the trend table's columns below). Returns the header row."""
    ws, lang = w.ws, w.lang
    header_row = w.row
    for j, col in enumerate(("measure", "value", "unit", "formula")):
        cell = write_cell(ws, header_row, 1 + j, _pick(HEADERS[col], lang))
        cell.font, cell.fill, cell.alignment = (styles.HEADER_FONT, styles.HEADER_FILL,
                                                styles.HEADER_ALIGN)
    for j in range(4, 3 + span):  # header fill over the whole merged formula area
        ws.cell(header_row, 1 + j).fill = styles.HEADER_FILL
    if span > 1:
        ws.merge_cells(start_row=header_row, start_column=4, end_row=header_row,
                       end_column=3 + span)
    w._grow(1, max(styles.display_width(r["measure"]) for r in rows))
    w._grow(2, 10)
    w._grow(3, max(styles.display_width(_pick(HEADERS["unit"], lang)),
                   *(styles.display_width(r["unit"]) for r in rows)))
    formula_chars = max(FORMULA_MIN_CHARS, 13 * span)  # merged width, roughly
    for i, row in enumerate(rows):
        r = header_row + 1 + i
        write_cell(ws, r, 1, row["measure"]).font = styles.LABEL_FONT
        v = write_cell(ws, r, 2, row["value"])
        v.font, v.number_format = styles.BODY_FONT, styles.FORMATS[row["kind"]]
        u = write_cell(ws, r, 3, row["unit"])
        u.font, u.alignment = styles.BODY_FONT, styles.INDENT_ALIGN
        f = write_cell(ws, r, 4, row["formula"])
        f.font, f.alignment = styles.BODY_FONT, styles.WRAP_ALIGN
        if span > 1:
            ws.merge_cells(start_row=r, start_column=4, end_row=r, end_column=3 + span)
        else:
            w._grow(4, min(styles.display_width(row["formula"]), formula_chars))
        if span == 1:
            lines = math.ceil(styles.display_width(row["formula"]) * 1.1 / formula_chars)
            if lines > 1:
                ws.row_dimensions[r].height = 13.0 * lines + 2
    w.row = header_row + len(rows) + 2
    return header_row


def _fit_formula_rows(w: SheetWriter, header_row: int, rows: list[dict[str, Any]],
                      span: int) -> None:
    """Row heights of the merged formula cells from the merged area's real width, known once
    the trend table below has set the column widths (a guessed width wrapped a one-line
    formula onto two lines: the taller row read as if its formula belonged to the row
    above, issue 17 B: the Resolution-rate row)."""
    from memberdesk.report.sheets_overview import wrapped_lines

    chars = sum(styles.column_width(w.widths.get(c, 0.0)) for c in range(4, 4 + span)) - 2
    for i, row in enumerate(rows):
        lines = wrapped_lines(str(row["formula"]), chars)
        dim = w.ws.row_dimensions[header_row + 1 + i]
        dim.height = 13.0 * lines + 2 if lines > 1 else None


def build_service(ctx: ReportContext, w: SheetWriter) -> None:
    from memberdesk.analysis.service import service_summary
    if not ctx.ds.has(schema.SERVICE_CONTACTS):
        w.note(ctx.t("no_table", table=ctx.table_label("service_contacts")))
        return
    summary = service_summary(ctx.ds)
    for rate, reason in summary.reasons.items():
        w.note(f"{ctx.label(rate)}: {terms.reason(reason, ctx.lang)}")
    monthly = summary.monthly
    rates = [r for r in SERVICE_RATES if r in monthly.columns and monthly[r].notna().any()]
    cols = ["month", "contacts", "bot_contacts", "human_queue", *rates,
            *[c for c in ("resolution_rate", "wait_mean_seconds") if c in monthly.columns]]
    frame = monthly[[c for c in cols if c in monthly.columns]]
    rows: list[dict[str, Any]] = []
    span, header_row = 1, 0
    if len(summary.window):
        window = summary.window.iloc[0]
        start = pd.Timestamp(window["window_start"]) + pd.Timedelta(days=1)  # start exclusive
        end = pd.Timestamp(window["window_end"])
        w.section(_pick(WINDOW_HEADING, ctx.lang).format(start=start.date().isoformat(),
                                                         end=end.date().isoformat()))
        rows = window_rows(window, ctx.lang)
        span = max(len(frame.columns) - 3, 1) if len(monthly) else 1
        header_row = _write_vertical(w, rows, span=span) if rows else 0
    if len(monthly):
        _write_trend(ctx, w, frame, rates, summary.by_channel)
    if len(summary.window) and rows and span > 1:
        _fit_formula_rows(w, header_row, rows, span)


PRINTED_MONTHS = 24  # the printout shows the last two years; the full history is data below
RECENT_HEADING = ("Monthly trend, last {n} months", "月度趋势（最近{n}个月）")
RECENT_CHANNEL_HEADING = ("Contacts by month and channel, last {n} months",
                          "按月份和渠道的服务量（最近{n}个月）")
HISTORY_HEADING = ("Monthly trend, full history (chart data, not printed)",
                   "月度趋势，全部历史（图表数据，不打印）")
HISTORY_CHANNEL_HEADING = ("Contacts by month and channel, full history (not printed)",
                           "按月份和渠道的服务量，全部历史（不打印）")


def _write_trend(ctx: ReportContext, w: SheetWriter, frame: pd.DataFrame, rates: list[str],
                 mix: pd.DataFrame) -> None:
    """The chart over the full history, then the last :data:`PRINTED_MONTHS` months as the
    printed tables (issue 17 B.5), then the full monthly history below the print area (the
    chart's data, kept for anyone who wants the numbers)."""
    formats = _service_formats(frame)
    wide = pd.DataFrame()
    if len(mix):
        wide = mix.pivot_table(index="month", columns="channel", values="contacts",
                               aggfunc="first").sort_index()
        wide.columns = [str(c) for c in wide.columns]
        wide = wide.reset_index()
    wide_formats = {c: "int" for c in wide.columns if c != "month"}
    wide_labels = {c: c for c in wide.columns if c != "month"}
    chart_at = w.reserve_chart() if rates else None
    n = PRINTED_MONTHS
    w.section(_pick(RECENT_HEADING, ctx.lang).format(n=n))
    w.table(frame.tail(n).reset_index(drop=True), main=True, formats=formats)
    if len(wide):
        w.section(_pick(RECENT_CHANNEL_HEADING, ctx.lang).format(n=n))
        w.table(wide.tail(n).reset_index(drop=True), formats=wide_formats, labels=wide_labels)
    w.end_print_area()
    w.section(_pick(HISTORY_HEADING, ctx.lang))
    ref = w.table(frame, formats=formats)
    if len(wide):
        w.section(_pick(HISTORY_CHANNEL_HEADING, ctx.lang))
        w.table(wide, formats=wide_formats, labels=wide_labels)
    if chart_at is not None:
        w.chart(charts.category_line_chart(
            ref, "month", rates, title=ctx.t("chart_service"),
            x_title=ctx.t("axis_month"), y_title=ctx.t("axis_rate")), at=chart_at)


def _service_formats(frame: pd.DataFrame) -> dict[str, str]:
    out = {c: "int" for c in frame.columns}
    out.update({c: "pct" for c in frame.columns if c.endswith("_rate") or c == "csat"})
    out.update({c: "dec1" for c in frame.columns if c.endswith("_seconds")})
    out["month"] = "text"
    return out
