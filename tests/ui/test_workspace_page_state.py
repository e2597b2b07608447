"""Workspaces keep each page's choices: the base mechanism (AnalysisPage.persist/state/
restore_state) on a small page, and a save/open round trip of the main window on sample data."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit, QListWidget, QSpinBox, QWidget

from memberdesk.ui.pages.base import AnalysisPage, Task, fill_column_checklist, reset_combo
from memberdesk.ui.settings import AppSettings
from memberdesk.ui.shell.main_window import MainWindow


def count_rows(data: tuple[str, ...], segment: str | None, size: int, columns: tuple[str, ...],
               flag: bool, note: str, progress: Any = None) -> tuple[Any, ...]:
    return (segment, size, columns, flag, note)


class ToyPage(AnalysisPage):
    """A page whose segment combo and column list are filled from its data (like Retention
    and Drivers): its ``dataset`` is a tuple of column names."""

    page_id = "toy"
    required_table = None

    def title(self) -> str:
        return "Toy"

    def build_content(self, content: QWidget) -> None:
        self.tasks = 0
        self.segment = self.combo("Segment:", [("All", None)])
        self.size = QSpinBox()
        self.size.setRange(1, 100)
        self.size.setValue(3)
        self.size.valueChanged.connect(lambda _v: self.request_refresh())
        self.flag = QCheckBox("flag")
        self.flag.toggled.connect(lambda _v: self.request_refresh())
        self.note = QLineEdit()
        self.columns = QListWidget()
        self.columns.itemChanged.connect(lambda _i: self.request_refresh())
        for key, widget in (("segment", self.segment), ("size", self.size), ("flag", self.flag),
                            ("note", self.note), ("columns", self.columns)):
            self.persist(key, widget)

    def on_dataset(self, ds: Any) -> None:
        cols = list(ds or ())
        reset_combo(self.segment, [("All", None)] + [(c.upper(), c) for c in cols],
                    keep=self.segment.currentData())
        fill_column_checklist(self.columns, cols, {cols[0]} if cols else set())

    def task(self, ds: Any) -> Task:
        self.tasks += 1
        return count_rows, (ds, self.segment.currentData(), self.size.value(),
                            tuple(self.columns_ticked()), self.flag.isChecked(),
                            self.note.text()), {}

    def columns_ticked(self) -> list[str]:
        from memberdesk.ui.pages.base import checked_ids

        return checked_ids(self.columns)

    def show_result(self, result: Any) -> None:
        self.shown = result


def _toy(qtbot) -> ToyPage:
    page = ToyPage()
    qtbot.addWidget(page)
    return page


def test_values_whose_items_come_with_the_data_wait_for_them(qtbot) -> None:
    data = ("channel", "product", "region")
    page = _toy(qtbot)
    page.show()
    page.set_dataset(data)
    page.segment.setCurrentIndex(page.segment.findData("product"))
    page.size.setValue(7)
    page.flag.setChecked(True)
    page.note.setText("q4 review")
    fill_column_checklist(page.columns, data, {"product", "region"})
    qtbot.waitUntil(lambda: not page.is_busy and getattr(page, "shown", None) is not None)
    state = json.loads(json.dumps(page.state()))  # as a workspace file keeps it
    assert state == {"segment": "product", "size": 7, "flag": True, "note": "q4 review",
                     "columns": ["product", "region"]}

    other = _toy(qtbot)
    other.show()
    other.restore_state(state)  # before the data: the combo holds only "All", the list nothing
    assert other.segment.currentData() is None and other.columns.count() == 0
    assert other.size.value() == 7 and other.flag.isChecked() and other.note.text() == "q4 review"
    assert other.state() == state  # saving now must not lose the waiting choices
    assert other.tasks == 0
    other.set_dataset(data)
    assert other.segment.currentData() == "product"
    assert other.columns_ticked() == ["product", "region"]
    qtbot.waitUntil(lambda: not other.is_busy)
    assert other.tasks == 1  # one computation, with the restored choices
    assert other.shown == ("product", 7, ("product", "region"), True, "q4 review")

    # applied once: new data (a filter change) keep what the user chooses afterwards
    other.segment.setCurrentIndex(other.segment.findData("channel"))
    other.set_dataset(data + ("tier",))
    assert other.segment.currentData() == "channel"


def test_restoring_a_page_with_data_recomputes_once(qtbot) -> None:
    data = ("channel", "product")
    page = _toy(qtbot)
    page.show()
    page.set_dataset(data)
    qtbot.waitUntil(lambda: not page.is_busy)
    before = page.tasks
    page.restore_state({"segment": "channel", "size": 9, "flag": True, "columns": ["channel", "product"],
                        "unknown": 1, "note": 5})  # unknown keys and wrong kinds are ignored
    qtbot.waitUntil(lambda: not page.is_busy)
    assert page.tasks == before + 1
    assert page.shown == ("channel", 9, ("channel", "product"), True, "")
    # a value the controls cannot take waits for new data and is dropped if still unknown
    page.restore_state({"segment": "nowhere"})
    page.set_dataset(data)
    assert page.segment.currentData() == "channel"


def _window(qtbot) -> MainWindow:
    window = MainWindow(AppSettings())
    window.ask_before_close = False
    qtbot.addWidget(window)
    window.show()
    return window


def _settled(qtbot, page: Any) -> None:
    qtbot.waitUntil(lambda: not page.is_busy and page.result is not None, timeout=30_000)


def test_workspace_round_trip_restores_page_choices(qtbot, sample_data: Path,
                                                    tmp_path: Path) -> None:
    from memberdesk.analysis.survival import km_by_segment

    window = _window(qtbot)
    with qtbot.waitSignal(window.loaded, timeout=30_000):
        window.open_paths([str(sample_data)], user_action=False)
    drivers = window.show_page("drivers")
    covariates = ["channel", "gender", "annual_premium"]
    assert set(covariates) <= {drivers.covariates.item(i).data(Qt.ItemDataRole.UserRole)
                               for i in range(drivers.covariates.count())}
    drivers.set_covariates(covariates)
    persistency = window.show_page("persistency")
    persistency.month.setCurrentIndex(persistency.month.findData(25))
    persistency.period.setCurrentIndex(persistency.period.findData("quarter"))
    retention = window.show_page("retention")  # the page shown when the workspace opens
    retention.segment.setCurrentIndex(retention.segment.findData("product"))
    path = window.save_workspace(tmp_path / "choices.mdesk")
    saved = json.loads(path.read_text(encoding="utf-8"))["page_state"]
    assert saved["retention"]["segment"] == "product"

    other = _window(qtbot)
    with qtbot.waitSignal(other.loaded, timeout=30_000):
        assert other.open_workspace(path)
    qtbot.waitUntil(lambda: other.dataset is not None, timeout=5000)
    # Retention was built (and restored) before its data arrived
    ret = other.pages["retention"]
    assert other.current_page_id() == "retention"
    assert ret.segment.currentData() == "product"
    _settled(qtbot, ret)
    expected = [c.name for c in km_by_segment(other.dataset, "product").curves]
    assert len(expected) > 2
    assert [c.name for c in ret.chart.curves] == expected
    assert ret.result.km.by == "product"

    # Drivers and Persistency are built after the data, restored from the workspace
    drv = other.show_page("drivers")
    assert sorted(drv.selected_covariates()) == sorted(covariates)
    _settled(qtbot, drv)
    assert set(drv.result.reference_levels) == {"channel", "gender"}  # the categorical ones
    assert "annual_premium" in set(drv.result.coefficients["covariate"])
    pers = other.show_page("persistency")
    assert pers.month.currentData() == 25 and pers.period.currentData() == "quarter"
    _settled(qtbot, pers)
    assert pers.result.persistency.month == 25 and pers.result.persistency.period == "quarter"


def test_dictionary_keeps_search_and_selected_metric(qtbot, show_page) -> None:
    from memberdesk.ui.pages import page_factory

    page = show_page("dictionary", None)
    qtbot.waitUntil(lambda: page.model.rowCount() > 2, timeout=10_000)
    page.search.setText("rate")
    assert 1 < page.model.rowCount() < len(page.frame)  # the search filters the list
    second = str(page.model.raw(1, 0))
    page.table.selectRow(1)
    state = page.state()
    assert state == {"search": "rate", "metric": second}

    other = page_factory("dictionary")(None)
    qtbot.addWidget(other)
    other.restore_state(state)
    other.set_dataset(None)
    other.refresh()
    qtbot.waitUntil(lambda: other.model.rowCount() > 0, timeout=10_000)
    assert other.search.text() == "rate" and other.model.rowCount() == page.model.rowCount()
    assert other.details.metric_id == second
