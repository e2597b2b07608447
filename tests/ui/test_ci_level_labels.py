"""The CI level set in the Assumptions dialog reaches every label that names it (issue 17
C.17): at 90% the Retention, Drivers and Experience pages and the KM chart's hover and footnote
say 90%, in English and in Chinese, and nothing on them still says 95%."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt

from memberdesk.core.assumptions import Assumptions
from memberdesk.core.labels import ci_level_text, with_ci_level
from memberdesk.ui.charts.km import ChartCurve, KMChart


@pytest.fixture(scope="module")
def ds90() -> Any:
    from memberdesk.core.loader import load_dataset

    sample = Path(__file__).resolve().parents[2] / "sample_data"
    return load_dataset([str(sample)]).with_assumptions(replace(Assumptions(), ci_level=0.90))


def _headers(model: Any) -> list[str]:
    return [str(model.headerData(c, Qt.Orientation.Horizontal))
            for c in range(model.columnCount())]


def test_level_text() -> None:
    assert ci_level_text(0.9) == "90%" and ci_level_text(0.975) == "97.5%"
    assert ci_level_text(0.95) == "95%" and ci_level_text(0.99) == "99%"
    assert with_ci_level("Median 95% CI lower (months)", 0.9) == "Median 90% CI lower (months)"
    assert with_ci_level("中位数95%置信下限（月）", 0.99) == "中位数99%置信下限（月）"
    assert with_ci_level("95% CI lower", None) == "95% CI lower"


def test_retention_page_and_km_chart_say_90(qtbot: Any, ds90: Any) -> None:
    from memberdesk.ui.pages.retention import RetentionPage, compute_retention

    page = RetentionPage()
    qtbot.addWidget(page)
    page.resize(1400, 900)
    view = compute_retention(ds90, "channel", "months", 3.0)
    assert view.km.curves[0].alpha == pytest.approx(0.10)  # the analysis used the level
    page.show_result(view)
    at = _headers(page.at_model)
    assert "90% CI lower" in at and "90% CI upper" in at
    medians = _headers(page.median_model)
    assert "Median 90% CI lower (months)" in medians
    assert not any("95%" in h for h in at + medians)
    page.chart.show_hover(24.0)
    hover = page.chart.hover.textItem.toPlainText()
    assert "(90% CI " in hover and "95%" not in hover


def _small_curve(alpha: float) -> ChartCurve:
    t = np.arange(1.0, 11.0)
    s = np.linspace(0.95, 0.5, 10)
    return ChartCurve(name="small", timeline=t, survival=s, ci_lower=s - 0.1, ci_upper=s + 0.03,
                      at_risk=np.arange(10, 0, -1), censored=np.zeros(10), alpha=alpha)


def test_km_chart_footnote_follows_the_curves_level(qtbot: Any) -> None:
    chart = KMChart()
    qtbot.addWidget(chart)
    chart.set_curves([_small_curve(0.10)])
    assert "No 90% CI band" in chart.footnote.text
    chart.set_curves([_small_curve(0.05)])
    assert "No 95% CI band" in chart.footnote.text


def test_retention_in_chinese_says_90(qtbot: Any, ds90: Any, zh_cn: Any) -> None:
    from memberdesk.ui import i18n
    from memberdesk.ui.pages.retention import RetentionPage, compute_retention

    i18n.set_ui_language("zh_CN")
    try:
        page = RetentionPage()
        qtbot.addWidget(page)
        page.show_result(compute_retention(ds90, "channel", "months", 3.0))
        at = _headers(page.at_model)
        assert "90%置信下限" in at and "90%置信上限" in at and not any("95%" in h for h in at)
        page.chart.show_hover(24.0)
        hover = page.chart.hover.textItem.toPlainText()
        assert "90% 置信区间" in hover and "95%" not in hover
    finally:
        i18n.set_ui_language("en")


def test_drivers_page_says_90(show_page: Any, ds90: Any) -> None:
    page = show_page("drivers", ds90)
    assert page.result is not None
    headers = _headers(page.model)
    assert "90% CI lower" in headers and "90% CI upper" in headers, headers
    assert not any("95%" in h for h in headers)
    assert "90% confidence intervals" in page.subtitle.text()
    assert "95%" not in page.subtitle.text()


def test_experience_page_says_90(show_page: Any, ds90: Any) -> None:
    page = show_page("experience", ds90)
    assert page.result is not None and page.result.conf_level == pytest.approx(0.90)
    assert "(90% CI)" in page.panel.title() and "95%" not in page.panel.title()
    headers = _headers(page.model)
    assert any("90% CI" in h for h in headers), headers
    assert not any("95%" in h for h in headers)
