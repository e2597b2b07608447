"""Competing decrements and life tables on an engine book from the engine's counts (issue #13:
Aalen-Johansen and life tables are exact functions of grouped counts). The book's counts by
segment x exit status x duration are frequency weights: the incidence curves, their variances
and Gray's tests equal the file path's (which the committed R cmprsk/survival references
check), and no accepted-rows table is read. Delayed entry (a study start) still reads the rows, as documented."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.competing import cumulative_incidence
from memberdesk.analysis.gray_test import gray_test
from memberdesk.core.engine.book import open_book
from memberdesk.core.loader import load_dataset

from .conftest import write_duckdb

ROOT = Path(__file__).resolve().parents[2]


def _close(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for c in a.columns:
        if a[c].dtype.kind in "fc":
            np.testing.assert_allclose(a[c].to_numpy(float), b[c].to_numpy(float), rtol=1e-9,
                                       atol=1e-12, equal_nan=True)
        else:
            assert a[c].astype(str).tolist() == b[c].astype(str).tolist(), c


@pytest.mark.parametrize("by", [None, "channel"])
def test_engine_counts_give_the_file_paths_incidence_and_gray_tests(tmp_path: Path, sample_book,  # type: ignore[no-untyped-def]
                                                                     by: str | None) -> None:
    files, tables = sample_book
    truth = load_dataset(files)
    ds = open_book(write_duckdb(tmp_path / "b.duckdb", tables), as_of=truth.as_of)
    try:
        got = cumulative_incidence(ds, by=by)
        assert ds.book is not None and not ds.book._frames, "an accepted-rows table was read"
    finally:
        assert ds.book is not None
        ds.book.close()
    want = cumulative_incidence(truth, by=by)
    assert got.groups == want.groups and got.causes == want.causes
    _close(got.incidence, want.incidence)
    _close(got.survival, want.survival)
    assert got.excluded == want.excluded
    assert len(got.gray_test) == len(want.gray_test) == (0 if by is None else len(want.gray_test))
    for g, w in zip(got.gray_test, want.gray_test):
        assert g.cause == w.cause and g.degrees_of_freedom == w.degrees_of_freedom
        assert math.isclose(g.statistic, w.statistic, rel_tol=1e-9)


def test_grays_test_with_frequency_weights_is_the_repeated_rows() -> None:
    """A property: a row of weight w is w identical rows (integer weights, ties included)."""
    rng = np.random.default_rng(5)
    n = 300
    d = rng.integers(1, 20, n).astype(float)
    causes = rng.integers(0, 3, n)
    groups = rng.integers(0, 3, n)
    w = rng.integers(1, 5, n)
    rep = np.repeat(np.arange(n), w)
    weighted = gray_test(d, causes, groups, ("lapsed", "death"), 3, weights=w.astype(float))
    repeated = gray_test(d[rep], causes[rep], groups[rep], ("lapsed", "death"), 3)
    assert [r.cause for r in weighted] == [r.cause for r in repeated] == ["lapsed", "death"]
    for a, b in zip(weighted, repeated):
        assert math.isclose(a.statistic, b.statistic, rel_tol=1e-12) and a.degrees_of_freedom == b.degrees_of_freedom


@pytest.mark.parametrize("by", [None, "channel"])
def test_life_table_on_an_engine_book_from_counts(tmp_path: Path, sample_book,  # type: ignore[no-untyped-def]
                                                  by: str | None) -> None:
    """The actuarial life table (the workbook's Retention sheet) on an engine book: the counts
    by segment x duration x event as weights, the file path's table, no accepted rows read."""
    from memberdesk.analysis.lifetable import life_table_by_segment

    files, tables = sample_book
    truth = load_dataset(files)
    ds = open_book(write_duckdb(tmp_path / "b.duckdb", tables), as_of=truth.as_of)
    breaks = [0, 3, 6, 12, 24, 36, 60]
    try:
        got = life_table_by_segment(ds, by, breaks=breaks, unit="months")
        assert ds.book is not None and not ds.book._frames, "an accepted-rows table was read"
    finally:
        assert ds.book is not None
        ds.book.close()
    _close(got.table, life_table_by_segment(truth, by, breaks=breaks, unit="months").table)
