"""A fast, sortable, read-only Qt table model over a pandas DataFrame.

The frame's columns are converted once to numpy arrays; ``data()`` only indexes and formats one
cell, so a million-row table scrolls smoothly. Sorting permutes a row index (stable, missing
values last) instead of copying the frame. Numbers are right-aligned and formatted with
thousands separators; ``Qt.UserRole`` returns the raw value.

Headers name the confidence level in force (issue 17 C.17): result columns whose label names
the default level ("95% CI lower", 95%置信下限) say the level the main window's assumptions set
(:func:`set_ci_level`, called whenever the window hands its pages a dataset), so every table
follows the Assumptions dialog without each page passing it.
"""
from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Formatter = Callable[[Any], str]
_Index = QModelIndex | QPersistentModelIndex


def format_number(value: Any) -> str:
    """Format a number for a table cell: integers with thousands separators, floats with
    a precision that suits their size (tiny p-values in scientific notation)."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return "∞" if v > 0 else "−∞"
        a = abs(v)
        if v == int(v) and a < 1e15:
            return f"{v:,.0f}"
        if a >= 1000:
            return f"{v:,.0f}"
        if a >= 10:
            return f"{v:,.2f}"
        if a == 0 or a >= 1e-4:
            return f"{v:.4f}"
        return f"{v:.2e}"
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else value.strftime("%Y-%m-%d")
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)


# ---- the CI level in force --------------------------------------------------------------------
_CI_LEVEL: list[float | None] = [None]  # None: the labels' default level (95%)
_LIVE_MODELS: weakref.WeakSet[DataFrameModel] = weakref.WeakSet()


def ci_level() -> float | None:
    """The two-sided confidence level the analyses shown use (None: not set, the default 95%)."""
    return _CI_LEVEL[0]


def set_ci_level(level: float | None, *, refresh: bool = True) -> None:
    """Make ``level`` (0.9 = 90%) the level every table header names; with ``refresh`` the
    headers of the tables already shown are repainted at once (never while their window is
    being destroyed: a view must not react to a model signal then)."""
    level = None if level is None else float(level)
    if level == _CI_LEVEL[0]:
        return
    _CI_LEVEL[0] = level
    if not refresh:
        return
    for model in list(_LIVE_MODELS):
        try:
            count = model.columnCount()
            if count:
                model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, count - 1)
        except RuntimeError:  # the C++ object is gone (its window is being destroyed)
            continue


def ci_text(text: str) -> str:
    """``text`` naming the default "95%" level, naming the level in force instead."""
    from memberdesk.core.labels import with_ci_level

    return with_ci_level(text, _CI_LEVEL[0])


def frame_to_tsv(frame: pd.DataFrame) -> str:
    """Tab-separated text of ``frame`` (header row + rows) for the clipboard / spreadsheets."""
    return frame.to_csv(sep="\t", index=False, lineterminator="\n", float_format="%.10g")


class DataFrameModel(QAbstractTableModel):
    """Read-only model of a DataFrame (index not shown; reset it if it carries data).

    Parameters
    ----------
    frame
        The data. ``None`` = empty model.
    formats
        Optional ``{column: callable(value) -> str}`` overriding :func:`format_number`.
    headers
        Optional ``{column: display header}`` (e.g. translated names).
    """

    def __init__(self, frame: pd.DataFrame | None = None, parent: Any = None, *,
                 formats: Mapping[str, Formatter] | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(parent)
        self._formats: dict[str, Formatter] = dict(formats or {})
        self._headers: dict[str, str] = dict(headers or {})
        self._columns: list[str] = []
        self._arrays: list[np.ndarray] = []
        self._numeric: list[bool] = []
        self._order: np.ndarray = np.arange(0)
        self._frame = pd.DataFrame()
        self.set_frame(frame)
        _LIVE_MODELS.add(self)

    # ---- data ---------------------------------------------------------------------------

    def set_frame(self, frame: pd.DataFrame | None, *,
                  formats: Mapping[str, Formatter] | None = None,
                  headers: Mapping[str, str] | None = None) -> None:
        """Replace the data (and optionally the formats / headers)."""
        self.beginResetModel()
        if formats is not None:
            self._formats = dict(formats)
        if headers is not None:
            self._headers = dict(headers)
        self._frame = pd.DataFrame() if frame is None else frame
        self._columns = [str(c) for c in self._frame.columns]
        self._arrays = []
        self._keys: list[np.ndarray | None] = []
        self._numeric = []
        for col in self._frame.columns:
            s = self._frame[col]
            numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
            if numeric:
                keys = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                arr = keys
                if pd.api.types.is_integer_dtype(s):
                    arr = np.array([None if np.isnan(k) else int(k) for k in keys], dtype=object)
                self._keys.append(keys)
            elif pd.api.types.is_datetime64_any_dtype(s):
                arr = s.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
            else:
                arr = s.to_numpy(dtype=object)
            if not numeric:
                self._keys.append(None)
            self._arrays.append(arr)
            self._numeric.append(bool(numeric))
        self._order = np.arange(len(self._frame))
        self.endResetModel()

    def frame(self) -> pd.DataFrame:
        """The frame in the current (sorted) row order."""
        return self._frame.iloc[self._order]

    def raw(self, row: int, column: int) -> Any:
        return self._arrays[column][self._order[row]]

    # ---- Qt model API -------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.raw(index.row(), col)
            fmt = self._formats.get(self._columns[col])
            if fmt is not None:
                return fmt(value)
            if value is None or value is pd.NA or value is pd.NaT:
                return ""
            return format_number(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if self._numeric[col]:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return self.raw(index.row(), col)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self._columns):
                name = self._columns[section]
                if name in self._headers:
                    return self._headers[name]
                from memberdesk.ui.i18n import column_label  # the id itself in English

                return column_label(name, ci_level())  # naming the CI level in force
            return None
        return str(section + 1)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self.layoutAboutToBeChanged.emit()
        arr = self._arrays[column]
        descending = order == Qt.SortOrder.DescendingOrder
        if self._numeric[column]:
            keys = self._keys[column]
            assert keys is not None
            missing = np.isnan(keys)
            keys = np.where(missing, 0.0, -keys if descending else keys)
            order_idx = np.lexsort((keys, missing))
        else:
            text = pd.Series(arr, dtype=object)
            missing = text.isna().to_numpy()
            ranks = text.astype(str).rank(method="dense").to_numpy()
            ranks = np.where(missing, 0.0, -ranks if descending else ranks)
            order_idx = np.lexsort((ranks, missing))
        self._order = order_idx
        self.layoutChanged.emit()
