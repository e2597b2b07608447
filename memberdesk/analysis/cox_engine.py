"""Numerical core of the Cox model: Efron partial likelihood, Newton-Raphson, Schoenfeld
residuals and Harrell's concordance, vectorised for millions of rows.

The Efron log partial likelihood (Efron 1977), per stratum, with event times t_j, d_j tied
events (the set D_j), risk sum R_j = sum_{T_i >= t_j} w_i exp(eta_i), tie sum
T_j = sum_{D_j} w_i exp(eta_i) and c_l = l / d_j:

    ll = sum_j [ sum_{D_j} w_i eta_i - sum_{l=0}^{d_j-1} log(R_j - c_l T_j) ]

Its gradient and Hessian need only per-row sums weighted by per-time scalars
alpha_j = sum_l 1/den_jl and beta_j = sum_l c_l/den_jl (and the squares for the outer-product
term), so each Newton step costs a few passes over X (no n x p x p arrays). ``weights`` are
frequency weights: an integer weight w is exactly w identical rows (so d_j = sum of weights of
the tied events must be an integer). This is the same estimator as lifelines' ``CoxPHFitter``
and R's ``coxph(ties="efron")``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memberdesk.core.errors import AnalysisError


@dataclass(frozen=True)
class _Stratum:
    x: np.ndarray          # rows x p, rows sorted by duration (stable)
    w: np.ndarray          # frequency weights
    e: np.ndarray          # 0/1 events
    tcode: np.ndarray      # index of each row's time in the stratum's sorted unique times
    n_times: int
    starts: np.ndarray     # first row of each unique time (rows are sorted by time)
    dead_rows: np.ndarray  # event rows (in time order)
    dead_starts: np.ndarray  # first position in dead_rows of each event time
    death_time: np.ndarray  # unique-time indices with events
    d: np.ndarray          # integer weighted event counts at those times
    rep: np.ndarray        # flattened (time, l) pairs: index into death_time
    c: np.ndarray          # l / d_j for each flattened pair


def _prepare(x: np.ndarray, durations: np.ndarray, events: np.ndarray, weights: np.ndarray
             ) -> _Stratum:
    order = np.argsort(durations, kind="stable")
    x, durations, events, weights = (np.ascontiguousarray(x[order]), durations[order],
                                     events[order], weights[order])
    times, tcode = np.unique(durations, return_inverse=True)
    row_starts = np.flatnonzero(np.concatenate([[True], np.diff(tcode) != 0]))
    dw = np.bincount(tcode, weights=weights * events, minlength=times.size)
    death_time = np.flatnonzero(dw > 0)
    d = np.round(dw[death_time]).astype(np.int64)
    if not np.allclose(d, dw[death_time]):
        raise AnalysisError("Efron ties need integer (count) weights")
    rep = np.repeat(np.arange(death_time.size), d)
    starts = np.concatenate([[0], np.cumsum(d)[:-1]])
    l_idx = np.arange(rep.size) - starts[rep]
    dead_rows = np.flatnonzero(events > 0)
    dead_t = tcode[dead_rows]
    dead_starts = np.flatnonzero(np.concatenate([[True], np.diff(dead_t) != 0]))
    return _Stratum(x, weights, events.astype(float), tcode, times.size, row_starts, dead_rows,
                    dead_starts, death_time, d, rep, l_idx / d[rep])


@dataclass(frozen=True)
class _Terms:
    ll: float
    grad: np.ndarray
    hess: np.ndarray        # second derivative (negative definite at the optimum)
    mean_at_death: np.ndarray  # Efron-weighted risk-set mean of x at each death time (J x p)


def _stratum_terms(s: _Stratum, beta: np.ndarray, want_means: bool = False) -> _Terms:
    eta = s.x @ beta
    shift = float(eta.max())
    risk = s.w * np.exp(eta - shift)
    risk_x = s.x * risk[:, None]
    s0 = np.add.reduceat(risk, s.starts)
    r_all = np.cumsum(s0[::-1])[::-1]
    t0_all = np.add.reduceat(risk * s.e, s.starts)
    r, t0 = r_all[s.death_time], t0_all[s.death_time]
    den = r[s.rep] - s.c * t0[s.rep]
    inv = 1.0 / den
    jn = s.death_time.size
    alpha = np.bincount(s.rep, weights=inv, minlength=jn)
    beta_j = np.bincount(s.rep, weights=s.c * inv, minlength=jn)
    gamma = np.bincount(s.rep, weights=inv**2, minlength=jn)
    delta = np.bincount(s.rep, weights=s.c * inv**2, minlength=jn)
    eps = np.bincount(s.rep, weights=s.c**2 * inv**2, minlength=jn)
    log_den = float(np.log(den).sum()) + shift * den.size

    alpha_t = np.zeros(s.n_times)
    alpha_t[s.death_time] = alpha
    beta_t = np.zeros(s.n_times)
    beta_t[s.death_time] = beta_j
    factor = np.cumsum(alpha_t)[s.tcode] - beta_t[s.tcode] * s.e  # per unit of risk
    p = beta.size
    ev_w = s.w * s.e
    ll = float(ev_w @ eta) - log_den
    grad = s.x.T @ ev_w - risk_x.T @ factor
    info = s.x.T @ (risk_x * factor[:, None])

    # outer-product term sum_j sum_l a_l a_l' with a_l = (R1 - c_l T1) / den_l
    # rows are sorted by time: per-time sums by reduceat, risk sets by reverse cumsum
    r1_all = np.add.reduceat(risk_x, s.starts, axis=0)
    r1 = np.cumsum(r1_all[::-1], axis=0)[::-1][s.death_time]
    t1 = np.add.reduceat(risk_x[s.dead_rows], s.dead_starts, axis=0)
    outer = (r1.T * gamma) @ r1 - (r1.T * delta) @ t1 - (t1.T * delta) @ r1 + (t1.T * eps) @ t1
    hess = -(info - outer)
    means = (r1 * alpha[:, None] - t1 * beta_j[:, None]) / s.d[:, None] if want_means else np.zeros((0, p))
    return _Terms(ll, grad, hess, means)


@dataclass(frozen=True)
class CoxFit:
    beta: np.ndarray
    covariance: np.ndarray
    log_likelihood: float
    log_likelihood_null: float
    iterations: int


def fit_efron(strata: list[_Stratum], p: int, *, max_iter: int = 60, tol: float = 1e-9,
              names: list[str] | None = None) -> CoxFit:
    """Newton-Raphson with step halving on the summed Efron log-likelihood of ``strata``.
    ``x`` should be centred and scaled by the caller (see :func:`memberdesk.analysis.cox`)."""

    def total(beta: np.ndarray) -> _Terms:
        parts = [_stratum_terms(s, beta) for s in strata]
        return _Terms(sum(t.ll for t in parts), sum(t.grad for t in parts),
                      sum(t.hess for t in parts), np.zeros((0, p)))

    beta = np.zeros(p)
    cur = total(beta)
    ll_null = cur.ll
    for it in range(1, max_iter + 1):
        try:
            step = np.linalg.solve(-cur.hess, cur.grad)
        except np.linalg.LinAlgError as exc:
            raise AnalysisError("the Cox model cannot be fitted: the information matrix is "
                                "singular (collinear or constant covariates?)") from exc
        scale = 1.0
        while True:
            cand = beta + scale * step
            new = total(cand)
            if np.isfinite(new.ll) and new.ll >= cur.ll - 1e-12 * abs(cur.ll):
                break
            scale /= 2
            if scale < 1e-8:
                _raise_if_diverging(beta, names, limit=8.0)
                raise AnalysisError("the Cox model did not converge (the likelihood stopped "
                                    "improving)")
        beta, prev, cur = cand, cur, new
        _raise_if_diverging(beta, names, limit=50.0)
        moved = float(np.abs(scale * step).max())
        if moved < tol or (moved < 1e-6 and cur.ll - prev.ll <= 1e-14 * max(1.0, abs(cur.ll))):
            break
    else:
        raise AnalysisError(f"the Cox model did not converge in {max_iter} iterations")
    cov = np.linalg.inv(-cur.hess)
    return CoxFit(beta, cov, cur.ll, ll_null, it)


def _raise_if_diverging(beta: np.ndarray, names: list[str] | None, limit: float) -> None:
    """A coefficient (on the standardised scale) beyond ``limit`` means separation: a level or
    range of a covariate in which nobody (or everybody) has the event."""
    if beta.size and np.abs(beta).max() > limit:
        worst = int(np.abs(beta).argmax())
        label = names[worst] if names else str(worst)
        raise AnalysisError(f"the Cox model did not converge: the effect of {label!r} grows "
                            "without bound (a level with no events, or all events?)",
                            column=label.split("=")[0])


def schoenfeld_residuals(strata: list[_Stratum], beta: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Schoenfeld residuals x_i - (Efron risk-set mean at t_i) for every event row, and each
    event's duration-order key (stratum, unique-time index) for the rank time transform.

    Assumes unit weights (each event row is one residual)."""
    res, keys = [], []
    for k, s in enumerate(strata):
        terms = _stratum_terms(s, beta, want_means=True)
        jpos = np.full(s.n_times, -1)
        jpos[s.death_time] = np.arange(s.death_time.size)
        dead = np.flatnonzero(s.e > 0)
        res.append(s.x[dead] - terms.mean_at_death[jpos[s.tcode[dead]]])
        keys.append(np.column_stack([np.full(dead.size, k), s.tcode[dead]]))
    return np.vstack(res), np.vstack(keys)


# ---- concordance -----------------------------------------------------------------------------

def _earlier_deaths_below(dead_t: np.ndarray, dead_r: np.ndarray, tcode: np.ndarray,
                          queries: list[np.ndarray], n_ranks: int) -> list[np.ndarray]:
    """For each subject j and each query array q: #{deaths i : t_i < t_j and r_i < q_j}.

    Divide and conquer over the bits of the time index, all nodes of a level at once: a pair
    (i, j) with t_i < t_j is counted at exactly one level, the highest bit where their time
    indices differ (i has 0 there, j has 1). Each level costs one sort of the deaths and
    binary searches of the subjects.
    """
    outs = [np.zeros(tcode.size, dtype=np.int64) for _ in queries]
    n_levels = max(1, int(tcode.max()).bit_length())
    for b in range(n_levels):
        pool = ((dead_t >> b) & 1) == 0
        comp = np.sort((dead_t[pool] >> (b + 1)) * n_ranks + dead_r[pool])
        ask = np.flatnonzero(((tcode >> b) & 1) == 1)
        if ask.size == 0 or comp.size == 0:
            continue
        base = (tcode[ask] >> (b + 1)) * n_ranks
        start = np.searchsorted(comp, base)
        for out, q in zip(outs, queries):
            out[ask] += np.searchsorted(comp, base + q[ask]) - start
    return outs


def concordance_index(durations: np.ndarray, risk: np.ndarray, events: np.ndarray) -> float:
    """Harrell's C as lifelines ``concordance_index(durations, -risk, events)``: a pair is
    comparable when the shorter duration ended in an event (an event at t is also compared
    with records censored at the same t, not with other events at t); concordant when the
    shorter one has the higher risk; tied risks count 1/2."""
    died = events.astype(bool)
    if not died.any():
        return 0.5
    # dense ranks of -risk (= lifelines' predicted times): higher risk -> smaller rank
    _, pred = np.unique(-risk, return_inverse=True)
    pred = pred.astype(np.int64)
    _, tcode = np.unique(durations, return_inverse=True)
    tcode = tcode.astype(np.int64)
    n_ranks = int(pred.max()) + 2
    # subjects in (time, rank) order: the binary searches then run over nearly sorted needles,
    # which is several times faster than random ones (the counts do not depend on the order)
    order = np.argsort(tcode * n_ranks + pred)
    tcode, pred, died = tcode[order], pred[order], died[order]
    dead_t, dead_r = tcode[died], pred[died]
    per_time = np.bincount(dead_t, minlength=int(tcode.max()) + 1)
    cum = np.concatenate([[0], np.cumsum(per_time)])
    # pool of j: deaths strictly before t_j, plus (for a censored j) the deaths at t_j
    pairs = int(cum[tcode[died]].sum() + cum[tcode[~died] + 1].sum())
    if pairs == 0:
        return 0.5
    less, less_eq = _earlier_deaths_below(dead_t, dead_r, tcode, [pred, pred + 1], n_ranks)
    cens = np.flatnonzero(~died)
    same = np.sort(dead_t * n_ranks + dead_r)
    base = tcode[cens] * n_ranks
    start = np.searchsorted(same, base)
    less[cens] += np.searchsorted(same, base + pred[cens]) - start
    less_eq[cens] += np.searchsorted(same, base + pred[cens] + 1) - start
    correct, tied = int(less.sum()), int((less_eq - less).sum())
    return (correct + 0.5 * tied) / pairs
