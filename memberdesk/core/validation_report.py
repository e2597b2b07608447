"""The validation report: what was read, accepted and rejected, and why (DESIGN §3).

Filled by :mod:`memberdesk.core.validation`; read by the CLI (``validate --json``), the Data page
and the report's Data quality sheet.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

REJECTED_COLUMNS: tuple[str, ...] = ("table", "file", "sheet", "row", "column", "reason",
                                     "value", "detail")


@dataclass
class TableReport:
    """Counts for one canonical table, summed over the files that fed it.

    ``read`` = ``accepted`` + ``rejected``; ``reasons`` counts each rejected row once, under its
    first reason. ``out_of_window`` counts accepted rows that start after the as-of date (kept,
    not rejected, but left out of the analyses).
    """

    table: str
    files: list[str] = field(default_factory=list)
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    out_of_window: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "table": self.table,
            "files": list(self.files),
            "read": int(self.read),
            "accepted": int(self.accepted),
            "rejected": int(self.rejected),
            "reasons": {k: int(v) for k, v in sorted(self.reasons.items())},
        }


@dataclass
class ValidationReport:
    """All tables' counts, every rejected row with its source location, and file-level
    messages (unreadable files, sheets matched to no table, columns ignored)."""

    tables: list[TableReport] = field(default_factory=list)
    rejected: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(REJECTED_COLUMNS)))
    messages: list[str] = field(default_factory=list)

    def table(self, name: str) -> TableReport | None:
        for t in self.tables:
            if t.table == name:
                return t
        return None

    @property
    def total_rejected(self) -> int:
        return int(sum(t.rejected for t in self.tables))

    def to_json(self, as_of: pd.Timestamp | None) -> dict[str, object]:
        return {
            "as_of": "" if as_of is None else pd.Timestamp(as_of).date().isoformat(),
            "tables": [t.to_json() for t in self.tables],
        }

    def export_rejected(self, path: str | Path) -> Path:
        """Write the rejected rows to CSV (UTF-8 with BOM so Excel shows Chinese) or XLSX."""
        path = Path(path)
        frame = self.rejected.reindex(columns=list(REJECTED_COLUMNS))
        if path.suffix.lower() == ".xlsx":
            frame.to_excel(path, index=False, sheet_name="rejected_rows")
        else:
            frame.to_csv(path, index=False, encoding="utf-8-sig")
        return path
