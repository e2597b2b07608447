"""Start reading a command line's files while the libraries load.

A command-line run spends ~0.3 s importing pandas and the analysis modules before its loader asks
for the files; reading a million-row CSV takes about as long, mostly in pyarrow's parser, which
runs without the GIL. :func:`start` begins that read in a background thread as soon as the
command line is known; :func:`~memberdesk.core.identify.read_files` then takes the result
(:func:`take`) when it is asked for the same paths with the same options, and reads as usual
otherwise. The result is the same object a plain read returns: the same function reads the
same files. It is used only if each file still has the size and modification time it had when
the early read began, and the reader's settings (missing-value texts) are unchanged; a read that
failed is done again by the caller, so an error is raised where it always was.

Only the command line starts early reads (``memberdesk.cli``); the window never does, so its
reads always go the usual way.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from memberdesk.core.readers.files import expand_paths

if TYPE_CHECKING:
    from memberdesk.core.readers import ReadResult

Key = tuple[tuple[str, ...], str | None, bool]


@dataclass
class _EarlyRead:
    thread: threading.Thread
    state: object = None  # the files and settings the read began with
    result: ReadResult | None = None  # None until done, or when it failed
    done: threading.Event = field(default_factory=threading.Event)


_reads: dict[Key, _EarlyRead] = {}
_lock = threading.Lock()


def _key(paths: Sequence[str | Path], encoding: str | None, include_hidden: bool) -> Key:
    return tuple(str(Path(p).resolve()) for p in paths), encoding, include_hidden


def _state(paths: Sequence[str | Path]) -> object:
    """What the read depends on besides its arguments: each file's path, size and modification
    time (folders expanded) and the texts read as missing. Raises what ``expand_paths`` raises."""
    from memberdesk.core.normalize import missing_tokens

    files, _ = expand_paths(paths)
    stats = [(str(f.resolve()), (s := f.stat()).st_size, s.st_mtime_ns) for f in files]
    return stats, missing_tokens()


def start(paths: Sequence[str | Path], encoding: str | None = None,
          include_hidden: bool = False) -> None:
    """Begin reading ``paths`` (as :func:`~memberdesk.core.identify.read_files` would with these
    options) in a daemon thread. Does nothing if a path does not exist."""
    if not paths or not all(Path(p).exists() for p in paths):
        return
    import memberdesk.core.identify  # noqa: F401 - the readers' modules load here, before the thread

    key = _key(paths, encoding, include_hidden)
    early = _EarlyRead(threading.Thread(target=lambda: _read(early, paths, encoding, include_hidden),
                                        name="memberdesk-early-read", daemon=True))
    with _lock:
        if key in _reads:
            return
        _reads[key] = early
    early.thread.start()


def _read(early: _EarlyRead, paths: Sequence[str | Path], encoding: str | None,
          include_hidden: bool) -> None:
    from memberdesk.core.identify import read_files_now

    try:
        early.state = _state(paths)
        early.result = read_files_now(paths, None, encoding, include_hidden)
    except BaseException:  # noqa: BLE001 - the caller reads again and meets the same error
        early.result = None
    finally:
        early.done.set()


def take(paths: Sequence[str | Path], encoding: str | None = None,
         include_hidden: bool = False) -> ReadResult | None:
    """The early read of ``paths`` with these options, waiting for it to finish; None when there
    is none, it failed, or a file or the reader's settings changed since it began. Each early
    read is taken once."""
    if not _reads:
        return None
    with _lock:
        early = _reads.pop(_key(paths, encoding, include_hidden), None)
    if early is None:
        return None
    early.done.wait()
    if early.result is None:
        return None
    try:
        same = _state(paths) == early.state
    except Exception:  # noqa: BLE001 - a file gone since: the caller's own read says so
        return None
    return early.result if same else None


def pending() -> int:
    """How many early reads have not been taken (for tests)."""
    with _lock:
        return len(_reads)
