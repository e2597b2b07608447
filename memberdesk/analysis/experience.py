"""Experience study: actual vs expected termination rates by policy (or calendar) year.

Compatible with actxps (``expose_py() |> group_by(pol_yr, …) |> exp_stats()``); exposures are
built by :func:`memberdesk.analysis.experience_exposure.expose` (see its conventions).

Per row (period × ``by`` segment):

* ``exposure`` — sum of exposures, in years; ``actual`` — terminations of a studied status.
* ``rate`` = actual ÷ exposure (actxps ``q_obs``).
* ``rate_lower`` / ``rate_upper`` — the actxps confidence interval: quantiles
  (1 ∓ conf_level)/2 of Binomial(n = exposure rounded to whole years, p = rate), ÷ exposure.
* ``expected`` — exposure-weighted mean of the expected rates of the row's exposure (actxps
  ``weighted.mean(expected, exposure)``), so ``expected_claims`` = Σ rate_table × exposure.
  When any of the row's exposure has no rate in the table, ``expected`` is missing (as actxps'
  NA propagation).
* ``ae`` = rate ÷ expected = actual ÷ expected_claims.
* ``credibility`` — limited-fluctuation (classical) partial credibility, actxps' binomial form:
  Z = min(1, √(actual ÷ (y·(1 − rate)))), y = (Φ⁻¹((1 + p)/2) ÷ r)². With p = 0.95, r = 0.05:
  y = (1.959964 ÷ 0.05)² = 1536.58. A rate of 1 or more gives Z = 1.

The totals row sums exposure, actual and expected claims over all rows.

Periods (``period``: year, quarter, month, week), the study start and the exposure bases are
those of :func:`memberdesk.analysis.experience_exposure.expose`; the period column is named after
the basis (``policy_year``, ``policy_quarter``, …, ``calendar_week``).

Amount-weighted studies (``weight``: a policy column such as annual_premium or sum_assured,
actxps ``wt``): each exposure record carries its policy's weight w; ``exposure`` = Σ w ×
exposure, ``actual`` = Σ w over studied terminations, ``n_actual`` the number of those
terminations, and the row keeps ``weight`` = Σ w, ``weight_sq`` = Σ w², ``weight_n`` = n over its
exposure records. With m = Σw/n and m2 = Σw²/n:

* credibility Z = min(1, √(n_actual ÷ (y·((m2 − m²)·n/(n−1)/m² + 1 − rate)))) (actxps);
* rate CI: normal with the compound (claim count × amount) standard deviation
  sd = √(n_actual·((m2 − m²) + m²·(1 − rate))): (actual ± z·sd) ÷ exposure (actxps).

Unweighted, ``n_actual`` = ``actual`` and the rate CI is the binomial one above. The A/E CI is the
rate CI ÷ expected (``ae_lower``, ``ae_upper``), as actxps.

Control variables (``control``, after R actxps' ``control_vars``): the rate expected from the
control variables alone — Σ actual ÷ Σ exposure of the whole study within each combination of
the control columns (and the period when ``"period"`` is among them) — is averaged over each
row's exposure as ``expected_control``; ``ae_control`` = rate ÷ expected_control. Rows split by
exactly the control variables therefore have ``ae_control`` = 1.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.experience_aggregate import aggregate, aggregate_split
from memberdesk.analysis.experience_exposure import BASES, check_target, expose, policy_year_table, split_basis
from memberdesk.analysis.experience_tables import read_expected_table as read_expected_table
from memberdesk.core import labels, schema
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.reasons import Reason

TOTAL_LABEL = "Total"
RESULT_COLUMNS: tuple[str, ...] = ("exposure", "actual", "n_actual", "rate", "rate_lower",
                                   "rate_upper", "expected", "expected_claims", "ae", "ae_lower",
                                   "ae_upper", "credibility")
WEIGHT_COLUMNS: tuple[str, ...] = ("weight", "weight_sq", "weight_n")
CONTROL_COLUMNS: tuple[str, ...] = ("expected_control", "ae_control")
SPLIT_COLUMNS: tuple[str, ...] = ("exposure_cal", "exposure_pol")


@dataclass(frozen=True)
class ExperienceResult:
    """An experience study's rows and totals.

    Attributes
    ----------
    rows
        One row per period and segment: ``policy_year`` (or ``calendar_year``), the ``by``
        columns, then :data:`RESULT_COLUMNS`. Sorted by period, then segment.
    totals
        One row: the same measures over the whole study.
    """

    rows: pd.DataFrame
    totals: pd.DataFrame
    as_of: pd.Timestamp
    target: tuple[str, ...]
    basis: str
    by: tuple[str, ...]
    method: str
    has_expected: bool
    credibility_p: float
    credibility_r: float
    conf_level: float
    weight: str | None = None
    study_start: pd.Timestamp | None = None
    control: tuple[str, ...] = ()
    split_exposure: str | None = None
    notes: tuple[Reason, ...] = ()
    """On an engine book: why the study read the accepted rows, a reason code of
    :mod:`memberdesk.core.reasons` (``rows_read_basis``, ``rows_read_weight`` or
    ``rows_read_study_start``, naming the engine; presenters show it in their language). Empty
    when computed from the engine's counts, and on books loaded from files."""

    @property
    def period_column(self) -> str:
        return self.basis

    def to_frame(self, *, with_total: bool = False) -> pd.DataFrame:
        """The rows (optionally followed by a ``Total`` row, period column then as text)."""
        if not with_total:
            return self.rows.copy()
        total = self.totals.copy()
        total.insert(0, self.basis, TOTAL_LABEL)
        for i, col in enumerate(self.by):
            total.insert(1 + i, col, None)
        rows = self.rows.astype({self.basis: object})
        return pd.concat([rows, total[rows.columns]], ignore_index=True)

    def zero_event_bounds(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Exact intervals for the rows of ``frame`` (this result's rows, or ``to_frame``)
        observed on zero events (issue 17 B.7): the binomial-quantile interval there is
        0–0 (falsely certain); the Clopper-Pearson interval with n = exposure (years, as the
        binomial interval above) is [0, 1 − (α/2)^(1/n)], and the A/E interval is it ÷
        expected. Columns ``rate_lower``, ``rate_upper``, ``ae_lower``, ``ae_upper``, indexed
        as ``frame``, only for zero-event rows; empty for an amount-weighted study (its
        counts are not trials)."""
        from memberdesk.analysis.exact_bounds import clopper_pearson_upper

        cols = ["rate_lower", "rate_upper", "ae_lower", "ae_upper"]
        actual = pd.to_numeric(frame["actual"], errors="coerce")
        zero = frame.loc[(actual == 0) & (pd.to_numeric(frame["exposure"], errors="coerce") > 0)]
        if self.weight or not len(zero):
            return pd.DataFrame(columns=cols, dtype=float)
        upper = clopper_pearson_upper(np.zeros(len(zero)),
                                      zero["exposure"].to_numpy(dtype=float), self.conf_level)
        expected = pd.to_numeric(zero["expected"], errors="coerce").to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ae_upper = np.where(expected > 0, upper / expected, np.nan)
        return pd.DataFrame({"rate_lower": 0.0, "rate_upper": upper,
                             "ae_lower": np.where(expected > 0, 0.0, np.nan),
                             "ae_upper": ae_upper}, index=zero.index)

    def to_json(self) -> dict[str, Any]:
        """The ``experience --json`` object of docs/cli.md."""
        from memberdesk.analysis.experience_exposure import period_labels

        out_rows = []
        labels = period_labels(self.rows[self.basis].to_numpy(), self.basis)
        for label, rec in zip(labels, self.rows.to_dict("records")):
            item: dict[str, Any] = {self.basis: label}
            for col in self.by:
                item[col] = _plain(rec[col])
            item["exposure"] = float(rec["exposure"])
            item["actual"] = float(rec["actual"]) if self.weight else int(rec["actual"])
            for col in ("rate", "expected", "ae", "credibility"):
                item[col] = _num(rec[col])
            if self.weight or self.control or self.study_start is not None:
                for col in ("rate_lower", "rate_upper", "ae_lower", "ae_upper"):
                    item[col] = _num(rec[col])
            if self.weight:
                item["n_actual"] = int(rec["n_actual"])
                for col in WEIGHT_COLUMNS:
                    item[col] = float(rec[col])
            if self.control:
                for col in CONTROL_COLUMNS:
                    item[col] = _num(rec[col])
            if self.split_exposure:
                for col in SPLIT_COLUMNS:
                    item[col] = float(rec[col])
            out_rows.append(item)
        out: dict[str, Any] = {"as_of": self.as_of.date().isoformat(),
                               "target": list(self.target), "rows": out_rows}
        # The options beyond docs/cli.md's contract appear only when used (compatible).
        if self.weight:
            out["weight"] = self.weight
        if self.study_start is not None:
            out["study_start"] = self.study_start.date().isoformat()
        if self.control:
            out["control"] = list(self.control)
        if self.split_exposure:
            out["split_exposure"] = self.split_exposure
        if self.notes:
            out["notes"] = [n.to_json() for n in self.notes]
        return out


def experience_study(ds: Dataset, *, by: Sequence[str] = (),
                     target: Sequence[str] = schema.VOLUNTARY_EXIT_STATUSES,
                     basis: str = "policy_year", expected: pd.DataFrame | None = None,
                     credibility_p: float | None = None, credibility_r: float | None = None,
                     method: str = "annual", conf_level: float | None = None,
                     period: str | None = None, study_start: pd.Timestamp | str | None = None,
                     weight: str | None = None, control: Sequence[str] = (),
                     split_exposure: str = "policy",
                     progress: Progress | None = None) -> ExperienceResult:
    """Termination experience by policy year (or calendar year) and segment.

    Parameters
    ----------
    ds
        The dataset; policies issued on or after ``ds.as_of`` are left out.
    by
        Policy columns to split by (e.g. ``["channel"]``).
    target
        Termination statuses counted as actual decrements (default lapsed, surrendered).
    basis
        ``"policy_year"`` (default), ``"calendar_year"``, or any basis of
        :data:`memberdesk.analysis.experience_exposure.BASES` (``"policy"``/``"calendar"`` with
        ``period``).
    expected
        Expected-rate table from :func:`read_expected_table`: the period column (matching
        ``basis``), optional segment columns (policy columns), ``rate``.
    credibility_p, credibility_r
        Limited-fluctuation credibility parameters (probability, tolerance); None:
        ``ds.assumptions`` (0.95, 0.05 by default).
    method
        Exposure method: ``"annual"`` (default) or ``"distribution"``.
    conf_level
        Level of the rate confidence interval (None: ``ds.assumptions.ci_level``, 0.95).
    period
        ``"year"``, ``"quarter"``, ``"month"`` or ``"week"`` (exposure in that unit).
    study_start
        First day of the study (actxps ``start_date``); None = the dataset's study start
        (``ds.window_start``, e.g. the filter bar's), else from issue.
    weight
        Policy column weighting the study (amount-weighted A/E, see the module docstring).
    control
        Control variables (policy columns, or ``"period"``) for ``ae_control``.
    split_exposure
        ``basis="split"`` (calendar periods split at anniversaries, actxps ``expose_split``):
        the exposure the rates use, ``"policy"`` (default; expected tables by ``policy_year``)
        or ``"calendar"``. Rows are keyed by calendar period and ``policy_year`` and carry
        both ``exposure_cal`` and ``exposure_pol``.
    """
    prog = ensure(progress)
    prog.status("Building exposures")
    assumptions = ds.assumptions
    credibility_p = assumptions.credibility_p if credibility_p is None else credibility_p
    credibility_r = assumptions.credibility_r if credibility_r is None else credibility_r
    conf_level = assumptions.ci_level if conf_level is None else conf_level
    if study_start is None:  # the dataset's study start (filter bar / --study-start), if any
        study_start = getattr(ds, "window_start", None)
    by = tuple(by)
    control = tuple(control)
    split = basis.partition("_")[0] == "split"
    kind, length = split_basis("calendar" + basis[5:] if split else basis, period)
    basis = f"{kind}_{length}"
    rate_key = "policy_year" if split else basis   # the expected table's period column
    book = None if ds.generic else getattr(ds, "book", None)
    # an engine book's policy columns come from its view (ds.policies would read every row)
    pol_columns = list(book.policies(ds).columns) if book is not None else \
        ([] if ds.policies is None else list(ds.policies.columns))
    _check_columns(by, pol_columns, basis)
    _check_columns(tuple(c for c in control if c != "period"), pol_columns, basis)
    if weight is not None:
        _check_weight(ds, weight)
    if split_exposure not in ("policy", "calendar"):
        raise AnalysisError(Reason("experience_split_basis"))
    exp_segments = _check_expected(expected, rate_key, pol_columns)
    if not 0 < credibility_p < 1 or credibility_r <= 0:
        raise AnalysisError(Reason("experience_credibility"))
    keys = tuple(dict.fromkeys((*by, *exp_segments, *(c for c in control if c != "period"))))
    notes: tuple[Reason, ...] = ()
    table = None
    if book is not None and not split and basis == "policy_year" and weight is None \
            and study_start is None:
        # engine book (issue #13): exposures and actuals by policy year x keys from one
        # GROUP BY in the engine (exact: the records expose() would build, summed)
        table = policy_year_table(ds, list(keys), target=target, method=method)
    if book is not None and table is None:   # the row route on an engine book: said, never silent
        notes = (_rows_read_note(book.engine, split, basis, weight, study_start),)
    if table is not None:
        statuses = check_target(target)
        check_cancelled(progress)
        fine = table
    elif split:
        if method != "annual":
            raise AnalysisError(Reason("experience_split_method"))
        from memberdesk.analysis.experience_split import expose_split

        srec = expose_split(_policies(ds), ds.as_of, target=target, period=length,
                            study_start=study_start)
        statuses = srec.target
        check_cancelled(progress)
        fine = aggregate_split(srec, keys, weight, split_exposure)
        by = ("policy_year", *by)
    else:
        records = expose(ds, target=target, basis=basis, method=method, study_start=study_start)
        statuses = records.target
        check_cancelled(progress)
        fine = aggregate(records, keys, weight)
    prog.fraction(0.6)
    prog.status("Summarising experience")
    fine["expected_claims"] = np.nan
    if expected is not None:
        fine["expected_claims"] = _expected_claims(fine, expected, rate_key, exp_segments)
    if control:
        ckeys = [basis if c == "period" else c for c in control]
        grouped = fine.groupby(ckeys, dropna=False)
        control_rate = grouped["actual"].transform("sum") / grouped["exposure"].transform("sum")
        fine["control_claims"] = control_rate * fine["exposure"]
    weighted = weight is not None
    rows = _summarise(fine, [basis, *by], credibility_p, credibility_r, conf_level, weighted)
    rows = labels.sort_by_value_order(rows, [basis, *by])  # tiers and bands in their order
    totals = _summarise(fine.assign(_all=0), ["_all"], credibility_p, credibility_r,
                        conf_level, weighted).drop(columns="_all")
    prog.fraction(1.0)
    return ExperienceResult(rows.reset_index(drop=True), totals, ds.as_of, statuses, basis,
                            by, method, expected is not None, credibility_p, credibility_r,
                            conf_level, weight,
                            None if study_start is None else pd.Timestamp(study_start), control,
                            split_exposure if split else None, notes)


def _rows_read_note(engine: str, split: bool, basis: str, weight: str | None,
                    study_start: pd.Timestamp | str | None) -> Reason:
    """Why an engine book's study read the accepted rows (the first reason that applies)."""
    if split or basis != "policy_year":
        return Reason("rows_read_basis", basis="split" if split else basis, engine=engine)
    if weight is not None:
        return Reason("rows_read_weight", columns=weight, engine=engine)
    return Reason("rows_read_study_start",
                  study_start="" if study_start is None
                  else pd.Timestamp(study_start).date().isoformat(),
                  engine=engine)


def _policies(ds: Dataset) -> pd.DataFrame:
    pol = ds.policies
    if pol is None or ds.generic or "issue_date" not in pol.columns:
        raise AnalysisError(Reason("experience_no_issue_dates"), column="issue_date")
    return pol


def _expected_claims(fine: pd.DataFrame, expected: pd.DataFrame, rate_key: str,
                     exp_segments: Sequence[str]) -> np.ndarray:
    """Σ expected rate × exposure per fine row (NaN where the table has no rate)."""
    # Segment values are matched as text on both sides: the table is read as text while a
    # policy column may be numeric (issue_year 2019 must meet "2019").
    table = expected.rename(columns={"rate": "_rate"})
    left = fine[[rate_key, *exp_segments, "exposure"]].copy()
    for col in exp_segments:
        left[col] = left[col].map(_segment_key)
        table[col] = table[col].map(_segment_key)
    merged = left.merge(table, on=[rate_key, *exp_segments], how="left", validate="many_to_one")
    return (merged["_rate"] * merged["exposure"]).to_numpy()


def credibility_y(p: float = 0.95, r: float = 0.05) -> float:
    """Full-credibility standard y = (Φ⁻¹((1 + p)/2) ÷ r)² (1536.58 for p = 0.95, r = 0.05)."""
    from scipy.stats import norm

    return float((norm.ppf((1 + p) / 2) / r) ** 2)


def _check_weight(ds: Dataset, weight: str) -> None:
    pol = ds.policies
    if pol is None or weight not in pol.columns:
        raise AnalysisError(Reason("experience_unknown_weight"), column=weight)
    values = pd.to_numeric(pol[weight], errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        raise AnalysisError(Reason("experience_weight_unusable", n=int(bad.sum()), column=weight),
                            column=weight)


def _check_columns(by: Sequence[str], columns: Sequence[str], basis: str) -> None:
    for col in by:
        if col in BASES:
            raise AnalysisError(Reason("experience_split_by_row", column=col), column=col)
        if col not in columns:
            raise AnalysisError(Reason("split_unknown_column"), column=col)


def _check_expected(expected: pd.DataFrame | None, basis: str,
                    pol_columns: Sequence[str]) -> tuple[str, ...]:
    if expected is None:
        return ()
    for col in (basis, "rate"):
        if col not in expected.columns:
            raise AnalysisError(Reason("experience_expected_needs_column", column=col), column=col)
    segments = tuple(c for c in expected.columns if c not in (basis, "rate"))
    for col in segments:
        if col not in pol_columns:
            raise AnalysisError(Reason("experience_expected_unknown_segment"), column=col)
    if expected.duplicated([basis, *segments]).any():
        raise AnalysisError(Reason("experience_expected_duplicate"), column=basis)
    return segments


def _summarise(fine: pd.DataFrame, keys: list[str], p: float, r: float,
               conf_level: float, weighted: bool = False) -> pd.DataFrame:
    g = fine.assign(_missing=fine["expected_claims"].isna()).groupby(keys, sort=True,
                                                                     dropna=False)
    sums: dict[str, tuple[str, str]] = {
        "exposure": ("exposure", "sum"), "actual": ("actual", "sum"),
        "n_actual": ("n_actual", "sum"), "expected_claims": ("expected_claims", "sum"),
        "_missing": ("_missing", "any")}
    if weighted:
        sums.update({c: (c, "sum") for c in WEIGHT_COLUMNS})
    has_control = "control_claims" in fine.columns
    if has_control:
        sums["control_claims"] = ("control_claims", "sum")
    split_cols = tuple(c for c in SPLIT_COLUMNS if c in fine.columns)
    sums.update({c: (c, "sum") for c in split_cols})
    out = g.agg(**sums).reset_index()
    out.loc[out["_missing"], "expected_claims"] = np.nan
    exposure = out["exposure"].to_numpy(dtype=float)
    actual = out["actual"].to_numpy(dtype=float)
    n_actual = out["n_actual"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = actual / exposure
        if weighted:
            m = out["weight"].to_numpy(dtype=float) / out["weight_n"].to_numpy(dtype=float)
            m2 = out["weight_sq"].to_numpy(dtype=float) / out["weight_n"].to_numpy(dtype=float)
            lower, upper = _normal_ci(actual, exposure, n_actual, rate, m, m2, conf_level)
        else:
            lower, upper = _binomial_ci(exposure, rate, conf_level)
        expected_rate = out["expected_claims"].to_numpy(dtype=float) / exposure
        valid_e = expected_rate > 0
        ae = np.where(valid_e, rate / expected_rate, np.nan)
        y = credibility_y(p, r)
        if weighted:
            n = out["weight_n"].to_numpy(dtype=float)
            cv2 = (m2 - m ** 2) * n / (n - 1) / m ** 2
            z = np.sqrt(n_actual / (y * (cv2 + 1.0 - rate)))
        else:
            z = np.where(rate >= 1.0, 1.0,
                         np.sqrt(actual / (y * (1.0 - np.minimum(rate, 1.0)))))
        out["rate"] = rate
        out["rate_lower"] = lower
        out["rate_upper"] = upper
        out["expected"] = expected_rate
        out["ae"] = ae
        out["ae_lower"] = np.where(valid_e, lower / expected_rate, np.nan)
        out["ae_upper"] = np.where(valid_e, upper / expected_rate, np.nan)
        out["credibility"] = np.minimum(1.0, z)
        if has_control:
            control_rate = out["control_claims"].to_numpy(dtype=float) / exposure
            out["expected_control"] = control_rate
            out["ae_control"] = np.where(control_rate > 0, rate / control_rate, np.nan)
    columns = [*keys, *RESULT_COLUMNS, *(WEIGHT_COLUMNS if weighted else ()),
               *(CONTROL_COLUMNS if has_control else ()), *split_cols]
    return out[columns]


def _binomial_ci(exposure: np.ndarray, rate: np.ndarray,
                 conf_level: float) -> tuple[np.ndarray, np.ndarray]:
    """actxps' unweighted interval: Binomial(round(exposure), rate) quantiles ÷ exposure."""
    from scipy.stats import binom

    n = np.round(exposure)
    q = np.clip(np.nan_to_num(rate), 0.0, 1.0)
    valid = rate <= 1.0
    lower = np.where(valid, binom.ppf((1 - conf_level) / 2, n, q) / exposure, np.nan)
    upper = np.where(valid, binom.ppf(1 - (1 - conf_level) / 2, n, q) / exposure, np.nan)
    return lower, upper


def _normal_ci(actual: np.ndarray, exposure: np.ndarray, n_actual: np.ndarray,
               rate: np.ndarray, m: np.ndarray, m2: np.ndarray,
               conf_level: float) -> tuple[np.ndarray, np.ndarray]:
    """actxps' weighted interval: normal around the weighted actual with the compound
    standard deviation √(n_actual·((m2 − m²) + m²·(1 − rate))), ÷ exposure."""
    from scipy.stats import norm

    sd = np.sqrt(n_actual * ((m2 - m ** 2) + m ** 2 * (1.0 - rate)))
    z = norm.ppf(1 - (1 - conf_level) / 2)
    return (actual - z * sd) / exposure, (actual + z * sd) / exposure


def _segment_key(value: Any) -> str | None:
    """Text key of a segment value: whole numbers without a decimal part ("2019", 2019 and
    2019.0 meet), other values as their stripped text; missing values are None."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


def _num(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return None if math.isnan(f) or math.isinf(f) else f


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value
