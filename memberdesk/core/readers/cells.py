"""Rows of cells as a reader first sees them: blank cells, header names made unique, the header
row below a title, blank rows dropped, and the notes about them."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from memberdesk.core.normalize import is_text_dictionary
from memberdesk.core.reasons import Note, Reason

HEADER_SEARCH_ROWS = 10  # a header below a title is looked for in the first 10 non-blank rows


TITLE_CELLS = 2  # rows above the header may hold a title, a date, a unit: at most 2 cells


def is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def unique_headers(names: Sequence[object]) -> list[str]:
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


def header_candidates(rows: Sequence[Sequence[object]]) -> tuple[int, ...]:
    """Indexes in ``rows`` (the first rows of a file or sheet) of the rows that may be the header.

    The non-blank rows up to and including the first one holding more than two distinct cells,
    at most ten: spreadsheets exported from other systems often put a report title such as
    ``保单清单``, a date or a unit note above the header, and such rows hold at most two cells
    (distinct values: a title merged across the header's width is still one cell). Which
    candidate is the header is decided by the identify step (:mod:`memberdesk.core.identify`).
    """
    out: list[int] = []
    for i, r in enumerate(rows):
        if all(is_blank(v) for v in r):
            continue
        out.append(i)
        wide = len({str(v).strip() for v in r if not is_blank(v)}) > TITLE_CELLS
        if wide or len(out) == HEADER_SEARCH_ROWS:
            break
    return tuple(out)


def title_note(file: str, sheet: str | None, above: Sequence[Sequence[object]],
                at: int) -> list[str]:
    """A message for the non-blank rows skipped above the header (none for blank rows)."""
    texts = [" ".join(dict.fromkeys(str(v).strip() for v in r if not is_blank(v))) for r in above]
    texts = [t for t in texts if t]
    if not texts:
        return []
    where = file if sheet is None else f"{file} [{sheet}]"
    return [Note(Reason("title_rows_skipped", row=at + 1, titles="; ".join(texts)[:200]), where)]


def duplicate_header_note(file: str, sheet: str | None, header: Sequence[object]) -> list[str]:
    """A message naming headers that occur more than once (kept apart as ``name (2)``)."""
    names = ["" if n is None else str(n).strip() for n in header]
    dups = sorted({n for n in names if n and names.count(n) > 1})
    if not dups:
        return []
    where = file if sheet is None else f"{file} [{sheet}]"
    listed = ", ".join(f"{n!r} (columns {', '.join(str(i + 1) for i, m in enumerate(names) if m == n)})"
                       for n in dups)
    return [Note(Reason("duplicate_headers", listed=listed), where)]


def drop_blank_rows(table: pa.Table, rows: np.ndarray) -> tuple[pa.Table, np.ndarray]:
    """Remove rows whose every cell is empty (they are not records)."""
    if table.num_rows == 0 or table.num_columns == 0:
        return table, rows
    mask = np.ones(table.num_rows, dtype=bool)
    # A row is blank when all its cells are: the order the columns are looked at does not
    # matter, so the cheap ones (dictionary-encoded: a test per distinct text) go first, and
    # usually no candidate row is left for a plain text column of ids or amounts.
    columns = sorted(table.columns, key=lambda c: not is_text_dictionary(
        c.chunk(0) if isinstance(c, pa.ChunkedArray) and c.num_chunks else c))
    for col in columns:
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
