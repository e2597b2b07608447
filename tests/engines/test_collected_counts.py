"""Collected-basis persistency (实收保费 继续率) on an engine book from counts (issue #13 point 1):
the premium_payments instalments are summed per policy in the engine (GROUP BY policy_id, joined
back to the policy view) and grouped with the status basis' keys, so only groups leave the
engine, and the result equals the file path's per-policy computation.

Truth: the in-memory book (readers -> validation -> Dataset -> persistency with
``basis="collected"`` on the rows), whose own tests (tests/actuarial) check it by hand
calculations. Counts exact, premiums and ratios within 1e-9 relative. "No rows read":
``EngineBook._frames`` stays empty (no accepted table was pulled into pandas).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from memberdesk.analysis.persistency import persistency_for_periods
from memberdesk.core.dataset import Dataset, Filters
from memberdesk.core.engine.book import open_book
from memberdesk.core.engine.connection import TableRef
from memberdesk.core.loader import load_dataset
from tests.engines.conftest import ROOT, SAMPLE_TABLES, read_csv_tables, write_duckdb, write_postgres
from tests.engines.test_persistency_counts import _json, assert_same

TODAY = dt.date(2026, 12, 5)
PAYMENT_TABLES = (*SAMPLE_TABLES, "premium_payments")  # the sample book with its instalments
PERIODS = ("year", "rolling12", "month", "quarter")


@pytest.fixture(scope="module")
def payments_book(request: pytest.FixtureRequest, engine_tmp: Path
                  ) -> Callable[[str], tuple[str, dict[str, TableRef]]]:
    """engine -> (DATA, tables mapping) of the sample book with premium_payments."""
    tables = read_csv_tables(ROOT / "sample_data", PAYMENT_TABLES)
    cache: dict[str, tuple[str, dict[str, TableRef]]] = {}

    def get(engine: str) -> tuple[str, dict[str, TableRef]]:
        if engine not in cache:
            if engine == "duckdb":
                cache[engine] = (write_duckdb(engine_tmp / "collected.duckdb", tables), {})
            else:
                url = write_postgres(request.getfixturevalue("postgres"), "collected", tables)
                cache[engine] = (url, {name: TableRef(name, "collected") for name in tables})
        return cache[engine]

    return get


@pytest.fixture(scope="module")
def payments_memory() -> Dataset:
    return load_dataset([str(ROOT / "sample_data" / f"{t}.csv") for t in PAYMENT_TABLES],
                        today=TODAY)


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_collected_from_engine_counts_equals_rows(engine: str, payments_book: Any,
                                                  payments_memory: Dataset) -> None:
    url, refs = payments_book(engine)
    mem = payments_memory
    eng = open_book(url, tables=refs, today=TODAY)
    assert eng.book is not None
    try:
        cases: list[tuple[str, dict[str, Any]]] = [
            ("13", {"month": 13}), ("25", {"month": 25}),
            ("13 by channel", {"month": 13, "by": "channel"}),
            ("25 by premium band", {"month": 25, "by": "premium_band"}),
            ("13 grace 0", {"month": 13, "grace_days": 0}),
            ("13 grace 10, free look 30, matured excluded",
             {"month": 13, "grace_days": 10, "free_look_days": 30,
              "exclude_statuses": ("matured",)}),
        ]
        for label, options in cases:
            got = persistency_for_periods(eng, periods=PERIODS, basis="collected", **options)
            want = persistency_for_periods(mem, periods=PERIODS, basis="collected", **options)
            assert_same(_json(got), _json(want), label)
            frame = want["month"].frame
            assert len(frame) > 0 and frame["cohort_count"].sum() > 0, label  # not vacuous
            assert frame["persisting_premium"].sum() > 0, label
        variants = [lambda d: d.with_as_of(pd.Timestamp("2022-06-30")),
                    lambda d: d.with_filters(Filters(channel=("agency", "broker")))]
        for i, change in enumerate(variants):
            assert_same(_json(persistency_for_periods(change(eng), basis="collected",
                                                      by="channel")),
                        _json(persistency_for_periods(change(mem), basis="collected",
                                                      by="channel")), f"variant {i}")
        assert not eng.book._frames  # no table was read: aggregates only
    finally:
        eng.book.close()
