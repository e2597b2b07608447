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
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.experience_exposure import ExposureRecords, expose
from memberdesk.core import schema
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError, DataError
from memberdesk.core.progress import Progress, check_cancelled, ensure

TOTAL_LABEL = "Total"
RESULT_COLUMNS: tuple[str, ...] = ("exposure", "actual", "rate", "rate_lower", "rate_upper",
                                   "expected", "expected_claims", "ae", "credibility")


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

    @property
    def period_column(self) -> str:
        return self.basis

    def to_frame(self, *, with_total: bool = False) -> pd.DataFrame:
        """The rows (optionally followed by a ``Total`` row, period column then as text)."""
        if not with_total:
            return self.rows.copy()
        total = self.totals.copy()
        total.insert(0, self.basis, TOTAL_LABEL)
        for col in self.by:
            total.insert(total.columns.get_loc(self.basis) + 1, col, None)
        rows = self.rows.astype({self.basis: object})
        return pd.concat([rows, total[rows.columns]], ignore_index=True)

    def to_json(self) -> dict[str, Any]:
        """The ``experience --json`` object of DESIGN §5."""
        out_rows = []
        for rec in self.rows.to_dict("records"):
            item: dict[str, Any] = {self.basis: int(rec[self.basis])}
            for col in self.by:
                item[col] = _plain(rec[col])
            item["exposure"] = float(rec["exposure"])
            item["actual"] = int(rec["actual"])
            item["rate"] = _num(rec["rate"])
            item["expected"] = _num(rec["expected"])
            item["ae"] = _num(rec["ae"])
            item["credibility"] = _num(rec["credibility"])
            out_rows.append(item)
        return {"as_of": self.as_of.date().isoformat(), "target": list(self.target),
                "rows": out_rows}


def experience_study(ds: Dataset, *, by: Sequence[str] = (),
                     target: Sequence[str] = schema.VOLUNTARY_EXIT_STATUSES,
                     basis: str = "policy_year", expected: pd.DataFrame | None = None,
                     credibility_p: float = 0.95, credibility_r: float = 0.05,
                     method: str = "annual", conf_level: float = 0.95,
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
        ``"policy_year"`` (default) or ``"calendar_year"``.
    expected
        Expected-rate table from :func:`read_expected_table`: the period column (matching
        ``basis``), optional segment columns (policy columns), ``rate``.
    credibility_p, credibility_r
        Limited-fluctuation credibility parameters (probability, tolerance).
    method
        Exposure method: ``"annual"`` (default) or ``"distribution"``.
    conf_level
        Level of the rate confidence interval.
    """
    prog = ensure(progress)
    prog.status("Building exposures")
    by = tuple(by)
    pol_columns = [] if ds.policies is None else list(ds.policies.columns)
    _check_columns(by, pol_columns, basis)
    exp_segments = _check_expected(expected, basis, pol_columns)
    if not 0 < credibility_p < 1 or credibility_r <= 0:
        raise AnalysisError("credibility needs 0 < p < 1 and r > 0")
    records = expose(ds, target=target, basis=basis, method=method)
    check_cancelled(progress)
    prog.fraction(0.6)
    prog.status("Summarising experience")
    keys = tuple(dict.fromkeys((*by, *exp_segments)))
    fine = _aggregate(records, keys)
    fine["expected_claims"] = np.nan
    if expected is not None:
        # Segment values are matched as text on both sides: the table is read as text while a
        # policy column may be numeric (issue_year 2019 must meet "2019").
        table = expected.rename(columns={"rate": "_rate"})
        left = fine[[basis, *exp_segments, "exposure"]].copy()
        for col in exp_segments:
            left[col] = left[col].map(_segment_key)
            table[col] = table[col].map(_segment_key)
        merged = left.merge(table, on=[basis, *exp_segments], how="left", validate="many_to_one")
        fine["expected_claims"] = (merged["_rate"] * merged["exposure"]).to_numpy()
    rows = _summarise(fine, [basis, *by], credibility_p, credibility_r, conf_level)
    totals = _summarise(fine.assign(_all=0), ["_all"], credibility_p, credibility_r,
                        conf_level).drop(columns="_all")
    prog.fraction(1.0)
    return ExperienceResult(rows.reset_index(drop=True), totals, ds.as_of, records.target, basis,
                            by, method, expected is not None, credibility_p, credibility_r,
                            conf_level)


def credibility_y(p: float = 0.95, r: float = 0.05) -> float:
    """Full-credibility standard y = (Φ⁻¹((1 + p)/2) ÷ r)² (1536.58 for p = 0.95, r = 0.05)."""
    from scipy.stats import norm

    return float((norm.ppf((1 + p) / 2) / r) ** 2)


def read_expected_table(path: str | Path, basis: str = "policy_year") -> pd.DataFrame:
    """Read an expected-rate table: CSV with the period column (``policy_year``, or
    ``calendar_year`` for that basis), optional segment columns, and ``rate``.

    Headers are matched case-insensitively (spaces/hyphens read as underscores). Periods must
    be whole numbers, rates numbers ≥ 0, and each period × segment combination must appear once.
    Segment values are read as text. Raises :class:`DataError` naming the file, row and column.
    """
    path = Path(path)
    name = str(path)
    frame = _read_csv_text(path)
    frame.columns = [str(c).strip().lower().replace(" ", "_").replace("-", "_")
                     for c in frame.columns]
    for col in (basis, "rate"):
        if col not in frame.columns:
            raise DataError(f"the expected-rate table needs a {col!r} column "
                            f"(found: {', '.join(frame.columns) or 'none'})", file=name, column=col)
    if frame.empty:
        raise DataError("the expected-rate table has no rows", file=name)
    out = frame.copy()
    for col, integer in ((basis, True), ("rate", False)):
        values = pd.to_numeric(out[col].str.strip(), errors="coerce")
        bad = values.isna() | (values < 0) | ((values % 1 != 0) if integer else False)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            what = "a whole number ≥ 0" if integer else "a number ≥ 0"
            raise DataError(f"{frame[col].iloc[i]!r} is not {what}", file=name, row=i + 2,
                            column=col)
        out[col] = values.astype(np.int64) if integer else values.astype(float)
    segments = [c for c in out.columns if c not in (basis, "rate")]
    for col in segments:
        out[col] = out[col].str.strip()
    dup = out.duplicated([basis, *segments])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise DataError("this period and segment already have a rate on an earlier row",
                        file=name, row=i + 2, column=basis)
    return out[[basis, *segments, "rate"]]


# ---- internals ------------------------------------------------------------------------------

def _read_csv_text(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataError("the expected-rate table does not exist", file=str(path))
    last: Exception | None = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, encoding=encoding, sep=None, engine="python",
                               keep_default_na=False)
        except UnicodeDecodeError as exc:
            last = exc
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise DataError(f"cannot read the expected-rate table as CSV: {exc}", file=str(path)) from exc
    raise DataError(f"cannot decode the expected-rate table: {last}", file=str(path))


def _check_columns(by: Sequence[str], columns: Sequence[str], basis: str) -> None:
    for col in by:
        if col in ("policy_year", "calendar_year"):
            raise AnalysisError(f"{col!r} is already a row of the study; do not split by it",
                                column=col)
        if col not in columns:
            raise AnalysisError("unknown column to split by", column=col)


def _check_expected(expected: pd.DataFrame | None, basis: str,
                    pol_columns: Sequence[str]) -> tuple[str, ...]:
    if expected is None:
        return ()
    for col in (basis, "rate"):
        if col not in expected.columns:
            raise AnalysisError(f"the expected-rate table needs a {col!r} column", column=col)
    segments = tuple(c for c in expected.columns if c not in (basis, "rate"))
    for col in segments:
        if col not in pol_columns:
            raise AnalysisError("the expected-rate table has a segment column the policies "
                                "do not have", column=col)
    if expected.duplicated([basis, *segments]).any():
        raise AnalysisError("the expected-rate table has two rates for one period and segment",
                            column=basis)
    return segments


def _aggregate(records: ExposureRecords, keys: Sequence[str]) -> pd.DataFrame:
    """Sum exposure and actual per (period, *keys) with one bincount."""
    pol = records.policies
    seg_code = np.zeros(len(pol), dtype=np.int64)
    levels: list[np.ndarray] = []
    sizes: list[int] = []
    for col in keys:
        values = pol[col].astype(object).where(pol[col].notna(), None)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        levels.append(np.asarray(uniques, dtype=object))
        sizes.append(max(len(uniques), 1))
        seg_code = seg_code * sizes[-1] + codes
    n_seg = int(np.prod(sizes)) if sizes else 1
    p_min = int(records.period.min()) if len(records.period) else 0
    key = (records.period - p_min) * n_seg + seg_code[records.row]
    n_key = int(key.max()) + 1 if len(key) else 0
    exposure = np.bincount(key, weights=records.exposure, minlength=n_key)
    actual = np.bincount(key, weights=records.actual, minlength=n_key)
    present = np.flatnonzero(np.bincount(key, minlength=n_key))
    out: dict[str, Any] = {records.basis: present // n_seg + p_min}
    rest = present % n_seg
    decoded = []
    for lv, size in zip(reversed(levels), reversed(sizes)):
        decoded.append(lv[rest % size] if len(lv) else np.full(len(rest), None, object))
        rest = rest // size
    for col, values in zip(keys, reversed(decoded)):
        out[col] = values
    out["exposure"] = exposure[present]
    out["actual"] = actual[present].round().astype(np.int64)
    return pd.DataFrame(out)


def _summarise(fine: pd.DataFrame, keys: list[str], p: float, r: float,
               conf_level: float) -> pd.DataFrame:
    from scipy.stats import binom

    g = fine.assign(_missing=fine["expected_claims"].isna()).groupby(keys, sort=True,
                                                                     dropna=False)
    out = g.agg(exposure=("exposure", "sum"), actual=("actual", "sum"),
                expected_claims=("expected_claims", "sum"), _missing=("_missing", "any"))
    out = out.reset_index()
    out.loc[out["_missing"], "expected_claims"] = np.nan
    exposure = out["exposure"].to_numpy(dtype=float)
    actual = out["actual"].to_numpy(dtype=float)
    rate = actual / exposure
    n = np.round(exposure)
    q = np.clip(rate, 0.0, 1.0)
    valid = rate <= 1.0
    lower = np.where(valid, binom.ppf((1 - conf_level) / 2, n, q) / exposure, np.nan)
    upper = np.where(valid, binom.ppf(1 - (1 - conf_level) / 2, n, q) / exposure, np.nan)
    expected_rate = out["expected_claims"].to_numpy(dtype=float) / exposure
    with np.errstate(divide="ignore", invalid="ignore"):
        ae = np.where(expected_rate > 0, rate / expected_rate, np.nan)
        y = credibility_y(p, r)
        z = np.where(rate >= 1.0, 1.0, np.sqrt(actual / (y * (1.0 - np.minimum(rate, 1.0)))))
    out["rate"] = rate
    out["rate_lower"] = lower
    out["rate_upper"] = upper
    out["expected"] = expected_rate
    out["ae"] = ae
    out["credibility"] = np.minimum(1.0, z)
    return out[[*keys, *RESULT_COLUMNS]]


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
