"""Gray's test: do the cumulative incidence curves of one cause differ between groups?

Gray, R. J. (1988), "A class of K-sample tests for comparing the cumulative incidence of a
competing risk", *Annals of Statistics* 16, 1141-1154; the statistic of R's
``cmprsk::cuminc(ftime, fstatus, group)$Tests`` (rho = 0, one stratum), which the tests check
to 1e-4 on R's ``pbc``.

For the cause of interest, at each distinct time with n_j at risk in group j, S_j(t-) the
group's all-cause Kaplan-Meier just before t and F_j(t-) its cumulative incidence of the cause,
the score of group j sums (1 - F(t-))^rho (d_j1 - d_1 R_j / sum_r R_r), R_j = n_j (1 - F_j(t-))
/ S_j(t-), over times; the variance is Gray's estimator with the martingale terms of the cause
of interest and of the other causes (ties corrected as in the paper). The statistic
s' V^-1 s over the first k - 1 groups is chi-square with k - 1 degrees of freedom.

Conventions: durations in one unit; cause codes 0 = censored, 1 = the cause of interest,
2 = any other cause. Delayed entry is not supported by this test (as in cmprsk).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memberdesk.analysis.km import chi2_sf, unique_time_codes
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason


@dataclass(frozen=True)
class GrayResult:
    """Gray's test of one cause: statistic, degrees of freedom, p-value."""

    cause: str
    statistic: float
    degrees_of_freedom: int
    p_value: float

    def to_json(self) -> dict[str, object]:
        return {"cause": self.cause, "statistic": float(self.statistic),
                "df": int(self.degrees_of_freedom), "p_value": float(self.p_value)}


@dataclass
class _State:
    """Running quantities of the score and variance (k groups)."""

    k: int
    skmm: np.ndarray
    f1m: np.ndarray
    fm: float
    c: np.ndarray
    v3: np.ndarray
    v2: np.ndarray
    v: np.ndarray
    s: np.ndarray

    @classmethod
    def start(cls, k: int) -> _State:
        return cls(k, np.ones(k), np.zeros(k), 0.0, np.zeros((k, k)), np.zeros(k),
                   np.zeros((k - 1, k)), np.zeros((k - 1, k - 1)), np.zeros(k - 1))


def _counts(durations: np.ndarray, codes: np.ndarray, groups: np.ndarray, k: int,
            weights: np.ndarray | None = None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """At-risk and removed/cause-1/cause-2 counts, each (times x groups); ``weights``:
    frequency weights of the rows (an engine's counts), None for one each."""
    _, tcode = unique_time_codes(durations)
    u = int(tcode.max()) + 1
    flat = tcode * k + groups

    def count(mask: np.ndarray) -> np.ndarray:
        w = None if weights is None else weights[mask]
        return np.bincount(flat[mask], weights=w, minlength=u * k).reshape(u, k).astype(float)

    removed = count(np.ones(codes.size, dtype=bool))
    d1, d2 = count(codes == 1), count(codes == 2)
    at_risk = removed.sum(axis=0) - np.vstack([np.zeros(k), np.cumsum(removed, axis=0)[:-1]])
    return at_risk, d1, d2, removed


def _step(st: _State, rs: np.ndarray, d1: np.ndarray, d2: np.ndarray, rho: float) -> None:
    """Add one time with failures to the score and variance (Gray 1988, section 2)."""
    pos = rs > 0
    nd1, td = float(d1.sum()), d1 + d2
    safe = np.where(pos, rs, 1.0)
    skm = np.where(pos, st.skmm * (rs - td) / safe, st.skmm)
    f1 = np.where(pos, st.f1m + st.skmm * d1 / safe, st.f1m)
    t1 = np.where(pos, rs / st.skmm, 0.0)
    tr = float(t1.sum())
    tq = float(np.where(pos, rs * (1 - st.f1m) / st.skmm, 0.0).sum())
    f = st.fm + nd1 / tr
    fb = (1 - st.fm) ** rho
    a = fb * (np.diag(t1) - np.outer(t1, t1) / tr)
    if nd1 > 0:
        st.c += a * nd1 / (tr * (1 - st.fm))
    g = st.k - 1
    st.s += np.where(pos[:g], fb * (d1[:g] - nd1 * rs[:g] * (1 - st.f1m[:g]) / (st.skmm[:g] * tq)), 0.0)
    if nd1 > 0:
        t4 = np.where(skm > 0, 1 - (1 - f) / np.where(skm > 0, skm, 1.0), 1.0)
        t5 = 1 - (nd1 - 1) / (tr * st.skmm - 1) if nd1 > 1 else np.ones(st.k)
        t3 = np.where(pos, t5 * st.skmm * nd1 / (tr * safe), 0.0)
        _add(st, a[:g] - t4 * st.c[:g], t4, t3)
    if d2.sum() > 0:
        live = (skm > 0) & (d2 > 0)
        t4 = np.where(live, (1 - f) / np.where(skm > 0, skm, 1.0), 0.0)
        t5 = np.where(d2 > 1, 1 - (d2 - 1) / np.where(rs > 1, rs - 1, 1.0), 1.0)
        t3 = np.where(live, t5 * st.skmm**2 * d2 / safe**2, 0.0)
        _add(st, -(t4 * st.c[:g]), t4, t3)
    st.fm, st.f1m, st.skmm = f, f1, skm


def _add(st: _State, t1: np.ndarray, t4: np.ndarray, t3: np.ndarray) -> None:
    """Accumulate v3, v2 and v from the (k-1 x k) term matrix ``t1``."""
    st.v3 += t4 * t4 * t3
    st.v2 += t1 * (t4 * t3)
    st.v += (t1 * t3) @ t1.T


def gray_statistic(durations: np.ndarray, codes: np.ndarray, groups: np.ndarray, k: int,
                   rho: float = 0.0, weights: np.ndarray | None = None) -> tuple[float, int]:
    """Gray's statistic and its degrees of freedom for cause code 1 (0 = censored, 2 = other
    cause) among ``k`` groups coded 0..k-1. ``weights``: frequency weights (a row of weight w
    counts as w identical rows: the statistic only uses counts per time and group)."""
    if k < 2:
        raise AnalysisError(Reason("gray_one_group"))
    at_risk, d1, d2, _ = _counts(np.asarray(durations, dtype=float), np.asarray(codes),
                                 np.asarray(groups, dtype=np.int64), k,
                                 None if weights is None else np.asarray(weights, dtype=float))
    st = _State.start(k)
    # groups whose risk set is empty divide by 0 in masked-out cells only
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in np.flatnonzero((d1 + d2).sum(axis=1) > 0):
            _step(st, at_risk[i], d1[i], d2[i], rho)
    g = k - 1
    cov = st.v + (st.c[:g] * st.v3) @ st.c[:g].T + st.c[:g] @ st.v2.T + st.v2 @ st.c[:g].T
    if np.linalg.matrix_rank(cov) < g:
        return float("nan"), g
    return float(st.s @ np.linalg.solve(cov, st.s)), g


def gray_test(durations: np.ndarray, causes: np.ndarray, groups: np.ndarray,
              cause_names: tuple[str, ...], n_groups: int,
              weights: np.ndarray | None = None) -> list[GrayResult]:
    """Gray's test for every cause. ``causes``: 0 = censored, j = ``cause_names[j-1]``;
    ``groups``: codes 0..n_groups-1; ``weights``: frequency weights (None: one each). Causes
    without any event are left out."""
    c = np.asarray(causes, dtype=np.int64)
    out = []
    for j, name in enumerate(cause_names, start=1):
        if not (c == j).any():
            continue
        codes = np.where(c == j, 1, np.where(c > 0, 2, 0))
        stat, dof = gray_statistic(durations, codes, groups, n_groups, weights=weights)
        out.append(GrayResult(name, stat, dof, chi2_sf(stat, dof) if stat == stat else float("nan")))
    return out
