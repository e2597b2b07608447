"""Alerts sheet (预警): the alert table with conditional colours and one funnel chart per
alarmed metric and segment column; one line per alarm for the Summary sheet.

Presents :func:`memberdesk.analysis.alerts.compute_alerts` (computed once per report and kept
in ``ctx.cache["alerts"]``); nothing is recomputed here. The report has no alert history, so
every alert reads as of this run.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
from openpyxl.chart import ScatterChart, Series
from openpyxl.styles import PatternFill

from memberdesk.analysis.alerts import AlertsResult, compute_alerts
from memberdesk.analysis.alerts.funnel import Dispersion, funnel_curve
from memberdesk.analysis.metrics import get_metric
from memberdesk.report import analysis_terms as terms
from memberdesk.report import charts
from memberdesk.report.context import ReportContext
from memberdesk.report.layout import SheetWriter, TableRef

ALARM_FILL = PatternFill("solid", fgColor="F4B6B6")
ALERT_FILL = PatternFill("solid", fgColor="FCE4B0")

STRINGS: dict[str, tuple[str, str]] = {
    "sheet": ("Alerts", "预警"),
    "subject": ("Early warning by segment", "分群预警"),
    "alerts": ("Alerts (alarms first)", "预警列表（报警在前）"),
    "none": ("No segment is outside its limits at the as-of date.", "统计日无分群超出控制限。"),
    "not_monitored": ("Not monitored: {metric} — {reason}", "未监测：{metric}——{reason}"),
    "funnel": ("Funnel plot: {metric} by {column}, {period} ({method})",
               "漏斗图：{metric}（按{column}），{period}（{method}）"),
    "limits": ("Limits", "控制限"), "segments": ("Segments", "分群"),
    "denominator": ("Denominator", "分母"), "rate": ("Rate (%)", "比率（%）"),
    "summary_line": ("Alarm: {metric}, {column} = {segment}: {value} vs {expected} expected "
                     "({method}), since {since}",
                     "报警：{metric}，{column} = {segment}：{value}（预期 {expected}，{method}），"
                     "自 {since} 起"),
    "level": ("Level", "级别"), "status": ("Status", "状态"), "metric": ("Metric", "指标"),
    "segment": ("Segment", "分群"), "value": ("Value", "实际值"), "expected": ("Expected", "预期值"),
    "lower": ("Lower limit", "下控制限"), "upper": ("Upper limit", "上控制限"),
    "n": ("Denominator", "分母"), "since": ("Since", "起始月"), "method": ("Method", "方法"),
    "alarm": ("alarm", "报警"), "alert": ("alert", "预警"), "new": ("new", "新增"),
    "ongoing": ("ongoing", "持续"), "resolved": ("resolved", "已解除"),
    "lower_alarm": ("99.8% lower", "99.8%下限"), "lower_alert": ("95% lower", "95%下限"),
    "target": ("Book rate", "整体比率"), "upper_alert": ("95% upper", "95%上限"),
    "upper_alarm": ("99.8% upper", "99.8%上限"),
}
METHODS: dict[str, tuple[str, str]] = {
    "funnel_binomial": ("funnel, exact binomial limits", "漏斗图，精确二项控制限"),
    "funnel_overdispersed_additive": ("funnel, overdispersion-adjusted (additive τ²)",
                                      "漏斗图，过度离散调整（加性τ²）"),
    "funnel_overdispersed_multiplicative": ("funnel, overdispersion-adjusted (multiplicative φ)",
                                            "漏斗图，过度离散调整（乘性φ）"),
    "cusum": ("risk-adjusted CUSUM", "风险调整CUSUM"),
}


def s(key: str, lang: str, **fields: object) -> str:
    en, zh = STRINGS[key]
    return (zh if lang == "zh_CN" else en).format(**fields)


def method_text(method: str, lang: str) -> str:
    en, zh = METHODS.get(method, (method, method))
    return zh if lang == "zh_CN" else en


def limits_text(method: str, lang: str) -> str:
    """A funnel method's limits without the word "funnel" ("exact binomial limits"): the
    funnel plot's title names the plot already ("Funnel plot: … (funnel, exact binomial
    limits)", "漏斗图：…（漏斗图，精确二项控制限）")."""
    text = method_text(method, lang)
    if method.startswith("funnel"):
        for prefix in ("funnel, ", "漏斗图，"):
            text = text.removeprefix(prefix)
    return text


def alerts_result(ctx: ReportContext) -> AlertsResult:
    """The report's alerts, computed once."""
    if "alerts" not in ctx.cache:
        ctx.cache["alerts"] = compute_alerts(ctx.ds)
    result: AlertsResult = ctx.cache["alerts"]
    return result


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def summary_lines(ctx: ReportContext) -> list[str]:
    """One line per active alarm (for the Summary sheet)."""
    lang = ctx.lang
    return [s("summary_line", lang, metric=get_metric(a.metric).name(lang),
              column=ctx.label(a.column), segment=terms.word(a.segment_value, lang),
              value=_pct(a.value),
              expected=_pct(a.expected), method=method_text(a.method, lang), since=a.since)
            for a in alerts_result(ctx).active() if a.level == "alarm"]


def segment_text(alert: Any, lang: str) -> str:
    """"Product = 百万医疗" / "产品 = 百万医疗": the column by its label, the level in the
    report's language (the English edition read the column id, "product = 百万医疗")."""
    from memberdesk.core.labels import value_label
    from memberdesk.report.report_strings import column_label

    return f"{column_label(alert.column, lang)} = {value_label(alert.segment_value, lang)}"


def alert_frame(result: AlertsResult, lang: str) -> pd.DataFrame:
    rows = [{"level": s(a.level, lang), "status": s(a.status, lang),
             "metric": get_metric(a.metric).name(lang), "segment": segment_text(a, lang),
             "value": a.value, "expected": a.expected, "lower": a.lower, "upper": a.upper,
             "n": a.n, "since": a.since, "method": method_text(a.method, lang)}
            for a in result.alerts]
    return pd.DataFrame(rows, columns=["level", "status", "metric", "segment", "value", "expected",
                                       "lower", "upper", "n", "since", "method"])


def _colour(ref: TableRef, levels: list[str]) -> None:
    for i, level in enumerate(levels):
        fill = ALARM_FILL if level == "alarm" else ALERT_FILL
        for j in range(len(ref.columns)):
            ref.ws.cell(ref.first_row + i, ref.first_col + j).fill = fill


def build_alerts(ctx: ReportContext, w: SheetWriter) -> None:
    lang = ctx.lang
    result = alerts_result(ctx)
    w.section(s("alerts", lang))
    if not result.alerts:
        w.note(s("none", lang))
    else:
        frame = alert_frame(result, lang)
        labels = {c: s(c, lang) for c in frame.columns}
        formats = {"value": "pct", "expected": "pct", "lower": "pct", "upper": "pct",
                   "n": "int"}
        ref = w.table(frame, labels=labels, formats=formats, main=True)
        _colour(ref, [a.level for a in result.alerts])
    for mid, why in result.unavailable.items():
        w.note(s("not_monitored", lang, metric=get_metric(mid).name(lang), reason=why.text(lang)))
    alarmed = list(dict.fromkeys((a.metric, a.column) for a in result.active()
                                 if a.level == "alarm" and a.method != "cusum"))
    for metric, column in alarmed:
        _funnel(ctx, w, result, metric, column)


def funnel_axis_top(rates: list[float]) -> float:
    """The funnel plot's rate axis maximum: half as much again as the largest segment rate
    (or the book's), rounded up to a whole 1 % (5 % above 10 %), at most 100 %. The limits
    reach 100 % at a denominator of one: on their automatic axis the segments (2-11 % on the
    sample) sat in the bottom tenth of the plot."""
    import math

    high = max([r for r in rates if r == r] or [1.0]) * 1.5
    step = 0.05 if high > 0.1 else 0.01
    return min(1.0, max(step, math.ceil(high / step - 1e-9) * step))


def _funnel(ctx: ReportContext, w: SheetWriter, result: AlertsResult, metric: str,
            column: str) -> None:
    lang = ctx.lang
    f = result.funnel
    pts = f[(f["metric"] == metric) & (f["column"] == column)].reset_index(drop=True)
    if pts.empty:
        return
    first = pts.iloc[0]
    disp = Dispersion(float(first["phi"]), float(first["tau2"]), len(pts), 0.0,
                      str(first["method"]).removeprefix("funnel_"))  # type: ignore[arg-type]
    rule = result.rules.for_metric(metric)
    n, lo_a, hi_a = funnel_curve(float(first["target"]), float(pts["n"].max()) * 1.1,
                                 rule.alert_level, disp, points=40)
    _, lo_b, hi_b = funnel_curve(float(first["target"]), float(pts["n"].max()) * 1.1,
                                 rule.alarm_level, disp, points=40)
    curve = pd.DataFrame({"n": n, "lower_alarm": lo_b, "lower_alert": lo_a,
                          "target": float(first["target"]), "upper_alert": hi_a,
                          "upper_alarm": hi_b})
    heading = s("funnel", lang, metric=get_metric(metric).name(lang), column=ctx.label(column),
                period=str(first["period"]), method=limits_text(str(first["method"]), lang))
    points = pd.DataFrame({"segment": pts["segment"], "n": pts["n"], "value": pts["value"]})
    holder: dict[str, Any] = {}

    top = funnel_axis_top([*pts["value"].astype(float), float(first["target"])])

    def make(ref: TableRef) -> ScatterChart:
        chart = charts.curve_chart(ref, "n", ["lower_alarm", "lower_alert", "target",
                                              "upper_alert", "upper_alarm"],
                                   title=heading, x_title=s("denominator", lang),
                                   y_title=s("rate", lang), y_min=0.0, y_max=top)
        holder["chart"] = chart
        return chart

    labels = {c: s(c, lang) for c in ("lower_alarm", "lower_alert", "target", "upper_alert",
                                      "upper_alarm")}
    labels["n"] = s("denominator", lang)
    w.chart_over_table(heading, curve, make, labels=labels,
                       formats={c: "pct" for c in labels if c != "n"} | {"n": "int"})
    ref = w.table(points, labels={"segment": s("segments", lang), "n": s("denominator", lang),
                                  "value": s("rate", lang)},
                  formats={"n": "int", "value": "pct"})
    chart: ScatterChart = holder["chart"]
    series = Series(ref.ref("value", with_header=True), ref.ref("n"), title_from_data=True)
    charts.points_only(series, charts.PALETTE[5])  # purple: none of the five limit lines'
    chart.series.append(series)
