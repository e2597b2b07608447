"""Parquet files -> :class:`RawTable`, typed columns kept (docs/data-contract.md)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from memberdesk.core.errors import DataError
from memberdesk.core.normalize import as_string_array
from memberdesk.core.readers.cells import drop_blank_rows, unique_headers
from memberdesk.core.readers.table import OpenedFile, RawTable, ReadResult, TableHead
from memberdesk.core.reasons import Note, Reason


def open_parquet(path: str | Path) -> OpenedFile:
    """Open a Parquet file: its header is its column names (no row to choose), so the table is
    read at once (see :func:`read_parquet`)."""
    raw = read_parquet(path)
    return OpenedFile(raw.file, (TableHead(raw.file, None, raw.name_hint),),
                      lambda _rows: ReadResult([raw]))


def read_parquet(path: str | Path) -> RawTable:
    """Read a Parquet file natively: numbers, booleans, decimals, dates, timestamps (with or
    without a time zone) and durations keep their Arrow types (see
    :mod:`memberdesk.core.normalize`, "typed columns"); dictionary columns are decoded; only
    text, binary and nested columns become text."""
    import pyarrow.parquet as pq

    path = Path(path)
    file = str(path)
    try:
        source = pq.read_table(path)
    except Exception as exc:
        raise DataError(Note(Reason("parquet_unreadable", error=str(exc))), file=file) from exc
    if source.num_columns == 0:
        raise DataError(Note(Reason("file_no_columns")), file=file)
    if source.num_rows == 0:
        raise DataError(Note(Reason("file_no_data_rows")), file=file)
    headers = unique_headers(source.column_names)
    table = pa.table({h: _native_column(c) for h, c in zip(headers, source.columns)})
    rows = np.arange(2, table.num_rows + 2, dtype=np.int64)
    table, rows = drop_blank_rows(table, rows)
    return RawTable(table, rows, file)


def _native_column(col: pa.ChunkedArray) -> pa.Array:
    arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    t = arr.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) \
            or pa.types.is_boolean(t) or pa.types.is_date(t) or pa.types.is_timestamp(t) \
            or pa.types.is_duration(t):
        return arr
    return as_string_array(arr)
