"""Out-of-time validation metrics of a lapse-risk score over a window of h months.

Data of a validation window: per policy in force at the cut-off, ``time`` (months to its exit,
at most h), ``event`` (1 = voluntary exit in the window) and the predicted probability of a
voluntary exit within h (and over a grid of times in (0, h] for the Brier curve). A competing
exit (death, maturity) before h censors the policy at its time; a policy still in force at h is
*alive at h* (administratively censored just after h).

Metrics (definitions as in scikit-survival and the papers named):

* **Harrell's C**: lifelines' ``concordance_index(time, -risk, event)`` (the project's exact
  O(n log n) implementation in :mod:`memberdesk.analysis.cox_engine`).
* **Uno's C** (Uno et al. 2011, ``sksurv.metrics.concordance_index_ipcw`` with tau = h):
  sum over events i of G(T_i-)^-2 * #{j: T_j > T_i, r_j < r_i} (+ 1/2 per tie), divided by the
  same sum of comparable pairs. G is the Kaplan-Meier survival of the censoring (competing
  exits) in the validation window itself; G(u-) is its value just before u.
* **Time-dependent AUC at h** (cumulative/dynamic, Uno et al. 2007,
  ``sksurv.metrics.cumulative_dynamic_auc``): cases = voluntary exits by h, weighted
  1/G(T_i-); controls = policies alive at h; AUC = weighted share of (case, control) pairs
  with the case scored higher (ties 1/2).
* **Brier score at u** (Graf et al. 1999, IPCW), written for the *lapse* probability p_i(u):
  the mean over all policies of (1 - p_i(u))^2 / G(T_i-) for an exit by u, p_i(u)^2 / G(u)
  for a policy alive after u, and 0 for one censored before u. **IBS**: the
  trapezoid integral of the Brier score over (0, h] (BS(0) = 0 and ``BRIER_POINTS`` equally
  spaced times) divided by h.
* **Calibration by decile**: deciles of the predicted probability (decile 1 = highest risk);
  observed = 1 - Kaplan-Meier survival at h of the voluntary exit in the decile (competing
  exits censored). **ICI** and **E50** (Austin & Steyerberg 2019): mean and median over
  policies of |p_i - p_cal(p_i)|, where the calibration curve p_cal is the decile curve
  (linear between the deciles' mean predictions; a loess smoother in the paper).
* **Top-decile capture**: the share of all voluntary exits found among the 10% highest
  scores; **lift** = capture / 0.10 (the top decile's exit rate over the book's). Ties in the
  score are broken by row order. The gain curve gives the capture at every percent.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.cox_concordance import concordance_index

BRIER_POINTS = 12
DECILES = 10


@dataclass(frozen=True, eq=False)
class ModelMetrics:
    """The validation figures of one model (see the module docstring). ``calibration``:
    decile, policies, predicted (mean), observed, events; ``gain``: percent contacted (1..100)
    and share of exits captured."""

    c_index: float
    c_index_uno: float
    auc: float
    brier: float
    ibs: float
    ici: float
    e50: float
    top_decile_capture: float
    top_decile_lift: float
    calibration: pd.DataFrame
    gain: pd.DataFrame

    def to_json(self) -> dict[str, Any]:
        return {"c_index": self.c_index, "c_index_uno": self.c_index_uno, "auc": self.auc,
                "brier": self.brier, "ibs": self.ibs, "ici": self.ici, "e50": self.e50,
                "top_decile_capture": self.top_decile_capture,
                "top_decile_lift": self.top_decile_lift,
                "calibration": self.calibration.to_dict(orient="records")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelMetrics:
        cal = pd.DataFrame(data.get("calibration", []))
        return cls(**{k: float(data[k]) if data[k] is not None else float("nan")
                      for k in ("c_index", "c_index_uno", "auc", "brier", "ibs", "ici", "e50",
                                "top_decile_capture", "top_decile_lift")},
                   calibration=cal, gain=pd.DataFrame({"percent": [], "captured": []}))


def censoring_survival(time: np.ndarray, event: np.ndarray, horizon: float
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier of the censoring before ``horizon``: (distinct censoring times, G after
    each). A censoring = no voluntary exit and time < horizon (a competing exit)."""
    cens = (event == 0) & (time < horizon - 1e-9)
    uniq, inverse = np.unique(time, return_inverse=True)
    n_at = time.size - np.concatenate([[0], np.cumsum(np.bincount(inverse))[:-1]])
    c = np.bincount(inverse, weights=cens.astype(float), minlength=uniq.size)
    has = c > 0
    g = np.cumprod(1.0 - c[has] / n_at[has])
    return uniq[has], g


def g_before(cens: tuple[np.ndarray, np.ndarray], at: np.ndarray) -> np.ndarray:
    """G(u-): censoring survival just before each ``at``."""
    times, g = cens
    if times.size == 0:
        return np.ones(np.shape(at))
    idx = np.searchsorted(times, at, side="left") - 1
    return np.asarray(np.where(idx >= 0, g[np.maximum(idx, 0)], 1.0), dtype=float)


def g_at(cens: tuple[np.ndarray, np.ndarray], at: np.ndarray) -> np.ndarray:
    """G(u): censoring survival at ``at`` (censorings at u included)."""
    times, g = cens
    if times.size == 0:
        return np.ones(np.shape(at))
    idx = np.searchsorted(times, at, side="right") - 1
    return np.asarray(np.where(idx >= 0, g[np.maximum(idx, 0)], 1.0), dtype=float)


def alive_after(time: np.ndarray, event: np.ndarray, u: float, horizon: float) -> np.ndarray:
    return np.asarray((time > u + 1e-9) | ((event == 0) & (time >= horizon - 1e-9)))


def uno_c(time: np.ndarray, event: np.ndarray, risk: np.ndarray, horizon: float) -> float:
    """Uno's IPCW concordance with tau = ``horizon`` (see the module docstring)."""
    ev = np.flatnonzero((event == 1) & (time <= horizon + 1e-9))
    if ev.size == 0:
        return float("nan")
    w = g_before(censoring_survival(time, event, horizon), time[ev]) ** -2.0
    later, lower, tied = _later_counts(time, risk, ev)
    den = float(w @ later)
    return float(w @ (lower + 0.5 * tied)) / den if den > 0 else float("nan")


def _later_counts(time: np.ndarray, risk: np.ndarray, query: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each row in ``query``: #rows with a later time, and among them #lower risk and
    #equal risk. A Fenwick tree over risk ranks, filled from the latest time backwards."""
    _, rank = np.unique(risk, return_inverse=True)
    rank = rank.ravel() + 1                      # 1-based for the tree
    m = int(rank.max())
    tree = np.zeros(m + 1, dtype=np.int64)
    uniq, tcode = np.unique(time, return_inverse=True)
    tcode = tcode.ravel()
    order = np.argsort(-tcode, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(tcode[order]) != 0])
    bounds = np.r_[starts, order.size]
    qpos = np.full(time.size, -1, dtype=np.int64)
    qpos[query] = np.arange(query.size)
    later = np.zeros(query.size)
    lower = np.zeros(query.size)
    tied = np.zeros(query.size)
    inserted = 0
    for a, b in zip(bounds[:-1], bounds[1:]):
        rows = order[a:b]
        q = rows[qpos[rows] >= 0]
        if q.size:
            below = _prefix(tree, rank[q] - 1)
            upto = _prefix(tree, rank[q])
            later[qpos[q]] = inserted
            lower[qpos[q]] = below
            tied[qpos[q]] = upto - below
        _add(tree, rank[rows])
        inserted += rows.size
    return later, lower, tied


def _prefix(tree: np.ndarray, idx: np.ndarray) -> np.ndarray:
    idx = idx.copy()
    total = np.zeros(idx.size, dtype=np.int64)
    while True:
        live = idx > 0
        if not live.any():
            return total
        total[live] += tree[idx[live]]
        idx[live] -= idx[live] & -idx[live]


def _add(tree: np.ndarray, idx: np.ndarray) -> None:
    idx = idx.copy()
    n = tree.size - 1
    while idx.size:
        np.add.at(tree, idx, 1)
        idx = idx + (idx & -idx)
        idx = idx[idx <= n]


def time_dependent_auc(time: np.ndarray, event: np.ndarray, risk: np.ndarray,
                       horizon: float) -> float:
    """Cumulative/dynamic AUC at ``horizon`` with IPCW case weights (module docstring)."""
    case = np.flatnonzero((event == 1) & (time <= horizon + 1e-9))
    control = alive_after(time, event, horizon, horizon)
    if case.size == 0 or not control.any():
        return float("nan")
    w = 1.0 / g_before(censoring_survival(time, event, horizon), time[case])
    ctrl = np.sort(risk[control])
    below = np.searchsorted(ctrl, risk[case], side="left")
    upto = np.searchsorted(ctrl, risk[case], side="right")
    return float(w @ (below + 0.5 * (upto - below))) / (float(w.sum()) * ctrl.size)


def brier(time: np.ndarray, event: np.ndarray, prob: np.ndarray, u: float,
          horizon: float, cens: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """IPCW Brier score at ``u`` of the lapse probabilities ``prob`` (module docstring)."""
    cens = censoring_survival(time, event, horizon) if cens is None else cens
    exited = (event == 1) & (time <= u + 1e-9)
    alive = alive_after(time, event, u, horizon)
    g_u = float(g_at(cens, np.array([u]))[0]) if u < horizon - 1e-9 else \
        float(g_at(cens, np.array([horizon - 1e-9]))[0])
    total = np.sum((1.0 - prob[exited]) ** 2 / g_before(cens, time[exited]))
    total += np.sum(prob[alive] ** 2) / g_u
    return float(total) / time.size


def brier_grid(horizon: float) -> np.ndarray:
    return np.linspace(0.0, float(horizon), BRIER_POINTS + 1)[1:]


def integrated_brier(time: np.ndarray, event: np.ndarray, curve: np.ndarray,
                     horizon: float) -> float:
    """IBS over (0, h]; ``curve`` is n x BRIER_POINTS lapse probabilities at :func:`brier_grid`."""
    grid = brier_grid(horizon)
    cens = censoring_survival(time, event, horizon)
    scores = [brier(time, event, curve[:, k], float(u), horizon, cens) for k, u in enumerate(grid)]
    x = np.r_[0.0, grid]
    y = np.r_[0.0, scores]
    return float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(x))) / float(horizon)


def km_exit_probability(time: np.ndarray, event: np.ndarray, horizon: float) -> float:
    """1 - Kaplan-Meier survival at ``horizon`` of the voluntary exit (competing censored)."""
    if time.size == 0:
        return float("nan")
    uniq, inverse = np.unique(time, return_inverse=True)
    counts = np.bincount(inverse)
    n_at = time.size - np.concatenate([[0], np.cumsum(counts)[:-1]])
    d = np.bincount(inverse, weights=event.astype(float), minlength=uniq.size)
    keep = uniq <= horizon + 1e-9
    return float(1.0 - np.prod(1.0 - d[keep] / n_at[keep]))


def risk_deciles(prob: np.ndarray) -> np.ndarray:
    """Decile 1..10 of each row, 1 = the highest 10% of ``prob`` (equal counts; ties by row
    order)."""
    n = prob.size
    order = np.argsort(-prob, kind="stable")
    dec = np.empty(n, dtype=np.int64)
    dec[order] = np.arange(n) * DECILES // max(n, 1) + 1
    return dec


def calibration_table(time: np.ndarray, event: np.ndarray, prob: np.ndarray,
                      horizon: float) -> pd.DataFrame:
    dec = risk_deciles(prob)
    rows = []
    for k in range(1, DECILES + 1):
        sel = dec == k
        rows.append({"decile": k, "policies": int(sel.sum()),
                     "predicted": float(prob[sel].mean()) if sel.any() else float("nan"),
                     "observed": km_exit_probability(time[sel], event[sel], horizon),
                     "events": int(event[sel].sum())})
    return pd.DataFrame(rows)


def ici_e50(prob: np.ndarray, calibration: pd.DataFrame) -> tuple[float, float]:
    cal = calibration.dropna().sort_values("predicted")
    if cal.empty:
        return float("nan"), float("nan")
    smooth = np.interp(prob, cal["predicted"].to_numpy(), cal["observed"].to_numpy())
    diff = np.abs(prob - smooth)
    return float(diff.mean()), float(np.median(diff))


def gain_curve(event: np.ndarray, prob: np.ndarray) -> pd.DataFrame:
    order = np.argsort(-prob, kind="stable")
    captured = np.cumsum(event[order])
    total = max(int(event.sum()), 1)
    pct = np.arange(1, 101)
    upto = np.maximum(np.ceil(pct / 100 * prob.size).astype(np.int64), 1) - 1
    return pd.DataFrame({"percent": pct, "captured": captured[upto] / total})


def evaluate(time: np.ndarray, event: np.ndarray, prob: np.ndarray, curve: np.ndarray,
             horizon: float) -> ModelMetrics:
    """Every metric of the module docstring for one model on one validation window.

    ``prob``: lapse probability within ``horizon``; ``curve``: n x BRIER_POINTS probabilities
    at :func:`brier_grid` (its last column equals ``prob``)."""
    cal = calibration_table(time, event, prob, horizon)
    ici, e50 = ici_e50(prob, cal)
    gain = gain_curve(event, prob)
    top = int(np.ceil(prob.size / DECILES))
    order = np.argsort(-prob, kind="stable")
    total = int(event.sum())
    capture = float(event[order[:top]].sum()) / total if total else float("nan")
    return ModelMetrics(
        c_index=float(concordance_index(time, prob, event)),
        c_index_uno=uno_c(time, event, prob, horizon),
        auc=time_dependent_auc(time, event, prob, horizon),
        brier=brier(time, event, prob, horizon, horizon),
        ibs=integrated_brier(time, event, curve, horizon),
        ici=ici, e50=e50, top_decile_capture=capture,
        top_decile_lift=capture / (top / prob.size) if total else float("nan"),
        calibration=cal, gain=gain)
