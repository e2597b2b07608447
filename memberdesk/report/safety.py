"""Cell safety for a workbook built from untrusted data.

Two jobs:

* **Formula injection.** openpyxl stores any string that begins with ``=`` as a formula, and
  Excel (or a CSV round trip) may evaluate text beginning with ``+ - @``, a tab or a carriage
  return. :func:`write_cell` stores such text as a plain string cell with Excel's "quote
  prefix" (the native equivalent of typing a leading apostrophe), so it is shown, never run.
* **Personal data.** Member ids, names, birth dates and contact details never reach the report
  unless the caller asks for them (``include_personal=True``).
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

# Canonical personal columns, and name patterns that flag extra source columns as personal.
PERSONAL_COLUMNS: frozenset[str] = frozenset({"member_id", "birth_date", "name"})
_PERSONAL_PATTERN = re.compile(
    r"(^|_)(member_?id|name|full_?name|first_?name|last_?name|surname|birth|dob|phone|mobile|"
    r"email|e_?mail|address|id_?card|id_?number|passport|ssn)($|_)|姓名|名字|生日|出生|电话|手机|"
    r"邮箱|地址|身份证|会员号|会员编号|客户号|客户编号",
    re.IGNORECASE,
)
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_personal(column: object) -> bool:
    """True when ``column`` (a canonical or source column name) holds personal data."""
    name = str(column).strip()
    return name.lower() in PERSONAL_COLUMNS or bool(_PERSONAL_PATTERN.search(name))


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
