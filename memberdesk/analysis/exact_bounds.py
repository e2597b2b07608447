"""Exact confidence bounds for rates observed on few (or zero) events (issue 17 B.7).

A normal or binomial-quantile interval around a rate of zero collapses to 0.0–0.0 %, which reads
as certainty. The exact intervals below do not:

* **Clopper-Pearson** (binomial rate, ``events`` out of ``trials``): the two-sided
  ``conf_level`` interval is [B(α/2; x, n − x + 1), B(1 − α/2; x + 1, n − x)] with B the Beta
  quantile and α = 1 − conf_level. For x = 0 the lower bound is 0 and the upper bound is
  1 − (α/2)^(1/n) (e.g. n = 100, 95 %: 1 − 0.025^(1/100) = 3.62 %). Non-integer ``trials`` (an
  exposure in years, as actxps' binomial) are used as they are.
* **Poisson exact** (a rate per unit of exposure): the upper bound is χ²(1 − α/2; 2(x + 1)) ÷ 2
  ÷ exposure; for x = 0 it is −ln(α/2) ÷ exposure (95 %: 3.689 ÷ exposure).
"""
from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def clopper_pearson_upper(events: npt.ArrayLike, trials: npt.ArrayLike,
                          conf_level: float = 0.95) -> FloatArray:
    """Two-sided exact (Clopper-Pearson) upper bound of a binomial proportion.

    Parameters
    ----------
    events, trials
        Observed events x and trials n (n may be fractional: years of exposure); x ≤ n.
    conf_level
        Two-sided confidence level (0.95: the 97.5 % one-sided bound).

    Returns
    -------
    The upper bound as a proportion (1 when x = n); NaN where n ≤ 0 or x is missing.
    """
    from scipy.stats import beta

    x = np.asarray(events, dtype=float)
    n = np.asarray(trials, dtype=float)
    alpha = 1.0 - conf_level
    with np.errstate(invalid="ignore", divide="ignore"):
        upper = np.where(x >= n, 1.0, beta.ppf(1.0 - alpha / 2, x + 1.0, np.maximum(n - x, 1e-12)))
    return np.asarray(np.where((n > 0) & np.isfinite(x), upper, np.nan), dtype=float)


def poisson_exact_upper(events: npt.ArrayLike, exposure: npt.ArrayLike,
                        conf_level: float = 0.95) -> FloatArray:
    """Two-sided exact (Garwood) upper bound of a Poisson rate per unit of ``exposure``.

    Returns χ²(1 − α/2; 2(x + 1)) ÷ 2 ÷ exposure; NaN where exposure ≤ 0.
    """
    from scipy.stats import chi2

    x = np.asarray(events, dtype=float)
    e = np.asarray(exposure, dtype=float)
    alpha = 1.0 - conf_level
    with np.errstate(invalid="ignore", divide="ignore"):
        upper = chi2.ppf(1.0 - alpha / 2, 2.0 * (x + 1.0)) / 2.0 / e
    return np.asarray(np.where(e > 0, upper, np.nan), dtype=float)
