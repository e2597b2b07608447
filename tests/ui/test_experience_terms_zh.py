"""The Experience page names its rate as the metric dictionary and the workbook do (实际发生率),
not 终止率 beside a report that says 实际发生率 for the same figure."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from memberdesk.analysis.metric_definitions import METRICS


def test_the_page_calls_the_rate_by_its_dictionary_name(zh_cn: list[str]) -> None:
    name = METRICS["termination_rate"].name_zh
    assert QCoreApplication.translate("ExperiencePage", "Termination rate") == name
    title = QCoreApplication.translate(
        "ExperiencePage", "Termination rate by policy year (95% CI) — load an expected table for A/E")
    assert name in title and "终止率" not in title
    total = QCoreApplication.translate(
        "ExperiencePage", "Total: exposure {e:,.2f} policy-years, actual {a:,.0f}, rate {r:.2%}{ae}")
    assert name in total
