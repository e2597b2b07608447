"""The Retention list page: validation panel, a paged/sortable/filterable list over a
QAbstractTableModel, export with the personal-data choice; the Drivers page links to it."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest.importorskip("pytestqt")

from memberdesk.core.dataset import Dataset  # noqa: E402


@pytest.fixture
def page(qtbot, dataset: Dataset):  # type: ignore[no-untyped-def]
    from memberdesk.ui.pages import page_factory
    from memberdesk.ui.worker import wait_for_pool

    widget = page_factory("retention_list")(None)
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.set_dataset(dataset)
    widget.refresh()
    qtbot.waitUntil(lambda: not widget.is_busy, timeout=180_000)
    yield widget
    assert wait_for_pool(20_000)


def test_page_presents_the_scoring_result(page) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from memberdesk.ui.pages.retention_list import PAGE_SIZE

    assert page.message_text() == ""
    res = page.result
    assert res.horizon_months == 12 and res.validation is not None
    # the validation panel: one row per model, figures from the result itself
    m = page.metrics_model
    assert m.rowCount() == 3
    assert "scored" in page.validation_label.text()
    # the list: every in-force policy, a page at a time, ranked by probability
    lm = page.list_model
    assert lm.n_rows == len(res.scores) and lm.rowCount() == min(PAGE_SIZE, lm.n_rows)
    assert lm.n_pages == -(-lm.n_rows // PAGE_SIZE)
    prob = lm.columns.index("probability")
    first = [lm.data(lm.index(r, prob), 256) for r in range(5)]   # Qt.UserRole = raw value
    assert first == sorted(first, reverse=True)
    assert lm.data(lm.index(0, prob)).endswith("%")
    # the page presents the analysis' own figures: the table's AUC cells are the result's
    auc = list(m.frame().columns).index("auc")
    values = [m.data(m.index(r, auc), Qt.ItemDataRole.UserRole) for r in range(3)]
    assert values == pytest.approx([res.validation.metrics[k].auc
                                    for k in ("cox", "gbm", "baseline")])


def test_sort_filter_and_pages(page) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    lm = page.list_model
    res = page.result
    par = lm.columns.index("premium_at_risk")
    lm.sort(par, Qt.SortOrder.DescendingOrder)
    assert lm.data(lm.index(0, par), 256) == pytest.approx(res.scores["premium_at_risk"].max())
    online = page.channel_filter.findData("online")
    page.channel_filter.setCurrentIndex(online)
    ch = lm.columns.index("channel")
    assert lm.n_rows == int((res.scores["channel"] == "online").sum())
    assert {lm.data(lm.index(r, ch)) for r in range(lm.rowCount())} == {"online"}
    page.next_button.click()
    assert lm.page == 1 and lm.headerData(0, Qt.Orientation.Vertical) == str(lm.page_size + 1)
    page.channel_filter.setCurrentIndex(0)
    target = str(res.scores["policy_id"].iloc[123])
    lm.set_search(target)
    assert target in {str(lm.data(lm.index(r, lm.columns.index("policy_id"))))
                      for r in range(lm.rowCount())}


def test_export_with_and_without_personal_data(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.decile_filter.setCurrentIndex(page.decile_filter.findData(1))
    plain = page.export_list(str(tmp_path / "top.csv"), include_personal=False)
    frame = pd.read_csv(plain, encoding="utf-8-sig")
    assert len(frame) == page.list_model.n_rows and (frame["decile"] == 1).all()
    assert not {"member_id", "name", "birth_date"} & set(frame.columns)
    personal = page.export_list(str(tmp_path / "top_personal.csv"), include_personal=True)
    with_ids = pd.read_csv(personal, encoding="utf-8-sig")
    assert "member_id" in with_ids.columns and with_ids["member_id"].notna().all()
    np.testing.assert_array_equal(with_ids["policy_id"], frame["policy_id"])


def test_drivers_page_links_to_the_retention_list(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMainWindow

    from memberdesk.ui.pages import page_factory

    class Window(QMainWindow):
        shown: list[str] = []

        def show_page(self, page_id: str) -> None:
            self.shown.append(page_id)

    window = Window()
    qtbot.addWidget(window)
    drivers = page_factory("drivers")(None)
    window.setCentralWidget(drivers)
    drivers.retention_list_button.click()
    assert window.shown == ["retention_list"]


def test_call_list_model_pages_a_million_rows(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A million scores: Qt sees one page (500 rows); sorting and filtering permute an index."""
    from PySide6.QtCore import Qt

    from memberdesk.ui.pages.retention_list import PAGE_SIZE, CallListModel

    n = 1_000_000
    rng = np.random.default_rng(0)
    prob = np.sort(rng.uniform(0, 0.5, n))[::-1]
    scores = pd.DataFrame({
        "rank": np.arange(1, n + 1), "policy_id": [f"P{i:07d}" for i in range(n)],
        "product": rng.choice(["term", "medical"], n), "channel": rng.choice(["online", "agency"], n),
        "probability": prob, "premium_at_risk": prob * rng.uniform(100, 5000, n),
        "decile": np.arange(n) * 10 // n + 1,
        "reason_1": pd.Categorical.from_codes(rng.integers(-1, 2, n), ["channel=online", "uses_3m"]),
        "reason_2": pd.Categorical.from_codes(np.full(n, -1), ["x"]),
        "reason_3": pd.Categorical.from_codes(np.full(n, -1), ["x"])})
    model = CallListModel()
    model.set_scores(scores)
    assert model.rowCount() == PAGE_SIZE and model.n_pages == n // PAGE_SIZE
    par = model.columns.index("premium_at_risk")
    model.sort(par, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, par), Qt.ItemDataRole.UserRole) == scores["premium_at_risk"].max()
    model.set_filter("channel", "agency")
    assert model.n_rows == int((scores["channel"] == "agency").sum())
    model.set_page(model.n_pages - 1)
    last = model.rowCount()
    assert 0 < last <= PAGE_SIZE and model.page == model.n_pages - 1
    values = [model.data(model.index(r, par), Qt.ItemDataRole.UserRole) for r in range(last)]
    assert values == sorted(values, reverse=True)
