"""Ids, text and extra columns: trimmed text, whole numbers read from a spreadsheet without their
".0", extra columns read as numbers when they mostly are."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from memberdesk.core.normalize.cells import as_string_array, distinct_values, is_empty
from memberdesk.core.normalize.numbers import cast_numbers, parse_numbers
from memberdesk.core.normalize.typed import is_text_dictionary, typed_numbers


def clean_text(values: object, *, repetitive: bool = False) -> np.ndarray:
    """Trimmed text as an object array of ``str``; None where empty. Whole numbers read from
    a workbook (``12345.0``) become ``"12345"`` (ids keep their leading zeros when stored as
    text). ``repetitive=True`` (categories) makes one Python string per distinct value."""
    if repetitive:
        codes, distinct = distinct_values(values)
        uniques = np.asarray(distinct.to_pylist() + [None], dtype=object)
        uniques[:-1][is_empty(distinct)] = None
        return np.asarray(uniques[codes])
    return _clean_trimmed(as_string_array(values))


def _clean_trimmed(arr: pa.Array) -> np.ndarray:
    """:func:`clean_text` of an already trimmed string array (not repetitive)."""
    empty = is_empty(arr)
    if empty.any():
        arr = pc.if_else(pa.array(empty), None, arr)
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)


def extra_column(values: object) -> np.ndarray:
    """An unmapped source column: float64 when every non-empty cell is a plain number,
    otherwise trimmed text (object, None where empty)."""
    if isinstance(values, pa.Array) and pa.types.is_string(values.type) \
            and _all_numbers(values.slice(0, _NUMBER_PROBE)):
        # Fast path: raw cells that cast as they are (no spaces, no blanks) need no trimming.
        fast = cast_numbers(values)
        if fast is not None and not fast[1].all():
            out, empty = fast
            if not _leading_zero(values):
                out[empty] = np.nan
                return out
            return _text_extra(as_string_array(values))
    arr = as_string_array(values)
    head = arr.slice(0, _NUMBER_PROBE)
    head_empty = is_empty(head)
    # A failing cast of a million texts costs ~0.3 s: try the first cells alone first (if
    # they are not all numbers the whole column is not either).
    if head_empty.all() or _all_numbers(head.filter(pa.array(~head_empty))):
        empty = is_empty(arr)
        if (~empty).any():
            try:
                out = pc.cast(pc.if_else(pa.array(empty), None, arr), pa.float64())
                if not _leading_zero(arr):
                    return np.asarray(pc.fill_null(out, np.nan), dtype=float)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
    return _text_extra(arr)


MOSTLY_NUMERIC = 0.9  # share of non-empty cells that must be numbers


def extra_column_checked(values: object) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`extra_column`, and for a *mostly* numeric column (at least 90 % of its non-empty
    cells are numbers, e.g. R's ``NA`` written as ``.`` or a stray word) the column as
    numbers with the other cells missing, plus the mask of those cells to report (None when
    nothing was set missing). Never silently a category because of a few non-numbers."""
    typed = typed_numbers(values)
    if typed is not None:
        return typed, None
    out = extra_column(values)
    if out.dtype != object:
        return out, None
    arr = as_string_array(values)
    empty = is_empty(arr)
    filled = int((~empty).sum())
    if filled == 0 or _leading_zero(arr):
        return out, None
    # a text dictionary from the reader is parsed on its distinct texts (the same cells)
    nums, bad = parse_numbers(values if is_text_dictionary(values) else arr)
    n_bad = int(bad.sum())
    if n_bad == 0 or filled - n_bad < MOSTLY_NUMERIC * filled:
        return out, None
    return nums, bad


def _leading_zero(arr: pa.Array) -> bool:
    """Whether a (trimmed) cell looks like an id with leading zeros (``007``): kept as text."""
    # cheap prefix test first: the regex costs ~20 ms a million cells
    if not (pc.any(pc.starts_with(arr, "0")).as_py() or pc.any(pc.starts_with(arr, "-0")).as_py()):
        return False
    return bool(pc.any(pc.match_substring_regex(arr, r"^-?0\d")).as_py())


def _text_extra(arr: pa.Array) -> np.ndarray:
    """A trimmed text extra column as objects; categories (few distinct words) get one
    Python string per distinct value."""
    head = arr.slice(0, _REPEAT_PROBE)
    if pc.count_distinct(head).as_py() <= len(head) // 2:
        return clean_text(arr, repetitive=True)
    return _clean_trimmed(arr)


_NUMBER_PROBE = 1000
_REPEAT_PROBE = 10_000


def _all_numbers(sample: pa.Array) -> bool:
    try:
        pc.cast(sample, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True
