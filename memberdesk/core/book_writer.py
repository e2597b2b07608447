"""A validated book written into a DuckDB database that opens without a validation scan
(issue #13 "trusted books", docs/engines.md): the accepted rows of each table, a ``rejected``
table (table, file, sheet, row, column, reason, value, detail) and the
:data:`~memberdesk.core.engine.book.BOOK_TABLE` metadata (rules fingerprint, counts by table
and reason). ``memberdesk import`` and the desktop's File ▸ Save as DuckDB book… write it.

The database is written to a temporary file beside the target and renamed when complete, so
an interrupted write never leaves half a book (and never touches a file already there).
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from memberdesk.core.atomic_write import refuse_overwriting_inputs
from memberdesk.core.dataset import Dataset
from memberdesk.core.errors import Cancelled, DataError
from memberdesk.core.progress import Progress, check_cancelled, ensure, interruptible

if TYPE_CHECKING:
    from memberdesk.core.engine.book import EngineBook


SLOW_OPEN_SECONDS = 10.0  # a validation scan this long earns the hint to save (import) the book


def worth_saving(ds: Dataset, seconds: float) -> bool:
    """True when opening ``ds`` took a validation scan of ``seconds`` (at least
    :data:`SLOW_OPEN_SECONDS`) on an engine book `memberdesk import` did not write: saved as a
    DuckDB book (:func:`save_book`), it opens without the scan (docs/engines.md "Trusted
    books"). The command line and the desktop then say so."""
    book = getattr(ds, "book", None)
    return book is not None and not getattr(book, "trusted", True) \
        and seconds >= SLOW_OPEN_SECONDS


def _temporary(out: Path) -> str:
    """A fresh path beside ``out`` (DuckDB creates the file itself)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    os.unlink(tmp)
    return tmp


def _finish(tmp: str, out: Path, ok: bool) -> None:
    if ok:
        os.replace(tmp, out)
    for leftover in (tmp, tmp + ".wal"):
        if os.path.exists(leftover):
            os.unlink(leftover)


def write_book(ds: Dataset, out: Path, *, today: dt.date | None = None,
               progress: Progress | None = None) -> None:
    """Write the accepted rows of ``ds`` (canonical and extra columns, as validated), its
    rejected rows and the :data:`~memberdesk.core.engine.book.BOOK_TABLE` metadata (the
    validation counts, so that opening the book skips the validation scan) into the DuckDB
    database ``out`` (replaced atomically). ``today``: the day the rows were validated at.
    ``progress``: a status per table; Cancel between tables leaves no file behind."""
    import duckdb

    from memberdesk.core.engine.book import BOOK_TABLE, book_metadata
    from memberdesk.core.validation_report import REJECTED_COLUMNS, rejected_for_people

    tmp = _temporary(out)
    ok = False
    try:
        con = duckdb.connect(tmp)
        try:
            tables: dict[str, dict[str, Any]] = {}
            for name, frame in ds.validated.items():
                check_cancelled(progress)
                ensure(progress).status(f"Writing {name}")
                _write(con, name, frame)
                _declare_key(con, name, frame)
                report = ds.report.table(name)
                rejected = ds.report.rejected
                mine = rejected[rejected["table"] == name] if "table" in rejected.columns \
                    else rejected.iloc[:0]
                tables[name] = {
                    "files": [] if report is None else list(report.files),
                    "read": len(frame) if report is None else int(report.read),
                    "accepted": len(frame),
                    "reasons": {} if report is None else
                    {k: int(v) for k, v in report.reasons.items() if v},
                    "latest": _latest(name, frame), "columns": _kinds(con, "main", name),
                    "rejected_columns": [c for c in mine.columns if c not in REJECTED_COLUMNS
                                         and bool(mine[c].notna().any())]}
            # the details as English words (a database column holds text, not reason objects)
            rejected = rejected_for_people(ds.report.rejected, "en")
            _write(con, "rejected", rejected.astype(
                {"row": "Int64"}) if len(rejected) else rejected.astype(str))
            con.register("_md_meta", book_metadata(tables, today=today or dt.date.today(),
                                                   origin="files", messages=ds.report.messages))
            con.execute(f'CREATE TABLE "{BOOK_TABLE}" AS SELECT * FROM _md_meta')
            con.unregister("_md_meta")
        finally:
            con.close()
        check_cancelled(progress)  # a Cancel after the last table's status: still no book
        ok = True
    finally:
        _finish(tmp, out, ok)


def _latest(name: str, frame: pd.DataFrame) -> dt.date | None:
    """The latest date of the accepted rows (birth dates aside), as an engine book counts it."""
    from memberdesk.core import schema

    spec = schema.TABLE_SPECS.get(name)
    best: dt.date | None = None
    for c in () if spec is None else spec.columns:
        if c.kind != "date" or c.name == "birth_date" or c.name not in frame.columns:
            continue
        v = pd.to_datetime(frame[c.name], errors="coerce").max()
        if not pd.isna(v):
            d = pd.Timestamp(v).date()
            best = d if best is None or d > best else best
    return best


def _kinds(con: Any, catalog: str | None, name: str) -> dict[str, str]:
    """The written table's columns with the coarse types an engine book reads them as."""
    from memberdesk.core.engine.connection import coarse_type

    where = "table_catalog = current_database()" if catalog == "main" else "table_catalog = ?"
    params = [name] if catalog == "main" else [name, catalog]
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
        f"AND table_schema = 'main' AND {where} ORDER BY ordinal_position", params).fetchall()
    return {str(n): coarse_type(str(k)) for n, k in rows}


def write_engine_book(book: EngineBook, out: Path, *, today: dt.date, batch: int = 50_000,
                      primary_keys: bool = False, progress: Progress | None = None) -> None:
    """``memberdesk import duckdb://SOURCE -o out`` in the engine: the output database is
    attached to the book's DuckDB session and each table's accepted rows, typed by the rules,
    are written by ``CREATE TABLE ... AS`` (no row comes to Python); the rejected rows (all of
    them, with the file import's columns) are read in batches of ``batch`` and written with
    the same cell texts as the validation report's sample; then the metadata of
    :func:`memberdesk.core.engine.book.book_metadata`. The source stays read-only."""
    import duckdb

    # the book's session is ours while writing (pages wait), and the task's Cancel interrupts
    # the statement running (the temporary file is then removed)
    with book._lock, interruptible(book.conn.cancel):
        try:
            _write_engine_book(book, out, today=today, batch=batch, primary_keys=primary_keys,
                               progress=progress)
        except duckdb.InterruptException as exc:
            raise Cancelled("the book was not written: cancelled") from exc


def _write_engine_book(book: EngineBook, out: Path, *, today: dt.date, batch: int,
                       primary_keys: bool, progress: Progress | None) -> None:
    from memberdesk.core import schema
    from memberdesk.core.engine.book import (
        BOOK_TABLE,
        REJECTED_TABLE,
        book_metadata,
        rejected_frame,
        rejected_labels,
        rejected_query,
    )
    from memberdesk.core.validation_report import REJECTED_COLUMNS, rejected_for_people

    con = book.conn.con  # type: ignore[attr-defined]  # a DuckDBConnection's session
    tmp = _temporary(out)
    alias = f"memberdesk_out_{uuid.uuid4().hex[:10]}"
    ok = False
    con.execute(f"ATTACH '{tmp.replace(chr(39), chr(39) * 2)}' AS {alias} (READ_WRITE)")
    try:
        tables: dict[str, dict[str, Any]] = {}
        labels: list[str] = []
        for name, t in book.tables.items():
            check_cancelled(progress)
            ensure(progress).status(f"Writing {name}")
            target = f"{alias}.main.{_q(name)}"
            con.execute(f"CREATE TABLE {target} AS {book.sql(t.canonical.accepted)}")
            key = schema.TABLE_SPECS[name].id_column
            kinds = _kinds(con, alias, name)
            if key is not None and key in kinds and primary_keys:
                nulls = con.execute(f"SELECT count(*) - count({_q(key)}) FROM {target}").fetchone()
                if nulls is not None and nulls[0] == 0:
                    con.execute(f"ALTER TABLE {target} ADD PRIMARY KEY ({_q(key)})")
            report = book.report.table(name)
            assert report is not None
            counts = book.counts[name]
            mine = rejected_labels(t)
            labels += [c for c in mine if c not in labels]
            tables[name] = {"files": list(report.files), "read": report.read,
                            "accepted": report.accepted,
                            "reasons": {k: int(v) for k, v in report.reasons.items() if v},
                            "latest": counts["latest"], "columns": kinds,
                            "rejected_columns": mine}
        cells = ", ".join(f"{_q(c)} VARCHAR" for c in labels)
        con.execute(f"CREATE TABLE {alias}.main.{_q(REJECTED_TABLE)} ("
                    + ", ".join(f"{_q(c)} {'BIGINT' if c == 'row' else 'VARCHAR'}"
                                for c in REJECTED_COLUMNS) + (f", {cells}" if cells else "") + ")")
        reader_con = con.cursor()  # reads the rejected rows while con writes them
        # (a session of its own: the book's interrupt does not stop its reading)
        try:
            with interruptible(reader_con.interrupt):
                for name, t in book.tables.items():
                    if not tables[name]["reasons"]:
                        continue
                    file = tables[name]["files"][0] if tables[name]["files"] else name
                    reader = reader_con.sql(book.sql(rejected_query(t, None))).to_arrow_reader(batch)
                    for chunk in reader:
                        check_cancelled(progress)
                        frame = rejected_for_people(
                            rejected_frame(file, name, t, pa.Table.from_batches([chunk]), today), "en")
                        frame["row"] = frame["row"].astype("Int64")
                        con.register("_md_rejected", frame)
                        con.execute(f"INSERT INTO {alias}.main.{_q(REJECTED_TABLE)} BY NAME "
                                    "SELECT * FROM _md_rejected")
                        con.unregister("_md_rejected")
        finally:
            reader_con.close()
        con.register("_md_meta", book_metadata(tables, today=today, origin="engine",
                                               messages=book.report.messages))
        con.execute(f"CREATE TABLE {alias}.main.{_q(BOOK_TABLE)} AS SELECT * FROM _md_meta")
        con.unregister("_md_meta")
        check_cancelled(progress)  # a Cancel after the last table's status: still no book
        ok = True
    finally:
        con.execute(f"DETACH {alias}")
        _finish(tmp, out, ok)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _write(con: object, name: str, frame: pd.DataFrame) -> None:
    """CREATE TABLE name AS the frame (identifiers quoted; categoricals as text)."""
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(object)
    con.register("_md_frame", frame)  # type: ignore[attr-defined]
    con.execute(f"CREATE TABLE {_q(name)} AS SELECT * FROM _md_frame")  # type: ignore[attr-defined]
    con.unregister("_md_frame")  # type: ignore[attr-defined]


def _declare_key(con: object, name: str, frame: pd.DataFrame) -> None:
    """A PRIMARY KEY on the table's id column (validated: unique, and here without nulls), so
    that engine books skip their duplicate-id scan on this table."""
    from memberdesk.core import schema

    spec = schema.TABLE_SPECS.get(name)
    key = None if spec is None else spec.id_column
    if key is None or key not in frame.columns or frame[key].isna().any():
        return
    con.execute(f'ALTER TABLE {_q(name)} ADD PRIMARY KEY ("{key}")')  # type: ignore[attr-defined]


def save_book(ds: Dataset, out: str | Path, *, today: dt.date | None = None,
              progress: Progress | None = None) -> str:
    """Write ``ds`` as a book at ``out`` as ``memberdesk import`` does: in the engine when it
    is a DuckDB book (no row comes to Python), else from the validated rows; returns the path
    written. ``today`` defaults to the computer's date (the day future dates were checked).

    Raises
    ------
    DataError
        ``out`` is one of the data's own files (a file read, the DuckDB database or a Parquet
        file of the book): nothing is written."""
    path = Path(out)
    day = today or dt.date.today()
    book = getattr(ds, "book", None)
    url = getattr(book, "url", None)
    inputs = [*ds.sources, *(() if url is None or url.kind not in ("duckdb", "parquet")
                             else (url.target, *url.paths))]
    clash = refuse_overwriting_inputs(path, inputs, "the book")
    if clash:  # e.g. the DuckDB database being read: never replaced by its own copy
        raise DataError(clash, file=str(path))
    if book is not None and book.engine == "duckdb":
        from memberdesk.core.engine.book import EngineBook  # (ibis is loaded: a book is open)

        if isinstance(book, EngineBook):  # insurer tables (a generic table's book is not one)
            write_engine_book(book, path, today=day, progress=progress)
            return str(path)
    write_book(ds, path, today=day, progress=progress)
    return str(path)
