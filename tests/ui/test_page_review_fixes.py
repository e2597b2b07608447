"""Fixes found by looking at every page in both languages: model names on the projection
page, readable table names in the status bar, every covariate label translated."""
from __future__ import annotations

import re

from PySide6.QtCore import Qt

from memberdesk.ui.i18n import column_label, table_label

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_english_table_names_have_no_underscores() -> None:
    assert table_label("benefit_usage") == "benefit usage"
    assert table_label("service_contacts") == "service contacts"


def test_numeric_covariates_have_chinese_labels(zh_cn) -> None:
    from memberdesk.ui.pages.drivers import NUMERIC_CANDIDATES

    for col in NUMERIC_CANDIDATES:
        assert HAN.search(column_label(col)), col
    assert table_label("benefit_usage") == "权益使用"


def test_projection_table_names_models_in_chinese(qtbot, sample_data, zh_cn) -> None:
    from memberdesk.core.loader import load_dataset
    from memberdesk.ui.pages import page_factory

    ds = load_dataset([str(sample_data)])
    page = page_factory("projection")(None)
    qtbot.addWidget(page)
    page.set_dataset(ds)
    page.refresh()
    qtbot.waitUntil(lambda: not page.is_busy, timeout=60_000)
    model = page.model
    cols = list(model.frame().columns)
    assert "label" not in cols  # one name column
    c = cols.index("model")
    ids = [model.data(model.index(r, c), Qt.ItemDataRole.UserRole) for r in range(model.rowCount())]
    shown = [model.data(model.index(r, c)) for r in range(model.rowCount())]
    assert "weibull" in ids and shown[ids.index("weibull")] == "威布尔分布"
    assert all(HAN.search(s) for s in shown), shown
    best = page.result.best_model
    title = page.panel._title.text()
    assert best not in title and shown[ids.index(best)] in title, title
