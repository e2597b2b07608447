"""Cox proportional-hazards drivers of lapse (DESIGN §4: Efron ties, categorical covariates
one-hot encoded against their most frequent level, named ``column=level``).

The fit is the same estimator as lifelines' ``CoxPHFitter`` (agreement to 1e-6 is tested) but
runs on a vectorised Newton-Raphson (:mod:`memberdesk.analysis.cox_engine`), fast enough for
a million policies.

Conventions and checks
----------------------
* Durations/events come from :func:`memberdesk.analysis.frames.survival_frame` (months for
  insurer data; the coefficients do not depend on the time unit).
* Numeric (and true/false) covariates are used as they are; text/category columns are
  categorical. Rows with a missing numeric covariate are left out (counted in
  ``n_dropped``); a missing categorical value is its own level ``"(missing)"``.
* Refused with an :class:`AnalysisError` naming the column: unknown column, a date column,
  a categorical column with more than ``MAX_LEVELS`` levels (an identifier?), a constant
  covariate, collinear covariates (matrix rank), fewer than ``MIN_EVENTS`` events or fewer than
  ``MIN_EVENTS_PER_PARAMETER`` events per estimated coefficient (a deliberately loose floor:
  the usual rule of thumb is 10 per coefficient, reported in ``notes`` when not met), and a fit
  that does not converge (e.g. a level in which nobody or everybody lapses).
* ``ph_test``: Grambsch-Therneau test on scaled Schoenfeld residuals with the rank time
  transform, as lifelines' ``proportional_hazard_test(model, df, time_transform="rank")``
  (on tied event times the rank order among ties may differ from lifelines).
* Hazard-ratio CIs are exp(coef -/+ z se) (Wald).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from memberdesk.analysis.cox_engine import (_prepare, concordance_index, fit_efron,
                                            schoenfeld_residuals)
from memberdesk.analysis.frames import MISSING_GROUP, default_unit, survival_frame
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, check_cancelled, ensure

MAX_LEVELS = 50
MIN_EVENTS = 10
MIN_EVENTS_PER_PARAMETER = 2
RULE_OF_THUMB_EVENTS_PER_PARAMETER = 10


@dataclass(frozen=True, eq=False)
class CoxResult:
    """A fitted Cox model.

    ``coefficients``: covariate, coef, se, hazard_ratio, ci_lower, ci_upper (hazard-ratio
    CI), z, p_value, coef_lower, coef_upper. ``ph_test``: covariate, test_statistic, p_value,
    verdict (plain words). ``reference_levels``: categorical column -> level the others are
    compared with.
    """

    n: int
    events: int
    coefficients: pd.DataFrame
    concordance: float
    log_likelihood: float
    log_likelihood_null: float
    ph_test: pd.DataFrame
    reference_levels: dict[str, str] = field(default_factory=dict)
    n_dropped: int = 0
    strata: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def likelihood_ratio_test(self) -> tuple[float, int, float]:
        """(statistic, degrees of freedom, p-value) of the model against no covariates."""
        stat = 2 * (self.log_likelihood - self.log_likelihood_null)
        dof = len(self.coefficients)
        return stat, dof, float(stats.chi2.sf(stat, dof))

    def to_json(self) -> dict[str, Any]:
        """The DESIGN §5 ``cox --json`` object."""
        cols = ["covariate", "coef", "se", "hazard_ratio", "ci_lower", "ci_upper", "p_value"]
        rows = [{c: (str(r[c]) if c == "covariate" else float(r[c])) for c in cols}
                for _, r in self.coefficients.iterrows()]
        return {"n": int(self.n), "events": int(self.events), "coefficients": rows,
                "concordance": float(self.concordance),
                "log_likelihood": float(self.log_likelihood)}

    def to_frame(self) -> pd.DataFrame:
        """Coefficients joined with the proportional-hazards check (for tables/Excel)."""
        return self.coefficients.merge(
            self.ph_test.rename(columns={"test_statistic": "ph_test_statistic",
                                         "p_value": "ph_p_value"}), on="covariate", how="left")


def ph_verdict(p: float) -> str:
    """Plain-words reading of a proportional-hazards test p-value."""
    shown = "p < 0.01" if p < 0.01 else f"p = {p:.2f}"
    if p >= 0.05:
        return f"proportional hazards look reasonable ({shown})"
    return f"effect changes over time ({shown}): read the hazard ratio as an average"


def _design(frame: pd.DataFrame, covariates: Sequence[str]
            ) -> tuple[np.ndarray, list[str], dict[str, str], np.ndarray, list[str]]:
    """Design matrix (float, rows with missing numbers removed), column names, reference
    levels, the kept-row mask and the source column of each design column."""
    blocks: list[np.ndarray] = []
    names: list[str] = []
    sources: list[str] = []
    refs: dict[str, str] = {}
    keep = np.ones(len(frame), dtype=bool)
    for col in covariates:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype) or pd.api.types.is_timedelta64_dtype(s.dtype):
            raise AnalysisError(f"covariate {col!r} is a date; use a number derived from it "
                                "(e.g. issue year) instead", column=col)
        if pd.api.types.is_bool_dtype(s.dtype) or (pd.api.types.is_numeric_dtype(s.dtype)
                                                   and not isinstance(s.dtype, pd.CategoricalDtype)):
            v = pd.to_numeric(s.astype("Float64") if pd.api.types.is_bool_dtype(s.dtype) else s,
                              errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            keep &= ~np.isnan(v)
            blocks.append(v[:, None])
            names.append(col)
            sources.append(col)
            continue
        if not (s.dtype == object or isinstance(s.dtype, pd.CategoricalDtype)
                or pd.api.types.is_string_dtype(s.dtype)):
            raise AnalysisError(f"covariate {col!r} is neither numeric nor categorical "
                                f"(type {s.dtype})", column=col)
        labels = s.astype(object).where(s.notna(), MISSING_GROUP).astype(str)
        codes, levels = pd.factorize(labels, sort=True)
        if len(levels) > MAX_LEVELS:
            raise AnalysisError(f"covariate {col!r} has {len(levels)} distinct values; at most "
                                f"{MAX_LEVELS} levels (is it an identifier?)", column=col)
        counts = np.bincount(codes, minlength=len(levels))
        ref = int(np.argmax(counts))  # most frequent; ties -> first in sorted order
        refs[col] = str(levels[ref])
        for k, level in enumerate(levels):
            if k != ref:
                blocks.append((codes == k).astype(float)[:, None])
                names.append(f"{col}={level}")
                sources.append(col)
        if len(levels) == 1:
            raise AnalysisError(f"covariate {col!r} has a single value ({levels[0]!r}): it "
                                "cannot explain differences", column=col)
    x = np.hstack(blocks) if blocks else np.zeros((len(frame), 0))
    return x, names, refs, keep, sources


def _check_design(x: np.ndarray, names: list[str], sources: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Refuse constant and collinear columns; return column means and scales."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    for j, name in enumerate(names):
        if not scale[j] > 1e-12 * max(1.0, abs(mean[j])):
            what = "has the same value in every row" if names[j] == sources[j] else \
                "is never (or always) present in the rows used"
            raise AnalysisError(f"covariate {name!r} {what}: it cannot explain differences",
                                column=sources[j])
    z = (x - mean) / scale
    gram = z.T @ z / max(1, len(z))
    if np.linalg.matrix_rank(gram, tol=1e-9) < len(names):
        # name the first column that is a combination of the columns before it
        for j in range(1, len(names)):
            if np.linalg.matrix_rank(gram[: j + 1, : j + 1], tol=1e-9) <= j:
                sub = gram[:j, :j]
                coef = np.linalg.lstsq(sub, gram[:j, j], rcond=None)[0]
                partners = [names[i] for i in np.flatnonzero(np.abs(coef) > 1e-6)]
                raise AnalysisError(f"covariates are collinear: {names[j]!r} is determined by "
                                    f"{', '.join(repr(p) for p in partners)}; drop one of them",
                                    column=sources[j])
    return mean, scale


def fit_cox(data: Dataset | pd.DataFrame, covariates: Sequence[str], *,
            strata: Sequence[str] | str | None = None, unit: str | None = None,
            alpha: float = 0.05, progress: Progress | None = None) -> CoxResult:
    """Fit a Cox proportional-hazards model of the event (lapse) on ``covariates``.

    Parameters
    ----------
    data
        A Dataset (its policies view) or a DataFrame with ``duration``/``event`` columns.
    covariates
        Column names; categorical ones are one-hot encoded against their most frequent level.
    strata
        Optional column(s) whose levels get their own baseline hazard.
    unit
        Time unit for durations (does not change coefficients); default as ``km``.
    """
    prog = ensure(progress)
    covariates = [c.strip() for c in covariates if c and c.strip()]
    if not covariates:
        raise AnalysisError("name at least one covariate")
    dupes = sorted({c for c in covariates if covariates.count(c) > 1})
    if dupes:
        raise AnalysisError(f"covariate {dupes[0]!r} is listed twice", column=dupes[0])
    strata_cols = [strata] if isinstance(strata, str) else list(strata or [])
    prog.status("Preparing covariates")
    unit = default_unit(data) if unit is None else unit
    frame = survival_frame(data, unit=unit, columns=(*covariates, *strata_cols))
    x, names, refs, keep, sources = _design(frame, covariates)
    n_dropped = int((~keep).sum())
    x = x[keep]
    durations = frame["duration"].to_numpy(dtype=float)[keep]
    events = frame["event"].to_numpy(dtype=np.int8)[keep]
    n_events = int(events.sum())
    p = len(names)
    if n_events < MIN_EVENTS or n_events < MIN_EVENTS_PER_PARAMETER * p:
        raise AnalysisError(f"too few events to fit a Cox model: {n_events} events for {p} "
                            f"coefficients (need at least {MIN_EVENTS} and "
                            f"{MIN_EVENTS_PER_PARAMETER} per coefficient)")
    mean, scale = _check_design(x, names, sources)
    check_cancelled(progress)
    prog.fraction(0.1)
    z = (x - mean) / scale
    if strata_cols:
        skey = frame.loc[keep, strata_cols].astype(str).agg("|".join, axis=1) \
            if len(strata_cols) > 1 else frame.loc[keep, strata_cols[0]].astype(object).astype(str)
        scodes, _ = pd.factorize(skey.to_numpy())
        groups = [np.flatnonzero(scodes == k) for k in range(scodes.max() + 1)]
    else:
        groups = [np.arange(len(z))]
    prepared = [_prepare(z[g], durations[g], events[g], np.ones(g.size)) for g in groups]
    prog.status("Fitting the Cox model")
    fit = fit_efron(prepared, p, names=names)
    check_cancelled(progress)
    prog.fraction(0.6)
    beta = fit.beta / scale
    cov = fit.covariance / np.outer(scale, scale)
    se = np.sqrt(np.diag(cov))
    zq = float(stats.norm.ppf(1 - alpha / 2))
    wald = beta / se
    coefficients = pd.DataFrame({
        "covariate": names, "coef": beta, "se": se, "hazard_ratio": np.exp(beta),
        "ci_lower": np.exp(beta - zq * se), "ci_upper": np.exp(beta + zq * se), "z": wald,
        "p_value": 2 * stats.norm.sf(np.abs(wald)),
        "coef_lower": beta - zq * se, "coef_upper": beta + zq * se,
    })
    prog.status("Checking proportional hazards")
    ph = _ph_test(prepared, fit.beta, fit.covariance, scale, n_events, names)
    prog.fraction(0.8)
    prog.status("Computing concordance")
    concordance = concordance_index(durations, x @ beta, events)
    prog.fraction(1.0)
    notes = []
    if n_events < RULE_OF_THUMB_EVENTS_PER_PARAMETER * p:
        notes.append(f"only {n_events / p:.1f} events per coefficient: estimates may be unstable "
                     f"(rule of thumb: {RULE_OF_THUMB_EVENTS_PER_PARAMETER})")
    if n_dropped:
        notes.append(f"{n_dropped} rows with a missing numeric covariate were left out")
    return CoxResult(n=int(keep.sum()), events=n_events, coefficients=coefficients,
                     concordance=concordance, log_likelihood=fit.log_likelihood,
                     log_likelihood_null=fit.log_likelihood_null, ph_test=ph,
                     reference_levels=refs, n_dropped=n_dropped, strata=tuple(strata_cols),
                     notes=tuple(notes))


def _ph_test(prepared: list, beta_std: np.ndarray, cov_std: np.ndarray, scale: np.ndarray,
             n_events: int, names: list[str]) -> pd.DataFrame:
    resid, keys = schoenfeld_residuals(prepared, beta_std)
    # back to original units: residuals scale with x, the covariance with 1/scale^2
    resid = resid * scale
    cov = cov_std / np.outer(scale, scale)
    scaled = n_events * resid @ cov
    order = np.lexsort((keys[:, 1], keys[:, 0]))
    rank = np.empty(order.size)
    rank[order] = np.arange(1, order.size + 1)
    g = rank - rank.mean()
    se2 = np.diag(cov)
    stat = (g @ scaled) ** 2 / (n_events * se2 * (g**2).sum())
    pvals = stats.chi2.sf(stat, 1)
    return pd.DataFrame({"covariate": names, "test_statistic": stat, "p_value": pvals,
                         "verdict": [ph_verdict(float(pv)) for pv in pvals]})
