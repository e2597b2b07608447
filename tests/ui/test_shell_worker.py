"""The worker mechanism: results, errors, cancellation, stale results, throttled progress."""
from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QObject, QThread

from memberdesk.core.errors import Cancelled
from memberdesk.core.progress import check_cancelled
from memberdesk.ui import worker as w


def _slow(seconds: float, value: object, progress=None) -> object:
    """A fake long task that checks for cancellation every 10 ms."""
    steps = max(1, int(seconds / 0.01))
    for i in range(steps):
        check_cancelled(progress)
        progress.fraction(i / steps)
        time.sleep(0.01)
    return value


def test_result_arrives_in_gui_thread(qtbot) -> None:
    owner = QObject()
    got: list[tuple[object, bool]] = []
    w.run_task(owner, lambda: 42,
               on_result=lambda v: got.append((v, QThread.currentThread() is owner.thread())))
    qtbot.waitUntil(lambda: not w.is_busy(owner), timeout=5000)
    assert got == [(42, True)]


def test_error_reaches_the_app_wide_handler(qtbot) -> None:
    owner = QObject()

    def boom() -> None:
        raise ValueError("bad thing")

    with qtbot.waitSignal(w.error_hub().error, timeout=5000) as blocker:
        w.run_task(owner, boom, context="testing")
    exc, tb, context = blocker.args
    assert isinstance(exc, ValueError) and "bad thing" in tb and context == "testing"


def test_caller_handles_its_own_errors_and_hub_stays_quiet(qtbot, hub_calls) -> None:
    owner = QObject()
    mine: list[BaseException] = []

    def boom() -> None:
        raise KeyError("x")

    w.run_task(owner, boom, on_error=lambda e, tb: mine.append(e))
    qtbot.waitUntil(lambda: not w.is_busy(owner), timeout=5000)
    assert len(mine) == 1 and isinstance(mine[0], KeyError) and hub_calls == []


def test_cancel_stops_a_long_task_silently(qtbot, hub_calls) -> None:
    owner = QObject()
    results: list[object] = []
    started = time.monotonic()
    worker = w.run_task(owner, _slow, 30.0, "never", on_result=results.append)
    qtbot.waitUntil(lambda: worker.progress._last > 0, timeout=5000)
    w.runner_for(owner).cancel()
    assert not w.is_busy(owner)
    assert w.wait_for_pool(5000)
    assert time.monotonic() - started < 5  # the 30-second task stopped early
    assert results == [] and hub_calls == []


def test_new_task_cancels_old_and_stale_result_is_discarded(qtbot) -> None:
    owner = QObject()
    got: list[object] = []
    release = threading.Event()

    def ignores_cancel(value: object) -> object:  # finishes late, without checking cancel
        release.wait(5)
        return value

    w.run_task(owner, ignores_cancel, "old", on_result=got.append)
    first_gen = w.runner_for(owner).generation
    w.run_task(owner, lambda: "new", on_result=got.append)
    assert w.runner_for(owner).generation > first_gen
    qtbot.waitUntil(lambda: not w.is_busy(owner), timeout=5000)
    release.set()
    assert w.wait_for_pool(5000)
    assert got == ["new"]


def test_progress_is_throttled_to_one_percent_steps() -> None:
    emitted: list[float] = []
    signals = w.WorkerSignals()
    signals.progress.connect(emitted.append)  # direct: same thread
    p = w.TaskProgress(signals)
    for i in range(10_001):
        p.fraction(i / 10_000)
    assert 95 <= len(emitted) <= 102
    assert emitted[-1] == 1.0
    steps = [b - a for a, b in zip(emitted[:-1], emitted[1:-1])]  # the final jump to 1 may be small
    assert all(s >= 0.01 - 1e-12 for s in steps)


def test_function_without_progress_parameter_runs(qtbot) -> None:
    owner = QObject()
    got: list[object] = []
    w.run_task(owner, sorted, [3, 1, 2], on_result=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert got == [[1, 2, 3]]


def test_cancelled_is_not_reported(qtbot, hub_calls) -> None:
    owner = QObject()

    def cancels() -> None:
        raise Cancelled("stop")

    w.run_task(owner, cancels)
    qtbot.waitUntil(lambda: not w.is_busy(owner), timeout=5000)
    assert hub_calls == []


@pytest.fixture
def hub_calls():
    """Errors the app-wide handler received during the test."""
    calls: list[tuple[object, ...]] = []

    def record(*args: object) -> None:
        calls.append(args)

    w.error_hub().error.connect(record)
    yield calls
    w.error_hub().error.disconnect(record)


def test_garbage_is_collected_only_in_the_gui_thread(qtbot) -> None:
    # A cycle holding Qt objects collected by a worker's allocation was destroyed in the worker
    # thread and deadlocked against the GUI thread (QObject::~QObject waits for the GIL while
    # the GUI thread waits for Qt's lock). Once a worker starts, automatic collection is off
    # and a timer in the GUI thread collects instead.
    import gc
    import threading

    from memberdesk.ui import worker as worker_module

    seen: list[str] = []
    task = worker_module.Worker(lambda progress=None: threading.current_thread().name)
    task.signals.result.connect(seen.append)
    with qtbot.waitSignal(task.signals.finished, timeout=10_000):
        worker_module.start_worker(task)
    assert not gc.isenabled()
    collector = worker_module._GC
    assert collector is not None and collector.timer.isActive()  # type: ignore[attr-defined]
    assert seen and seen[0] != threading.main_thread().name
