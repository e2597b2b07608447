"""The book interface: the aggregate questions analyses ask of a policy book (issue #13).

A *book* is the validated tables plus the analysis window (as-of date, event statuses,
filters). Two implementations answer the same questions:

* :class:`MemoryBook` — a :class:`~memberdesk.core.dataset.Dataset` loaded from files (pandas);
* :class:`memberdesk.core.engine.book.EngineBook` — tables in DuckDB, PostgreSQL or Spark,
  answered by ``GROUP BY`` queries compiled by Ibis and run in the engine: only aggregates
  (a few thousand rows) travel to the client.

Every answer is a small pandas DataFrame of counts; the statistics (Kaplan-Meier, log-rank,
Cox with frequency weights…) stay in :mod:`memberdesk.analysis` and run on those counts.

Conventions
-----------
* ``survival_counts(by)``: one row per (segment value, ``duration_days``, ``event``) with
  ``n`` = number of policies. ``duration_days`` is whole days from issue to exit or as-of
  (docs/conventions.md); months are ``duration_days / (365.25/12)``, computed by the caller so both books
  give the same floating-point numbers. Missing segment values are a null group.
* ``cells(columns)``: the same with several covariate columns (Cox with categorical
  covariates: exact partial likelihood from cell counts with frequency weights).
* ``covariate_cells(columns, limit)``: :meth:`cells` unless a non-text column holds more than
  ``limit`` distinct values (a continuous covariate: the answer names it and has no frame).
* ``count_by(table, columns)``: rows of an analysis table (windowed, filtered) by columns.
* ``distinct(table, column, limit)``: distinct values, at most ``limit``.
* ``sample(table, n, seed)``: rows on explicit request only, at most ``n``; the caller says
  so in its result (never a silent approximation).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from memberdesk.core import schema
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason

COUNT_COLUMN = "n"


@dataclass(frozen=True)
class CellAnswer:
    """Covariate cells × duration × event with a count, or why there are none.

    ``frame``: one row per (columns…, ``duration_days``, ``event``) with ``n`` policies (None
    when a column is continuous). ``continuous``: the non-text columns holding more than the
    allowed number of distinct values (the caller reads rows instead and says so)."""

    frame: pd.DataFrame | None
    continuous: tuple[str, ...] = ()


@runtime_checkable
class Book(Protocol):
    """What an analysis may ask a book (see the module doc for each answer's shape)."""

    engine: str  # "memory", "duckdb", "postgres" or "spark"

    def survival_counts(self, ds: Dataset, by: str | None) -> pd.DataFrame: ...

    def cells(self, ds: Dataset, columns: Sequence[str]) -> pd.DataFrame: ...

    def covariate_cells(self, ds: Dataset, columns: Sequence[str], limit: int) -> CellAnswer: ...

    def count_by(self, ds: Dataset, table: str, columns: Sequence[str]) -> pd.DataFrame: ...

    def distinct(self, ds: Dataset, table: str, column: str, limit: int = 1000) -> list[object]: ...

    def sample(self, ds: Dataset, table: str, n: int, seed: int = 0) -> pd.DataFrame: ...

    def row_counts(self) -> dict[str, int]: ...


def book_of(ds: Dataset) -> Book:
    """The book behind ``ds``: its engine book when it has one, else a :class:`MemoryBook`."""
    book = getattr(ds, "book", None)
    return book if book is not None else MemoryBook(ds)


class MemoryBook:
    """The in-memory book: answers from the Dataset's pandas views (files, as today)."""

    engine = "memory"

    def __init__(self, ds: Dataset) -> None:
        self._ds = ds

    def survival_counts(self, ds: Dataset, by: str | None) -> pd.DataFrame:
        return self.cells(ds, () if by is None else (by,))

    def cells(self, ds: Dataset, columns: Sequence[str]) -> pd.DataFrame:
        p = ds.policies
        if p is None or len(p) == 0:
            raise AnalysisError(Reason("no_policies"))
        _check_columns(p.columns, columns)
        keys = [*columns, "duration_days", "event"]
        frame = p[keys].copy()
        frame["event"] = frame["event"].astype(np.int8)
        return (frame.groupby(keys, dropna=False, observed=True, sort=False).size()
                .rename(COUNT_COLUMN).reset_index())

    def covariate_cells(self, ds: Dataset, columns: Sequence[str], limit: int) -> CellAnswer:
        p = ds.policies
        if p is None or len(p) == 0:
            raise AnalysisError(Reason("no_policies"))
        _check_columns(p.columns, columns)
        continuous = tuple(c for c in dict.fromkeys(columns)
                           if not _is_text(p[c]) and p[c].nunique(dropna=True) > limit)
        if continuous:
            return CellAnswer(None, continuous)
        return CellAnswer(self.cells(ds, list(dict.fromkeys(columns))))

    def count_by(self, ds: Dataset, table: str, columns: Sequence[str]) -> pd.DataFrame:
        frame = ds.table(table)
        if frame is None:
            return pd.DataFrame(columns=[*columns, COUNT_COLUMN])
        _check_columns(frame.columns, columns)
        if not columns:
            return pd.DataFrame({COUNT_COLUMN: [len(frame)]})
        return (frame.groupby(list(columns), dropna=False, observed=True).size()
                .rename(COUNT_COLUMN).reset_index())

    def distinct(self, ds: Dataset, table: str, column: str, limit: int = 1000) -> list[object]:
        frame = ds.table(table)
        if frame is None or column not in frame.columns:
            return []
        return list(pd.unique(frame[column].dropna()))[:limit]

    def sample(self, ds: Dataset, table: str, n: int, seed: int = 0) -> pd.DataFrame:
        frame = ds.table(table)
        if frame is None:
            return pd.DataFrame()
        return frame if len(frame) <= n else frame.sample(n=n, random_state=seed)

    def row_counts(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self._ds.validated.items()}


def _is_text(s: pd.Series) -> bool:
    return bool(s.dtype == object or isinstance(s.dtype, pd.CategoricalDtype)
                or pd.api.types.is_string_dtype(s.dtype))


def _check_columns(available: Sequence[str] | pd.Index, columns: Sequence[str]) -> None:
    for col in columns:
        if col not in available:
            names = sorted(str(c) for c in available if c not in ("duration", "event"))
            raise AnalysisError(Reason("frame_unknown_column", column=col, columns=", ".join(names)),
                                column=col)


def durations_in(unit: str, days: np.ndarray) -> np.ndarray:
    """Durations in ``unit`` from ``duration_days`` (the same division as
    ``Dataset.policies["duration_months"]``, so both books give identical floats)."""
    d = np.asarray(days, dtype=float)
    return d / schema.DAYS_PER_MONTH if unit == "months" else d
