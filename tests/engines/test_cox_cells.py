"""Cox from covariate cells (issue #13): on an engine book a model of categorical or banded
covariates is fitted from the engine's counts by covariate cell × duration × event as
frequency weights, and equals the fit on the rows of the in-memory book.

Truth: the file path's fit (readers -> validation -> Dataset -> fit_cox on the rows), which
tests/survival checks against R's coxph and lifelines. Coefficients, standard errors,
log-likelihoods, the PH test and the concordance within 1e-9 relative; counts exact.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pytest

from memberdesk.analysis.cox import CoxResult, fit_cox
from memberdesk.core.engine.book import open_book

# py4j (Spark's bridge to the JVM) leaves its gateway sockets to the garbage collector
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

TODAY = dt.date(2026, 12, 5)
# DuckDB and PostgreSQL on both books; Spark on the sample book (a minute or more: slow)
CASES = [*(pytest.param(e, w, id=f"{e}-{w}") for e in ("duckdb", "postgres")
           for w in ("sample", "generated")),
         pytest.param("spark", "sample", marks=pytest.mark.slow, id="spark-sample")]

# (covariates, strata, ties) per book; all categorical or banded
MODELS = {
    "sample": [(["channel", "product", "premium_band", "age_band"], [], "efron"),
               (["channel", "gender", "tier"], ["product"], "breslow"),
               (["channel", "issue_year"], [], "efron")],  # issue_year: numeric, banded
    "generated": [(["channel", "product", "premium_band", "age_band"], [], "efron"),
                  (["channel", "payment_frequency"], ["product"], "breslow")],
}


def assert_close(a: float, b: float, what: str) -> None:
    assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b)), \
        f"{what}: {a!r} vs {b!r}"


def assert_same_fit(eng: CoxResult, mem: CoxResult) -> None:
    assert (eng.n, eng.events, eng.n_dropped) == (mem.n, mem.events, mem.n_dropped)
    assert eng.reference_levels == mem.reference_levels
    ce, cm = eng.coefficients, mem.coefficients
    assert list(ce["covariate"]) == list(cm["covariate"])
    for col in ("coef", "se", "hazard_ratio", "p_value"):
        for name, x, y in zip(ce["covariate"], ce[col].to_numpy(float), cm[col].to_numpy(float)):
            assert_close(x, y, f"{col} of {name}")
    assert_close(eng.log_likelihood, mem.log_likelihood, "log-likelihood")
    assert_close(eng.log_likelihood_null, mem.log_likelihood_null, "null log-likelihood")
    assert_close(eng.concordance, mem.concordance, "concordance")
    pe, pm = eng.ph_test, mem.ph_test
    assert list(pe["covariate"]) == list(pm["covariate"])
    for x, y in zip(pe["test_statistic"].to_numpy(float), pm["test_statistic"].to_numpy(float)):
        assert_close(x, y, "PH test statistic")


@pytest.mark.parametrize(("engine", "which"), CASES)
def test_cox_from_cells_equals_rows(engine: str, which: str, engine_books: Any,
                                    memory_books: Any) -> None:
    url, refs = engine_books(engine, which)
    mem = memory_books[which]
    eng = open_book(url, tables=refs, today=TODAY)
    assert eng.book is not None
    try:
        for covariates, strata, ties in MODELS[which]:
            got = fit_cox(eng, covariates, strata=strata or None, ties=ties)
            want = fit_cox(mem, covariates, strata=strata or None, ties=ties)
            assert got.route == "cells" and want.route == "rows"
            assert not [r for r in got.reasons if r.code.startswith("rows_read")]
            assert_same_fit(got, want)
        # the accepted rows were never read: the fit used aggregates only
        assert not eng.book._frames
    finally:
        eng.book.close()


def test_cells_are_the_rows_counted(engine_books: Any, memory_books: Any) -> None:
    """The cell counts add up to the policies, and each cell's count is the number of
    policies with those values (checked against the in-memory policies frame)."""
    url, refs = engine_books("duckdb", "sample")
    mem = memory_books["sample"]
    eng = open_book(url, tables=refs, today=TODAY)
    assert eng.book is not None
    try:
        cols = ["channel", "premium_band"]
        cells = eng.book.covariate_cells(eng, cols, 200).frame
        assert cells is not None
        p = mem.policies
        assert int(cells["n"].sum()) == len(p)
        for _, c in cells.head(25).iterrows():
            mask = (p["duration_days"] == c["duration_days"]) & (p["event"] == c["event"])
            for col in cols:
                mask &= p[col].isna() if c[col] is None or c[col] != c[col] else p[col] == c[col]
            assert int(mask.sum()) == int(c["n"])
        # the in-memory book's answer (a pandas groupby) is the same set of cells and counts
        from memberdesk.core.book import MemoryBook

        mine = MemoryBook(mem).covariate_cells(mem, cols, 200).frame
        assert mine is not None

        def keyed(f: Any) -> list[tuple[str, ...]]:
            return sorted(tuple(str(v) for v in row) for row in
                          f[[*cols, "duration_days", "event", "n"]].astype(object)
                          .where(f[[*cols, "duration_days", "event", "n"]].notna(), None)
                          .assign(duration_days=lambda x: x["duration_days"].astype(float))
                          .itertuples(index=False))

        assert keyed(mine) == keyed(cells)
        # a continuous column is named, in both books, with no cells
        for book in (eng.book, MemoryBook(mem)):
            answer = book.covariate_cells(eng if book is eng.book else mem,
                                          ["channel", "annual_premium"], 200)
            assert answer.frame is None and answer.continuous == ("annual_premium",)
    finally:
        eng.book.close()


def test_continuous_covariate_reads_rows_and_says_so(engine_books: Any, memory_books: Any) -> None:
    url, refs = engine_books("duckdb", "sample")
    mem = memory_books["sample"]
    eng = open_book(url, tables=refs, today=TODAY)
    assert eng.book is not None
    try:
        got = fit_cox(eng, ["channel", "annual_premium"])
        want = fit_cox(mem, ["channel", "annual_premium"])
        assert got.route == "rows"
        notes = [r for r in got.reasons if r.code == "rows_read_continuous"]
        assert len(notes) == 1 and dict(notes[0].params)["columns"] == "annual_premium"
        assert "annual_premium" in notes[0].text and "duckdb" in notes[0].text
        assert_same_fit(got, want)
        # a cluster needs each row too
        clustered = fit_cox(eng, ["channel"], cluster="member_id")
        assert clustered.route == "rows"
        assert [r.code for r in clustered.reasons if r.code.startswith("rows_read")] == ["rows_read_cluster"]
        assert np.isfinite(clustered.coefficients["robust_se"].to_numpy(float)).all()
    finally:
        eng.book.close()
