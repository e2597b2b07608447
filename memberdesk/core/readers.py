"""Read table files into raw string tables (docs/data-contract.md): CSV/TSV/TXT, XLSX, Parquet, folders.

A reader does not interpret cells: every column comes back as a pyarrow string array (trimmed
later by :mod:`memberdesk.core.normalize`), with the original header as its name, the file and
sheet it came from, and the spreadsheet row number of each row (header = row 1, first data row
= row 2). Each table is matched to a canonical table by its file/sheet name or its headers
(:func:`memberdesk.core.mapping.guess_table`); the loader decides what to do with tables that
match nothing.

Text files: UTF-8 (with or without BOM), UTF-16 with BOM and GB18030/GBK are detected; the
delimiter (comma, tab, semicolon, pipe) is sniffed. Big files are parsed by ``pyarrow.csv``.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from memberdesk.core import schema
from memberdesk.core.errors import DataError
from memberdesk.core.mapping import guess_table
from memberdesk.core.normalize import as_string_array, dictionary_encode_text, is_text_dictionary
from memberdesk.core.progress import Progress, check_cancelled, ensure
from memberdesk.core.text_encoding import canonical_encoding, decode_text
from memberdesk.core.xlsx_facts import (
    MAX_DENSE_CELLS,
    SheetFacts,
    column_number,
    is_encrypted,
    workbook_facts,
)

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
PARQUET_SUFFIXES = (".parquet", ".pq")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + WORKBOOK_SUFFIXES + PARQUET_SUFFIXES
DELIMITERS = (",", "\t", ";", "|")
_SAMPLE_BYTES = 1 << 16
_HEADER_SEARCH_ROWS = 10  # a header below a title is looked for in the first 10 non-blank rows
_TITLE_CELLS = 2  # rows above the header may hold a title, a date, a unit: at most 2 cells


@dataclass
class RawTable:
    """One table as read from a file or sheet, before mapping.

    Attributes
    ----------
    data
        Every column as text (pyarrow string), named by its (de-duplicated) source header.
    rows
        Spreadsheet row number of each row (header = 1, first data row = 2).
    file, sheet
        Where the table came from (``sheet`` is None for text and Parquet files).
    table, score
        The canonical table it was matched to (None = no match) and the match score.
    encoding, delimiter
        What was detected, for text files.
    notes
        What the reader did that the user should know (e.g. title rows above the header
        skipped); passed on as :attr:`ReadResult.messages`.
    flags
        Rows the reader already knows cannot be used, by row number: ``(reason, header,
        detail)`` (a cell over the field limit, a stray quote); validation rejects them first.
    """

    data: pa.Table
    rows: np.ndarray
    file: str
    sheet: str | None = None
    table: str | None = None
    score: float = 0.0
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    flags: dict[int, tuple[str, str, str]] = field(default_factory=dict)

    @property
    def headers(self) -> list[str]:
        return list(self.data.column_names)

    @property
    def source(self) -> str:
        """``file`` or ``file [sheet]``, for messages."""
        return self.file if self.sheet is None else f"{self.file} [{self.sheet}]"

    def __len__(self) -> int:
        return int(self.data.num_rows)

    def preview(self, n: int = 20) -> pd.DataFrame:
        """The first ``n`` rows as text, indexed by source row number (for the import wizard)."""
        frame: pd.DataFrame = self.data.slice(0, n).to_pandas()
        frame.index = pd.Index(self.rows[:n], name="row")
        return frame


@dataclass
class ReadResult:
    """Tables read from one or more files, and messages about sheets that could not be used."""

    tables: list[RawTable] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def list_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the supported files directly in them (sorted, not recursive); each
    file once, however many times it is named."""
    return _list(paths)[0]


def _list(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """:func:`list_files` and a message per folder entry that is skipped (unsupported,
    hidden, not a regular file)."""
    out: list[Path] = []
    skipped: list[str] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = []
            for f in sorted(p.iterdir()):
                why = _skip_reason(f)
                if why:
                    skipped.append(f"{f}: skipped ({why})")
                else:
                    found.append(f)
            if not found:
                raise DataError(f"the folder holds no data files "
                                f"({' '.join(SUPPORTED_SUFFIXES)})", file=str(p))
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise DataError("no such file or folder", file=str(p))
    # A file named twice (or also inside a named folder) is read once: reading it again would
    # reject every row of the second copy as a duplicate id.
    seen: set[Path] = set()
    unique = []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, skipped


def _skip_reason(f: Path) -> str:
    if f.name.startswith(("~$", ".")):
        return "hidden or temporary file"
    try:
        if not f.is_file():
            return "a folder" if f.is_dir() else "not a regular file (pipe, device, broken link)"
    except OSError as exc:  # symlink loop and the like
        return f"cannot be followed: {exc.strerror or exc}"
    if f.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"not a data file ({' '.join(SUPPORTED_SUFFIXES)})"
    return ""


def _supported(f: Path) -> bool:
    return f.suffix.lower() in SUPPORTED_SUFFIXES and not f.name.startswith(("~$", "."))


def read_files(paths: Sequence[str | Path], progress: Progress | None = None,
               encoding: str | None = None, include_hidden: bool = False) -> ReadResult:
    """Read every file (folders expanded). Unreadable files raise :class:`DataError`, except
    those found in a folder that cannot be opened (skipped with a message, as are entries that
    are not data files). ``encoding``: the text encoding chosen by the user (None = detect);
    ``include_hidden``: read hidden workbook sheets too."""
    files, skipped = _list(paths)
    named = {Path(p).resolve() for p in paths}
    prog = ensure(progress)
    result = ReadResult(messages=list(skipped))
    for i, f in enumerate(files):
        check_cancelled(progress)
        prog.status(f"Reading {f.name}")
        if f.resolve() not in named and not os.access(f, os.R_OK):
            result.messages.append(f"{f}: skipped (cannot be read: permission denied)")
            continue
        part = read_file(f, progress, encoding, include_hidden)
        result.tables.extend(part.tables)
        result.messages.extend(part.messages)
        prog.fraction((i + 1) / len(files))
    if not result.tables:
        raise DataError("no file could be read (" + "; ".join(result.messages)[:300] + ")",
                        file=", ".join(map(str, paths)))
    return result


def read_file(path: str | Path, progress: Progress | None = None,
              encoding: str | None = None, include_hidden: bool = False) -> ReadResult:
    """Read one file of any supported kind (the content decides when the suffix lies)."""
    path = Path(path)
    if not path.is_file():
        raise DataError("no such file", file=str(path))
    try:
        with path.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise DataError(f"cannot open the file ({exc.strerror or exc})", file=str(path)) from exc
    if not magic:
        raise DataError("the file is empty", file=str(path))
    suffix = path.suffix.lower()
    if magic.startswith(b"PK\x03\x04") or magic.startswith(b"\xd0\xcf\x11\xe0"):
        return read_workbook(path, progress, include_hidden)
    if magic.startswith(b"PAR1"):
        return ReadResult([read_parquet(path)])
    if suffix in WORKBOOK_SUFFIXES + PARQUET_SUFFIXES:
        raise DataError(f"not a valid {suffix} file (its content is not a workbook/Parquet file)",
                        file=str(path))
    raw = read_text(path, progress, encoding)
    return ReadResult([raw], list(raw.notes))


# ---- text files -----------------------------------------------------------------------------

def detect_encoding(raw: bytes, file: str = "") -> str:
    """The encoding :func:`~memberdesk.core.text_encoding.decode_text` reads ``raw`` with
    (checked strictly over all of it); raises :class:`DataError` for binary content."""
    return decode_text(raw, file)[1]


def sniff_delimiter(sample: str, suffix: str = "") -> str:
    """The delimiter (comma, tab, semicolon or pipe) that splits the first lines into the same
    number of fields, most fields winning; tab for ``.tsv`` when nothing is conclusive."""
    lines = [ln for ln in sample.splitlines()[:30] if ln.strip()]
    if len(lines) > 1 and len(sample) >= _SAMPLE_BYTES // 2:
        lines = lines[:-1]  # the sample may cut the last line
    best, best_key = ("\t" if suffix == ".tsv" else ","), (0, 0)
    for d in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        except csv.Error:
            continue
        if not counts:
            continue
        # The most common field count (a title line above the header has fewer fields).
        width = max(set(counts), key=lambda c: (counts.count(c), c))
        if width < 2:
            continue
        key = (counts.count(width), width)
        if key > best_key:
            best, best_key = d, key
    return best


def _unique_headers(names: Sequence[object]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        h = "" if n is None else str(n).strip().lstrip("\ufeff")
        h = h or f"column_{i + 1}"
        if h in seen:
            seen[h] += 1
            h = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
        out.append(h)
    return out


def read_text(path: str | Path, progress: Progress | None = None,
              encoding: str | None = None) -> RawTable:
    """Read a CSV/TSV/TXT file; raises :class:`DataError` when it is empty, binary, not
    decodable as a whole (see :mod:`memberdesk.core.text_encoding`) or has no data rows.
    ``encoding``: the user's choice (None = detect)."""
    path = Path(path)
    file = str(path)
    scan = _scan(path)
    if not scan.nonblank:
        raise DataError("the file is empty", file=file)
    if scan.plain_utf8 and (encoding is None or canonical_encoding(encoding) == "utf-8"):
        streamed = _read_streamed(path, scan, progress)
        if streamed is not None:
            return streamed
    raw = path.read_bytes()
    data, encoding, notes = decode_text(raw, file, encoding)
    del raw
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        # CR-only (old Mac) or mixed line endings: one convention before header detection
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    check_cancelled(progress)
    sample = data[:_SAMPLE_BYTES].decode("utf-8", errors="ignore")
    delimiter = sniff_delimiter(sample, path.suffix.lower())
    lines = sample.splitlines()[:_HEADER_SEARCH_ROWS * 5]
    with _field_limit(len(data)):
        parsed = [next(csv.reader([ln], delimiter=delimiter), []) for ln in lines]
    at = header_index(parsed, path.stem)
    if at:
        offset = _line_offset(data, at)
        if offset is None:
            at = 0
        else:
            data = data[offset:]
            notes += _title_note(file, None, parsed[:at], at)
    header_line = parsed[at] if at < len(parsed) else []
    headers = _unique_headers(header_line)
    notes += _duplicate_header_note(file, None, header_line)
    if len(headers) > schema.MAX_COLUMNS:
        raise DataError(f"the file has {len(headers):,} columns; at most "
                        f"{schema.MAX_COLUMNS:,} are read", file=file)
    table = rows = None
    try:
        table = _read_arrow(data, headers, delimiter)
        rows = np.arange(at + 2, table.num_rows + at + 2, dtype=np.int64)
        if _line_count(data) != table.num_rows + 1:
            # Blank lines (skipped by pyarrow) or quoted line breaks: the careful reader
            # below keeps exact line numbers and explains the difference.
            table = rows = None
    except pa.ArrowInvalid:
        table = None  # ragged rows, huge fields etc.: the careful reader below copes
    flags: dict[int, tuple[str, str, str]] = {}
    if table is None or rows is None:
        careful = _read_python(data, delimiter, at + 1, file)
        table, rows, flags = careful.table, careful.rows, careful.flags
        notes += careful.notes
    return _finish_text(file, table, rows, encoding, delimiter, notes, flags)


@dataclass
class _Scan:
    """One streaming pass over a text file (16 MiB at a time, never the whole file in memory):
    whether the fast reader can take it straight from disk."""

    head: bytes = b""  # the first 64 KiB, without a UTF-8 BOM
    bom: int = 0  # bytes of UTF-8 BOM at the start
    tail: bytes = b""  # the last 4 KiB
    newlines: int = 0
    quote: bool = False
    nonblank: bool = False
    plain_utf8: bool = True  # valid UTF-8, no NUL byte, no lone CR, no UTF-16 BOM


def _scan(path: Path) -> _Scan:
    scan = _Scan()
    decoder = codecs.getincrementaldecoder("utf-8")()
    cr = crlf = 0
    prev_cr = False
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 24), b""):
            if not scan.head:
                if chunk.startswith(codecs.BOM_UTF8):
                    scan.bom = len(codecs.BOM_UTF8)
                elif chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    scan.plain_utf8 = False
                scan.head = chunk[scan.bom:scan.bom + _SAMPLE_BYTES]
            scan.newlines += chunk.count(b"\n")
            scan.quote = scan.quote or b'"' in chunk
            scan.nonblank = scan.nonblank or bool(chunk.strip())
            if b"\r" in chunk:
                cr += chunk.count(b"\r")
                crlf += chunk.count(b"\r\n") + (1 if prev_cr and chunk.startswith(b"\n") else 0)
            prev_cr = chunk.endswith(b"\r")
            if scan.plain_utf8 and (b"\x00" in chunk or not chunk.isascii()
                                    and not _utf8_ok(decoder, chunk)):
                scan.plain_utf8 = False
            scan.tail = (scan.tail + chunk[-4096:])[-4096:]
    scan.plain_utf8 = scan.plain_utf8 and cr == crlf and _utf8_ok(decoder, b"", final=True)
    return scan


def _utf8_ok(decoder: codecs.IncrementalDecoder, chunk: bytes, final: bool = False) -> bool:
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _read_streamed(path: Path, scan: _Scan, progress: Progress | None) -> RawTable | None:
    """The fast reader on a plain UTF-8 file, straight from disk in 8 MiB blocks (the file is
    never held in memory whole); None when the careful reader must decide (ragged rows, blank
    lines, quoted line breaks: physical lines and rows differ)."""
    file = str(path)
    check_cancelled(progress)
    sample = scan.head.decode("utf-8", errors="ignore")
    delimiter = sniff_delimiter(sample, path.suffix.lower())
    lines = sample.splitlines()[:_HEADER_SEARCH_ROWS * 5]
    with _field_limit(len(scan.head)):
        parsed = [next(csv.reader([ln], delimiter=delimiter), []) for ln in lines]
    at = header_index(parsed, path.stem)
    offset = _line_offset(scan.head, at) if at else 0
    if offset is None:
        return None
    notes = _title_note(file, None, parsed[:at], at) if at else []
    header_line = parsed[at] if at < len(parsed) else []
    headers = _unique_headers(header_line)
    notes += _duplicate_header_note(file, None, header_line)
    if not headers or len(headers) > schema.MAX_COLUMNS:
        return None
    internal = [f"c{i}" for i in range(len(headers))]
    with _field_limit(len(scan.head)):
        body = list(csv.reader(sample.splitlines()[at + 1:], delimiter=delimiter))
    repetitive = _repetitive_columns(body, len(headers)) if ENCODE_REPETITIVE else set()
    text, coded = pa.string(), pa.dictionary(pa.int32(), pa.string())
    try:
        with path.open("rb") as fh:
            fh.seek(scan.bom + offset)
            chunked = pacsv.read_csv(
                fh,
                read_options=pacsv.ReadOptions(column_names=internal, skip_rows=1,
                                               block_size=1 << 23, use_threads=False),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"',
                                                 newlines_in_values=scan.quote,
                                                 ignore_empty_lines=True),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: coded if j in repetitive else text
                                  for j, c in enumerate(internal)},
                    strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    trailing = scan.tail.count(b"\n") - scan.tail.rstrip(b"\r\n\t ").count(b"\n")
    ends_open = not scan.tail.endswith(b"\n")
    physical = scan.newlines - at - trailing + (1 if ends_open or trailing else 0)
    if physical != chunked.num_rows + 1:
        return None
    # one chunk per column (validation slices and takes without combining), column by column
    # so the chunked copy is released as it goes
    columns = chunked.columns
    del chunked
    arrays = []
    pool = pa.default_memory_pool()
    for i in range(len(columns)):
        col = columns[i]
        arrays.append(_narrow(col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()))
        columns[i] = None
        del col
        pool.release_unused()  # give the chunked copy back, not only to the allocator's cache
    table = pa.Table.from_arrays(arrays, names=headers)
    del arrays
    rows = np.arange(at + 2, table.num_rows + at + 2, dtype=np.int64)
    return _finish_text(file, table, rows, "utf-8-sig" if scan.bom else "utf-8", delimiter, notes)


class _field_limit:
    """``csv.field_size_limit`` raised for the duration of a read (any field the fast path
    accepts, the careful path accepts; over-long fields are rejected afterwards)."""

    def __init__(self, size: int) -> None:
        self.size = min(max(size + 1, 1 << 17), 2**31 - 1)
        self.old = 0

    def __enter__(self) -> None:
        self.old = csv.field_size_limit(self.size)

    def __exit__(self, *exc: object) -> None:
        csv.field_size_limit(self.old)


def header_index(rows: Sequence[Sequence[object]], name_hint: str | None = None) -> int:
    """Index in ``rows`` (the first rows of a file or sheet) of the header row.

    The first non-blank row, unless it names no canonical table while a later row does and
    every row skipped on the way holds at most two cells (a report title such as
    ``保单清单``, a date, a unit note): spreadsheets exported from other systems often put
    those above the header. Only the first ten non-blank rows are searched.
    """
    nonblank = [i for i, r in enumerate(rows) if not all(_blank(v) for v in r)]
    if not nonblank:
        return 0
    for i in nonblank[:_HEADER_SEARCH_ROWS]:
        if guess_table(_unique_headers(rows[i]), name_hint)[0] is not None:
            return i
        # distinct values: a title merged across the header's width is still one cell
        if len({str(v).strip() for v in rows[i] if not _blank(v)}) > _TITLE_CELLS:
            break
    return nonblank[0]


def _title_note(file: str, sheet: str | None, above: Sequence[Sequence[object]],
                at: int) -> list[str]:
    """A message for the non-blank rows skipped above the header (none for blank rows)."""
    texts = [" ".join(dict.fromkeys(str(v).strip() for v in r if not _blank(v))) for r in above]
    texts = [t for t in texts if t]
    if not texts:
        return []
    where = file if sheet is None else f"{file} [{sheet}]"
    return [f"{where}: header found on row {at + 1}; the row(s) above it were read as a "
            f"title and skipped: {'; '.join(texts)[:200]}"]


def _line_offset(data: bytes, lines: int) -> int | None:
    """Byte offset of the start of physical line ``lines`` (0-based), None if not found."""
    pos = 0
    for _ in range(lines):
        nl = data.find(b"\n", pos)
        if nl < 0:
            return None
        pos = nl + 1
    return pos


def _finish_text(file: str, table: pa.Table, rows: np.ndarray, encoding: str,
                 delimiter: str, notes: list[str] | None = None,
                 flags: dict[int, tuple[str, str, str]] | None = None) -> RawTable:
    if table.num_columns == 0:
        raise DataError("the file is empty", file=file)
    table, rows = drop_blank_rows(table, rows)
    if table.num_rows == 0:
        raise DataError("the file has a header row but no data rows", file=file)
    flags = dict(flags or {})
    table = _flag_long_fields(table, rows, flags)
    table = _encode_repetitive(table)
    name, score = guess_table(table.column_names, Path(file).stem)
    return RawTable(table, rows, file, None, name, score, encoding, delimiter, list(notes or []),
                    flags)


def _line_count(data: bytes) -> int:
    """Physical lines, not counting trailing blank lines."""
    tail = data[-4096:]
    trailing = tail.count(b"\n") - tail.rstrip(b"\r\n\t ").count(b"\n")
    ends_open = not data.endswith(b"\n")
    return data.count(b"\n") - trailing + (1 if ends_open or trailing else 0)


def _read_arrow(data: bytes, headers: list[str], delimiter: str) -> pa.Table:
    internal = [f"c{i}" for i in range(len(headers))]
    table = pacsv.read_csv(
        io.BytesIO(data),
        # One block (up to 1 GiB): each column comes back as one chunk, so validation needs no
        # combine_chunks copy, and on the 2 shared cores this is faster than parallel blocks.
        read_options=pacsv.ReadOptions(column_names=internal, skip_rows=1,
                                       block_size=min(max(len(data) + 1, 1 << 23), 1 << 30)),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"',
                                         newlines_in_values=b'"' in data, ignore_empty_lines=True),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in internal},
                                             strings_can_be_null=False),
    )
    return table.rename_columns(headers)


@dataclass
class _Careful:
    """What the careful reader read: the table, each row's number, rows rejected while reading
    (row number -> (reason, header, detail)) and notes for the validation report."""

    table: pa.Table
    rows: np.ndarray
    flags: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _read_python(data: bytes, delimiter: str, header_row: int = 1, file: str = "") -> _Careful:
    """Careful, slower reader: numbers rows as a spreadsheet does (``data`` starts with the
    header, which is row ``header_row``), pads short rows, widens the table for long ones,
    skips blank lines, and explains any difference between physical lines and rows read.

    A quote opened and never closed would swallow every following line into one cell: that
    raises :class:`DataError` naming the row. A quote closed on a later line around lines that
    look like whole records (an export error, see :func:`_swallowed`) rejects the rows where
    the quote opens and closes (``suspect_quote``) and reads the lines between as rows.
    """
    consumed: list[str] = []

    def lines() -> Iterable[str]:
        for ln in io.StringIO(data.decode("utf-8", errors="replace"), newline=""):
            consumed.append(ln)
            yield ln

    with _field_limit(len(data)):
        reader = csv.reader(lines(), delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            return _Careful(pa.table({}), np.empty(0, np.int64))
        consumed.clear()
        headers = _unique_headers(header)
        parsed: list[tuple[list[str], list[str] | None]] = []
        for rec in reader:
            parsed.append((rec, list(consumed) if len(consumed) > 1 else None))
            consumed.clear()
        if parsed and data.count(b'"') % 2 and parsed[-1][1] is not None:
            raise DataError('a quote (") opened in this row is never closed, so every line after '
                            "it would be read into one cell; close or remove the quote",
                            file=file, row=header_row + len(parsed))
        return _records(parsed, headers, delimiter, header_row, file)


def _records(parsed: list[tuple[list[str], list[str] | None]], headers: list[str],
             delimiter: str, header_row: int, file: str) -> _Careful:
    width = len(headers)
    records: list[list[str]] = []
    numbers: list[int] = []
    flags: dict[int, tuple[str, str, str]] = {}
    notes: list[str] = []
    blank = quoted_breaks = 0
    row_number = header_row
    line_number = header_row
    for rec, physical in parsed:
        row_number += 1
        first_line = line_number + 1
        line_number += len(physical) if physical else 1
        if physical and _swallowed(rec, delimiter, width):
            pieces = [next(csv.reader([ln.rstrip("\r\n")], delimiter=delimiter), [])
                      for ln in physical]
            detail = (f'a quote (") opened on line {first_line} closes on line {line_number}, '
                      f"swallowing {len(pieces) - 2} line(s) that look like rows; those are read "
                      "as their own rows")
            notes.append(f"{file}: {detail}")
            for k, piece in enumerate(pieces):
                if k in (0, len(pieces) - 1):
                    flags[row_number + k] = (schema.REASON_SUSPECT_QUOTE, headers[0], detail)
                records.append(piece)
                numbers.append(row_number + k)
            row_number += len(pieces) - 1
            continue
        if physical:
            quoted_breaks += len(physical) - 1
        if not any(c.strip() for c in rec):
            blank += 1
            continue
        records.append(rec)
        numbers.append(row_number)
    widest = max((len(r) for r in records), default=width)
    if widest > width:
        used = [any(len(r) > j and r[j].strip() for r in records) for j in range(width, widest)]
        extra = (max(i for i, u in enumerate(used) if u) + 1) if any(used) else 0
        headers = headers + _unique_headers([*headers, *[""] * extra])[width:]
        width = len(headers)
    if width > schema.MAX_COLUMNS:
        raise DataError(f"the file has {width:,} columns; at most {schema.MAX_COLUMNS:,} "
                        "are read", file=file)
    records = [r[:width] if len(r) >= width else r + [""] * (width - len(r)) for r in records]
    if blank or quoted_breaks:
        lines_read = line_number - header_row
        notes.append(f"{file}: {lines_read:,} lines after the header, {len(records):,} rows "
                     f"read: {blank:,} blank line(s) skipped, {quoted_breaks:,} line break(s) "
                     "inside quoted cells")
    columns = list(zip(*records)) if records else [()] * width
    table = pa.table({h: pa.array(list(col), type=pa.string()) for h, col in zip(headers, columns)})
    return _Careful(table, np.asarray(numbers, dtype=np.int64), flags, notes)


def _swallowed(rec: list[str], delimiter: str, width: int) -> bool:
    """Whether a multi-line cell of ``rec`` holds lines that look like whole records (at
    least ``width - 2`` delimiters, for tables of three or more columns)."""
    if width < 3:
        return False
    for cell in rec:
        inner = cell.splitlines()
        if len(inner) > 1 and any(ln.count(delimiter) >= width - 2 for ln in inner[1:]):
            return True
    return False


def _flag_long_fields(table: pa.Table, rows: np.ndarray,
                      flags: dict[int, tuple[str, str, str]]) -> pa.Table:
    """Reject rows holding a cell longer than :data:`schema.MAX_FIELD_CHARS` (``field_too_long``);
    the cell keeps its first 100 characters, for the rejected-rows export."""
    limit = schema.MAX_FIELD_CHARS
    for j, name in enumerate(table.column_names):
        col = table.column(j)
        if isinstance(col, pa.ChunkedArray):
            col = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
        words = col.dictionary if is_text_dictionary(col) else col
        if table.num_rows == 0 or (pc.max(pc.binary_length(words)).as_py() or 0) <= limit:
            continue
        col = col.cast(pa.string()) if words is not col else col
        lengths = pc.fill_null(pc.utf8_length(col), 0)
        long_ = np.asarray(pc.greater(lengths, limit), dtype=bool)
        if not long_.any():
            continue
        for i in np.flatnonzero(long_):
            flags.setdefault(int(rows[i]), (
                schema.REASON_FIELD_TOO_LONG, name,
                f"{lengths[int(i)].as_py():,} characters; a cell holds at most {limit:,}"))
        short = pc.if_else(pa.array(long_), pc.utf8_slice_codeunits(col, 0, 100), col)
        table = table.set_column(j, name, short)
    return table


# Repetitive text columns are dictionary-encoded while reading (memory of big files); tests
# switch it off to compare with plain text columns.
ENCODE_REPETITIVE = True


def _repetitive_columns(sample: Sequence[Sequence[str]], width: int) -> set[int]:
    """Columns worth reading dictionary-encoded, judged on the rows of the first 64 KiB: those
    that repeat (fewer than 90 % distinct values; ids and amounts do not)."""
    rows = [r for r in sample[:-1] if len(r) == width]  # the sample may cut its last row
    if len(rows) < 50:
        return set()
    return {j for j in range(width) if len({r[j] for r in rows}) < 0.9 * len(rows)}


def _narrow(arr: pa.Array) -> pa.Array:
    """A dictionary column with the narrowest index type (one or two bytes a row), or decoded
    when it turned out not to repeat (more distinct values than a quarter of its rows)."""
    if not isinstance(arr, pa.DictionaryArray):
        return arr
    size = len(arr.dictionary)
    if size > max(len(arr) // 4, 32_767):
        return arr.cast(arr.type.value_type)
    index = pa.int8() if size < 128 else pa.int16() if size < 32_768 else pa.int32()
    return pa.DictionaryArray.from_arrays(arr.indices.cast(index), arr.dictionary)


def _encode_repetitive(table: pa.Table) -> pa.Table:
    """Repetitive text columns (statuses, channels, dates) dictionary-encoded with one- or
    two-byte codes, column by column: a 5M-row table takes a fraction of the memory, and
    validation parses each distinct text once."""
    if table.num_rows < 1000 or not ENCODE_REPETITIVE:
        return table
    names = table.column_names
    columns = table.columns
    del table
    arrays = []
    for i in range(len(columns)):
        col = columns[i]
        arr = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
        columns[i] = None
        arrays.append(dictionary_encode_text(arr))
        del arr, col
    return pa.Table.from_arrays(arrays, names=names)


def _duplicate_header_note(file: str, sheet: str | None, header: Sequence[object]) -> list[str]:
    """A message naming headers that occur more than once (kept apart as ``name (2)``)."""
    names = ["" if n is None else str(n).strip() for n in header]
    dups = sorted({n for n in names if n and names.count(n) > 1})
    if not dups:
        return []
    where = file if sheet is None else f"{file} [{sheet}]"
    listed = ", ".join(f"{n!r} (columns {', '.join(str(i + 1) for i, m in enumerate(names) if m == n)})"
                       for n in dups)
    return [f"{where}: duplicated header(s) {listed}: the first is used, the others are kept as "
            "extra columns named 'NAME (2)'"]


def drop_blank_rows(table: pa.Table, rows: np.ndarray) -> tuple[pa.Table, np.ndarray]:
    """Remove rows whose every cell is empty (they are not records)."""
    if table.num_rows == 0 or table.num_columns == 0:
        return table, rows
    mask = np.ones(table.num_rows, dtype=bool)
    for col in table.columns:
        idx = np.flatnonzero(mask)
        if not len(idx):
            return table, rows
        cells = col.take(pa.array(idx)) if len(idx) < len(mask) else col
        if isinstance(cells, pa.ChunkedArray):
            cells = cells.combine_chunks()
        if is_text_dictionary(cells):
            words = cells.dictionary
            blank = np.append(np.asarray(pc.fill_null(pc.or_(pc.equal(pc.binary_length(words), 0),
                                                              pc.utf8_is_space(words)), True),
                                         dtype=bool), True)
            codes = np.asarray(pc.fill_null(cells.indices.cast(pa.int64()), -1), dtype=np.int64)
            mask[idx] = blank[codes]
            continue
        if not (pa.types.is_string(cells.type) or pa.types.is_large_string(cells.type)):
            mask[idx] = np.asarray(cells.is_null(), dtype=bool)  # a typed cell is blank when null
            continue
        # empty or whitespace only (same test as trimming to nothing, without the copy)
        empty = pc.fill_null(pc.or_(pc.equal(pc.binary_length(cells), 0), pc.utf8_is_space(cells)),
                             True)
        mask[idx] = np.asarray(empty, dtype=bool)
    if not mask.any():
        return table, rows
    return table.filter(pa.array(~mask)), rows[~mask]


# ---- workbooks ------------------------------------------------------------------------------

def read_workbook(path: str | Path, progress: Progress | None = None,
                  include_hidden: bool = False) -> ReadResult:
    """Read every visible sheet of a workbook; each is matched to a table by sheet name or
    headers.

    Hidden and very hidden sheets are skipped with a message naming them (``include_hidden``
    reads them). Merged ranges are filled with their value and formula cells saved without a
    value are reported (see :mod:`memberdesk.core.xlsx_facts`); a sheet whose used range is
    enormous is streamed and bounded by the cells that hold data. Sheets that are empty, hold
    only a header or match no table are reported in ``messages``; a workbook where no sheet can
    be read raises :class:`DataError`, as does a password-protected one.
    """
    path = Path(path)
    file = str(path)
    if is_encrypted(path):
        raise DataError("the workbook is password-protected (encrypted); save a copy without "
                        "the password (File > Info > Protect Workbook) and read that", file=file)
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
            raise DataError(f"cannot open the workbook ({type(exc).__name__}: {exc})", file=file) from exc
    result = ReadResult()
    if hidden:
        names = ", ".join(repr(n) for n in hidden)
        result.messages.append(f"{file}: hidden sheet(s) {names} " + (
            "read as data (hidden sheets included)" if include_hidden else
            "skipped; include hidden sheets to read them"))
    for name, cells in sheets:
        check_cancelled(progress)
        notes = _apply_facts(file, name, cells, facts.get(name))
        try:
            raw = _sheet_table(file, name, cells)
            raw.notes[:0] = notes
            result.tables.append(raw)
            result.messages.extend(raw.notes)
        except DataError as exc:
            result.messages.extend([*notes, str(exc)])
    if not result.tables:
        why = "; ".join(result.messages) or "it has no sheets"
        raise DataError(f"no sheet of the workbook holds a table ({why})", file=file)
    return result


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
        while row and _blank(row[-1]):
            row.pop()
        if not row:
            pending += 1
            continue
        if len(row) > schema.MAX_COLUMNS:  # pragma: no cover - Excel cannot hold more
            raise DataError(f"the sheet has more than {schema.MAX_COLUMNS:,} columns", file=file,
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
    notes = []
    filled = []
    for r1, c1, r2, c2 in facts.merged:
        if r1 >= len(cells) or c1 >= len(cells[r1]) or _blank(cells[r1][c1]):
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
        notes.append(f"{where}: {len(filled)} merged range(s) filled with their value "
                     f"({', '.join(filled[:5])}{', ...' if len(filled) > 5 else ''})")
    shown = []
    for ref, text in facts.errors:
        r, c = _cell_index(ref)
        if r < len(cells):
            row = cells[r]
            if len(row) <= c:
                row.extend([None] * (c + 1 - len(row)))
            if _blank(row[c]):
                row[c] = text
                shown.append(f"{ref} {text}")
    if shown:
        notes.append(f"{where}: {len(shown)} error cell(s) read as their error text, so a "
                     f"number or date column rejects the row (first: {', '.join(shown[:5])})")
    if facts.uncached:
        refs = ", ".join(facts.uncached[:5])
        notes.append(f"{where}: {len(facts.uncached)} formula cell(s) have no saved value and "
                     f"read as empty (first: {refs}); open and save the workbook in Excel to "
                     "store their values")
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


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _sheet_table(file: str, sheet: str, cells: list[list[object]]) -> RawTable:
    """A sheet's cells (row 1 first) -> RawTable; the first non-empty row is the header."""
    if all(all(_blank(v) for v in r) for r in cells):
        raise DataError("the sheet is empty", file=file, sheet=sheet)
    start = header_index(cells[:_HEADER_SEARCH_ROWS * 5], sheet)
    notes = _title_note(file, sheet, cells[:start], start)
    header = list(cells[start])
    notes += _duplicate_header_note(file, sheet, header)
    body = cells[start + 1:]
    width = max([len(header), *(len(r) for r in body)]) if body else len(header)
    header += [None] * (width - len(header))
    # Drop columns with neither header nor any value (formatting left over on the right).
    keep = [j for j in range(width)
            if not _blank(header[j]) or any(j < len(r) and not _blank(r[j]) for r in body)]
    headers = _unique_headers([header[j] for j in keep])
    columns = {h: as_string_array([r[j] if j < len(r) else None for r in body])
               for h, j in zip(headers, keep)}
    table = pa.table(columns) if columns else pa.table({})
    rows = np.arange(start + 2, start + 2 + len(body), dtype=np.int64)
    table, rows = drop_blank_rows(table, rows)
    if table.num_rows == 0:
        raise DataError("the sheet has a header row but no data rows", file=file, sheet=sheet)
    name, score = guess_table(headers, sheet)
    return RawTable(table, rows, file, sheet, name, score, notes=notes)


# ---- parquet --------------------------------------------------------------------------------

def read_parquet(path: str | Path) -> RawTable:
    """Read a Parquet file natively: numbers, booleans, decimals, dates, timestamps (with or
    without a time zone) and durations keep their Arrow types (see
    :mod:`memberdesk.core.normalize`, "typed columns"); dictionary columns are decoded; only
    text, binary and nested columns become text."""
    import pyarrow.parquet as pq

    path = Path(path)
    file = str(path)
    try:
        source = pq.read_table(path)
    except Exception as exc:
        raise DataError(f"cannot read the Parquet file ({exc})", file=file) from exc
    if source.num_columns == 0:
        raise DataError("the file has no columns", file=file)
    if source.num_rows == 0:
        raise DataError("the file has a header row but no data rows", file=file)
    headers = _unique_headers(source.column_names)
    table = pa.table({h: _native_column(c) for h, c in zip(headers, source.columns)})
    rows = np.arange(2, table.num_rows + 2, dtype=np.int64)
    table, rows = drop_blank_rows(table, rows)
    name, score = guess_table(headers, path.stem)
    return RawTable(table, rows, file, None, name, score)


def _native_column(col: pa.ChunkedArray) -> pa.Array:
    arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    t = arr.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) \
            or pa.types.is_boolean(t) or pa.types.is_date(t) or pa.types.is_timestamp(t) \
            or pa.types.is_duration(t):
        return arr
    return as_string_array(arr)
