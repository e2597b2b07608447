"""The Dictionary page: lineage graph both ways, greyed metrics the data cannot compute, and
the impact view after a reload with another data model."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402

from .conftest import book_dataset, rich_book  # noqa: E402

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, qapp):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication, QSettings

    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(tmp_path))
    QCoreApplication.setOrganizationName("MemberDeskTests")
    yield
    from memberdesk.ui.worker import wait_for_pool

    assert wait_for_pool(20_000)


def _row(page, metric_id: str) -> int:  # type: ignore[no-untyped-def]
    return [str(page.model.raw(r, 0)) for r in range(page.model.rowCount())].index(metric_id)


def test_graph_greying_and_impact(qtbot) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.ui.pages import page_factory

    book = rich_book(n_members=300, seed=3)
    page = page_factory("dictionary")(None)
    qtbot.addWidget(page)
    policies_only = {"policies": book["policies"], "members": book["members"]}
    page.set_dataset(book_dataset(policies_only))
    page.refresh()
    qtbot.waitUntil(lambda: not page.is_busy and page.model.rowCount() > 0, timeout=30_000)
    # greyed: service metrics without contacts; not greyed: policy metrics
    csat = page.model.index(_row(page, "csat"), 1)
    assert page.model.data(csat, Qt.ItemDataRole.ForegroundRole) is not None
    assert "service" in page.model.data(csat, Qt.ItemDataRole.ToolTipRole).lower()
    persistency = page.model.index(_row(page, "in_force_policies"), 1)
    assert page.model.data(persistency, Qt.ItemDataRole.ForegroundRole) is None
    # persistency without claims: computable (no paid-claim exclusion), so not greyed
    persistency = page.model.index(_row(page, "persistency_13"), 1)
    assert page.model.data(persistency, Qt.ItemDataRole.ForegroundRole) is None
    # forward graph of the selected metric; reverse graph of a column
    page._select(_row(page, "persistency_13"))
    ids = set(page.graph.data_frame()["id"])
    assert {"metric:persistency_13", "policies.end_date", "claims.status", "page:cockpit"} <= ids
    page.column_box.setCurrentIndex(page.column_box.findData("claims.status"))
    ids = set(page.graph.data_frame()["id"])
    assert "metric:persistency_13" in ids and "metric:csat" not in ids
    # a reload without end_date: the impact view lists the disabled alert metrics
    changed = dict(book)
    changed["policies"] = book["policies"].drop(columns=["end_date"])
    page.set_dataset(book_dataset(changed))
    assert page.impact_button.isEnabled()
    page.run_impact()
    qtbot.waitUntil(lambda: page.impact is not None, timeout=60_000)
    frame = page.impact_model.frame().set_index("metric")
    assert frame.loc["free_look_cancellation_rate", "status"] == "disabled"
    assert "end_date" in page.impact_note.text()
