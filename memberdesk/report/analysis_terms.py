"""The report's words for what the analyses return: reasons through the one reason catalogue
(:mod:`memberdesk.core.reasons`), coded values (channels, statuses, benefits, tiers …) through
the one label catalogue (:mod:`memberdesk.core.labels`), and the few English words in results
(the "All" / "Total" rows, parametric model names, the benefit-retention time origins, the
rolling-window period labels) in Chinese, so no English is left in a Chinese sheet. Unknown
values are shown unchanged.
"""
from __future__ import annotations

import re
from typing import Any

from memberdesk.core import labels
from memberdesk.core.reasons import CATALOGUE, Reason, reason_text

MODEL_NAMES_ZH: dict[str, str] = {
    "exponential": "指数分布", "weibull": "威布尔分布", "lognormal": "对数正态分布",
    "loglogistic": "对数逻辑分布",
}
SEGMENT_WORDS_ZH: dict[str, str] = {
    "All": "全部", "all": "全部", "Total": "合计", "issue": "生效日", "landmark": "界标时点",
    "(missing)": "（缺失）",
}
# analysis.persistency labels a rolling window "12m to 2020-06" (the 12 months ending 2020-06)
_ROLLING = re.compile(r"12m to (\d{4}-\d{2})")
# abbreviations an actuary writes and a manager reading the workbook without the app may not
# know, spelled out in both languages (the Chinese catalogue, too, writes Kaplan-Meier生存曲线).
# The metric catalogue spells its own out; this catches any text that still abbreviates.
SPELLED_OUT: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![A-Za-z])KM(?![A-Za-z])"), "Kaplan-Meier"),
)


def reason(value: Reason | str | None, lang: str) -> str:
    """A reason from an analysis in ``lang``, from the one catalogue
    (:mod:`memberdesk.core.reasons`); a plain string (an error message) unchanged."""
    return reason_text(value, lang)


def note(value: Any, lang: str) -> str:
    """A remark carried as a code with parameters (e.g. ``CoxResult.reasons``: ``code`` and
    ``params``) in ``lang`` through the reason catalogue; anything else as its text."""
    code = getattr(value, "code", None)
    if isinstance(code, str) and code in CATALOGUE:
        return Reason(code, **dict(getattr(value, "params", ()))).text(lang)
    return str(getattr(value, "text", value))


def model_name(model: str, label: str, lang: str) -> str:
    """A parametric model's display name (``label`` from the analysis in English)."""
    return MODEL_NAMES_ZH.get(model, label) if lang == "zh_CN" else label


def period_label(value: str, lang: str) -> str:
    """A reported period in ``lang``: "12m to 2020-06" -> 滚动12个月（至2020-06）; months,
    quarters and years unchanged."""
    if lang == "zh_CN":
        m = _ROLLING.fullmatch(value)
        if m:
            return f"滚动12个月（至{m.group(1)}）"
    return value


def spelled_out(text: str) -> str:
    """``text`` with the abbreviations of :data:`SPELLED_OUT` written in full ("KM survival" ->
    "Kaplan-Meier survival", "KM生存率" -> "Kaplan-Meier生存率"); letters inside a longer
    Latin word ("KMS") are left alone."""
    for pattern, full in SPELLED_OUT:
        text = pattern.sub(full, text)
    return text


def word(value: Any, lang: str) -> Any:
    """A value in a Chinese cell: "All", "Total", "issue"…, rolling periods, and the coded
    values of the label catalogue (``bancassurance`` -> 银保); anything else unchanged."""
    if lang == "zh_CN" and isinstance(value, str):
        if value in SEGMENT_WORDS_ZH:
            return SEGMENT_WORDS_ZH[value]
        shown = period_label(value, lang)
        if shown != value:
            return shown
        column, sep, level = value.partition(" = ")  # a segment: "channel = online"
        if sep and labels.has_column_label(column):
            return f"{labels.column_label(column, lang)} = {labels.value_label(level, lang)}"
        return labels.value_label(value, lang)
    return value
