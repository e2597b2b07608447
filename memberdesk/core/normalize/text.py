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
    if is_text_dictionary(values):
        return _DictionaryExtra(values).column()
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
    if is_text_dictionary(values):
        return _DictionaryExtra(values).checked()
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


class _DictionaryExtra:
    """:func:`extra_column` / :func:`extra_column_checked` of a text dictionary from the reader,
    worked out on its distinct texts and spread by the codes (never a million-cell string
    array): the same values and masks as the cell-by-cell path, whose every step is a test
    per cell (empty, casts as a number, leading zero) or a count of cells."""

    def __init__(self, values: object) -> None:
        self.values = values
        self.codes, distinct = distinct_values(values)  # -1: a null cell
        self.distinct = distinct.cast(pa.string()) if pa.types.is_large_string(distinct.type) \
            else distinct
        n = len(self.distinct)
        valid = self.codes[self.codes >= 0] if (self.codes < 0).any() else self.codes
        self.counts = np.bincount(valid, minlength=n)[:n]
        self.used = self.counts > 0  # a dictionary may hold texts no cell uses
        self.empty = is_empty(self.distinct)
        head = self.codes[:_NUMBER_PROBE]
        self.used_head = np.bincount(head[head >= 0], minlength=n)[:n] > 0

    def _spread(self, per_value: np.ndarray, for_null: object) -> np.ndarray:
        spread: np.ndarray = np.append(per_value, np.array([for_null], dtype=per_value.dtype))
        out: np.ndarray = spread[self.codes]
        return out

    def _numbers(self) -> np.ndarray | None:
        """float64 per distinct text when every used non-empty text casts as a number (and
        none looks like an id with a leading zero), else None."""
        if not _all_numbers(self.distinct.filter(pa.array(self.used_head & ~self.empty))):
            return None  # the first cells are not all numbers: neither is the column
        filled = self.used & ~self.empty
        if not filled.any():
            return None
        try:
            cast = pc.cast(pc.if_else(pa.array(filled), self.distinct, None), pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        if self._leading_zero():
            return None
        return np.asarray(pc.fill_null(cast, np.nan), dtype=float)

    def _leading_zero(self) -> bool:
        return _leading_zero(self.distinct.filter(pa.array(self.used)))

    def column(self) -> np.ndarray:
        numbers = self._numbers()
        if numbers is not None:
            return self._spread(numbers, np.nan)
        texts = np.asarray(self.distinct.to_pylist(), dtype=object)
        texts[self.empty] = None
        return self._spread(texts, None)

    def checked(self) -> tuple[np.ndarray, np.ndarray | None]:
        out = self.column()
        if out.dtype != object:
            return out, None
        filled = int(self.counts[~self.empty].sum())
        if filled == 0 or self._leading_zero():
            return out, None
        # parsed and counted on the distinct texts (each counted as often as cells hold it);
        # spread to the cells only for a mostly numeric column
        nums, bad = parse_numbers(self.distinct)
        n_bad = int(self.counts[bad].sum())
        if n_bad == 0 or filled - n_bad < MOSTLY_NUMERIC * filled:
            return out, None
        return self._spread(nums, np.nan), self._spread(bad, False)


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
