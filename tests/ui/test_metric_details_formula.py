"""The metric details panel shows the formula in the UI language."""
from __future__ import annotations

from memberdesk.analysis.metrics import get_metric
from memberdesk.ui.pages.metric_details import MetricDetails


def test_formula_follows_the_language(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = MetricDetails()
    qtbot.addWidget(panel)
    metric = get_metric("in_force_members")
    panel.show_metric("in_force_members", "zh_CN")
    assert metric.formula_zh in panel.text.text()
    panel.show_metric("in_force_members", "en")
    assert metric.formula in panel.text.text()


def test_count_unit_is_the_measure_word(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Issue 17 B.10 on screen as in the workbook: members are counted in 人, policies in 件
    (the registry's generic 个 read as "items")."""
    panel = MetricDetails()
    qtbot.addWidget(panel)
    panel.show_metric("in_force_members", "zh_CN")
    assert "人 ·" in panel.text.text() and "个 ·" not in panel.text.text()
    panel.show_metric("in_force_policies", "zh_CN")
    assert "件 ·" in panel.text.text() and "个 ·" not in panel.text.text()
    panel.show_metric("in_force_policies", "en")
    assert "count ·" in panel.text.text()
