"""The tiny progress protocol every long computation accepts.

Core functions take ``progress: Progress | None = None``; the UI passes an object that forwards
to Qt signals, tests pass a stub. Call :func:`check_cancelled` at safe points.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from memberdesk.core.errors import Cancelled


class Progress(Protocol):
    def fraction(self, x: float) -> None:
        """Report completion in [0, 1]."""

    def status(self, text: str) -> None:
        """Report what is being done, in plain words."""

    def cancelled(self) -> bool:
        """True once the user asked to stop."""


class NullProgress:
    """Progress that ignores everything and never cancels."""

    def fraction(self, x: float) -> None:
        pass

    def status(self, text: str) -> None:
        pass

    def cancelled(self) -> bool:
        return False


def ensure(progress: Progress | None) -> Progress:
    return progress if progress is not None else NullProgress()


def check_cancelled(progress: Progress | None) -> None:
    """Raise :class:`Cancelled` if ``progress`` says the user asked to stop."""
    if progress is not None and progress.cancelled():
        raise Cancelled("cancelled by the user")


class SubProgress:
    """Maps a sub-task's [0, 1] onto [start, end] of a parent progress."""

    def __init__(self, parent: Progress | None, start: float, end: float) -> None:
        self._parent = ensure(parent)
        self._start = start
        self._end = end

    def fraction(self, x: float) -> None:
        self._parent.fraction(self._start + (self._end - self._start) * min(max(x, 0.0), 1.0))

    def status(self, text: str) -> None:
        self._parent.status(text)

    def cancelled(self) -> bool:
        return self._parent.cancelled()


# ---- stopping what runs outside Python (an engine's query) ------------------------------------
# A task runner marks the thread a task runs on with the task's cancellation (``task_scope``);
# code that waits on something it can interrupt — a DuckDB, PostgreSQL or Spark query — registers
# how to interrupt it for the time it waits (``interruptible``). Cancel then stops the query
# itself, not only the wait for it (issue #13 point 6).


class Interrupts:
    """A task's cancellation with the interrupts of what it is waiting on. ``cancel`` may be
    called from any thread: it sets the flag and calls every registered interrupt, under the
    lock that registering and unregistering take: an interrupt is never registered after the
    flag is set (it would be missed), and a block of :func:`interruptible` ends only once
    its interrupt has returned (a late one would stop the next query on the session)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._hooks: list[Callable[[], None]] = []

    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            for hook in self._hooks:
                try:
                    hook()
                except Exception:  # noqa: BLE001 - an interrupt that fails leaves the wait, no more
                    pass

    def _add(self, hook: Callable[[], None]) -> None:
        """Register ``hook``; raises :class:`Cancelled` when the task was cancelled already."""
        with self._lock:
            if self._event.is_set():
                raise Cancelled("cancelled by the user")
            self._hooks.append(hook)

    def _remove(self, hook: Callable[[], None]) -> None:
        with self._lock:
            self._hooks.remove(hook)


_CURRENT = threading.local()


@contextmanager
def task_scope(interrupts: Interrupts) -> Iterator[None]:
    """Run the block as the task ``interrupts`` belongs to (on this thread)."""
    previous = getattr(_CURRENT, "interrupts", None)
    _CURRENT.interrupts = interrupts
    try:
        yield
    finally:
        _CURRENT.interrupts = previous


@contextmanager
def interruptible(interrupt: Callable[[], None]) -> Iterator[None]:
    """While the block runs, the task of this thread (if any) stops it by calling
    ``interrupt`` on Cancel; raises :class:`Cancelled` at once when it was cancelled already.
    Outside a task the block just runs."""
    scope: Interrupts | None = getattr(_CURRENT, "interrupts", None)
    if scope is None:
        yield
        return
    scope._add(interrupt)  # raises Cancelled when cancelled already
    try:
        yield
    finally:
        scope._remove(interrupt)
