"""Numerical core of the Cox model: Efron (or Breslow) partial likelihood with counting-process
risk sets, Newton-Raphson, Schoenfeld and score residuals, vectorised for millions of rows.

The Efron log partial likelihood (Efron 1977), per stratum, with event times t_j, d_j tied
events (the set D_j), risk sum R_j = sum over the rows at risk at t_j of w_i exp(eta_i), tie
sum T_j = sum_{D_j} w_i exp(eta_i) and c_l = l / d_j:

    ll = sum_j [ sum_{D_j} w_i eta_i - sum_{l=0}^{d_j-1} log(R_j - c_l T_j) ]

Breslow ties are the same sum with every c_l = 0. A row is at risk at t when entry < t <= exit
(R's ``Surv(entry, exit, event)``; without delayed entry, entry = -inf): risk sums are reverse
cumulative sums over exit times minus those over entry times. Gradient and Hessian need only
per-row sums weighted by per-time scalars alpha_j = sum_l 1/den_jl and beta_j = sum_l
c_l/den_jl (and the squares for the outer-product term), so each Newton step costs a few passes
over X (no n x p x p arrays). ``weights`` are frequency weights: an integer weight w is
exactly w identical rows (so d_j, the weight of the tied events, must be an integer). This is
R's ``coxph(ties="efron"|"breslow")`` and lifelines' ``CoxPHFitter`` (Efron).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse

from memberdesk.analysis.cox_concordance import TABLE_CELLS, concordance_index  # noqa: F401
from memberdesk.core.errors import AnalysisError
from memberdesk.core.reasons import Reason

TIES = ("efron", "breslow")


@dataclass(frozen=True)
class _Entry:
    """Delayed entry of one stratum: rows whose entry is at or after the first exit time."""

    code: np.ndarray     # per row: number of the stratum's unique exit times <= entry
    order: np.ndarray    # those rows (code > 0) ordered by code
    starts: np.ndarray   # first position in ``order`` of each distinct code
    codes: np.ndarray    # the distinct codes (1..n_times)


@dataclass(frozen=True)
class _Stratum:
    x: np.ndarray          # rows x p, rows sorted by exit time (stable)
    w: np.ndarray          # frequency weights
    e: np.ndarray          # 0/1 events
    source: np.ndarray     # row index (in the arrays given to _prepare) of each sorted row
    tcode: np.ndarray      # index of each row's exit time in the stratum's sorted unique times
    times: np.ndarray      # the stratum's sorted unique exit times
    starts: np.ndarray     # first row of each unique time (rows are sorted by time)
    dead_rows: np.ndarray  # event rows (in time order)
    dead_starts: np.ndarray  # first position in dead_rows of each event time
    death_time: np.ndarray  # unique-time indices with events
    d: np.ndarray          # integer weighted event counts at those times
    rep: np.ndarray        # flattened (time, l) pairs: index into death_time
    c: np.ndarray          # l / d_j for each flattened pair (0 for Breslow)
    rep_starts: np.ndarray  # first flattened pair of each death time
    event_x: np.ndarray    # sum of w * x over event rows (p)
    entry: _Entry | None   # None: every row at risk from time 0

    @property
    def n_times(self) -> int:
        return int(self.times.size)


def _prepare(x: np.ndarray, durations: np.ndarray, events: np.ndarray, weights: np.ndarray,
             center: np.ndarray | None = None, scale: np.ndarray | None = None, *,
             entry: np.ndarray | None = None, ties: str = "efron") -> _Stratum:
    """Sort one stratum by exit time and precompute its time/tie structure. With ``center``
    and ``scale`` the sorted copy of ``x`` is standardised in place (no extra n x p copy).
    ``entry``: entry times (rows are at risk on (entry, exit]); exit > entry is the caller's
    check."""
    order = np.argsort(durations, kind="stable")
    x = np.take(np.asarray(x, dtype=float), order, axis=0)  # a new C-order copy; take is ~2x faster than x[order]
    if center is not None:
        x -= center
    if scale is not None:
        x /= scale
    return _prepare_sorted(x, durations[order], events[order], weights[order], order,
                           entry=None if entry is None else np.asarray(entry, dtype=float)[order],
                           ties=ties)


def _prepare_sorted(x: np.ndarray, durations: np.ndarray, events: np.ndarray,
                    weights: np.ndarray, source: np.ndarray, *, entry: np.ndarray | None = None,
                    ties: str = "efron") -> _Stratum:
    """:func:`_prepare` for rows already in stable exit-time order (``x`` as the fit uses it,
    standardised; kept, not copied). ``source``: each row's index in the caller's order."""
    if ties not in TIES:
        raise AnalysisError(f"ties must be one of {', '.join(TIES)}; got {ties!r}")
    new_time = np.concatenate([[True], durations[1:] != durations[:-1]])
    row_starts = np.flatnonzero(new_time)
    tcode = np.cumsum(new_time) - 1
    times = durations[row_starts]
    dw = np.bincount(tcode, weights=weights * events, minlength=times.size)
    death_time = np.flatnonzero(dw > 0)
    d = np.round(dw[death_time]).astype(np.int64)
    if not np.allclose(d, dw[death_time]):
        raise AnalysisError("Efron ties need integer (count) weights")
    rep = np.repeat(np.arange(death_time.size), d)
    starts = np.concatenate([[0], np.cumsum(d)[:-1]])
    l_idx = np.arange(rep.size) - starts[rep]
    c = l_idx / d[rep] if ties == "efron" else np.zeros(rep.size)
    dead_rows = np.flatnonzero(events > 0)
    dead_t = tcode[dead_rows]
    dead_starts = np.flatnonzero(np.concatenate([[True], np.diff(dead_t) != 0]))
    ev_w = weights * events
    delayed = None
    if entry is not None:
        code = np.searchsorted(times, entry, side="right")
        late = np.flatnonzero(code > 0)
        if late.size:
            late = late[np.argsort(code[late], kind="stable")]
            first = np.flatnonzero(np.concatenate([[True], np.diff(code[late]) != 0]))
            delayed = _Entry(code, late, first, code[late][first])
    return _Stratum(x, weights, events.astype(float), source, tcode, times, row_starts,
                    dead_rows, dead_starts, death_time, d, rep, c, starts, x.T @ ev_w, delayed)


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


def _rev_cumsum(a: np.ndarray) -> np.ndarray:
    return np.cumsum(a[::-1], axis=0)[::-1]


@dataclass(frozen=True)
class _Pieces:
    """Everything at one beta that the likelihood, its derivatives and the residuals share."""

    shift: float
    score: np.ndarray      # exp(eta - shift) per row
    risk: np.ndarray       # w * score
    den: np.ndarray        # Efron denominators per (time, l) pair
    alpha: np.ndarray      # per death time: sum_l 1/den
    beta_j: np.ndarray     # sum_l c_l/den
    gamma: np.ndarray      # sum_l 1/den^2
    delta: np.ndarray      # sum_l c_l/den^2
    eps: np.ndarray        # sum_l c_l^2/den^2
    r1: np.ndarray         # risk-set sums of risk * x at the death times (J x p)
    t1: np.ndarray         # tied-death sums of risk * x (J x p)
    r1_time: np.ndarray    # per unique exit time: sum of risk * x of rows ending then
    r1_entry: np.ndarray | None  # per distinct entry code: sum of risk * x of rows entering


def _pieces(s: _Stratum, beta: np.ndarray) -> _Pieces:
    score = s.x @ beta
    shift = float(score.max())
    score -= shift
    np.exp(score, out=score)
    risk = s.w * score
    r_all = _rev_cumsum(np.add.reduceat(risk, s.starts))
    r1_time = _segment_sums(risk, None, s.starts, s.x)
    r1 = _rev_cumsum(r1_time)[s.death_time]
    r1_entry = None
    if s.entry is not None:  # rows entering at or after t are not at risk at t
        ent = s.entry
        gone = np.zeros(s.n_times + 1)
        gone[ent.codes] = np.add.reduceat(risk[ent.order], ent.starts)
        r_all = r_all - _rev_cumsum(gone)[1:]
        r1_entry = _segment_sums(risk[ent.order], ent.order, ent.starts, s.x)
        gone1 = np.zeros((s.n_times + 1, s.x.shape[1]))
        gone1[ent.codes] = r1_entry
        r1 = r1 - _rev_cumsum(gone1)[1:][s.death_time]
    dead_risk = risk[s.dead_rows]
    t0 = np.add.reduceat(dead_risk, s.dead_starts)
    den = np.repeat(r_all[s.death_time], s.d) - s.c * np.repeat(t0, s.d)  # per (time, l) pair
    inv = 1.0 / den
    jn = s.death_time.size
    # sums over each death time's l = 0..d-1 (consecutive in ``rep``: reduceat, no bincount)
    inv2 = inv * inv
    alpha, beta_j, gamma, delta, eps = (
        np.add.reduceat(v, s.rep_starts) if jn else np.zeros(0)
        for v in (inv, s.c * inv, inv2, s.c * inv2, s.c * s.c * inv2))
    t1 = _segment_sums(dead_risk, s.dead_rows, s.dead_starts, s.x)
    return _Pieces(shift, score, risk, den, alpha, beta_j, gamma, delta, eps, r1, t1, r1_time,
                   r1_entry)


def _per_row_cumulative(s: _Stratum, per_death: np.ndarray, own: np.ndarray) -> np.ndarray:
    """For every row: the sum of ``per_death`` (a value per death time, or a J x q array) over
    the death times in (entry, exit], minus ``own`` at its exit time when the row is an event."""
    shape = (s.n_times, *per_death.shape[1:])
    full = np.zeros(shape)
    full[s.death_time] = per_death
    cum = np.cumsum(full, axis=0)
    own_t = np.zeros(shape)
    own_t[s.death_time] = own
    e = s.e if per_death.ndim == 1 else s.e[:, None]
    out: np.ndarray = cum[s.tcode] - own_t[s.tcode] * e
    if s.entry is not None:
        before = np.concatenate([np.zeros((1, *shape[1:])), cum])  # sum over times < code
        out = out - before[s.entry.code]
    return out


@dataclass(frozen=True)
class _Terms:
    ll: float
    grad: np.ndarray
    hess: np.ndarray        # second derivative (negative definite at the optimum)
    pieces: tuple[_Pieces, ...] = ()  # each stratum's pieces at this beta


def _stratum_terms(s: _Stratum, beta: np.ndarray, want_hessian: bool = True) -> _Terms:
    """Log-likelihood, gradient and Hessian (zeros when not ``want_hessian``: the only part
    costing n p^2) of one stratum."""
    pc = _pieces(s, beta)
    ll = float(s.event_x @ beta) - (float(np.log(pc.den).sum()) + pc.shift * pc.den.size)
    cum_alpha = np.cumsum(_at_times(s, pc.alpha))
    grad = s.event_x - (pc.r1_time.T @ cum_alpha - pc.t1.T @ pc.beta_j)
    if s.entry is not None:
        assert pc.r1_entry is not None
        grad = grad + pc.r1_entry.T @ np.concatenate([[0.0], cum_alpha])[s.entry.codes]
    if not want_hessian:
        return _Terms(ll, grad, np.zeros((beta.size, beta.size)), (pc,))
    return _Terms(ll, grad, -information(s, pc), (pc,))


def _at_times(s: _Stratum, per_death: np.ndarray) -> np.ndarray:
    full = np.zeros(s.n_times)
    full[s.death_time] = per_death
    return full


def information(s: _Stratum, pc: _Pieces, tw: np.ndarray | None = None) -> np.ndarray:
    """Observed information of one stratum, each death time's share multiplied by ``tw``
    (None: 1). With tw = g(t) and g(t)^2 these are the blocks of the cox.zph score test."""
    k = np.ones(pc.alpha.size) if tw is None else tw
    factor = _per_row_cumulative(s, k * pc.alpha, k * pc.beta_j)
    info = _weighted_gram(s.x, pc.risk * factor)
    r1, t1 = pc.r1, pc.t1
    # outer-product term sum_j k_j sum_l a_l a_l' with a_l = (R1 - c_l T1) / den_l
    g, dl, ep = k * pc.gamma, k * pc.delta, k * pc.eps
    outer = (r1.T * g) @ r1 - (r1.T * dl) @ t1 - (t1.T * dl) @ r1 + (t1.T * ep) @ t1
    result: np.ndarray = info - outer
    return result


def mean_at_death(pc: _Pieces, s: _Stratum) -> np.ndarray:
    """Efron-weighted risk-set mean of x at each death time (J x p): the mean of the d_j
    means with the tied deaths in at weights 1, (d-1)/d, ..., 1/d."""
    out: np.ndarray = (pc.r1 * pc.alpha[:, None] - pc.t1 * pc.beta_j[:, None]) / s.d[:, None]
    return out


@dataclass(frozen=True)
class CoxFit:
    beta: np.ndarray
    covariance: np.ndarray
    log_likelihood: float
    log_likelihood_null: float
    iterations: int
    remaining_step: np.ndarray  # |information^-1 score| at the final beta (R's infinity check)
    # each stratum's pieces at ``beta`` when the last evaluation was at ``beta`` itself (empty
    # after a final step taken without one): the PH test at beta reuses them
    pieces: tuple[_Pieces, ...] = ()


FINAL_STEP = 1e-8  # a Newton step this small is taken without another likelihood evaluation


def fit_efron(strata: list[_Stratum], p: int, *, max_iter: int = 60, tol: float = 1e-9,
              names: list[str] | None = None) -> CoxFit:
    """Newton-Raphson with step halving on the summed log-likelihood of ``strata`` (Efron or
    Breslow, as each stratum was prepared). ``x`` should be centred and scaled by the caller.

    Near the optimum Newton converges quadratically: a step below ``FINAL_STEP`` (on the
    standardised scale) leaves an error of order step^2, so it is taken without evaluating the
    likelihood again; log-likelihood and information are then those of the point before it
    (they differ by O(step^2) and O(step))."""

    def total(beta: np.ndarray) -> _Terms:
        parts = [_stratum_terms(s, beta) for s in strata]
        return _Terms(sum(t.ll for t in parts), np.sum([t.grad for t in parts], axis=0),
                      np.sum([t.hess for t in parts], axis=0),
                      tuple(pc for t in parts for pc in t.pieces))

    beta = np.zeros(p)
    cur = total(beta)
    cur_beta = beta  # where cur was evaluated
    ll_null = cur.ll
    step = np.zeros(p)
    for it in range(1, max_iter + 1):
        try:
            step = np.linalg.solve(-cur.hess, cur.grad)
        except np.linalg.LinAlgError as exc:
            raise AnalysisError(Reason("cox_singular")) from exc
        if it > 1 and float(np.abs(step).max()) < FINAL_STEP:
            beta = beta + step
            step = np.zeros(p)
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
                raise AnalysisError(Reason("cox_not_improving"))
        # (the previous point's pieces are let go: only its log-likelihood is compared)
        beta, prev, cur, cur_beta = cand, replace(cur, pieces=()), new, cand
        _raise_if_diverging(beta, names, limit=50.0)
        moved = float(np.abs(scale * step).max())
        if moved < tol or (moved < 1e-6 and cur.ll - prev.ll <= 1e-14 * max(1.0, abs(cur.ll))):
            step = np.linalg.solve(-cur.hess, cur.grad)
            break
    else:
        raise AnalysisError(Reason("cox_max_iterations", iterations=max_iter))
    cov = np.linalg.inv(-cur.hess)
    return CoxFit(beta, cov, cur.ll, ll_null, it, np.abs(step),
                  cur.pieces if cur_beta is beta else ())


def _raise_if_diverging(beta: np.ndarray, names: list[str] | None, limit: float) -> None:
    """A coefficient (on the standardised scale) beyond ``limit`` means separation that the
    data checks before the fit did not see (several covariates together, delayed entry)."""
    if beta.size and np.abs(beta).max() > limit:
        worst = int(np.abs(beta).argmax())
        label = names[worst] if names else str(worst)
        raise AnalysisError(Reason("cox_diverging", name=label), column=label.split("=")[0])


def schoenfeld_residuals(strata: list[_Stratum], beta: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Schoenfeld residuals x_i - (Efron risk-set mean at t_i) for every event row, and the
    row's ``source`` index per stratum: an (n_event_rows x 2) array of (stratum, source row).

    One residual per event row: with frequency weights, a row of weight w stands for w equal
    residuals."""
    res, keys = [], []
    for k, s in enumerate(strata):
        means = mean_at_death(_pieces(s, beta), s)
        jpos = np.full(s.n_times, -1)
        jpos[s.death_time] = np.arange(s.death_time.size)
        dead = s.dead_rows
        res.append(s.x[dead] - means[jpos[s.tcode[dead]]])
        keys.append(np.column_stack([np.full(dead.size, k), s.source[dead]]))
    return np.vstack(res), np.vstack(keys)


def score_residuals(s: _Stratum, beta: np.ndarray) -> np.ndarray:
    """Score residuals of every row of one stratum, in the order given to ``_prepare``
    (R ``residuals(fit, "score")``, Efron or Breslow as prepared; coxscore2.c/agscore3.c):

        L_i = e_i (x_i - xbar(t_i)) - exp(eta_i) sum_{t_j in (entry_i, exit_i]} (x_i - xbar_j) dLambda_j

    with Efron's partial share (1 - c_l) of the hazard for a row's own tied death time. Per
    row of unit weight; a row of frequency weight w stands for w such rows."""
    pc = _pieces(s, beta)
    means = mean_at_death(pc, s)
    xa = pc.r1 * pc.gamma[:, None] - pc.t1 * pc.delta[:, None]   # sum_l xbar_l / den_l
    xb = pc.r1 * pc.delta[:, None] - pc.t1 * pc.eps[:, None]     # sum_l c_l xbar_l / den_l
    cumhaz = _per_row_cumulative(s, pc.alpha, pc.beta_j)
    xhaz = _per_row_cumulative(s, xa, xb)
    jpos = np.full(s.n_times, 0)
    jpos[s.death_time] = np.arange(s.death_time.size)
    resid = -pc.score[:, None] * (s.x * cumhaz[:, None] - xhaz)
    dead = s.dead_rows
    resid[dead] += s.x[dead] - means[jpos[s.tcode[dead]]]
    out: np.ndarray = np.empty_like(resid)
    out[s.source] = resid
    return out


def death_time_values(s: _Stratum) -> np.ndarray:
    """The stratum's death times (one per distinct event time, ascending)."""
    out: np.ndarray = s.times[s.death_time]
    return out


def zph_blocks(s: _Stratum, beta: np.ndarray, g: np.ndarray, pc: _Pieces | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One stratum's share of R's ``cox.zph`` score test (zph1.c/zph2.c): the score of the
    time-varying terms, U_g = sum_j g_j (sum_{D_j} w x - d_j xbar_j), and the information
    blocks I, I_g, I_gg (each death time's share times 1, g_j, g_j^2). ``g``: the centred
    transformed time at each death time. ``pc``: the stratum's pieces at ``beta`` when the fit
    has them (:attr:`CoxFit.pieces`)."""
    pc = _pieces(s, beta) if pc is None else pc
    dead_x = _segment_sums(s.w[s.dead_rows], s.dead_rows, s.dead_starts, s.x)
    u = g @ (dead_x - s.d[:, None] * mean_at_death(pc, s))
    return u, information(s, pc), information(s, pc, g), information(s, pc, g * g)
