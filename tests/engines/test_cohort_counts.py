"""Cohort retention matrix from the engine's GROUP BY issue month × exit month (issue #13):
equals the file path's per-policy matrix (counts exact, premium shares within 1e-9).

Truth: the in-memory book (readers -> validation -> Dataset -> cohort_retention on the
policies), which tests/actuarial checks by hand calculations.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.cohorts import CohortMatrix, cohort_retention
from memberdesk.core.dataset import Filters
from memberdesk.core.engine.book import open_book

# py4j (Spark's bridge to the JVM) leaves its gateway sockets to the garbage collector
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

TODAY = dt.date(2026, 12, 5)
# DuckDB and PostgreSQL on both books; Spark on the sample book (a minute or more: slow)
CASES = [*(pytest.param(e, w, id=f"{e}-{w}") for e in ("duckdb", "postgres")
           for w in ("sample", "generated")),
         pytest.param("spark", "sample", marks=pytest.mark.slow, id="spark-sample")]


def assert_same_matrix(a: CohortMatrix, b: CohortMatrix) -> None:
    assert list(a.shares.index) == list(b.shares.index)
    assert list(a.shares.columns) == list(b.shares.columns)
    assert a.sizes.tolist() == b.sizes.tolist()
    np.testing.assert_allclose(a.premium.to_numpy(float), b.premium.to_numpy(float), rtol=1e-9)
    x, y = a.shares.to_numpy(float), b.shares.to_numpy(float)
    assert (np.isnan(x) == np.isnan(y)).all()
    np.testing.assert_allclose(x[~np.isnan(x)], y[~np.isnan(y)], rtol=1e-9, atol=1e-12)
    assert (a.cohort_start == b.cohort_start).all() and (a.cohort_end == b.cohort_end).all()
    assert (a.by, [name for name, _ in a.groups]) == (b.by, [name for name, _ in b.groups])
    for (_, ga), (_, gb) in zip(a.groups, b.groups):
        assert_same_matrix(ga, gb)


@pytest.mark.parametrize(("engine", "which"), CASES)
def test_cohort_matrix_from_engine_counts_equals_rows(engine: str, which: str, engine_books: Any,
                                                      memory_books: Any) -> None:
    url, refs = engine_books(engine, which)
    mem = memory_books[which]
    eng = open_book(url, tables=refs, today=TODAY)
    assert eng.book is not None
    try:
        for options in ({}, {"cohort": "quarter"}, {"weight": "premium"},
                        {"cohort": "quarter", "weight": "premium", "max_months": 30},
                        # --by a member column: one GROUP BY with the members join
                        {"cohort": "quarter", "weight": "premium", "by": "region"}):
            got, want = cohort_retention(eng, **options), cohort_retention(mem, **options)
            assert want.sizes.sum() > 0 and np.isfinite(want.shares.to_numpy(float)).any()
            assert_same_matrix(got, want)
        for change in (lambda d: d.with_as_of(pd.Timestamp("2022-06-30")),
                       lambda d: d.with_filters(Filters(channel=("agency", "broker"))),
                       # a member filter: the view keeps its members join
                       lambda d: d.with_filters(Filters(region=("north", "south", "江苏", "广东"),
                                                        tier=("basic", "gold", "standard")))):
            assert_same_matrix(cohort_retention(change(eng)), cohort_retention(change(mem)))
        assert not eng.book._frames  # aggregates only: no table read
    finally:
        eng.book.close()
