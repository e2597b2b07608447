"""Numbers from text cells: currency signs and words dropped, thousands separators only between
groups of three digits; a decimal comma is reported, never guessed."""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from memberdesk.core.normalize.cells import as_string_array, is_empty, map_distinct
from memberdesk.core.normalize.typed import is_text_dictionary, typed_numbers

_CURRENCY = re.compile(r"(?i)[\s¥$€£'_]|rmb|cny|usd|hkd|eur|元|人民币")
# A comma is a thousands separator only between groups of three digits ("1,234.50"); anything
# else ("1.234,5", "12,34") is a decimal comma or a typo and is reported, never guessed.
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")


def _parse_number_text(text: str) -> float | None:
    t = unicodedata.normalize("NFKC", text).strip()
    negative = t.startswith("(") and t.endswith(")")
    if negative:
        t = t[1:-1]
    percent = t.endswith("%")
    if percent:
        t = t[:-1]
    t = _CURRENCY.sub("", t)
    if "," in t:
        if not _THOUSANDS.match(t):
            return None
        t = t.replace(",", "")
    try:
        v = float(t)
    except ValueError:
        return None
    if not np.isfinite(v):
        return None
    v = -v if negative else v
    return v / 100.0 if percent else v


CAST_PROBE = 1000  # cells cast alone before a whole column


def cast_float(arr: pa.Array) -> pa.Array | None:
    """``pc.cast(arr, float64)``, or None when some cell does not cast.

    A failing cast of a million texts costs ~0.3 s of CPU, a succeeding one ~10 ms, so the
    first :data:`CAST_PROBE` cells are cast alone first: a cast is all-or-nothing, so if they
    fail the column fails too (a text column fails on its first cells).
    """
    try:
        if len(arr) > 2 * CAST_PROBE:
            pc.cast(arr.slice(0, CAST_PROBE), pa.float64())
        return pc.cast(arr, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def cast_numbers(values: object) -> tuple[np.ndarray, np.ndarray] | None:
    """Fast path for a raw text column of plain numbers: ``(float64 values, empty mask)``, or
    None when some cell does not cast (spaces, blanks, words: the careful path decides).

    Cast failures are all-or-nothing, so a success means every non-null cell is a plain
    number, ``nan`` or ``inf``; only those non-finite cells can be empty (``NaN`` tokens) and
    only they are checked.
    """
    if not (isinstance(values, pa.Array) and pa.types.is_string(values.type)):
        return None
    cast = cast_float(values)
    if cast is None:
        return None
    out = np.array(cast, dtype=float)  # nulls -> NaN
    empty = np.zeros(len(out), dtype=bool)
    odd = np.flatnonzero(~np.isfinite(out))
    if odd.size:
        empty[odd] = is_empty(pc.utf8_trim_whitespace(values.take(pa.array(odd))))
    return out, empty


def parse_numbers(values: object) -> tuple[np.ndarray, np.ndarray]:
    """Parse numbers; thousands separators, currency signs and words (¥ $ RMB 元 …), ``12%``
    (-> 0.12) and accounting negatives ``(1,234)`` are accepted.

    Returns (float64 array with NaN where empty/unreadable, unreadable mask).
    """
    if isinstance(values, pd.Series) and pd.api.types.is_numeric_dtype(values.dtype) \
            and not pd.api.types.is_bool_dtype(values.dtype):
        out = values.to_numpy(dtype=float, na_value=np.nan)
        return out, np.zeros(len(out), bool)
    typed = typed_numbers(values)
    if typed is not None:
        return typed, np.zeros(len(typed), bool)
    if is_text_dictionary(values):  # parse the distinct texts once, spread by the codes
        assert isinstance(values, pa.DictionaryArray)
        out_d, bad_d = parse_numbers(values.dictionary)
        codes = np.asarray(pc.fill_null(values.indices.cast(pa.int64()), -1), dtype=np.int64)
        return np.append(out_d, np.nan)[codes], np.append(bad_d, False)[codes]
    fast = cast_numbers(values)
    if fast is not None:
        out, empty = fast
        bad = ~empty & ~np.isfinite(out)  # "inf": not an amount
        out[~np.isfinite(out)] = np.nan
        return out, bad
    arr = as_string_array(values)
    empty = is_empty(arr)
    # the first cells alone first (see cast_float): a text column fails there, cheaply
    head = pc.if_else(pa.array(empty[:CAST_PROBE]), None, arr.slice(0, CAST_PROBE))
    if cast_float(head) is not None:
        cast = cast_float(pc.if_else(pa.array(empty), None, arr))
        if cast is not None:
            out = np.asarray(pc.fill_null(cast, np.nan), dtype=float)
            bad = ~empty & ~np.isfinite(out)  # "inf": not an amount
            return np.where(bad, np.nan, out), bad
    vals, ok, _ = map_distinct(arr, _parse_number_text, object)
    out = np.where(ok, vals, np.nan).astype(float)
    return out, ~empty & ~ok
