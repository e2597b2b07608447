"""What a reader produces.

Reading a file has two halves with the identify step between them
(:mod:`memberdesk.core.identify`): :func:`~memberdesk.core.readers.open_file` returns an
:class:`OpenedFile` holding the facts found while opening (encoding, delimiter, sheets) and a
:class:`TableHead` per table (its first rows, and which of them may be the header); once the
header row of each is chosen, :meth:`OpenedFile.read` returns the :class:`RawTable` below it
(one table of text columns with where each row came from) in a :class:`ReadResult`. A reader
never decides which table a file holds, nor which candidate row is the header.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from memberdesk.core.errors import DataError
from memberdesk.core.reasons import Note, Reason

if TYPE_CHECKING:  # pandas is imported where a preview is asked for: reading needs none
    import pandas as pd


@dataclass
class RawTable:
    """One table as read from a file or sheet, before mapping.

    Attributes
    ----------
    data
        Every column as text (pyarrow string), named by its (de-duplicated) source header.
    rows
        Spreadsheet row number of each row (header = 1, first data row = 2).
    file, sheet
        Where the table came from (``sheet`` is None for text and Parquet files).
    table, score
        The canonical table it was matched to (None = no match) and the match score: set by
        the identify step (:mod:`memberdesk.core.identify`), never by a reader.
    encoding, delimiter
        What was detected, for text files.
    notes
        What the reader did that the user should know (e.g. title rows above the header
        skipped); passed on as :attr:`ReadResult.messages`.
    flags
        Rows the reader already knows cannot be used, by row number: ``(reason, header,
        detail)`` (a cell over the field limit, a stray quote); validation rejects them first.
    """

    data: pa.Table
    rows: np.ndarray
    file: str
    sheet: str | None = None
    table: str | None = None
    score: float = 0.0
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    flags: dict[int, tuple[str, str, Reason]] = field(default_factory=dict)

    @property
    def headers(self) -> list[str]:
        return list(self.data.column_names)

    @property
    def source(self) -> str:
        """``file`` or ``file [sheet]``, for messages."""
        return self.file if self.sheet is None else f"{self.file} [{self.sheet}]"

    @property
    def name_hint(self) -> str:
        """The name that may say which table this is: the sheet name, else the file name
        without its suffix."""
        return self.sheet if self.sheet is not None else Path(self.file).stem

    def __len__(self) -> int:
        return int(self.data.num_rows)

    def preview(self, n: int = 20) -> pd.DataFrame:
        """The first ``n`` rows as text, indexed by source row number (for the import wizard)."""
        import pandas as pd

        frame: pd.DataFrame = self.data.slice(0, n).to_pandas()
        frame.index = pd.Index(self.rows[:n], name="row")
        return frame


@dataclass
class ReadResult:
    """Tables read from one or more files, and messages about sheets that could not be used."""

    tables: list[RawTable] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TableHead:
    """The first rows of one table (a text file, a sheet), before its header row is chosen.

    Attributes
    ----------
    file, sheet
        Where the table is (``sheet`` is None for text and Parquet files).
    name_hint
        The sheet name, else the file name without its suffix.
    rows
        The first rows as read (up to 50), cells as the file holds them (text, numbers, None).
    candidates
        Indexes in ``rows`` of the rows that may be the header, in order: the non-blank rows up
        to and including the first that holds more than two distinct cells (rows above a
        header hold at most a title, a date, a unit), at most ten. The first is the header
        unless a later one names a table (decided by the identify step). Empty when the header
        is fixed (Parquet) or the table is blank.
    """

    file: str
    sheet: str | None
    name_hint: str
    rows: tuple[tuple[object, ...], ...] = ()
    candidates: tuple[int, ...] = ()


@dataclass(frozen=True)
class OpenedFile:
    """A file opened for reading: its table heads, and how to read the tables below the chosen
    header rows.

    Attributes
    ----------
    file
        The path, as text.
    heads
        One :class:`TableHead` per table the file may hold (one per sheet of a workbook).
    reader
        ``header_rows -> ReadResult``: reads every table with its header at the given index of
        its head's ``rows`` (one index per head, in order). Use :meth:`read`.
    """

    file: str
    heads: tuple[TableHead, ...]
    reader: Callable[[Sequence[int]], ReadResult] = field(repr=False)

    def read(self, header_rows: Sequence[int]) -> ReadResult:
        """The tables below ``header_rows`` (one per head) and the messages about them.

        Raises :class:`~memberdesk.core.errors.DataError` when the file holds no usable table
        (a text file with no data rows, a workbook none of whose sheets holds one).
        """
        if len(header_rows) != len(self.heads):
            raise ValueError(f"{len(header_rows)} header rows for {len(self.heads)} tables")
        return self.reader(header_rows)


def error_note(exc: DataError) -> str:
    """A :class:`DataError` as a message (a sheet that cannot be used, the file reads on): a
    :class:`Note` when the error carries one, so it is shown in the presenter's language; the
    same English text as ``str(exc)`` either way."""
    message = exc.message
    where = exc.location()
    if isinstance(message, Note):
        place = ": ".join(p for p in (where, message.where) if p)
        return Note(message.reason, place)
    return str(exc)
