"""Lineage is complete and true (issue 14 §2): for every metric evaluated on a book, removing a
column of its lineage changes or disables it, and removing any other column does not."""
from __future__ import annotations

import pandas as pd
import pytest

from memberdesk.analysis.lineage_impact import _same, evaluate
from memberdesk.analysis.metrics import get_metric

from .conftest import book_dataset, rich_book

# A table without these cannot be loaded at all (DataError naming the column), so every
# metric reading the table is disabled whatever its lineage says.
CANNOT_LOAD = {"policies.policy_id", "policies.issue_date", "members.member_id"}


@pytest.fixture(scope="module")
def book() -> dict[str, pd.DataFrame]:
    return rich_book()


@pytest.fixture(scope="module")
def baseline(book):
    return evaluate(book_dataset(book))


@pytest.fixture(scope="module")
def dropped(book) -> dict[str, dict]:
    out = {}
    for table, frame in book.items():
        for column in frame.columns:
            if f"{table}.{column}" in CANNOT_LOAD:
                continue
            tables = dict(book)
            tables[table] = frame.drop(columns=[column])
            try:
                out[f"{table}.{column}"] = evaluate(book_dataset(tables))
            except Exception as exc:  # noqa: BLE001 - recorded and asserted on below
                out[f"{table}.{column}"] = exc
    return out


def test_removing_a_column_never_crashes(dropped) -> None:
    crashes = {c: repr(v) for c, v in dropped.items() if isinstance(v, Exception)}
    assert not crashes, crashes


def test_every_evaluated_metric_is_computable_on_the_book(baseline) -> None:
    missing = {m for m, (v, _) in baseline.items() if v is None}
    assert not missing


def test_lineage_is_complete_and_true(baseline, dropped) -> None:
    gaps, extras = [], []
    for metric, (value, _) in baseline.items():
        sources = set(get_metric(metric).sources)
        for column, values in dropped.items():
            if isinstance(values, Exception):
                continue                     # see test_removing_a_column_never_crashes
            after = values[metric][0]
            moved = after is None or not _same(value, after)
            if column in sources and not moved:
                extras.append(f"{metric}: {column} in its lineage but removing it changes nothing")
            if column not in sources and moved:
                gaps.append(f"{metric}: removing {column} changes it, not in its lineage")
    assert not gaps and not extras, "\n".join(gaps + extras)
