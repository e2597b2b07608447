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
