"""The Cox fit's faster routes (issue 13, speed at 1M rows) against their definitions.

fit_cox sorts the rows once by (stratum, exit time), builds the design matrix in that order in
blocks of whole exit times, with each time's column extremes (``_design_matrix_sorted``), and
hands each stratum a view (``_prepare_sorted``); the separation check scans only the columns a
first block of events did not rule out; the
low-variance check weights instead of copying rows; the concordance's linear predictor is summed
from the covariate codes. Each is checked here against the plain definition written out in the
test, and the whole fit against lifelines on heavily tied data (Efron), with and without strata,
and against itself on the rows shuffled.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter

from memberdesk.analysis import cox_checks, cox_design
from memberdesk.analysis.cox import _linear_predictor, fit_cox
from memberdesk.analysis.cox_design import _design_matrix_t, _encode
from memberdesk.analysis.cox_engine import _prepare, _prepare_sorted
from memberdesk.core.errors import AnalysisError

TIGHT = {"precision": 1e-12, "r_precision": 1e-14}


def _design_matrix(enc, rows):
    """The design matrix written out row-major, one column at a time (the construction the fit
    used before the transposed and blocked builds): a numeric covariate's values, then one 0/1
    column per non-reference level of each categorical covariate."""
    n = len(enc.keep) if rows is None else rows.size
    x = np.empty((n, len(enc.names)))
    j = 0
    for _, data, levels, ref in enc.columns:
        data = data if rows is None else data[rows]
        if levels is None:
            x[:, j] = data
            j += 1
            continue
        for k in range(len(levels)):
            if k != ref:
                x[:, j] = data == k
                j += 1
    return x


def _tied_frame(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Whole-month durations over 8 months (hundreds of tied events per time), a numeric and
    two categorical covariates and a two-level stratum."""
    rng = np.random.default_rng(seed)
    channel = rng.choice(["agency", "bank", "online"], n, p=[0.5, 0.3, 0.2])
    product = rng.choice(["term", "whole"], n)
    age = rng.integers(20, 65, n).astype(float)
    lin = 0.5 * (channel == "online") - 0.3 * (product == "whole") + 0.02 * (age - 40)
    t = np.ceil(rng.exponential(4 * np.exp(-lin)))
    c = rng.integers(1, 9, n)
    return pd.DataFrame({"duration": np.minimum(t, c).astype(float),
                         "event": (t <= c).astype(int), "age": age, "channel": channel,
                         "product": product, "region": rng.choice(["N", "S"], n)})


def _lifelines(df: pd.DataFrame, strata: list[str] | None = None) -> CoxPHFitter:
    design = pd.get_dummies(df[["duration", "event", "age", "channel", "product",
                                *(strata or [])]],
                            columns=["channel", "product"], prefix_sep="=", dtype=float)
    design = design.drop(columns=["channel=agency", "product=term"])  # the most frequent
    return CoxPHFitter().fit(design, "duration", "event", strata=strata, fit_options=TIGHT)


@pytest.mark.parametrize("strata", [None, ["region"]])
def test_fit_on_heavy_ties_equals_lifelines_efron(strata):
    df = _tied_frame()
    counts = df.loc[df["event"] == 1, "duration"].value_counts()
    assert len(counts) <= 8 and counts.sum() > 1000  # heavy ties: 8 event times
    res = fit_cox(df, ["age", "channel", "product"], strata=strata,
                  reference_levels={"product": "term"})
    cph = _lifelines(df, strata)
    got = res.coefficients.set_index("covariate")
    for name in ["age", "channel=bank", "channel=online", "product=whole"]:
        assert got.loc[name, "coef"] == pytest.approx(cph.params_[name], rel=1e-7, abs=1e-9)
        assert got.loc[name, "se"] == pytest.approx(cph.standard_errors_[name], rel=1e-6)
    assert res.log_likelihood == pytest.approx(cph.log_likelihood_, rel=1e-10)
    if strata is None:  # lifelines' stratified concordance pools the strata (R does not)
        assert res.concordance == pytest.approx(cph.concordance_index_, abs=1e-12)


@pytest.mark.parametrize("kw", [{}, {"strata": ["region"]}, {"ties": "breslow"},
                                {"cluster": "member"}])
def test_fit_does_not_depend_on_the_row_order(kw):
    df = _tied_frame(seed=3)
    df["member"] = np.arange(len(df)) // 3
    shuffled = df.sample(frac=1.0, random_state=7).reset_index(drop=True)
    a = fit_cox(df, ["age", "channel", "product"], **kw).to_json()
    b = fit_cox(shuffled, ["age", "channel", "product"], **kw).to_json()
    for ra, rb in zip(a["coefficients"], b["coefficients"]):
        assert ra["covariate"] == rb["covariate"]
        for key in ra.keys() - {"covariate"}:
            assert rb[key] == pytest.approx(ra[key], rel=1e-9, abs=1e-12), key
    for key in ("concordance", "log_likelihood"):
        assert b[key] == pytest.approx(a[key], rel=1e-12), key
    for pa, pb in zip(a["ph_test"], b["ph_test"]):
        assert pb["statistic"] == pytest.approx(pa["statistic"], rel=1e-8)


def test_design_built_in_sorted_blocks_with_segment_extremes(monkeypatch):
    monkeypatch.setattr(cox_design, "DESIGN_BLOCK_ROWS", 64)  # many blocks, segments across
    df = _tied_frame(1000)
    enc = _encode(df, ["age", "channel", "product"])
    rows = np.argsort(df["duration"].to_numpy(), kind="stable")
    d = df["duration"].to_numpy()[rows]
    seg = np.flatnonzero(np.concatenate([[True], d[1:] != d[:-1]]))
    x, seg_max, seg_min = cox_design._design_matrix_sorted(enc, rows, seg)
    full = _design_matrix(enc, rows)
    np.testing.assert_array_equal(x, full)
    for k, u in enumerate(np.unique(d)):
        np.testing.assert_array_equal(seg_max[k], full[d == u].max(axis=0))
        np.testing.assert_array_equal(seg_min[k], full[d == u].min(axis=0))


def test_transposed_design_is_the_design_matrix():
    df = _tied_frame(500)
    enc = _encode(df, ["age", "channel", "product"])
    rows = np.random.default_rng(1).permutation(len(df))[:400]
    xt = _design_matrix_t(enc, rows)
    assert xt.flags.c_contiguous and xt.shape == (len(enc.names), 400)
    np.testing.assert_array_equal(xt.T, _design_matrix(enc, rows))
    np.testing.assert_array_equal(_design_matrix_t(enc, None).T, _design_matrix(enc, None))


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("with_entry", [False, True])
def test_prepare_sorted_equals_prepare(ties, with_entry):
    rng = np.random.default_rng(4)
    n = 700
    x = rng.normal(size=(n, 3))
    d = rng.integers(1, 30, n).astype(float)
    e = (rng.random(n) < 0.6).astype(np.int8)
    w = rng.integers(1, 4, n).astype(float)
    entry = np.maximum(0.0, d - rng.integers(1, 20, n)) if with_entry else None
    center, scale = x.mean(axis=0), x.std(axis=0)
    old = _prepare(x, d, e, w, center, scale, entry=entry, ties=ties)
    order = np.argsort(d, kind="stable")
    xs = (x[order] - center) / scale
    new = _prepare_sorted(xs, d[order], e[order], w[order], order, ties=ties,
                          entry=None if entry is None else entry[order])
    for field in old.__dataclass_fields__:
        a, b = getattr(old, field), getattr(new, field)
        if field == "entry":
            assert (a is None) == (b is None)
            if a is not None:
                for f in a.__dataclass_fields__:
                    np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
        else:
            np.testing.assert_allclose(a, b, rtol=1e-14, atol=0, err_msg=field)


def _separating_columns(x: np.ndarray, d: np.ndarray, e: np.ndarray) -> list[int]:
    """The definition, row by row: a column whose value at every event is the highest (or
    lowest) among the rows still at risk, and not equal to the lowest (highest) at least once."""
    bad = []
    for j in range(x.shape[1]):
        ev = np.flatnonzero(e > 0)
        hi = np.array([x[d >= d[i], j].max() for i in ev])
        lo = np.array([x[d >= d[i], j].min() for i in ev])
        xe = x[ev, j]
        if ((xe >= hi).all() and (xe > lo).any()) or ((xe <= lo).all() and (xe < hi).any()):
            bad.append(j)
    return bad


@pytest.mark.parametrize("probe", [1, 5, 10**9])
def test_separation_check_follows_its_definition(monkeypatch, probe):
    monkeypatch.setattr(cox_checks, "SEPARATION_PROBE", probe)
    rng = np.random.default_rng(5)
    refused = 0
    for trial in range(30):
        n = 60
        d = rng.integers(1, 12, n).astype(float)
        e = (rng.random(n) < 0.5).astype(np.int8)
        x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n).astype(float),
                             -d + (trial % 3) * rng.integers(0, 2, n),  # separating sometimes
                             (d >= 8).astype(float) if trial % 2 else rng.normal(size=n)])
        order = np.argsort(d, kind="stable")
        s = _prepare_sorted(np.ascontiguousarray(x[order]), d[order], e[order], np.ones(n),
                            order)
        names = ["a", "b", "c", "dd"]
        expected = _separating_columns(x, d, e)
        refused += bool(expected)
        times = np.unique(d)  # per exit time, the columns' extremes (given, or made inside)
        given = [(np.array([x[d == u].max(axis=0) for u in times]),
                  np.array([x[d == u].min(axis=0) for u in times]))]
        for extremes in (None, given):
            if expected:
                with pytest.raises(AnalysisError, match="complete separation") as info:
                    cox_checks.check_monotone_likelihood([s], names, names, extremes)
                assert info.value.column == names[expected[0]]
            else:
                cox_checks.check_monotone_likelihood([s], names, names, extremes)
    assert 0 < refused < 30  # both outcomes are exercised


def test_low_variance_columns_follow_the_direct_formula():
    rng = np.random.default_rng(6)
    n = 20_000  # several row blocks
    e = (rng.random(n) < 0.3).astype(float)
    w = rng.integers(1, 5, n).astype(float)
    x = np.column_stack([rng.normal(size=n), np.where(e > 0, 2.0, rng.normal(size=n)),
                         np.where(e > 0, rng.normal(size=n), 5.0 + 1e-4 * rng.normal(size=n)),
                         1e6 + rng.normal(size=n)])

    def var(mask: np.ndarray) -> np.ndarray:  # weighted mean squared deviation of the rows
        m = (w[mask] @ x[mask]) / w[mask].sum()
        return (w[mask] @ (x[mask] - m) ** 2) / w[mask].sum()

    total = var(np.ones(n, dtype=bool))
    low = (var(e > 0) < 1e-4 * total) | (var(e == 0) < 1e-4 * total)
    expected = [name for name, flag in zip("abcd", low) if flag]
    assert expected == ["b", "c"]
    assert cox_checks.low_variance_columns(x, w, e, list("abcd")) == expected


def test_linear_predictor_is_x_coef_and_ties_identical_rows():
    df = _tied_frame(2000)
    enc = _encode(df, ["age", "channel", "product"])
    coef = np.array([0.0123456789, -0.7, 0.31, 1.0 / 3.0])
    rows = np.arange(len(df))[::-1]
    lp = _linear_predictor(enc, rows, coef)
    np.testing.assert_allclose(lp, _design_matrix(enc, rows) @ coef, rtol=1e-13, atol=1e-13)
    keys = df[["age", "channel", "product"]].iloc[rows].astype(str).agg("|".join, axis=1)
    per_key = pd.Series(lp).groupby(keys.to_numpy()).nunique()
    assert (per_key == 1).all()  # identical covariates, identical risk (exact ties)


@pytest.mark.parametrize("seed", range(4))
def test_dense_ranks_are_numpys_unique_inverse(seed: int) -> None:
    """The concordance's ranks (one argsort) equal ``np.unique(..., return_inverse=True)``:
    ties share a rank, ranks are dense and ordered; and Harrell's C is lifelines' value."""
    from lifelines.utils import concordance_index as lifelines_c

    from memberdesk.analysis.cox_concordance import concordance_index, dense_ranks

    rng = np.random.default_rng(seed)
    values = rng.normal(size=2_000).round(seed)  # seed 0: heavy ties, later ones fewer
    assert np.array_equal(dense_ranks(values), np.unique(values, return_inverse=True)[1].ravel())
    assert dense_ranks(np.array([])).size == 0
    t = rng.integers(1, 50, 2_000).astype(float)
    e = rng.integers(0, 2, 2_000)
    assert concordance_index(t, values, e) == pytest.approx(lifelines_c(t, -values, e), abs=1e-12)
