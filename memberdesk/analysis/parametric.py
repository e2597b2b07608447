"""Parametric retention models for projecting beyond the observed data.

Exponential, Weibull, log-normal and log-logistic models are fitted by lifelines' maximum
likelihood fitters on the unique (duration, event) pairs with their counts as weights: a count
weight w is exactly w identical rows, so the fit equals the fit on every policy (tested) while
a million policies shrink to a few thousand rows.

Conventions
-----------
* Time in months (Dataset: ``duration_months``; a DataFrame's ``duration`` is taken as months).
* Durations of exactly 0 (issued on the as-of date, or ended the day they started) are set to
  ``ZERO_DURATION_MONTHS`` (half a day): the models need positive times.
* AIC = 2k - 2 ll; BIC = k log(n) - 2 ll with n the number of policies (not of unique pairs);
  the best model has the lowest AIC.
* Projection CIs are lifelines' delta-method intervals of the survival function.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.frames import survival_frame
from memberdesk.analysis.km import KMCurve, kaplan_meier
from memberdesk.analysis.survival import _rows_or_counts
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, SubProgress, check_cancelled, ensure
from memberdesk.core.schema import DAYS_PER_MONTH

MODELS: tuple[str, ...] = ("exponential", "weibull", "lognormal", "loglogistic")
MODEL_LABELS: dict[str, str] = {"exponential": "Exponential", "weibull": "Weibull",
                                "lognormal": "Log-normal", "loglogistic": "Log-logistic"}
ZERO_DURATION_MONTHS = 0.5 / DAYS_PER_MONTH


def _fitter(model: str) -> Any:
    from lifelines import ExponentialFitter, LogLogisticFitter, LogNormalFitter, WeibullFitter

    return {"exponential": ExponentialFitter, "weibull": WeibullFitter,
            "lognormal": LogNormalFitter, "loglogistic": LogLogisticFitter}[model]()


@dataclass(frozen=True, eq=False)
class ProjectionResult:
    """Fitted parametric models and their projections.

    ``fits``: model, label, parameters (dict), log_likelihood, aic, bic, median (months, inf
    if beyond reach), best (lowest AIC). ``projections``: model, time, survival, ci_lower,
    ci_upper on a monthly grid 0..horizon. ``km``: the Kaplan-Meier curve for the overlay.
    ``failed``: model -> reason for models that could not be fitted.
    """

    unit: str
    horizon: float
    n: int
    events: int
    fits: pd.DataFrame
    projections: pd.DataFrame
    km: KMCurve
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def best_model(self) -> str:
        return str(self.fits.loc[self.fits["best"], "model"].iloc[0])

    def projection(self, model: str) -> pd.DataFrame:
        return self.projections[self.projections["model"] == model].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """The model-comparison table (parameters as text)."""
        out = self.fits.copy()
        out["parameters"] = [", ".join(f"{k} = {v:.4g}" for k, v in p.items()) for p in out["parameters"]]
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit, "horizon": self.horizon, "n": self.n, "events": self.events,
            "best_model": self.best_model,
            "models": [{"model": r["model"], "parameters": {k: float(v) for k, v in r["parameters"].items()},
                        "log_likelihood": float(r["log_likelihood"]), "aic": float(r["aic"]),
                        "bic": float(r["bic"]),
                        "median": None if not np.isfinite(r["median"]) else float(r["median"]),
                        "best": bool(r["best"]),
                        "projection": self.projection(str(r["model"]))[["time", "survival", "ci_lower", "ci_upper"]]
                        .to_dict(orient="list")}
                       for r in self.fits.to_dict(orient="records")],
            "failed": dict(self.failed),
        }


def unique_counts(durations: np.ndarray, events: np.ndarray, weights: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique (duration, event) pairs and how many rows each stands for (``weights``: the
    frequency weight of each given pair, e.g. an engine's counts; None = one row each)."""
    key = pd.DataFrame({"d": durations, "e": events})
    if weights is None:
        counts = key.groupby(["d", "e"], sort=True).size()
    else:
        counts = key.assign(w=np.asarray(weights, dtype=float)).groupby(["d", "e"], sort=True)["w"].sum()
    d = counts.index.get_level_values("d").to_numpy(dtype=float)
    e = counts.index.get_level_values("e").to_numpy(dtype=int)
    return d, e, counts.to_numpy(dtype=float)


def fit_parametric(data: Dataset | pd.DataFrame, *, horizon_months: float = 120,
                   models: Sequence[str] = MODELS, alpha: float | None = None,
                   progress: Progress | None = None) -> ProjectionResult:
    """Fit parametric retention models (months) and project survival to ``horizon_months``.
    ``alpha``: 1 − CI level (None: ``1 − ds.assumptions.ci_level`` for a Dataset, else 0.05)."""
    if alpha is None:
        alpha = data.assumptions.alpha if isinstance(data, Dataset) else 0.05
    prog = ensure(progress)
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise AnalysisError(f"unknown model {unknown[0]!r}; choose from {', '.join(MODELS)}")
    if not models:
        raise AnalysisError("choose at least one model")
    if not horizon_months > 0:
        raise AnalysisError("the projection horizon must be positive")
    # the rows (weight 1 each) or an engine book's counts by duration x event (issue #13)
    frame, w_all = _rows_or_counts(data, "months", None)
    d_all = frame["duration"].to_numpy(dtype=float)
    if np.isnan(d_all).any() or (d_all < 0).any():  # engine counts: the rows' route refuses
        frame = survival_frame(data, unit="months")  # them with its message
        d_all, w_all = frame["duration"].to_numpy(dtype=float), np.ones(len(frame))
    e_all = frame["event"].to_numpy(dtype=np.int8)
    n, n_events = int(w_all.sum()), int(w_all @ e_all)
    if n_events == 0:
        raise AnalysisError("no events: there is nothing to fit a retention model to")
    d_all = np.where(d_all <= 0, ZERO_DURATION_MONTHS, d_all)
    d, e, w = unique_counts(d_all, e_all, w_all)
    km = kaplan_meier(d, e, weights=w, name="Kaplan-Meier", alpha=alpha)
    grid = np.arange(0.0, float(horizon_months) + 1e-9, 1.0)
    if grid[-1] < horizon_months:
        grid = np.append(grid, float(horizon_months))
    rows, parts, failed = [], [], {}
    for i, model in enumerate(models):
        check_cancelled(progress)
        sub = SubProgress(progress, i / len(models), (i + 1) / len(models))
        sub.status(f"Fitting the {MODEL_LABELS[model]} model")
        try:
            fitter = _fit_one(model, d, e, w, alpha)
        except Exception as exc:  # lifelines raises ConvergenceError, ValueError, ...
            failed[model] = f"{type(exc).__name__}: {exc}".splitlines()[0]
            continue
        sf, ci = _projection(fitter, grid)
        k = len(fitter._fitted_parameter_names)
        ll = float(fitter.log_likelihood_)
        params = {str(name): float(v) for name, v in fitter.params_.items()}
        rows.append((model, MODEL_LABELS[model], params, ll, 2 * k - 2 * ll,
                     k * np.log(n) - 2 * ll, float(fitter.median_survival_time_)))
        parts.append(pd.DataFrame({"model": model, "time": grid, "survival": sf,
                                   "ci_lower": ci[:, 0], "ci_upper": ci[:, 1]}))
        sub.fraction(1.0)
    if not rows:
        raise AnalysisError("no parametric model could be fitted: "
                            + "; ".join(f"{m}: {r}" for m, r in failed.items()))
    fits = pd.DataFrame(rows, columns=["model", "label", "parameters", "log_likelihood", "aic",
                                       "bic", "median"])
    fits["best"] = fits["aic"] == fits["aic"].min()
    prog.fraction(1.0)
    return ProjectionResult(unit="months", horizon=float(horizon_months), n=n, events=n_events,
                            fits=fits, projections=pd.concat(parts, ignore_index=True), km=km,
                            failed=failed)


def _fit_one(model: str, d: np.ndarray, e: np.ndarray, w: np.ndarray, alpha: float) -> Any:
    fitter = _fitter(model)
    fitter.alpha = alpha
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # lifelines/autograd warn on their internals during the optimisation; a real failure
        # raises and is recorded in ``failed``. Weights here are exact integer counts.
        warnings.simplefilter("ignore")
        fitter.fit(d, e, weights=w)
    return fitter


def _projection(fitter: Any, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Survival and its CI on ``grid`` (t = 0 is 1 by definition; the models' CI formulas
    take log(t), so it is not evaluated there)."""
    positive = grid > 0
    sf = np.ones(grid.size)
    ci = np.ones((grid.size, 2))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        sf[positive] = fitter.survival_function_at_times(grid[positive]).to_numpy()
        ci[positive] = _survival_ci(fitter, grid[positive])
    return sf, ci


def _survival_ci(fitter: Any, times: np.ndarray) -> np.ndarray:
    """lifelines' delta-method survival CI at ``times``: its public
    ``confidence_interval_survival_function_`` on ``fitter.timeline``, which
    ``fit(timeline=...)`` would set to the same values."""
    fitter.timeline = times
    return np.asarray(fitter.confidence_interval_survival_function_.to_numpy(), dtype=float)
