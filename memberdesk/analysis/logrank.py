"""Comparing survival between groups: k-group log-rank test (and its weighted family),
pairwise tests with Holm adjustment, restricted mean survival time (RMST) and survival
differences at a time.

Durations/events follow :mod:`memberdesk.analysis.km` (events 1 = observed, 0 = censored;
optional delayed ``entry`` times, R's ``Surv(entry, exit, event)``).

* Missing group values: left out by default, as R (``na.action``), and counted in the result
  (``LogrankResult.dropped``; the tables' ``attrs["dropped"]``); ``missing="group"`` keeps them
  as a last group named ``"(missing)"``.
* Weighted tests (``test="wilcoxon"``, ``"tarone"``, ``"peto"``, ``"fh:P,Q"``): see
  :mod:`memberdesk.analysis.weighted_logrank`; the default is the log-rank.

* Log-rank: U = Z' V^- Z over the first k-1 groups, Z_j = sum_t (d_jt - n_jt d_t / n_t),
  V_jk = sum_t d_t (n_t - d_t)/(n_t - 1) (n_jt/n_t)(delta_jk - n_kt/n_t) (the factor
  (n-d)/(n-1) is 1 when n_t = 1). chi-square with k-1 degrees of freedom. Identical to
  ``lifelines.statistics.multivariate_logrank_test`` (and R ``survdiff``).
* RMST up to a horizon tau: the area under the KM step curve on [0, tau]. Its variance is the
  Greenwood-type formula (Klein & Moeschberger, *Survival Analysis*, 2nd ed., eq. 4.5.2; the
  "se(rmean)" of R's ``print.survfit``): Var = sum_{t_i <= tau} A_i^2 d_i / (n_i (n_i - d_i)),
  A_i = integral of S from t_i to tau (terms with n_i = d_i are 0). Differences between
  groups are independent-sample differences: se = sqrt(se_a^2 + se_b^2), normal CI.
* Survival difference at t: S_a(t) - S_b(t), se from plain Greenwood S^2 G, normal CI.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.km import (
    ArrayLike,
    KMCurve,
    check_entry,
    check_inputs,
    chi2_sf,
    curve_from_counts,
    grouped_counts,
    normal_quantile,
    normal_sf,
    risk_sets,
)
from memberdesk.analysis.weighted_logrank import WeightSpec, parse_test, weighted_statistic
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason

MISSING_GROUP = "(missing)"


@dataclass(frozen=True, eq=False)
class LogrankResult:
    """k-group (weighted) log-rank test; ``observed``/``expected`` events per group in
    ``groups`` order; ``test`` names the weights (``logrank``, ``wilcoxon``, ``tarone``,
    ``peto``, ``fh:P,Q``); ``dropped`` = records left out for a missing group."""

    test_statistic: float
    degrees_of_freedom: int
    p_value: float
    groups: tuple[str, ...] = ()
    observed: np.ndarray = field(default_factory=lambda: np.zeros(0))
    expected: np.ndarray = field(default_factory=lambda: np.zeros(0))
    test: str = "logrank"
    dropped: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"test_statistic": float(self.test_statistic),
                "degrees_of_freedom": int(self.degrees_of_freedom),
                "p_value": float(self.p_value), "test": self.test}

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"group": list(self.groups), "observed": self.observed,
                             "expected": self.expected})


def group_codes(groups: ArrayLike, missing: str = "drop") -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes and sorted group names. Missing values get code -1 (``missing="drop"``)
    or form a last group ``"(missing)"`` (``missing="group"``)."""
    if missing not in ("drop", "group"):
        raise AnalysisError(f"missing must be 'drop' or 'group'; got {missing!r}")
    s = pd.Series(np.asarray(groups, dtype=object))
    absent = s.isna().to_numpy()
    codes, names = pd.factorize(s.astype(str).mask(absent), sort=True)  # missing -> -1
    out = codes.astype(np.int64)
    labels = tuple(str(x) for x in names)
    if missing == "group" and absent.any():
        out[absent] = len(labels)
        labels = (*labels, MISSING_GROUP)
    return out, labels


@dataclass(frozen=True)
class _Prepared:
    d: np.ndarray
    e: np.ndarray
    w: np.ndarray
    entry: np.ndarray | None
    codes: np.ndarray
    names: tuple[str, ...]
    dropped: int


def _prepare(durations: ArrayLike, events: ArrayLike, groups: ArrayLike,
             weights: ArrayLike | None, entry: ArrayLike | None, missing: str) -> _Prepared:
    d, e, w = check_inputs(durations, events, weights)
    en = check_entry(entry, d)
    codes, names = group_codes(groups, missing)
    if codes.size != d.size:
        raise AnalysisError("groups and durations differ in length")
    keep = codes >= 0
    dropped = int((~keep).sum())
    if dropped:
        d, e, w, codes = d[keep], e[keep], w[keep], codes[keep]
        en = None if en is None else en[keep]
    return _Prepared(d, e, w, en, codes, names, dropped)


def _group_counts(prep: _Prepared) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(times, removed, observed, records, at_risk), each (groups x times) but times."""
    times, removed, observed, records = grouped_counts(prep.d, prep.e, prep.w, prep.codes,
                                                       len(prep.names))
    at_risk = risk_sets(times, removed, prep.entry, prep.w, prep.codes)
    return times, removed, observed, records, at_risk


def logrank_from_counts(removed: np.ndarray, observed: np.ndarray, names: Sequence[str], *,
                        at_risk: np.ndarray | None = None,
                        test: str | WeightSpec | None = None, dropped: int = 0) -> LogrankResult:
    """(Weighted) log-rank test from (groups x unique times) removed/observed counts, or the
    given (groups x times) ``at_risk`` counts under delayed entry."""
    k = removed.shape[0]
    if k < 2:
        raise AnalysisError(Reason("logrank_one_group"))
    spec = parse_test(test)
    if at_risk is None:
        totals = removed.sum(axis=1, keepdims=True)
        at_risk = totals - np.concatenate([np.zeros((k, 1)), np.cumsum(removed, axis=1)[:, :-1]],
                                          axis=1)
    stat, obs, expected = weighted_statistic(np.asarray(at_risk, dtype=float), observed, spec)
    dof = k - 1
    return LogrankResult(stat, dof, chi2_sf(stat, dof), tuple(names), obs, expected,
                         test=spec.label, dropped=dropped)


def logrank_test(durations: ArrayLike, events: ArrayLike, groups: ArrayLike,
                 weights: ArrayLike | None = None, *, entry: ArrayLike | None = None,
                 test: str | WeightSpec | None = None, missing: str = "drop") -> LogrankResult:
    """k-group log-rank test (agrees with lifelines ``multivariate_logrank_test`` and R
    ``survdiff``), or a weighted test of the family (``test``, module doc)."""
    prep = _prepare(durations, events, groups, weights, entry, missing)
    if len(prep.names) < 2:
        raise AnalysisError(Reason("logrank_groups_found", n=len(prep.names)))
    _, removed, observed, _, at_risk = _group_counts(prep)
    if observed.sum() == 0:
        raise AnalysisError(Reason("logrank_no_events"))
    return logrank_from_counts(removed, observed, prep.names, at_risk=at_risk, test=test,
                               dropped=prep.dropped)


def holm_adjust(p_values: ArrayLike) -> np.ndarray:
    """Holm step-down adjusted p-values (same order as given)."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


def pairwise_logrank(durations: ArrayLike, events: ArrayLike, groups: ArrayLike,
                     weights: ArrayLike | None = None, *, entry: ArrayLike | None = None,
                     test: str | WeightSpec | None = None, missing: str = "drop") -> pd.DataFrame:
    """The (weighted) log-rank test for every pair of groups, with Holm-adjusted p-values.
    Each pair's weights come from that pair's pooled sample (as R ``survdiff`` on the pair).

    Columns: group_a, group_b, test, test_statistic, p_value, p_value_holm;
    ``attrs["dropped"]`` = records left out for a missing group.
    """
    prep = _prepare(durations, events, groups, weights, entry, missing)
    names = prep.names
    if len(names) < 2:
        raise AnalysisError(Reason("logrank_pairwise_groups_found", n=len(names)))
    spec = parse_test(test)
    _, removed, observed, _, at_risk = _group_counts(prep)
    rows = []
    for a, b in combinations(range(len(names)), 2):
        r = logrank_from_counts(removed[[a, b]], observed[[a, b]], (names[a], names[b]),
                                at_risk=at_risk[[a, b]], test=spec)
        rows.append((names[a], names[b], spec.label, r.test_statistic, r.p_value))
    out = pd.DataFrame(rows, columns=["group_a", "group_b", "test", "test_statistic", "p_value"])
    out["p_value_holm"] = holm_adjust(out["p_value"].to_numpy())
    out.attrs["dropped"] = prep.dropped
    return out


def _curves(durations: ArrayLike, events: ArrayLike, groups: ArrayLike,
            weights: ArrayLike | None, alpha: float, entry: ArrayLike | None = None,
            missing: str = "drop") -> tuple[list[KMCurve], int]:
    prep = _prepare(durations, events, groups, weights, entry, missing)
    times, removed, observed, records, at_risk = _group_counts(prep)
    out = []
    for g, name in enumerate(prep.names):
        keep = (records[g] > 0) | (times == 0.0)
        out.append(curve_from_counts(name, times[keep], removed[g, keep], observed[g, keep],
                                     at_risk=at_risk[g, keep], alpha=alpha))
    return out, prep.dropped


def rmst(curve: KMCurve, horizon: float) -> tuple[float, float]:
    """Restricted mean survival time on [0, horizon] and its standard error (module doc)."""
    t = curve.timeline
    inside = t <= horizon
    ti, si = t[inside], curve.survival[inside]
    widths = np.diff(np.append(ti, horizon))
    pieces = si * widths                        # area of each step up to the horizon
    area = float(pieces.sum())
    tail = np.cumsum(pieces[::-1])[::-1]         # A_i = area from t_i to the horizon
    n, d = curve.at_risk[inside].astype(float), curve.observed[inside].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = d / (n * (n - d))
    terms[~np.isfinite(terms)] = 0.0
    # A_i integrates S after the drop at t_i: the step starting at t_i onwards.
    var = float(np.sum(tail**2 * terms))
    return area, float(np.sqrt(var))


def _reference_index(names: Sequence[str], reference: str | None) -> int:
    if reference is None:
        return 0
    if reference not in names:
        raise AnalysisError(Reason("logrank_unknown_reference", name=reference,
                                   groups=str(list(names))))
    return list(names).index(reference)


def rmst_by_group(durations: ArrayLike, events: ArrayLike, groups: ArrayLike, horizon: float, *,
                  weights: ArrayLike | None = None, reference: str | None = None,
                  alpha: float = 0.05, entry: ArrayLike | None = None,
                  missing: str = "drop") -> pd.DataFrame:
    """RMST up to ``horizon`` (same unit as durations) per group, and its difference from the
    reference group (default: the first group in sorted order), with normal CIs.

    Columns: group, rmst, se, ci_lower, ci_upper, difference, difference_se,
    difference_ci_lower, difference_ci_upper, p_value (difference = group - reference).
    ``entry``: delayed entry (the curves are then the left-truncated ones);
    ``attrs["dropped"]``: records left out for a missing group.
    """
    if not horizon > 0:
        raise AnalysisError(Reason("rmst_horizon_not_positive"))
    curves, dropped = _curves(durations, events, groups, weights, alpha, entry, missing)
    names = [c.name for c in curves]
    ref = _reference_index(names, reference)
    z = normal_quantile(1 - alpha / 2)
    values = [rmst(c, horizon) for c in curves]
    rows = []
    for name, (area, se) in zip(names, values):
        diff = area - values[ref][0]
        dse = float(np.hypot(se, values[ref][1])) if name != names[ref] else 0.0
        p = float(2 * normal_sf(abs(diff) / dse)) if dse > 0 else float("nan")
        rows.append((name, area, se, area - z * se, area + z * se, diff, dse,
                     diff - z * dse, diff + z * dse, p))
    out = pd.DataFrame(rows, columns=["group", "rmst", "se", "ci_lower", "ci_upper",
                                      "difference", "difference_se", "difference_ci_lower",
                                      "difference_ci_upper", "p_value"])
    out.attrs["dropped"] = dropped
    return out


def survival_difference(durations: ArrayLike, events: ArrayLike, groups: ArrayLike, at: float, *,
                        weights: ArrayLike | None = None, reference: str | None = None,
                        alpha: float = 0.05, entry: ArrayLike | None = None,
                        missing: str = "drop") -> pd.DataFrame:
    """S(at) per group and its difference from the reference group with a normal CI
    (Greenwood standard errors, independent groups).

    Columns: group, survival, se, difference, difference_se, ci_lower, ci_upper, p_value
    (the CI is the difference's).
    """
    curves, _ = _curves(durations, events, groups, weights, alpha, entry, missing)
    names = [c.name for c in curves]
    ref = _reference_index(names, reference)
    z = normal_quantile(1 - alpha / 2)
    s = np.array([c.survival_at(at)[0] for c in curves])
    se = np.array([c.survival_at(at)[0] * np.sqrt(c.greenwood_at(at)[0]) for c in curves])
    diff = s - s[ref]
    dse = np.hypot(se, se[ref])
    dse[ref] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(dse > 0, 2 * normal_sf(np.abs(diff) / np.where(dse > 0, dse, 1)), np.nan)
    return pd.DataFrame({"group": names, "survival": s, "se": se, "difference": diff,
                         "difference_se": dse, "ci_lower": diff - z * dse,
                         "ci_upper": diff + z * dse, "p_value": p})
