"""What a reader produces: :class:`RawTable` (one table of text columns with where each row came
from) and :class:`ReadResult` (the tables of one or more files and the messages about them)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa


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
        The canonical table it was matched to (None = no match) and the match score.
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
    flags: dict[int, tuple[str, str, str]] = field(default_factory=dict)

    @property
    def headers(self) -> list[str]:
        return list(self.data.column_names)

    @property
    def source(self) -> str:
        """``file`` or ``file [sheet]``, for messages."""
        return self.file if self.sheet is None else f"{self.file} [{self.sheet}]"

    def __len__(self) -> int:
        return int(self.data.num_rows)

    def preview(self, n: int = 20) -> pd.DataFrame:
        """The first ``n`` rows as text, indexed by source row number (for the import wizard)."""
        frame: pd.DataFrame = self.data.slice(0, n).to_pandas()
        frame.index = pd.Index(self.rows[:n], name="row")
        return frame


@dataclass
class ReadResult:
    """Tables read from one or more files, and messages about sheets that could not be used."""

    tables: list[RawTable] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
