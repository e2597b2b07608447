"""Vectorised parsing of raw cell text into canonical values (docs/data-contract.md).

Every function takes a column of raw cells as a pyarrow string array (what the readers
produce; see :func:`as_string_array` for anything else) and returns ``(values, bad)``: the
parsed values as a numpy array/pandas Series and a boolean numpy mask of the non-empty cells that
could not be read. Empty cells (null, blank) are missing, never bad.

The work is done in pyarrow compute kernels or on the distinct values only (dictionary
encoding), so a million-row column takes milliseconds to a few hundred milliseconds.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from memberdesk.core import schema

EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
EXCEL_SERIAL_RANGE = (20_000.0, 80_000.0)  # 1954-10-03 .. 2119-01-08

_YMD = (r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
        r"(?:(?:[ T]|\s+).*)?$")
_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:\.0+)?$"
_SERIAL = r"^\d{5}(?:\.\d*)?$"
_CURRENCY = re.compile(r"(?i)[\s¥$€£'_]|rmb|cny|usd|hkd|eur|元|人民币")
# A comma is a thousands separator only between groups of three digits ("1,234.50"); anything
# else ("1.234,5", "12,34") is a decimal comma or a typo and is reported, never guessed.
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
# Cells that spreadsheets and exports write for "no value": missing in every column type, never
# unreadable (docs/data-contract.md: schema.MISSING_TOKENS, plus what pandas/pyarrow/Excel write: NaT, <NA>,
# #NULL!). Compared after trimming, in lower, upper and title case. Configurable with
# set_missing_tokens (the import wizard).
_BUILTIN_TOKENS: tuple[str, ...] = ("-NaN", "<NA>", "NaT", "#NULL!")
NULL_TOKENS: tuple[str, ...] = ()
_NULL_SET = pa.array([], type=pa.string())
_NULL_MIN_BYTES = _NULL_MAX_BYTES = 0


def set_missing_tokens(tokens: Sequence[str] | None = None) -> tuple[str, ...]:
    """Set the cell texts read as missing (None = :data:`schema.MISSING_TOKENS`); empty and
    whitespace-only cells are always missing. Returns the tokens now in force."""
    global NULL_TOKENS, _NULL_SET, _NULL_MIN_BYTES, _NULL_MAX_BYTES
    chosen = tuple(t.strip() for t in (schema.MISSING_TOKENS if tokens is None else tokens)
                   if t.strip())
    variants = {v for t in (*chosen, *_BUILTIN_TOKENS) for v in (t, t.lower(), t.upper(), t.title())}
    NULL_TOKENS = chosen
    _NULL_SET = pa.array(sorted(variants), type=pa.string())
    sizes = [len(t.encode()) for t in variants]
    _NULL_MIN_BYTES, _NULL_MAX_BYTES = min(sizes), max(sizes)
    return chosen


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
        series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)  # type: ignore[call-overload]
        if series.dtype == object:
            arr = pa.array([_cell_text(v) for v in series], type=pa.string())
        else:
            arr = pa.array(series)
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
    if len(arr) > 1000 and not pc.any(pc.match_substring_regex(arr, _EDGE_SPACE)).as_py():
        return arr  # nothing to trim: no copy of a big column
    return pc.utf8_trim_whitespace(arr)


# a cell starting or ending with Unicode white space (what utf8_trim_whitespace removes)
_EDGE_SPACE = r"^[\s\pZ\x0b\x{85}]|[\s\pZ\x0b\x{85}]$"


def _cell_text(v: object) -> str | None:
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, float):
        if v != v:
            return None
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.timedelta):  # a time-only cell; not a date
        return str(v)
    return str(v)


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


_empty = is_empty


def _distinct(values: object) -> tuple[np.ndarray, pa.Array]:
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


def _map_distinct(arr: object, parse: Callable[[str], object], dtype: object
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply ``parse`` (returning a value or None for 'cannot read') to each distinct value.

    Returns (values, ok, empty) over the whole array; ok is False where parse gave None, empty
    is True where the cell is empty (see :func:`is_empty`).
    """
    codes, distinct = _distinct(arr)
    uniques = distinct.to_pylist()
    parsed = [parse(u) for u in uniques]
    ok_u = np.array([p is not None for p in parsed] + [False], dtype=bool)
    empty_u = np.append(is_empty(distinct), True)
    vals_u = np.empty(len(parsed) + 1, dtype=dtype)  # type: ignore[call-overload]
    for i, p in enumerate(parsed):
        if p is not None:
            vals_u[i] = p
    return vals_u[codes], ok_u[codes], empty_u[codes]


# ---- typed (Arrow/Parquet) columns -----------------------------------------------------------
# Typed columns are read natively, never printed and re-parsed: numbers and decimals as float64,
# booleans as 0/1, durations in days (1 day = 86,400 s, whatever the stored unit), dates as the
# calendar day, timestamps as the calendar day of their wall-clock time (in their own time zone
# when they carry one). Only text columns go through the text rules.

_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _plain(values: object) -> pa.Array | None:
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
    arr = _plain(values)
    return arr is not None and typed_numbers(arr) is not None or _is_temporal(arr)


def _is_temporal(arr: pa.Array | None) -> bool:
    return arr is not None and (pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type))


def typed_numbers(values: object) -> np.ndarray | None:
    """float64 values of a typed numeric/boolean/duration Arrow column (NaN where null), or
    None for any other column."""
    arr = _plain(values)
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


def _typed_days(arr: pa.Array) -> np.ndarray:
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


# ---- dates --------------------------------------------------------------------------------

def _ymd_to_days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970 as datetime64[D]; NaT where the calendar date does not exist."""
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31) & (y >= 1700) & (y <= 2261)
    y, m, d = np.where(ok, y, 1970), np.where(ok, m, 1), np.where(ok, d, 1)
    month = (y - 1970) * 12 + (m - 1)
    first = month.astype("datetime64[M]").astype("datetime64[D]")
    days = first + (d - 1).astype("timedelta64[D]")
    ok &= days.astype("datetime64[M]") == first.astype("datetime64[M]")  # no 31 Feb
    return np.where(ok, days, np.datetime64("NaT"))


def _extract_ymd(arr: pa.Array, pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """Dates from cells matching ``pattern`` (groups y, m, d); returns (days, matched)."""
    ext = pc.extract_regex(arr, pattern)
    matched = np.asarray(pc.fill_null(pc.is_valid(ext), False), dtype=bool)
    out = np.full(len(arr), np.datetime64("NaT"), dtype="datetime64[D]")
    if matched.any():
        idx = np.flatnonzero(matched)
        sub = ext.filter(pa.array(matched))
        parts = [np.asarray(pc.cast(sub.field(k), pa.int64()), dtype=np.int64) for k in "ymd"]
        out[idx] = _ymd_to_days(*parts)
    return out, matched


def parse_dates(values: object) -> tuple[pd.Series, np.ndarray]:
    """Parse a column of dates; the time of day is dropped.

    Accepted, mixed freely within one column: ``2021-03-01``, ``2021/3/1``, ``2021.3.1``,
    ``20210301``, ``2021年3月1日``, any of these followed by a time, and Excel serial numbers
    20000–80000 (days since 1899-12-30, fraction = time of day).

    Returns
    -------
    (dates, bad)
        ``datetime64[ns]`` Series (NaT where empty or unreadable) and the unreadable mask.
    """
    if isinstance(values, pd.Series) and pd.api.types.is_datetime64_any_dtype(values.dtype):
        s = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
        return s.dt.normalize().astype("datetime64[ns]").reset_index(drop=True), np.zeros(len(s), bool)
    arr = _plain(values)
    if _is_temporal(arr):
        assert arr is not None
        days = _typed_days(arr)
        outside = (days < np.datetime64("1700-01-01")) | (days >= np.datetime64("2262-01-01"))
        bad = outside & ~np.isnat(days)
        return pd.Series(np.where(outside, np.datetime64("NaT"), days).astype("datetime64[ns]")), bad
    # Dates repeat a lot: parse each distinct text once, then spread by the codes.
    codes, distinct = _distinct(values)
    distinct_days = _parse_distinct_dates(distinct)
    bad_u = ~_empty(distinct) & np.isnat(distinct_days)
    days = np.append(distinct_days.astype("datetime64[ns]"), np.datetime64("NaT", "ns"))[codes]
    bad = np.append(bad_u, False)[codes]
    return pd.Series(days), bad


def _parse_distinct_dates(arr: pa.Array) -> np.ndarray:
    """datetime64[D] per cell of ``arr`` (NaT when empty or unreadable)."""
    empty = _empty(arr)
    # Fast path: ISO dates, optionally followed by a time.
    first10 = pc.utf8_slice_codeunits(arr, 0, 10)
    head = pc.strptime(first10, format="%Y-%m-%d", unit="s", error_is_null=True)
    sep = pc.utf8_slice_codeunits(arr, 10, 11)
    # strptime rolls 2021-02-30 over to March: insist the date prints back as written.
    exists = pc.equal(pc.strftime(head, format="%Y-%m-%d"), first10)
    iso = pc.and_(exists, pc.is_in(sep, value_set=pa.array(["", " ", "T"])))
    iso_mask = np.asarray(pc.fill_null(iso, False), dtype=bool)
    days, matched = _extract_ymd(arr.filter(pa.array(~iso_mask)), _YMD) if (~iso_mask).any() \
        else (np.empty(0, "datetime64[D]"), np.empty(0, bool))
    days_all = np.full(len(arr), np.datetime64("NaT"), dtype="datetime64[D]")
    matched_all = iso_mask.copy()
    days_all[iso_mask] = np.asarray(head.filter(pa.array(iso_mask)).cast(pa.timestamp("s")),
                                    dtype="datetime64[s]").astype("datetime64[D]")
    days_all[~iso_mask] = days
    matched_all[~iso_mask] = matched
    days, matched = days_all, matched_all
    rest = ~matched & ~empty
    if rest.any():
        sub_idx = np.flatnonzero(rest)
        sub = arr.filter(pa.array(rest))
        d2, m2 = _extract_ymd(sub, _COMPACT)
        days[sub_idx[m2]] = d2[m2]
        matched[sub_idx[m2]] = True
        serial_mask = np.asarray(pc.fill_null(pc.match_substring_regex(sub, _SERIAL), False), dtype=bool) & ~m2
        if serial_mask.any():
            nums = np.asarray(pc.cast(sub.filter(pa.array(serial_mask)), pa.float64()), dtype=float)
            lo, hi = EXCEL_SERIAL_RANGE
            in_range = (nums >= lo) & (nums <= hi)
            target = sub_idx[serial_mask]
            serial_days = EXCEL_EPOCH + np.floor(np.where(in_range, nums, 0)).astype("timedelta64[D]")
            days[target[in_range]] = serial_days[in_range]
            matched[target[in_range]] = True
    # datetime64[ns] spans 1677..2262; anything outside (e.g. 9999-12-31) is unreadable here.
    outside = (days < np.datetime64("1700-01-01")) | (days >= np.datetime64("2262-01-01"))
    return np.where(outside, np.datetime64("NaT"), days)


# ---- numbers ------------------------------------------------------------------------------

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


def _cast_numbers(values: object) -> tuple[np.ndarray, np.ndarray] | None:
    """Fast path for a raw text column of plain numbers: ``(float64 values, empty mask)``, or
    None when some cell does not cast (spaces, blanks, words: the careful path decides).

    Cast failures are all-or-nothing, so a success means every non-null cell is a plain
    number, ``nan`` or ``inf``; only those non-finite cells can be empty (``NaN`` tokens) and
    only they are checked.
    """
    if not (isinstance(values, pa.Array) and pa.types.is_string(values.type)):
        return None
    try:
        out = np.array(pc.cast(values, pa.float64()), dtype=float)  # nulls -> NaN
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    empty = np.zeros(len(out), dtype=bool)
    odd = np.flatnonzero(~np.isfinite(out))
    if odd.size:
        empty[odd] = _empty(pc.utf8_trim_whitespace(values.take(pa.array(odd))))
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
    fast = _cast_numbers(values)
    if fast is not None:
        out, empty = fast
        bad = ~empty & ~np.isfinite(out)  # "inf": not an amount
        out[~np.isfinite(out)] = np.nan
        return out, bad
    arr = as_string_array(values)
    empty = _empty(arr)
    try:
        out = np.asarray(pc.fill_null(pc.cast(pc.if_else(pa.array(empty), None, arr), pa.float64()),
                                      np.nan), dtype=float)
        bad = ~empty & ~np.isfinite(out)  # "inf": not an amount
        return np.where(bad, np.nan, out), bad
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    vals, ok, _ = _map_distinct(arr, _parse_number_text, object)
    out = np.where(ok, vals, np.nan).astype(float)
    return out, ~empty & ~ok


# ---- booleans and vocabularies --------------------------------------------------------------

def normalise_word(text: str) -> str:
    """Comparable form of a vocabulary word: NFKC, lower case, runs of space/_/- -> one space."""
    return re.sub(r"[\s_\-]+", " ", unicodedata.normalize("NFKC", text).strip().lower())


def _lookup(synonyms: Mapping[str, Sequence[str]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, words in synonyms.items():
        for w in (canonical, *words):
            table.setdefault(normalise_word(w), canonical)
    return table


_BOOL_LOOKUP: dict[str, bool] = {**{normalise_word(w): False for w in schema.FALSE_WORDS},
                                 **{normalise_word(w): True for w in schema.TRUE_WORDS}}
POLICY_STATUS_LOOKUP = _lookup(schema.STATUS_SYNONYMS)
CLAIM_STATUS_LOOKUP = _lookup(schema.CLAIM_STATUS_SYNONYMS)
HANDLED_BY_LOOKUP = _lookup(schema.HANDLED_BY_SYNONYMS)
# The word lists of columns of kind "vocabulary" (ColumnSpec.vocabulary): lookup, allowed words.
VOCABULARIES: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "policy_status": (POLICY_STATUS_LOOKUP, schema.POLICY_STATUSES),
    "claim_status": (CLAIM_STATUS_LOOKUP, schema.CLAIM_STATUSES),
    "handled_by": (HANDLED_BY_LOOKUP, tuple(schema.HANDLED_BY_SYNONYMS)),
}


def parse_bools(values: object) -> tuple[pd.Series, np.ndarray]:
    """Parse yes/no cells (schema.TRUE_WORDS / FALSE_WORDS, any case, Chinese).

    Returns (pandas nullable ``boolean`` Series, unreadable mask)."""
    vals, ok, empty = _map_distinct(values, lambda t: _BOOL_LOOKUP.get(normalise_word(t)), bool)
    out = pd.arrays.BooleanArray(vals & ok, ~ok)
    return pd.Series(out), ~empty & ~ok


def parse_vocab(values: object, lookup: Mapping[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Map cells onto a controlled vocabulary (e.g. :data:`POLICY_STATUS_LOOKUP`).

    Returns (object array of canonical words, None where empty/unknown; unknown mask)."""
    vals, ok, empty = _map_distinct(values, lambda t: lookup.get(normalise_word(t)), object)
    return vals, ~empty & ~ok  # vals is None wherever ok is False


def parse_policy_status(values: object) -> tuple[np.ndarray, np.ndarray]:
    """Policy statuses -> schema.POLICY_STATUSES (有效 -> in_force, 退保 -> surrendered …)."""
    return parse_vocab(values, POLICY_STATUS_LOOKUP)


def parse_claim_status(values: object) -> tuple[np.ndarray, np.ndarray]:
    """Claim statuses -> schema.CLAIM_STATUSES (已赔付 -> paid, 拒赔 -> declined …)."""
    return parse_vocab(values, CLAIM_STATUS_LOOKUP)


def parse_handled_by(values: object) -> tuple[np.ndarray, np.ndarray]:
    """Who handled a contact -> "bot" / "human" (智能客服 -> bot, 人工 -> human …)."""
    return parse_vocab(values, HANDLED_BY_LOOKUP)


# ---- ids and text ---------------------------------------------------------------------------

def clean_text(values: object, *, repetitive: bool = False) -> np.ndarray:
    """Trimmed text as an object array of ``str``; None where empty. Whole numbers read from
    a workbook (``12345.0``) become ``"12345"`` (ids keep their leading zeros when stored as
    text). ``repetitive=True`` (categories) makes one Python string per distinct value."""
    if repetitive:
        codes, distinct = _distinct(values)
        uniques = np.asarray(distinct.to_pylist() + [None], dtype=object)
        uniques[:-1][_empty(distinct)] = None
        return np.asarray(uniques[codes])
    return _clean_trimmed(as_string_array(values))


def _clean_trimmed(arr: pa.Array) -> np.ndarray:
    """:func:`clean_text` of an already trimmed string array (not repetitive)."""
    empty = _empty(arr)
    if empty.any():
        arr = pc.if_else(pa.array(empty), None, arr)
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)


def extra_column(values: object) -> np.ndarray:
    """An unmapped source column: float64 when every non-empty cell is a plain number,
    otherwise trimmed text (object, None where empty)."""
    if isinstance(values, pa.Array) and pa.types.is_string(values.type) \
            and _all_numbers(values.slice(0, _NUMBER_PROBE)):
        # Fast path: raw cells that cast as they are (no spaces, no blanks) need no trimming.
        fast = _cast_numbers(values)
        if fast is not None and not fast[1].all():
            out, empty = fast
            if not _leading_zero(values):
                out[empty] = np.nan
                return out
            return _text_extra(as_string_array(values))
    arr = as_string_array(values)
    head = arr.slice(0, _NUMBER_PROBE)
    head_empty = _empty(head)
    # A failing cast of a million texts costs ~0.3 s: try the first cells alone first (if
    # they are not all numbers the whole column is not either).
    if head_empty.all() or _all_numbers(head.filter(pa.array(~head_empty))):
        empty = _empty(arr)
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
    empty = _empty(arr)
    filled = int((~empty).sum())
    if filled == 0 or _leading_zero(arr):
        return out, None
    nums, bad = parse_numbers(arr)
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
