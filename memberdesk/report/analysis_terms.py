"""Chinese for the few English words the analyses put into their results.

The analyses speak English in their reasons and labels (KPI "why empty" notes, the "All" /
"Total" rows, parametric model names, the benefit-retention time origins); the Chinese report
translates them here, from the analysis constants, so no English is left in a Chinese sheet.
Unknown text is shown unchanged.
"""
from __future__ import annotations

from memberdesk.analysis.kpis import EMPTY_REASONS

# KPI id -> Chinese for kpis.EMPTY_REASONS[id].
_EMPTY_REASONS_ZH: dict[str, str] = {
    "lapse_rate_annualised": "统计截止日前12个月内无有效保单暴露",
    "median_policy_lifetime_months": "中位数未达到：各时长仍有过半保单有效",
    "benefit_usage_rate": "统计日无有效会员",
    "bot_replacement_rate": "统计截止日前12个月内无服务记录",
    "human_connection_rate": "统计截止日前12个月内无人工排队服务",
    "csat": "统计截止日前12个月内无满意度评价",
    "median_claim_settlement_days": "统计截止日前12个月内无报案理赔，或结案不足半数",
    "persistency_13": "统计截止日前12个月内无保单届满第13个保单月",
    "persistency_25": "统计截止日前12个月内无保单届满第25个保单月",
}

# Other reasons the KPI, service and claims analyses give, English -> Chinese.
_REASONS_ZH: dict[str, str] = {
    "no data at the as-of date": "统计日无数据",
    "no policies loaded": "未加载保单数据",
    "policies have no issue dates (generic survival table)": "保单无生效日期（通用生存表）",
    "policies have no annual_premium column": "保单数据无年化保费（annual_premium）字段",
    "annual_premium is empty on every policy": "所有保单的年化保费均为空",
    "policies have no member_id column": "保单数据无会员编号（member_id）字段",
    "no benefit usage loaded": "未加载权益使用数据",
    "member ids are needed on policies and benefit usage": "保单和权益使用数据都需要会员编号",
    "no claims loaded": "未加载理赔数据",
    "no claims up to the as-of date": "统计日前无理赔",
    "claims need reported_at and settled_at columns": "理赔数据需要报案日期和结案日期字段",
    "not available": "暂不可用",
    "no service contacts loaded": "未加载服务记录",
    "no service contacts up to the as-of date": "统计日前无服务记录",
    **{EMPTY_REASONS[k]: v for k, v in _EMPTY_REASONS_ZH.items() if k in EMPTY_REASONS},
}

MODEL_NAMES_ZH: dict[str, str] = {
    "exponential": "指数分布", "weibull": "威布尔分布", "lognormal": "对数正态分布",
    "loglogistic": "对数逻辑分布",
}
SEGMENT_WORDS_ZH: dict[str, str] = {
    "All": "全部", "all": "全部", "Total": "合计", "issue": "生效日", "landmark": "界标时点",
}


def reason(text: str | None, lang: str) -> str | None:
    """A reason from an analysis, in ``lang`` (unknown text unchanged)."""
    if text is None or lang != "zh_CN":
        return text
    if text.startswith("service contacts have no ") and text.endswith(" column"):
        return f"服务记录无 {text[len('service contacts have no '):-len(' column')]} 字段"
    return _REASONS_ZH.get(text, text)


def model_name(model: str, label: str, lang: str) -> str:
    """A parametric model's display name (``label`` from the analysis in English)."""
    return MODEL_NAMES_ZH.get(model, label) if lang == "zh_CN" else label


def word(value: object, lang: str) -> object:
    """"All", "Total", "issue"... in ``lang``; any other value unchanged."""
    if lang == "zh_CN" and isinstance(value, str):
        return SEGMENT_WORDS_ZH.get(value, value)
    return value
