"""Workbooks (.xlsx/.xlsm/.xls) -> one :class:`RawTable` per sheet (docs/data-contract.md).

The fast reader is python-calamine; a workbook whose used range is enormous, or that calamine
cannot open, is streamed through openpyxl. Merged ranges, error cells and formula cells without
a saved value come from :mod:`memberdesk.core.xlsx_facts`.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from memberdesk.core import schema
from memberdesk.core.errors import DataError
from memberdesk.core.normalize import as_string_array
from memberdesk.core.progress import Progress, check_cancelled
from memberdesk.core.readers.cells import (
    HEADER_SEARCH_ROWS,
    drop_blank_rows,
    duplicate_header_note,
    header_candidates,
    is_blank,
    title_note,
    unique_headers,
)
from memberdesk.core.readers.table import OpenedFile, RawTable, ReadResult, TableHead, error_note
from memberdesk.core.reasons import Note, Reason
from memberdesk.core.xlsx_facts import (
    MAX_DENSE_CELLS,
    SheetFacts,
    column_number,
    is_encrypted,
    workbook_facts,
)


def open_workbook(path: str | Path, progress: Progress | None = None,
                  include_hidden: bool = False) -> OpenedFile:
    """Open a workbook: every visible sheet's cells and first rows, and a reader for the table
    below each sheet's header row (chosen by the identify step).

    Hidden and very hidden sheets are skipped with a message naming them (``include_hidden``
    reads them). Merged ranges are filled with their value and formula cells saved without a
    value are reported (see :mod:`memberdesk.core.xlsx_facts`); a sheet whose used range is
    enormous is streamed and bounded by the cells that hold data. A password-protected workbook
    raises :class:`DataError`. When reading, sheets that are empty or hold only a header are
    reported in ``messages``; a workbook where no sheet holds a table raises
    :class:`DataError`.
    """
    path = Path(path)
    file = str(path)
    if is_encrypted(path):
        raise DataError(Note(Reason("workbook_encrypted")), file=file)
    facts = workbook_facts(path) or {}
    dense = all(f.dense_cells <= MAX_DENSE_CELLS for f in facts.values())
    try:
        if not dense:
            raise MemoryError("used range too large for the fast reader")
        sheets, hidden = _calamine_sheets(path, include_hidden)
    except Exception:  # calamine missing, failing or unsafe on this file: streaming reader
        try:
            sheets, hidden = _openpyxl_sheets(path, include_hidden)
        except DataError:
            raise
        except Exception as exc:
            raise DataError(Note(Reason("workbook_cannot_open", error=f"{type(exc).__name__}: {exc}")),
                            file=file) from exc
    opening: list[str] = []
    if hidden:
        names = ", ".join(repr(n) for n in hidden)
        opening.append(Note(Reason("hidden_sheets_read" if include_hidden else
                                   "hidden_sheets_skipped", names=names), file))
    notes: list[list[str]] = []
    heads: list[TableHead] = []
    for name, cells in sheets:
        check_cancelled(progress)
        notes.append(_apply_facts(file, name, cells, facts.get(name)))
        first = cells[:HEADER_SEARCH_ROWS * 5]
        heads.append(TableHead(file, name, name, tuple(tuple(r) for r in first),
                               header_candidates(first)))

    def read(header_rows: Sequence[int]) -> ReadResult:
        result = ReadResult(messages=list(opening))
        for (name, cells), sheet_notes, at in zip(sheets, notes, header_rows):
            check_cancelled(progress)
            try:
                raw = _sheet_table(file, name, cells, at)
                raw.notes[:0] = sheet_notes
                result.tables.append(raw)
                result.messages.extend(raw.notes)
            except DataError as exc:
                result.messages.extend([*sheet_notes, error_note(exc)])
        if not result.tables:
            why = "; ".join(result.messages) or Reason("workbook_no_sheets").text()
            raise DataError(Note(Reason("workbook_no_table", why=why)), file=file)
        return result

    return OpenedFile(file, tuple(heads), read)


def _calamine_sheets(path: Path, include_hidden: bool) -> tuple[list[tuple[str, list[list[Any]]]], list[str]]:
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    wb = CalamineWorkbook.from_path(str(path))
    try:
        hidden = [m.name for m in wb.sheets_metadata if m.visible != SheetVisibleEnum.Visible]
        names = [n for n in wb.sheet_names if include_hidden or n not in hidden]
        return [(n, wb.get_sheet_by_name(n).to_python(skip_empty_area=False)) for n in names], hidden
    finally:
        wb.close()


def _openpyxl_sheets(path: Path, include_hidden: bool) -> tuple[list[tuple[str, list[list[Any]]]], list[str]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        hidden = [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"]
        return [(ws.title, _stream_rows(str(path), ws)) for ws in wb.worksheets
                if include_hidden or ws.title not in hidden], hidden
    finally:
        wb.close()


def _stream_rows(file: str, ws: Any) -> list[list[Any]]:
    """A sheet's rows, streamed: the declared dimension is ignored (never allocated from),
    trailing blank cells and rows are dropped, so a stray space in XFD1048576 costs nothing."""
    ws.reset_dimensions()
    rows: list[list[Any]] = []
    pending = 0
    for values in ws.iter_rows(values_only=True):
        row = list(values)
        while row and is_blank(row[-1]):
            row.pop()
        if not row:
            pending += 1
            continue
        if len(row) > schema.MAX_COLUMNS:  # pragma: no cover - Excel cannot hold more
            raise DataError(Note(Reason("sheet_too_many_columns", limit=schema.MAX_COLUMNS)), file=file,
                            sheet=ws.title)
        rows.extend([] for _ in range(pending))
        pending = 0
        rows.append(row)
    return rows


def _apply_facts(file: str, sheet: str, cells: list[list[Any]], facts: SheetFacts | None) -> list[str]:
    """Fill merged ranges with their value (in place); messages for the filled ranges and for
    formula cells without a saved value."""
    if facts is None:
        return []
    where = f"{file} [{sheet}]"
    notes: list[str] = []
    filled = []
    for r1, c1, r2, c2 in facts.merged:
        if r1 >= len(cells) or c1 >= len(cells[r1]) or is_blank(cells[r1][c1]):
            continue
        value = cells[r1][c1]
        c2 = min(c2, schema.MAX_COLUMNS - 1)
        for r in range(r1, min(r2, len(cells) - 1) + 1):
            row = cells[r]
            if len(row) <= c2:
                row.extend([None] * (c2 + 1 - len(row)))
            for c in range(c1, c2 + 1):
                row[c] = value
        filled.append(f"{_ref(r1, c1)}:{_ref(r2, c2)}")
    if filled:
        ranges = f"{', '.join(filled[:5])}{', ...' if len(filled) > 5 else ''}"
        notes.append(Note(Reason("merged_ranges_filled", n=len(filled), ranges=ranges), where))
    shown = []
    for ref, text in facts.errors:
        r, c = _cell_index(ref)
        if r < len(cells):
            row = cells[r]
            if len(row) <= c:
                row.extend([None] * (c + 1 - len(row)))
            if is_blank(row[c]):
                row[c] = text
                shown.append(f"{ref} {text}")
    if shown:
        notes.append(Note(Reason("error_cells_read", n=len(shown), cells=", ".join(shown[:5])),
                          where))
    if facts.uncached:
        refs = ", ".join(facts.uncached[:5])
        notes.append(Note(Reason("formulas_without_value", n=len(facts.uncached), cells=refs),
                          where))
    return notes


def _cell_index(ref: str) -> tuple[int, int]:
    """``B7`` -> 0-based (6, 1)."""
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters):]) - 1, column_number(letters) - 1


def _ref(row: int, col: int) -> str:
    """0-based (row, column) -> ``B7``."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def _sheet_table(file: str, sheet: str, cells: list[list[Any]], start: int) -> RawTable:
    """A sheet's cells (row 1 first) -> RawTable, the header on row ``start`` (0-based)."""
    if all(all(is_blank(v) for v in r) for r in cells):
        raise DataError(Note(Reason("sheet_empty")), file=file, sheet=sheet)
    notes = title_note(file, sheet, cells[:start], start)
    header = list(cells[start])
    notes += duplicate_header_note(file, sheet, header)
    body = cells[start + 1:]
    width = max([len(header), *(len(r) for r in body)]) if body else len(header)
    header += [None] * (width - len(header))
    # Drop columns with neither header nor any value (formatting left over on the right).
    keep = [j for j in range(width)
            if not is_blank(header[j]) or any(j < len(r) and not is_blank(r[j]) for r in body)]
    headers = unique_headers([header[j] for j in keep])
    columns = {h: as_string_array([r[j] if j < len(r) else None for r in body])
               for h, j in zip(headers, keep)}
    table = pa.table(columns) if columns else pa.table({})
    rows = np.arange(start + 2, start + 2 + len(body), dtype=np.int64)
    table, rows = drop_blank_rows(table, rows)
    if table.num_rows == 0:
        raise DataError(Note(Reason("sheet_no_data_rows")), file=file, sheet=sheet)
    return RawTable(table, rows, file, sheet, notes=notes)
