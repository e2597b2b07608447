"""Delayed entry (left truncation): the ``entry`` column of the survival frame.

Conventions (see also :mod:`memberdesk.analysis.frames`):

* An entry time is a duration in the frame's unit. 0 = observed from issue (or from the start
  of a generic record); the record is at risk on (entry, exit], R's ``Surv(entry, exit,
  event)``: an exit at exactly the entry time is not observed, and a record with exit <= entry
  (including a zero duration with entry 0) has no time at risk: rejected, as R makes it NA.
* Study start (insurer data, ``Dataset.study_start``): the study observes the policies in force
  after that date. A policy issued before it enters at entry = (study start - issue date) in
  days (/ 365.25 * 12 for months); one issued on or after it has entry 0. A policy whose exit
  date is on or before the study start has no time in the window: it is *out of window* (left
  out and counted, as records after the as-of date are), not rejected. A policy issued on or
  after the study start that ended on its issue date (duration 0) is rejected
  (``exit_not_after_entry``), as Cox does with the same frame.
* Entry column (``entry=COL``, generic tables and DataFrames): values in the durations' unit
  (for a generic Dataset read in months, divided by 365.25/12 like the durations). Rows with a
  missing or negative entry, or whose exit is not after the entry, are rejected with a
  reason code, counted in ``attrs["rejected"]``; ``attrs["first_rejected"]`` gives the first
  such row's position (0-based, in the analysed table) and reason.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from memberdesk.core import schema
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason

REASONS: tuple[str, ...] = ("entry_missing", "entry_negative", "exit_not_after_entry")


def entry_frame(data: Dataset | pd.DataFrame, *, unit: str, columns: Sequence[str | None],
                entry: str | None, plain: Callable[[tuple[str | None, ...]], pd.DataFrame]
                ) -> pd.DataFrame:
    """The survival frame with an ``entry`` column (module doc). ``plain`` builds the frame
    without delayed entry for the given columns."""
    # the segment may be the entry column itself (km --by t0 --entry t0): kept under its name
    wanted = tuple(dict.fromkeys(c for c in columns if c is not None))
    study_start = data.window_start if isinstance(data, Dataset) else None
    if entry is not None:
        frame = plain(tuple(dict.fromkeys((*wanted, entry))))
        if pd.api.types.is_datetime64_any_dtype(frame[entry]):
            raise AnalysisError(f"--entry {entry} holds dates; the entry is a time since the "
                                "policy's start, in days: for a calendar date from which to "
                                "count, use --study-start YYYY-MM-DD", column=entry)
        values = pd.to_numeric(frame[entry], errors="coerce").to_numpy(dtype=float)
        if isinstance(data, Dataset) and unit == "months":
            values = values / schema.DAYS_PER_MONTH
        out = _with_entry(frame, values, wanted)
        return _reject(out, entry)[0]
    if study_start is None:
        raise AnalysisError(Reason("entry_none"))
    assert isinstance(data, Dataset)
    if data.generic:
        raise AnalysisError(Reason("entry_study_start_generic"), column="issue_date")
    if pd.Timestamp(study_start) >= data.as_of:
        raise AnalysisError(Reason("entry_study_start_after_as_of",
                                   study_start=str(pd.Timestamp(study_start).date()),
                                   as_of=str(data.as_of.date())))
    frame = plain((*wanted, "issue_date", "exit_date"))
    start = pd.Timestamp(study_start).to_datetime64()
    issue = frame["issue_date"].to_numpy(dtype="datetime64[ns]")
    exit_date = frame["exit_date"].to_numpy(dtype="datetime64[ns]")
    days = (start - issue).astype("timedelta64[D]").astype(float)
    days = np.where(np.isnan(days), 0.0, np.maximum(days, 0.0))
    entry_values = days / schema.DAYS_PER_MONTH if unit == "months" else days
    gone = ~np.isnat(exit_date) & (exit_date <= start)
    out = _with_entry(frame, entry_values, wanted)
    out = _reject(pd.DataFrame(out.loc[~gone].reset_index(drop=True)), "issue_date")[0]
    out.attrs.update({"out_of_window": int(gone.sum()),
                      "study_start": str(pd.Timestamp(study_start).date())})
    return out


def _with_entry(frame: pd.DataFrame, entry: np.ndarray, wanted: tuple[str, ...]) -> pd.DataFrame:
    cols: dict[str, object] = {"duration": frame["duration"].to_numpy(dtype=float),
                               "event": frame["event"].to_numpy(), "entry": entry}
    for c in wanted:
        if c not in cols:  # a segment named duration, event or entry is the frame's own column
            cols[c] = frame[c].array
    return pd.DataFrame(cols, copy=False)


def _reasons(frame: pd.DataFrame) -> np.ndarray:
    """Each row's entry rejection reason ("" when usable; the first that applies of
    :data:`REASONS`)."""
    en = frame["entry"].to_numpy(dtype=float)
    d = frame["duration"].to_numpy(dtype=float)
    reason = np.full(en.size, "", dtype=object)
    reason[d <= en] = "exit_not_after_entry"
    reason[en < 0] = "entry_negative"
    reason[np.isnan(en)] = "entry_missing"
    return reason


def entry_counts(counts: pd.DataFrame, weights: np.ndarray, *, unit: str, entry: str,
                 columns: Sequence[str | None], plain_duration: np.ndarray
                 ) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`entry_frame` of an engine's generic table from its counts: ``counts`` has one row
    per distinct (``columns``, ``entry``, duration, event) with its count in ``weights``, and
    ``plain_duration`` its durations in ``unit``. Each count is a frequency weight, so the
    rejections are the sums of the rejected cells' counts and the curves and tests are those
    of the records (no record is rebuilt; ``attrs["first_rejected"]`` is None: a cell has no
    row position). Returns the kept cells and their weights."""
    values = pd.to_numeric(counts[entry], errors="coerce").to_numpy(dtype=float)
    if unit == "months":
        values = values / schema.DAYS_PER_MONTH
    # the entry column may be the segment too (as in entry_frame)
    wanted = tuple(dict.fromkeys(c for c in (*columns, entry) if c is not None))
    frame = _with_entry(counts.assign(duration=plain_duration), values, wanted)
    out, kept = _reject(frame, entry, weights)
    return out, weights[kept]


def _reject(frame: pd.DataFrame, column: str, weights: np.ndarray | None = None
            ) -> tuple[pd.DataFrame, np.ndarray]:
    """Drop rows with an unusable entry, counting each reason (module doc); returns the kept
    rows and the mask of them. ``weights``: frequency weights of the rows (an engine's cells):
    each reason counts their sum, and no row has a position to name."""
    reason = _reasons(frame)
    bad = reason != ""
    w = np.ones(len(frame)) if weights is None else weights
    counts = {r: int(round(float(w[reason == r].sum()))) for r in REASONS if (reason == r).any()}
    first = None
    if bad.any() and weights is None:
        i = int(np.flatnonzero(bad)[0])
        first = {"position": i, "reason": str(reason[i]), "column": column}
    out = frame.loc[~bad].reset_index(drop=True) if bad.any() else frame
    if len(out) == 0:
        listed = ", ".join(f"{reason} {n:,}" for reason, n in counts.items())
        raise AnalysisError(Reason("entry_all_rejected", listed=listed), column=column)
    out.attrs = {"out_of_window": 0, "rejected": counts, "first_rejected": first}
    return out, ~bad
