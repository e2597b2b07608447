"""The one worker mechanism of the UI: pure functions run on a shared QThreadPool.

A view never blocks the event loop. It hands a core function to :func:`run_task` (or to its
own :class:`TaskRunner`)::

    run_task(self, km_by_segment, dataset, spec, on_result=self._show)

* The function runs in a :class:`Worker` (a ``QRunnable``) on the one shared pool. If it takes
  a ``progress`` argument it receives a :class:`TaskProgress` — the core's
  :class:`memberdesk.core.progress.Progress` protocol (``fraction``, ``status``,
  ``cancelled``) — wired to Qt signals. Progress is emitted only when it moves by >= 1 %.
* One active task per view: starting a new one cancels the old one (cooperatively: the core
  checks ``progress.cancelled()``), and results of an older *generation* are discarded.
* Errors never vanish: a task's error goes to its ``on_error`` callback if given, otherwise to
  the application-wide handler (:func:`error_hub`), which the main window turns into an error
  dialog; every error is logged. :class:`~memberdesk.core.errors.Cancelled` is silent.
* Tests call :func:`wait_for_pool` at teardown so no worker outlives its widgets.
"""
from __future__ import annotations

import inspect
import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QRunnable,
    QThreadPool,
    QTimer,
    Signal,
)

from memberdesk.core.errors import Cancelled
from memberdesk.core.progress import Interrupts, task_scope

log = logging.getLogger(__name__)


ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException, str], None]


class WorkerSignals(QObject):
    """Signals of one :class:`Worker`. Created in the GUI thread, so every connected slot runs
    there (queued) even though the worker emits from a pool thread."""

    started = Signal()
    progress = Signal(float)
    status = Signal(str)
    result = Signal(object)
    error = Signal(object, str)  # exception, formatted traceback
    finished = Signal()


class TaskProgress:
    """The core's ``Progress`` protocol on top of :class:`WorkerSignals`.

    ``fraction`` emits only when the value changed by at least ``step`` (default 1 %) or
    reaches 1; ``status`` only when the text changes. ``cancel`` may be called from any thread.
    """

    def __init__(self, signals: WorkerSignals | None = None, step: float = 0.01) -> None:
        self._signals = signals
        self._step = step
        self._last = -1.0
        self._text = ""
        self._cancel = Interrupts()  # also stops an engine query the task waits on

    def fraction(self, x: float) -> None:
        x = min(max(float(x), 0.0), 1.0)
        if abs(x - self._last) >= self._step or (x >= 1.0 > self._last):
            self._last = x
            if self._signals is not None:
                self._signals.progress.emit(x)

    def status(self, text: str) -> None:
        if text != self._text:
            self._text = text
            if self._signals is not None:
                self._signals.status.emit(text)

    def cancelled(self) -> bool:
        return self._cancel.cancelled()

    def cancel(self) -> None:
        self._cancel.cancel()

    @property
    def interrupts(self) -> Interrupts:
        return self._cancel


def _accepts_progress(fn: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "progress" or p.kind is p.VAR_KEYWORD for p in params)


class Worker(QRunnable):
    """Runs ``fn(*args, **kwargs[, progress=...])`` on a pool thread and reports via
    :attr:`signals`. The return value goes to ``result``; an exception to ``error``."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the Python side (_LIVE) owns it until `finished` arrives
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.signals = WorkerSignals()
        self.progress = TaskProgress(self.signals)
        # Set by the pool thread once its last emission (``finished``) has returned: from then
        # on only the GUI thread uses the signals object, which may then be deleted.
        self.emitted_last = threading.Event()
        if "progress" not in kwargs and _accepts_progress(fn):
            self.kwargs["progress"] = self.progress

    def cancel(self) -> None:
        self.progress.cancel()

    def run(self) -> None:  # runs on a pool thread
        signals = self.signals
        signals.started.emit()
        try:
            if self.progress.cancelled():
                raise Cancelled("cancelled before it started")
            with task_scope(self.progress.interrupts):  # Cancel interrupts engine queries
                value = _call(self.fn, self.args, self.kwargs)
            if self.progress.cancelled():
                raise Cancelled("cancelled by the user")
        except BaseException as exc:  # noqa: BLE001 - errors must never vanish in threads
            signals.error.emit(exc, traceback.format_exc())
        else:
            signals.result.emit(value)
        finally:
            signals.finished.emit()
            self.emitted_last.set()


# Two tasks that import the same libraries for the first time at once can meet in Python's
# per-module import locks (the Retention list's scikit-learn and lifelines' formulaic both import
# narwhals.stable while the user arrows through the pages): Python breaks the cycle by raising
# _DeadlockError in one thread, and that import succeeds when tried again. Tasks are pure
# functions, so the task is run again (a few times at most) instead of showing an error dialog.
IMPORT_DEADLOCK_RETRIES = 3


def _import_deadlock(exc: BaseException) -> bool:
    """``exc`` or one of its causes is the import system's ``_DeadlockError`` (a private
    RuntimeError of Python's frozen import bootstrap: known by its name, not imported)."""
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__name__ == "_DeadlockError" and isinstance(seen, RuntimeError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _call(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``fn(*args, **kwargs)``, run again when an import deadlock broke it (see above)."""
    for attempt in range(IMPORT_DEADLOCK_RETRIES + 1):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            if attempt == IMPORT_DEADLOCK_RETRIES or not _import_deadlock(exc):
                raise
            log.info("import deadlock in %s; running it again", getattr(fn, "__name__", fn))
    raise AssertionError("unreachable")


# ---- the shared pool and the workers it is running ------------------------------------------

_POOL: QThreadPool | None = None
_LIVE: dict[int, Worker] = {}


def thread_pool() -> QThreadPool:
    """The one pool every MemberDesk task runs on."""
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(max(2, QThreadPool.globalInstance().maxThreadCount()))
    return _POOL


_GC: object | None = None


def collect_garbage_in_gui_thread() -> None:
    """Run Python's cyclic garbage collector only in the GUI thread, on a timer (pyqtgraph's
    ``GarbageCollector``: automatic collection off, gen 0/1/2 collected every second as their
    thresholds say). Called before the first worker starts; idempotent.

    Why: automatic collection runs in whichever thread happens to allocate. When a worker's
    computation triggers it, an unreachable cycle holding Qt widgets (a closed page, a menu) is
    destroyed in the worker thread; ``QObject::~QObject`` there takes Qt's connection lock and
    waits for the GIL while the GUI thread, holding the GIL, waits for that lock: a deadlock
    (seen in the suite), or a crash when the object is touched by two threads.
    """
    global _GC
    if _GC is None and _in_gui_thread():  # its timer must live (and fire) in the GUI thread
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _GC = GarbageCollector(interval=1.0)


def _in_gui_thread() -> bool:
    from PySide6.QtCore import QThread

    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def stop_collecting_on_timer() -> None:
    """Undo :func:`collect_garbage_in_gui_thread` (application teardown, in the GUI thread, once
    no worker runs): stop the timer, restore automatic collection, and collect now, while the
    QApplication still exists, so no cycle holding Qt objects is left for the interpreter's
    shutdown to free after Qt is gone."""
    import gc

    global _GC
    collector, _GC = _GC, None
    if collector is not None:
        timer = getattr(collector, "timer", None)
        if timer is not None and shiboken6.isValid(timer):
            timer.stop()
        gc.enable()
    gc.collect()


def _retire(worker: Worker) -> None:
    """Drop what a finished worker holds, in the GUI thread (its ``finished`` slot).

    ``QThreadPool.start`` hands the runnable's Python wrapper to the pool (PySide keeps it as
    the pool's child for as long as the C++ runnable lives, and ``autoDelete`` is off), so a
    Worker is never freed: without this every task kept its function, its arguments (datasets,
    a page's bound method) and its signals object — with the closures connected to it, which
    hold the runner, the page's callbacks and so the pages — until interpreter shutdown, where
    they were destroyed after the QApplication. Here the payload is dropped in the GUI thread
    and the signals object is deleted by the GUI thread's event loop (``deleteLater``: after the
    events already queued for this emission). The pool thread no longer touches either: the
    ``finished`` emission is the last thing :meth:`Worker.run` does with them.
    """
    worker.fn = _finished_task
    worker.args = ()
    worker.kwargs = {}
    signals = worker.signals
    if shiboken6.isValid(signals):
        signals.deleteLater()


_RETIRING: list[Worker] = []


def _retire_finished() -> None:
    """Retire the finished workers whose pool thread has returned from its last emission (a
    queued ``finished`` can reach the GUI thread while the emitting thread is still inside
    ``emit``: deleting the sender then would pull its connection list from under it); check
    again shortly for the others. GUI thread only."""
    waiting: list[Worker] = []
    for worker in _RETIRING:
        if worker.emitted_last.is_set():
            _retire(worker)
        else:
            waiting.append(worker)
    _RETIRING[:] = waiting
    if waiting:
        QTimer.singleShot(5, _retire_finished)


def _finished_task(*_args: Any, **_kwargs: Any) -> None:
    """Stands in for a finished worker's function (its own was released)."""


def start_worker(worker: Worker) -> Worker:
    """Start ``worker`` on the shared pool, keeping it alive until its ``finished`` signal has
    been delivered in the GUI thread, then dropping what it holds there (:func:`_retire`)."""
    collect_garbage_in_gui_thread()
    key = id(worker)
    _LIVE[key] = worker

    def release() -> None:
        done = _LIVE.pop(key, None)
        if done is not None:
            _RETIRING.append(done)
            _retire_finished()

    worker.signals.finished.connect(release)
    thread_pool().start(worker)
    return worker


def wait_for_pool(timeout_ms: int = 10_000) -> bool:
    """Block until every worker has finished and its signals were delivered (tests' teardown).
    Returns False on timeout."""
    deadline = time.monotonic() + timeout_ms / 1000
    for worker in list(_LIVE.values()):
        worker.cancel()
    pool = thread_pool()
    while True:
        done = pool.waitForDone(50)
        QCoreApplication.processEvents()
        if done and not _LIVE:
            _retire_finished()  # every run() has returned: all of them retire now
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            return True
        if time.monotonic() > deadline:
            return False


# ---- one application-wide error handler ----------------------------------------------------

class ErrorHub(QObject):
    """Where unhandled task errors go. The main window connects :attr:`error` to its error
    dialog; errors are logged here whether or not anyone listens."""

    error = Signal(object, str, str)  # exception, traceback, context (what was being done)

    def report(self, exc: BaseException, tb: str, context: str = "") -> None:
        if isinstance(exc, Cancelled):
            return
        log.error("%s failed: %s\n%s", context or "task", exc, tb)
        self.error.emit(exc, tb, context)


_HUB: ErrorHub | None = None


def error_hub() -> ErrorHub:
    global _HUB
    if _HUB is None:
        _HUB = ErrorHub()
    return _HUB


# ---- one active task per view ---------------------------------------------------------------

class TaskRunner(QObject):
    """Runs at most one task at a time for its owner (a page or dialog).

    ``run`` cancels the task already running; only the newest task's result, error and
    progress reach the callbacks (older generations are discarded). Signals mirror the active
    task so a status bar can show it; :attr:`is_busy` lets tests wait.
    """

    busy_changed = Signal(bool)
    progress = Signal(float)
    status = Signal(str)

    def __init__(self, parent: QObject | None = None, context: str = "") -> None:
        super().__init__(parent)
        self.context = context
        self.task_context = context  # what the running task does (for the status bar)
        self._generation = 0
        self._worker: Worker | None = None
        self._busy = False

    @property
    def is_busy(self) -> bool:
        return self._busy

    @property
    def generation(self) -> int:
        return self._generation

    def run(self, fn: Callable[..., Any], *args: Any, on_result: ResultCallback | None = None,
            on_error: ErrorCallback | None = None, on_finished: Callable[[], None] | None = None,
            context: str | None = None, **kwargs: Any) -> Worker:
        """Cancel the current task and start ``fn(*args, **kwargs)``.

        ``on_result(value)`` / ``on_error(exc, traceback)`` run in the GUI thread, only if this
        is still the newest task. Without ``on_error`` errors go to :func:`error_hub`;
        cancellation is never reported. ``on_finished()`` runs after either (newest only).
        """
        self.cancel()
        self._generation += 1
        gen = self._generation
        what = context or self.context
        self.task_context = what
        worker = Worker(fn, *args, **kwargs)
        self._worker = worker
        s = worker.signals

        def current() -> bool:  # the runner still exists and this is its newest task
            return shiboken6.isValid(self) and gen == self._generation

        # Slots return None: PySide6 mishandles values returned from Python slots.
        def progressed(x: float) -> None:
            if current():
                self.progress.emit(x)

        def status(text: str) -> None:
            if current():
                self.status.emit(text)

        def succeeded(value: object) -> None:
            if current() and on_result is not None:
                on_result(value)

        s.progress.connect(progressed)
        s.status.connect(status)
        s.result.connect(succeeded)

        def failed(exc: BaseException, tb: str) -> None:
            if isinstance(exc, Cancelled) or not current():
                return
            if on_error is not None:
                log.info("%s failed (handled by caller): %s", what or "task", exc)
                on_error(exc, tb)
            else:
                error_hub().report(exc, tb, what)

        s.error.connect(failed)

        def done() -> None:
            if not current():
                return
            self._worker = None
            self._set_busy(False)
            if on_finished is not None:
                on_finished()

        s.finished.connect(done)
        self._set_busy(True)
        self.progress.emit(0.0)
        start_worker(worker)
        return worker

    def cancel(self) -> None:
        """Ask the running task to stop and forget it (its late result is discarded)."""
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None
            self._generation += 1
            self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
            for callback in list(_MONITOR_CALLBACKS):
                callback(self, busy)


# The main window registers here to show the running task in its status bar.
_MONITOR_CALLBACKS: list[Callable[[TaskRunner, bool], None]] = []


def watch_tasks(callback: Callable[[TaskRunner, bool], None]) -> Callable[[], None]:
    """Call ``callback(runner, busy)`` whenever any runner starts or stops; returns an
    unsubscribe function."""
    _MONITOR_CALLBACKS.append(callback)
    def unsubscribe() -> None:
        if callback in _MONITOR_CALLBACKS:
            _MONITOR_CALLBACKS.remove(callback)

    return unsubscribe


_RUNNER_ATTR = "_memberdesk_task_runner"


def runner_for(owner: QObject) -> TaskRunner:
    """The owner's TaskRunner (created on first use, a child of ``owner``)."""
    runner = getattr(owner, _RUNNER_ATTR, None)
    if runner is None:
        title = getattr(owner, "title", None)
        context = title() if callable(title) else type(owner).__name__
        runner = TaskRunner(owner, context=str(context))
        setattr(owner, _RUNNER_ATTR, runner)
    return runner


def run_task(owner: QObject, fn: Callable[..., Any], *args: Any,
             on_result: ResultCallback | None = None, on_error: ErrorCallback | None = None,
             on_finished: Callable[[], None] | None = None, context: str | None = None,
             **kwargs: Any) -> Worker:
    """Run ``fn`` for ``owner`` on the shared pool, replacing the owner's running task.
    See :meth:`TaskRunner.run`."""
    return runner_for(owner).run(fn, *args, on_result=on_result, on_error=on_error,
                                 on_finished=on_finished, context=context, **kwargs)


def is_busy(owner: QObject) -> bool:
    """True while ``owner`` has a task running."""
    runner = getattr(owner, _RUNNER_ATTR, None)
    return bool(runner is not None and runner.is_busy)
