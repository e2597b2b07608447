"""Retention list (who to call): lapse-risk scores of the in-force book, validated out of time.

Presents :func:`memberdesk.analysis.scoring.score.run_scoring`: a validation panel (both
models and the naive baseline: C, Uno's C, AUC, Brier, ICI, top-decile capture; calibration
and gain charts) and the ranked list — sortable, filterable by product / channel / decile /
policy id, shown a page at a time by :class:`CallListModel` so a million rows stay fluid —
with the top three reasons per policy, and an export with the personal-data choice.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from memberdesk.analysis.scoring.reasons import describe_reason
from memberdesk.ui.charts.base import ChartPanel
from memberdesk.ui.charts.lines import TrendChart
from memberdesk.ui.i18n import column_label, ui_language, value_label
from memberdesk.ui.pages.base import AnalysisPage, Task, fill_table, make_table, percent_format
from memberdesk.ui.table_model import ci_level

PAGE_SIZE = 500
LIST_COLUMNS: tuple[str, ...] = ("rank", "policy_id", "product", "channel", "probability",
                                 "premium_at_risk", "decile", "reason_1", "reason_2", "reason_3")
_Index = QModelIndex | QPersistentModelIndex


def compute_scores(ds: Any, horizon: int, model: str, progress: Any = None) -> Any:
    from memberdesk.analysis.scoring.score import run_scoring

    return run_scoring(ds, horizon, model, progress=progress)


class CallListModel(QAbstractTableModel):
    """The ranked list, one page of ``page_size`` rows at a time.

    The scores' columns are held as numpy arrays; filtering and sorting build an index of row
    positions (``order``), so neither copies the frame; ``data()`` formats one cell. A page
    is ``order[offset : offset + page_size]``. ``Qt.UserRole`` returns the raw value.
    """

    def __init__(self, parent: Any = None, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.page_size = page_size
        self.columns: list[str] = []
        self.values: dict[str, np.ndarray] = {}
        self.order = np.zeros(0, dtype=np.int64)
        self.offset = 0
        self._sort: tuple[str, bool] | None = None
        self._filters: dict[str, Any] = {}
        self._search = ""

    # ---- data ----------------------------------------------------------------------------
    def set_scores(self, scores: pd.DataFrame | None) -> None:
        self.beginResetModel()
        if scores is None:
            self.columns, self.values = [], {}
        else:
            self.columns = [c for c in LIST_COLUMNS if c in scores.columns]
            self.values = {c: (scores[c].astype(object).to_numpy() if c.startswith("reason_")
                               else scores[c].to_numpy()) for c in self.columns}
        if self._sort is not None and self._sort[0] not in self.columns:
            self._sort = None  # new scores keep the sort the header arrow shows
        self._rebuild()
        self.endResetModel()

    @property
    def n_rows(self) -> int:
        """Rows passing the filters (all pages)."""
        return int(self.order.size)

    @property
    def n_pages(self) -> int:
        return max(1, -(-self.n_rows // self.page_size))

    @property
    def page(self) -> int:
        return self.offset // self.page_size

    def set_page(self, page: int) -> None:
        page = min(max(page, 0), self.n_pages - 1)
        self.beginResetModel()
        self.offset = page * self.page_size
        self.endResetModel()

    def set_filter(self, column: str, value: Any) -> None:
        """Keep rows whose ``column`` equals ``value`` (None: no restriction)."""
        self.beginResetModel()
        if value is None:
            self._filters.pop(column, None)
        else:
            self._filters[column] = value
        self._rebuild()
        self.endResetModel()

    def set_search(self, text: str) -> None:
        """Keep rows whose policy id contains ``text`` (case-insensitive)."""
        self.beginResetModel()
        self._search = text.strip()
        self._rebuild()
        self.endResetModel()

    def visible_rows(self) -> np.ndarray:
        """Positions (in the scores frame) of the filtered rows, in display order."""
        return self.order

    def _rebuild(self) -> None:
        n = len(next(iter(self.values.values()))) if self.values else 0
        keep = np.ones(n, dtype=bool)
        for col, value in self._filters.items():
            if col in self.values:
                keep &= self.values[col] == value
        if self._search and "policy_id" in self.values:
            ids = pd.Series(self.values["policy_id"][keep], dtype=object).astype(str)
            hit = ids.str.contains(self._search, case=False, regex=False).to_numpy()
            rows = np.flatnonzero(keep)
            keep = np.zeros(n, dtype=bool)
            keep[rows[hit]] = True
        order = np.flatnonzero(keep)
        if self._sort is not None:
            col, descending = self._sort
            values = self.values[col][order]
            if values.dtype == object:
                values = pd.Series(values).astype(str).to_numpy()
            idx = np.argsort(values, kind="stable")
            if descending:
                idx = idx[::-1]
            order = order[idx]
        self.order = order
        self.offset = 0

    # ---- Qt model ----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else max(0, min(self.page_size, self.n_rows - self.offset))

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = self.columns[index.column()]
        value = self.values[col][self.order[self.offset + index.row()]]
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role == Qt.ItemDataRole.DisplayRole:
            return self._format(col, value)
        if role == Qt.ItemDataRole.TextAlignmentRole and not isinstance(value, str):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _format(col: str, value: Any) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return ""
        if col == "probability":
            return percent_format(value)
        if col == "premium_at_risk":
            return f"{float(value):,.0f}"
        if col in ("rank", "decile"):
            return f"{int(value):,}"
        if col.startswith("reason_"):   # the code in words, in the UI language
            return describe_reason(value, ui_language())
        if col in ("product", "channel"):  # vocabulary values as every other page names them
            return value_label(value)
        return str(value)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return column_label(self.columns[section], ci_level())  # the level in force
        return str(self.offset + section + 1)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self.beginResetModel()
        self._sort = (self.columns[column], order == Qt.SortOrder.DescendingOrder)
        self._rebuild()
        self.endResetModel()


class RetentionListPage(AnalysisPage):
    page_id = "retention_list"
    debounce_ms = 300

    def title(self) -> str:
        return self.tr("Retention list: who to call")

    def build_content(self, content: QWidget) -> None:
        self.subtitle.setText(self.tr(
            "Probability that each in-force policy lapses or is surrendered within the horizon "
            "(deaths and maturities are not lapses), validated on the last horizon's actual "
            "lapses against a naive baseline. Call the highest risk x premium first."))
        self.horizon = self.combo(self.tr("Horizon:"), [(self.tr("12 months"), 12),
                                                       (self.tr("6 months"), 6),
                                                       (self.tr("3 months"), 3)])
        self.model_choice = self.combo(self.tr("Model:"), [
            (self.tr("Best out of time"), "auto"), (self.tr("Cox model"), "cox"),
            (self.tr("Gradient boosting"), "gbm")])
        for key, box in (("horizon", self.horizon), ("model", self.model_choice)):
            self.persist(key, box)
        self.validation_label = QLabel("")
        self.validation_label.setWordWrap(True)
        self.metrics_table, self.metrics_model = make_table()
        self.calibration = TrendChart()
        self.calibration_panel = self.register_panel(
            ChartPanel(self.calibration, self.tr("Calibration: predicted vs observed by decile")))
        self.gain = TrendChart()
        self.gain_panel = self.register_panel(
            ChartPanel(self.gain, self.tr("Lapses found when calling the highest risk first")))
        left = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.validation_label)
        tl.addWidget(self.metrics_table, 1)
        left.addWidget(top)
        left.addWidget(self.calibration_panel)
        left.addWidget(self.gain_panel)
        left.setSizes([240, 290, 290])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self._build_list())
        split.setSizes([520, 900])
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def _build_list(self) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Policy id contains…"))
        # wide enough for its hint (it read "Polic…" beside the three filters)
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance(
            self.search.placeholderText()) + 24)
        self.search.editingFinished.connect(self._search_changed)
        self.product_filter = QComboBox()
        self.channel_filter = QComboBox()
        self.decile_filter = QComboBox()
        for column, combo in (("product", self.product_filter), ("channel", self.channel_filter),
                              ("decile", self.decile_filter)):
            combo.currentIndexChanged.connect(
                lambda _i, c=column, b=combo: self._filter_changed(c, b))
            filters.addWidget(QLabel(column_label(column) + ":"))
            filters.addWidget(combo)
        filters.addWidget(self.search, 1)
        self.export_button = QPushButton(self.tr("Export call list…"))
        self.export_button.clicked.connect(self.export_list)
        filters.addWidget(self.export_button)
        v.addLayout(filters)
        self.list_view = QTableView()
        self.list_model = CallListModel(self.list_view)
        self.list_view.setModel(self.list_model)
        self.list_view.setSortingEnabled(True)
        self.list_view.setAlternatingRowColors(True)
        self.list_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.list_view.setTabKeyNavigation(False)  # Tab leaves the list: no Tab trap
        v.addWidget(self.list_view, 1)
        pager = QHBoxLayout()
        self.prev_button = QPushButton(self.tr("◀ Previous"))
        self.next_button = QPushButton(self.tr("Next ▶"))
        self.prev_button.clicked.connect(lambda: self._go(-1))
        self.next_button.clicked.connect(lambda: self._go(1))
        self.page_label = QLabel("")
        pager.addWidget(self.prev_button)
        pager.addWidget(self.page_label, 1)
        pager.addWidget(self.next_button)
        v.addLayout(pager)
        self.list_model.modelReset.connect(self._update_pager)
        return box

    # ---- computing -----------------------------------------------------------------------------
    def task(self, ds: Any) -> Task:
        return compute_scores, (ds, int(self.horizon.currentData()),
                                str(self.model_choice.currentData())), {}

    def show_result(self, res: Any) -> None:
        self.result = res
        v = res.validation
        self.validation_label.setText(self._validation_text(res))
        metrics = pd.DataFrame([{"model": name, **v.figures(name), "e50": m.e50}
                                for name, m in v.metrics.items()])
        metrics["model"] = metrics["model"].map({"cox": self.tr("Cox model"),
                                                 "gbm": self.tr("Gradient boosting"),
                                                 "baseline": self.tr("Naive baseline")})
        fill_table(self.metrics_table, self.metrics_model, metrics,
                   formats={"top_decile_capture": percent_format})
        self._fit_metrics_rows()
        cal = v.metrics[v.chosen].calibration
        self.calibration.set_data(cal, x="decile", y=["predicted", "observed"], percent=True,
                                  x_label=self.tr("Risk decile (1 = highest)"),
                                  y_label=self.tr("Lapse probability"), sort_x=False,
                                  names={"predicted": self.tr("Predicted"),
                                         "observed": self.tr("Observed")})
        every5 = v.metrics[v.chosen].gain["percent"] % 5 == 0   # 20 points read better than 100
        gain = pd.DataFrame({"percent": v.metrics[v.chosen].gain["percent"][every5],
                             "model": v.metrics[v.chosen].gain["captured"][every5],
                             "baseline": v.metrics["baseline"].gain["captured"][every5]})
        gain = pd.concat([pd.DataFrame({"percent": [0], "model": [0.0], "baseline": [0.0]}), gain],
                         ignore_index=True)
        gain["random"] = gain["percent"] / 100.0
        self.gain.set_data(gain, x="percent", y=["model", "baseline", "random"], percent=True,
                           x_label=self.tr("Policies called (%)"),
                           y_label=self.tr("Share of lapses found"),
                           names={"model": self.tr("Model"), "baseline": self.tr("Baseline"),
                                  "random": self.tr("Random")})
        self._fill_filters(res.scores)
        self.list_model.set_scores(res.scores)
        self.list_view.resizeColumnsToContents()   # the visible page only: 500 rows

    def _fit_metrics_rows(self) -> None:
        """The metrics table as tall as its rows (three models), so the splitter cannot cut the
        last model in half (the sample showed 'Naive baseline' half hidden)."""
        t = self.metrics_table
        t.resizeRowsToContents()
        rows = sum(t.rowHeight(r) for r in range(self.metrics_model.rowCount()))
        height = (t.horizontalHeader().sizeHint().height() + rows + 2 * t.frameWidth()
                  + t.horizontalScrollBar().sizeHint().height() + 2)
        t.setMinimumHeight(height)

    def _validation_text(self, res: Any) -> str:
        v = res.validation
        why = {"higher_auc": self.tr("higher out-of-time AUC, calibration within tolerance"),
               "better_calibrated": self.tr("the model with the higher AUC was outside the "
                                            "calibration tolerance"),
               "higher_auc_both_outside_tolerance": self.tr("higher AUC; both models outside "
                                                            "the calibration tolerance"),
               "requested": self.tr("chosen by you")}.get(v.reason, v.reason)
        return self.tr("{n:,} in-force policies scored, {h} months ahead; expected annual premium "
                       "at risk {par:,.0f}. Validated on {p:,} policies in force on {c} ({e:,} "
                       "lapsed by the as-of date). Model used: {m} ({why}).").format(
            n=len(res.scores), h=res.horizon_months, par=res.premium_at_risk, p=v.policies,
            c=v.cutoff.date().isoformat(), e=v.events,
            m=self.tr("Cox model") if res.model == "cox" else self.tr("Gradient boosting"), why=why)

    # ---- list controls -------------------------------------------------------------------------
    def _fill_filters(self, scores: pd.DataFrame) -> None:
        for column, combo in (("product", self.product_filter), ("channel", self.channel_filter),
                              ("decile", self.decile_filter)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("All"), None)
            if column in scores.columns:
                for value in sorted(pd.unique(scores[column])):
                    value = value.item() if isinstance(value, np.generic) else value  # a Qt value
                    combo.addItem(value_label(value) if column != "decile" else str(value), value)
            combo.blockSignals(False)
        self.search.clear()
        self.list_model._filters.clear()
        self.list_model._search = ""

    def _search_changed(self) -> None:
        self.list_model.set_search(self.search.text())

    def _filter_changed(self, column: str, combo: QComboBox) -> None:
        self.list_model.set_filter(column, combo.currentData())

    def _go(self, step: int) -> None:
        self.list_model.set_page(self.list_model.page + step)

    def _update_pager(self) -> None:
        m = self.list_model
        self.page_label.setText(self.tr("Page {p} of {n} · {rows:,} policies").format(
            p=m.page + 1, n=m.n_pages, rows=m.n_rows))
        self.prev_button.setEnabled(m.page > 0)
        self.next_button.setEnabled(m.page < m.n_pages - 1)

    def export_list(self, path: str | None = None, include_personal: bool | None = None) -> str | None:
        """Export the filtered list in display order (.csv or .xlsx). Without arguments the
        user picks the file and answers whether member ids, names and birth dates go in."""
        res = getattr(self, "result", None)
        if res is None:
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export call list"), "call_list.xlsx",
                                                  self.tr("Excel (*.xlsx);;CSV (*.csv)"))
            if not path:
                return None
        if include_personal is None:
            answer = QMessageBox.question(
                self, self.tr("Personal data"),
                self.tr("Include member ids, names and birth dates in the call list? Only do "
                        "so if the people calling are allowed to see them."),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No)
            include_personal = answer == QMessageBox.StandardButton.Yes
        from memberdesk.report.call_list import write_call_list

        rows = self.list_model.visible_rows()
        subset = _Subset(res, rows)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            write_call_list(subset, path, include_personal=include_personal)
        except Exception as exc:  # DataError: the file cannot be written
            QMessageBox.warning(self, self.tr("Export call list"), str(exc))
            return None
        finally:
            QApplication.restoreOverrideCursor()
        return path


class _Subset:
    """The scoring result restricted to the rows on screen (filters and sort applied)."""

    def __init__(self, result: Any, rows: np.ndarray) -> None:
        self._result = result
        self._rows = rows

    def call_list(self, top: int | None = None, *, include_personal: bool = False) -> pd.DataFrame:
        full = self._result.call_list(None, include_personal=include_personal)
        out = full.iloc[self._rows].reset_index(drop=True)
        return out if top is None else out.iloc[:top]
