"""Experience-study exposures by policy year from the engine's GROUP BY (issue #13): exposure
and actual terminations by policy year × segment computed from counts by segment × policy year
of the last observed day × days observed × days in that year × studied termination equal the
per-policy exposure records of the file path (counts exact, exposures within 1e-9 relative).

Truth: the in-memory book's ``aggregate(expose(...))`` (readers -> validation -> Dataset ->
exposure records), which tests/experience_analytics checks against actxps.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from memberdesk.analysis.experience_aggregate import aggregate
from memberdesk.analysis.experience_exposure import expose, policy_year_table
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


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    f = frame.copy()
    for c in keys:
        f[c] = f[c].astype(object).where(f[c].notna(), "<missing>").astype(str)
    return f.sort_values(["policy_year", *keys]).reset_index(drop=True)


def assert_same_table(got: pd.DataFrame, want: pd.DataFrame, keys: list[str]) -> None:
    g, w = _sorted(got, keys), _sorted(want, keys)
    assert list(g.columns) == list(w.columns)
    assert len(g) == len(w) > 0
    for c in ("policy_year", *keys, "actual", "n_actual"):
        assert g[c].tolist() == w[c].tolist(), c
    np.testing.assert_allclose(g["exposure"].to_numpy(float), w["exposure"].to_numpy(float),
                               rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("engine", "which"), CASES)
def test_policy_year_exposures_from_engine_counts_equal_records(
        engine: str, which: str, engine_books: Any, memory_books: Any) -> None:
    url, refs = engine_books(engine, which)
    mem = memory_books[which]
    eng = open_book(url, tables=refs, today=TODAY)
    assert eng.book is not None
    try:
        for keys, target, method in (([], ("lapsed", "surrendered"), "annual"),
                                     (["channel"], ("lapsed", "surrendered"), "annual"),
                                     (["channel", "premium_band"], ("lapsed",), "distribution"),
                                     (["product"], ("death", "lapsed"), "annual")):
            got = policy_year_table(eng, keys, target=target, method=method)
            assert got is not None
            want = aggregate(expose(mem, target=target, basis="policy_year", method=method), keys)
            assert_same_table(got, want, keys)
        for change in (lambda d: d.with_as_of(pd.Timestamp("2022-06-30")),
                       lambda d: d.with_filters(Filters(channel=("agency", "broker")))):
            got = policy_year_table(change(eng), ["channel"])
            assert got is not None
            want = aggregate(expose(change(mem), basis="policy_year"), ["channel"])
            assert_same_table(got, want, ["channel"])
        assert not eng.book._frames  # aggregates only
        assert policy_year_table(mem, ["channel"]) is None  # files: the row route
    finally:
        eng.book.close()


def test_leap_day_issues_and_month_ends(tmp_path: Any) -> None:
    """Policies issued on 29 February and on month ends, ending on and around anniversaries:
    the engine's policy years and days equal the record expansion's (hand-picked dates)."""
    import duckdb

    from memberdesk.core.loader import load_dataset

    rows = [("P1", "2016-02-29", "2017-02-28", "lapsed"), ("P2", "2016-02-29", "2017-02-27", "lapsed"),
            ("P3", "2016-02-29", "2020-02-29", "surrendered"), ("P4", "2016-02-29", "", "in_force"),
            ("P5", "2019-01-31", "2019-02-28", "lapsed"), ("P6", "2019-03-31", "2020-03-30", "death"),
            ("P7", "2019-03-31", "2020-03-31", "lapsed"), ("P8", "2020-12-31", "2021-12-30", "lapsed"),
            ("P9", "2015-06-15", "2015-06-15", "lapsed"), ("P10", "2018-02-28", "2020-02-28", "lapsed"),
            ("P11", "2018-02-28", "2020-02-29", "lapsed")] * 3
    pol = pd.DataFrame(rows, columns=["policy_id", "issue_date", "end_date", "status"])
    pol["policy_id"] = [f"{p}-{i}" for i, p in enumerate(pol["policy_id"])]
    pol["channel"] = ["agency", "broker", "online"] * (len(pol) // 3)
    csv = tmp_path / "policies.csv"
    pol.to_csv(csv, index=False)
    con = duckdb.connect(str(tmp_path / "b.duckdb"))
    con.execute(f"CREATE TABLE policies AS SELECT * FROM read_csv('{csv}', header=true)")
    con.close()
    today = dt.date(2024, 6, 30)
    mem = load_dataset([str(csv)], today=today)
    eng = open_book(f"duckdb://{tmp_path / 'b.duckdb'}", today=today)
    assert eng.book is not None
    try:
        for method in ("annual", "distribution"):
            got = policy_year_table(eng, ["channel"], method=method)
            assert got is not None
            assert_same_table(got, aggregate(expose(mem, basis="policy_year", method=method),
                                             ["channel"]), ["channel"])
    finally:
        eng.book.close()
