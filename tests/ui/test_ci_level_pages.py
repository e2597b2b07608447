"""The CI level chosen in the Assumptions dialog reaches the pages beyond Retention, Drivers and
Experience (issue 17 C.17), through the path the dialog uses (``MainWindow.set_assumptions``):
at 90% every table header, chart footnote and metric definition naming a level says 90% (English
and Chinese), and the intervals shown are computed at 90% — checked against a computation of
our own: lifelines' Kaplan-Meier at alpha = 0.10 for the claims curve, the Wald interval
exp(b ± z·se) at z = Φ⁻¹(0.95) for the benefits hazard ratio."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from memberdesk.core.assumptions import Assumptions
from memberdesk.ui import i18n, table_model
from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.main_window import MainWindow

Z_975 = 1.959963984540054  # Φ⁻¹(0.975): half-width of a 95% Wald interval in standard errors
Z_95 = 1.6448536269514722  # Φ⁻¹(0.95): the same at 90%


@pytest.fixture(autouse=True)
def _level_restored() -> Any:
    yield
    table_model.set_ci_level(None, refresh=False)  # no later test reads this module's level


def _window(qtbot: Any, sample_data: Path, lang: str = "en", *,
            register: bool = True) -> MainWindow:
    window = MainWindow(AppSettings(), lang=lang)
    window.ask_before_close = False
    if register:  # closed by qtbot after the test
        qtbot.addWidget(window)
    window.resize(1500, 950)
    window.show()
    with qtbot.waitSignal(window.loaded, timeout=30_000):
        window.open_paths([str(sample_data)], user_action=False)
    window.set_assumptions(Assumptions(ci_level=0.90))  # what the dialog's OK does
    return window


def _page(qtbot: Any, window: MainWindow, page_id: str) -> Any:
    page = window.show_page(page_id)
    qtbot.waitUntil(lambda: not page.is_busy and page.result is not None, timeout=60_000)
    return page


def _headers(model: Any) -> list[str]:
    return [str(model.headerData(c, Qt.Orientation.Horizontal))
            for c in range(model.columnCount())]


def _benefits_hr_at_90(page: Any, window: MainWindow) -> None:
    """The page's landmark HR interval is exp(b ± 1.645·se), se read off the 95% interval of the
    same fit (the analysis at alpha = 0.05, itself checked against lifelines elsewhere)."""
    from memberdesk.analysis.benefits import benefit_retention

    shown = page.result.retention.comparison.set_index("analysis").loc["landmark"]
    at95 = benefit_retention(window.dataset, landmark_months=12.0, alpha=0.05).comparison
    row = at95.set_index("analysis").loc["landmark"]
    b = math.log(row["hazard_ratio"])
    se = (math.log(row["hr_ci_upper"]) - math.log(row["hr_ci_lower"])) / (2 * Z_975)
    assert shown["hazard_ratio"] == pytest.approx(row["hazard_ratio"], rel=1e-9)
    assert shown["hr_ci_lower"] == pytest.approx(math.exp(b - Z_95 * se), rel=1e-6)
    assert shown["hr_ci_upper"] == pytest.approx(math.exp(b + Z_95 * se), rel=1e-6)
    assert shown["hr_ci_lower"] > row["hr_ci_lower"]  # narrower than the 95% interval


def _claims_km_at_90(page: Any, window: MainWindow) -> None:
    """The whole-book time-to-settlement curve's band equals lifelines' at alpha = 0.10 on days
    computed here by hand (settled on or before the as-of date = event; else censored then)."""
    from lifelines import KaplanMeierFitter

    claims, as_of = window.dataset.claims, window.dataset.as_of
    settled = claims["settled_at"].notna() & (claims["settled_at"] <= as_of)
    end = claims["settled_at"].where(settled, as_of)
    days = (end - claims["reported_at"]).dt.days
    ok = claims["reported_at"].notna() & (days >= 0)
    kmf = KaplanMeierFitter(alpha=0.10).fit(days[ok].to_numpy(float),
                                             settled[ok].to_numpy(int))
    curve = page.result.curves["all"]
    assert curve.alpha == pytest.approx(0.10)
    for t in (5.0, 10.0, 30.0):
        i = int(np.searchsorted(curve.timeline, t, side="right")) - 1
        band = kmf.confidence_interval_survival_function_
        ref = band[band.index <= t].iloc[-1]
        assert curve.survival[i] == pytest.approx(float(kmf.predict(t)), abs=1e-9)
        assert curve.ci_lower[i] == pytest.approx(float(ref.iloc[0]), abs=1e-6), t
        assert curve.ci_upper[i] == pytest.approx(float(ref.iloc[1]), abs=1e-6), t


def test_pages_say_and_compute_90_in_english(qtbot: Any, sample_data: Path) -> None:
    window = _window(qtbot, sample_data)
    assert table_model.ci_level() == pytest.approx(0.90)

    benefits = _page(qtbot, window, "benefits")
    headers = _headers(benefits.model)
    assert "HR 90% CI lower" in headers and "HR 90% CI upper" in headers, headers
    assert not any("95%" in h for h in headers)
    _benefits_hr_at_90(benefits, window)

    claims = _page(qtbot, window, "claims")
    assert "No 90% CI band" in claims.km.footnote.text
    assert "95%" not in claims.km.footnote.text
    _claims_km_at_90(claims, window)

    projection = _page(qtbot, window, "projection")  # the chart's data table names the level
    projection.panel.table_button.setChecked(True)
    chart_headers = _headers(projection.panel.model)
    assert "90% CI lower" in chart_headers and "90% CI upper" in chart_headers, chart_headers

    dictionary = _page(qtbot, window, "dictionary")
    texts = [str(dictionary.model.data(dictionary.model.index(r, c)))
             for r in range(dictionary.model.rowCount())
             for c in range(dictionary.model.columnCount())]
    assert any("90% CI by exponential Greenwood" in t for t in texts)
    assert not any("95% CI" in t for t in texts)
    assert dictionary.details.show_metric("km_survival", "en")
    assert "90% CI by exponential Greenwood" in dictionary.details.text.text()

    # back to the default: the headers shown follow at once, before any recomputation
    window.set_assumptions(Assumptions())
    assert "HR 95% CI lower" in _headers(benefits.model)


def test_pages_say_90_in_chinese(qtbot: Any, sample_data: Path, zh_cn: Any) -> None:
    i18n.set_ui_language("zh_CN")
    try:
        window = _window(qtbot, sample_data, "zh_CN")
        benefits = _page(qtbot, window, "benefits")
        headers = _headers(benefits.model)
        assert "风险比90%置信下限" in headers and "风险比90%置信上限" in headers, headers
        assert not any("95%" in h for h in headers)
        _benefits_hr_at_90(benefits, window)
        claims = _page(qtbot, window, "claims")
        assert "90% 置信区间带" in claims.km.footnote.text, claims.km.footnote.text
        assert "95%" not in claims.km.footnote.text
        dictionary = _page(qtbot, window, "dictionary")
        assert dictionary.details.show_metric("km_survival", "zh_CN")
        assert "90%置信区间采用指数Greenwood法" in dictionary.details.text.text()
    finally:
        i18n.set_ui_language("en")


def test_level_is_forgotten_with_its_window(qtbot: Any, sample_data: Path) -> None:
    """A table built after the window is gone names the default level again."""
    window = _window(qtbot, sample_data, register=False)
    model = table_model.DataFrameModel(pd.DataFrame({"ci_lower": [0.5]}))
    assert _headers(model) == ["90% CI lower"]
    window.close()
    window.deleteLater()
    qtbot.waitUntil(lambda: table_model.ci_level() is None, timeout=5000)
    assert _headers(model) == ["95% CI lower"]
