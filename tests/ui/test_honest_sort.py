"""A table's sort arrow tells the truth (issue 17 C: the desktop never misleads). Qt showed an
ascending arrow on the first column of every result table while the rows came in the result's
own order (Projection "Model ▲" over Exponential, Weibull, Log-normal, Log-logistic), and a
new result came in its own order under the arrow the user had set."""
from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt

from memberdesk.ui.pages.base import fill_table, make_table


def _column(model, c: int) -> list[object]:  # type: ignore[no-untyped-def]
    return [model.raw(r, c) for r in range(model.rowCount())]


def test_no_arrow_over_rows_in_their_own_order(qtbot) -> None:  # type: ignore[no-untyped-def]
    view, model = make_table()
    qtbot.addWidget(view)
    fill_table(view, model, pd.DataFrame({"model": ["Exponential", "Weibull", "Log-normal"],
                                          "aic": [16436.0, 16341.0, 16413.0]}))
    assert view.horizontalHeader().sortIndicatorSection() == -1  # no claim of a sort
    assert _column(model, 0) == ["Exponential", "Weibull", "Log-normal"]  # the result's order


def test_a_new_result_is_sorted_like_the_arrow_says(qtbot) -> None:  # type: ignore[no-untyped-def]
    view, model = make_table()
    qtbot.addWidget(view)
    fill_table(view, model, pd.DataFrame({"group": ["a", "b", "c"], "n": [2, 3, 1]}))
    view.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # the user clicks "n" twice
    assert _column(model, 1) == [3, 2, 1]
    fill_table(view, model, pd.DataFrame({"group": ["x", "y", "z", "w"], "n": [5, 9, 7, 1]}))
    header = view.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == \
        (1, Qt.SortOrder.DescendingOrder)
    assert _column(model, 1) == [9, 7, 5, 1] and _column(model, 0) == ["y", "z", "x", "w"]
    # a result without that column: the arrow goes, the rows keep their order
    fill_table(view, model, pd.DataFrame({"only": np.array([3, 1, 2])}))
    assert header.sortIndicatorSection() == -1 and _column(model, 0) == [3, 1, 2]


def test_call_list_keeps_its_sort_for_new_scores(qtbot) -> None:  # type: ignore[no-untyped-def]
    from memberdesk.ui.pages.retention_list import CallListModel

    model = CallListModel()
    scores = pd.DataFrame({"rank": [1, 2, 3], "policy_id": ["P1", "P2", "P3"],
                           "premium_at_risk": [10.0, 30.0, 20.0]})
    model.set_scores(scores)
    col = model.columns.index("premium_at_risk")
    model.sort(col, Qt.SortOrder.DescendingOrder)
    model.set_scores(scores.assign(premium_at_risk=[5.0, 1.0, 8.0]))  # e.g. another horizon
    ids = [model.data(model.index(r, model.columns.index("policy_id"))) for r in range(3)]
    assert ids == ["P3", "P1", "P2"]


def test_a_segment_combo_filled_by_the_data_is_wide_enough(qtbot, sample_data, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A segment combo sized before the data came was squeezed by the controls row and cut
    "Premium band" to "Premium ba" (Retention by premium band from a workspace, 1400×900)."""
    import json

    from memberdesk.ui.app import wait_until_idle
    from memberdesk.ui.settings import AppSettings
    from memberdesk.ui.shell.main_window import MainWindow

    workspace = tmp_path / "w.mdesk"
    workspace.write_text(json.dumps({
        "schema_version": 3, "sources": [{"path": str(sample_data), "relative": None}],
        "mappings": [], "filters": {}, "as_of": None, "page": "retention",
        "page_state": {"retention": {"segment": "premium_band"}}}), encoding="utf-8")
    window = MainWindow(AppSettings())
    window.ask_before_close = False
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    window.open_workspace(str(workspace))
    assert wait_until_idle(window, 60)
    box = window.show_page("retention").segment
    assert wait_until_idle(window, 60)
    assert box.currentText() == "Premium band"
    # the text, the arrow and the frame fit (94 px for an 87 px text before)
    assert box.width() >= box.fontMetrics().horizontalAdvance("Premium band") + 40
