"""Cell safety for spreadsheets written from untrusted data (the report, rejected-row exports).

openpyxl stores any string that begins with ``=`` as a formula, and Excel (or a CSV round trip)
may evaluate text beginning with ``+ - @``, a tab or a carriage return. :func:`write_cell` stores
such text as a plain string cell with Excel's "quote prefix" (the native equivalent of typing a
leading apostrophe), so it is shown, never run; control characters Excel cannot store are
removed.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def needs_text_guard(value: str) -> bool:
    """True when a string would be (or could be taken for) a formula."""
    return value.startswith(FORMULA_TRIGGERS)


def cell_value(value: Any) -> Any:
    """Convert a pandas/numpy value to what openpyxl stores: None for missing, Python
    scalars for numbers, naive ``datetime`` for dates, ``str`` for everything else."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return None if not math.isfinite(f) else f
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).to_pydatetime()
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return _ILLEGAL_XML.sub("", str(value))


def write_cell(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write ``value`` into ``ws`` at (row, column) so that it can never become a formula.

    Every string is stored with data type ``s``; strings starting with one of
    :data:`FORMULA_TRIGGERS` also get the quote prefix so Excel keeps them as text on edit.
    """
    v = cell_value(value)
    cell = ws.cell(row=row, column=column)
    if isinstance(v, str):
        cell.value = v
        cell.data_type = "s"  # openpyxl would otherwise turn "=..." into a formula
        if needs_text_guard(v):
            cell.quotePrefix = True
    else:
        cell.value = v
    return cell
