"""The Retention list sheet (issue 15): presents
:func:`memberdesk.analysis.scoring.score.run_scoring` (12 months ahead, model chosen out of
time) — the validation figures of both models against the naive baseline, the calibration and
lift charts, and the expected premium at risk by risk decile and by segment.

No personal data: the sheet shows aggregates only (no policy or member rows); the call list
itself is exported from the Retention list page or ``memberdesk score -o``.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from memberdesk.analysis.scoring.score import ScoringResult, run_scoring
from memberdesk.report import charts
from memberdesk.report.context import ReportContext
from memberdesk.report.layout import SheetWriter

HORIZON_MONTHS = 12

TEXT: dict[str, dict[str, str]] = {
    "sec_validation": {"en": "Out-of-time validation (fitted up to {cutoff}, judged on what "
                             "happened until {as_of})",
                       "zh_CN": "时间外验证（以 {cutoff} 之前的数据拟合，以其后至 {as_of} 的实际情况检验）"},
    "model": {"en": "Model", "zh_CN": "模型"},
    "cox": {"en": "Cox model", "zh_CN": "Cox 模型"},
    "gbm": {"en": "Gradient boosting", "zh_CN": "梯度提升树"},
    "baseline": {"en": "Naive baseline (channel x product x duration)",
                 "zh_CN": "朴素基准（渠道 × 产品 × 保单年度）"},
    "c_index": {"en": "Harrell's C", "zh_CN": "Harrell C 指数"},
    "c_index_uno": {"en": "Uno's C", "zh_CN": "Uno C 指数"},
    "auc": {"en": "AUC at horizon", "zh_CN": "期末时间依赖AUC"},
    "brier": {"en": "Brier score", "zh_CN": "Brier 分数"},
    "ibs": {"en": "Integrated Brier", "zh_CN": "积分 Brier 分数"},
    "ici": {"en": "ICI", "zh_CN": "ICI"},
    "e50": {"en": "E50", "zh_CN": "E50"},
    "top_decile_capture": {"en": "Top-decile capture", "zh_CN": "前10%捕获率"},
    "top_decile_lift": {"en": "Top-decile lift", "zh_CN": "前10%提升度"},
    "chosen": {"en": "Model used for the scores", "zh_CN": "评分所用模型"},
    "why": {"en": "Why", "zh_CN": "原因"},
    "tolerance": {"en": "Calibration tolerance (ICI)", "zh_CN": "校准容差（ICI）"},
    "observed": {"en": "Observed lapse probability in the window", "zh_CN": "验证期实际失效概率"},
    "horizon": {"en": "Horizon (months)", "zh_CN": "预测期（月）"},
    "scored": {"en": "In-force policies scored", "zh_CN": "已评分有效保单"},
    "par": {"en": "Expected annual premium at risk", "zh_CN": "预期年化风险保费"},
    "higher_auc": {"en": "higher out-of-time AUC, calibration within tolerance",
                   "zh_CN": "时间外AUC更高，校准在容差内"},
    "better_calibrated": {"en": "the model with the higher AUC was outside the calibration "
                                "tolerance", "zh_CN": "AUC更高的模型超出校准容差"},
    "higher_auc_both_outside_tolerance": {"en": "higher AUC; both models outside the "
                                                "calibration tolerance",
                                          "zh_CN": "AUC更高；两个模型均超出校准容差"},
    "requested": {"en": "chosen by the user", "zh_CN": "用户指定"},
    "sec_deciles": {"en": "Premium at risk by risk decile (1 = highest risk)",
                    "zh_CN": "按风险十分位的风险保费（1 = 风险最高）"},
    "sec_segments": {"en": "Premium at risk by segment", "zh_CN": "按细分的风险保费"},
    "segment_value": {"en": "Value", "zh_CN": "取值"},
    "sec_calibration": {"en": "Calibration by decile (data of the chart)",
                        "zh_CN": "按十分位的校准（图表数据）"},
    "chart_calibration": {"en": "Calibration: predicted vs observed lapse probability",
                          "zh_CN": "校准：预测与实际失效概率"},
    "sec_gain": {"en": "Gain curve (data of the chart)", "zh_CN": "增益曲线（图表数据）"},
    "chart_gain": {"en": "Lapses found when calling the highest-risk policies first",
                   "zh_CN": "优先联系高风险保单可找到的失效比例"},
    "axis_decile": {"en": "Risk decile", "zh_CN": "风险十分位"},
    "axis_probability": {"en": "Lapse probability (%)", "zh_CN": "失效概率（%）"},
    "axis_contacted": {"en": "Policies contacted (%)", "zh_CN": "联系保单比例（%）"},
    "axis_captured": {"en": "Lapses found (%)", "zh_CN": "找到的失效比例（%）"},
    "predicted": {"en": "Predicted", "zh_CN": "预测"},
    "observed_col": {"en": "Observed", "zh_CN": "实际"},
    "random": {"en": "Random order", "zh_CN": "随机顺序"},
    "reading": {"en": "Scores: probability of a lapse or surrender within {h} months for every "
                      "policy in force; deaths and maturities are not lapses. Premium at risk = "
                      "probability x annual premium. The ranked call list (with reasons) is "
                      "exported from the Retention list page or with 'memberdesk score -o'.",
                "zh_CN": "评分：每件有效保单在 {h} 个月内失效或退保的概率；身故、满期不计为失效。"
                         "风险保费 = 概率 × 年缴保费。带原因的排序名单可在“挽留名单”页面或用 "
                         "'memberdesk score -o' 导出。"},
}


def t(key: str, lang: str, **fields: Any) -> str:
    entry = TEXT[key]
    return entry.get(lang, entry["en"]).format(**fields)


def validation_frame(result: ScoringResult, lang: str) -> pd.DataFrame:
    v = result.validation
    assert v is not None
    keys = ("c_index", "c_index_uno", "auc", "brier", "ibs", "ici", "e50",
            "top_decile_capture", "top_decile_lift")
    rows = []
    for name in ("cox", "gbm", "baseline"):
        m = v.metrics[name]
        rows.append({"model": t(name, lang), **{k: float(getattr(m, k)) for k in keys}})
    return pd.DataFrame(rows)


def build_scoring(ctx: ReportContext, w: SheetWriter) -> None:
    """Validation figures, premium at risk by decile and segment, calibration and gain charts."""
    if ctx.ds.policies is None:
        w.note(ctx.t("no_table", table=ctx.table_label("policies")))
        return
    lang = ctx.lang
    result = run_scoring(ctx.ds, HORIZON_MONTHS, "auto")
    v = result.validation
    assert v is not None
    w.section(t("sec_validation", lang, cutoff=v.cutoff.date().isoformat(), as_of=ctx.as_of_iso))
    frame = validation_frame(result, lang)
    w.table(frame, main=True, labels={c: t(c, lang) for c in frame.columns},
            formats={"model": "text", "c_index": "dec3", "c_index_uno": "dec3", "auc": "dec3",
                     "brier": "dec3", "ibs": "dec3", "ici": "dec3", "e50": "dec3",
                     "top_decile_capture": "pct", "top_decile_lift": "dec1"})
    w.pairs([(t("chosen", lang), t(v.chosen, lang)), (t("why", lang), t(v.reason, lang)),
             (t("tolerance", lang), v.ici_tolerance), (t("observed", lang), v.observed),
             (t("horizon", lang), result.horizon_months), (t("scored", lang), len(result.scores)),
             (t("par", lang), result.premium_at_risk)],
            formats=["text", "text", "dec3", "pct", "int", "int", "money"])
    w.note(t("reading", lang, h=result.horizon_months))
    w.section(t("sec_deciles", lang))
    w.table(result.deciles, formats={"decile": "int", "policies": "int",
                                     "mean_probability": "pct", "expected_lapses": "dec1",
                                     "premium": "money", "premium_at_risk": "money"})
    w.section(t("sec_segments", lang))
    seg = result.segments.copy()
    seg["segment"] = [ctx.label(s) for s in seg["segment"]]
    w.table(seg, labels={"level": t("segment_value", lang)},
            formats={"segment": "text", "level": "text", "policies": "int",
                     "mean_probability": "pct", "premium": "money", "premium_at_risk": "money"})
    cal = v.metrics[v.chosen].calibration[["decile", "predicted", "observed"]].rename(
        columns={"observed": "observed_col"})
    w.chart_over_table(
        t("sec_calibration", lang), cal,
        lambda ref: charts.category_line_chart(
            ref, "decile", ["predicted", "observed_col"], title=t("chart_calibration", lang),
            x_title=t("axis_decile", lang), y_title=t("axis_probability", lang)),
        labels={"decile": t("axis_decile", lang), "predicted": t("predicted", lang),
                "observed_col": t("observed_col", lang)},
        formats={"decile": "int", "predicted": "pct", "observed_col": "pct"})
    gain = pd.DataFrame({"percent": v.metrics[v.chosen].gain["percent"]})
    for name in (v.chosen, "baseline"):
        gain[name] = v.metrics[name].gain["captured"].to_numpy()
    gain["random"] = gain["percent"] / 100.0
    series = [v.chosen, "baseline", "random"]
    w.chart_over_table(
        t("sec_gain", lang), gain,
        lambda ref: charts.curve_chart(
            ref, "percent", series, title=t("chart_gain", lang),
            x_title=t("axis_contacted", lang), y_title=t("axis_captured", lang), y_min=0.0,
            y_max=1.0, x_max=100.0),
        labels={"percent": t("axis_contacted", lang), **{s: t(s, lang) for s in series}},
        formats={"percent": "int", **{s: "pct" for s in series}})
