"""Persistency of an engine book under a region/tier filter, on a book with claims, is computed
from the engine's counts (issue #13 point 5): the claims that exclude a policy are those of
:attr:`Dataset.claims` — in-window, paid at as-of and, under any filter, of the filters' member
scope (a claim without a member id, or filed under a member outside the scope, does not count).
Before, such a filter made persistency read the accepted rows without saying so, and a policy
filter counted claims outside the member scope.

Truth: the hand count written out below for a seven-policy book, and the file path (the same
rows as CSV through readers -> validation -> Dataset) for every filter and period.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from memberdesk.analysis.persistency import persistency_for_periods
from memberdesk.core.dataset import Filters
from memberdesk.core.engine.book import open_book
from memberdesk.core.loader import load_dataset

from .test_persistency_counts import PERIODS, _json, assert_same

TODAY = dt.date(2026, 12, 5)
AS_OF = pd.Timestamp("2026-06-30")
LAPSE = dt.date(2023, 6, 15)  # 151 days after issue: past the free look, before month 13 ends


def _tables() -> dict[str, pd.DataFrame]:
    members = pd.DataFrame({"member_id": ["M1", "M2", "M3", "M4"],
                            "region": ["north", "south", "north", "south"],
                            "tier": ["basic", "gold", "basic", "basic"]})
    issue = dt.date(2023, 1, 15)  # month 13 falls due in 2024: the cohort of the year 2024
    policies = pd.DataFrame({
        "policy_id": ["P1", "P2", "P3", "P4", "P5", "P6", "P7"],
        "member_id": ["M1", "M1", "M3", "M3", "M2", "M4", "M4"],
        "channel": ["agency"] * 6 + ["online"],
        "issue_date": [issue] * 7,
        "end_date": [LAPSE, LAPSE, LAPSE, None, LAPSE, LAPSE, None],
        "status": ["lapsed", "lapsed", "lapsed", "in_force", "lapsed", "lapsed", "in_force"],
        "annual_premium": [100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0],
        "payment_frequency": ["annual"] * 7})
    claims = pd.DataFrame({
        "claim_id": ["C1", "C2", "C3", "C5", "C6"],
        "policy_id": ["P1", "P2", "P3", "P5", "P6"],
        # C2 filed under another member (M2, south) than its policy's; C3 without a member
        "member_id": ["M1", "M2", None, "M2", "M4"],
        "reported_at": [dt.date(2023, 6, 1)] * 5,
        # C6 settled after as-of: open at as-of, so it excludes nothing
        "settled_at": [dt.date(2023, 7, 1)] * 4 + [dt.date(2026, 9, 1)],
        "status": ["paid"] * 5,
        "amount_paid": [10.0] * 5})
    return {"members": members, "policies": policies, "claims": claims}


@pytest.fixture()
def books(tmp_path: Path) -> tuple[Any, Any]:
    tables = _tables()
    path = tmp_path / "book.duckdb"
    con = duckdb.connect(str(path))
    files = []
    for name, frame in tables.items():
        con.register("src", pa.Table.from_pandas(frame, preserve_index=False))
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM src")
        con.unregister("src")
        files.append(str(tmp_path / f"{name}.csv"))
        frame.to_csv(files[-1], index=False)
    con.close()
    eng = open_book(f"duckdb://{path}", today=TODAY, as_of=AS_OF)
    mem = load_dataset(files, today=TODAY, as_of=AS_OF)
    assert eng.book is not None and eng.book.report.tables[0].rejected == 0
    yield eng, mem
    eng.book.close()


# filter -> (excluded for a paid claim, cohort, persisting) in the year 2024, month 13, by hand:
# no filter: P1, P2, P3, P5 excluded (P6's claim is open at as-of); cohort P4, P6, P7; P4, P7 persist
# region north (members M1, M3: P1-P4): only C1 is in the scope (C2 is M2's, C3 has no member)
# tier basic (M1, M3, M4: P1-P4, P6, P7): C1 only again (C6 open)
# channel agency (P1-P6; scope: their members M1-M4): C1, C2, C5 (C3 has no member)
HAND = {"none": (Filters(), 4, 3, 2),
        "region north": (Filters(region=("north",)), 1, 3, 1),
        "tier basic": (Filters(tier=("basic",)), 1, 5, 2),
        "channel agency": (Filters(channel=("agency",)), 3, 3, 1)}


@pytest.mark.parametrize("label", list(HAND))
def test_member_filter_persistency_from_counts(books: tuple[Any, Any], label: str) -> None:
    eng, mem = books
    filters, claim, cohort, persisting = HAND[label]
    eng, mem = eng.with_filters(filters), mem.with_filters(filters)
    got = persistency_for_periods(eng, month=13, periods=PERIODS)
    want = persistency_for_periods(mem, month=13, periods=PERIODS)
    year = got["year"].frame
    row = year[(year["period"] == "2024") & (year["segment"] == "All")].iloc[0]
    assert (int(row["excluded_claim"]), int(row["cohort_count"]), int(row["persisting_count"])) \
        == (claim, cohort, persisting)
    assert_same(_json(got), _json(want), label)
    assert not eng.book._frames, "persistency read the accepted rows"


def test_sample_book_member_filter_from_counts(engine_books: Any, memory_books: Any) -> None:
    """The sample book (claims on many policies) under region and tier filters, with and
    without a policy filter: the engine's counts equal the file path, and no rows are read."""
    url, refs = engine_books("duckdb", "sample")
    mem = memory_books["sample"]
    eng = open_book(url, tables=refs, today=TODAY)
    assert eng.book is not None
    try:
        for filters in (Filters(region=("江苏", "广东")), Filters(tier=("standard",)),
                        Filters(region=("广东", "浙江"), channel=("agency", "online"))):
            excluded = 0
            for month in (13, 25):
                got = persistency_for_periods(eng.with_filters(filters), month=month,
                                              periods=PERIODS, by="channel")
                want = persistency_for_periods(mem.with_filters(filters), month=month,
                                               periods=PERIODS, by="channel")
                assert_same(_json(got), _json(want), f"{filters} month {month}")
                excluded += int(want["year"].frame["excluded_claim"].sum())
            assert excluded > 0, filters  # not vacuous: paid claims exclude policies
        assert not eng.book._frames, "persistency read the accepted rows"
    finally:
        eng.book.close()
