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

Delayed entry (left truncation, R's ``Surv(entry, exit, event)``): the frame gets a float
``entry`` column (same unit as ``duration``; 0 = observed from issue/start; else at risk on
(entry, duration]) when

* the Dataset has a study start (:attr:`Dataset.study_start`, insurer data): a policy issued
  before it enters at its duration on that date; a policy that ended on or before it is out of
  the study window: left out and counted (``frame.attrs["out_of_window"]``), not rejected;
* ``entry=COL`` names a column of entry durations (generic tables, DataFrames): rows with a
  missing or negative entry, or with duration <= entry (no time at risk), are rejected: left
  out and counted per reason in ``frame.attrs["rejected"]`` (``entry_missing``,
  ``entry_negative``, ``exit_not_after_entry``) with the first row's position in
  ``frame.attrs["first_rejected"]``.

Every survival statistic built on this frame (Kaplan-Meier, Nelson-Aalen, at-risk tables,
medians, RMST, the log-rank family, Aalen-Johansen, Cox via ``entry``) uses the entry column
when present. Cohort tables, persistency and experience studies do not read it (they have their
own calendar windows).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.entry import entry_frame
from memberdesk.core import labels, schema
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.policy_rules import derive_exits
from memberdesk.core.reasons import Reason

UNITS: tuple[str, ...] = ("days", "months")
MISSING_GROUP = "(missing)"


def default_unit(data: Dataset | pd.DataFrame) -> str:
    """Months for insurer data, days (= the raw unit) for generic tables and DataFrames."""
    if isinstance(data, Dataset) and not data.generic:
        return "months"
    return "days"


def survival_frame(data: Dataset | pd.DataFrame, *, unit: str = "months",
                   columns: Sequence[str | None] = (), entry: str | None = None) -> pd.DataFrame:
    """A frame with ``duration`` (float, in ``unit``) and ``event`` (0/1) plus ``columns``,
    and ``entry`` under delayed entry (module doc; ``entry`` names a column of entry
    durations, in the same unit as the durations).

    ``columns`` are checked to exist (``None`` entries are skipped): an unknown name raises
    :class:`AnalysisError` naming it and listing the available columns.
    """
    if unit not in UNITS:
        raise AnalysisError(f"unit must be one of {', '.join(UNITS)}; got {unit!r}")
    study_start = data.window_start if isinstance(data, Dataset) else None
    if entry is not None or study_start is not None:
        return entry_frame(data, unit=unit, columns=columns, entry=entry,
                           plain=lambda cols: _plain_frame(data, unit, cols))
    return _plain_frame(data, unit, columns)


def _plain_frame(data: Dataset | pd.DataFrame, unit: str, columns: Sequence[str | None]) -> pd.DataFrame:
    """:func:`survival_frame` without delayed entry."""
    if isinstance(data, Dataset):
        direct = _direct_policy_frame(data, unit, columns)
        if direct is not None:
            return direct
        p = data.policies
        if p is None or len(p) == 0:
            raise AnalysisError(Reason("no_policies"))
        frame = p
        source_duration = p["duration_months" if unit == "months" else "duration_days"]
    elif isinstance(data, pd.DataFrame):
        missing = [c for c in ("duration", "event") if c not in data.columns]
        if missing:
            raise AnalysisError(Reason("frame_needs_column", column=missing[0])
                                if len(missing) == 1 else Reason("frame_needs_duration_and_event"),
                                column=missing[0])
        frame = data
        source_duration = data["duration"]
        if len(frame) == 0:
            raise AnalysisError(Reason("frame_no_records"))
    else:
        raise AnalysisError(f"cannot analyse a {type(data).__name__}; pass a Dataset or DataFrame")
    for col in columns:
        if col is not None and col not in frame.columns:
            available = sorted(c for c in frame.columns if c not in ("duration", "event"))
            raise AnalysisError(Reason("frame_unknown_column", column=col,
                                       columns=", ".join(map(str, available))), column=col)
    duration = pd.to_numeric(source_duration, errors="coerce").to_numpy(dtype=float)
    if np.isnan(duration).any():
        raise AnalysisError(Reason("frame_durations_missing", n=int(np.isnan(duration).sum())),
                            column="duration")
    if (duration < 0).any():
        raise AnalysisError(Reason("km_durations_negative", n=int((duration < 0).sum())),
                            column="duration")
    event = _event_array(frame["event"])
    out: dict[str, object] = {"duration": duration, "event": event}
    for col in columns:
        if col is not None and col not in out:
            out[col] = _column_values(frame[col])
    return pd.DataFrame(out, copy=False)


def _direct_policy_frame(ds: Dataset, unit: str, columns: Sequence[str | None]) -> pd.DataFrame | None:
    """Durations and events of insurer data computed straight from the validated policies,
    without building the whole :attr:`Dataset.policies` view (~0.5 s at 1M rows, most of a
    ``memberdesk km`` run), or None when the view is needed: generic data, active filters,
    a ``duration`` column, requested columns the view derives (bands, member attributes),
    or the view already built.

    The exit rules are :func:`memberdesk.core.policy_rules.derive_exits`, the one definition
    :attr:`Dataset.policies` uses too (tests/survival/test_direct_frame.py holds the frames
    equal); rows issued after as-of are out of the window.
    """
    validated = ds.validated.get(schema.POLICIES)
    if ds.generic or ds.filters.active or validated is None or ds.policies_view_built \
            or ds.window_start is not None \
            or "issue_date" not in validated.columns or "duration" in validated.columns:
        return None
    wanted = [c for c in dict.fromkeys(columns) if c is not None]
    if any(c not in validated.columns or c in ("duration", "event") for c in wanted):
        return None
    as_of = ds.as_of.to_datetime64()
    issue = validated["issue_date"].to_numpy(dtype="datetime64[ns]")
    keep = np.isnat(issue) | (issue <= as_of)
    window = None if keep.all() else np.flatnonzero(keep)
    n = len(issue) if window is None else window.size
    if n == 0:
        raise AnalysisError(Reason("no_policies"))

    def take(values: np.ndarray) -> np.ndarray:
        return values if window is None else values[window]

    exits = derive_exits(
        take(issue),
        take(validated["end_date"].to_numpy(dtype="datetime64[ns]"))
        if "end_date" in validated.columns else None,
        take(validated["status"].to_numpy(dtype=object)) if "status" in validated.columns else None,
        as_of, ds.event_statuses)
    duration, event = exits.duration_days, exits.event
    if unit == "months":
        duration = duration / schema.DAYS_PER_MONTH
    if np.isnan(duration).any():
        raise AnalysisError(Reason("frame_durations_missing", n=int(np.isnan(duration).sum())),
                            column="duration")
    if (duration < 0).any():
        raise AnalysisError(Reason("km_durations_negative", n=int((duration < 0).sum())),
                            column="duration")
    out: dict[str, object] = {"duration": duration, "event": event}
    for col in wanted:
        values: Any = _column_values(validated[col])
        out[col] = values if window is None else values.take(window)
    return pd.DataFrame(out, copy=False)


def _column_values(column: pd.Series) -> object:
    """The column's values without its index: categoricals and nullable types keep their
    extension array; plain numpy columns give their ndarray (a frame built from a numpy-backed
    extension array scans an object column for missing values, ~25 ms a million rows)."""
    values = column.array
    # np.asarray, not .to_numpy(): the latter scans an object column for missing values first
    return np.asarray(values) if isinstance(values, pd.arrays.NumpyExtensionArray) else values


def _event_array(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values.dtype):
        if values.isna().any():
            raise AnalysisError(Reason("frame_events_missing"), column="event")
        return values.astype(bool).to_numpy().astype(np.int8)
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    if np.isnan(v).any() or not np.isin(v, (0.0, 1.0)).all():
        raise AnalysisError(Reason("km_events_not_binary"), column="event")
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
            # natural order for bands and tiers (core.labels.VALUE_ORDERS), else alphabetical
            ordered = labels.ordered_values(names)
            order = np.array([names.index(str(n)) for n in ordered], dtype=np.int64)
            rank = np.empty(len(names), dtype=np.int64)
            rank[order] = np.arange(len(names))
            names = [names[i] for i in order]
            # (every value missing: no name to rank, every code is -1 and stays so)
            codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1) if names else codes
    codes = np.asarray(codes, dtype=np.int64)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(names), codes)
        names = [*names, MISSING_GROUP]
    return codes, tuple(names)


def _label(value: object) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)
