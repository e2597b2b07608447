"""Metric dictionary (数据指标字典): every registered metric, searchable; selecting one shows its
definition, formula and lineage tree."""
from __future__ import annotations

from typing import Any

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from memberdesk.ui.pages.base import AnalysisPage, Task, fill_table, make_table, split_content
from memberdesk.ui.pages.metric_details import MetricDetails, current_lang


def load_dictionary(lang: str) -> pd.DataFrame:
    from memberdesk.analysis.metrics import dictionary_frame

    return dictionary_frame(lang)


class DictionaryPage(AnalysisPage):
    page_id = "dictionary"
    required_table = None

    def __init__(self, parent: QWidget | None = None) -> None:
        self._wanted_metric: str | None = None  # a workspace's selected metric, until listed
        super().__init__(parent)
        self.frame = pd.DataFrame()

    def title(self) -> str:
        return self.tr("Metric dictionary")

    def build_content(self, content: QWidget) -> None:
        self.subtitle.setText(self.tr("Every figure MemberDesk shows: what it means, how it is "
                                      "computed and which data it comes from."))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search names, definitions, columns…"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.apply_search)
        self.add_control(self.tr("Search:"), self.search)
        self.persist("search", self.search)
        self.table, self.model = make_table()
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._select(cur.row()))
        self.details = MetricDetails()
        split_content(content, Qt.Orientation.Horizontal, self.table, self.details,
                      sizes=(850, 450))

    def refresh(self) -> None:
        """The dictionary needs no data: show it even before a file is loaded."""
        from memberdesk.ui.worker import run_task

        self._debounce.stop()
        self._stale = False
        run_task(self, load_dictionary, current_lang(self), on_result=self._on_result,
                 on_error=self._on_error, context=self.title())

    def task(self, ds: Any) -> Task:
        return load_dictionary, (current_lang(self),), {}

    def show_result(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.apply_search(self.search.text())

    def state(self) -> dict[str, Any]:
        """Workspace state: the search text and the selected metric's id."""
        metric = self._wanted_metric or self.details.metric_id
        return {**super().state(), "metric": metric}

    def restore_state(self, state: Any) -> None:
        if isinstance(state, dict) and isinstance(state.get("metric"), str):
            self._wanted_metric = state["metric"]
        super().restore_state(state)

    def state_restored(self) -> None:
        """The dictionary needs no data: filter the list shown now (if any) at once."""
        if not self.frame.empty:
            self.apply_search(self.search.text())

    def apply_search(self, text: str) -> None:
        frame = self.frame
        words = text.strip().lower().split()
        if words and not frame.empty:
            hay = frame.astype(str).agg(" ".join, axis=1).str.lower()
            keep = pd.Series(True, index=frame.index)
            for w in words:
                keep &= hay.str.contains(w, regex=False)
            frame = frame[keep]
        headers = {}
        try:
            from memberdesk.analysis.metrics import dictionary_headers
            headers = dictionary_headers(current_lang(self))
        except ImportError:  # pragma: no cover
            pass
        fill_table(self.table, self.model, frame.reset_index(drop=True), headers=headers)
        for col in range(self.model.columnCount()):
            if self.table.columnWidth(col) > 360:
                self.table.setColumnWidth(col, 360)
        if self.model.rowCount():
            ids = [str(self.model.raw(r, 0)) for r in range(self.model.rowCount())]
            row = ids.index(self._wanted_metric) if self._wanted_metric in ids else 0
            self._wanted_metric = None
            self.table.selectRow(row)
            self._select(row)

    def _select(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.details.show_metric(str(self.model.raw(row, 0)), current_lang(self))
