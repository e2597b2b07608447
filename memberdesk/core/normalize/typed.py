"""Typed (Arrow/Parquet) columns, read natively: numbers, booleans, durations, dates and timestamps;
text columns dictionary-encoded when they repeat."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# ---- typed (Arrow/Parquet) columns -----------------------------------------------------------
# Typed columns are read natively, never printed and re-parsed: numbers and decimals as float64,
# booleans as 0/1, durations in days (1 day = 86,400 s, whatever the stored unit), dates as the
# calendar day, timestamps as the calendar day of their wall-clock time (in their own time zone
# when they carry one). Only text columns go through the text rules.

_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def plain_array(values: object) -> pa.Array | None:
    """``values`` as a pyarrow Array, dictionaries of typed values decoded (dictionaries of
    text stay encoded), or None when it is not an Arrow array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if not isinstance(values, pa.Array):
        return None
    if pa.types.is_dictionary(values.type) and not is_text_dictionary(values):
        values = values.cast(values.type.value_type)
    return values


def is_text_dictionary(values: object) -> bool:
    """Whether ``values`` is a dictionary-encoded Arrow text column (the CSV reader encodes
    repetitive columns: statuses, channels, dates repeat and take a byte or two a row)."""
    return isinstance(values, pa.DictionaryArray) and (
        pa.types.is_string(values.type.value_type) or pa.types.is_large_string(values.type.value_type))


def dictionary_encode_text(arr: pa.Array, max_share: float = 0.1) -> pa.Array:
    """A text column dictionary-encoded with the narrowest index type when its first 10,000
    cells hold at most ``max_share`` distinct values (else unchanged)."""
    if len(arr) < 1000 or not pa.types.is_string(arr.type):
        return arr
    head = arr.slice(0, 10_000)
    if pc.count_distinct(head).as_py() > max_share * len(head):
        return arr
    enc = pc.dictionary_encode(arr)
    size = len(enc.dictionary)
    index = pa.int8() if size < 128 else pa.int16() if size < 32_768 else None
    if index is None:
        return arr if size > len(arr) // 4 else enc
    return pa.DictionaryArray.from_arrays(enc.indices.cast(index), enc.dictionary)


def is_typed(values: object) -> bool:
    """Whether ``values`` is an Arrow column of numbers, booleans, dates, timestamps or
    durations (read natively, not as text)."""
    arr = plain_array(values)
    return arr is not None and typed_numbers(arr) is not None or is_temporal(arr)


def is_temporal(arr: pa.Array | None) -> bool:
    return arr is not None and (pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type))


def typed_numbers(values: object) -> np.ndarray | None:
    """float64 values of a typed numeric/boolean/duration Arrow column (NaN where null), or
    None for any other column."""
    arr = plain_array(values)
    if arr is None:
        return None
    t = arr.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) \
            or pa.types.is_boolean(t):
        source = arr.cast(pa.int8()) if pa.types.is_boolean(t) else arr
        out = np.asarray(pc.cast(source, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
        return np.where(np.isfinite(out), out, np.nan)
    if pa.types.is_duration(t):
        ticks = np.asarray(arr.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=float)
        return ticks / (_PER_SECOND[t.unit] * 86_400.0)
    return None


def typed_days(arr: pa.Array) -> np.ndarray:
    """datetime64[D] of a date/timestamp Arrow column (NaT where null)."""
    t = arr.type
    if pa.types.is_timestamp(t):
        if t.tz is not None:
            arr = pc.local_timestamp(arr)  # wall-clock time in the column's own zone
        ticks = np.asarray(arr.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=float)
        days = np.floor(ticks / (_PER_SECOND[t.unit] * 86_400.0))
    else:
        ticks = np.asarray(arr.cast(pa.date32()).cast(pa.int32()).to_numpy(zero_copy_only=False),
                           dtype=float)
        days = ticks
    out = np.full(len(arr), np.datetime64("NaT"), dtype="datetime64[D]")
    ok = np.isfinite(days)
    out[ok] = days[ok].astype(np.int64).astype("datetime64[D]")
    return out
