"""Cancel stops the engine's query itself, not only the wait for it (issue #13 point 6): a task
run under ``task_scope`` whose Cancel is pressed while an engine book's query runs ends at once
with Cancelled, the database session stays usable, and a Cancel while waiting for the book's
lock (another task's query running) does not interrupt the other task's query."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import ibis
import pytest

from memberdesk.core.engine.book import open_book
from memberdesk.core.errors import Cancelled
from memberdesk.core.progress import Interrupts, task_scope

from .conftest import write_duckdb


def _endless(book):  # type: ignore[no-untyped-def]
    """A query that runs for hours: the policies table cross-joined with itself three times."""
    t = book.accepted("policies")
    a, b, c = t.select(x=t.policy_id), t.select(y=t.policy_id), t.select(z=t.policy_id)
    return a.cross_join(b).cross_join(c).aggregate(n=ibis._.count())


def _in_task(fn, interrupts: Interrupts, out: dict[str, object]) -> threading.Thread:  # type: ignore[no-untyped-def]
    def run() -> None:
        with task_scope(interrupts):
            try:
                out["value"] = fn()
            except BaseException as exc:  # noqa: BLE001 - the test reads it
                out["error"] = exc
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_cancel_interrupts_the_running_query(tmp_path: Path, sample_book) -> None:  # type: ignore[no-untyped-def]
    ds = open_book(write_duckdb(tmp_path / "b.duckdb", sample_book[1]))
    book = ds.book
    assert book is not None
    try:
        interrupts, out = Interrupts(), {}
        thread = _in_task(lambda: book.run(_endless(book)), interrupts, out)
        time.sleep(0.5)  # the query is running
        started = time.monotonic()
        interrupts.cancel()
        thread.join(timeout=20)
        assert not thread.is_alive(), "the query went on after Cancel"
        assert time.monotonic() - started < 10
        assert isinstance(out.get("error"), Cancelled)
        # the session is usable afterwards
        assert book.row_counts()["policies"] == sample_book[1]["policies"].num_rows
    finally:
        book.close()


def test_cancel_while_waiting_for_the_lock_leaves_the_other_query_alone(tmp_path: Path, sample_book) -> None:  # type: ignore[no-untyped-def]
    ds = open_book(write_duckdb(tmp_path / "b.duckdb", sample_book[1]))
    book = ds.book
    assert book is not None
    policies = book.accepted("policies")
    try:
        a, b = policies.select(x=policies.policy_id), policies.select(y=policies.policy_id)
        pairs = a.cross_join(b)  # 46M pairs, each hashed: a query of a second or more
        slow = pairs.aggregate(n=pairs.count(), h=(pairs.x.concat(pairs.y).hash() % 7).sum())
        first, second = Interrupts(), Interrupts()
        out1: dict[str, object] = {}
        out2: dict[str, object] = {}
        t1 = _in_task(lambda: book.run(slow), first, out1)
        deadline = time.monotonic() + 30
        while not first._hooks and time.monotonic() < deadline:  # t1 holds the lock, runs
            time.sleep(0.005)
        assert first._hooks, "the first query never started"
        t2 = _in_task(lambda: book.run(slow), second, out2)  # waits for the lock
        time.sleep(0.1)
        assert t1.is_alive() and not second._hooks  # still running; the second registered nothing
        second.cancel()  # the waiting task is cancelled, not the running one
        t1.join(timeout=120)
        t2.join(timeout=120)
        assert "error" not in out1, out1.get("error")
        n = sample_book[1]["policies"].num_rows
        assert out1["value"].to_pylist()[0]["n"] == n * n
        assert isinstance(out2.get("error"), Cancelled)  # it never ran its query
    finally:
        book.close()


def test_outside_a_task_queries_just_run(tmp_path: Path, sample_book) -> None:  # type: ignore[no-untyped-def]
    ds = open_book(write_duckdb(tmp_path / "b.duckdb", sample_book[1]))
    try:
        assert ds.book is not None and ds.book.row_counts()["policies"] > 0
    finally:
        assert ds.book is not None
        ds.book.close()


def test_a_task_cancelled_before_the_query_does_not_start_it(tmp_path: Path, sample_book) -> None:  # type: ignore[no-untyped-def]
    ds = open_book(write_duckdb(tmp_path / "b.duckdb", sample_book[1]))
    book = ds.book
    assert book is not None
    try:
        interrupts = Interrupts()
        interrupts.cancel()
        with task_scope(interrupts), pytest.raises(Cancelled):
            book.run(_endless(book))
    finally:
        book.close()


def test_an_interrupt_never_outlives_the_wait_it_stops() -> None:
    """Cancel calls the interrupt it found registered; the block that registered it ends (and
    the book's lock is released, so another task's query may start on the same session) only
    once that call has returned: an interrupt arriving late would stop the next task's query.
    Here the interrupt is slow (a PostgreSQL cancel crosses the network) and the block ends
    meanwhile."""
    from memberdesk.core.progress import interruptible

    interrupts = Interrupts()
    in_block, interrupting, release = threading.Event(), threading.Event(), threading.Event()
    calls: list[str] = []

    def slow_interrupt() -> None:
        interrupting.set()
        release.wait(10)
        calls.append("interrupt returned")

    def task() -> None:
        with task_scope(interrupts):
            with interruptible(slow_interrupt):
                in_block.set()
                interrupting.wait(10)  # the query ends on its own while Cancel is interrupting
            calls.append("block ended")

    thread = threading.Thread(target=task)
    thread.start()
    assert in_block.wait(10)
    canceller = threading.Thread(target=interrupts.cancel)
    canceller.start()
    assert interrupting.wait(10)
    time.sleep(0.3)  # room for the block to end if nothing holds it
    release.set()
    thread.join(10)
    canceller.join(10)
    assert calls == ["interrupt returned", "block ended"]
