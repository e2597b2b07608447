"""Competing decrements: Aalen-Johansen cumulative incidence of each exit cause.

A policy leaves by one of several causes (lapse, surrender, death, maturity, other) or is still
in force at the as-of date (censored). On the unique times t_i with n_i at risk, d_i exits of
any cause and d_ki of cause k:

    S(t)    = prod_{t_i <= t} (1 - d_i / n_i)                (all-cause Kaplan-Meier)
    F_k(t)  = sum_{t_i <= t} S(t_{i-1}) d_ki / n_i           (cumulative incidence, CIF)

so that S(t) + sum_k F_k(t) = 1 at every t. This is lifelines' ``AalenJohansenFitter``
without its random jitter of tied times (lifelines jitters ties because its implementation
cannot take them; the estimator itself can). Variance (Collett, *Modelling Survival Data in
Medical Research*, 3rd ed., p. 411; SAS PROC LIFETEST), as lifelines:

    Var F_k(t) = sum_{t_i <= t} [ (F_k(t) - F_k(t_i))^2 d_i / (n_i (n_i - d_i))
                                  + S(t_{i-1})^2 d_ki (n_i - d_ki) / n_i^3
                                  - 2 (F_k(t) - F_k(t_i)) S(t_{i-1}) d_ki / n_i^2 ]

(terms with n_i = d_i are 0), with CIs from the log(-log F) transform (inside [0, 1]).

Delayed entry (a Dataset's study start, or ``entry=COL``; see :mod:`memberdesk.analysis.entry`):
n_i counts the records with entry < t_i <= exit, as R's ``survfit(Surv(entry, exit, state))``.
Rows with no value in ``by`` are left out and counted (``excluded``), as R's ``cuminc`` does.

Gray's test (:mod:`memberdesk.analysis.gray_test`) of each cause across the groups is added
when ``by`` gives two or more groups and there is no delayed entry (``gray_test``).

Causes: a Dataset's ``exit_status``; ``in_force`` is censored. The listed ``causes`` are
competing causes, and ``other`` exits are a cause whenever present; any other status not listed
is censored. Time in months for a Dataset (days for generic tables); a DataFrame needs
``duration`` and ``exit_status`` columns (duration taken as in ``unit``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.frames import MISSING_GROUP, segment_labels
from memberdesk.analysis.gray_test import GrayResult, gray_test
from memberdesk.analysis.km import normal_quantile, risk_sets, unique_time_codes
from memberdesk.analysis.step import step_values
from memberdesk.analysis.survival import MAX_SEGMENTS, _rows_or_counts
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import AnalysisError
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.reasons import Reason

DEFAULT_CAUSES: tuple[str, ...] = ("lapsed", "surrendered", "death", "matured")
CENSORED_STATUS = "in_force"


@dataclass(frozen=True, eq=False)
class CompetingRisksResult:
    """Cumulative incidence per group and cause.

    ``incidence``: tidy table group, cause, time, cif, ci_lower, ci_upper, variance (one row
    per group x cause x timeline point, t = 0 included). ``survival``: group, time, at_risk,
    survival (all-cause KM, i.e. still in force).
    """

    unit: str
    by: str | None
    causes: tuple[str, ...]
    groups: tuple[str, ...]
    incidence: pd.DataFrame
    survival: pd.DataFrame
    gray_test: tuple[GrayResult, ...] = ()
    excluded: dict[str, int] = field(default_factory=dict)
    delayed_entry: bool = False

    def gray_frame(self) -> pd.DataFrame:
        """Gray's test per cause: cause, statistic, df, p_value (empty without groups)."""
        return pd.DataFrame([g.to_json() for g in self.gray_test],
                            columns=["cause", "statistic", "df", "p_value"])

    def cif(self, cause: str, group: str = "all") -> pd.DataFrame:
        m = (self.incidence["cause"] == cause) & (self.incidence["group"] == group)
        return self.incidence[m].reset_index(drop=True)

    def at_times(self, times: Sequence[float]) -> pd.DataFrame:
        """CIF of each group and cause at ``times`` (step function), plus survival."""
        t = np.asarray(times, dtype=float)
        out = []
        for (group, cause), part in self.incidence.groupby(["group", "cause"], sort=False):
            time = part["time"].to_numpy(dtype=float)
            out.append(pd.DataFrame({"group": group, "cause": cause, "time": t,
                                     **{c: step_values(time, part[c].to_numpy(dtype=float), t, 0.0)
                                        for c in ("cif", "ci_lower", "ci_upper")}}))
        return pd.concat(out, ignore_index=True)

    def horizon_table(self, group: str = "all",
                      horizons: Sequence[float] = (12.0, 24.0, 36.0, 60.0)) -> pd.DataFrame:
        """The cumulative incidence of each cause in ``group`` at exactly ``horizons`` (in the
        result's unit; 1, 2, 3 and 5 years in months by default): the step function's value at
        the last time ≤ the horizon. Horizons past the group's last time are left out (not
        observed). Columns: ``years`` (horizon ÷ 12), ``time``, one column per cause, and
        ``all_causes`` (their sum: the probability of having left by the horizon)."""
        part = self.incidence[self.incidence["group"] == group]
        t_max = float(part["time"].max()) if len(part) else -1.0
        shown = [float(h) for h in horizons if h <= t_max]
        out = pd.DataFrame({"years": [h / 12 for h in shown], "time": shown})
        for cause, rows in part.groupby("cause", sort=False):
            out[str(cause)] = step_values(rows["time"].to_numpy(dtype=float),
                                          rows["cif"].to_numpy(dtype=float), shown, 0.0)
        causes = [c for c in out.columns if c not in ("years", "time")]
        out["all_causes"] = out[causes].sum(axis=1) if causes else 0.0  # left for any cause
        return out

    def to_frame(self) -> pd.DataFrame:
        return self.incidence

    def to_json(self) -> dict[str, Any]:
        groups = []
        for g in self.groups:
            s = self.survival[self.survival["group"] == g]
            causes = {}
            for c in self.causes:
                part = self.cif(c, g)
                causes[c] = {"cif": part["cif"].tolist(), "ci_lower": part["ci_lower"].tolist(),
                             "ci_upper": part["ci_upper"].tolist()}
            groups.append({"name": g, "timeline": s["time"].tolist(),
                           "survival": s["survival"].tolist(), "causes": causes})
        out: dict[str, Any] = {"unit": self.unit, "by": self.by, "causes": list(self.causes),
                               "groups": groups}
        if len(self.groups) >= 2 and not self.delayed_entry:
            out["gray_test"] = [g.to_json() for g in self.gray_test]
        if self.excluded:
            out["excluded"] = dict(self.excluded)
        if self.delayed_entry:
            out["delayed_entry"] = True
        return out


def _cause_codes(status: pd.Series, causes: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """0 = censored, k = causes[k-1]; ``other`` appended when present and not listed."""
    raw, uniques = pd.factorize(status)  # missing -> -1 -> censored
    levels = [str(v) for v in uniques]
    causes = tuple(causes)
    if "other" not in causes and "other" in levels:
        causes = (*causes, "other")
    lookup = np.array([causes.index(v) + 1 if v in causes else 0 for v in levels] + [0],
                      dtype=np.int64)
    return lookup[raw], causes


def aalen_johansen(times: np.ndarray, at_risk: np.ndarray, d_cause: np.ndarray, alpha: float = 0.05
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """CIF, variance and CI of each cause from counts on sorted unique times.

    ``d_cause`` is (causes x times). Returns (survival, cif, variance, lower, upper), the last
    four shaped like ``d_cause``.
    """
    d_all = d_cause.sum(axis=0)
    # under delayed entry nobody may be at risk at t = 0 (nor exits then): those terms are 0
    at_risk = np.where(np.asarray(at_risk, dtype=float) > 0, at_risk, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - d_all / at_risk)
        lag = np.concatenate([[1.0], surv[:-1]])
        cif = np.cumsum(lag * d_cause / at_risk, axis=1)
        c = d_all / (at_risk * (at_risk - d_all))
        second = lag**2 * d_cause * (at_risk - d_cause) / at_risk**3
        a = lag * d_cause / at_risk**2
    c[~np.isfinite(c)] = 0.0
    cf, cf2 = np.cumsum(c * cif, axis=1), np.cumsum(c * cif**2, axis=1)
    var = (cif**2 * np.cumsum(c) - 2 * cif * cf + cf2 + np.cumsum(second, axis=1)
           - 2 * (cif * np.cumsum(a, axis=1) - np.cumsum(a * cif, axis=1)))
    var = np.maximum(var, 0.0)
    z = normal_quantile(1 - alpha / 2)  # not scipy.stats: ~0.5 s at every command start
    with np.errstate(divide="ignore", invalid="ignore"):
        trans = np.log(-np.log(cif))
        se = np.sqrt(var) / (cif * np.abs(np.log(cif)))
        lo = np.exp(-np.exp(trans + z * se))
        hi = np.exp(-np.exp(trans - z * se))
    undefined = ~np.isfinite(lo) | ~np.isfinite(hi)
    lo = np.where(undefined, cif, lo)
    hi = np.where(undefined, cif, hi)
    return surv, cif, var, lo, hi


def cumulative_incidence(data: Dataset | pd.DataFrame, *, by: str | None = None,
                         causes: Sequence[str] = DEFAULT_CAUSES, unit: str | None = None,
                         alpha: float | None = None, progress: Progress | None = None,
                         entry: str | None = None, missing: str = "drop") -> CompetingRisksResult:
    """Aalen-Johansen cumulative incidence of each exit cause, overall or per segment, with
    Gray's test across segments (module doc). ``entry``: column of delayed-entry durations;
    ``missing="group"`` keeps rows with no ``by`` value as a ``"(missing)"`` group. ``alpha``:
    1 − CI level (None: ``1 − ds.assumptions.ci_level`` for a Dataset, else 0.05)."""
    if alpha is None:
        alpha = data.assumptions.alpha if isinstance(data, Dataset) else 0.05
    prog = ensure(progress)
    if unit is None:
        unit = "months" if isinstance(data, Dataset) and not data.generic else "days"
    if isinstance(data, pd.DataFrame) and "event" not in data.columns and "exit_status" in data.columns:
        raw, levels = pd.factorize(data["exit_status"])
        censored = np.array([str(v) == CENSORED_STATUS for v in levels] + [True])
        data = data.assign(event=(~censored[raw]).astype(np.int8))
    # the rows, or an engine book's counts by segment x exit status x duration as frequency
    # weights (incidence and Gray's tests use counts per time only); delayed entry reads rows
    frame, w = _rows_or_counts(data, unit, by, entry, also=("exit_status",), missing=missing)
    excluded = {k: v for k, v in frame.attrs.get("rejected", {}).items()}
    if frame.attrs.get("out_of_window"):
        excluded["out_of_window"] = int(frame.attrs["out_of_window"])
    names: tuple[str, ...]
    if by is None:
        gcodes, names = np.zeros(len(frame), dtype=np.int64), ("all",)
    else:
        gcodes, names = segment_labels(frame[by])
        if missing == "drop" and names[-1] == MISSING_GROUP:
            absent = gcodes == len(names) - 1
            excluded["missing_group"] = int(round(float(w[absent].sum())))
            frame, gcodes, names = frame.loc[~absent].reset_index(drop=True), gcodes[~absent], names[:-1]
            w = w[~absent]
            if not names:
                raise AnalysisError(Reason("segment_all_missing", column=by), column=by)
        if len(names) > MAX_SEGMENTS:  # as km refuses them
            raise AnalysisError(Reason("segment_too_many", column=by, n=len(names),
                                       limit=MAX_SEGMENTS), column=by)
    codes, causes = _cause_codes(frame["exit_status"], causes)
    d = frame["duration"].to_numpy(dtype=float)
    en = frame["entry"].to_numpy(dtype=float) if "entry" in frame.columns else None
    times, tcode = unique_time_codes(d)
    u, k, g_n = times.size, len(causes), len(names)
    flat = (gcodes * (k + 1) + codes) * u + tcode
    counts = np.bincount(flat, weights=w, minlength=g_n * (k + 1) * u).reshape(g_n, k + 1, u)
    all_removed = counts.sum(axis=1)
    at_risk = risk_sets(times, all_removed, en, w, gcodes)
    check_cancelled(progress)
    prog.fraction(0.3)
    inc_parts, surv_parts = [], []
    for g, name in enumerate(names):
        keep = (all_removed[g] > 0) | (times == 0.0)
        t, n_risk = times[keep], at_risk[g, keep]
        surv, cif, var, lo, hi = aalen_johansen(t, n_risk, counts[g][1:][:, keep], alpha)
        surv_parts.append(pd.DataFrame({"group": name, "time": t, "at_risk": n_risk,
                                        "survival": surv}))
        for j, cause in enumerate(causes):
            inc_parts.append(pd.DataFrame({"group": name, "cause": cause, "time": t,
                                           "cif": cif[j], "ci_lower": lo[j], "ci_upper": hi[j],
                                           "variance": var[j]}))
        check_cancelled(progress)
    if not inc_parts:
        raise AnalysisError(Reason("no_policies"))
    prog.fraction(0.8)
    gray: tuple[GrayResult, ...] = ()
    if g_n >= 2 and en is None:
        prog.status("Comparing segments (Gray's test)")
        gray = tuple(gray_test(d, codes, gcodes, causes, g_n, weights=w))
    prog.fraction(1.0)
    return CompetingRisksResult(unit=unit, by=by, causes=causes, groups=tuple(names),
                                incidence=pd.concat(inc_parts, ignore_index=True),
                                survival=pd.concat(surv_parts, ignore_index=True),
                                gray_test=gray, excluded=excluded, delayed_entry=en is not None)
