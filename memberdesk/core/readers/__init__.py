"""Read table files into raw string tables (docs/data-contract.md): CSV/TSV/TXT, XLSX, Parquet, folders.

A reader does not interpret cells: every column comes back as a pyarrow string array (trimmed
later by :mod:`memberdesk.core.normalize`), with the original header as its name, the file and
sheet it came from, and the spreadsheet row number of each row (header = row 1, first data row
= row 2).

Readers only read: which canonical table a file or sheet holds, and which of its candidate rows
is the header, is decided by :mod:`memberdesk.core.identify` (this package never imports
:mod:`memberdesk.core.mapping`; a test checks it). The load path runs one way, a file at a time:
:func:`open_file` (facts and first rows) -> identify chooses the header row ->
:meth:`OpenedFile.read` (the table below it) -> identify names the table -> mapping ->
validation.

One module a job: :mod:`.files` (which files a path names), :mod:`.text` (CSV/TSV/TXT, with
:mod:`.careful` for files the fast reader cannot take), :mod:`.workbook`, :mod:`.parquet`,
:mod:`.cells` (header rows, blank rows), :mod:`.columns` (long cells, dictionary encoding) and
:mod:`.table` (what they all return).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from memberdesk.core.errors import DataError
from memberdesk.core.progress import Progress
from memberdesk.core.readers import columns
from memberdesk.core.readers.cells import drop_blank_rows, header_candidates, unique_headers
from memberdesk.core.readers.files import (
    PARQUET_SUFFIXES,
    SUPPORTED_SUFFIXES,
    TEXT_SUFFIXES,
    WORKBOOK_SUFFIXES,
    expand_paths,
    list_files,
    unreadable_entry,
)
from memberdesk.core.readers.parquet import open_parquet, read_parquet
from memberdesk.core.readers.table import OpenedFile, RawTable, ReadResult, TableHead
from memberdesk.core.readers.text import DELIMITERS, detect_encoding, open_text, sniff_delimiter
from memberdesk.core.reasons import Note, Reason

if TYPE_CHECKING:  # loaded on first use (below): a CSV run never needs the workbook reader
    from memberdesk.core.readers import workbook
    from memberdesk.core.readers.workbook import open_workbook

__all__ = [
    "DELIMITERS", "PARQUET_SUFFIXES", "SUPPORTED_SUFFIXES", "TEXT_SUFFIXES", "WORKBOOK_SUFFIXES",
    "OpenedFile", "RawTable", "ReadResult", "TableHead", "columns", "detect_encoding",
    "drop_blank_rows", "expand_paths", "header_candidates", "list_files", "open_file",
    "open_parquet", "open_text", "open_workbook", "read_parquet", "sniff_delimiter",
    "unique_headers", "unreadable_entry", "workbook",
]


def open_file(path: str | Path, progress: Progress | None = None,
              encoding: str | None = None, include_hidden: bool = False) -> OpenedFile:
    """Open one file of any supported kind (the content decides when the suffix lies): its
    facts and table heads, and a reader for the tables below the header rows chosen by the
    identify step (:mod:`memberdesk.core.identify`). ``encoding``: the text encoding chosen by
    the user (None = detect); ``include_hidden``: read hidden workbook sheets too.

    Raises :class:`DataError` for a file that is missing, empty or cannot be opened.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(Note(Reason("file_not_found")), file=str(path))
    try:
        with path.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise DataError(Note(Reason("file_cannot_open", error=str(exc.strerror or exc))),
                        file=str(path)) from exc
    if not magic:
        raise DataError(Note(Reason("file_empty")), file=str(path))
    suffix = path.suffix.lower()
    if magic.startswith(b"PK\x03\x04") or magic.startswith(b"\xd0\xcf\x11\xe0"):
        from memberdesk.core.readers.workbook import open_workbook

        return open_workbook(path, progress, include_hidden)
    if magic.startswith(b"PAR1"):
        return open_parquet(path)
    if suffix in WORKBOOK_SUFFIXES + PARQUET_SUFFIXES:
        raise DataError(Note(Reason("file_not_valid_kind", suffix=suffix)), file=str(path))
    return open_text(path, progress, encoding)


def __getattr__(name: str) -> Any:
    """``workbook`` and ``open_workbook`` on first use (PEP 562): the workbook reader imports
    the XML parser and the spreadsheet facts (~5 ms), which a CSV run never uses."""
    if name in ("workbook", "open_workbook"):
        from memberdesk.core.readers import workbook

        return workbook if name == "workbook" else workbook.open_workbook
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
