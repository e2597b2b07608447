"""Which files a list of paths names: folders expanded into the supported files directly in them,
each file once (docs/data-contract.md)."""
from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from pathlib import Path

from memberdesk.core.errors import DataError
from memberdesk.core.reasons import Note, Reason

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
PARQUET_SUFFIXES = (".parquet", ".pq")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + WORKBOOK_SUFFIXES + PARQUET_SUFFIXES


def list_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the supported files directly in them (sorted, not recursive); each
    file once, however many times it is named."""
    return expand_paths(paths)[0]


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[Note]]:
    """:func:`list_files` and a message per folder entry that is skipped (unsupported,
    hidden, not a regular file)."""
    out: list[Path] = []
    skipped: list[Note] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = []
            for f in sorted(p.iterdir()):
                why = _skip_reason(f)
                if why:
                    skipped.append(Note(why, str(f)))
                else:
                    found.append(f)
            if not found:
                raise DataError(Note(Reason("folder_no_data_files",
                                            suffixes=" ".join(SUPPORTED_SUFFIXES))), file=str(p))
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise DataError(Note(Reason("path_not_found")), file=str(p))
    # A file named twice (or also inside a named folder) is read once: reading it again would
    # reject every row of the second copy as a duplicate id.
    seen: set[Path] = set()
    unique = []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, skipped


def _skip_reason(f: Path) -> Reason | None:
    """Why a folder entry is not read (None: it is)."""
    if f.name.startswith(("~$", ".")):
        return Reason("file_skipped_hidden")
    try:
        if not f.is_file():
            return Reason("file_skipped_folder" if f.is_dir() else "file_skipped_special")
    except OSError as exc:  # symlink loop and the like
        return Reason("file_skipped_unfollowable", error=str(exc.strerror or exc))
    if f.suffix.lower() not in SUPPORTED_SUFFIXES:
        return Reason("file_skipped_not_data", suffixes=" ".join(SUPPORTED_SUFFIXES))
    return None


def _supported(f: Path) -> bool:
    return f.suffix.lower() in SUPPORTED_SUFFIXES and not f.name.startswith(("~$", "."))


def unreadable_entry(f: Path, named: Collection[Path]) -> Note | None:
    """A message when ``f`` was found in a folder (not in ``named``, the resolved paths the user
    gave) and cannot be read, so it is skipped; None otherwise (a named file that cannot be read
    raises when it is opened)."""
    if f.resolve() not in named and not os.access(f, os.R_OK):
        return Note(Reason("file_skipped_unreadable"), str(f))
    return None
