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

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.cox_engine import GRAM_BLOCK_ROWS, _prepare, concordance_index, fit_efron, schoenfeld_residuals
from memberdesk.analysis.frames import MISSING_GROUP, default_unit, survival_frame
from memberdesk.analysis.km import chi2_sf, normal_quantile, normal_sf
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
        return stat, dof, chi2_sf(stat, dof)

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


@dataclass(frozen=True)
class _Encoded:
    """The covariates of the rows used: per source column either float values (numeric) or
    integer level codes (categorical, ``levels`` sorted, ``ref`` the reference level)."""

    columns: list[tuple[str, np.ndarray, list[str] | None, int]]  # (column, values|codes, levels, ref)
    names: list[str]
    sources: list[str]
    refs: dict[str, str]
    keep: np.ndarray  # rows without a missing numeric covariate


def _categorical_codes(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes into the sorted text labels of ``s``; missing values are the level "(missing)"."""
    codes, uniques = pd.factorize(s)
    labels = [str(u) for u in uniques]
    codes = np.asarray(codes, dtype=np.int64)
    if (codes < 0).any():
        labels.append(MISSING_GROUP)
        codes = np.where(codes < 0, len(labels) - 1, codes)
    levels, remap = np.unique(np.array(labels, dtype=object), return_inverse=True)
    return remap.ravel()[codes], [str(v) for v in levels]


def _encode(frame: pd.DataFrame, covariates: Sequence[str]) -> _Encoded:
    """Check and encode the covariates; numeric rows with a missing value are not kept."""
    columns: list[tuple[str, np.ndarray, list[str] | None, int]] = []
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
            columns.append((col, v, None, -1))
            names.append(col)
            sources.append(col)
            continue
        if not (s.dtype == object or isinstance(s.dtype, pd.CategoricalDtype)
                or pd.api.types.is_string_dtype(s.dtype)):
            raise AnalysisError(f"covariate {col!r} is neither numeric nor categorical "
                                f"(type {s.dtype})", column=col)
        codes, levels = _categorical_codes(s)
        if len(levels) > MAX_LEVELS:
            raise AnalysisError(f"covariate {col!r} has {len(levels)} distinct values; at most "
                                f"{MAX_LEVELS} levels (is it an identifier?)", column=col)
        counts = np.bincount(codes, minlength=len(levels))
        ref = int(np.argmax(counts))  # most frequent; ties -> first in sorted order
        refs[col] = str(levels[ref])
        columns.append((col, codes, levels, ref))
        for k, level in enumerate(levels):
            if k != ref:
                names.append(f"{col}={level}")
                sources.append(col)
        if len(levels) == 1:
            raise AnalysisError(f"covariate {col!r} has a single value ({levels[0]!r}): it "
                                "cannot explain differences", column=col)
    return _Encoded(columns, names, sources, refs, keep)


def _design_matrix(enc: _Encoded, rows: np.ndarray | None) -> np.ndarray:
    """Design matrix (C order, float) of ``rows`` (all rows when None)."""
    n = len(enc.keep) if rows is None else rows.size
    x = np.empty((n, len(enc.names)))
    j = 0
    for _, data, levels, ref in enc.columns:
        data = data if rows is None else data[rows]
        if levels is None:
            x[:, j] = data
            j += 1
            continue
        for k in range(len(levels)):
            if k != ref:
                x[:, j] = data == k
                j += 1
    return x


AGGREGATE_MIN_RATIO = 2  # collapse identical rows when that shrinks the data at least this much
_SAMPLE = 20_000


def _identical_row_groups(keys: list[np.ndarray]) -> tuple[np.ndarray, int] | None:
    """Group index of every row by identical ``keys`` (integer codes or floats), or None when
    grouping would not shrink the rows by ``AGGREGATE_MIN_RATIO``."""
    n = keys[0].size
    limit = n // AGGREGATE_MIN_RATIO
    if n < 2 * AGGREGATE_MIN_RATIO:
        return None
    # cheap early exit for near-continuous columns (each distinct value would be its own row)
    for k in keys:
        head = k[:_SAMPLE]
        if np.unique(head).size > head.size // AGGREGATE_MIN_RATIO:
            return None
    combined = np.zeros(n, dtype=np.int64)
    size = 1
    for k in keys:
        codes = k if k.dtype.kind in "iub" else pd.factorize(k)[0]
        card = int(codes.max()) + 1
        if size * card >= 2**62:
            combined, uniques = pd.factorize(combined)
            size = len(uniques)
            if size > limit:
                return None
        combined = combined * card + codes
        size *= card
    group, uniques = pd.factorize(combined)
    if len(uniques) > limit:
        return None
    return np.asarray(group, dtype=np.int64), len(uniques)


def _check_design(x: np.ndarray, w: np.ndarray, names: list[str], sources: list[str]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Refuse constant and collinear columns; return column means and scales (``w``:
    frequency weights, so the same as on the rows they stand for)."""
    total = float(w.sum())
    mean = (w @ x) / total
    gram_c = np.zeros((x.shape[1], x.shape[1]))  # centred weighted Gram, in row blocks
    for a in range(0, x.shape[0], GRAM_BLOCK_ROWS):
        xb = x[a:a + GRAM_BLOCK_ROWS] - mean
        gram_c += xb.T @ (xb * w[a:a + GRAM_BLOCK_ROWS, None])
    scale = np.sqrt(np.maximum(np.diag(gram_c), 0.0) / total)
    for j, name in enumerate(names):
        if not scale[j] > 1e-12 * max(1.0, abs(mean[j])):
            what = "has the same value in every row" if names[j] == sources[j] else \
                "is never (or always) present in the rows used"
            raise AnalysisError(f"covariate {name!r} {what}: it cannot explain differences",
                                column=sources[j])
    gram = gram_c / np.outer(scale, scale) / total
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
            alpha: float = 0.05, diagnostics: bool = True,
            progress: Progress | None = None) -> CoxResult:
    """Fit a Cox proportional-hazards model of the event (lapse) on ``covariates``.

    Rows identical in (strata, covariates, duration, event) are collapsed into one row with a
    count weight when that at least halves the rows (typical for categorical covariates): the
    Efron likelihood with frequency weights is exactly that of the repeated rows, and the
    concordance and PH test count each collapsed row as its copies.

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
    diagnostics
        False skips the proportional-hazards test (empty ``ph_test``) and the concordance
        (NaN) when only the coefficients are wanted.
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
    enc = _encode(frame, covariates)
    names, keep = enc.names, enc.keep
    n_dropped = int((~keep).sum())
    kept = None if n_dropped == 0 else np.flatnonzero(keep)
    durations = frame["duration"].to_numpy(dtype=float)
    events = frame["event"].to_numpy(dtype=np.int8)
    if kept is not None:
        durations, events = durations[kept], events[kept]
    n_events = int(events.sum())
    p = len(names)
    if n_events < MIN_EVENTS or n_events < MIN_EVENTS_PER_PARAMETER * p:
        raise AnalysisError(f"too few events to fit a Cox model: {n_events} events for {p} "
                            f"coefficients (need at least {MIN_EVENTS} and "
                            f"{MIN_EVENTS_PER_PARAMETER} per coefficient)")
    scodes = _strata_codes(frame, strata_cols, kept)
    check_cancelled(progress)
    codes = [data if kept is None else data[kept] for _, data, _, _ in enc.columns]
    grouped = _identical_row_groups([*codes, scodes, durations, events])
    if grouped is None:
        inverse, rows = None, kept
        weights = np.ones(durations.size)
        fit_d, fit_e, fit_s = durations, events, scodes
    else:
        inverse, n_groups = grouped
        first = np.empty(n_groups, dtype=np.int64)
        first[inverse] = np.arange(inverse.size)  # any row of a group stands for it
        rows = first if kept is None else kept[first]
        weights = np.bincount(inverse, minlength=n_groups).astype(float)
        fit_d, fit_e, fit_s = durations[first], events[first], scodes[first]
    x = _design_matrix(enc, rows)
    mean, scale = _check_design(x, weights, names, enc.sources)
    check_cancelled(progress)
    prog.fraction(0.1)
    n_strata = int(fit_s.max()) + 1
    groups = [None] if n_strata == 1 else [np.flatnonzero(fit_s == k) for k in range(n_strata)]
    prepared = [_prepare(x, fit_d, fit_e, weights, mean, scale) if g is None else
                _prepare(x[g], fit_d[g], fit_e[g], weights[g], mean, scale) for g in groups]
    prog.status("Fitting the Cox model")
    fit = fit_efron(prepared, p, names=names)
    check_cancelled(progress)
    prog.fraction(0.6)
    beta = fit.beta / scale
    cov = fit.covariance / np.outer(scale, scale)
    se = np.sqrt(np.diag(cov))
    zq = normal_quantile(1 - alpha / 2)
    wald = beta / se
    coefficients = pd.DataFrame({
        "covariate": names, "coef": beta, "se": se, "hazard_ratio": np.exp(beta),
        "ci_lower": np.exp(beta - zq * se), "ci_upper": np.exp(beta + zq * se), "z": wald,
        "p_value": 2 * normal_sf(np.abs(wald)),
        "coef_lower": beta - zq * se, "coef_upper": beta + zq * se,
    })
    if diagnostics:
        prog.status("Checking proportional hazards")
        resid = _event_residuals(prepared, groups, fit, inverse, durations, events, scodes)
        ph = _ph_test(resid, fit.covariance, scale, n_events, names)
        prog.fraction(0.8)
        prog.status("Computing concordance")
        concordance = concordance_index(fit_d, x @ beta, fit_e,
                                        None if inverse is None else weights)
    else:
        ph = pd.DataFrame({"covariate": pd.Series(dtype=object),
                           "test_statistic": pd.Series(dtype=float),
                           "p_value": pd.Series(dtype=float), "verdict": pd.Series(dtype=object)})
        concordance = float("nan")
    prog.fraction(1.0)
    notes = []
    if n_events < RULE_OF_THUMB_EVENTS_PER_PARAMETER * p:
        notes.append(f"only {n_events / p:.1f} events per coefficient: estimates may be unstable "
                     f"(rule of thumb: {RULE_OF_THUMB_EVENTS_PER_PARAMETER})")
    if n_dropped:
        notes.append(f"{n_dropped} rows with a missing numeric covariate were left out")
    return CoxResult(n=int(durations.size), events=n_events, coefficients=coefficients,
                     concordance=concordance, log_likelihood=fit.log_likelihood,
                     log_likelihood_null=fit.log_likelihood_null, ph_test=ph,
                     reference_levels=enc.refs, n_dropped=n_dropped, strata=tuple(strata_cols),
                     notes=tuple(notes))


def _strata_codes(frame: pd.DataFrame, strata_cols: list[str], kept: np.ndarray | None
                  ) -> np.ndarray:
    """Stratum index of every kept row (0 for all without strata), in order of appearance."""
    n = len(frame) if kept is None else kept.size
    if not strata_cols:
        return np.zeros(n, dtype=np.int64)
    sub = frame[strata_cols] if kept is None else frame[strata_cols].iloc[kept]
    skey = sub.astype(str).agg("|".join, axis=1) if len(strata_cols) > 1 \
        else sub[strata_cols[0]].astype(object).astype(str)
    return np.asarray(pd.factorize(skey.to_numpy())[0], dtype=np.int64)


def _event_residuals(prepared: list, groups: list, fit: Any, inverse: np.ndarray | None,
                     durations: np.ndarray, events: np.ndarray, scodes: np.ndarray) -> np.ndarray:
    """Schoenfeld residuals (standardised scale) of every event record, one per record even
    when records were collapsed, ordered by (stratum, duration, input order): the order the
    rank time transform numbers them in (as lifelines does on the records themselves)."""
    resid, keys = schoenfeld_residuals(prepared, fit.beta)
    fitted_row = np.empty(len(keys), dtype=np.int64)
    for k, g in enumerate(groups):
        here = keys[:, 0] == k
        fitted_row[here] = keys[here, 1] if g is None else g[keys[here, 1]]
    n_fitted = durations.size if inverse is None else int(inverse.max()) + 1
    position = np.full(n_fitted, -1, dtype=np.int64)
    position[fitted_row] = np.arange(fitted_row.size)
    ev = np.flatnonzero(events)
    ev = ev[np.argsort(durations[ev], kind="stable") if len(groups) == 1
            else np.lexsort((durations[ev], scodes[ev]))]
    return resid[position[ev if inverse is None else inverse[ev]]]


def _ph_test(resid: np.ndarray, cov_std: np.ndarray, scale: np.ndarray, n_events: int,
             names: list[str]) -> pd.DataFrame:
    # back to original units: residuals scale with x, the covariance with 1/scale^2
    cov = cov_std / np.outer(scale, scale)
    rank = np.arange(1, resid.shape[0] + 1, dtype=float)  # residuals are in duration order
    g = rank - rank.mean()
    se2 = np.diag(cov)
    # g' (n_events * (resid * scale) @ cov), reduced to length p first: one pass over the
    # residuals instead of three n x p temporaries (~0.3 s at 600k events)
    g_scaled = n_events * (((g @ resid) * scale) @ cov)
    stat = g_scaled ** 2 / (n_events * se2 * (g**2).sum())
    pvals = np.array([chi2_sf(float(s), 1) for s in stat])
    return pd.DataFrame({"covariate": names, "test_statistic": stat, "p_value": pvals,
                         "verdict": [ph_verdict(float(pv)) for pv in pvals]})
