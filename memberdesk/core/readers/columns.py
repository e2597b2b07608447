"""Column-wise finishing of a read table: cells over the field limit flagged, repetitive text
columns dictionary-encoded (memory of big files)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from memberdesk.core import schema
from memberdesk.core.normalize import dictionary_encode_text, is_text_dictionary
from memberdesk.core.reasons import Reason


def flag_long_fields(table: pa.Table, rows: np.ndarray,
                      flags: dict[int, tuple[str, str, Reason]]) -> pa.Table:
    """Reject rows holding a cell longer than :data:`schema.MAX_FIELD_CHARS` (``field_too_long``);
    the cell keeps its first 100 characters, for the rejected-rows export."""
    limit = schema.MAX_FIELD_CHARS
    for j, name in enumerate(table.column_names):
        col = table.column(j)
        if isinstance(col, pa.ChunkedArray):
            col = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
        words = col.dictionary if is_text_dictionary(col) else col
        if table.num_rows == 0 or (pc.max(pc.binary_length(words)).as_py() or 0) <= limit:
            continue
        col = col.cast(pa.string()) if words is not col else col
        lengths = pc.fill_null(pc.utf8_length(col), 0)
        long_ = np.asarray(pc.greater(lengths, limit), dtype=bool)
        if not long_.any():
            continue
        for i in np.flatnonzero(long_):
            flags.setdefault(int(rows[i]), (
                schema.REASON_FIELD_TOO_LONG, name,
                Reason("row_cell_too_long", chars=lengths[int(i)].as_py(), limit=limit)))
        short = pc.if_else(pa.array(long_), pc.utf8_slice_codeunits(col, 0, 100), col)
        table = table.set_column(j, name, short)
    return table


# Repetitive text columns are dictionary-encoded while reading (memory of big files); tests
# switch it off to compare with plain text columns.
ENCODE_REPETITIVE = True


def repetitive_columns(sample: Sequence[Sequence[str]], width: int) -> set[int]:
    """Columns worth reading dictionary-encoded, judged on the rows of the first 64 KiB: those
    that repeat (fewer than 90 % distinct values; ids and amounts do not)."""
    rows = [r for r in sample[:-1] if len(r) == width]  # the sample may cut its last row
    if len(rows) < 50:
        return set()
    return {j for j in range(width) if len({r[j] for r in rows}) < 0.9 * len(rows)}


def narrow(arr: pa.Array) -> pa.Array:
    """A dictionary column with the narrowest index type (one or two bytes a row), or decoded
    when it turned out not to repeat (more distinct values than a quarter of its rows)."""
    if not isinstance(arr, pa.DictionaryArray):
        return arr
    size = len(arr.dictionary)
    if size > max(len(arr) // 4, 32_767):
        return arr.cast(arr.type.value_type)
    index = pa.int8() if size < 128 else pa.int16() if size < 32_768 else pa.int32()
    return pa.DictionaryArray.from_arrays(arr.indices.cast(index), arr.dictionary)


def encode_repetitive(table: pa.Table) -> pa.Table:
    """Repetitive text columns (statuses, channels, dates) dictionary-encoded with one- or
    two-byte codes, column by column: a 5M-row table takes a fraction of the memory, and
    validation parses each distinct text once."""
    if table.num_rows < 1000 or not ENCODE_REPETITIVE:
        return table
    names = table.column_names
    columns = table.columns
    del table
    arrays = []
    for i in range(len(columns)):
        col = columns[i]
        arr = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
        columns[i] = None
        arrays.append(dictionary_encode_text(arr))
        del arr, col
    return pa.Table.from_arrays(arrays, names=names)
