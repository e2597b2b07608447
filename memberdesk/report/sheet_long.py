"""A tidy long sheet for pivots (issue 17 B.9): one row per period × segment × metric.

Columns: ``period``, ``period_kind`` (calendar_year or the experience basis), ``dimension``
(the segment column, or "All"), ``segment`` (its level), ``metric`` (a metric id), ``value``,
``numerator``, ``denominator``. A pivot table that sums numerators and denominators and
divides recomputes every ratio correctly at any level (summing the ratios would not).
Rows come straight from the analysis results:

* ``persistency_13`` / ``persistency_25`` (premium basis) and ``persistency_13_count`` /
  ``persistency_25_count``: :func:`memberdesk.analysis.persistency.persistency_for_periods`
  by calendar year, numerator = persisting premium (policies), denominator = cohort premium
  (policies);
* ``termination_rate``: :func:`memberdesk.analysis.experience.experience_study` by policy
  year, numerator = actual terminations, denominator = exposure (policy-years).

Each report dimension (``--by channel,product_type`` gives two) adds its rows; the whole book
is dimension "All".
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from memberdesk.report.context import ReportContext
from memberdesk.report.layout import SheetWriter

NAMES = {"en": ("Data (long)", "Long data for pivot tables: period × segment × metric, with "
                "numerator and denominator"),
         "zh_CN": ("长表数据", "透视表用长表数据：期间 × 分组 × 指标（含分子与分母）")}
LABELS = {"en": {"period": "Period", "period_kind": "Period kind", "dimension": "Dimension", "segment": "Segment",
                 "metric": "Metric", "metric_name": "Metric name", "value": "Value", "numerator": "Numerator",
                 "denominator": "Denominator"},
          "zh_CN": {"period": "期间", "period_kind": "期间类型", "dimension": "维度",
                    "segment": "分组", "metric": "指标", "metric_name": "指标名称",
                    "value": "数值", "numerator": "分子", "denominator": "分母"}}
ALL = "All"
PERIOD_KINDS_ZH = {"calendar_year": "日历年度"}


def dimensions(ctx: ReportContext) -> list[str]:
    """The report's segment columns present in the policies (at most two)."""
    p = ctx.ds.policies
    cols = [ctx.options.segment, ctx.options.second_segment]
    return [c for c in dict.fromkeys(cols) if c is not None and p is not None and c in p.columns]


def long_frame(ctx: ReportContext) -> pd.DataFrame:
    from memberdesk.analysis.experience import experience_study
    from memberdesk.analysis.persistency import persistency_for_periods

    parts: list[pd.DataFrame] = []
    dims: list[str | None] = [None, *dimensions(ctx)]
    for dim in dims:
        for month in (13, 25):
            frame = persistency_for_periods(ctx.ds, month=month, periods=("year",),
                                            by=dim)["year"].frame
            if dim is not None:
                frame = frame[frame["segment"] != ALL]
            for measure, suffix in (("premium", ""), ("count", "_count")):
                parts.append(pd.DataFrame({
                    "period": frame["period"].astype(str), "period_kind": "calendar_year",
                    "dimension": dim or ALL,
                    "segment": frame["segment"].astype(str) if dim else ALL,
                    "metric": f"persistency_{month}{suffix}",
                    "value": frame[f"ratio_{measure}"],
                    "numerator": frame[f"persisting_{measure}"],
                    "denominator": frame[f"cohort_{measure}"]}))
        study = experience_study(ctx.ds, by=[dim] if dim else [])
        rows = study.rows
        period = study.period_column
        parts.append(pd.DataFrame({
            "period": rows[period].astype(str), "period_kind": period, "dimension": dim or ALL,
            "segment": rows[dim].astype(str) if dim else ALL, "metric": "termination_rate",
            "value": rows["rate"], "numerator": rows["actual"], "denominator": rows["exposure"]}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(LABELS["en"]))
    out["period"] = [int(p) if str(p).isdigit() else p for p in out["period"]]  # years as numbers
    return out.reset_index(drop=True)


def build_long(ctx: ReportContext, w: SheetWriter) -> None:
    frame = shown_frame(long_frame(ctx), ctx.lang)
    labels: dict[str, Any] = LABELS.get(ctx.lang, LABELS["en"])
    w.table(frame, main=True, labels=labels,
            formats={"period": "text", "period_kind": "text", "dimension": "text", "segment": "text", "metric": "text",
                     "metric_name": "text", "value": "dec3", "numerator": "num", "denominator": "num"})


def shown_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The long frame as the reader sees it: the metric id kept (stable for pivots and the
    Definitions sheet) with its name beside it; in the Chinese edition the dimension, period
    kind and segment levels in Chinese (渠道, 日历年度, 银保…) like every other sheet."""
    from memberdesk.analysis.metric_definitions import METRICS
    from memberdesk.core import labels as catalogue
    from memberdesk.report.analysis_terms import word

    out = frame.copy()
    zh = lang == "zh_CN"
    names = {m: (METRICS[m].name_zh if zh else METRICS[m].name_en) if m in METRICS else m
             for m in out["metric"].unique()}
    out.insert(list(out.columns).index("metric") + 1, "metric_name", out["metric"].map(names))
    if zh:
        def dimension(d: str) -> str:
            return str(word(d, lang)) if d == ALL else catalogue.column_label(d, lang)

        def kind(k: str) -> str:
            return PERIOD_KINDS_ZH.get(k) or catalogue.column_label(k, lang)

        out["dimension"] = out["dimension"].map({d: dimension(d) for d in out["dimension"].unique()})
        out["period_kind"] = out["period_kind"].map({k: kind(k) for k in out["period_kind"].unique()})
        out["segment"] = out["segment"].map({s: word(s, lang) for s in out["segment"].unique()})
    return out
