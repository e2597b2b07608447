"""The careful text reader: row numbers exactly as a spreadsheet shows them, short rows padded,
long rows widening the table, blank lines skipped and quote accidents explained. Slower than
``pyarrow.csv``; used when the fast reader cannot take a file as it is."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from memberdesk.core import schema
from memberdesk.core.errors import DataError
from memberdesk.core.readers.cells import unique_headers
from memberdesk.core.reasons import Note, Reason


class field_limit:
    """``csv.field_size_limit`` raised for the duration of a read (any field the fast path
    accepts, the careful path accepts; over-long fields are rejected afterwards)."""

    def __init__(self, size: int) -> None:
        self.size = min(max(size + 1, 1 << 17), 2**31 - 1)
        self.old = 0

    def __enter__(self) -> None:
        self.old = csv.field_size_limit(self.size)

    def __exit__(self, *exc: object) -> None:
        csv.field_size_limit(self.old)


@dataclass
class Careful:
    """What the careful reader read: the table, each row's number, rows rejected while reading
    (row number -> (reason, header, detail)) and notes for the validation report."""

    table: pa.Table
    rows: np.ndarray
    flags: dict[int, tuple[str, str, Reason]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_careful(data: bytes, delimiter: str, header_row: int = 1, file: str = "") -> Careful:
    """Careful, slower reader: numbers rows as a spreadsheet does (``data`` starts with the
    header, which is row ``header_row``), pads short rows, widens the table for long ones,
    skips blank lines, and explains any difference between physical lines and rows read.

    A quote opened and never closed would swallow every following line into one cell: that
    raises :class:`DataError` naming the row. A quote closed on a later line around lines that
    look like whole records (an export error, see :func:`_swallowed`) rejects the rows where
    the quote opens and closes (``suspect_quote``) and reads the lines between as rows.
    """
    consumed: list[str] = []

    def lines() -> Iterable[str]:
        for ln in io.StringIO(data.decode("utf-8", errors="replace"), newline=""):
            consumed.append(ln)
            yield ln

    with field_limit(len(data)):
        reader = csv.reader(lines(), delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            return Careful(pa.table({}), np.empty(0, np.int64))
        consumed.clear()
        headers = unique_headers(header)
        parsed: list[tuple[list[str], list[str] | None]] = []
        for rec in reader:
            parsed.append((rec, list(consumed) if len(consumed) > 1 else None))
            consumed.clear()
        if parsed and data.count(b'"') % 2 and parsed[-1][1] is not None:
            raise DataError(Note(Reason("quote_never_closed")), file=file,
                            row=header_row + len(parsed))
        return _records(parsed, headers, delimiter, header_row, file)


def _records(parsed: list[tuple[list[str], list[str] | None]], headers: list[str],
             delimiter: str, header_row: int, file: str) -> Careful:
    width = len(headers)
    records: list[list[str]] = []
    numbers: list[int] = []
    flags: dict[int, tuple[str, str, Reason]] = {}
    notes: list[str] = []
    blank = quoted_breaks = 0
    row_number = header_row
    line_number = header_row
    for rec, physical in parsed:
        row_number += 1
        first_line = line_number + 1
        line_number += len(physical) if physical else 1
        if physical and _swallowed(rec, delimiter, width):
            pieces = [next(csv.reader([ln.rstrip("\r\n")], delimiter=delimiter), [])
                      for ln in physical]
            detail = Reason("row_quote_swallows_lines", first_line=first_line,
                            last_line=line_number, lines=len(pieces) - 2)
            notes.append(Note(detail, file))
            for k, piece in enumerate(pieces):
                if k in (0, len(pieces) - 1):
                    flags[row_number + k] = (schema.REASON_SUSPECT_QUOTE, headers[0], detail)
                records.append(piece)
                numbers.append(row_number + k)
            row_number += len(pieces) - 1
            continue
        if physical:
            quoted_breaks += len(physical) - 1
        if not any(c.strip() for c in rec):
            blank += 1
            continue
        records.append(rec)
        numbers.append(row_number)
    widest = max((len(r) for r in records), default=width)
    if widest > width:
        used = [any(len(r) > j and r[j].strip() for r in records) for j in range(width, widest)]
        extra = (max(i for i, u in enumerate(used) if u) + 1) if any(used) else 0
        headers = headers + unique_headers([*headers, *[""] * extra])[width:]
        width = len(headers)
    if width > schema.MAX_COLUMNS:
        raise DataError(Note(Reason("file_too_many_columns", n=width, limit=schema.MAX_COLUMNS)),
                        file=file)
    records = [r[:width] if len(r) >= width else r + [""] * (width - len(r)) for r in records]
    if blank or quoted_breaks:
        lines_read = line_number - header_row
        notes.append(Note(Reason("lines_and_rows_read", lines=lines_read, rows=len(records),
                                 blank=blank, breaks=quoted_breaks), file))
    columns = list(zip(*records)) if records else [()] * width
    table = pa.table({h: pa.array(list(col), type=pa.string()) for h, col in zip(headers, columns)})
    return Careful(table, np.asarray(numbers, dtype=np.int64), flags, notes)


def _swallowed(rec: list[str], delimiter: str, width: int) -> bool:
    """Whether a multi-line cell of ``rec`` holds lines that look like whole records (at
    least ``width - 2`` delimiters, for tables of three or more columns)."""
    if width < 3:
        return False
    for cell in rec:
        inner = cell.splitlines()
        if len(inner) > 1 and any(ln.count(delimiter) >= width - 2 for ln in inner[1:]):
            return True
    return False
