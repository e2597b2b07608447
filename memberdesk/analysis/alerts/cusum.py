"""Risk-adjusted Bernoulli CUSUM on monthly cohorts (Steiner, Cook, Farewell, Treasure 2000).

Each unit i of a segment's monthly cohort has a bad outcome yᵢ ∈ {0, 1} (a free-look
cancellation, a policy not persisting …) with expected probability pᵢ. The CUSUM tests the odds
of the bad outcome being multiplied by R (R > 1: deterioration) against no change; the
log-likelihood-ratio weight of a unit is

    Wᵢ = yᵢ·log R − log(1 − pᵢ + R·pᵢ)

and the statistic S₀ = 0, S_t = max(0, S_{t−1} + W_t), where W_t sums the weights of month t's
units. Units that share an expected probability are summed in one step: a class of n units
with x bad outcomes and probability p adds x·log R − n·log(1 − p + R·p). The chart signals
when S_t reaches a threshold h (an alert and a higher alarm threshold).

**Risk adjustment**: pᵢ is the book's rate of the bad outcome in the same month within the
unit's risk class (by default the policy's product, so that a channel selling more of a
high-lapse product is not flagged for its mix); with no risk column every unit of a month has
the book's rate of that month.
"""
from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def cusum_weights(bad: npt.ArrayLike, n: npt.ArrayLike, p: npt.ArrayLike,
                  odds_ratio: float) -> FloatArray:
    """Weights W of cells with ``bad`` bad outcomes out of ``n`` units at expected probability
    ``p`` (arrays broadcast together); cells with n = 0 weigh 0."""
    bad_a = np.asarray(bad, dtype=float)
    n_a = np.asarray(n, dtype=float)
    p_a = np.clip(np.nan_to_num(np.asarray(p, dtype=float)), 0.0, 1.0)
    w = bad_a * np.log(odds_ratio) - n_a * np.log1p((odds_ratio - 1) * p_a)
    return np.where(n_a > 0, w, 0.0)


def cusum_path(weights: npt.ArrayLike) -> FloatArray:
    """S_t = max(0, S_{t−1} + W_t) along the last axis (S₀ = 0)."""
    w = np.asarray(weights, dtype=float)
    out = np.empty_like(w)
    s = np.zeros(w.shape[:-1])
    for t in range(w.shape[-1]):
        s = np.maximum(0.0, s + w[..., t])
        out[..., t] = s
    return out


def signal_since(path: FloatArray, threshold: float) -> int | None:
    """Index of the first month of the current run at or above ``threshold`` that lasts to
    the latest month (None when the latest month is below it)."""
    above = np.asarray(path) >= threshold
    if not above.size or not above[-1]:
        return None
    below = np.flatnonzero(~above)
    return int(below[-1] + 1) if below.size else 0
