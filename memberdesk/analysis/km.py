"""Kaplan-Meier and Nelson-Aalen estimators on unique event times (vectorised).

Conventions (R ``survival::survfit(..., conf.type = "log-log")`` and SAS ``PROC LIFETEST``;
lifelines' ``KaplanMeierFitter`` / ``NelsonAalenFitter`` agree except where noted):

* Durations are non-negative numbers in one unit (days or months: the caller says which);
  ``events`` is 1 for an observed event (e.g. a lapse) and 0 for a right-censored record
  (still in force at the as-of date, or ended by a status that is not the event).
* Time resolution: durations that differ by less than :data:`TIME_RESOLUTION` (1e-9) of the unit
  (relative to the time for times above 1) are one time point, the smallest of them (R's
  ``aeqSurv`` does the same with sqrt(machine epsilon)): 0.3 and 0.30000000000000004 are tied.
* The timeline is the sorted unique durations plus ``t = 0`` (lifelines' "birth" row): at
  ``t = 0`` the survival is 1 unless some durations are exactly 0. R's ``survfit`` has no
  ``t = 0`` row; every other row is R's.
* Delayed entry (left truncation): an optional ``entry`` duration per record (0 = observed from
  the start). A record with entry > 0 is at risk at t when entry < t <= exit (R's
  ``Surv(entry, exit, event)``); a record with entry 0 is at risk when 0 < t <= exit (and at
  the t = 0 row). Entry times add no timeline points (as R). Records with exit <= entry have no
  time at risk: callers reject them beforehand (R makes them NA); this module refuses them.
* ``at_risk[i]`` is the (weighted) number at risk at ``timeline[i]`` (duration >= t, less those
  entering at or after t); ``observed[i]`` and ``censored[i]`` are the events and censorings at
  exactly ``timeline[i]``.
* Survival S(t) = prod_{t_i <= t} (1 - d_i / n_i), computed as exp(cumsum(log(n-d) - log(n)))
  (lifelines' arithmetic; R's cumulative product differs by round-off, ~1e-16).
* 95% CI by the exponential Greenwood ("log(-log)") formula: with v = log S and
  G = sum d_i / (n_i (n_i - d_i)) (terms with n_i = d_i set to 0 as lifelines does),
  lower/upper = exp(-exp(log(-v) -/+ z sqrt(G) / v)); where S = 1 both are 1; where S = 0 the
  interval is undefined and both are NaN (R's NA; lifelines gives 0, 0).
* Median and every quantile: :mod:`memberdesk.analysis.quantiles` -- the first time S <= q,
  except where S equals q (within 1.5e-8) over a flat stretch: the midpoint of the stretch (R,
  SAS). The median's CI limits are the same rule applied to the lower and upper CI curves
  (NaN points skipped), so a CI curve that is undefined before it reaches 0.5 gives "not
  reached" (``inf``), as R. ``median_rule="first"`` gives lifelines' first-time rule.
* ``weights`` are frequency weights (counts of identical records).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from memberdesk.analysis.quantiles import quantile_time
from memberdesk.analysis.step import step_values
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason

ArrayLike = Sequence[float] | np.ndarray | pd.Series | float
TIME_RESOLUTION = 1e-9


# ---- counting ---------------------------------------------------------------------------------

def check_inputs(durations: ArrayLike, events: ArrayLike,
                 weights: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate and convert to float durations, 0/1 int events and float weights."""
    d = np.asarray(durations, dtype=float).ravel()
    e_raw = np.asarray(events)
    if e_raw.dtype == object:
        try:
            e_raw = e_raw.astype(float)
        except (TypeError, ValueError) as exc:
            raise AnalysisError(Reason("km_events_unreadable")) from exc
    e = np.asarray(e_raw, dtype=float).ravel()
    if d.shape != e.shape:
        raise AnalysisError(f"durations ({d.size}) and events ({e.size}) differ in length")
    if np.isnan(d).any():
        raise AnalysisError(Reason("km_durations_missing", n=int(np.isnan(d).sum())))
    if not np.isfinite(d).all():
        raise AnalysisError(Reason("km_durations_not_finite"))
    if (d < 0).any():
        raise AnalysisError(Reason("km_durations_negative", n=int((d < 0).sum())))
    if np.isnan(e).any() or not np.isin(e, (0.0, 1.0)).all():
        raise AnalysisError(Reason("km_events_not_binary"))
    if weights is None:
        w = np.ones(d.size)
    else:
        w = np.asarray(weights, dtype=float).ravel()
        if w.shape != d.shape:
            raise AnalysisError("weights and durations differ in length")
        if not np.isfinite(w).all() or (w < 0).any():
            raise AnalysisError("weights must be finite and non-negative")
    return d, e.astype(np.int8), w


def unique_time_codes(durations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique times and each duration's index into them (hash-based: O(n), not a sort
    of n values). ``t = 0`` is always included, as lifelines' birth row. Times closer than
    :data:`TIME_RESOLUTION` (module doc) are merged into the smallest of them."""
    codes, uniques = pd.factorize(durations, sort=False)
    uniques = np.asarray(uniques, dtype=float)
    has_zero = bool((uniques == 0.0).any())
    if not has_zero:
        uniques = np.append(uniques, 0.0)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    times = uniques[order]
    tied = np.diff(times) <= TIME_RESOLUTION * np.maximum(1.0, np.abs(times[1:]))
    if tied.any():
        cluster = np.concatenate([[0], np.cumsum(~tied)])
        times = times[np.concatenate([[True], ~tied])]
        rank = cluster[rank]
    return times, rank[codes]


def time_index(times: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of the last timeline point <= each value (after the same merging of near-equal
    times as :func:`unique_time_codes`): where an entry time falls on the timeline."""
    v = np.asarray(values, dtype=float)
    found: np.ndarray = np.searchsorted(times, v + TIME_RESOLUTION * np.maximum(1.0, np.abs(v)),
                                        side="right") - 1
    return found


def grouped_counts(durations: np.ndarray, events: np.ndarray, weights: np.ndarray,
                   group_codes: np.ndarray | None = None, n_groups: int = 1
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Removed, observed and raw record counts per group and unique time.

    Returns ``(times, removed, observed, records)``; the last three have shape
    ``(n_groups, len(times))``. ``records`` counts rows (unweighted) to tell which times a
    group actually has.
    """
    times, tcode = unique_time_codes(durations)
    u = times.size
    flat = tcode if group_codes is None else group_codes.astype(np.int64) * u + tcode
    size = n_groups * u
    removed = np.bincount(flat, weights=weights, minlength=size).reshape(n_groups, u)
    observed = np.bincount(flat, weights=weights * events, minlength=size).reshape(n_groups, u)
    records = np.bincount(flat, minlength=size).reshape(n_groups, u)
    return times, removed, observed, records


def risk_sets(times: np.ndarray, removed: np.ndarray, entry: np.ndarray | None = None,
              weights: np.ndarray | None = None, group_codes: np.ndarray | None = None
              ) -> np.ndarray:
    """Number at risk per group and timeline point, shape like ``removed`` (groups x times).

    Without ``entry``: everyone removed at or after t (total - removed before t). With
    ``entry`` (same length as the records, 0 = from the start): less the records whose entry
    is > 0 and >= t (module doc: at risk when entry < t <= exit).
    """
    removed = np.atleast_2d(np.asarray(removed, dtype=float))
    k, u = removed.shape
    totals = removed.sum(axis=1, keepdims=True)
    before = np.concatenate([np.zeros((k, 1)), np.cumsum(removed, axis=1)[:, :-1]], axis=1)
    at_risk: np.ndarray = totals - before
    if entry is None:
        return at_risk
    e = np.asarray(entry, dtype=float)
    w = np.ones(e.size) if weights is None else np.asarray(weights, dtype=float)
    late = e > 0
    if not late.any():
        return at_risk
    # entries in (t_{i-1}, t_i] are not yet at risk at t_i... the bucket of an entry is the
    # last timeline point <= it; it is not at risk at that point nor any earlier one.
    bucket = time_index(times, e[late])
    codes = np.zeros(e.size, dtype=np.int64) if group_codes is None else group_codes
    flat = codes[late].astype(np.int64) * u + bucket
    entered = np.bincount(flat, weights=w[late], minlength=k * u).reshape(k, u)
    not_yet = np.cumsum(entered[:, ::-1], axis=1)[:, ::-1]   # entries >= t_i
    out: np.ndarray = at_risk - not_yet
    return out


def _maybe_int(x: np.ndarray) -> np.ndarray:
    return x.astype(np.int64) if np.all(x == np.round(x)) else x


# ---- the curve --------------------------------------------------------------------------------

def qth_time(q: float, timeline: np.ndarray, curve: np.ndarray, rule: str = "first") -> float:
    """Time the curve reaches ``q``: lifelines' first time <= q by default (``inf`` if it
    never does); ``rule="midpoint"`` is R's rule (:func:`quantiles.quantile_time`)."""
    return quantile_time(q, timeline, curve, rule=rule)


# ---- distribution functions without importing scipy.stats (about 0.5 s at command start) ----

def normal_quantile(p: float) -> float:
    """Standard normal quantile (Wichura's AS241, as scipy ``norm.ppf``)."""
    return NormalDist().inv_cdf(p)


def normal_sf(z: ArrayLike) -> np.ndarray:
    """Standard normal upper tail P(Z > z), elementwise (= 0.5 erfc(z / sqrt 2))."""
    out: np.ndarray = np.vectorize(lambda v: 0.5 * math.erfc(v / math.sqrt(2.0)),
                                   otypes=[float])(np.asarray(z, dtype=float))
    return out


def chi2_sf(x: float, dof: int) -> float:
    """Upper tail of the chi-square distribution with integer ``dof`` degrees of freedom:
    the regularised upper incomplete gamma Q(dof/2, x/2) in closed form (a finite sum,
    plus erfc for odd dof), terms computed in logs so large statistics do not overflow."""
    dof = int(dof)
    if dof < 1 or x != x:
        return float("nan")
    if x <= 0:
        return 1.0
    half = x / 2.0
    if dof % 2 == 0:
        terms = [i * math.log(half) - math.lgamma(i + 1) for i in range(dof // 2)]
        base = 0.0
    else:
        terms = [(i - 0.5) * math.log(half) - math.lgamma(i + 0.5) for i in range(1, (dof + 1) // 2)]
        base = math.erfc(math.sqrt(half))
    return min(1.0, base + sum(math.exp(t - half) for t in terms))

@dataclass(frozen=True, eq=False)
class KMCurve:
    """A Kaplan-Meier curve of one group. Arrays are aligned on ``timeline`` (see module doc).

    ``greenwood`` is the cumulative Greenwood sum G(t) (Var S(t) = S(t)^2 G(t)).
    ``median*`` are ``inf`` when not reached; ``median_rule`` is how they were found.
    ``ci_lower``/``ci_upper`` are NaN where S = 0 (undefined).
    """

    name: str
    n: float
    events: float
    timeline: np.ndarray
    survival: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    at_risk: np.ndarray
    observed: np.ndarray
    censored: np.ndarray
    median: float
    median_ci_lower: float
    median_ci_upper: float
    greenwood: np.ndarray
    alpha: float = 0.05
    median_rule: str = "midpoint"

    def quantile(self, q: float, rule: str | None = None) -> tuple[float, float, float]:
        """Time when survival reaches ``q`` (0.5 = median) and its CI limits, by the curve's
        rule unless ``rule`` is given; ``inf`` = not reached (module doc)."""
        r = self.median_rule if rule is None else rule
        return (quantile_time(q, self.timeline, self.survival, rule=r),
                quantile_time(q, self.timeline, self.ci_lower, rule=r),
                quantile_time(q, self.timeline, self.ci_upper, rule=r))

    def _step(self, values: np.ndarray, times: ArrayLike, before: float) -> np.ndarray:
        return step_values(self.timeline, values, times, before)

    def survival_at(self, times: ArrayLike) -> np.ndarray:
        """S(t) at each time (right-continuous step: value of the last timeline point <= t)."""
        return self._step(self.survival, times, 1.0)

    def ci_at(self, times: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper CI at each time (same step rule as :meth:`survival_at`)."""
        return self._step(self.ci_lower, times, 1.0), self._step(self.ci_upper, times, 1.0)

    def greenwood_at(self, times: ArrayLike) -> np.ndarray:
        return self._step(self.greenwood, times, 0.0)

    def at_risk_at(self, times: ArrayLike) -> np.ndarray:
        """Number at risk at each time t: records with duration >= t (the convention of R's
        ``summary(survfit, times=)`` and number-at-risk tables under KM plots). Under delayed
        entry: the number at risk at the first timeline point >= t, as R reports it."""
        t = np.atleast_1d(np.asarray(times, dtype=float))
        idx = np.searchsorted(self.timeline, t, side="left")
        padded = np.append(self.at_risk, 0)
        return padded[idx]

    def interval_counts(self, breaks: ArrayLike) -> pd.DataFrame:
        """Events and censorings in each interval (b[k-1], b[k]] (the first from t = 0
        inclusive), with the number entering each interval at risk (duration > b[k-1]; all
        records for the first interval)."""
        b = np.asarray(breaks, dtype=float)
        cum_obs = np.concatenate([[0.0], np.cumsum(self.observed)])
        cum_cen = np.concatenate([[0.0], np.cumsum(self.censored)])
        upto = np.searchsorted(self.timeline, b, side="right")
        starts = np.concatenate([[0.0], b[:-1]])
        prev = np.concatenate([[0], upto[:-1]])
        entering = np.append(self.at_risk, 0)[np.searchsorted(self.timeline, starts, side="right")]
        entering[0] = self.n
        return pd.DataFrame({
            "group": self.name,
            "from": starts,
            "to": b,
            "at_risk": entering,
            "events": cum_obs[upto] - cum_obs[prev],
            "censored": cum_cen[upto] - cum_cen[prev],
        })

    def to_frame(self) -> pd.DataFrame:
        """Tidy table, one row per timeline point."""
        return pd.DataFrame({
            "group": self.name, "time": self.timeline, "at_risk": self.at_risk,
            "observed": self.observed, "censored": self.censored, "survival": self.survival,
            "ci_lower": self.ci_lower, "ci_upper": self.ci_upper,
        })

    def to_json(self) -> dict[str, Any]:
        """The docs/cli.md ``km --json`` group object (median null when not reached)."""
        return {
            "name": self.name, "n": _json_count(self.n), "events": _json_count(self.events),
            "median": None if not np.isfinite(self.median) else float(self.median),
            "timeline": self.timeline.tolist(), "survival": self.survival.tolist(),
            "ci_lower": self.ci_lower.tolist(), "ci_upper": self.ci_upper.tolist(),
            "at_risk": _maybe_int(self.at_risk).tolist(),
        }


def _json_count(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def curve_from_counts(name: str, times: np.ndarray, removed: np.ndarray, observed: np.ndarray,
                      *, at_risk: np.ndarray | None = None, alpha: float = 0.05,
                      median_rule: str = "midpoint") -> KMCurve:
    """Build a :class:`KMCurve` from per-time removed/observed counts on sorted unique times
    (``times`` must include every time with ``removed > 0`` and should start at 0).

    ``at_risk``: the risk sets when records enter late (:func:`risk_sets`); default: all
    records at risk from t = 0. ``median_rule``: ``"midpoint"`` (R, default) or ``"first"``
    (lifelines), see :mod:`memberdesk.analysis.quantiles`.
    """
    removed = np.asarray(removed, dtype=float)
    observed = np.asarray(observed, dtype=float)
    total = removed.sum()
    if at_risk is None:
        at_risk = total - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    at_risk = np.asarray(at_risk, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_terms = np.where(observed > 0, np.log(at_risk - observed) - np.log(at_risk), 0.0)
        gw_terms = np.where(observed > 0, observed / (at_risk * (at_risk - observed)), 0.0)
    log_s = np.cumsum(log_terms)
    gw_terms[np.isinf(gw_terms)] = 0.0
    greenwood = np.cumsum(gw_terms)
    survival = np.exp(log_s)
    lower, upper = loglog_ci(log_s, greenwood, alpha)
    return KMCurve(
        name=name, n=float(total), events=float(observed.sum()), timeline=np.asarray(times, float),
        survival=survival, ci_lower=lower, ci_upper=upper,
        at_risk=_maybe_int(at_risk), observed=_maybe_int(observed),
        censored=_maybe_int(removed - observed),
        median=quantile_time(0.5, times, survival, rule=median_rule),
        median_ci_lower=quantile_time(0.5, times, lower, rule=median_rule),
        median_ci_upper=quantile_time(0.5, times, upper, rule=median_rule),
        greenwood=greenwood, alpha=alpha, median_rule=median_rule,
    )


def loglog_ci(log_s: np.ndarray, greenwood: np.ndarray, alpha: float = 0.05
              ) -> tuple[np.ndarray, np.ndarray]:
    """Exponential Greenwood (log(-log)) CI from log S and the Greenwood sum: 1 where S = 1,
    NaN where S = 0 (undefined, R's NA)."""
    z = normal_quantile(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        v = log_s
        spread = z * np.sqrt(greenwood) / v
        lower = np.exp(-np.exp(np.log(-v) - spread))
        upper = np.exp(-np.exp(np.log(-v) + spread))
    one = v == 0.0
    lower[one] = 1.0
    upper[one] = 1.0
    zero = np.isneginf(v)
    lower[zero] = np.nan
    upper[zero] = np.nan
    return lower, upper


def check_entry(entry: ArrayLike | None, durations: np.ndarray) -> np.ndarray | None:
    """Validate delayed-entry times: finite, >= 0 and below the exit duration (records with
    exit <= entry have no time at risk; callers reject them with a reason beforehand)."""
    if entry is None:
        return None
    en = np.asarray(entry, dtype=float).ravel()
    if en.shape != durations.shape:
        raise AnalysisError(f"entry ({en.size}) and durations ({durations.size}) differ in length")
    if not np.isfinite(en).all() or (en < 0).any():
        raise AnalysisError(Reason("km_entry_invalid"), column="entry")
    bad = durations <= en
    if bad.any():
        raise AnalysisError(Reason("km_exit_not_after_entry", n=int(bad.sum())), column="entry")
    return en


def kaplan_meier(durations: ArrayLike, events: ArrayLike, *, weights: ArrayLike | None = None,
                 entry: ArrayLike | None = None, name: str = "all", alpha: float = 0.05,
                 median_rule: str = "midpoint") -> KMCurve:
    """Kaplan-Meier product-limit estimate with exponential Greenwood CI (see module doc).

    Parameters
    ----------
    durations
        Time from start to event or censoring (the exit time), >= 0, in the caller's unit
        (days or months).
    events
        1 = event observed (e.g. lapse), 0 = right-censored.
    weights
        Optional frequency weights (counts of identical records).
    entry
        Optional delayed-entry times in the same unit (0 = observed from the start; else the
        record is at risk on (entry, exit]): R's ``Surv(entry, exit, event)``.
    name
        Label of the curve (the segment value).
    alpha
        1 - confidence level (0.05 for 95% intervals).
    median_rule
        ``"midpoint"`` (R/SAS, default) or ``"first"`` (lifelines).
    """
    d, e, w = check_inputs(durations, events, weights)
    if d.size == 0:
        raise AnalysisError(Reason("km_no_records", name=name))
    en = check_entry(entry, d)
    times, removed, observed, records = grouped_counts(d, e, w)
    at_risk = None if en is None else risk_sets(times, removed, en, w)[0]
    keep = (records[0] > 0) | (times == 0.0)
    return curve_from_counts(name, times[keep], removed[0, keep], observed[0, keep],
                             at_risk=None if at_risk is None else at_risk[keep], alpha=alpha,
                             median_rule=median_rule)


# ---- Nelson-Aalen ------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class NelsonAalenCurve:
    """Nelson-Aalen cumulative hazard H(t) with lifelines' log-transformed CI.

    With ``smoothing`` (lifelines' default ``nelson_aalen_smoothing=True``, integer counts
    only) ties contribute sum_{i<d} 1/(n-i) and variance sum 1/(n-i)^2; otherwise d/n and
    (1 - d/n)(d/n)/n.
    """

    name: str
    timeline: np.ndarray
    cumulative_hazard: np.ndarray
    variance: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    at_risk: np.ndarray
    observed: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"group": self.name, "time": self.timeline,
                             "cumulative_hazard": self.cumulative_hazard,
                             "ci_lower": self.ci_lower, "ci_upper": self.ci_upper})


def nelson_aalen(durations: ArrayLike, events: ArrayLike, weights: ArrayLike | None = None, *,
                 entry: ArrayLike | None = None, name: str = "all", alpha: float = 0.05,
                 smoothing: bool | None = None) -> NelsonAalenCurve:
    """Nelson-Aalen cumulative hazard (agrees with lifelines ``NelsonAalenFitter``).

    ``smoothing=None`` uses lifelines' tie smoothing when the counts are integers.
    ``entry``: delayed-entry times, as :func:`kaplan_meier` (R ``Surv(entry, exit, event)``).
    """
    d, e, w = check_inputs(durations, events, weights)
    if d.size == 0:
        raise AnalysisError(Reason("km_no_records_hazard", name=name))
    en = check_entry(entry, d)
    times, removed, observed, records = grouped_counts(d, e, w)
    at_risk = risk_sets(times, removed, en, w)[0]
    keep = (records[0] > 0) | (times == 0.0)
    times, observed, at_risk = times[keep], observed[0, keep], at_risk[keep]
    integral = bool(np.all(at_risk == np.round(at_risk)) and np.all(observed == np.round(observed)))
    if smoothing is None:
        smoothing = integral
    if smoothing and not integral:
        raise AnalysisError("Nelson-Aalen tie smoothing needs integer counts")
    if smoothing:
        n_max = int(at_risk.max())
        h1 = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, n_max + 1))])
        h2 = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, n_max + 1) ** 2)])
        n_i, m_i = at_risk.astype(np.int64), (at_risk - observed).astype(np.int64)
        inc, var_inc = h1[n_i] - h1[m_i], h2[n_i] - h2[m_i]
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            inc = np.where(observed > 0, observed / at_risk, 0.0)
            var_inc = np.where(observed > 0, (1 - inc) * inc / at_risk, 0.0)
    hazard, variance = np.cumsum(inc), np.cumsum(var_inc)
    z = normal_quantile(1 - alpha / 2)
    denom = np.where(hazard == 0, 1.0, hazard)
    spread = z * np.sqrt(variance) / denom
    return NelsonAalenCurve(name, times, hazard, variance, hazard * np.exp(-spread),
                            hazard * np.exp(spread), _maybe_int(at_risk), _maybe_int(observed))
