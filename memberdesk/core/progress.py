"""The tiny progress protocol every long computation accepts.

Core functions take ``progress: Progress | None = None``; the UI passes an object that forwards
to Qt signals, tests pass a stub. Call :func:`check_cancelled` at safe points.
"""
from __future__ import annotations

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
