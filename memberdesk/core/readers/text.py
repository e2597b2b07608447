"""CSV/TSV/TXT files -> :class:`RawTable` (docs/data-contract.md).

UTF-8 (with or without BOM), UTF-16 with BOM and GB18030/GBK are detected (see
:mod:`memberdesk.core.text_encoding`); the delimiter (comma, tab, semicolon, pipe) is sniffed.
A plain UTF-8 file is parsed by ``pyarrow.csv`` straight from disk; anything else (another
encoding, ragged rows, blank lines, quoted line breaks) is decoded whole and, when pyarrow cannot
take it, read by the careful reader (:mod:`.careful`), which keeps exact row numbers.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from memberdesk.core import schema
from memberdesk.core.errors import DataError
from memberdesk.core.progress import Progress, check_cancelled
from memberdesk.core.readers import columns as column_ops
from memberdesk.core.readers.careful import field_limit, read_careful
from memberdesk.core.readers.cells import (
    HEADER_SEARCH_ROWS,
    drop_blank_rows,
    duplicate_header_note,
    header_candidates,
    title_note,
    unique_headers,
)
from memberdesk.core.readers.columns import encode_repetitive, flag_long_fields, narrow, repetitive_columns
from memberdesk.core.readers.table import OpenedFile, RawTable, ReadResult, TableHead
from memberdesk.core.reasons import Note, Reason
from memberdesk.core.text_encoding import canonical_encoding, decode_text

DELIMITERS = (",", "\t", ";", "|")


_SAMPLE_BYTES = 1 << 16


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


def open_text(path: str | Path, progress: Progress | None = None,
              encoding: str | None = None) -> OpenedFile:
    """Open a CSV/TSV/TXT file: its encoding, its delimiter and its first rows, and a reader for
    the table below the header row the identify step chooses.

    ``encoding``: the user's choice (None = detect). A plain UTF-8 file is only scanned here
    (never held in memory whole); any other is decoded whole. Raises :class:`DataError` when the
    file is empty, binary or not decodable as a whole (see
    :mod:`memberdesk.core.text_encoding`); :meth:`OpenedFile.read` raises it when the table has
    no data rows.
    """
    path = Path(path)
    file = str(path)
    scan = _scan(path)
    if not scan.nonblank:
        raise DataError(Note(Reason("file_empty")), file=file)
    streamed = scan.plain_utf8 and (encoding is None or canonical_encoding(encoding) == "utf-8")
    decoded = [] if streamed else [_decode(path, encoding)]
    check_cancelled(progress)
    head_bytes, limit = (scan.head, len(scan.head)) if streamed else \
        (decoded[0][0][:_SAMPLE_BYTES], len(decoded[0][0]))
    sample = head_bytes.decode("utf-8", errors="ignore")
    delimiter = sniff_delimiter(sample, path.suffix.lower())
    parsed = _head_rows(sample, delimiter, limit)

    def read(header_rows: Sequence[int]) -> ReadResult:
        at = header_rows[0]
        raw = _read_streamed(path, scan, sample, delimiter, parsed, at) if streamed else None
        if raw is None:
            data, used, notes = decoded.pop() if decoded else _decode(path, encoding)
            check_cancelled(progress)
            if streamed:  # the fast reader gave up: the decoded text decides the rest
                again = data[:_SAMPLE_BYTES].decode("utf-8", errors="ignore")
                sep = sniff_delimiter(again, path.suffix.lower())
                raw = _read_whole(file, data, used, notes, sep, _head_rows(again, sep, len(data)),
                                  at)
            else:
                raw = _read_whole(file, data, used, notes, delimiter, parsed, at)
        return ReadResult([raw], list(raw.notes))

    head = TableHead(file, None, path.stem, tuple(tuple(r) for r in parsed),
                     header_candidates(parsed))
    return OpenedFile(file, (head,), read)


def _decode(path: Path, encoding: str | None) -> tuple[bytes, str, list[str]]:
    """The whole file as UTF-8 bytes with one line-ending convention, the encoding it was read
    with and notes about it (see :func:`~memberdesk.core.text_encoding.decode_text`)."""
    raw = path.read_bytes()
    data, used, notes = decode_text(raw, str(path), encoding)
    del raw
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        # CR-only (old Mac) or mixed line endings: one convention before header detection
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data, used, notes


def _head_rows(sample: str, delimiter: str, limit: int) -> list[list[str]]:
    """The first 50 lines of ``sample`` split into cells (where the header is looked for)."""
    lines = sample.splitlines()[:HEADER_SEARCH_ROWS * 5]
    with field_limit(limit):
        return [next(csv.reader([ln], delimiter=delimiter), []) for ln in lines]


def _read_whole(file: str, data: bytes, encoding: str, notes: list[str], delimiter: str,
                parsed: list[list[str]], at: int) -> RawTable:
    """The table of the decoded text ``data`` with its header on line ``at`` (0-based): the
    fast reader when physical lines and rows agree, else the careful reader."""
    if at:
        offset = _line_offset(data, at)
        if offset is None:
            at = 0
        else:
            data = data[offset:]
            notes += title_note(file, None, parsed[:at], at)
    header_line = parsed[at] if at < len(parsed) else []
    headers = unique_headers(header_line)
    notes += duplicate_header_note(file, None, header_line)
    if len(headers) > schema.MAX_COLUMNS:
        raise DataError(Note(Reason("file_too_many_columns", n=len(headers),
                                    limit=schema.MAX_COLUMNS)), file=file)
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
    flags: dict[int, tuple[str, str, Reason]] = {}
    if table is None or rows is None:
        careful = read_careful(data, delimiter, at + 1, file)
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


_SCAN_CHUNK = 1 << 24


def _scan(path: Path) -> _Scan:
    scan = _Scan()
    decoder = codecs.getincrementaldecoder("utf-8")()
    cr = crlf = 0
    prev_cr = False
    # one 16 MiB buffer read into again and again: a fresh bytes object a chunk costs page
    # faults (CPU) on every chunk of a big file
    buffer = bytearray(max(1, min(_SCAN_CHUNK, path.stat().st_size + 1)))
    with path.open("rb", buffering=0) as fh:
        while True:
            size = fh.readinto(buffer)
            if not size:
                break
            chunk = buffer if size == len(buffer) else buffer[:size]
            if not scan.head:
                if chunk.startswith(codecs.BOM_UTF8):
                    scan.bom = len(codecs.BOM_UTF8)
                elif chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    scan.plain_utf8 = False
                scan.head = bytes(chunk[scan.bom:scan.bom + _SAMPLE_BYTES])
            scan.newlines += _count_newlines(chunk)
            scan.quote = scan.quote or b'"' in chunk
            # (a non-blank first line answers without stripping a 16 MiB copy)
            scan.nonblank = scan.nonblank or bool(chunk[:256].strip()) or bool(chunk.strip())
            if prev_cr and chunk.startswith(b"\n"):
                crlf += 1  # a CRLF cut by the chunk boundary (the chunk itself may hold no CR)
            if b"\r" in chunk:
                cr += chunk.count(b"\r")
                crlf += chunk.count(b"\r\n")
            prev_cr = chunk.endswith(b"\r")
            if scan.plain_utf8 and (b"\x00" in chunk or not chunk.isascii()
                                    and not _utf8_ok(decoder, chunk)):
                scan.plain_utf8 = False
            scan.tail = (scan.tail + bytes(chunk[-4096:]))[-4096:]
    scan.plain_utf8 = scan.plain_utf8 and cr == crlf and _utf8_ok(decoder, b"", final=True)
    return scan


def _count_newlines(chunk: bytes | bytearray) -> int:
    """The number of LF bytes in ``chunk``: numpy compares 16 bytes at a time and releases the GIL
    (``bytearray.count`` of one byte is ~4x slower and holds it, which the early read of the
    command line shares with the imports running beside it)."""
    return int(np.count_nonzero(np.frombuffer(chunk, dtype=np.uint8) == 10))


def _utf8_ok(decoder: codecs.IncrementalDecoder, chunk: bytes | bytearray,
             final: bool = False) -> bool:
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _read_streamed(path: Path, scan: _Scan, sample: str, delimiter: str,
                   parsed: list[list[str]], at: int) -> RawTable | None:
    """The fast reader on a plain UTF-8 file, header on line ``at`` (0-based) of ``sample`` (the
    file's first 64 KiB, split into ``parsed`` rows), straight from disk in 8 MiB blocks (the
    file is never held in memory whole); None when the careful reader must decide (ragged rows,
    blank lines, quoted line breaks: physical lines and rows differ)."""
    file = str(path)
    offset = _line_offset(scan.head, at) if at else 0
    if offset is None:
        return None
    notes = title_note(file, None, parsed[:at], at) if at else []
    header_line = parsed[at] if at < len(parsed) else []
    headers = unique_headers(header_line)
    notes += duplicate_header_note(file, None, header_line)
    if not headers or len(headers) > schema.MAX_COLUMNS:
        return None
    internal = [f"c{i}" for i in range(len(headers))]
    with field_limit(len(scan.head)):
        body = list(csv.reader(sample.splitlines()[at + 1:], delimiter=delimiter))
    repetitive = repetitive_columns(body, len(headers)) if column_ops.ENCODE_REPETITIVE else set()
    text, coded = pa.string(), pa.dictionary(pa.int32(), pa.string())
    try:
        # pyarrow's own file (not a Python one): its reads and parse run without the GIL, on
        # both cores, blocks parsed in parallel
        with pa.OSFile(str(path)) as fh:
            fh.seek(scan.bom + offset)
            chunked = pacsv.read_csv(
                fh,
                read_options=pacsv.ReadOptions(column_names=internal, skip_rows=1,
                                               block_size=1 << 23, use_threads=True),
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
        arrays.append(narrow(col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()))
        columns[i] = None
        del col
        pool.release_unused()  # give the chunked copy back, not only to the allocator's cache
    table = pa.Table.from_arrays(arrays, names=headers)
    del arrays
    rows = np.arange(at + 2, table.num_rows + at + 2, dtype=np.int64)
    return _finish_text(file, table, rows, "utf-8-sig" if scan.bom else "utf-8", delimiter, notes)


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
                 flags: dict[int, tuple[str, str, Reason]] | None = None) -> RawTable:
    if table.num_columns == 0:
        raise DataError(Note(Reason("file_empty")), file=file)
    table, rows = drop_blank_rows(table, rows)
    if table.num_rows == 0:
        raise DataError(Note(Reason("file_no_data_rows")), file=file)
    flags = dict(flags or {})
    table = flag_long_fields(table, rows, flags)
    table = encode_repetitive(table)
    return RawTable(table, rows, file, None, None, 0.0, encoding, delimiter, list(notes or []),
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
