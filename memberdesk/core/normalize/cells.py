"""Raw cells: any column as a pyarrow string array, the cell texts read as missing, empty cells, and
parsing on distinct values only."""
from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from memberdesk.core import schema
from memberdesk.core.normalize.typed import is_text_dictionary

# Cells that spreadsheets and exports write for "no value": missing in every column type, never
# unreadable (docs/data-contract.md: schema.MISSING_TOKENS, plus what pandas/pyarrow/Excel write: NaT, <NA>,
# #NULL!). Compared after trimming, in lower, upper and title case. Configurable with
# set_missing_tokens (the import wizard).
_BUILTIN_TOKENS: tuple[str, ...] = ("-NaN", "<NA>", "NaT", "#NULL!")
NULL_TOKENS: tuple[str, ...] = ()
_NULL_SET: pa.Array = pa.nulls(0, type=pa.string())
_NULL_MIN_BYTES = _NULL_MAX_BYTES = 0


def set_missing_tokens(tokens: Sequence[str] | None = None) -> tuple[str, ...]:
    """Set the cell texts read as missing (None = :data:`schema.MISSING_TOKENS`); empty and
    whitespace-only cells are always missing. Returns the tokens now in force."""
    global NULL_TOKENS, _NULL_SET, _NULL_MIN_BYTES, _NULL_MAX_BYTES
    chosen = tuple(t.strip() for t in (schema.MISSING_TOKENS if tokens is None else tokens)
                   if t.strip())
    variants = {v for t in (*chosen, *_BUILTIN_TOKENS) for v in (t, t.lower(), t.upper(), t.title())}
    NULL_TOKENS = chosen
    _NULL_SET = text_array(sorted(variants))
    sizes = [len(t.encode()) for t in variants]
    _NULL_MIN_BYTES, _NULL_MAX_BYTES = min(sizes), max(sizes)
    return chosen


def text_array(texts: Sequence[str]) -> pa.Array:
    """``texts`` as a pyarrow string array, built from its buffers: ``pa.array`` on Python
    objects first asks pyarrow's pandas shim, which imports pandas (~0.2 s) — and the file
    readers must not wait for pandas (docs/architecture.md "Start-up")."""
    encoded = [t.encode() for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), len(encoded),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])


def missing_tokens() -> tuple[str, ...]:
    """The cell texts read as missing now (see :func:`set_missing_tokens`)."""
    return NULL_TOKENS


set_missing_tokens()


def as_string_array(values: object) -> pa.Array:
    """Any column (pyarrow array, pandas Series, list) as a pyarrow string array, trimmed.

    Python objects are written the way a person would type them: whole floats without
    ``.0``, dates as ISO text, datetimes with their time.
    """
    if isinstance(values, pa.ChunkedArray):
        arr: pa.Array = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    elif isinstance(values, pa.Array):
        arr = values
    else:
        import pandas as pd  # only for Python objects; the readers' Arrow columns need no pandas

        series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)  # type: ignore[call-overload]
        if series.dtype == object:
            arr = pa.array([_cell_text(v) for v in series], type=pa.string())
        else:
            arr = pa.array(series)
    if is_text_dictionary(arr):
        # Trim the distinct texts, then spread them: the same cells as decoding then trimming,
        # without a regex pass over every cell of a repetitive column.
        assert isinstance(arr, pa.DictionaryArray)
        dictionary = arr.dictionary
        if pa.types.is_large_string(dictionary.type):
            dictionary = dictionary.cast(pa.string())
        if pc.any(pc.match_substring_regex(dictionary, _EDGE_SPACE)).as_py():
            dictionary = pc.utf8_trim_whitespace(dictionary)
        return dictionary.take(arr.indices)
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if pa.types.is_floating(arr.type):
        f = arr.to_numpy(zero_copy_only=False)
        whole = np.isfinite(f) & (np.floor(f) == f) & (np.abs(f) < 2**53)
        texts = np.where(whole, np.where(whole, f, 0).astype(np.int64).astype(str), f.astype(str))
        arr = pa.array(texts, mask=~np.isfinite(f), type=pa.string())
    elif not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        try:
            arr = arr.cast(pa.string())
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            # lists, structs, maps, non-UTF-8 binary (Parquet): their Python text
            arr = pa.array([_cell_text(v) for v in arr.to_pylist()], type=pa.string())
    if pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    if len(arr) > 1000 and (not may_have_edge_space(arr)
                            or not pc.any(pc.match_substring_regex(arr, _EDGE_SPACE)).as_py()):
        return arr  # nothing to trim: no copy of a big column
    return pc.utf8_trim_whitespace(arr)


# first/last bytes that can belong to a white-space character: ASCII tab to carriage return and
# space, and any byte of a multi-byte (non-ASCII) character
_MAYBE_SPACE = np.zeros(256, dtype=bool)
_MAYBE_SPACE[[9, 10, 11, 12, 13, 32]] = True
_MAYBE_SPACE[128:] = True


def may_have_edge_space(arr: pa.Array) -> bool:
    """False when no cell of the string array ``arr`` can start or end with white space
    (what :data:`_EDGE_SPACE` matches): read from each cell's first and last byte, ~10x
    cheaper than the regex over a million cells. True means "maybe" (the regex decides)."""
    if not pa.types.is_string(arr.type) or len(arr) == 0:
        return True
    offsets_buf, data_buf = arr.buffers()[1], arr.buffers()[2]
    if offsets_buf is None or data_buf is None:
        return bool(data_buf is not None)
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[arr.offset:arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts  # nulls and empty cells have no bytes
    if not filled.all():
        starts, ends = starts[filled], ends[filled]
    if not len(starts):
        return False
    return bool(_MAYBE_SPACE[data[starts]].any() or _MAYBE_SPACE[data[ends - 1]].any())


# a cell starting or ending with Unicode white space (what utf8_trim_whitespace removes)
_EDGE_SPACE = r"^[\s\pZ\x0b\x{85}]|[\s\pZ\x0b\x{85}]$"


def _cell_text(v: object) -> str | None:
    if v is None or _is_pandas_missing(v):
        return None
    if isinstance(v, float):
        if v != v:
            return None
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):  # pandas' Timestamp too
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.timedelta):  # a time-only cell; not a date
        return str(v)
    return str(v)


def _is_pandas_missing(v: object) -> bool:
    """``pd.NaT`` or ``pd.NA`` (without importing pandas for values that cannot be either)."""
    pd = sys.modules.get("pandas")
    return pd is not None and (v is pd.NaT or v is pd.NA)


def is_empty(arr: pa.Array) -> np.ndarray:
    """True where the (trimmed) cell is null, blank or a null token such as ``NaN``, ``NULL``,
    ``None``, ``#N/A`` (see :data:`NULL_TOKENS`; lower, upper or title case): a missing value,
    never an unreadable one."""
    lengths = pc.binary_length(arr)
    # Only cells as long as some null token can be one: long ids and texts skip the hash lookup.
    maybe = pc.and_(pc.greater_equal(lengths, _NULL_MIN_BYTES), pc.less_equal(lengths, _NULL_MAX_BYTES))
    blank = np.asarray(pc.fill_null(pc.equal(lengths, 0), True), dtype=bool)
    if pc.any(maybe).as_py():
        blank |= np.asarray(pc.fill_null(pc.and_(maybe, pc.is_in(arr, value_set=_NULL_SET)), False),
                            dtype=bool)
    return blank


def distinct_values(values: object) -> tuple[np.ndarray, pa.Array]:
    """``(codes, distinct)``: each cell's index into ``distinct`` (the trimmed distinct cells;
    -1 for a null cell). A raw string array is encoded before trimming, so only the distinct
    values are trimmed (two raw cells differing only in spaces give equal distinct entries)."""
    if is_text_dictionary(values):
        enc = values  # already encoded by the reader: no expansion
    else:
        if isinstance(values, pa.Array) and pa.types.is_string(values.type):
            arr = values
        else:
            arr = as_string_array(values)
        enc = pc.dictionary_encode(arr)
    assert isinstance(enc, pa.DictionaryArray)
    indices = enc.indices
    codes = np.asarray(pc.fill_null(indices, -1) if indices.null_count else indices, dtype=np.int64)
    return codes, pc.utf8_trim_whitespace(enc.dictionary)


def map_distinct(arr: object, parse: Callable[[str], object], dtype: object
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply ``parse`` (returning a value or None for 'cannot read') to each distinct value.

    Returns (values, ok, empty) over the whole array; ok is False where parse gave None, empty
    is True where the cell is empty (see :func:`is_empty`).
    """
    codes, distinct = distinct_values(arr)
    uniques = distinct.to_pylist()
    parsed = [parse(u) for u in uniques]
    ok_u = np.array([p is not None for p in parsed] + [False], dtype=bool)
    empty_u = np.append(is_empty(distinct), True)
    vals_u = np.empty(len(parsed) + 1, dtype=dtype)  # type: ignore[call-overload]
    for i, p in enumerate(parsed):
        if p is not None:
            vals_u[i] = p
    return vals_u[codes], ok_u[codes], empty_u[codes]
