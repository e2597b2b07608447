"""The desktop's Cancel (a page's new computation replacing a running one, the status bar's
Cancel) stops an engine book's running query, not only the wait for it (issue #13 point 6):
the worker ends within seconds of Cancel on a query that would run for hours, and the book's
session answers the next query."""
from __future__ import annotations

import time
from pathlib import Path

import duckdb
import ibis

from memberdesk.core.engine.book import open_book
from memberdesk.ui.worker import TaskRunner

ROOT = Path(__file__).resolve().parents[2]


def test_cancel_in_the_desktop_stops_the_engine_query(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "b.duckdb"
    con = duckdb.connect(str(path))
    con.execute(f"CREATE TABLE policies AS SELECT * FROM read_csv('{ROOT / 'sample_data' / 'policies.csv'}')")
    con.close()
    ds = open_book(f"duckdb://{path}")
    book = ds.book
    assert book is not None
    try:
        t = book.accepted("policies")
        a, b, c = t.select(x=t.policy_id), t.select(y=t.policy_id), t.select(z=t.policy_id)
        endless = a.cross_join(b).cross_join(c).aggregate(n=ibis._.count())
        runner = TaskRunner(None, "test")
        worker = runner.run(book.run, endless)
        qtbot.wait(500)  # the query is running
        started = time.monotonic()
        runner.cancel()
        qtbot.waitUntil(worker.emitted_last.is_set, timeout=20_000)
        assert time.monotonic() - started < 10
        assert book.row_counts()["policies"] == 6824  # the session is usable afterwards
    finally:
        book.close()
