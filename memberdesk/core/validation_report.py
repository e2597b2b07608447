"""The validation report: what was read, accepted and rejected, and why (docs/data-contract.md).

Filled by :mod:`memberdesk.core.validation`; read by the CLI (``validate --json``), the Data page
and the report's Data quality sheet.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from memberdesk.core.atomic_write import atomic_write, refuse_overwriting_inputs
from memberdesk.core.errors import DataError
from memberdesk.core.reasons import Reason

REJECTED_COLUMNS: tuple[str, ...] = ("table", "file", "sheet", "row", "column", "reason",
                                     "value", "detail")


@dataclass(frozen=True, slots=True)
class IdSeenBefore:
    """The detail of a duplicate id (``row_id_seen_before``): ``column`` value ``id`` already on
    ``place`` (file [sheet]) row ``row``. A small object per duplicate row: a
    :class:`~memberdesk.core.reasons.Reason` per row would carry its parameter tuples (about
    three times the memory of the old English sentence on a file with millions of duplicates).
    """

    column: str
    id: object
    place: str
    row: int

    @property
    def reason(self) -> Reason:
        return Reason("row_id_seen_before", column=self.column, id=self.id, place=self.place,
                      row=self.row)

    def text(self, lang: str = "en") -> str:
        return self.reason.text(lang)

    def __str__(self) -> str:
        return self.text("en")


@dataclass(frozen=True, slots=True)
class RejectionMeaning:
    """The detail of a row an engine rejected: what its reason code means, in the reader's
    language (:func:`memberdesk.core.reasons.rejection_meaning`). An engine's bounded sample
    knows the reason and the cell, not the file path's finer wording; one object per code is
    shared by the sample's rows."""

    code: str

    def text(self, lang: str = "en") -> str:
        from memberdesk.core.reasons import rejection_meaning

        return rejection_meaning(self.code, lang)

    def __str__(self) -> str:
        return self.text("en")


def detail_text(detail: object, lang: str = "en") -> str:
    """The words of a rejected row's ``detail`` in ``lang`` (``"en"`` or ``"zh_CN"``).

    Validation stores a :class:`~memberdesk.core.reasons.Reason` (a code with parameters, one
    object shared by the rows of a check) and the presenters call this when they show or write
    the row. A plain text (an engine's sample, a reader's note) is shown as it is; missing -> "".
    """
    if isinstance(detail, (Reason, IdSeenBefore, RejectionMeaning)):
        return detail.text(lang)
    if detail is None or (isinstance(detail, float) and detail != detail) or detail is pd.NA:
        return ""
    return str(detail)


def rejected_for_people(rejected: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """``rejected`` with its ``detail`` column in words of ``lang`` (a copy; codes, values and
    the rows' own cells unchanged): what an export or a printed listing shows."""
    if "detail" not in rejected.columns:
        return rejected
    words: dict[int, str] = {}
    texts: list[str] = []
    for d in rejected["detail"].tolist():  # rows of one check share their Reason: render once
        key = id(d) if isinstance(d, (Reason, RejectionMeaning)) else None
        if key is None:
            texts.append(detail_text(d, lang))
            continue
        if key not in words:
            words[key] = detail_text(d, lang)
        texts.append(words[key])
    return rejected.assign(detail=pd.Series(texts, index=rejected.index, dtype=object))


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

    def table_messages(self, table: TableReport) -> list[str]:
        """The messages about ``table``: those naming the table or one of its files."""
        heads = (f"{table.table}:", *table.files)
        return [m for m in self.messages if m.startswith(heads)]

    def to_json(self, as_of: pd.Timestamp | None) -> dict[str, object]:
        """docs/cli.md's object; each table carries its ``messages`` (title rows skipped, merged
        cells filled, cells set missing...) and ``messages`` at the top lists them all, with
        those about no table (files skipped in a folder)."""
        return {
            "as_of": "" if as_of is None else pd.Timestamp(as_of).date().isoformat(),
            "tables": [{**t.to_json(), "messages": self.table_messages(t)} for t in self.tables],
            "messages": list(self.messages),
        }

    def export_rejected(self, path: str | Path, lang: str = "en") -> Path:
        """Write the rejected rows to ``path``: XLSX, or CSV (UTF-8 with BOM so Excel shows
        Chinese). The ``detail`` column reads in ``lang`` (``"en"`` or ``"zh_CN"``); the
        column names and the ``reason`` codes stay the same in every language (a program
        reading the file, or a corrected file loaded again, finds them).

        Rejected values are untrusted text: a value such as ``=HYPERLINK(...)`` must stay text
        when the file is opened in Excel. In a workbook every string is a plain string cell
        (quote-prefixed when it starts like a formula, control characters removed); in a CSV
        such a value gets a leading apostrophe, Excel's own "this is text" mark.

        Raises :class:`DataError` when ``path`` is one of the data files the report is about
        (never overwritten) or cannot be written (the previous file is then unchanged).
        """
        from memberdesk.core.cell_safety import needs_text_guard, write_cell

        path = Path(path)
        inputs = [f for t in self.tables for f in t.files]
        clash = refuse_overwriting_inputs(path, inputs, "the rejected-rows file")
        if clash:
            raise DataError(clash, file=str(path))
        # location, reason and the faulty cell first, then the row's own cells as read
        frame = rejected_for_people(self.rejected.reindex(columns=[*REJECTED_COLUMNS, *(
            c for c in self.rejected.columns if c not in REJECTED_COLUMNS)]), lang)
        if path.suffix.lower() == ".xlsx":
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.title = "rejected_rows"
            for j, name in enumerate(frame.columns, start=1):
                write_cell(ws, 1, j, name)
            for i, row in enumerate(frame.itertuples(index=False, name=None), start=2):
                for j, value in enumerate(row, start=1):
                    write_cell(ws, i, j, value)
            return atomic_write(path, lambda h: h.write(workbook_bytes(wb)),
                                what="the rejected rows")
        guarded = frame.astype(object).map(
            lambda v: "'" + v if isinstance(v, str) and needs_text_guard(v)
            and not _is_number(v) else v)

        def write_csv(handle: BinaryIO) -> None:
            text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
            guarded.to_csv(text, index=False)
            text.flush()
            text.detach()

        return atomic_write(path, write_csv, what="the rejected rows")


def _is_number(text: str) -> bool:
    """True for a plain signed number such as ``-5`` or ``+1.5`` (safe in a CSV cell)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def workbook_bytes(wb: Any) -> bytes:
    """An openpyxl workbook saved in memory: a failing disk write then cannot leave a
    half-closed zip file behind (whose clean-up prints "Exception ignored" tracebacks)."""
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
