"""Life-table (actuarial) estimate on chosen intervals, as SAS ``PROC LIFETEST METHOD=LT``.

Conventions (SAS/STAT User's Guide, PROC LIFETEST, "Life-Table Estimates"):

* Intervals [t_{j-1}, t_j) given by ``breaks`` (in the durations' unit, ascending, starting at
  0 or above; the last interval is [t_last, inf)): an event or censoring at exactly t_j falls in
  the next interval.
* n_j = records entering interval j (duration >= t_{j-1}); d_j events and w_j censorings
  (withdrawals) in it; effective sample size n'_j = n_j - w_j / 2 (withdrawals at risk for half
  the interval on average).
* Conditional probability of the event q_j = d_j / n'_j, p_j = 1 - q_j; survival at the start
  of the interval S_j = prod_{i<j} p_i (S_1 = 1), its Greenwood standard error
  S_j sqrt(sum_{i<j} q_i / (n'_i p_i)).
* Hazard (per unit of time, at the interval midpoint) d_j / (h_j (n'_j - d_j / 2)) and density
  S_j q_j / h_j with h_j the interval width (missing for the open last interval).
* ``weights`` are frequency weights. Delayed entry is not supported (left out of this method).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from memberdesk.analysis.frames import MISSING_GROUP, default_unit, segment_labels
from memberdesk.analysis.km import ArrayLike, check_inputs
from memberdesk.analysis.survival import _rows_or_counts
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason

COLUMNS: tuple[str, ...] = ("group", "from", "to", "entering", "events", "censored", "effective",
                            "conditional_failure", "survival", "survival_se", "hazard", "density")


@dataclass(frozen=True, eq=False)
class LifeTable:
    """One life table per group, stacked: the columns of :data:`COLUMNS` (``to`` = inf for the
    last, open interval). Times in ``unit``."""

    unit: str
    by: str | None
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def to_json(self) -> dict[str, object]:
        rows = [{k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                 for k, v in r.items()} for r in self.table.to_dict("records")]
        return {"unit": self.unit, "by": self.by, "rows": rows}


def life_table(durations: ArrayLike, events: ArrayLike, breaks: ArrayLike, *,
               weights: ArrayLike | None = None, name: str = "all") -> pd.DataFrame:
    """The actuarial life table of one group on the intervals of ``breaks`` (module doc)."""
    d, e, w = check_inputs(durations, events, weights)
    b = np.unique(np.asarray(breaks, dtype=float))
    if b.size == 0 or b[0] < 0 or not np.isfinite(b).all():
        raise AnalysisError(Reason("lifetable_bad_breaks"))
    if d.size == 0:
        raise AnalysisError(Reason("lifetable_no_records", name=name))
    if b[0] > 0:
        b = np.concatenate([[0.0], b])
    k = b.size
    interval = np.searchsorted(b, d, side="right") - 1     # [b_j, b_{j+1})
    events_j = np.bincount(interval, weights=w * e, minlength=k)
    removed_j = np.bincount(interval, weights=w, minlength=k)
    censored_j = removed_j - events_j
    entering = removed_j[::-1].cumsum()[::-1]
    effective = entering - censored_j / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(effective > 0, events_j / effective, np.nan)
        p = 1.0 - q
        gw = np.where((effective > 0) & (p > 0), q / (effective * p), np.nan)
    survival = np.concatenate([[1.0], np.cumprod(np.nan_to_num(p, nan=1.0))[:-1]])
    var_sum = np.concatenate([[0.0], np.cumsum(np.nan_to_num(gw, nan=0.0))[:-1]])
    width = np.append(np.diff(b), np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(np.isfinite(width), events_j / (width * (effective - events_j / 2.0)), np.nan)
        density = np.where(np.isfinite(width), survival * q / width, np.nan)
    return pd.DataFrame({
        "group": name, "from": b, "to": np.append(b[1:], np.inf), "entering": entering,
        "events": events_j, "censored": censored_j, "effective": effective,
        "conditional_failure": q, "survival": survival,
        "survival_se": survival * np.sqrt(var_sum), "hazard": hazard, "density": density,
    }, columns=list(COLUMNS))


def life_table_by_segment(data: Dataset | pd.DataFrame, by: str | None = None, *,
                          breaks: ArrayLike, unit: str | None = None) -> LifeTable:
    """Life tables of each segment of ``by`` (rows with no value left out, as the KM), on a
    Dataset or a duration/event DataFrame (:func:`memberdesk.analysis.frames.survival_frame`).
    A Dataset with a study start is refused: this method has no delayed entry."""
    if isinstance(data, Dataset) and data.window_start is not None:
        raise AnalysisError(Reason("lifetable_study_start"))
    unit = default_unit(data) if unit is None else unit
    # the rows, or an engine book's counts by segment x duration x event as frequency weights
    frame, weights = _rows_or_counts(data, unit, by)
    if by is None:
        parts = [life_table(frame["duration"], frame["event"], breaks, weights=weights)]
    else:
        codes, names = segment_labels(frame[by])
        parts = [life_table(frame["duration"][codes == g], frame["event"][codes == g], breaks,
                            weights=weights[codes == g], name=n)
                 for g, n in enumerate(names) if n != MISSING_GROUP]
    return LifeTable(unit=unit, by=by, table=pd.concat(parts, ignore_index=True))
