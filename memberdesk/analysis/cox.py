"""Cox proportional-hazards drivers of lapse, as R's ``coxph`` (docs/conventions.md).

``coxph(Surv([entry,] exit, event) ~ covariates + strata(s), ties = "efron"|"breslow",
cluster = id)`` with ``cox.zph(fit, transform = "km")``: R survival >= 3.0 is the reference
(tests/reference/r_cox_reference.R), lifelines' ``CoxPHFitter`` where it agrees. The fit runs
on a vectorised Newton-Raphson (:mod:`memberdesk.analysis.cox_engine`), fast enough for a
million policies.

Conventions and checks
----------------------
* Durations/events come from :func:`memberdesk.analysis.frames.survival_frame` (months for
  insurer data, the table's own unit for generic ones; coefficients do not depend on the time
  unit). Delayed entry (left truncation) comes from the frame's ``entry`` column: ``entry=COL``
  (entry durations in the same unit) or a Dataset's study start; a row is at risk on
  (entry, exit]. Rows with a missing or negative entry or an exit not after the entry are
  rejected with a reason (counted in ``n_rejected``, a note says how many); policies that
  ended before the study start are out of window (counted in a note).
* Numeric (and true/false) covariates are used as they are; text/category columns are
  categorical, one-hot encoded against their most frequent level, named ``column=level``.
* Rows with a missing covariate, stratum or cluster value are left out of the fit, as
  R's ``na.action = na.omit``; ``n`` counts the rows used, ``n_dropped`` the rows left out and
  a note says how many.
* Ties: Efron (default) or Breslow. Strata: each level (or combination of levels of several
  columns) has its own baseline hazard; the concordance compares pairs within a stratum only.
* ``cluster``: the robust sandwich variance (R's ``cluster = id``: D'D with D the per-cluster
  sums of the dfbeta residuals); ``robust_se`` is reported beside the naive ``se`` and the
  CIs and p-values use it.
* Refused with an :class:`AnalysisError` naming the column: unknown column, a date column,
  a categorical column with more than ``MAX_LEVELS`` levels (an identifier?), a constant
  covariate, collinear covariates (matrix rank), fewer than ``MIN_EVENTS`` events or fewer than
  ``MIN_EVENTS_PER_PARAMETER`` events per coefficient (a deliberately loose floor: the usual
  rule of thumb is 10, reported in ``notes`` when not met), complete separation seen in the
  data (:mod:`memberdesk.analysis.cox_checks`), and a fit that does not converge.
* Near-separation is a note: low variance among events or censored rows (lifelines' check),
  and after the fit R's "coefficient may be infinite" (:mod:`memberdesk.analysis.cox_checks`).
  Hazard ratios never overflow: one beyond floating point is +inf (JSON null).
* ``ph_test``: R's ``cox.zph`` exact score test per term (a categorical column is one term
  with one df per level compared) and ``global``, transform ``km`` by default
  (:mod:`memberdesk.analysis.cox_zph`); ``ph_method="approximate"`` gives the old
  Grambsch-Therneau rank approximation per coefficient (lifelines).
* Hazard-ratio CIs are exp(coef -/+ z se) (Wald), se robust when clustered.

Engine books (issue #13, docs/engines.md)
-----------------------------------------
On a Dataset backed by an engine book (DuckDB, PostgreSQL, Spark) a model whose covariates and
strata are all categorical (text) or banded (non-text with at most :data:`CELL_LIMIT` distinct
values) is fitted from the book's covariate cells × duration × event counts
(:meth:`memberdesk.core.book.Book.covariate_cells`), computed by a ``GROUP BY`` in the engine:
each count is a frequency weight, and the engine (:mod:`memberdesk.analysis.cox_engine`) treats
an integer weight w as w identical rows under Breslow and Efron ties, so coefficients,
standard errors, log-likelihoods, the PH test and the concordance are those of the rows
(``route="cells"``). A continuous covariate, a cluster, delayed entry or the approximate PH
test need each row: the accepted rows are read from the engine (``route="rows"``) and a note
(code ``rows_read_*``) says why.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis import cox_checks
from memberdesk.analysis.beside import beside
from memberdesk.analysis.cox_concordance import concordance_index
from memberdesk.analysis.cox_design import (
    _check_design,
    _design_matrix_sorted,
    _encode,
    _Encoded,
    _identical_row_groups,
    check_within_strata,
)
from memberdesk.analysis.cox_engine import (
    CoxFit,
    _prepare_sorted,
    _Stratum,
    fit_efron,
    schoenfeld_residuals,
    score_residuals,
)
from memberdesk.analysis.cox_zph import PH_METHODS, PH_TRANSFORMS, approximate_ph_test, exact_ph_test, transformed_time
from memberdesk.analysis.frames import default_unit, survival_frame
from memberdesk.analysis.km import chi2_sf, normal_quantile, normal_sf
from memberdesk.core.book import COUNT_COLUMN, durations_in
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.reasons import Reason

MIN_EVENTS = 10
MIN_EVENTS_PER_PARAMETER = 2
RULE_OF_THUMB_EVENTS_PER_PARAMETER = 10
CELL_LIMIT = 200  # a non-text covariate with at most this many distinct values is banded (cells)


@dataclass(frozen=True)
class CoxNote:
    """A remark on a fit: a reason ``code`` of :mod:`memberdesk.core.reasons` with its
    parameters; ``text`` is the catalogue's English sentence (presenters translate from the
    code through the same catalogue)."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def text(self) -> str:
        return Reason(self.code, **dict(self.params)).text("en")

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, **dict(self.params), "message": self.text}


@dataclass(frozen=True, eq=False)
class CoxResult:
    """A fitted Cox model.

    ``coefficients``: covariate, term (its source column), coef, se (naive), robust_se (NaN
    unless clustered), hazard_ratio, ci_lower, ci_upper (hazard-ratio CI), z, p_value,
    coef_lower, coef_upper. ``ph_test``: covariate (a term, then ``global``), test_statistic,
    df, p_value, verdict (plain words). ``reference_levels``: categorical column -> level the
    others are compared with.
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
    reasons: tuple[CoxNote, ...] = ()
    ties: str = "efron"
    ph_transform: str = "km"
    ph_method: str = "exact"
    cluster: str | None = None
    entry: str | None = None
    n_rejected: int = 0
    route: str = "rows"  # "cells": fitted from an engine book's covariate cell counts

    @property
    def notes(self) -> tuple[str, ...]:
        """The remarks in English (see ``reasons`` for codes)."""
        return tuple(r.text for r in self.reasons)

    @property
    def likelihood_ratio_test(self) -> tuple[float, int, float]:
        """(statistic, degrees of freedom, p-value) of the model against no covariates."""
        stat = 2 * (self.log_likelihood - self.log_likelihood_null)
        dof = len(self.coefficients)
        return stat, dof, chi2_sf(stat, dof)

    def to_json(self) -> dict[str, Any]:
        """The docs/cli.md ``cox --json`` object (with the issue 10/16 additions)."""
        cols = ["covariate", "coef", "se", "hazard_ratio", "ci_lower", "ci_upper", "p_value"]
        if self.cluster is not None:
            cols.insert(3, "robust_se")
        rows = [{c: (str(r[c]) if c == "covariate" else float(r[c])) for c in cols}
                for _, r in self.coefficients.iterrows()]
        t = self.ph_test
        ph = [{"covariate": str(c), "statistic": float(s), "df": int(d), "p_value": float(pv)}
              for c, s, d, pv in zip(t["covariate"], t["test_statistic"].to_numpy(dtype=float),
                                     t["df"].to_numpy(dtype=int), t["p_value"].to_numpy(dtype=float))]
        return {"n": int(self.n), "events": int(self.events), "coefficients": rows,
                "concordance": float(self.concordance),
                "log_likelihood": float(self.log_likelihood),
                "strata": list(self.strata), "ties": self.ties, "entry": self.entry,
                "cluster": self.cluster, "ph_test": ph, "ph_transform": self.ph_transform,
                "ph_method": self.ph_method, "n_dropped": int(self.n_dropped),
                "n_rejected": int(self.n_rejected), "route": self.route,
                "notes": [r.to_json() for r in self.reasons]}

    def to_frame(self) -> pd.DataFrame:
        """Coefficients joined with the proportional-hazards test of their term (for
        tables/Excel): ph_test_statistic, ph_df, ph_p_value."""
        ph = self.ph_test.rename(columns={"test_statistic": "ph_test_statistic", "df": "ph_df",
                                          "p_value": "ph_p_value", "covariate": "term"})
        key = "term" if self.ph_method == "exact" else "covariate"
        if key == "covariate":
            ph = ph.rename(columns={"term": "covariate"})
        ph = ph[ph[key] != "global"] if len(ph) else ph
        return self.coefficients.merge(ph, on=key, how="left")

    @property
    def ph_global(self) -> tuple[float, int, float] | None:
        """(statistic, df, p-value) of the global PH test, when computed."""
        g = self.ph_test[self.ph_test["covariate"] == "global"] if len(self.ph_test) else None
        if g is None or g.empty:
            return None
        stat, dof, pv = (g[c].to_numpy()[0] for c in ("test_statistic", "df", "p_value"))
        return float(stat), int(dof), float(pv)


def ph_verdict(p: float) -> str:
    """Plain-words reading of a proportional-hazards test p-value."""
    shown = "p < 0.01" if p < 0.01 else f"p = {p:.2f}"
    if p >= 0.05:
        return f"proportional hazards look reasonable ({shown})"
    return f"effect changes over time ({shown}): read the hazard ratio as an average"


def _names(value: Sequence[str] | str | None) -> list[str]:
    items = [value] if isinstance(value, str) else list(value or [])
    return [c.strip() for c in items if c and c.strip()]


def _codes_of(values: pd.Series | pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Integer code of each row's value (or combination of values) in order of appearance,
    and a mask of the rows with a missing value."""
    frame = values.to_frame() if isinstance(values, pd.Series) else values
    missing = frame.isna().any(axis=1).to_numpy()
    key = frame.astype(str).agg("|".join, axis=1) if frame.shape[1] > 1 \
        else frame.iloc[:, 0].astype(object).astype(str)
    return np.asarray(pd.factorize(key.to_numpy())[0], dtype=np.int64), missing


@dataclass(frozen=True)
class _Rows:
    """The rows used (``kept`` None: all) and their per-row arrays."""

    kept: np.ndarray | None
    durations: np.ndarray
    events: np.ndarray
    entry: np.ndarray | None
    scodes: np.ndarray
    ccodes: np.ndarray | None
    weights: np.ndarray | None  # frequency weights of the rows used (covariate cells), else None
    n_dropped: int
    n_rejected: int
    n_out_of_window: int


def _select_rows(frame: pd.DataFrame, enc: _Encoded, strata_cols: list[str],
                 cluster_col: str | None, weights: np.ndarray | None = None) -> _Rows:
    """Leave out rows with a missing value (R's na.omit) and, with delayed entry, rows whose
    exit is not after their entry (``frame``: from :func:`survival_frame`, which already
    rejected unusable entry times and counted them in ``attrs["rejected"]``). ``weights``:
    the rows' frequency weights (covariate cells; ``n_dropped`` counts what they stand for)."""
    keep = enc.keep.copy()
    scodes = np.zeros(len(frame), dtype=np.int64)
    if strata_cols:
        scodes, miss = _codes_of(frame[strata_cols])
        keep &= ~miss
    ccodes = None
    if cluster_col is not None:
        ccodes, miss = _codes_of(frame[cluster_col])
        keep &= ~miss
    durations = frame["duration"].to_numpy(dtype=float)
    entry = None
    n_rejected = sum(int(v) for v in frame.attrs.get("rejected", {}).values())
    bad = np.zeros(len(frame), dtype=bool)
    if "entry" in frame.columns:
        entry = frame["entry"].to_numpy(dtype=float)
        bad = keep & ~(durations > entry)  # R: stop must be > start (also at entry 0)
        n_rejected += int(bad.sum())
        keep &= ~bad
    n_dropped = int((~keep).sum()) - int(bad.sum()) if weights is None else \
        int(weights[~keep].sum())  # cells: no entry times, so nothing rejected here
    kept = None if keep.all() else np.flatnonzero(keep)

    def take(a: np.ndarray) -> np.ndarray:
        return a if kept is None else a[kept]

    scodes = take(scodes)
    if strata_cols:  # renumber the strata of the rows used 0..k-1
        scodes = np.unique(scodes, return_inverse=True)[1].ravel().astype(np.int64)
    return _Rows(kept, take(durations), take(frame["event"].to_numpy(dtype=np.int8)),
                 None if entry is None else take(entry), scodes,
                 None if ccodes is None else take(ccodes),
                 None if weights is None else take(weights).astype(float), n_dropped, n_rejected,
                 int(frame.attrs.get("out_of_window", 0)))


def _check_options(ties: str, ph_transform: str, ph_method: str) -> None:
    for value, allowed, what in ((ties, ("efron", "breslow"), "ties"),
                                 (ph_transform, PH_TRANSFORMS, "PH test transform"),
                                 (ph_method, PH_METHODS, "PH test method")):
        if value not in allowed:
            raise AnalysisError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")


def fit_cox(data: Dataset | pd.DataFrame, covariates: Sequence[str], *,
            strata: Sequence[str] | str | None = None, entry: str | None = None,
            cluster: str | None = None, ties: str = "efron", ph_transform: str = "km",
            ph_method: str = "exact", unit: str | None = None, alpha: float | None = None,
            reference_levels: Mapping[str, str] | None = None, diagnostics: bool = True,
            frequency_weights: str | None = None, progress: Progress | None = None) -> CoxResult:
    """Fit a Cox proportional-hazards model of the event (lapse) on ``covariates``, as R's
    ``coxph(Surv([entry,] duration, event) ~ covariates + strata(...), ties, cluster)``.

    Rows identical in (strata, covariates, entry, duration, event, cluster) are collapsed into
    one row with a count weight when that at least halves the rows (typical for categorical
    covariates): the likelihood with frequency weights is exactly that of the repeated rows,
    and the concordance, PH test and robust variance count each collapsed row as its copies.

    Parameters
    ----------
    data
        A Dataset (its policies view) or a DataFrame with ``duration``/``event`` columns.
    covariates
        Column names; categorical ones are one-hot encoded against their most frequent level.
    strata
        Optional column(s) whose levels (combinations) get their own baseline hazard.
    entry
        Optional column of entry times (same unit as the durations): delayed entry.
    cluster
        Optional column identifying clusters (e.g. member_id): robust sandwich SE.
    ties
        ``"efron"`` (default) or ``"breslow"``.
    ph_transform, ph_method
        Time transform of the PH test (``km``, ``rank``, ``identity``, ``log``) and
        ``"exact"`` (R's cox.zph) or ``"approximate"`` (the old Grambsch-Therneau one).
    unit
        Time unit for durations (does not change coefficients); default as ``km``.
    alpha
        1 − confidence level of the hazard-ratio intervals (None: ``ds.assumptions``, 0.05).
    reference_levels
        Categorical column -> level the others are compared with (None: the Dataset's
        ``assumptions.reference_levels``); a column not named, or a level absent from the
        rows, uses the most frequent level.
    diagnostics
        False skips the proportional-hazards test (empty ``ph_test``) and the concordance
        (NaN) when only the coefficients are wanted.
    frequency_weights
        A DataFrame's column of frequency weights (whole numbers ≥ 0): each row stands for
        that many identical records — the fit, its tests and ``n`` are those of the repeated
        rows (an engine's counts, without repeating them; not with ``cluster`` or ``entry``).
    """
    prog = ensure(progress)
    assumptions = data.assumptions if isinstance(data, Dataset) else None
    if alpha is None:
        alpha = 0.05 if assumptions is None else assumptions.alpha
    if reference_levels is None:
        reference_levels = {} if assumptions is None else assumptions.references
    covariates = _names(covariates)
    if not covariates:
        raise AnalysisError(Reason("cox_no_covariate"))
    dupes = sorted({c for c in covariates if covariates.count(c) > 1})
    if dupes:
        raise AnalysisError(Reason("cox_covariate_twice", column=dupes[0]), column=dupes[0])
    _check_options(ties, ph_transform, ph_method)
    strata_cols = _names(strata)
    both = [c for c in strata_cols if c in covariates]
    if both:
        raise AnalysisError(Reason("cox_covariate_and_stratum", column=both[0]), column=both[0])
    entry_col = next(iter(_names(entry)), None)
    cluster_col = next(iter(_names(cluster)), None)
    prog.status("Preparing covariates")
    unit = default_unit(data) if unit is None else unit
    cells, cell_w, route_note = _cell_frame(data, covariates, strata_cols, entry_col,
                                            cluster_col, ph_method, unit)
    if frequency_weights is not None:
        cells, cell_w = _weighted_frame(data, frequency_weights, covariates, strata_cols,
                                        entry_col, cluster_col)
    frame = cells if cells is not None else \
        survival_frame(data, unit=unit, columns=(*covariates, *strata_cols, cluster_col),
                       entry=entry_col)
    enc = _encode(frame, covariates, reference_levels, cell_w)
    rows = _select_rows(frame, enc, strata_cols, cluster_col, cell_w)
    kept, durations, events = rows.kept, rows.durations, rows.events
    n_events = int(events.sum()) if rows.weights is None else int(rows.weights @ events)
    p = len(enc.names)
    if n_events < MIN_EVENTS or n_events < MIN_EVENTS_PER_PARAMETER * p:
        raise AnalysisError(Reason("cox_too_few_events", events=n_events, coefficients=p,
                                   min_events=MIN_EVENTS,
                                   per_coefficient=MIN_EVENTS_PER_PARAMETER))
    check_cancelled(progress)
    codes = [data if kept is None else data[kept] for _, data, _, _ in enc.columns]
    extra = [a for a in (rows.entry, rows.ccodes) if a is not None]
    grouped = None if rows.weights is not None else \
        _identical_row_groups([*codes, rows.scodes, durations, events, *extra])
    if rows.weights is not None:  # covariate cells: each row already stands for its count
        inverse, fit_rows, first = None, kept, None
        weights = rows.weights
    elif grouped is None:
        inverse, fit_rows, first = None, kept, None
        weights = np.ones(durations.size)
    else:
        inverse, n_groups = grouped
        first = np.empty(n_groups, dtype=np.int64)
        first[inverse] = np.arange(inverse.size)  # any row of a group stands for it
        fit_rows = first if kept is None else kept[first]
        weights = np.bincount(inverse, minlength=n_groups).astype(float)

    def fitted(a: np.ndarray) -> np.ndarray:
        return a if first is None else a[first]

    fit_d, fit_e, fit_s = fitted(durations), fitted(events), fitted(rows.scodes)
    fit_entry = None if rows.entry is None else fitted(rows.entry)
    for (col, _, levels, _), c in zip(enc.columns, codes):
        if levels is not None:
            cox_checks.check_level_events(col, levels, c, events.astype(float),
                                          np.ones(c.size) if rows.weights is None else rows.weights)
    n_strata = int(fit_s.max()) + 1
    # one sort of the fitted rows by (stratum, exit time), stable: each stratum is a block of
    # rows in the order _prepare would sort them; the design matrix is built in that order
    # (no sorted copy per stratum) and each stratum's x is a view of it
    order = np.argsort(fit_d, kind="stable") if n_strata == 1 else np.lexsort((fit_d, fit_s))
    sorted_rows = order if fit_rows is None else fit_rows[order]
    sw, se, ss, sd = weights[order], fit_e[order], fit_s[order], fit_d[order]
    # segments of rows sharing (stratum, exit time): each stratum's unique times, in order
    seg = np.flatnonzero(np.concatenate([[True], (sd[1:] != sd[:-1]) | (ss[1:] != ss[:-1])]))
    x, seg_max, seg_min = _design_matrix_sorted(enc, sorted_rows, seg)
    mean, scale = _check_design(x, sw, enc.names, enc.sources)
    check_within_strata(x, sw, ss, scale, enc.names, enc.sources)
    check_cancelled(progress)
    prog.fraction(0.1)
    reasons = _data_notes(x, sw, se, enc.names, n_events, p, rows)
    # standardised in place, as _prepare does; the per-time extremes by the same operations
    # (monotone in floating point, so they stay the extremes of the standardised values)
    for a in (x, seg_max, seg_min):
        a -= mean
        a /= scale
    groups: list[np.ndarray | None] = [None] if n_strata == 1 else \
        [np.flatnonzero(fit_s == k) for k in range(n_strata)]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(ss, minlength=n_strata))])
    source = order
    if n_strata > 1:  # each row's index within its stratum's rows (in fitted-row order)
        within = np.empty(order.size, dtype=np.int64)
        for g in groups:
            assert g is not None
            within[g] = np.arange(g.size)
        source = within[order]
    s_entry = None if fit_entry is None else fit_entry[order]
    blocks = [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]
    prepared = [_prepare_sorted(x[b], sd[b], se[b], sw[b], source[b], ties=ties,
                                entry=None if s_entry is None else s_entry[b])
                for b in blocks]
    seg_bounds = np.searchsorted(seg, bounds).tolist()
    cox_checks.check_monotone_likelihood(
        prepared, enc.names, enc.sources,
        [(seg_max[a:b], seg_min[a:b]) for a, b in zip(seg_bounds[:-1], seg_bounds[1:])])
    if route_note is not None:
        reasons.append(route_note)
    prog.status("Fitting the Cox model")
    fit = fit_efron(prepared, p, names=enc.names)
    check_cancelled(progress)
    prog.fraction(0.6)
    robust = None
    if rows.ccodes is not None:
        robust = _robust_covariance(prepared, groups, fit, weights, fitted(rows.ccodes))
    coefficients, infinite = _coefficient_table(fit, scale, robust, enc, alpha)
    if infinite:
        reasons.append(CoxNote("coefficient_may_be_infinite",
                               (("columns", ", ".join(infinite)),)))
    ph = _empty_ph()
    concordance = float("nan")
    if diagnostics:
        prog.status("Checking proportional hazards and concordance")
        lp = _linear_predictor(enc, sorted_rows, coefficients["coef"].to_numpy())

        def harrell_c() -> float:
            return concordance_index(sd, lp, se,
                                     None if inverse is None and rows.weights is None else sw,
                                     strata=None if n_strata == 1 else ss, entry=s_entry)

        # the PH test and the concordance read the same arrays and write none: on a big fit
        # the concordance runs in a second thread (its sorts and searches release the GIL)
        with beside(harrell_c, sd.size >= PARALLEL_ROWS, "concordance") as conc:
            # the transform's inputs in the sorted order (its sort is a pass over sorted runs)
            ph = _ph_table(prepared, groups, fit, enc, scale, sw, sd, se, s_entry,
                           inverse, rows, ph_transform, ph_method)
            prog.fraction(0.8)
            concordance = conc()
    prog.fraction(1.0)
    n_records = int(durations.size) if rows.weights is None else int(rows.weights.sum())
    return CoxResult(n=n_records, events=n_events, coefficients=coefficients,
                     concordance=concordance, log_likelihood=fit.log_likelihood,
                     log_likelihood_null=fit.log_likelihood_null, ph_test=ph,
                     reference_levels=enc.refs, n_dropped=rows.n_dropped,
                     strata=tuple(strata_cols), reasons=tuple(reasons), ties=ties,
                     ph_transform=ph_transform if ph_method == "exact" else "rank",
                     ph_method=ph_method, cluster=cluster_col,
                     entry=entry_col if rows.entry is None or entry_col else "study_start",
                     n_rejected=rows.n_rejected, route="rows" if cells is None else "cells")


PARALLEL_ROWS = 100_000  # fitted rows from which the concordance runs beside the PH test


def _linear_predictor(enc: _Encoded, rows: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """x'coef of ``rows`` on the covariates' own scale, summed column by column (a level's
    coefficient looked up by its code): each row's value depends only on its covariates, so
    identical rows tie exactly (a matrix-vector product can round a row differently by its
    position), and no design matrix is needed."""
    lp = np.zeros(rows.size)
    j = 0
    for _, data, levels, ref in enc.columns:
        if levels is None:
            lp += data[rows] * coef[j]
            j += 1
            continue
        table = np.zeros(len(levels))
        for k in range(len(levels)):
            if k != ref:
                table[k] = coef[j]
                j += 1
        lp += table[data[rows]]
    return lp


def _weighted_frame(data: Dataset | pd.DataFrame, weights: str, covariates: list[str],
                    strata_cols: list[str], entry_col: str | None, cluster_col: str | None
                    ) -> tuple[pd.DataFrame, np.ndarray]:
    """A DataFrame's rows with their ``weights`` column as frequency weights (see fit_cox);
    the rows with a zero weight stand for nothing and are left out."""
    if not isinstance(data, pd.DataFrame) or weights not in data.columns:
        raise ValueError(f"weights names a column of a DataFrame; got {weights!r}")
    if entry_col is not None or cluster_col is not None:
        raise ValueError("frequency weights are not taken with delayed entry or clusters")
    w = data[weights].to_numpy(dtype=float)
    if not np.isfinite(w).all() or (w < 0).any() or (w != np.round(w)).any():
        raise ValueError("frequency weights are whole numbers of zero or more")
    keep = w > 0
    frame = data.loc[keep, ["duration", "event", *dict.fromkeys([*covariates, *strata_cols])]]
    return frame.reset_index(drop=True), w[keep]


def _cell_frame(data: Dataset | pd.DataFrame, covariates: list[str], strata_cols: list[str],
                entry_col: str | None, cluster_col: str | None, ph_method: str, unit: str
                ) -> tuple[pd.DataFrame | None, np.ndarray | None, CoxNote | None]:
    """The engine book's covariate cells as a duration/event frame with their counts as
    frequency weights, or (None, None, the note saying why the rows are read) — see the module
    doc. (None, None, None) for data without an engine book."""
    book = getattr(data, "book", None) if isinstance(data, Dataset) else None
    if book is None or not isinstance(data, Dataset):
        return None, None, None
    engine = (("engine", book.engine),)
    if cluster_col is not None:
        return None, None, CoxNote("rows_read_cluster", (("columns", cluster_col), *engine))
    if entry_col is not None or data.window_start is not None:
        return None, None, CoxNote("rows_read_entry",
                                   (("columns", entry_col or "study start"), *engine))
    if ph_method != "exact":
        return None, None, CoxNote("rows_read_approximate", engine)
    answer = book.covariate_cells(data, [*covariates, *strata_cols], CELL_LIMIT)
    if answer.frame is None:
        return None, None, CoxNote("rows_read_continuous",
                                   (("columns", ", ".join(answer.continuous)),
                                    ("limit", CELL_LIMIT), *engine))
    cells = answer.frame
    days = cells["duration_days"].to_numpy(dtype=float)
    if np.isnan(days).any() or (days < 0).any():
        return None, None, None  # the row route refuses them with its own message
    frame = pd.DataFrame({"duration": durations_in(unit, days),
                          "event": cells["event"].to_numpy(dtype=np.int8)})
    for col in dict.fromkeys([*covariates, *strata_cols]):
        frame[col] = cells[col].array
    return frame, cells[COUNT_COLUMN].to_numpy(dtype=float), None


def _data_notes(x: np.ndarray, weights: np.ndarray, events: np.ndarray, names: list[str],
                n_events: int, p: int, rows: _Rows) -> list[CoxNote]:
    notes = []
    if n_events < RULE_OF_THUMB_EVENTS_PER_PARAMETER * p:
        notes.append(CoxNote("few_events_per_coefficient",
                             (("per", n_events / p), ("rule", RULE_OF_THUMB_EVENTS_PER_PARAMETER))))
    if rows.n_dropped:
        notes.append(CoxNote("missing_rows_left_out", (("n", rows.n_dropped),)))
    if rows.n_rejected:
        notes.append(CoxNote("entry_rejected", (("n", rows.n_rejected),)))
    if rows.n_out_of_window:
        notes.append(CoxNote("out_of_window", (("n", rows.n_out_of_window),)))
    low = cox_checks.low_variance_columns(x, weights, events, names)
    if low:
        notes.append(CoxNote("low_variance", (("columns", ", ".join(low)),)))
    return notes


def _safe_exp(v: np.ndarray) -> np.ndarray:
    """exp without an overflow warning: +inf beyond floating point."""
    with np.errstate(over="ignore"):
        out: np.ndarray = np.exp(v)
    return out


def _coefficient_table(fit: CoxFit, scale: np.ndarray, robust: np.ndarray | None,
                       enc: _Encoded, alpha: float) -> tuple[pd.DataFrame, list[str]]:
    beta = fit.beta / scale
    cov = fit.covariance / np.outer(scale, scale)
    se = np.sqrt(np.diag(cov))
    robust_se = np.full(se.size, np.nan) if robust is None else \
        np.sqrt(np.diag(robust) / scale**2)
    used = se if robust is None else robust_se
    zq = normal_quantile(1 - alpha / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        wald = beta / used
    table = pd.DataFrame({
        "covariate": enc.names, "term": enc.sources, "coef": beta, "se": se,
        "robust_se": robust_se, "hazard_ratio": _safe_exp(beta),
        "ci_lower": _safe_exp(beta - zq * used), "ci_upper": _safe_exp(beta + zq * used),
        "z": wald, "p_value": 2 * normal_sf(np.abs(wald)),
        "coef_lower": beta - zq * used, "coef_upper": beta + zq * used,
    })
    flags = cox_checks.possibly_infinite(fit.beta, np.sqrt(np.diag(fit.covariance)),
                                         fit.remaining_step)
    return table, [n for n, f in zip(enc.names, flags) if f]


def _robust_covariance(prepared: list[_Stratum], groups: list[np.ndarray | None], fit: CoxFit,
                       weights: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """R's ``cluster=`` sandwich: V D'D V, D the per-cluster sums of w * score residuals
    (dfbeta = score residuals x V), on the original covariate scale by the caller."""
    p = fit.beta.size
    resid = np.zeros((weights.size, p))
    for s, g in zip(prepared, groups):
        r = score_residuals(s, fit.beta)
        if g is None:
            resid = r
        else:
            resid[g] = r
    _, cl = np.unique(clusters, return_inverse=True)
    sums = np.zeros((int(cl.max()) + 1, p))
    np.add.at(sums, cl.ravel(), resid * weights[:, None])
    dfb = sums @ fit.covariance
    robust_std: np.ndarray = dfb.T @ dfb
    return robust_std  # scaled back with the naive covariance in _coefficient_table


def _empty_ph() -> pd.DataFrame:
    return pd.DataFrame({"covariate": pd.Series(dtype=object),
                         "test_statistic": pd.Series(dtype=float), "df": pd.Series(dtype=int),
                         "p_value": pd.Series(dtype=float), "verdict": pd.Series(dtype=object)})


def _ph_table(prepared: list[_Stratum], groups: list[np.ndarray | None], fit: CoxFit,
              enc: _Encoded, scale: np.ndarray, weights: np.ndarray, fit_d: np.ndarray,
              fit_e: np.ndarray, fit_entry: np.ndarray | None, inverse: np.ndarray | None,
              rows: _Rows, transform: str, method: str) -> pd.DataFrame:
    if method == "approximate":
        resid = _event_residuals(prepared, groups, fit, inverse, rows.durations, rows.events,
                                 rows.scodes)
        ph = approximate_ph_test(resid, fit.covariance, scale, int(rows.events.sum()),
                                 enc.names)
    else:
        ttime = transformed_time(fit_d, fit_e.astype(float), weights, fit_entry, transform)
        ev = fit_e > 0
        event_mean = float(weights[ev] @ ttime(fit_d[ev]) / weights[ev].sum())
        terms: dict[str, list[int]] = {}
        for j, src in enumerate(enc.sources):
            terms.setdefault(src, []).append(j)
        ph = exact_ph_test(prepared, fit.beta, ttime, event_mean, list(terms.items()),
                           fit.pieces)
    ph["verdict"] = [ph_verdict(float(v)) if np.isfinite(v) else "" for v in ph["p_value"]]
    return ph


def _event_residuals(prepared: list[_Stratum], groups: list[np.ndarray | None], fit: CoxFit,
                     inverse: np.ndarray | None, durations: np.ndarray, events: np.ndarray,
                     scodes: np.ndarray) -> np.ndarray:
    """Schoenfeld residuals (standardised scale) of every event record, one per record even
    when records were collapsed, ordered by (stratum, duration, input order): the order the
    rank time transform of the approximate test numbers them in (as lifelines does)."""
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
