"""Funnel-plot control limits for proportions (Spiegelhalter 2005), with overdispersion.

Conventions
-----------
* Each unit (a segment: one channel, one branch …) has ``x`` events out of ``n`` trials (the
  metric's numerator and denominator); the target ``p0`` is the pooled rate of all units
  (Σx ÷ Σn), as on a funnel plot of institutional performance.
* **Exact binomial limits** at two-sided coverage ``level``: the lower limit uses the quantile
  ``q = (1 − level)/2``, the upper ``1 − q``. With F the Binomial(n, p0) distribution function,
  r = the smallest count with F(r) ≥ q, and α = (F(r) − q) ÷ (F(r) − F(r − 1)), the limit is
  (r − α) ÷ n (Spiegelhalter, *Funnel plots for comparing institutional performance*, Stat Med
  2005; 24:1185-1202, appendix A.1.1): the interpolation makes the limit a smooth funnel.
* **Overdispersion** (Spiegelhalter, *Handling over-dispersion of performance indicators*,
  Qual Saf Health Care 2005; 14:347-351): z-scores zᵢ = (xᵢ/nᵢ − p0) ÷ √(p0(1 − p0)/nᵢ) of the
  units with at least the minimum denominator are winsorised (default at the 10th and 90th
  percentiles); φ = Σ zᵢ² ÷ k. The units are overdispersed when k·φ exceeds the χ² quantile
  with k − 1 degrees of freedom at the test level (k − 1: the target is estimated from the same
  units). Then either the **multiplicative** limits p0 ± z·√(φ·p0(1 − p0)/n) or the
  **additive** random-effects limits p0 ± z·√(p0(1 − p0)/n + τ²) are used, with
  τ² = max(0, (k·φ − (k − 1)) ÷ (Σwᵢ − Σwᵢ² ÷ Σwᵢ)), wᵢ = 1/sᵢ², sᵢ² = p0(1 − p0)/nᵢ; z is the
  normal quantile of the level. Limits are clipped to [0, 1].
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special, stats

FloatArray = npt.NDArray[np.float64]
FunnelMethod = Literal["binomial", "overdispersed_additive", "overdispersed_multiplicative"]


def binomial_limit(p0: float, n: npt.ArrayLike, quantile: float) -> FloatArray:
    """The exact, interpolated binomial ``quantile`` of the proportion x/n when x ~ Bin(n, p0)
    (see the module docstring). ``n`` may be an array; n = 0 gives NaN."""
    n_arr = np.atleast_1d(np.asarray(n, dtype=float))
    out = np.full(n_arr.shape, np.nan)
    ok = n_arr > 0
    if not ok.any():
        return out
    nn = np.round(n_arr[ok]).astype(np.int64)      # denominators are counts
    if p0 <= 0 or p0 >= 1:
        out[ok] = min(max(p0, 0.0), 1.0)
        return out
    r = _binomial_ppf(quantile, nn, p0)             # smallest r with F(r) >= quantile
    f_r = special.bdtr(r, nn, p0)
    f_below = np.where(r > 0, special.bdtr(np.maximum(r - 1, 0), nn, p0), 0.0)
    step = f_r - f_below
    alpha = np.where(step > 0, (f_r - quantile) / np.where(step > 0, step, 1.0), 0.0)
    out[ok] = np.clip((r - alpha) / nn, 0.0, 1.0)
    return out


def _binomial_ppf(q: float, n: npt.NDArray[np.int64], p: float) -> npt.NDArray[np.int64]:
    """Smallest r in 0..n with P(X <= r) >= q, X ~ Bin(n, p): a normal start moved a few steps
    (``scipy.special.bdtr`` is the exact distribution function; vectorised, no per-call
    overhead of ``scipy.stats``)."""
    z = float(special.ndtri(q))
    r = np.clip(np.floor(n * p + z * np.sqrt(n * p * (1 - p))), 0, n).astype(np.int64)
    while True:   # up while F(r) < q
        low = (special.bdtr(r, n, p) < q) & (r < n)
        if not low.any():
            break
        r = r + low.astype(np.int64)
    while True:   # down while F(r - 1) >= q
        high = (r > 0) & (special.bdtr(np.maximum(r - 1, 0), n, p) >= q)
        if not high.any():
            break
        r = r - high.astype(np.int64)
    return np.asarray(r, dtype=np.int64)


@dataclass(frozen=True)
class Dispersion:
    """How the units spread around the target: ``phi`` (winsorised mean squared z-score),
    ``tau2`` (additive between-unit variance, proportion²), ``k`` units used, the test's
    ``threshold`` for k·φ, and the ``method`` the limits use."""

    phi: float
    tau2: float
    k: int
    threshold: float
    method: FunnelMethod

    @property
    def overdispersed(self) -> bool:
        return self.method != "binomial"


def dispersion(x: FloatArray, n: FloatArray, p0: float, *, winsorize: float = 0.10,
               test_level: float = 0.95, min_units: int = 5,
               mode: Literal["additive", "multiplicative", "none"] = "additive") -> Dispersion:
    """Estimate overdispersion of the units ``x``/``n`` around ``p0`` (module docstring).

    Units with n = 0 are ignored. With fewer than ``min_units`` units, or ``mode="none"``,
    the binomial limits are kept (``method="binomial"``) whatever φ is.
    """
    keep = n > 0
    x, n = x[keep].astype(float), n[keep].astype(float)
    k = int(len(n))
    if k < 2 or not 0 < p0 < 1:
        return Dispersion(float("nan"), 0.0, k, float("nan"), "binomial")
    var = p0 * (1 - p0) / n
    z = (x / n - p0) / np.sqrt(var)
    if winsorize > 0:
        lo, hi = np.quantile(z, [winsorize, 1 - winsorize])
        z = np.clip(z, lo, hi)
    phi = float(np.mean(z ** 2))
    threshold = float(stats.chi2.ppf(test_level, k - 1))
    over = mode != "none" and k >= min_units and k * phi > threshold
    w = 1 / var
    denom = w.sum() - (w ** 2).sum() / w.sum()
    tau2 = max(0.0, (k * phi - (k - 1)) / denom) if denom > 0 else 0.0
    method: FunnelMethod = "binomial"
    if over:
        method = "overdispersed_additive" if mode == "additive" else "overdispersed_multiplicative"
    return Dispersion(phi, tau2, k, threshold, method)


def funnel_limits(p0: float, n: npt.ArrayLike, level: float, disp: Dispersion | None = None
                  ) -> tuple[FloatArray, FloatArray]:
    """(lower, upper) limits of the proportion at denominators ``n`` for two-sided coverage
    ``level``: exact binomial, or the overdispersion-adjusted normal limits of ``disp``."""
    q = (1 - level) / 2
    n_arr = np.atleast_1d(np.asarray(n, dtype=float))
    if disp is None or disp.method == "binomial":
        return binomial_limit(p0, n_arr, q), binomial_limit(p0, n_arr, 1 - q)
    z = float(stats.norm.ppf(1 - q))
    with np.errstate(divide="ignore", invalid="ignore"):
        base = p0 * (1 - p0) / n_arr
        var = base * disp.phi if disp.method == "overdispersed_multiplicative" else base + disp.tau2
        half = np.where(n_arr > 0, z * np.sqrt(var), np.nan)
    return np.clip(p0 - half, 0.0, 1.0), np.clip(p0 + half, 0.0, 1.0)


def funnel_curve(p0: float, n_max: float, level: float, disp: Dispersion | None = None,
                 points: int = 120) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(n, lower, upper) along a log-spaced grid from 1 to ``n_max``: the funnel to draw."""
    grid = np.unique(np.round(np.geomspace(1, max(n_max, 2.0), points)))
    lower, upper = funnel_limits(p0, grid, level, disp)
    return grid.astype(float), lower, upper
