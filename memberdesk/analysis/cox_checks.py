"""Separation checks of a Cox model, made on the data before the fit and on the fit after it.

Before the fit (certain separation, refused with an :class:`AnalysisError`):

* a categorical level in which nobody has the event (its hazard ratio would be 0, or that of
  every other level infinite when it is the reference level);
* a design column that is, at every event, the largest (or smallest) value among the rows
  still at risk in its stratum, and not equal to all of them at least once: the partial
  likelihood then increases without bound along that coefficient (monotone likelihood), so
  the estimate is infinite. Checked on the collapsed rows (risk sets of the rows' exit times;
  with delayed entry the risk sets are supersets, so the check stays certain).

Before the fit (near-separation, a note): lifelines' ``check_complete_separation_low_variance``
idea: a column whose variance among the event rows, or among the censored rows, is below
``LOW_VARIANCE`` of its overall variance (frequency-weighted, on the collapsed rows).

After the fit (a note, R's wording "coefficient may be infinite"): the Newton step still
left at the final estimate is not small against the coefficient (R: |I^-1 U| > 1e-9 and
> ``toler.inf`` = 1e-5 x |beta|), or the standard error on the standardised scale is above
``INFINITE_SE`` (a finite, identifiable effect has a standardised SE of order 1/sqrt(events)).
"""
from __future__ import annotations

import numpy as np

from memberdesk.analysis.cox_engine import GRAM_BLOCK_ROWS, _Stratum
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason

LOW_VARIANCE = 1e-4
SEPARATION_PROBE = 4096  # events checked first by the separation check
TOLER_INF = 1e-5   # R coxph.control(toler.inf)
INFINITE_SE = 20.0


def check_level_events(column: str, levels: list[str], codes: np.ndarray, events: np.ndarray,
                       weights: np.ndarray) -> None:
    """Refuse a categorical level without events (``codes`` index ``levels``)."""
    ev = np.bincount(codes, weights=weights * events, minlength=len(levels))
    empty = np.flatnonzero(ev == 0)
    if empty.size:
        level = levels[int(empty[0])]
        raise AnalysisError(Reason("cox_level_without_events", column=column, level=level),
                            column=column)


def check_monotone_likelihood(strata: list[_Stratum], names: list[str], sources: list[str],
                              extremes: list[tuple[np.ndarray, np.ndarray]] | None = None
                              ) -> None:
    """Refuse a column that is extreme within every event's risk set (see the module doc).
    ``extremes``: per stratum, the maximum and minimum of each column of ``x`` over the rows
    of each exit time (times x columns; computed here when None)."""
    p = len(names)
    always_max = np.ones(p, dtype=bool)
    always_min = np.ones(p, dtype=bool)
    some_below = np.zeros(p, dtype=bool)
    some_above = np.zeros(p, dtype=bool)
    for k, s in enumerate(strata):
        if s.dead_rows.size == 0:
            continue
        t_max, t_min = (np.maximum.reduceat(s.x, s.starts, axis=0),
                        np.minimum.reduceat(s.x, s.starts, axis=0)) if extremes is None \
            else extremes[k]
        hi = np.maximum.accumulate(t_max[::-1], axis=0)[::-1]  # over the rows still at risk
        lo = np.minimum.accumulate(t_min[::-1], axis=0)[::-1]
        t = s.tcode[s.dead_rows]
        # a first block of events rules out (exactly) most columns: one event below the risk
        # set's maximum and one above its minimum, and the column cannot be refused
        head = min(t.size, SEPARATION_PROBE)
        xd0 = s.x[s.dead_rows[:head]]
        open_cols = np.flatnonzero((always_max & (xd0 >= hi[t[:head]]).all(axis=0))
                                   | (always_min & (xd0 <= lo[t[:head]]).all(axis=0)))
        ruled_out = ~np.isin(np.arange(p), open_cols)
        always_max[ruled_out] = False
        always_min[ruled_out] = False
        for col in open_cols.tolist():
            xd = s.x[s.dead_rows, col]
            hj, lj = hi[t, col], lo[t, col]
            always_max[col] &= bool((xd >= hj).all())
            always_min[col] &= bool((xd <= lj).all())
            some_below[col] |= bool((xd > lj).any())
            some_above[col] |= bool((xd < hj).any())
    bad = np.flatnonzero((always_max & some_below) | (always_min & some_above))
    if bad.size:
        j = int(bad[0])
        side = "highest" if always_max[j] else "lowest"
        raise AnalysisError(Reason(f"cox_separation_{side}", name=names[j]), column=sources[j])


def low_variance_columns(x: np.ndarray, weights: np.ndarray, events: np.ndarray,
                         names: list[str]) -> list[str]:
    """Columns with (almost) no variance among the events or among the censored rows.

    Each variance is the weighted mean squared deviation from the group's weighted mean (two
    passes, as a direct formula), computed with weights that are zero outside the group and in
    row blocks, so no copy of ``x`` is made."""
    died = events > 0
    groups = np.stack([weights, np.where(died, weights, 0.0), np.where(died, 0.0, weights)])
    sums = [float(w.sum()) for w in groups]
    weighted = groups @ x  # the three groups' weighted sums in one pass over x
    means = [weighted[k] / total if total != 0 else np.zeros(x.shape[1])
             for k, total in enumerate(sums)]
    sq = [np.zeros(x.shape[1]) for _ in groups]
    for a in range(0, x.shape[0], GRAM_BLOCK_ROWS):
        xb = x[a:a + GRAM_BLOCK_ROWS]
        for k, w in enumerate(groups):
            sq[k] += w[a:a + GRAM_BLOCK_ROWS] @ (xb - means[k]) ** 2
    var = [np.full(x.shape[1], np.inf) if total == 0 else sq_k / total
           for sq_k, total in zip(sq, sums)]
    low = (var[1] < LOW_VARIANCE * var[0]) | (var[2] < LOW_VARIANCE * var[0])
    return [n for n, flag in zip(names, low) if flag]


def possibly_infinite(beta_std: np.ndarray, se_std: np.ndarray, remaining_step: np.ndarray
                      ) -> np.ndarray:
    """Mask of the coefficients R would call "may be infinite" (or whose standardised SE is
    beyond any finite effect)."""
    step = (remaining_step > 1e-9) & (remaining_step > TOLER_INF * np.abs(beta_std))
    return np.asarray(step | ~(se_std <= INFINITE_SE))
