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
    x: np.ndarray          # rows x p
    w: np.ndarray          # frequency weights
    e: np.ndarray          # 0/1 events
    tcode: np.ndarray      # index of each row's time in the stratum's sorted unique times
    n_times: int
    death_time: np.ndarray  # unique-time indices with events
    d: np.ndarray          # integer weighted event counts at those times
    rep: np.ndarray        # flattened (time, l) pairs: index into death_time
    c: np.ndarray          # l / d_j for each flattened pair


def _prepare(x: np.ndarray, durations: np.ndarray, events: np.ndarray, weights: np.ndarray
             ) -> _Stratum:
    times, tcode = np.unique(durations, return_inverse=True)
    dw = np.bincount(tcode, weights=weights * events, minlength=times.size)
    death_time = np.flatnonzero(dw > 0)
    d = np.round(dw[death_time]).astype(np.int64)
    if not np.allclose(d, dw[death_time]):
        raise AnalysisError("Efron ties need integer (count) weights")
    rep = np.repeat(np.arange(death_time.size), d)
    starts = np.concatenate([[0], np.cumsum(d)[:-1]])
    l_idx = np.arange(rep.size) - starts[rep]
    return _Stratum(x, weights, events.astype(float), tcode, times.size, death_time, d, rep,
                    l_idx / d[rep])


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
    s0 = np.bincount(s.tcode, weights=risk, minlength=s.n_times)
    r_all = np.cumsum(s0[::-1])[::-1]
    t0_all = np.bincount(s.tcode, weights=risk * s.e, minlength=s.n_times)
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
    row_a = np.cumsum(alpha_t)[s.tcode] * risk           # sum_{t_j <= T_i} alpha_j
    row_b = beta_t[s.tcode] * risk * s.e
    p = beta.size
    x = s.x
    ev_w = s.w * s.e
    ll = float(ev_w @ eta) - log_den
    grad = x.T @ (ev_w - row_a + row_b)
    info = (x.T * (row_a - row_b)) @ x

    # outer-product term sum_j sum_l a_l a_l' with a_l = (R1 - c_l T1) / den_l
    r1_all = np.empty((s.n_times, p))
    t1_all = np.empty((s.n_times, p))
    for k in range(p):
        r1_all[:, k] = np.bincount(s.tcode, weights=risk * x[:, k], minlength=s.n_times)
        t1_all[:, k] = np.bincount(s.tcode, weights=risk * s.e * x[:, k], minlength=s.n_times)
    r1 = np.cumsum(r1_all[::-1], axis=0)[::-1][s.death_time]
    t1 = t1_all[s.death_time]
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
                raise AnalysisError("the Cox model did not converge (the likelihood stopped "
                                    "improving)")
        beta, prev, cur = cand, cur, new
        if np.abs(beta).max() > 50:
            worst = int(np.abs(beta).argmax())
            label = names[worst] if names else str(worst)
            raise AnalysisError(f"the Cox model did not converge: the effect of {label!r} grows "
                                "without bound (a level with no events, or all events?)",
                                column=label.split("=")[0])
        moved = float(np.abs(scale * step).max())
        if moved < tol or (moved < 1e-6 and cur.ll - prev.ll <= 1e-14 * max(1.0, abs(cur.ll))):
            break
    else:
        raise AnalysisError(f"the Cox model did not converge in {max_iter} iterations")
    cov = np.linalg.inv(-cur.hess)
    return CoxFit(beta, cov, cur.ll, ll_null, it)


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

def _count_less_in_prefix(values: np.ndarray, prefix: np.ndarray, query: np.ndarray,
                          n_bits: int) -> np.ndarray:
    """For each query q with prefix length k: #{i < k : values[i] < q} (values, q: ints in
    [0, 2**n_bits)). Wavelet-style: one sort and two binary searches per bit: at bit b a query
    whose bit is 1 counts the pool elements that share its higher bits and have 0 there.
    Queries are processed sorted by q, which keeps the binary searches cache-friendly.
    """
    n = values.size
    qorder = np.argsort(query)
    query, prefix = query[qorder], prefix[qorder]
    out = np.zeros(query.size, dtype=np.int64)
    pos = np.arange(n, dtype=np.int64)
    for b in range(n_bits - 1, -1, -1):
        sel = np.flatnonzero(((query >> b) & 1) == 1)
        if sel.size == 0:
            continue
        composite = (values >> (b + 1)).astype(np.int64) * (n + 1) + pos
        order = np.argsort(composite)  # values are unique: no need for a stable sort
        sorted_comp = composite[order]
        cz = np.concatenate([[0], np.cumsum(((values >> b) & 1)[order] == 0)])
        qkey = (query[sel] >> (b + 1)).astype(np.int64) * (n + 1)
        lo = np.searchsorted(sorted_comp, qkey, side="left")
        hi = np.searchsorted(sorted_comp, qkey + prefix[sel], side="left")
        out[sel] += cz[hi] - cz[lo]
    result = np.empty_like(out)
    result[qorder] = out
    return result


def concordance_index(durations: np.ndarray, risk: np.ndarray, events: np.ndarray) -> float:
    """Harrell's C as lifelines ``concordance_index(durations, -risk, events)``: a pair is
    comparable when the shorter duration ended in an event (an event at t is also compared
    with records censored at the same t, not with other events at t); concordant when the
    shorter one has the higher risk; tied risks count 1/2."""
    died = events.astype(bool)
    if not died.any():
        return 0.5
    # dense ranks of -risk (= lifelines' predicted times): higher risk -> smaller value
    _, pred = np.unique(-risk, return_inverse=True)
    pred = pred.astype(np.int64)
    n_bits = max(1, int(pred.max() + 2).bit_length())
    order = np.argsort(durations[died], kind="stable")
    pool_t = durations[died][order]
    pool_v = pred[died][order]
    # pool for a death at t: deaths before t; for a censoring at t: deaths at or before t.
    k = np.where(died, np.searchsorted(pool_t, durations, side="left"),
                 np.searchsorted(pool_t, durations, side="right")).astype(np.int64)
    both = _count_less_in_prefix(pool_v, np.concatenate([k, k]),
                                 np.concatenate([pred, pred + 1]), n_bits)
    less, less_eq = both[: pred.size], both[pred.size:]
    pairs = int(k.sum())
    if pairs == 0:
        return 0.5
    correct, tied = int(less.sum()), int((less_eq - less).sum())
    return (correct + 0.5 * tied) / pairs
