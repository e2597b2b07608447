"""The tables of a database as the mapping editor shows them (issue #13 point 6: File ▸ Connect
to database… has the same mapping editor as files): each table's columns, a few rows, and the
mapping :func:`~memberdesk.core.engine.book.open_book` would use for it — the user's, the
automatic one of the table it was recognised as, or none (not read). Nothing is validated here;
only the column names and ``rows`` rows of each table are read.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import ibis
import pandas as pd

from memberdesk.core.engine.book import BOOK_TABLE, REJECTED_TABLE, _find_tables
from memberdesk.core.engine.connection import Connection, TableRef, connect
from memberdesk.core.engine.urls import parse
from memberdesk.core.errors import DataError
from memberdesk.core.mapping import ColumnMapping

MAX_TABLES = 50  # tables listed at most (a warehouse may hold thousands: name them with --table)


@dataclass(frozen=True)
class SourceTable:
    """One table of the database: its name, its columns in order, its first rows (text as
    stored) and the mapping opening the book would use (None: the table is not read)."""

    ref: TableRef
    headers: tuple[str, ...]
    mapping: ColumnMapping | None
    preview: pd.DataFrame


def source_tables(data: str, *, tables: Mapping[str, TableRef] | None = None,
                  mappings: Mapping[str, ColumnMapping] | None = None,
                  password: str | None = None, rows: int = 5,
                  on_connect: Callable[[Connection], None] | None = None) -> list[SourceTable]:
    """The tables of ``data`` (a URL, see :mod:`.urls`) for the mapping editor: those named in
    ``tables`` first, then the others in the database's order (at most :data:`MAX_TABLES`),
    without MemberDesk's own ``rejected`` and metadata tables.

    Raises
    ------
    DataError
        The connection fails or the database holds no table.
    """
    conn = connect(parse(data), password=password)
    if on_connect is not None:
        on_connect(conn)
    try:
        explicit = dict(tables or {})
        # without a policies table recognised yet too: the user maps one here
        found = _find_tables(conn, explicit, mappings, need_policies=False)
        used = {ref: mapping for ref, _, mapping in found.values()}
        listed = [r for r in conn.tables() if r.name not in (REJECTED_TABLE, BOOK_TABLE)]
        order = [*explicit.values(), *(r for r in listed if r not in explicit.values())]
        if not order:
            raise DataError("the database holds no table", file=parse(data).display)
        out = []
        for ref in order[:MAX_TABLES]:
            kinds = conn.columns(ref)
            source = ibis.table(ibis.schema(dict(kinds)), name=ref.name, database=ref.database)
            expr = source.select(*(source[c].cast("string").name(c) for c in kinds)).limit(rows)
            preview: pd.DataFrame = conn.arrow(str(ibis.to_sql(expr, dialect=conn.dialect))
                                               ).to_pandas()
            out.append(SourceTable(ref, tuple(kinds), used.get(ref), preview))
        return out
    finally:
        conn.close()


def mappings_of(chosen: Mapping[TableRef, ColumnMapping | None]) -> dict[str, ColumnMapping]:
    """The editor's choices as :func:`open_book`'s ``mappings``, keyed by the tables' displayed
    names; a table the user chose to ignore (None) maps to the table ``""``: left out, even
    where its headers would be recognised."""
    return {ref.display: m if m is not None else ColumnMapping("") for ref, m in chosen.items()}
