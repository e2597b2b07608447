"""The call list file: the ranked policies of a :class:`~memberdesk.analysis.scoring.score.ScoringResult`
as .csv or .xlsx, written atomically (the previous file is untouched on failure).

Columns: rank, policy id, product, channel, probability (of a voluntary exit within the
horizon), premium at risk, risk decile, reasons 1-3 (reason codes). Member id, name and birth
date are added only with ``include_personal`` (as the report does).

Formula injection: a text cell that begins with ``= + - @``, a tab or a carriage return is
written as text — in .xlsx as a string cell with Excel's quote prefix
(:mod:`memberdesk.core.cell_safety`), in .csv with a leading apostrophe (the usual CSV
neutralisation: a spreadsheet opening the file shows it as text, never runs it).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pandas as pd

from memberdesk.core.atomic_write import atomic_write
from memberdesk.core.cell_safety import cell_value, needs_text_guard
from memberdesk.core.errors import DataError

FORMATS: tuple[str, ...] = (".csv", ".xlsx")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit minus the header


def call_list_frame(result: Any, top: int | None, include_personal: bool) -> pd.DataFrame:
    """The rows of the file (reason codes as text; nothing personal unless asked)."""
    frame = result.call_list(top, include_personal=include_personal)
    for c in ("reason_1", "reason_2", "reason_3"):
        if c in frame:
            frame[c] = frame[c].astype(object).where(frame[c].notna(), "")
    return frame


def write_call_list(result: Any, path: str | Path, *, top: int | None = None,
                    include_personal: bool = False) -> Path:
    """Write the call list to ``path`` (.csv UTF-8 with BOM, or .xlsx) and return the path."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise DataError("the call list must be a .csv or .xlsx file", file=str(target))
    frame = call_list_frame(result, top, include_personal)
    if suffix == ".csv":
        return atomic_write(target, lambda fh: fh.write(_csv_bytes(frame)), what="the call list")
    if len(frame) > XLSX_MAX_ROWS:
        raise DataError(f"{len(frame):,} rows do not fit in one Excel sheet; use --top or .csv",
                        file=str(target))
    return atomic_write(target, lambda fh: _write_xlsx(frame, fh), what="the call list")


def _guard_text(value: Any) -> Any:
    if isinstance(value, str) and needs_text_guard(value):
        return "'" + value
    return value


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(frame.columns)
    text_cols = [i for i, c in enumerate(frame.columns) if frame[c].dtype == object]
    for row in frame.itertuples(index=False, name=None):
        if text_cols:
            row = tuple(_guard_text(v) if i in text_cols else v for i, v in enumerate(row))
        writer.writerow(["" if v is None or (isinstance(v, float) and v != v) else v for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _write_xlsx(frame: pd.DataFrame, handle: Any) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Call list")
    ws.append(list(frame.columns))
    text_cols = {i for i, c in enumerate(frame.columns) if frame[c].dtype == object}
    for row in frame.itertuples(index=False, name=None):
        out: list[Any] = []
        for i, v in enumerate(row):
            value = cell_value(v)
            if i in text_cols and isinstance(value, str):
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"          # never a formula
                if needs_text_guard(value):
                    cell.quotePrefix = True
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
    wb.save(handle)
