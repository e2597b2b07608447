"""The weighted log-rank family of tests between groups (SAS ``PROC LIFETEST TEST=``).

At each distinct time t_i of the pooled sample with n_i at risk and d_i events, group j has
n_ij at risk and d_ij events. With a weight w_i (below), the statistic for k groups is
U = Z' V^- Z over the first k - 1 groups (chi-square, k - 1 degrees of freedom), with

    Z_j  = sum_i w_i (d_ij - n_ij d_i / n_i)
    V_jl = sum_i w_i^2 d_i (n_i - d_i) / (n_i - 1) (n_ij / n_i) (delta_jl - n_il / n_i)

((n_i - d_i)/(n_i - 1) is 1 when n_i = 1). Weights (SAS documentation, "Nonparametric Tests",
Table "Weight Functions for Various Tests"; Klein & Moeschberger, *Survival Analysis*, 2nd
ed., section 7.3):

=============  ============================================  =====================================
``logrank``    w = 1                                         R ``survdiff(rho = 0)``
``wilcoxon``   w = n_i (Gehan-Breslow)                       SAS ``TEST=WILCOXON``
``tarone``     w = sqrt(n_i) (Tarone-Ware)                   SAS ``TEST=TARONE``
``peto``       w = S~(t_i), S~(t) = prod_{t_j <= t} (1 - d_j / (n_j + 1))   SAS ``TEST=PETO``
``fh:P,Q``     w = S(t_i-)^P (1 - S(t_i-))^Q, S the pooled Kaplan-Meier just before t_i
               (Fleming-Harrington)                          SAS ``TEST=FLEMING(P,Q)``;
                                                             ``fh:1,0`` = R ``survdiff(rho = 1)``
=============  ============================================  =====================================

Risk sets may come from delayed entry (see :mod:`memberdesk.analysis.km`); the pooled curves
behind ``peto`` and ``fh`` are then the left-truncated ones.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memberdesk.core.errors import AnalysisError

NAMES: tuple[str, ...] = ("logrank", "wilcoxon", "tarone", "peto", "fh")


@dataclass(frozen=True)
class WeightSpec:
    """Which weighted test: ``name`` in :data:`NAMES`; ``p``/``q`` for ``fh`` only."""

    name: str = "logrank"
    p: float = 0.0
    q: float = 0.0

    @property
    def label(self) -> str:
        """The ``--test`` spelling: ``logrank``, ``wilcoxon``, ..., ``fh:1,0``."""
        return f"fh:{self.p:g},{self.q:g}" if self.name == "fh" else self.name


LOGRANK = WeightSpec()


def parse_test(text: str | WeightSpec | None) -> WeightSpec:
    """``logrank|wilcoxon|tarone|peto|fh:P,Q`` (P, Q >= 0) to a :class:`WeightSpec`."""
    if text is None:
        return LOGRANK
    if isinstance(text, WeightSpec):
        return text
    name = text.strip().lower()
    if name in NAMES and name != "fh":
        return WeightSpec(name)
    if name.startswith("fh:"):
        parts = name[3:].split(",")
        try:
            p, q = (float(parts[0]), float(parts[1])) if len(parts) == 2 else (None, None)
        except ValueError:
            p = q = None
        if p is not None and q is not None and p >= 0 and q >= 0 and np.isfinite(p + q):
            return WeightSpec("fh", p, q)
        raise AnalysisError(f"--test {text!r}: Fleming-Harrington needs fh:P,Q with P, Q >= 0")
    raise AnalysisError(f"unknown test {text!r}; use logrank, wilcoxon, tarone, peto or fh:P,Q")


def weights_for(spec: WeightSpec, n_t: np.ndarray, d_t: np.ndarray) -> np.ndarray:
    """Weight of each pooled time point (all timeline points, in order; module doc)."""
    n = np.asarray(n_t, dtype=float)
    d = np.asarray(d_t, dtype=float)
    if spec.name == "logrank":
        return np.ones(n.size)
    if spec.name == "wilcoxon":
        return n.copy()
    if spec.name == "tarone":
        root: np.ndarray = np.sqrt(n)
        return root
    with np.errstate(divide="ignore", invalid="ignore"):
        if spec.name == "peto":
            factor = np.where(d > 0, 1.0 - d / (n + 1.0), 1.0)
            tilde: np.ndarray = np.cumprod(factor)
            return tilde
        factor = np.where(d > 0, 1.0 - d / n, 1.0)
    before = np.concatenate([[1.0], np.cumprod(factor)[:-1]])   # pooled KM at t-
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.power(before, spec.p) * np.power(1.0 - before, spec.q)
    out: np.ndarray = np.where(np.isfinite(w), w, 0.0)
    return out


def weighted_statistic(n_jt: np.ndarray, obs: np.ndarray, spec: WeightSpec
                       ) -> tuple[float, np.ndarray, np.ndarray]:
    """(chi-square statistic, observed, expected) from (groups x times) at-risk and event
    counts on the pooled timeline. Observed/expected are unweighted event counts per group."""
    d_t = obs.sum(axis=0)
    n_t = n_jt.sum(axis=0)
    w = weights_for(spec, n_t, d_t)
    active = d_t > 0
    n_jt, d_t, n_t, obs, w = n_jt[:, active], d_t[active], n_t[active], obs[:, active], w[active]
    expected_jt = n_jt * (d_t / n_t)
    z = (w * (obs - expected_jt)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (n_t - d_t) / (n_t - 1)
    ratio[~np.isfinite(ratio)] = 1.0
    factor = w**2 * ratio * d_t / n_t**2
    weighted = n_jt * factor
    v = np.diag((weighted * n_t).sum(axis=1)) - weighted @ n_jt.T
    stat = float(z[:-1] @ np.linalg.pinv(v[:-1, :-1]) @ z[:-1])
    return stat, obs.sum(axis=1), expected_jt.sum(axis=1)
