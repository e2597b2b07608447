"""The one way MemberDesk writes a file: atomically, or not at all.

Every file MemberDesk writes (the Excel report, the rejected rows, a workspace, a chart
export, the settings) goes through :func:`atomic_write`: the content is written to a temporary
file in the target's own folder (same file system, so the final rename is atomic), flushed and
``fsync``-ed, given the permissions of the file it replaces (or the usual ``0666 & ~umask``), and
moved into place with :func:`os.replace`. On any failure (full disk, read-only folder, a locked
target) the temporary file is removed, the previous file, if any, is left byte for byte as it
was, and one :class:`~memberdesk.core.errors.DataError` names the target — no traceback noise:
writers that hold open handles (a zip file inside openpyxl) are closed before the error leaves.

:func:`same_file` and :func:`refuse_overwriting_inputs` stop an output path that is one of the
inputs (compared through symlinks by resolved real path and by device + inode).
"""
from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from memberdesk.core.errors import DataError


def atomic_write(target: str | Path, write: Callable[[BinaryIO], object], *,
                 what: str = "the file") -> Path:
    """Write ``target`` atomically by calling ``write(handle)`` on a temporary binary file.

    Parameters
    ----------
    target
        The file to create or replace.
    write
        Writes the whole content to the open binary handle it is given.
    what
        How messages name the file ("the report", "the rejected rows", ...).

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    DataError
        When the content cannot be written or moved into place; the old file is unchanged.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise DataError(f"cannot write {what} in its folder ({_why(exc)})",
                        file=str(target)) from None
    tmp = Path(tmp_name)
    failure: BaseException | None = None
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        _copy_mode(target, tmp)
        os.replace(tmp, target)
        _fsync_folder(folder)
    except OSError as exc:
        failure = exc
    except BaseException:
        _remove(tmp)
        raise
    if failure is not None:
        _remove(tmp)
        raise DataError(f"cannot save {what} ({_why(failure)}); the previous file, if any, is "
                        "unchanged", file=str(target)) from None
    return target


def atomic_write_bytes(target: str | Path, data: bytes, *, what: str = "the file") -> Path:
    """:func:`atomic_write` of a bytes object."""
    return atomic_write(target, lambda h: h.write(data), what=what)


def atomic_write_text(target: str | Path, text: str, *, encoding: str = "utf-8",
                      what: str = "the file") -> Path:
    """:func:`atomic_write` of a text (``encoding``, default UTF-8)."""
    return atomic_write_bytes(target, text.encode(encoding), what=what)


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _remove(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); ignored where folders cannot be opened (Windows)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _copy_mode(target: Path, tmp: Path) -> None:
    """Give the new file the old file's permissions (or the usual 0666 & ~umask).

    The umask is never read with ``os.umask`` (which sets it, process-wide, for a moment: a
    race with every other thread creating files, and this runs on worker threads): a new file
    created with mode 0666 next to ``tmp`` gets exactly 0666 & ~umask from the system."""
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        mode = _default_file_mode(tmp.parent)
    os.chmod(tmp, mode)


def _default_file_mode(folder: Path) -> int:
    """0666 & ~umask, read from a probe file created in ``folder`` and removed again."""
    probe = folder / f".memberdesk-mode-{os.getpid()}-{threading.get_ident()}"
    fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    try:
        return os.fstat(fd).st_mode & 0o777
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            probe.unlink()


# ---- never overwrite an input ---------------------------------------------------------------

def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether ``a`` and ``b`` are the same file: equal resolved real paths (through symlinks),
    or, when both exist, the same device and inode (hard links, case-insensitive names)."""
    pa_, pb = Path(a), Path(b)
    try:
        if os.path.realpath(pa_) == os.path.realpath(pb):
            return True
    except (OSError, ValueError):
        pass
    try:
        sa, sb = pa_.stat(), pb.stat()
    except (OSError, ValueError):
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _input_files(inputs: Iterable[str | Path]) -> Iterator[Path]:
    """The inputs, with the files directly inside any folder among them."""
    for p in map(Path, inputs):
        yield p
        if p.is_dir():
            with contextlib.suppress(OSError):
                yield from (f for f in p.iterdir())


def input_clash(output: str | Path, inputs: Iterable[str | Path]) -> Path | None:
    """The input file that ``output`` would overwrite, or None."""
    for f in _input_files(inputs):
        if same_file(output, f):
            return f
    return None


def refuse_overwriting_inputs(output: str | Path, inputs: Iterable[str | Path],
                              option: str = "the output") -> str:
    """A usage message when ``output`` is one of ``inputs`` (or a file in an input folder);
    "" when it is safe to write."""
    clash = input_clash(output, inputs)
    if clash is None:
        return ""
    real = os.path.realpath(output)
    return (f"{option} {output} is the input data file {clash} (real path {real}); "
            "it would be overwritten: choose another file name").strip()
