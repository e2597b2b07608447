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
from scipy import sparse

from memberdesk.core.errors import AnalysisError


@dataclass(frozen=True)
class _Stratum:
    x: np.ndarray          # rows x p, rows sorted by duration (stable)
    w: np.ndarray          # frequency weights
    e: np.ndarray          # 0/1 events
    source: np.ndarray     # row index (in the arrays given to _prepare) of each sorted row
    tcode: np.ndarray      # index of each row's time in the stratum's sorted unique times
    n_times: int
    starts: np.ndarray     # first row of each unique time (rows are sorted by time)
    dead_rows: np.ndarray  # event rows (in time order)
    dead_starts: np.ndarray  # first position in dead_rows of each event time
    death_time: np.ndarray  # unique-time indices with events
    d: np.ndarray          # integer weighted event counts at those times
    rep: np.ndarray        # flattened (time, l) pairs: index into death_time
    c: np.ndarray          # l / d_j for each flattened pair
    event_x: np.ndarray    # sum of w * x over event rows (p)


def _prepare(x: np.ndarray, durations: np.ndarray, events: np.ndarray, weights: np.ndarray,
             center: np.ndarray | None = None, scale: np.ndarray | None = None) -> _Stratum:
    """Sort one stratum by duration and precompute its time/tie structure. With ``center``
    and ``scale`` the sorted copy of ``x`` is standardised in place (no extra n x p copy)."""
    order = np.argsort(durations, kind="stable")
    x = np.take(np.asarray(x, dtype=float), order, axis=0)  # a new C-order copy; take is ~2x faster than x[order]
    if center is not None:
        x -= center
    if scale is not None:
        x /= scale
    durations, events, weights = durations[order], events[order], weights[order]
    new_time = np.concatenate([[True], durations[1:] != durations[:-1]])
    row_starts = np.flatnonzero(new_time)
    tcode = np.cumsum(new_time) - 1
    n_times = row_starts.size
    dw = np.bincount(tcode, weights=weights * events, minlength=n_times)
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
    ev_w = weights * events
    return _Stratum(x, weights, events.astype(float), order, tcode, n_times, row_starts,
                    dead_rows, dead_starts, death_time, d, rep, l_idx / d[rep], x.T @ ev_w)


@dataclass(frozen=True)
class _Terms:
    ll: float
    grad: np.ndarray
    hess: np.ndarray        # second derivative (negative definite at the optimum)
    mean_at_death: np.ndarray  # Efron-weighted risk-set mean of x at each death time (J x p)


GRAM_BLOCK_ROWS = 8192  # rows per block of the weighted Gram matrix (keeps temporaries in cache)


def _segment_sums(values: np.ndarray, rows: np.ndarray | None, starts: np.ndarray,
                  x: np.ndarray) -> np.ndarray:
    """sum of values_i * x_i over consecutive segments (``starts``) of ``rows`` (all rows when
    None): a sparse product, so no n x p temporary is made."""
    n_rows = x.shape[0] if rows is None else rows.size
    indices = np.arange(n_rows) if rows is None else rows
    indptr = np.append(starts, n_rows)
    m = sparse.csr_matrix((values, indices, indptr), shape=(starts.size, x.shape[0]))
    return np.asarray(m @ x)


def _weighted_gram(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """x' diag(weights) x, in row blocks."""
    p = x.shape[1]
    acc = np.zeros((p, p))
    for a in range(0, x.shape[0], GRAM_BLOCK_ROWS):
        xb = x[a:a + GRAM_BLOCK_ROWS]
        acc += xb.T @ (xb * weights[a:a + GRAM_BLOCK_ROWS, None])
    return acc


def _stratum_terms(s: _Stratum, beta: np.ndarray, want_hessian: bool = True) -> _Terms:
    """Log-likelihood, gradient, Hessian (skipped, zeros, when not ``want_hessian``: the only
    part costing n p^2) and Efron risk-set means at the death times, of one stratum."""
    eta = s.x @ beta
    shift = float(eta.max())
    risk = s.w * np.exp(eta - shift)
    s0 = np.add.reduceat(risk, s.starts)
    r_all = np.cumsum(s0[::-1])[::-1]
    dead_risk = risk[s.dead_rows]
    t0 = np.add.reduceat(dead_risk, s.dead_starts)
    r = r_all[s.death_time]
    den = r[s.rep] - s.c * t0[s.rep]
    inv = 1.0 / den
    jn = s.death_time.size
    alpha = np.bincount(s.rep, weights=inv, minlength=jn)
    beta_j = np.bincount(s.rep, weights=s.c * inv, minlength=jn)
    gamma = np.bincount(s.rep, weights=inv**2, minlength=jn)
    delta = np.bincount(s.rep, weights=s.c * inv**2, minlength=jn)
    eps = np.bincount(s.rep, weights=s.c**2 * inv**2, minlength=jn)
    log_den = float(np.log(den).sum()) + shift * den.size

    # per row: risk_i * (sum of alpha over death times <= t_i - beta at t_i if i is an event)
    alpha_t = np.zeros(s.n_times)
    alpha_t[s.death_time] = alpha
    cum_alpha = np.cumsum(alpha_t)
    beta_t = np.zeros(s.n_times)
    beta_t[s.death_time] = beta_j
    factor = cum_alpha[s.tcode] - beta_t[s.tcode] * s.e
    ll = float(s.event_x @ beta) - log_den
    # per-time sums of risk * x (rows are sorted by time), risk sets by reverse cumsum
    r1_all = _segment_sums(risk, None, s.starts, s.x)
    t1 = _segment_sums(dead_risk, s.dead_rows, s.dead_starts, s.x)
    grad = s.event_x - (r1_all.T @ cum_alpha - t1.T @ beta_j)
    r1 = np.cumsum(r1_all[::-1], axis=0)[::-1][s.death_time]
    means = (r1 * alpha[:, None] - t1 * beta_j[:, None]) / s.d[:, None]
    if not want_hessian:
        return _Terms(ll, grad, np.zeros((beta.size, beta.size)), means)
    info = _weighted_gram(s.x, risk * factor)
    # outer-product term sum_j sum_l a_l a_l' with a_l = (R1 - c_l T1) / den_l
    outer = (r1.T * gamma) @ r1 - (r1.T * delta) @ t1 - (t1.T * delta) @ r1 + (t1.T * eps) @ t1
    hess = -(info - outer)
    return _Terms(ll, grad, hess, means)


@dataclass(frozen=True)
class CoxFit:
    beta: np.ndarray
    covariance: np.ndarray
    log_likelihood: float
    log_likelihood_null: float
    iterations: int


FINAL_STEP = 1e-8  # a Newton step this small is taken without another likelihood evaluation


def fit_efron(strata: list[_Stratum], p: int, *, max_iter: int = 60, tol: float = 1e-9,
              names: list[str] | None = None) -> CoxFit:
    """Newton-Raphson with step halving on the summed Efron log-likelihood of ``strata``.
    ``x`` should be centred and scaled by the caller (see :func:`memberdesk.analysis.cox`).

    Near the optimum Newton converges quadratically: a step below ``FINAL_STEP`` (on the
    standardised scale) leaves an error of order step^2, so it is taken without evaluating the
    likelihood again; log-likelihood and information are then those of the point before it
    (they differ by O(step^2) and O(step))."""

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
        if it > 1 and float(np.abs(step).max()) < FINAL_STEP:
            beta = beta + step
            break
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
    """Schoenfeld residuals x_i - (Efron risk-set mean at t_i) for every event row, and the
    row's ``source`` index per stratum: an (n_event_rows x 2) array of (stratum, source row).

    One residual per event row: with frequency weights, a row of weight w stands for w equal
    residuals."""
    res, keys = [], []
    for k, s in enumerate(strata):
        means = _stratum_terms(s, beta, want_hessian=False).mean_at_death
        jpos = np.full(s.n_times, -1)
        jpos[s.death_time] = np.arange(s.death_time.size)
        dead = s.dead_rows
        res.append(s.x[dead] - means[jpos[s.tcode[dead]]])
        keys.append(np.column_stack([np.full(dead.size, k), s.source[dead]]))
    return np.vstack(res), np.vstack(keys)


# ---- concordance -----------------------------------------------------------------------------

TABLE_CELLS = 4_000_000  # times x distinct risks up to which concordance uses a 2-D count table


def _earlier_deaths_below(dead_t: np.ndarray, dead_r: np.ndarray, dead_w: np.ndarray | None,
                          tcode: np.ndarray, query: np.ndarray, n_ranks: int) -> np.ndarray:
    """For each subject j: the weight of deaths i with t_i < t_j and r_i < query_j
    (``dead_w`` None: unit weights).

    Divide and conquer over the bits of the time index, all nodes of a level at once: a pair
    (i, j) with t_i < t_j is counted at exactly one level, the highest bit where their time
    indices differ (i has 0 there, j has 1). Each level costs one sort of the deaths and
    binary searches of the subjects.
    """
    out = np.zeros(tcode.size)
    n_levels = max(1, int(tcode.max()).bit_length())
    for b in range(n_levels):
        pool = ((dead_t >> b) & 1) == 0
        ask = np.flatnonzero(((tcode >> b) & 1) == 1)
        if ask.size == 0 or not pool.any():
            continue
        keys = (dead_t[pool] >> (b + 1)) * n_ranks + dead_r[pool]
        node = tcode[ask] >> (b + 1)
        base = node * n_ranks
        # first position of every node's deaths (few nodes: one search each, then a gather)
        n_nodes = int(node.max()) + 1
        if dead_w is None:  # unit weights: counts are differences of positions
            comp = np.sort(keys)
            node_start = np.searchsorted(comp, np.arange(n_nodes) * n_ranks)
            out[ask] += np.searchsorted(comp, base + query[ask]) - node_start[node]
            continue
        order = np.argsort(keys, kind="stable")
        comp = keys[order]
        cum = np.concatenate([[0.0], np.cumsum(dead_w[pool][order])])
        node_start = np.searchsorted(comp, np.arange(n_nodes) * n_ranks)
        out[ask] += cum[np.searchsorted(comp, base + query[ask])] - cum[node_start[node]]
    return out


def concordance_index(durations: np.ndarray, risk: np.ndarray, events: np.ndarray,
                      weights: np.ndarray | None = None) -> float:
    """Harrell's C as lifelines ``concordance_index(durations, -risk, events)``: a pair is
    comparable when the shorter duration ended in an event (an event at t is also compared
    with records censored at the same t, not with other events at t); concordant when the
    shorter one has the higher risk; tied risks count 1/2.

    ``weights`` are frequency weights: a row of weight w counts as w identical rows (pairs
    weigh w_i w_j; two copies of one row are never comparable: same time, same event flag).
    Exact, O(n log n): a 2-D count table when times x distinct risks is small (grouped data),
    otherwise divide and conquer over time, with tied risks counted separately.
    """
    died = events.astype(bool)
    w = np.ones(died.size) if weights is None else np.asarray(weights, dtype=float)
    if not died.any():
        return 0.5
    # dense ranks of -risk (= lifelines' predicted times): higher risk -> smaller rank
    _, pred = np.unique(-risk, return_inverse=True)
    pred = pred.astype(np.int64).ravel()
    _, tcode = np.unique(durations, return_inverse=True)
    tcode = tcode.astype(np.int64).ravel()
    n_times, n_ranks = int(tcode.max()) + 1, int(pred.max()) + 1
    per_time = np.bincount(tcode[died], weights=w[died], minlength=n_times)
    cum = np.concatenate([[0.0], np.cumsum(per_time)])
    # pool of j: deaths strictly before t_j, plus (for a censored j) the deaths at t_j
    pool = np.where(died, cum[tcode], cum[tcode + 1])
    pairs = float(w @ pool)
    if pairs == 0:
        return 0.5
    if n_times * (n_ranks + 1) <= TABLE_CELLS:
        correct, tied = _concordance_table(tcode, pred, died, w, n_times, n_ranks)
    else:
        correct, tied = _concordance_sorted(tcode, pred, died, w, n_ranks)
    return (correct + 0.5 * tied) / pairs


def _concordance_table(tcode: np.ndarray, pred: np.ndarray, died: np.ndarray, w: np.ndarray,
                       n_times: int, n_ranks: int) -> tuple[float, float]:
    """Weighted (concordant, tied) pair counts from a times x ranks table of deaths."""
    table = np.bincount(tcode[died] * n_ranks + pred[died], weights=w[died],
                        minlength=n_times * n_ranks).reshape(n_times, n_ranks)
    by_rank = np.zeros((n_times, n_ranks + 1))
    np.cumsum(table, axis=1, out=by_rank[:, 1:])   # deaths at t with rank < r
    before = np.zeros((n_times + 1, n_ranks + 1))
    np.cumsum(by_rank, axis=0, out=before[1:])      # deaths before t with rank < r
    less = before[tcode, pred] + np.where(died, 0.0, by_rank[tcode, pred])
    less_eq = before[tcode, pred + 1] + np.where(died, 0.0, by_rank[tcode, pred + 1])
    return float(w @ less), float(w @ (less_eq - less))


def _concordance_sorted(tcode: np.ndarray, pred: np.ndarray, died: np.ndarray, w: np.ndarray,
                        n_ranks: int) -> tuple[float, float]:
    """Weighted (concordant, tied) pair counts for many distinct risks."""
    n_ranks = n_ranks + 1
    # subjects in (time, rank) order: the binary searches then run over nearly sorted needles,
    # which is several times faster than random ones (the counts do not depend on the order)
    order = np.argsort(tcode * n_ranks + pred)
    tcode, pred, died, w = tcode[order], pred[order], died[order], w[order]
    dead_t, dead_r, dead_w = tcode[died], pred[died], w[died]
    unit = bool((w == 1).all())
    less = _earlier_deaths_below(dead_t, dead_r, None if unit else dead_w, tcode, pred, n_ranks)
    cens = np.flatnonzero(~died)
    same = dead_t * n_ranks + dead_r  # sorted: subjects are in (time, rank) order
    cum = np.concatenate([[0.0], np.cumsum(dead_w)])
    base = tcode[cens] * n_ranks
    less[cens] += cum[np.searchsorted(same, base + pred[cens])] - cum[np.searchsorted(same, base)]
    correct = float(w @ less)
    # tied risks: deaths with the same rank, earlier (or, for a censored j, the same) time;
    # only ranks shared by several rows can tie
    shared = np.bincount(pred, minlength=n_ranks)[pred] > 1
    if not shared.any():
        return correct, 0.0
    st, sr, sd, sw = tcode[shared], pred[shared], died[shared], w[shared]
    n_t = int(tcode.max()) + 2
    dkey = sr[sd] * n_t + st[sd]
    dorder = np.argsort(dkey, kind="stable")
    dkey = dkey[dorder]
    dcum = np.concatenate([[0.0], np.cumsum(sw[sd][dorder])])
    upto = sr * n_t + st + np.where(sd, 0, 1)  # before t_j, or up to t_j when censored
    tied = dcum[np.searchsorted(dkey, upto)] - dcum[np.searchsorted(dkey, sr * n_t)]
    return correct, float(sw @ tied)
