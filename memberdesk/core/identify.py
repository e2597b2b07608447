"""Identify what a file holds: which row of each table is its header, and which canonical table
it is (docs/architecture.md, "The load path"; docs/data-contract.md).

The load path runs one way, one file at a time::

    readers.open_file   facts (encoding, delimiter, sheets) and each table's first rows
      -> header_row     the header among the candidate rows (a title may sit above it)
      -> OpenedFile.read  the table below that row (readers again, on the opened file)
      -> name_table     the canonical table, by file/sheet name or headers
      -> loader         column mapping (memberdesk.core.mapping) -> validation -> Dataset

The readers never call back into this module or into :mod:`memberdesk.core.mapping`; the
identification rules live here, with the header scores of :func:`~memberdesk.core.mapping.guess_table`.

Header rule: the first candidate row (see :func:`~memberdesk.core.readers.header_candidates`)
whose headers name a table (:func:`guess_table` finds one) is the header; when none does, the
first candidate is (a table that matches nothing keeps its first row as header, and the loader
or the user decides what it is).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from memberdesk.core import early_read
from memberdesk.core.errors import DataError
from memberdesk.core.mapping import guess_table
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.readers import (
    OpenedFile,
    RawTable,
    ReadResult,
    TableHead,
    expand_paths,
    open_file,
    unique_headers,
    unreadable_entry,
)
from memberdesk.core.reasons import Note, Reason


def header_row(head: TableHead) -> int:
    """Index in ``head.rows`` of the header: the first candidate whose cells name a table (by
    themselves or with the file/sheet name), else the first candidate (0 when there is none)."""
    for i in head.candidates:
        if guess_table(unique_headers(head.rows[i]), head.name_hint)[0] is not None:
            return i
    return head.candidates[0] if head.candidates else 0


def name_table(raw: RawTable) -> RawTable:
    """``raw`` with :attr:`~RawTable.table` and :attr:`~RawTable.score` set: the canonical table
    its file/sheet name and headers designate (None = no match, score 0)."""
    table, score = guess_table(raw.headers, raw.name_hint)
    return replace(raw, table=table, score=score)


def identify_file(opened: OpenedFile) -> ReadResult:
    """The tables of an opened file, each read below its header row and named."""
    result = opened.read([header_row(h) for h in opened.heads])
    return ReadResult([name_table(raw) for raw in result.tables], result.messages)


def read_file(path: str | Path, progress: Progress | None = None,
              encoding: str | None = None, include_hidden: bool = False) -> ReadResult:
    """Read and identify one file of any supported kind (see
    :func:`~memberdesk.core.readers.open_file` for the arguments and errors)."""
    return identify_file(open_file(path, progress, encoding, include_hidden))


def read_files(paths: Sequence[str | Path], progress: Progress | None = None,
               encoding: str | None = None, include_hidden: bool = False) -> ReadResult:
    """Read and identify every file (folders expanded), one file at a time.

    Unreadable files raise :class:`DataError`, except those found in a folder that cannot be
    opened (skipped with a message, as are entries that are not data files); so does a list of
    paths where no file holds a table. ``encoding``: the text encoding chosen by the user
    (None = detect); ``include_hidden``: read hidden workbook sheets too. A command line may
    have begun this very read while its libraries loaded (:mod:`memberdesk.core.early_read`):
    its result is taken when it matches.
    """
    early = early_read.take(paths, encoding, include_hidden)
    if early is not None:
        ensure(progress).fraction(1.0)
        return early
    return read_files_now(paths, progress, encoding, include_hidden)


def read_files_now(paths: Sequence[str | Path], progress: Progress | None = None,
                   encoding: str | None = None, include_hidden: bool = False) -> ReadResult:
    """:func:`read_files` without looking for an early read: the files are read here."""
    files, skipped = expand_paths(paths)
    named = {Path(p).resolve() for p in paths}
    prog = ensure(progress)
    result = ReadResult(messages=list(skipped))
    for i, f in enumerate(files):
        check_cancelled(progress)
        prog.status(f"Reading {f.name}")
        unreadable = unreadable_entry(f, named)
        if unreadable is not None:
            result.messages.append(unreadable)
            continue
        # the opened file (and any decoded text it holds) is released before the next one
        part = identify_file(open_file(f, progress, encoding, include_hidden))
        result.tables.extend(part.tables)
        result.messages.extend(part.messages)
        prog.fraction((i + 1) / len(files))
    if not result.tables:
        raise DataError(Note(Reason("no_file_read", why="; ".join(result.messages)[:300])),
                        file=", ".join(map(str, paths)))
    return result
