"""Quantiles (median first) of a survival step curve, by R's rule or lifelines' rule.

Conventions
-----------
* A curve is given as ``timeline`` (sorted, ascending, in the caller's unit) and ``curve``
  values (survival S(t), or a lower/upper confidence curve) aligned with it; the curve is a
  right-continuous step function. Missing values (NaN, e.g. the log-log CI where S(t) = 0) are
  skipped, as R's ``approx`` skips NA.
* ``rule="midpoint"`` (the default; R ``quantile.survfit``, SAS ``PROC LIFETEST``): the
  q-quantile of survival is the first time with S(t) <= q, except where S(t) equals q over a
  flat stretch, where it is the midpoint of that stretch (from the time S reaches q to the time
  of the next drop; to the last time of the curve when the curve ends at q). "Equals" means
  within ``tol`` = sqrt(machine epsilon) ~ 1.5e-8 (R's ``tolerance``): the product-limit
  estimate is computed in floating point, so a product that is exactly 1/2 in fractions (R's
  ``pbc`` with edema = 1: 20 subjects, 10 single deaths) comes out as 0.5000000000000002.
* ``rule="first"`` (lifelines ``qth_survival_time`` / ``median_survival_time_``): the first
  time with S(t) <= q exactly, no tolerance and no midpoint. Kept for comparisons with
  lifelines only.
* Not reached: ``inf`` (R's NA; shown as "not reached").
"""
from __future__ import annotations

import math

import numpy as np

RULES: tuple[str, ...] = ("midpoint", "first")
TOLERANCE = math.sqrt(np.finfo(float).eps)


def quantile_time(q: float, timeline: np.ndarray, curve: np.ndarray, *, rule: str = "midpoint",
                  tol: float = TOLERANCE) -> float:
    """Time at which the step curve reaches level ``q`` (0 < q < 1; 0.5 = median).

    Parameters
    ----------
    q
        Survival level (0.5 for the median, 0.75 for the first quartile of time).
    timeline, curve
        Aligned arrays; ``curve`` non-increasing where defined (NaN allowed, skipped).
    rule
        ``"midpoint"`` (R/SAS) or ``"first"`` (lifelines), see the module doc.
    tol
        Tolerance of the ``"midpoint"`` rule's equality test.

    Returns
    -------
    float
        The time, ``inf`` when the curve never gets down to ``q``.
    """
    t = np.asarray(timeline, dtype=float)
    s = np.asarray(curve, dtype=float)
    if rule == "first":
        return _first_time(q, t, s)
    if rule != "midpoint":
        raise ValueError(f"rule must be one of {RULES}; got {rule!r}")
    return _midpoint_time(q, t, s, tol)


def _first_time(q: float, t: np.ndarray, s: np.ndarray) -> float:
    hit = np.flatnonzero(s <= q)
    return float(t[hit[0]]) if hit.size else math.inf


def _midpoint_time(q: float, t: np.ndarray, s: np.ndarray, tol: float) -> float:
    """R's ``findq`` on the cumulative distribution y = 1 - S with the point (t0, y = 0)
    in front, where t0 is the first time of the timeline (0 for MemberDesk curves)."""
    if t.size == 0:
        return math.inf
    t_last = float(t[-1])
    x = np.concatenate([[t[0]], t])
    y = np.concatenate([[0.0], 1.0 - s])
    ok = ~np.isnan(y)
    x, y = x[ok], y[ok]
    p = 1.0 - q
    if y.size == 0 or y.max() < p:
        return math.inf
    # keep the first point of each level (censored times repeat the level)
    first = np.concatenate([[True], y[1:] != y[:-1]])
    x, y = x[first], y[first]
    reach = np.flatnonzero(y >= p - tol)      # R: indx1
    below = np.flatnonzero(y >= p + tol)      # R: indx2 (strictly past the level)
    if reach.size == 0:
        return math.inf
    start = float(x[reach[0]])
    if ok[-1] and abs(p - y[-1]) < tol:       # the curve ends on the level
        return (start + t_last) / 2.0
    if below.size == 0:
        return math.inf
    return (start + float(x[below[0]])) / 2.0
