"""Vectorised parsing of raw cell text into canonical values (docs/data-contract.md).

Every function takes a column of raw cells as a pyarrow string array (what the readers
produce; see :func:`as_string_array` for anything else) and returns ``(values, bad)``: the
parsed values as a numpy array/pandas Series and a boolean numpy mask of the non-empty cells that
could not be read. Empty cells (null, blank) are missing, never bad.

The work is done in pyarrow compute kernels or on the distinct values only (dictionary
encoding), so a million-row column takes milliseconds to a few hundred milliseconds.

One module a kind of cell: :mod:`.cells` (raw cells, the texts read as missing, parsing on
distinct values), :mod:`.typed` (Arrow/Parquet typed columns), :mod:`.dates`, :mod:`.numbers`,
:mod:`.vocab` (yes/no and vocabularies) and :mod:`.text` (ids, text, extra columns).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The raw-cell and typed-column helpers the file readers use need only numpy and pyarrow: they
# are imported here. The parsers (dates, numbers, vocabularies, text) use pandas and are imported
# on first use (``__getattr__`` below), so that reading a file does not wait for pandas — the
# command line starts reading its files while pandas loads (docs/architecture.md "Start-up").
from memberdesk.core.normalize import cells
from memberdesk.core.normalize.cells import (
    _cell_text,
    as_string_array,
    is_empty,
    missing_tokens,
    set_missing_tokens,
)
from memberdesk.core.normalize.typed import (
    dictionary_encode_text,
    is_text_dictionary,
    is_typed,
    typed_numbers,
)

if TYPE_CHECKING:
    from memberdesk.core.normalize.dates import EXCEL_EPOCH, EXCEL_SERIAL_RANGE, parse_dates
    from memberdesk.core.normalize.numbers import parse_numbers
    from memberdesk.core.normalize.text import (
        MOSTLY_NUMERIC,
        clean_text,
        extra_column,
        extra_column_checked,
    )
    from memberdesk.core.normalize.vocab import (
        CLAIM_STATUS_LOOKUP,
        HANDLED_BY_LOOKUP,
        POLICY_STATUS_LOOKUP,
        VOCABULARIES,
        normalise_word,
        parse_bools,
        parse_claim_status,
        parse_handled_by,
        parse_policy_status,
        parse_vocab,
    )

_LAZY = {
    **dict.fromkeys(("EXCEL_EPOCH", "EXCEL_SERIAL_RANGE", "parse_dates"), "dates"),
    "parse_numbers": "numbers",
    **dict.fromkeys(("MOSTLY_NUMERIC", "clean_text", "extra_column", "extra_column_checked"),
                    "text"),
    **dict.fromkeys(("CLAIM_STATUS_LOOKUP", "HANDLED_BY_LOOKUP", "POLICY_STATUS_LOOKUP",
                     "VOCABULARIES", "normalise_word", "parse_bools", "parse_claim_status",
                     "parse_handled_by", "parse_policy_status", "parse_vocab"), "vocab"),
}

__all__ = [
    "CLAIM_STATUS_LOOKUP", "EXCEL_EPOCH", "EXCEL_SERIAL_RANGE", "HANDLED_BY_LOOKUP",
    "MOSTLY_NUMERIC", "NULL_TOKENS", "POLICY_STATUS_LOOKUP", "VOCABULARIES", "_cell_text",
    "as_string_array", "clean_text", "dictionary_encode_text", "extra_column",
    "extra_column_checked", "is_empty", "is_text_dictionary", "is_typed", "missing_tokens",
    "normalise_word", "parse_bools", "parse_claim_status", "parse_dates", "parse_handled_by",
    "parse_numbers", "parse_policy_status", "parse_vocab", "set_missing_tokens", "typed_numbers",
]


def __getattr__(name: str) -> Any:
    # NULL_TOKENS changes with set_missing_tokens: read it where it lives, never a stale copy
    if name == "NULL_TOKENS":
        return cells.NULL_TOKENS
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # found directly from now on
    return value
