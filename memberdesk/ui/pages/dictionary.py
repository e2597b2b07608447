"""Metric dictionary (数据指标字典): every registered metric, searchable; selecting one shows its
definition, formula and lineage tree, and its lineage drawn as a layered graph (指标血缘图).
A column chosen in "Lineage of column" shows the reverse lineage (everything depending on it).
Metrics that cannot be computed on the loaded data are greyed with their reason; after a
reload of different data, "Impact of the last reload" compares the two loads through the
lineage (:func:`memberdesk.analysis.lineage_impact.compare_loads`)."""
from __future__ import annotations

from typing import Any

import pandas as pd
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QTabWidget, QVBoxLayout, QWidget

from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.lineage_graph import LineageGraphChart
from memberdesk.ui.pages.base import AnalysisPage, Task, fill_table, make_table, split_content
from memberdesk.ui.pages.metric_details import MetricDetails, current_lang
from memberdesk.ui.table_model import DataFrameModel, ci_text


class GreyableModel(DataFrameModel):
    """The dictionary model: rows of metrics that cannot be computed are grey, with the reason
    as tooltip (``unavailable``: metric id -> reason text)."""

    unavailable: dict[str, str] = {}

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole):
            reason = self.unavailable.get(str(self.raw(index.row(), 0)))
            if reason is not None:
                return QColor("#9A9A9A") if role == Qt.ItemDataRole.ForegroundRole else reason
        value = super().data(index, role)
        if role == Qt.ItemDataRole.DisplayRole and isinstance(value, str):
            return ci_text(value)  # a definition naming the 95% default names the level in force
        return value


def compute_impact(before: Any, after: Any, progress: Any = None) -> Any:
    from memberdesk.analysis.lineage_impact import Load, compare_loads

    return compare_loads(Load(before), Load(after))


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
        # wide enough to read its hint (it showed "Search names, …"), with room for the clear button
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance(
            self.search.placeholderText()) + 40)
        self.search.textChanged.connect(self.apply_search)
        self.add_control(self.tr("Search:"), self.search)
        self.persist("search", self.search)
        self.table, _ = make_table()
        self.model = GreyableModel()
        self.model.unavailable = {}
        self.table.setModel(self.model)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._select(cur.row()))
        self.details = MetricDetails()
        self.column_box = QComboBox()
        self.column_box.currentIndexChanged.connect(self._show_reverse)
        self.add_control(self.tr("Lineage of column:"), self.column_box)
        self.graph = LineageGraphChart()
        self.graph_panel = self.register_panel(ChartPanel(self.graph, self.tr("Lineage graph")))
        self.impact_button = QPushButton(self.tr("Impact of the last reload"))
        self.impact_button.setEnabled(False)
        self.impact_button.clicked.connect(self.run_impact)
        self.impact_note = QLabel(self.tr("Reload data with a different data model to compare."))
        self.impact_note.setWordWrap(True)
        self.impact_table, self.impact_model = make_table()
        impact = QWidget()
        lay = QVBoxLayout(impact)
        lay.addWidget(self.impact_button)
        lay.addWidget(self.impact_note)
        lay.addWidget(self.impact_table, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.details, self.tr("Definition"))
        self.tabs.addTab(self.graph_panel, self.tr("Lineage graph"))
        self.tabs.addTab(impact, self.tr("Impact"))
        self.previous: Any = None
        self.impact: Any = None
        split_content(content, Qt.Orientation.Horizontal, self.table, self.tabs,
                      sizes=(850, 450))
        self._fill_columns()

    def _fill_columns(self) -> None:
        from memberdesk.analysis.metric_definitions import DERIVED_COLUMNS
        from memberdesk.analysis.metrics import schema_columns

        self.column_box.blockSignals(True)
        self.column_box.addItem(self.tr("(choose a column)"), None)
        for node in sorted(schema_columns() | set(DERIVED_COLUMNS)):
            self.column_box.addItem(node, node)
        self.column_box.blockSignals(False)

    def _show_reverse(self) -> None:
        node = self.column_box.currentData()
        if node is None:
            return
        from memberdesk.analysis.lineage import reverse

        view = reverse(node, current_lang(self))
        self.graph.set_view(view.nodes, view.edges, "reverse")
        self.graph_panel.set_title(self.tr("Depends on {0}").format(node))
        self.tabs.setCurrentWidget(self.graph_panel)

    def on_dataset(self, ds: Any) -> None:
        """Grey what the data cannot compute; remember the previous load for the impact view."""
        from memberdesk.analysis.lineage import unavailable_metrics
        from memberdesk.core.reasons import Reason

        current = getattr(self, "_current_ds", None)
        if ds is not None and current is not None and current.validated is not ds.validated:
            self.previous = current
            self.impact_button.setEnabled(True)
        self._current_ds = ds
        lang = current_lang(self)
        tables = dict(getattr(ds, "validated", {}) or {})
        self.model.unavailable = {} if ds is None else {
            mid: Reason(code, **params).text(lang)
            for mid, (code, params) in unavailable_metrics(tables).items()}
        self.model.layoutChanged.emit()

    def run_impact(self) -> None:
        from memberdesk.ui.worker import run_task

        if self.previous is None or self._current_ds is None:
            return
        self.impact_note.setText(self.tr("Comparing…"))
        run_task(self.impact_table, compute_impact, self.previous, self._current_ds,
                 on_result=self.show_impact, on_error=self._on_error, context=self.title())

    def show_impact(self, result: Any) -> None:
        self.impact = result
        changes = [f"{c.table}.{c.column}: {c.change}" + (f" → {c.detail}" if c.detail else "")
                   for c in result.columns]
        changes += [f"{v.table}.{v.column}: +{', '.join(v.added)} −{', '.join(v.removed)}"
                    for v in result.vocabulary]
        self.impact_note.setText("; ".join(changes) or self.tr("No column or vocabulary change."))
        rows = [{"metric": m.metric, "status": m.status, "before": m.before, "after": m.after,
                 "change": m.change, "reason": "" if m.reason is None else m.reason.text(current_lang(self)),
                 "path": " → ".join(m.path)} for m in result.metrics if m.status != "unchanged"]
        fill_table(self.impact_table, self.impact_model,
                   pd.DataFrame(rows, columns=["metric", "status", "before", "after", "change",
                                               "reason", "path"]))
        self.tabs.setCurrentIndex(2)

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
            metric_id = str(self.model.raw(row, 0))
            self.details.show_metric(metric_id, current_lang(self))
            from memberdesk.analysis.lineage import forward

            view = forward(metric_id, current_lang(self))
            self.graph.set_view(view.nodes, view.edges, "forward")
            self.graph_panel.set_title(self.tr("Lineage of {0}").format(metric_id))
