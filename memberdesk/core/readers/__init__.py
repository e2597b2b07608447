"""Read table files into raw string tables (docs/data-contract.md): CSV/TSV/TXT, XLSX, Parquet, folders.

A reader does not interpret cells: every column comes back as a pyarrow string array (trimmed
later by :mod:`memberdesk.core.normalize`), with the original header as its name, the file and
sheet it came from, and the spreadsheet row number of each row (header = row 1, first data row
= row 2).

One module a job: :mod:`.files` (which files a path names), :mod:`.text` (CSV/TSV/TXT, with
:mod:`.careful` for files the fast reader cannot take), :mod:`.workbook`, :mod:`.parquet`,
:mod:`.cells` (header rows, blank rows), :mod:`.columns` (long cells, dictionary encoding) and
:mod:`.table` (what they all return).
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from memberdesk.core.errors import DataError
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.readers.cells import drop_blank_rows, header_index
from memberdesk.core.readers.files import (
    PARQUET_SUFFIXES,
    SUPPORTED_SUFFIXES,
    TEXT_SUFFIXES,
    WORKBOOK_SUFFIXES,
    _list,
    list_files,
)
from memberdesk.core.readers.parquet import read_parquet
from memberdesk.core.readers.table import RawTable, ReadResult
from memberdesk.core.readers.text import DELIMITERS, detect_encoding, read_text, sniff_delimiter
from memberdesk.core.readers.workbook import read_workbook

__all__ = [
    "DELIMITERS", "PARQUET_SUFFIXES", "SUPPORTED_SUFFIXES", "TEXT_SUFFIXES", "WORKBOOK_SUFFIXES",
    "RawTable", "ReadResult", "detect_encoding", "drop_blank_rows", "header_index", "list_files",
    "read_file", "read_files", "read_parquet", "read_text", "read_workbook", "sniff_delimiter",
]


def read_files(paths: Sequence[str | Path], progress: Progress | None = None,
               encoding: str | None = None, include_hidden: bool = False) -> ReadResult:
    """Read every file (folders expanded). Unreadable files raise :class:`DataError`, except
    those found in a folder that cannot be opened (skipped with a message, as are entries that
    are not data files). ``encoding``: the text encoding chosen by the user (None = detect);
    ``include_hidden``: read hidden workbook sheets too."""
    files, skipped = _list(paths)
    named = {Path(p).resolve() for p in paths}
    prog = ensure(progress)
    result = ReadResult(messages=list(skipped))
    for i, f in enumerate(files):
        check_cancelled(progress)
        prog.status(f"Reading {f.name}")
        if f.resolve() not in named and not os.access(f, os.R_OK):
            result.messages.append(f"{f}: skipped (cannot be read: permission denied)")
            continue
        part = read_file(f, progress, encoding, include_hidden)
        result.tables.extend(part.tables)
        result.messages.extend(part.messages)
        prog.fraction((i + 1) / len(files))
    if not result.tables:
        raise DataError("no file could be read (" + "; ".join(result.messages)[:300] + ")",
                        file=", ".join(map(str, paths)))
    return result


def read_file(path: str | Path, progress: Progress | None = None,
              encoding: str | None = None, include_hidden: bool = False) -> ReadResult:
    """Read one file of any supported kind (the content decides when the suffix lies)."""
    path = Path(path)
    if not path.is_file():
        raise DataError("no such file", file=str(path))
    try:
        with path.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise DataError(f"cannot open the file ({exc.strerror or exc})", file=str(path)) from exc
    if not magic:
        raise DataError("the file is empty", file=str(path))
    suffix = path.suffix.lower()
    if magic.startswith(b"PK\x03\x04") or magic.startswith(b"\xd0\xcf\x11\xe0"):
        return read_workbook(path, progress, include_hidden)
    if magic.startswith(b"PAR1"):
        return ReadResult([read_parquet(path)])
    if suffix in WORKBOOK_SUFFIXES + PARQUET_SUFFIXES:
        raise DataError(f"not a valid {suffix} file (its content is not a workbook/Parquet file)",
                        file=str(path))
    raw = read_text(path, progress, encoding)
    return ReadResult([raw], list(raw.notes))
