"""The policy view's exit status and event, and their client-side twins (issue #13).

The engine aggregates avoid the exit status's text CASE where they can: ``event`` is tested on
the status when neither ``in_force`` nor ``other`` is an event status, and the persistency
counts name the exit status on the client (``rules.exit_status_values``). Truth: the rule of
docs/conventions.md written out in the test — the exit status is the status (``other`` when
marked in force) for a policy ended on or before as-of, else ``in_force``; the event is the
exit status among the event statuses — applied by hand to every status × end-date case.
"""
from __future__ import annotations

import datetime as dt

import duckdb
import ibis
import numpy as np
import pyarrow as pa
import pytest

from memberdesk.core.engine import rules

AS_OF = dt.date(2025, 6, 30)
STATUSES = ["in_force", "lapsed", "surrendered", "death", "matured", "waived", "失效"]
ENDS = [None, dt.date(2025, 6, 29), AS_OF, dt.date(2025, 7, 1)]  # before, on, after as-of


def _cases() -> pa.Table:
    rows = [(s, e) for s in STATUSES for e in ENDS]
    return pa.table({"policy_id": [f"P{i}" for i in range(len(rows))],
                     "issue_date": [dt.date(2020, 1, 1)] * len(rows),
                     "status": [s for s, _ in rows], "end_date": [e for _, e in rows]})


def _by_hand(status: str, end: dt.date | None) -> str:
    if end is not None and end <= AS_OF:  # terminated at as-of
        return "other" if status == "in_force" else status
    return "in_force"


@pytest.mark.parametrize("events", [("lapsed", "surrendered"), ("death",), ("other",),
                                    ("in_force", "lapsed"), ("失效", "waived")])
def test_view_event_and_exit_status_by_hand(events: tuple[str, ...]) -> None:
    table = _cases()
    t = ibis.memtable(table)
    view = rules.policy_view(t, None, as_of=AS_OF, event_statuses=events)
    sql = ibis.to_sql(view.select("policy_id", "exit_status", "event"), dialect="duckdb")
    con = duckdb.connect()
    try:
        con.register(t.op().name, table)
        got = con.sql(str(sql)).to_arrow_table()
    finally:
        con.close()
    rows = {r["policy_id"]: r for r in got.to_pylist()}
    assert len(rows) == len(table)
    for pid, status, end in zip(table["policy_id"].to_pylist(), table["status"].to_pylist(),
                                table["end_date"].to_pylist()):
        exit_status = _by_hand(status, end)
        assert rows[pid]["exit_status"] == exit_status, (status, end)
        assert rows[pid]["event"] == int(exit_status in events), (status, end, events)


def test_exit_status_values_twin_by_hand() -> None:
    table = _cases()
    status = np.array(table["status"].to_pylist(), dtype=object)
    ends = table["end_date"].to_pylist()
    terminated = np.array([e is not None and e <= AS_OF for e in ends])
    got = rules.exit_status_values(status, terminated)
    assert list(got) == [_by_hand(s, e) for s, e in zip(status, ends)]


def test_is_terminated_in_duckdb() -> None:
    """On or before as-of: terminated; after it or no end date: not (never null)."""
    data = pa.table({"end_date": pa.array(ENDS, type=pa.date32())})
    t = ibis.memtable(data)
    sql = ibis.to_sql(t.select(x=rules.is_terminated(t.end_date, AS_OF)), dialect="duckdb")
    con = duckdb.connect()
    try:
        con.register(t.op().name, data)
        got = [r[0] for r in con.execute(str(sql)).fetchall()]
    finally:
        con.close()
    assert got == [False, True, True, False]
