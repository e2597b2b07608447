"""The report's words for what the analyses return: reasons through the one reason catalogue
(:mod:`memberdesk.core.reasons`), and the few English values in results (the "All" / "Total"
rows, parametric model names, the benefit-retention time origins) in Chinese, so no English is
left in a Chinese sheet. Unknown values are shown unchanged.
"""
from __future__ import annotations

from typing import Any

from memberdesk.core.reasons import Reason, reason_text

MODEL_NAMES_ZH: dict[str, str] = {
    "exponential": "指数分布", "weibull": "威布尔分布", "lognormal": "对数正态分布",
    "loglogistic": "对数逻辑分布",
}
SEGMENT_WORDS_ZH: dict[str, str] = {
    "All": "全部", "all": "全部", "Total": "合计", "issue": "生效日", "landmark": "界标时点",
}


def reason(value: Reason | str | None, lang: str) -> str:
    """A reason from an analysis in ``lang``, from the one catalogue
    (:mod:`memberdesk.core.reasons`); a plain string (an error message) unchanged."""
    return reason_text(value, lang)


def model_name(model: str, label: str, lang: str) -> str:
    """A parametric model's display name (``label`` from the analysis in English)."""
    return MODEL_NAMES_ZH.get(model, label) if lang == "zh_CN" else label


def word(value: Any, lang: str) -> Any:
    """"All", "Total", "issue"... in ``lang``; any other value unchanged."""
    if lang == "zh_CN" and isinstance(value, str):
        return SEGMENT_WORDS_ZH.get(value, value)
    return value
