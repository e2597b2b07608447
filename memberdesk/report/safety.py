"""Safety of a workbook built from untrusted data.

* **Formula injection.** Cell writing lives in :mod:`memberdesk.core.cell_safety` (the
  rejected-row export uses it too); it is re-exported here for the report's sheets.
* **Personal data.** Member ids, names, birth dates and contact details never reach the report
  unless the caller asks for them (``include_personal=True``).
"""
from __future__ import annotations

import re

from memberdesk.core.cell_safety import FORMULA_TRIGGERS, cell_value, needs_text_guard, write_cell

__all__ = ["FORMULA_TRIGGERS", "PERSONAL_COLUMNS", "cell_value", "is_personal",
           "needs_text_guard", "write_cell"]

# Canonical personal columns, and name patterns that flag extra source columns as personal.
PERSONAL_COLUMNS: frozenset[str] = frozenset({"member_id", "birth_date", "name"})
_PERSONAL_PATTERN = re.compile(
    r"(^|_)(member_?id|name|full_?name|first_?name|last_?name|surname|birth|dob|phone|mobile|"
    r"email|e_?mail|address|id_?card|id_?number|passport|ssn)($|_)|姓名|名字|生日|出生|电话|手机|"
    r"邮箱|地址|身份证|会员号|会员编号|客户号|客户编号",
    re.IGNORECASE,
)


def is_personal(column: object) -> bool:
    """True when ``column`` (a canonical or source column name) holds personal data."""
    name = str(column).strip()
    return name.lower() in PERSONAL_COLUMNS or bool(_PERSONAL_PATTERN.search(name))
