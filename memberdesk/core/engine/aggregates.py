"""Aggregate questions pushed down to the engine (issue #13): the ``GROUP BY`` queries behind
the exact aggregate routes of Cox, persistency, cohorts and experience exposures.

Everything here builds on the policy view of :mod:`memberdesk.core.engine.rules` (the single
definition of exit status, duration, event, as-of window and filters): a query groups that
view and only counts leave the engine. The statistics that consume the counts live in
:mod:`memberdesk.analysis` (numpy on the aggregates).

Conventions
-----------
* Counts are integers (``n``), exact; durations are whole days (``duration_days``), months
  are computed by the caller from them, so the engine and the file path give the same floats.
* Covariate kinds follow the view's types: text columns are *categorical*; numeric, true/false
  and date columns are *numeric-like* and count as *banded* when they hold at most ``limit``
  distinct values (checked by one ``COUNT(DISTINCT)`` query), else *continuous*.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from memberdesk.core.book import COUNT_COLUMN, CellAnswer, _check_columns
from memberdesk.core.dataset import AGE_BANDS, PREMIUM_BANDS, Dataset
from memberdesk.core.errors import AnalysisError

if TYPE_CHECKING:
    from memberdesk.core.engine.book import EngineBook

BAND_ORDER = {"premium_band": [b[2] for b in PREMIUM_BANDS], "age_band": [b[2] for b in AGE_BANDS]}


def to_frame(table: pa.Table) -> pd.DataFrame:
    """An aggregate's Arrow table as pandas: true/false columns as nullable booleans (as the
    validated frames hold them), decimals as floats, bands as ordered categoricals, dates as datetime64[ns]."""
    frame = table.to_pandas(date_as_object=False)
    for name, typ in zip(table.column_names, table.schema.types):
        if pa.types.is_boolean(typ):
            frame[name] = pd.array(table.column(name).to_pylist(), dtype="boolean")
        elif pa.types.is_decimal(typ):  # e.g. PostgreSQL's EXTRACT (issue_year): a number
            frame[name] = table.column(name).cast(pa.float64()).to_pandas()
        elif pa.types.is_date(typ) or pa.types.is_timestamp(typ):
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
        if name in BAND_ORDER:
            frame[name] = pd.Categorical(frame[name], categories=BAND_ORDER[name], ordered=True)
    return pd.DataFrame(frame)


def continuous_columns(book: EngineBook, ds: Dataset, columns: Sequence[str], limit: int
                       ) -> tuple[str, ...]:
    """The non-text columns of the policy view holding more than ``limit`` distinct values
    (one query for all of them; text columns are categorical and never continuous)."""
    view = book.policies(ds)
    _check_columns(view.columns, columns)
    numeric = [c for c in dict.fromkeys(columns) if not view.schema()[c].is_string()]
    if not numeric:
        return ()
    expr = view.aggregate(**{f"d{i}": view[c].nunique() for i, c in enumerate(numeric)})
    row = book.run(expr).to_pylist()[0]
    return tuple(c for i, c in enumerate(numeric) if int(row[f"d{i}"] or 0) > limit)


def covariate_cells(book: EngineBook, ds: Dataset, columns: Sequence[str], limit: int) -> CellAnswer:
    """Counts by covariate cell × ``duration_days`` × ``event`` (Cox from frequency weights),
    unless a non-text column has more than ``limit`` distinct values (``continuous``)."""
    continuous = continuous_columns(book, ds, columns, limit)
    if continuous:
        return CellAnswer(None, continuous)
    view = book.policies(ds)
    keys = [*dict.fromkeys(columns), "duration_days", "event"]
    expr = view.group_by(keys).aggregate(**{COUNT_COLUMN: view.count()})
    frame = to_frame(book.run(expr))
    if len(frame) == 0:
        raise AnalysisError("no policies to analyse (the policies table is empty or missing)")
    frame["event"] = frame["event"].astype(np.int8)
    frame[COUNT_COLUMN] = frame[COUNT_COLUMN].astype(np.int64)
    return CellAnswer(frame)

