"""Get a duration/event frame out of a Dataset or a plain DataFrame.

Every survival analysis starts here, so that units and event conventions are decided once:

* A :class:`~memberdesk.core.dataset.Dataset`: its ``policies`` view (windowed at the as-of date,
  filtered). ``unit="months"`` uses ``duration_months`` (1 month = 365.25/12 days),
  ``unit="days"`` uses ``duration_days``. For a generic table (``ds.generic``) ``duration_days``
  is the table's own duration, so ``"days"`` means "the raw unit" there. ``event`` is 1 for the
  Dataset's event statuses (default lapsed/surrendered), 0 otherwise (censored).
* A DataFrame with ``duration`` and ``event`` columns: taken as already in ``unit``.

The returned frame has float ``duration``, int8 ``event`` and the requested columns only (no
copy of the whole table: a million-row policies view has dozens of columns).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError

UNITS: tuple[str, ...] = ("days", "months")
MISSING_GROUP = "(missing)"


def default_unit(data: Dataset | pd.DataFrame) -> str:
    """Months for insurer data, days (= the raw unit) for generic tables and DataFrames."""
    if isinstance(data, Dataset) and not data.generic:
        return "months"
    return "days"


def survival_frame(data: Dataset | pd.DataFrame, *, unit: str = "months",
                   columns: Sequence[str | None] = ()) -> pd.DataFrame:
    """A frame with ``duration`` (float, in ``unit``) and ``event`` (0/1) plus ``columns``.

    ``columns`` are checked to exist (``None`` entries are skipped): an unknown name raises
    :class:`AnalysisError` naming it and listing the available columns.
    """
    if unit not in UNITS:
        raise AnalysisError(f"unit must be one of {', '.join(UNITS)}; got {unit!r}")
    if isinstance(data, Dataset):
        p = data.policies
        if p is None or len(p) == 0:
            raise AnalysisError("no policies to analyse (the policies table is empty or missing)")
        frame = p
        source_duration = p["duration_months" if unit == "months" else "duration_days"]
    elif isinstance(data, pd.DataFrame):
        missing = [c for c in ("duration", "event") if c not in data.columns]
        if missing:
            raise AnalysisError(f"the table needs a {' and '.join(missing)} column",
                                column=missing[0])
        frame = data
        source_duration = data["duration"]
        if len(frame) == 0:
            raise AnalysisError("no records to analyse")
    else:
        raise AnalysisError(f"cannot analyse a {type(data).__name__}; pass a Dataset or DataFrame")
    for col in columns:
        if col is not None and col not in frame.columns:
            available = sorted(c for c in frame.columns if c not in ("duration", "event"))
            raise AnalysisError(f"unknown column {col!r}; available: {', '.join(map(str, available))}",
                                column=col)
    duration = pd.to_numeric(source_duration, errors="coerce").to_numpy(dtype=float)
    if np.isnan(duration).any():
        raise AnalysisError(f"{int(np.isnan(duration).sum())} durations are missing or not numbers",
                            column="duration")
    if (duration < 0).any():
        raise AnalysisError(f"{int((duration < 0).sum())} durations are negative", column="duration")
    event = _event_array(frame["event"])
    out = {"duration": duration, "event": event}
    for col in columns:
        if col is not None and col not in out:
            out[col] = frame[col].array  # keeps categoricals/nullable types, drops the index
    return pd.DataFrame(out, copy=False)


def _event_array(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values.dtype):
        if values.isna().any():
            raise AnalysisError("some events are missing", column="event")
        return values.astype(bool).to_numpy().astype(np.int8)
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    if np.isnan(v).any() or not np.isin(v, (0.0, 1.0)).all():
        raise AnalysisError("events must be 0/1 (or true/false) with no missing values",
                            column="event")
    return v.astype(np.int8)


def segment_labels(values: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes and ordered group names for a segment column.

    Ordered categoricals keep their category order (e.g. age bands), other values are sorted
    (numbers numerically); missing values form a last group named ``"(missing)"``.
    """
    s = values
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = [str(c) for c in s.cat.categories]
        present = s.cat.codes.to_numpy()
        used = np.unique(present[present >= 0])
        names = [cats[i] for i in used]
        remap = np.full(len(cats), -1, dtype=np.int64)
        remap[used] = np.arange(used.size)
        codes = np.where(present >= 0, remap[np.maximum(present, 0)], -1)
    else:
        sort_numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
        codes, uniques = pd.factorize(s, sort=sort_numeric)
        names = [_label(u) for u in uniques]
        if not sort_numeric:
            order = np.argsort(np.array(names, dtype=object), kind="stable")
            rank = np.empty(len(names), dtype=np.int64)
            rank[order] = np.arange(len(names))
            names = [names[i] for i in order]
            codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)
    codes = np.asarray(codes, dtype=np.int64)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(names), codes)
        names = [*names, MISSING_GROUP]
    return codes, tuple(names)


def _label(value: object) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)
