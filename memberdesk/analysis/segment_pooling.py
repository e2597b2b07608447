"""The largest segments kept, the rest pooled into one "Other" Kaplan-Meier curve.

A chart of twelve regions or nine issue years is unreadable; the Retention page and the report's
chart show the ``top`` largest groups and one curve for everything else (issue 17 B.8, C.13).
The tables keep every group: this only decides what a chart draws.

Conventions
-----------
* **Size** is the number of policies of a group (``KMCurve.n``: records, or the sum of the
  frequency weights for a counts-backed book). Ties keep the segment order (a stable sort).
* The kept groups stay in the result's segment order; "Other" comes last.
* **Pooling is not averaging.** The "Other" curve is the Kaplan-Meier estimate of the union
  of the pooled groups' records: at each time the pooled events and pooled number at risk are
  the sums of the groups' counts, and S(t) = prod (1 - d/n) over those sums, with the
  exponential-Greenwood (log-log) CI at the curves' own level (``KMCurve.alpha``) and their
  median rule. Without delayed entry this is computed exactly from the curves' own counts
  (removed = events + censored at each time; at risk = pooled records minus those removed
  before t), so it works for row-backed and count-backed (engine) books alike.
* **Delayed entry** (a study start, or an entry column): a group's number at risk between its
  own event times depends on entries the curve does not record, so the pooled curve is refitted
  from the records (``data`` is required then; the records are those
  :func:`memberdesk.analysis.frames.survival_frame` gives, as for the curves themselves).
* Nothing is pooled when there are at most ``top`` groups, or when the result has no segment.
* Times are in the result's unit (months or days); censoring conventions are those of
  :mod:`memberdesk.analysis.km`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from memberdesk.analysis.km import KMCurve, curve_from_counts, kaplan_meier
from memberdesk.analysis.survival import KMResult
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason

TOP_SEGMENTS = 6  # the chart's named groups; the rest are one pooled "Other" curve
OTHER = "Other"


@dataclass(frozen=True, eq=False)
class PooledSegments:
    """What a chart draws for a segmented Kaplan-Meier result.

    Attributes
    ----------
    curves
        The kept groups' curves in segment order, then the pooled curve (named
        ``other_name``) when groups were pooled; every curve of the result when none were.
    kept
        Names of the kept groups (segment order).
    pooled
        Names of the groups pooled into "Other" (segment order); empty when none were.
    other_name
        The name of the pooled curve.
    """

    curves: tuple[KMCurve, ...]
    kept: tuple[str, ...]
    pooled: tuple[str, ...]
    other_name: str = OTHER

    @property
    def other(self) -> KMCurve | None:
        """The pooled curve, None when nothing was pooled."""
        return self.curves[-1] if self.pooled else None


def pool_top_segments(result: KMResult, data: Dataset | pd.DataFrame | None = None, *,
                      top: int = TOP_SEGMENTS, other_name: str = OTHER,
                      entry: str | None = None) -> PooledSegments:
    """Keep the ``top`` largest groups of ``result`` and pool the others into one KM curve.

    Parameters
    ----------
    result
        A :class:`memberdesk.analysis.survival.KMResult` (from ``km_by_segment``).
    data
        The data ``result`` was computed from. Needed only under delayed entry
        (``result.delayed_entry``), when the pooled curve is refitted from the records.
    top
        Number of groups kept by size (policies), >= 1.
    other_name
        Name of the pooled curve (the caller's language: "Other", "其他").
    entry
        The entry column, for a DataFrame ``data`` whose result used one.

    Returns
    -------
    PooledSegments
        See the module docstring for the conventions.

    Raises
    ------
    AnalysisError
        ``top`` < 1, or delayed entry without ``data``.
    """
    if top < 1:
        raise AnalysisError(f"top must be at least 1; got {top}")
    curves = tuple(result.curves)
    names = tuple(str(c.name) for c in curves)
    if result.by is None or len(curves) <= top:
        return PooledSegments(curves, names, (), other_name)
    order = sorted(range(len(curves)), key=lambda i: -float(curves[i].n))
    keep = sorted(order[:top])
    rest = sorted(order[top:])
    if result.delayed_entry:
        if data is None:
            raise AnalysisError(Reason("pooling_needs_records"))
        pooled = _pooled_from_records(result, data, [names[i] for i in rest], entry)
    else:
        pooled = pooled_curve([curves[i] for i in rest])
    return PooledSegments(
        curves=(*[curves[i] for i in keep], replace(pooled, name=other_name)),
        kept=tuple(names[i] for i in keep), pooled=tuple(names[i] for i in rest),
        other_name=other_name)


def pooled_curve(curves: Sequence[KMCurve], name: str = OTHER) -> KMCurve:
    """The Kaplan-Meier curve of the union of ``curves``' records, from their counts.

    Exact without delayed entry: each curve's timeline holds every time at which it removed
    records (events or censorings), so summing the removed and observed counts on the union of
    the timelines gives the pooled records' counts; the number at risk follows from them. The
    CI level and median rule are the first curve's.
    """
    if not curves:
        raise AnalysisError(Reason("pooling_no_curves"))
    times = np.unique(np.concatenate([np.asarray(c.timeline, dtype=float) for c in curves]
                                     + [np.zeros(1)]))
    removed = np.zeros(len(times))
    observed = np.zeros(len(times))
    for c in curves:
        at = np.searchsorted(times, np.asarray(c.timeline, dtype=float))
        observed[at] += np.asarray(c.observed, dtype=float)
        removed[at] += np.asarray(c.observed, dtype=float) + np.asarray(c.censored, dtype=float)
    first = curves[0]
    return curve_from_counts(name, times, removed, observed, alpha=first.alpha,
                             median_rule=first.median_rule)


def _pooled_from_records(result: KMResult, data: Dataset | pd.DataFrame,
                         pooled: Sequence[str], entry: str | None) -> KMCurve:
    """The pooled curve refitted on the pooled groups' records (delayed entry)."""
    from memberdesk.analysis.frames import segment_labels, survival_frame

    assert result.by is not None
    frame = survival_frame(data, unit=result.unit, columns=(result.by,), entry=entry)
    codes, names = segment_labels(frame[result.by])
    wanted = [i for i, n in enumerate(names) if n in set(pooled)]
    mask = np.isin(codes, wanted)
    rows = frame.loc[mask]
    if rows.empty:
        raise AnalysisError(Reason("pooling_no_records"))
    first = result.curves[0]
    return kaplan_meier(rows["duration"].to_numpy(dtype=float), rows["event"].to_numpy(),
                        entry=rows["entry"].to_numpy(dtype=float) if "entry" in rows else None,
                        alpha=first.alpha, median_rule=first.median_rule)


__all__ = ["OTHER", "TOP_SEGMENTS", "PooledSegments", "pool_top_segments", "pooled_curve"]
