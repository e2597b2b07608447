"""Alerts sheet (issue 17 B): the segment names its column by its label in both editions —
"Product = 百万医疗", "渠道 = 互联网" — not the column id ("product = 百万医疗" in English)."""
from __future__ import annotations

from types import SimpleNamespace

from memberdesk.report.sheets_alerts import alert_frame


def _alert(column: str, value: str) -> SimpleNamespace:
    return SimpleNamespace(level="alarm", status="new", metric="persistency_13_count",
                           column=column, segment_value=value, value=0.8, expected=0.88,
                           lower=None, upper=None, n=274, since="2025-12", method="cusum")


def test_segment_reads_the_column_label() -> None:
    result = SimpleNamespace(alerts=[_alert("product", "百万医疗"), _alert("channel", "online"),
                                     _alert("tier", "standard")])
    assert list(alert_frame(result, "en")["segment"]) == [  # type: ignore[arg-type]
        "Product = 百万医疗", "Channel = online", "Tier = standard"]
    assert list(alert_frame(result, "zh_CN")["segment"]) == [  # type: ignore[arg-type]
        "产品 = 百万医疗", "渠道 = 互联网", "会员等级 = 普通会员"]
