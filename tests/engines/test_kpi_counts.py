"""Cockpit KPIs from the engine's GROUP BY answers (issue #13): on an engine book
``compute_kpis`` reads no accepted-rows table (``EngineBook._frames`` stays empty: that cache is
what every row read goes through) and gives the file path's KPIs — value, previous value, the
12-point trend and the reasons — on the sample book (every table) and the 200k-policy book.

Truth: the in-memory book (readers -> validation -> Dataset -> compute_kpis on the rows), whose
own tests (tests/analysis) check the KPIs against hand calculations and ``ds.with_as_of(t)``.
Counts exact, floats within 1e-9 relative.
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from memberdesk.analysis.kpis import compute_kpis, km_median_counts, usage_rate_trend
from memberdesk.core.dataset import Filters
from memberdesk.core.engine.book import open_book

# py4j (Spark's bridge to the JVM) leaves its gateway sockets to the garbage collector
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

TODAY = dt.date(2026, 12, 5)
COUNTS = ("in_force_members", "in_force_policies", "new_business_policies")


def assert_same(a: Any, b: Any, path: str = "") -> None:
    """Equal structures; floats within 1e-9 relative (and 1e-12 absolute near 0), NaN = NaN."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for k in a:
            assert_same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), f"{path}: {len(a)} vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None, f"{path}: {a} vs {b}"
        assert (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), \
            f"{path}: {a} vs {b}"
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


def _kpis(ds: Any) -> dict[str, Any]:
    result = compute_kpis(ds)
    out: dict[str, Any] = {"json": result.to_json(), "previous_as_of": str(result.previous_as_of)}
    for k in result.kpis:
        out[k.id] = {"trend": [float(x) for x in k.trend.to_numpy()],
                     "dates": [str(d) for d in k.trend.index],
                     "reason": None if k.reason is None else str(k.reason)}
    return out


def _check_counts_exact(got: dict[str, Any], want: dict[str, Any], label: str) -> None:
    for kpi in COUNTS:
        assert got[kpi]["trend"] == want[kpi]["trend"], f"{label} {kpi}"  # exact, not close


VARIANTS: list[tuple[str, Any]] = [
    ("as loaded", lambda d: d),
    ("as of 2022-06-30", lambda d: d.with_as_of(pd.Timestamp("2022-06-30"))),
    ("as of 2025-03-17 (not a month-end)", lambda d: d.with_as_of(pd.Timestamp("2025-03-17"))),
    ("death as an event", lambda d: d.with_events(("lapsed", "surrendered", "death"))),
    ("channel filter", lambda d: d.with_filters(Filters(channel=("agency", "broker")))),
    ("product and issue-date filter",
     lambda d: d.with_filters(Filters(product=("term", "whole life", "重疾险", "寿险"),
                                      issue_from=pd.Timestamp("2018-01-01")))),
]
# region/tier filters on a book with claims: every KPI stays on aggregates, persistency too
# (the claims restricted to the filters' member scope in the engine)
MEMBER_FILTER = Filters(region=("north", "south", "江苏", "广东"), tier=("basic", "gold", "standard"),
                        issue_from=pd.Timestamp("2016-01-01"))


# Spark (a real local[2] session) on the sample book: about two minutes, marked slow
CASES = [pytest.param(engine, which, id=f"{engine}-{which}")
         for engine in ("duckdb", "postgres") for which in ("sample", "generated")] + \
    [pytest.param("spark", "sample", marks=[pytest.mark.slow], id="spark-sample")]


@pytest.mark.parametrize(("engine", "which"), CASES)
def test_kpis_from_engine_counts_equal_rows(engine: str, which: str, engine_books: Any,
                                            memory_books: Any) -> None:
    url, refs = engine_books(engine, which)
    mem = memory_books[which]
    eng = open_book(url, tables=refs, today=TODAY)
    assert eng.book is not None
    try:
        # PostgreSQL runs each query in ~0.5-1.5 s even on the sample (Spark more): three variants
        variants = VARIANTS if engine == "duckdb" else [VARIANTS[i] for i in (0, 2, 5)]
        for label, change in variants:
            got, want = _kpis(change(eng)), _kpis(change(mem))
            assert_same(got, want, label)
            _check_counts_exact(got, want, label)
        assert not eng.book._frames, "an accepted-rows table was read"
        # not vacuous: the book's KPIs have values (the generated book has no usage, service
        # or claims tables: their reasons must agree instead)
        base = _kpis(mem)["json"]["kpis"]
        valued = {k["id"] for k in base if k["value"] is not None}
        assert {"in_force_members", "in_force_premium", "lapse_rate_annualised",
                "persistency_13"} <= valued
        if which == "sample":
            assert {"benefit_usage_rate", "csat", "median_claim_settlement_days"} <= valued
        else:
            assert "median_policy_lifetime_months" in valued
        trend_eng, trend_mem = usage_rate_trend(eng), usage_rate_trend(mem)  # the Benefits page's
        if which == "generated":  # no benefit usage table
            assert trend_eng is None and trend_mem is None
        else:
            assert trend_eng is not None and trend_mem is not None
            pd.testing.assert_frame_equal(trend_eng, trend_mem, rtol=1e-12)
        assert not eng.book._frames
        member_filtered = eng.with_filters(MEMBER_FILTER)
        assert_same(_kpis(member_filtered), _kpis(mem.with_filters(MEMBER_FILTER)), "member filter")
        assert not eng.book._frames  # persistency's claims scoped in the engine: no rows read
    finally:
        eng.book.close()


def test_median_lifetime_reached_in_sample_with_all_exits_as_events(engine_books: Any,
                                                                     memory_books: Any) -> None:
    """The median lifetime with a value on the sample book: every exit status an event."""
    url, refs = engine_books("duckdb", "sample")
    statuses = ("lapsed", "surrendered", "death", "matured", "other", "waived")
    eng = open_book(url, tables=refs, today=TODAY).with_events(statuses)
    mem = memory_books["sample"].with_events(statuses)
    assert eng.book is not None
    try:
        got, want = _kpis(eng), _kpis(mem)
        assert_same(got, want)
        median = next(k for k in want["json"]["kpis"] if k["id"] == "median_policy_lifetime_months")
        assert median["value"] is not None  # reached: not vacuous
        assert not eng.book._frames
    finally:
        eng.book.close()


def test_km_median_counts_hand_calculation() -> None:
    """Five policies: durations 1 (exit), 2 (censored), 3 (exit) twice, 5 (censored), given as
    three grouped rows with counts. By hand: S(1) = 4/5 = 0.8; at 3, 3 at risk and 2 exits:
    S(3) = 0.8 × 1/3 ≈ 0.267 ≤ 0.5, so the median is 3 days."""
    assert km_median_counts(np.array([1, 2, 3, 5]), np.array([1, 0, 1, 0]), np.array([1, 1, 2, 1])) == 3.0
    # S stays at 0.8 after the first exit alone: not reached
    assert math.isnan(km_median_counts(np.array([1, 9]), np.array([1, 0]), np.array([1, 4])))
    assert math.isnan(km_median_counts(np.array([], dtype=np.int64), np.array([]), np.array([])))


def _hand_book(path: Path) -> str:
    """Eight policies whose dates sit on the cut-off boundaries (issued or ended on a
    month-end, on the as-of date, on the day after the previous cut-off), two without a
    premium, and service contacts / claims with missing flags and a settlement after as-of."""
    d = dt.date
    pol = pa.table({
        "policy_id": [f"P{i}" for i in range(8)],
        "member_id": ["M0", "M0", "M1", "M2", "M3", "M3", "M4", "M5"],
        "channel": ["agency", "broker", "agency", "online", "agency", "broker", "online", "agency"],
        "issue_date": [d(2020, 1, 15), d(2025, 6, 30), d(2025, 6, 30), d(2024, 12, 1),
                       d(2025, 7, 1), d(2019, 3, 3), d(2025, 11, 30), d(2023, 2, 28)],
        "end_date": [d(2025, 6, 30), None, d(2025, 9, 30), d(2025, 11, 30), None, d(2024, 11, 30),
                     None, d(2025, 11, 29)],
        "status": ["lapsed", "in_force", "surrendered", "lapsed", "in_force", "death", "in_force",
                   "lapsed"],
        "annual_premium": [1000.5, None, 250.25, 3000.0, None, 99.99, 1200.0, 10.0],
    })
    members = pa.table({"member_id": [f"M{i}" for i in range(6)],
                        "region": ["north", "south", "north", "east", "north", "west"]})
    contacts = pa.table({
        "contact_id": [f"C{i}" for i in range(6)],
        "member_id": ["M0", "M1", None, "M3", "M4", "M5"],
        "started_at": [d(2025, 1, 5), d(2025, 6, 30), d(2025, 7, 1), d(2024, 11, 30),
                       d(2025, 11, 30), d(2025, 3, 3)],
        "handled_by": ["bot", "human", "bot", None, "bot", "human"],
        "transferred_to_human": [True, None, False, False, None, False],
        "connected": [True, False, None, None, True, True],
        "satisfaction": [5.0, None, 4.0, 2.0, 3.0, 4.0],
    })
    claims = pa.table({
        "claim_id": [f"K{i}" for i in range(4)],
        "policy_id": ["P0", "P2", "P3", "P6"],
        "member_id": ["M0", "M1", "M2", "M4"],
        "reported_at": [d(2025, 1, 10), d(2025, 6, 30), d(2025, 8, 1), d(2025, 11, 1)],
        "settled_at": [d(2025, 1, 20), d(2025, 7, 3), None, d(2025, 11, 30)],
        "amount_paid": [100.0, 0.0, None, 50.0],
    })
    con = duckdb.connect(str(path))
    for name, table in (("policies", pol), ("members", members), ("service_contacts", contacts),
                        ("claims", claims)):
        con.register("src", table)
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM src')
        con.unregister("src")
    con.close()
    return f"duckdb://{path}"


def test_boundary_dates_hand_book(tmp_path: Path) -> None:
    """Dates on the cut-offs, empty premiums and flags, a settlement after the as-of date: the
    engine's buckets agree with the row path's comparisons, and three figures by hand."""
    from memberdesk.core.loader import load_dataset

    url = _hand_book(tmp_path / "hand.duckdb")
    eng = open_book(url, today=TODAY, as_of=pd.Timestamp("2025-11-30"))
    assert eng.book is not None
    try:
        frames = {}
        con = duckdb.connect(url.removeprefix("duckdb://"), read_only=True)
        for name in ("policies", "members", "service_contacts", "claims"):
            frames[name] = con.execute(f'SELECT * FROM "{name}"').df()
            frames[name].to_csv(tmp_path / f"{name}.csv", index=False)
        con.close()
        mem = load_dataset([str(tmp_path / f"{n}.csv") for n in frames], today=TODAY,
                           as_of=pd.Timestamp("2025-11-30"))
        for label, change in [("as loaded", lambda d: d),
                              ("as of 2025-06-30", lambda d: d.with_as_of(pd.Timestamp("2025-06-30"))),
                              ("north", lambda d: d.with_filters(Filters(region=("north",)))),
                              ("agency", lambda d: d.with_filters(Filters(channel=("agency",))))]:
            got, want = _kpis(change(eng)), _kpis(change(mem))
            assert_same(got, want, label)
        got = _kpis(eng)
        by_id = {k["id"]: k for k in got["json"]["kpis"]}
        # in force at 2025-11-30: P1, P4 (no end), P6 (issued that day); P3 ended that day,
        # P7 the day before -> 3 policies of members M0, M3, M4
        assert by_id["in_force_policies"]["value"] == 3.0
        assert by_id["in_force_members"]["value"] == 3.0
        # premium in force: P1 and P4 have none (0), P6 1200
        assert by_id["in_force_premium"]["value"] == 1200.0
    finally:
        eng.book.close()


def test_parquet_folder_kpis_from_counts(tmp_path: Path, sample_book: Any, memory_books: Any) -> None:
    """A folder of Parquet files (DuckDB views over the files): the same KPIs, no rows read."""
    import pyarrow.parquet as pq

    for name, table in sample_book[1].items():
        pq.write_table(table, tmp_path / f"{name}.parquet")
    eng = open_book(str(tmp_path), today=TODAY)
    assert eng.book is not None and eng.book.engine == "duckdb"
    try:
        assert_same(_kpis(eng), _kpis(memory_books["sample"]))
        assert not eng.book._frames
    finally:
        eng.book.close()
