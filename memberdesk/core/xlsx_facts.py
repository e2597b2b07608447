"""What a workbook's XML says before any cell is loaded: sheet visibility, extent, merged
ranges, formula cells without a cached value, encryption.

Read straight from the ``.xlsx`` zip (no cell objects), so the reader can decide *how* to load
each sheet: a sheet whose used range is enormous (one space typed into XFD1048576) would make
the fast reader allocate rows x columns cells up front (half a terabyte), so it goes through the
streaming reader, which keeps only the cells that hold data. Merged ranges are filled with their
value and formula cells without a cached value are reported (both otherwise read as empty).
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from memberdesk.core.errors import DataError
from memberdesk.core.reasons import Note, Reason

# Cells a sheet may span before the streaming reader is used (the fast reader allocates
# 32 bytes per cell of the used rectangle: 20 million cells = 640 MB).
MAX_DENSE_CELLS = 20_000_000
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="([A-Z]+\d+)(?::([A-Z]+)(\d+))?"')
_LAST_ROW = re.compile(rb'<(?:\w+:)?row [^>]*?r="(\d+)"')
_WIDE_CELL = re.compile(rb'<(?:\w+:)?c r="([A-Z]{3})\d+"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]+\d+):([A-Z]+\d+)"')
_UNCACHED = re.compile(rb'<(?:\w+:)?c r="([A-Z]+\d+)"[^>]*>\s*(?:<(?:\w+:)?f[^>]*/>|<(?:\w+:)?f[^>]*>'
                       rb'[^<]*</(?:\w+:)?f>)\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?'
                       rb'\s*</(?:\w+:)?c>')
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c r="([A-Z]+\d+)"[^>]*?\bt="e"[^>]*>(?:(?!</(?:\w+:)?c>).)*?'
                         rb'<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>', re.DOTALL)
_ENCRYPTED = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))


@dataclass(frozen=True)
class SheetFacts:
    """One worksheet as its XML describes it.

    Attributes
    ----------
    name, state
        Sheet name and visibility: ``visible``, ``hidden`` or ``veryHidden``.
    last_row, last_col
        1-based extent of the cells present (the last ``<row>`` and the widest column seen in
        the ``<dimension>`` or in a three-letter column reference).
    merged
        Merged ranges as 0-based inclusive ``(row1, col1, row2, col2)``.
    uncached
        References of formula cells saved without a value (Excel shows the value after
        recalculating; a reader sees an empty cell).
    errors
        ``(reference, error text)`` of error cells (``#DIV/0!``, ``#REF!``...), which the fast
        reader returns as empty.
    """

    name: str
    state: str
    last_row: int
    last_col: int
    merged: tuple[tuple[int, int, int, int], ...]
    uncached: tuple[str, ...]
    errors: tuple[tuple[str, str], ...] = ()

    @property
    def dense_cells(self) -> int:
        return self.last_row * self.last_col


def column_number(letters: str) -> int:
    """``A`` -> 1, ``Z`` -> 26, ``AA`` -> 27, ``XFD`` -> 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _cell(ref: str) -> tuple[int, int]:
    """0-based (row, column) of ``B7``."""
    m = _REF.match(ref)
    if m is None:
        raise ValueError(ref)
    return int(m.group(2)) - 1, column_number(m.group(1)) - 1


def is_encrypted(path: Path) -> bool:
    """Whether an OLE2 file is an encrypted (password-protected) Office document."""
    with path.open("rb") as fh:
        head = fh.read(8)
        if not head.startswith(b"\xd0\xcf\x11\xe0"):
            return False
        data = fh.read(1 << 22)
    return any(name in data for name in _ENCRYPTED)


def workbook_facts(path: Path) -> dict[str, SheetFacts] | None:
    """Facts about every worksheet of an ``.xlsx``/``.xlsm`` file by sheet name; None when the
    file is not such a zip (an old ``.xls``: the readers handle it as they can)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return None
    with zf:
        try:
            book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        except (KeyError, ElementTree.ParseError, zipfile.BadZipFile) as exc:
            raise DataError(Note(Reason("workbook_damaged", error=str(exc))), file=str(path)) from None
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        out: dict[str, SheetFacts] = {}
        for sheet in book.iterfind("m:sheets/m:sheet", _NS):
            name = sheet.get("name", "")
            target = targets.get(sheet.get(_REL), "")
            member = target.lstrip("/") if target.startswith("/") \
                else str(PurePosixPath("xl") / target)
            try:
                xml = zf.read(member)
            except (KeyError, zipfile.BadZipFile):
                continue
            out[name] = _sheet_facts(name, sheet.get("state", "visible"), xml)
        return out


def _sheet_facts(name: str, state: str, xml: bytes) -> SheetFacts:
    last_row = last_col = 0
    dim = _DIMENSION.search(xml, 0, 4096)
    if dim is not None:
        first = _cell(dim.group(1).decode())
        last_row, last_col = first[0] + 1, first[1] + 1
        if dim.group(2):
            last_row, last_col = int(dim.group(3)), column_number(dim.group(2).decode())
    at = xml.rfind(b"<row ")
    if at < 0:
        at = xml.rfind(b":row ")
    if at >= 0:
        m = _LAST_ROW.search(xml, max(at - 8, 0))
        if m is not None:
            last_row = max(last_row, int(m.group(1)))
    if dim is None or last_col < 703:
        for m in _WIDE_CELL.finditer(xml):
            last_col = max(last_col, column_number(m.group(1).decode()))
    merged: list[tuple[int, int, int, int]] = []
    end = xml.rfind(b"mergeCells")
    if end >= 0:
        start = xml.rfind(b"mergeCells", 0, end)  # the opening tag (the last one closes)
        for m in _MERGE.finditer(xml, start if start >= 0 else end):
            (r1, c1), (r2, c2) = _cell(m.group(1).decode()), _cell(m.group(2).decode())
            merged.append((r1, c1, r2, c2))
    uncached: tuple[str, ...] = ()
    if b"<f" in xml or b":f" in xml:
        uncached = tuple(m.group(1).decode() for m in _UNCACHED.finditer(xml))
    errors: tuple[tuple[str, str], ...] = ()
    if b't="e"' in xml:
        errors = tuple((m.group(1).decode(), m.group(2).decode(errors="replace"))
                       for m in _ERROR_CELL.finditer(xml))
    return SheetFacts(name, state, last_row, max(last_col, 1), tuple(merged), uncached, errors)
