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
* ``by=COL``: the models are also fitted to each level of the segment column, each group on
  its own rows (or an engine book's counts by segment x duration x event), with its own best
  model by AIC. Levels in :func:`memberdesk.analysis.frames.segment_labels` order (category
  order, else sorted); rows with no value form a last ``"(missing)"`` group, so the groups'
  policies add up to the whole book's. A group too small to fit (no events; every policy the
  same duration and event) has every model in ``failed`` with the reason, and no fit; at most
  :data:`memberdesk.analysis.survival.MAX_SEGMENTS` levels, as ``km``.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.frames import segment_labels, survival_frame
from memberdesk.analysis.km import KMCurve, kaplan_meier
from memberdesk.analysis.survival import MAX_SEGMENTS, _rows_or_counts
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, SubProgress, check_cancelled, ensure
from memberdesk.core.reasons import Reason
from memberdesk.core.schema import DAYS_PER_MONTH

MODELS: tuple[str, ...] = ("exponential", "weibull", "lognormal", "loglogistic")
MODEL_LABELS: dict[str, str] = {"exponential": "Exponential", "weibull": "Weibull",
                                "lognormal": "Log-normal", "loglogistic": "Log-logistic"}
ZERO_DURATION_MONTHS = 0.5 / DAYS_PER_MONTH
NO_EVENTS = "no events: there is nothing to fit a retention model to"
ONE_PAIR = ("every policy has the same duration and event: the models need at least two "
            "different observations")


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
    ``failed``: model -> reason for models that could not be fitted. ``by`` and ``groups``:
    the segment column and one :class:`ProjectionGroup` per level (``fit_parametric(by=...)``;
    None and empty otherwise).
    """

    unit: str
    horizon: float
    n: int
    events: int
    fits: pd.DataFrame
    projections: pd.DataFrame
    km: KMCurve
    failed: dict[str, str] = field(default_factory=dict)
    by: str | None = None
    groups: tuple[ProjectionGroup, ...] = ()

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
        """The docs/cli.md ``projection --json`` fields; with ``by``, also ``"by"`` and
        ``"groups"`` (each ``{"name", <these same fields>}``)."""
        out = self._fields()
        if self.by is not None:
            out["by"] = self.by
            out["groups"] = [g.to_json() for g in self.groups]
        return out

    def _fields(self) -> dict[str, Any]:
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


@dataclass(frozen=True, eq=False)
class ProjectionGroup:
    """The models fitted to one level of the segment column (time in months).

    ``name``: the level as text (``"(missing)"`` for rows with no value); ``n``: policies;
    ``events``: events; ``result``: the group's fits, projections and Kaplan-Meier curve, or
    None when no model could be fitted; ``failed``: model -> reason, as
    :attr:`ProjectionResult.failed` (every model when ``result`` is None).
    """

    name: str
    horizon: float
    n: int
    events: int
    result: ProjectionResult | None
    failed: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """``{"name", <the fields of ProjectionResult.to_json>}``; a group without a fit has
        ``"best_model": null`` and ``"models": []``."""
        if self.result is not None:
            return {"name": self.name, **self.result.to_json()}
        return {"name": self.name, "unit": "months", "horizon": self.horizon, "n": self.n,
                "events": self.events, "best_model": None, "models": [],
                "failed": dict(self.failed)}


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
                   progress: Progress | None = None, by: str | None = None) -> ProjectionResult:
    """Fit parametric retention models (months) and project survival to ``horizon_months``.

    ``alpha``: 1 − CI level (None: ``1 − ds.assumptions.ci_level`` for a Dataset, else 0.05).
    ``by``: a segment column (policy or member column; any column of a generic table or a
    DataFrame): the result is the whole book's, with one :class:`ProjectionGroup` per level in
    ``groups`` (module doc). An unknown column raises :class:`AnalysisError` naming the
    columns available; more than ``MAX_SEGMENTS`` levels too."""
    if alpha is None:
        alpha = data.assumptions.alpha if isinstance(data, Dataset) else 0.05
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise AnalysisError(f"unknown model {unknown[0]!r}; choose from {', '.join(MODELS)}")
    if not models:
        raise AnalysisError("choose at least one model")
    if not horizon_months > 0:
        raise AnalysisError("the projection horizon must be positive")
    # the rows (weight 1 each) or an engine book's counts by (segment x) duration x event
    # (issue #13)
    frame, w_all = _rows_or_counts(data, "months", by, missing="group")
    d_all = frame["duration"].to_numpy(dtype=float)
    if np.isnan(d_all).any() or (d_all < 0).any():  # engine counts: the rows' route refuses
        frame = survival_frame(data, unit="months", columns=(by,))  # them with its message
        d_all, w_all = frame["duration"].to_numpy(dtype=float), np.ones(len(frame))
    e_all = frame["event"].to_numpy(dtype=np.int8)
    grid = np.arange(0.0, float(horizon_months) + 1e-9, 1.0)
    if grid[-1] < horizon_months:
        grid = np.append(grid, float(horizon_months))
    if by is None:
        return _fit_whole(d_all, e_all, w_all, grid, models, alpha, progress)
    codes, names = segment_labels(frame[by])
    if len(names) > MAX_SEGMENTS:
        raise AnalysisError(Reason("segment_too_many", column=by, n=len(names),
                                   limit=MAX_SEGMENTS), column=by)  # (km's reason)
    parts = len(names) + 1
    whole = _fit_whole(d_all, e_all, w_all, grid, models, alpha,
                       SubProgress(progress, 0.0, 1 / parts))
    groups = []
    for g, name in enumerate(names):
        check_cancelled(progress)
        pick = codes == g
        sub = SubProgress(progress, (g + 1) / parts, (g + 2) / parts)
        result, failed = _fit_counts(d_all[pick], e_all[pick], w_all[pick], grid, models,
                                     alpha, sub)
        w, e = w_all[pick], e_all[pick]
        groups.append(ProjectionGroup(name=name, horizon=float(grid[-1]), n=int(w.sum()),
                                      events=int(w @ e), result=result, failed=failed))
    ensure(progress).fraction(1.0)  # (a last group too small to fit reports no progress)
    return replace(whole, by=by, groups=tuple(groups))


def _fit_whole(d_all: np.ndarray, e_all: np.ndarray, w_all: np.ndarray, grid: np.ndarray,
               models: Sequence[str], alpha: float, progress: Progress | None
               ) -> ProjectionResult:
    """:func:`_fit_counts` of the whole book: a book too small to fit, or on which no model
    could be fitted, raises :class:`AnalysisError` with the reasons."""
    result, failed = _fit_counts(d_all, e_all, w_all, grid, models, alpha, progress)
    if result is not None:
        return result
    reasons = set(failed.values())
    if reasons <= {NO_EVENTS, ONE_PAIR}:  # (the result's ``failed`` keeps the words)
        raise AnalysisError(Reason("projection_no_events" if reasons.pop() == NO_EVENTS
                                   else "projection_one_pair"))
    raise AnalysisError(Reason("projection_none_fitted",
                               failures="; ".join(f"{m}: {r}" for m, r in failed.items())))


def _too_small(d: np.ndarray, n_events: int) -> str | None:
    """Why nothing can be fitted before trying (None: try): no events, or one (duration,
    event) pair only (lifelines cannot fit a single observation)."""
    if n_events == 0:
        return NO_EVENTS
    if d.size == 1:
        return ONE_PAIR
    return None


def _fit_counts(d_all: np.ndarray, e_all: np.ndarray, w_all: np.ndarray, grid: np.ndarray,
                models: Sequence[str], alpha: float, progress: Progress | None
                ) -> tuple[ProjectionResult | None, dict[str, str]]:
    """The models fitted to durations ``d_all`` (months), events ``e_all`` and frequency
    weights ``w_all``, projected on ``grid``: the result (None when no model was fitted) and
    the reason of each model not fitted."""
    prog = ensure(progress)
    n, n_events = int(w_all.sum()), int(w_all @ e_all)
    d_all = np.where(d_all <= 0, ZERO_DURATION_MONTHS, d_all)
    d, e, w = unique_counts(d_all, e_all, w_all)
    small = _too_small(d, n_events)
    if small is not None:
        return None, {m: small for m in models}
    km = kaplan_meier(d, e, weights=w, name="Kaplan-Meier", alpha=alpha)
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
        return None, failed
    fits = pd.DataFrame(rows, columns=["model", "label", "parameters", "log_likelihood", "aic",
                                       "bic", "median"])
    fits["best"] = fits["aic"] == fits["aic"].min()
    prog.fraction(1.0)
    # (the grid's last time is the horizon)
    return ProjectionResult(unit="months", horizon=float(grid[-1]), n=n, events=n_events,
                            fits=fits, projections=pd.concat(parts, ignore_index=True), km=km,
                            failed=failed), failed


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
