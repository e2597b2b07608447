"""The tidy long sheet in the reader's language (#17 B.10): the Chinese edition showed the ids
``channel``, ``calendar_year`` and ``bancassurance`` beside a translated 全部. The metric id stays
(stable for pivots, the key of the Definitions sheet) with its name beside it.
Truth: the words of the label catalogue and the metric dictionary, written out here."""
from __future__ import annotations

import pandas as pd

from memberdesk.report.sheet_long import shown_frame


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "period": [2020, 2021, 1], "period_kind": ["calendar_year", "calendar_year", "policy_year"],
        "dimension": ["All", "channel", "channel"], "segment": ["All", "bancassurance", "agency"],
        "metric": ["persistency_13", "persistency_25_count", "termination_rate"],
        "value": [0.9, 0.8, 0.1], "numerator": [9.0, 8.0, 1.0], "denominator": [10.0, 10.0, 10.0]})


def test_chinese_long_sheet_words() -> None:
    out = shown_frame(_frame(), "zh_CN")
    assert out["period_kind"].tolist() == ["日历年度", "日历年度", "保单年度"]
    assert out["dimension"].tolist() == ["全部", "渠道", "渠道"]
    assert out["segment"].tolist() == ["全部", "银保", "个险代理人"]
    assert out["metric"].tolist() == ["persistency_13", "persistency_25_count", "termination_rate"]
    assert out["metric_name"].tolist() == ["13个月保费继续率", "25个月件数继续率", "实际发生率"]
    # the numbers untouched
    assert out[["value", "numerator", "denominator"]].equals(_frame()[["value", "numerator", "denominator"]])


def test_english_long_sheet_keeps_ids_and_names_the_metric() -> None:
    out = shown_frame(_frame(), "en")
    assert out["dimension"].tolist() == ["All", "channel", "channel"]
    assert list(out.columns[4:6]) == ["metric", "metric_name"]
    assert out["metric_name"].tolist() == ["13-month persistency (premium)",
                                           "25-month persistency (policies)", "Termination rate"]
