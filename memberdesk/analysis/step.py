"""The one step-function lookup: "the value at the last point ≤ t".

Kaplan-Meier curves, cumulative incidence curves and settlement curves are right-continuous
step functions: the value at ``timeline[i]`` holds from ``timeline[i]`` up to (not including)
``timeline[i + 1]``. Reading such a curve at arbitrary times is :func:`step_values`; every
analysis (and every presenter) reads curves through it, so the rule is written once.
"""
from __future__ import annotations

import numpy as np
import numpy.typing as npt

ArrayLike = npt.ArrayLike


def step_index(timeline: npt.ArrayLike, times: ArrayLike) -> npt.NDArray[np.intp]:
    """Index of the last ``timeline`` point ≤ each time (−1 before the first point).
    ``timeline`` must be sorted ascending."""
    t = np.atleast_1d(np.asarray(times, dtype=float))
    found: npt.NDArray[np.intp] = np.searchsorted(np.asarray(timeline, dtype=float), t, side="right") - 1
    return found


def step_values(timeline: npt.ArrayLike, values: npt.ArrayLike, times: ArrayLike,
                before: float) -> npt.NDArray[np.float64]:
    """``values`` of the step function on ``timeline`` read at ``times``; ``before`` where a
    time precedes the first point (1 for a survival curve, 0 for an incidence)."""
    idx = step_index(timeline, times)
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return np.full(idx.shape, before, dtype=float)
    return np.where(idx >= 0, v[np.maximum(idx, 0)], before)


def step_value(timeline: npt.ArrayLike, values: npt.ArrayLike, t: float, before: float) -> float:
    """:func:`step_values` at one time."""
    return float(step_values(timeline, values, [t], before)[0])
