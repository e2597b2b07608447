"""Retention curves by segment: Kaplan-Meier per group, log-rank test, survival at key times.

This module is the public face of the survival engine: the estimators live in
:mod:`memberdesk.analysis.km` (Kaplan-Meier, Nelson-Aalen) and the group comparisons in
:mod:`memberdesk.analysis.logrank`; their public names are re-exported here.

Censoring convention (docs/conventions.md): a policy's duration runs from issue to its exit or to the
as-of date; the event is a voluntary exit (lapsed/surrendered by default); everything else is
right-censored.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.entry import entry_counts
from memberdesk.analysis.frames import MISSING_GROUP, default_unit, segment_labels, survival_frame
from memberdesk.analysis.km import (
    KMCurve,
    NelsonAalenCurve,
    curve_from_counts,
    grouped_counts,
    kaplan_meier,
    nelson_aalen,
    risk_sets,
)
from memberdesk.analysis.logrank import (
    LogrankResult,
    holm_adjust,
    logrank_from_counts,
    logrank_test,
    pairwise_logrank,
    rmst,
    rmst_by_group,
    survival_difference,
)
from memberdesk.analysis.weighted_logrank import WeightSpec, parse_test
from memberdesk.core.book import COUNT_COLUMN, durations_in
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.reasons import Reason

__all__ = [
    "KMCurve", "KMResult", "LogrankResult", "NelsonAalenCurve", "holm_adjust", "kaplan_meier",
    "km_by_segment", "logrank_test", "nelson_aalen", "pairwise_logrank", "rmst", "rmst_by_group",
    "survival_difference",
]

MAX_SEGMENTS = 100
LEVEL_LOOK_ROWS = 100_000  # policies an engine book looks at before counting by a segment
MAX_PAIRWISE_GROUPS = 30


@dataclass(frozen=True, eq=False)
class KMResult:
    """Kaplan-Meier curves of each segment (or one overall curve) and their comparison.

    Attributes
    ----------
    unit
        ``"days"`` or ``"months"``: the unit of every time in the result.
    by
        The segment column, or None for one overall curve.
    curves
        One :class:`KMCurve` per group (segment order: category order or sorted; a
        ``"(missing)"`` group last when asked for).
    logrank
        k-group test (log-rank or the weighted test asked for; its ``test`` names it), None
        when there are fewer than two groups.
    survival_at_times
        Tidy table: group, time, survival, ci_lower, ci_upper, at_risk (records at risk at
        that time), events (up to and including time), beyond_follow_up (nobody at risk at
        that time: survival and its CI are NaN, not the last step carried on) and last_time
        (the group's last observed time, in ``unit``).
    excluded
        Records left out, by reason: ``missing_group`` (no value in ``by``),
        ``out_of_window`` (ended on or before the study start), and the entry rejections
        ``entry_missing``, ``entry_negative``, ``exit_not_after_entry``.
    delayed_entry
        True when the curves use entry times (left truncation).
    pairwise
        The same test for every pair of groups with Holm-adjusted p-values (group_a, group_b,
        test, test_statistic, p_value, p_value_holm), when there are 3 to
        :data:`MAX_PAIRWISE_GROUPS` groups; None otherwise.
    """

    unit: str
    by: str | None
    curves: tuple[KMCurve, ...]
    logrank: LogrankResult | None
    survival_at_times: pd.DataFrame
    excluded: dict[str, int] = field(default_factory=dict)
    delayed_entry: bool = False
    pairwise: pd.DataFrame | None = None

    def curve(self, name: str) -> KMCurve:
        for c in self.curves:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """The docs/cli.md ``km --json`` object, plus ``excluded`` ({reason: count}) when
        records were left out and ``delayed_entry: true`` under left truncation."""
        out: dict[str, Any] = {"unit": self.unit, "groups": [c.to_json() for c in self.curves],
                               "logrank": None if self.logrank is None else self.logrank.to_json()}
        if self.excluded:
            out["excluded"] = dict(self.excluded)
        if self.delayed_entry:
            out["delayed_entry"] = True
        if self.pairwise is not None:
            out["pairwise"] = self.pairwise.to_dict("records")
        return out

    def to_frame(self) -> pd.DataFrame:
        """Every curve as one tidy table (group, time, at_risk, observed, censored, survival,
        ci_lower, ci_upper)."""
        return pd.concat([c.to_frame() for c in self.curves], ignore_index=True)

    def summary_frame(self) -> pd.DataFrame:
        """One row per group: n, events, median and its CI (inf = not reached)."""
        return pd.DataFrame({
            "group": [c.name for c in self.curves], "n": [c.n for c in self.curves],
            "events": [c.events for c in self.curves],
            "median": [c.median for c in self.curves],
            "median_ci_lower": [c.median_ci_lower for c in self.curves],
            "median_ci_upper": [c.median_ci_upper for c in self.curves],
        })

    def quantile_frame(self, probs: Sequence[float] = (0.25, 0.5, 0.75)) -> pd.DataFrame:
        """Quantiles of survival time per group (R ``quantile(survfit, probs)``: the time by
        which a share ``p`` has had the event, i.e. S = 1 - p), with CI limits; inf = not
        reached."""
        rows = []
        for c in self.curves:
            for p in probs:
                t, lo, hi = c.quantile(1.0 - p)
                rows.append((c.name, p, t, lo, hi))
        return pd.DataFrame(rows, columns=["group", "prob", "time", "ci_lower", "ci_upper"])


def km_by_segment(data: Dataset | pd.DataFrame, by: str | None = None, *,
                  unit: str | None = "months", times: Sequence[float] = (12, 24, 36, 60),
                  alpha: float | None = None, progress: Progress | None = None,
                  test: str | WeightSpec | None = None, missing: str = "drop",
                  entry: str | None = None, median_rule: str = "midpoint") -> KMResult:
    """Kaplan-Meier retention per segment of ``by`` (or overall), with a log-rank test.

    Parameters
    ----------
    data
        A Dataset (its policies view) or a DataFrame with ``duration`` and ``event`` columns
        (durations taken as already in ``unit``). See :mod:`memberdesk.analysis.frames`.
    by
        Segment column (e.g. ``"channel"``). Rows with a missing value are left out and
        counted (``excluded["missing_group"]``), as R does; ``missing="group"`` keeps them as a
        last ``"(missing)"`` group.
    unit
        ``"months"`` or ``"days"`` (None: months for insurer data, days for generic tables).
    times
        Times (in ``unit``) for the survival-at-times table.
    alpha
        1 − confidence level of the log-log bands (None: ``1 − ds.assumptions.ci_level`` for a
        Dataset, 0.05 for a frame).
    test
        The group comparison: ``logrank`` (default), ``wilcoxon``, ``tarone``, ``peto`` or
        ``fh:P,Q`` (:mod:`memberdesk.analysis.weighted_logrank`); stored in ``logrank``.
    entry
        Column of delayed-entry durations (generic tables); a Dataset with a study start gets
        its entry times without it (:mod:`memberdesk.analysis.entry`).
    median_rule
        ``"midpoint"`` (R/SAS, default) or ``"first"`` (lifelines), see
        :mod:`memberdesk.analysis.quantiles`.
    """
    if alpha is None:
        alpha = data.assumptions.alpha if isinstance(data, Dataset) else 0.05
    prog = ensure(progress)
    prog.status("Preparing durations")
    unit = default_unit(data) if unit is None else unit
    frame, weights = _rows_or_counts(data, unit, by, entry, missing=missing)
    excluded = {k: v for k, v in frame.attrs.get("rejected", {}).items()}
    if frame.attrs.get("out_of_window"):
        excluded["out_of_window"] = int(frame.attrs["out_of_window"])
    if by is None:
        codes, names = np.zeros(len(frame), dtype=np.int64), tuple[str, ...](("all",))
    else:
        codes, names = segment_labels(frame[by])
        if missing not in ("drop", "group"):
            raise AnalysisError(f"missing must be 'drop' or 'group'; got {missing!r}")
        if missing == "drop" and names and names[-1] == MISSING_GROUP:
            absent = codes == len(names) - 1
            excluded["missing_group"] = int(round(float(weights[absent].sum())))
            frame, weights, codes = frame.loc[~absent], weights[~absent], codes[~absent]
            names = names[:-1]
            if not names:
                raise AnalysisError(Reason("segment_all_missing", column=by), column=by)
        if len(names) > MAX_SEGMENTS:
            raise AnalysisError(Reason("segment_too_many", column=by, n=len(names),
                                       limit=MAX_SEGMENTS), column=by)
    check_cancelled(progress)
    prog.fraction(0.2)
    prog.status("Estimating survival curves")
    d = frame["duration"].to_numpy(dtype=float)
    e = frame["event"].to_numpy(dtype=np.int8)
    en = frame["entry"].to_numpy(dtype=float) if "entry" in frame.columns else None
    spec = parse_test(test)
    all_times, removed, observed, records = grouped_counts(d, e, weights, codes, len(names))
    at_risk = risk_sets(all_times, removed, en, weights, codes)
    curves = []
    for g, name in enumerate(names):
        keep = (records[g] > 0) | (all_times == 0.0)
        curves.append(curve_from_counts(name, all_times[keep], removed[g, keep], observed[g, keep],
                                        at_risk=at_risk[g, keep], alpha=alpha,
                                        median_rule=median_rule))
    check_cancelled(progress)
    prog.fraction(0.8)
    logrank, pairwise = None, None
    if len(names) >= 2 and observed.sum() > 0:
        prog.status("Comparing segments (log-rank)")
        logrank = logrank_from_counts(removed, observed, names, at_risk=at_risk, test=spec,
                                      dropped=excluded.get("missing_group", 0))
        if 3 <= len(names) <= MAX_PAIRWISE_GROUPS:
            pairwise = _pairwise(removed, observed, at_risk, names, spec)
    table = _survival_at_times(curves, times)
    prog.fraction(1.0)
    return KMResult(unit=unit, by=by, curves=tuple(curves), logrank=logrank,
                    survival_at_times=table, excluded=excluded, delayed_entry=en is not None,
                    pairwise=pairwise)


def _pairwise(removed: np.ndarray, observed: np.ndarray, at_risk: np.ndarray,
              names: Sequence[str], spec: WeightSpec) -> pd.DataFrame:
    """Every pair of groups compared by ``spec`` on the pair's own pooled sample, Holm-adjusted
    (as :func:`memberdesk.analysis.logrank.pairwise_logrank`, from the counts already made)."""
    rows = []
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            pick = [a, b]
            if observed[pick].sum() == 0:
                continue
            r = logrank_from_counts(removed[pick], observed[pick], (names[a], names[b]),
                                    at_risk=at_risk[pick], test=spec)
            rows.append((names[a], names[b], spec.label, r.test_statistic, r.p_value))
    out = pd.DataFrame(rows, columns=["group_a", "group_b", "test", "test_statistic", "p_value"])
    out["p_value_holm"] = holm_adjust(out["p_value"].to_numpy()) if len(out) else []
    return out


def _rows_or_counts(data: Dataset | pd.DataFrame, unit: str, by: str | None,
                    entry: str | None = None, *, also: Sequence[str] = (),
                    missing: str | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """The duration/event frame and its frequency weights: the rows (weight 1 each), or, for
    a Dataset backed by an engine book (issue #13), the book's counts by segment x duration x
    event computed in the engine, each count a frequency weight (same curves, exactly).
    ``also``: more policy-view columns counted beside the segment (``exit_status`` for the
    competing decrements); a generic table's book has none, so its rows are read then.
    ``missing`` (``"drop"`` or ``"group"``, the caller's rule for rows without a ``by`` value):
    the caller refuses more than :data:`MAX_SEGMENTS` levels; an engine book refuses them
    first, with the same reason and count, instead of fetching counts by every level (a
    segment such as ``policy_id`` would bring back a row per policy)."""
    book = getattr(data, "book", None)
    delayed = entry is not None or (isinstance(data, Dataset) and data.window_start is not None)
    if book is not None and isinstance(data, Dataset) and data.generic and entry is not None \
            and data.window_start is None and not also:
        # an engine's generic table: counts by (by, entry, duration, event), each a weight
        counts = book.cells(data, [c for c in (by, entry) if c is not None])
        return entry_counts(counts, counts[COUNT_COLUMN].to_numpy(dtype=float), unit=unit,
                            entry=entry, columns=(by,),
                            plain_duration=durations_in(unit,
                                                        counts["duration_days"].to_numpy()))
    if book is None or not isinstance(data, Dataset) or delayed or (also and data.generic):
        frame = survival_frame(data, unit=unit, columns=(by, *also), entry=entry)
        return frame, np.ones(len(frame))
    keys = [c for c in dict.fromkeys((by, *also)) if c is not None]
    # the first policies tell a column of too many levels (an id, a date) at once; one whose
    # levels only show further on is refused by the caller, after its counts are fetched
    if by is not None and missing is not None and not data.generic \
            and by in book.policies(data).columns \
            and book.level_count(data, by, rows=LEVEL_LOOK_ROWS)[0] > MAX_SEGMENTS:
        n, nulls = book.level_count(data, by)
        n += int(missing == "group" and nulls)  # the "(missing)" group is a level then
        raise AnalysisError(Reason("segment_too_many", column=by, n=n, limit=MAX_SEGMENTS),
                            column=by)
    counts = book.cells(data, keys)
    frame = pd.DataFrame({"duration": durations_in(unit, counts["duration_days"].to_numpy()),
                          "event": counts["event"].to_numpy(dtype=np.int8)})
    for c in keys:
        frame[c] = counts[c].array
    return frame, counts[COUNT_COLUMN].to_numpy(dtype=float)


def _survival_at_times(curves: Sequence[KMCurve], times: Sequence[float]) -> pd.DataFrame:
    t = np.asarray(times, dtype=float)
    parts = []
    for c in curves:
        lo, hi = c.ci_at(t)
        cum_events = np.concatenate([[0.0], np.cumsum(c.observed)])
        upto = np.searchsorted(c.timeline, t, side="right")
        at_risk = c.at_risk_at(t)
        # beyond follow-up (nobody at risk at t): the estimate would only repeat the last
        # step; blank with the last time observed instead (issue 17 C.11)
        beyond = np.asarray(at_risk, dtype=float) <= 0
        last = float(c.timeline[-1]) if len(c.timeline) else float("nan")
        survival = np.where(beyond, np.nan, c.survival_at(t))
        parts.append(pd.DataFrame({"group": c.name, "time": t, "survival": survival,
                                   "ci_lower": np.where(beyond, np.nan, lo),
                                   "ci_upper": np.where(beyond, np.nan, hi), "at_risk": at_risk,
                                   "events": cum_events[upto], "beyond_follow_up": beyond,
                                   "last_time": last}))
    if not parts:
        return pd.DataFrame(columns=["group", "time", "survival", "ci_lower", "ci_upper",
                                     "at_risk", "events", "beyond_follow_up", "last_time"])
    return pd.concat(parts, ignore_index=True)
