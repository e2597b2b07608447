"""13th/25th-month persistency from the engine's GROUP BY (issue #13): on an engine book the
status-basis persistency is computed from counts by issue month × segment × payment frequency ×
exit status × rule flags, and equals the file path's per-policy computation.

Truth: the in-memory book (readers -> validation -> Dataset -> persistency on the policies),
whose own tests (tests/actuarial) check it by hand calculations. Counts exact, premiums and
ratios within 1e-9 relative.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
import pytest

from memberdesk.analysis.persistency import persistency_for_periods
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
PERIODS = ("year", "rolling12", "month", "quarter")


def assert_same(a: Any, b: Any, path: str = "") -> None:
    """Equal structures; floats within 1e-9 relative (and 1e-12 absolute near 0)."""
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
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b)), \
            f"{path}: {a} vs {b}"
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


def _json(results: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for period, r in results.items():
        out[period] = r.to_json()
        frame = r.frame
        out[period]["frame"] = {c: [x.isoformat() if isinstance(x, pd.Timestamp) else x
                                    for x in frame[c].tolist()] for c in frame.columns}
    return out


@pytest.mark.parametrize(("engine", "which"), CASES)
def test_persistency_from_engine_counts_equals_rows(engine: str, which: str, engine_books: Any,
                                                    memory_books: Any) -> None:
    url, refs = engine_books(engine, which)
    mem = memory_books[which]
    eng = open_book(url, tables=refs, today=TODAY)
    assert eng.book is not None
    try:
        cases: list[tuple[str, dict[str, Any]]] = [
            ("13", {"month": 13}), ("25", {"month": 25}),
            ("13 by channel", {"month": 13, "by": "channel"}),
            ("25 by premium band", {"month": 25, "by": "premium_band"}),
            ("13 free look 30, matured excluded", {"month": 13, "free_look_days": 30,
                                                    "exclude_statuses": ("matured",)}),
        ]
        for label, options in cases:
            got = persistency_for_periods(eng, periods=PERIODS, **options)
            want = persistency_for_periods(mem, periods=PERIODS, **options)
            assert_same(_json(got), _json(want), label)
            assert len(want["month"].frame) > 0  # not vacuous
        variants = [lambda d: d.with_as_of(pd.Timestamp("2022-06-30")),
                    lambda d: d.with_filters(Filters(channel=("agency", "broker")))]
        for i, change in enumerate(variants):
            assert_same(_json(persistency_for_periods(change(eng), by="channel")),
                        _json(persistency_for_periods(change(mem), by="channel")), f"variant {i}")
        assert not eng.book._frames  # no table was read: aggregates only
    finally:
        eng.book.close()
